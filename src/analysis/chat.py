"""Parse WhatsApp group exports (Android and iOS, Indonesian and English) into typed records.

One pass of vectorised regular expressions over the lines: fast enough for million-message
exports. System lines (joins, leaves, adds, removals, the encryption notice) are events, never
messages, even when their text contains a colon.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import chat_lines

LRM = "\u200e"  # iOS puts it before system text and media placeholders
_MEDIA = (r"^\x{200e}?(?:<Media tidak disertakan>|<Media omitted>|(?:gambar|video|audio|stiker|dokumen"
          r"|GIF) tidak disertakan|(?:image|video|audio|sticker|document|GIF) omitted"
          r"|<attached: [^>]*>|<terlampir: [^>]*>)$")
_DELETED = (r"^\x{200e}?(?:Pesan ini telah dihapus|Pesan ini dihapus|Anda menghapus pesan ini"
            r"|This message was deleted|You deleted this message)\.?$")
# Words that only a system line puts after a name: a "sender" holding one may be a system line
# whose text contains ": " (checked in full below); every other record is a message.
KINDS = ["system", "media", "deleted", "text"]
_SYSTEM_WORDS = (r" (?:bergabung|keluar|left|menambahkan|added|mengeluarkan|removed|membuat|created"
                 r"|mengubah|changed|telah|joined)")

# (event, pattern): the actor is the person the line is about, target whom they acted on.
SYSTEM_PATTERNS = [  # specific phrases first: the first pattern that matches names the event
    ("encryption", r"(?:Pesan dan panggilan|Messages and calls) .*end-to-end.*"),
    ("created", r"(?P<actor>.+?) (?:membuat grup|created group) .*"),
    ("number_changed", r"(?P<actor>.+?) (?:telah mengganti nomor|mengganti nomor|mengubah nomor"
                       r"|changed their phone number|changed to)\b.*"),
    ("group_changed", r"(?P<actor>.+?) (?:mengubah|changed) (?:subjek|deskripsi|ikon|foto|setelan"
                      r"|the subject|the group|this group's|the description).*"),
    ("joined", r"(?P<actor>.+?) (?:bergabung menggunakan tautan undangan grup ini"
               r"|joined using this group's invite link|joined using a group link|bergabung)"),
    ("left", r"(?P<actor>.+?) (?:keluar|left)"),
    ("added", r"(?P<actor>.+?) (?:menambahkan|added) (?P<target>.+)"),
    ("removed", r"(?P<actor>.+?) (?:mengeluarkan|removed) (?P<target>.+)"),
]
# One alternation, each branch's groups renamed (actor_left, target_added, ...) so that a single
# vectorised pass finds the event and its people.
SYSTEM = re.compile("|".join(
    "(?P<{}>^{}$)".format(name, pattern.replace("?P<actor>", f"?P<actor_{name}>")
                            .replace("?P<target>", f"?P<target_{name}>"))
    for name, pattern in SYSTEM_PATTERNS))
LIST_SPLIT = re.compile(r", | dan | and ")


def _gather(data: bytes, starts: np.ndarray, ends: np.ndarray) -> pa.LargeStringArray:
    """Byte ranges of the export as one Arrow string array, copied in C++.

    The ranges are in file order and do not overlap, so one offsets array that alternates
    (start, end, next start, ...) makes every even element a wanted string; `take` keeps those.
    """
    offsets = np.empty(2 * len(starts) + 1, dtype=np.int64)
    offsets[0:-1:2] = starts
    offsets[1::2] = ends
    offsets[-1] = ends[-1] if len(ends) else 0
    both = pa.LargeStringArray.from_buffers(2 * len(starts), pa.py_buffer(offsets),
                                            pa.py_buffer(data))
    return pc.take(both, pa.array(np.arange(0, 2 * len(starts), 2)))


def _system_lines(bodies: pd.Series, marked: pd.Series) -> pd.DataFrame:
    """event, actor, target for candidate lines; event is NA where a line is a message after all."""
    if bodies.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ("event", "actor", "target")})
    bodies = bodies.astype(object)  # a few lines: Python's re is quicker than Arrow per row
    found = bodies.str.extract(SYSTEM)
    event_names = [name for name, _ in SYSTEM_PATTERNS]
    matched = found[event_names].notna()
    event = matched.idxmax(axis=1).where(matched.any(axis=1))
    actor = _coalesce(found, "actor_").str.strip()
    target = _coalesce(found, "target_").str.strip()
    # A known system line whose "actor" holds "Name: " is a message quoting such words.
    quoted = ~marked & actor.fillna("").str.contains(": ", regex=False)
    return pd.DataFrame({"event": event.where(~quoted), "actor": actor, "target": target})


def _coalesce(frame: pd.DataFrame, prefix: str) -> pd.Series:
    columns = [c for c in frame.columns if c.startswith(prefix)]
    return frame[columns].bfill(axis=1).iloc[:, 0]


def _bools(array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False).astype(bool)


PARALLEL_BYTES = 8_000_000  # larger exports are parsed in chunks of about this size, two at a time


def parse_export(path: str | Path, date_order: str | None = None) -> pd.DataFrame:
    """One export file -> one row per message or system event, with its first line number."""
    path = Path(path)
    data = chat_lines.read_bytes(path)
    # Small chunks keep each array small enough for the allocator to reuse freed memory rather
    # than fault in fresh pages; numpy and Arrow release the GIL, so two threads use both cores.
    bounds = chat_lines.chunks(data, max(1, len(data) // PARALLEL_BYTES))
    with ThreadPoolExecutor(min(2, len(bounds))) as pool:
        records = chat_lines.join(list(pool.map(
            lambda b: chat_lines.split_records(path, data, *b), bounds)))
        stamps = chat_lines.timestamps(path, records, date_order)
        pieces = np.array_split(np.arange(len(records.line)), len(bounds))
        parts = list(pool.map(lambda rows: _columns(data, records, rows), pieces))
    columns = {k: [p[k] for p in parts] for k in parts[0]}
    return pd.DataFrame({
        "file": path.name,
        "line": records.line,
        "timestamp": stamps,
        "kind": pd.Categorical.from_codes(np.concatenate(columns["kind"]), categories=KINDS),
        "sender": pa.chunked_array(columns["sender"]).to_pandas(),
        "text": pa.chunked_array(columns["text"]).to_pandas(),
        **{c: pd.Series(np.concatenate(columns[c]), dtype=object)
           for c in ("event", "actor", "target")},
    })


def no_records() -> pd.DataFrame:
    """What parse_export gives for a cohort without a chat export: the columns, no rows."""
    return pd.DataFrame({
        "file": pd.Series(dtype=object), "line": pd.Series(dtype=int),
        "timestamp": pd.Series(dtype="datetime64[ns]"),
        "kind": pd.Categorical([], categories=KINDS), "sender": pd.Series(dtype=object),
        "text": pd.Series(dtype=object),
        **{c: pd.Series(dtype=object) for c in ("event", "actor", "target")}})


def _columns(data: bytes, records, rows: np.ndarray) -> dict:
    """Sender, text and kind of the records `rows` (a contiguous run)."""
    body_start, body_end = records.body_start[rows], records.body_end[rows]
    first_lines = _gather(data, body_start, body_end)
    at_colon = pc.find_substring(first_lines, ": ").to_numpy(zero_copy_only=False)
    has_colon = at_colon >= 0
    colon = body_start + at_colon  # byte offsets: Arrow counts UTF-8 code units
    sender = _gather(data, body_start, np.where(has_colon, colon, body_start))
    text = _gather(data, np.where(has_colon, colon + 2, body_start), records.text_end[rows])
    marked = _bools(pc.starts_with(text, LRM))
    # placeholders are short and rare: a cheap length test first, the patterns on what is left
    short = np.flatnonzero(_bools(pc.less_equal(pc.binary_length(text), 60)))
    shortlist = text.take(short)
    placeholder = np.zeros(len(text), dtype=bool)
    deleted = np.zeros(len(text), dtype=bool)
    placeholder[short] = _bools(pc.match_substring_regex(shortlist, f"{_MEDIA}|{_DELETED}",
                                                         ignore_case=True))
    at = np.flatnonzero(placeholder)
    deleted[at] = _bools(pc.match_substring_regex(text.take(at), _DELETED, ignore_case=True))
    # a chat has few distinct senders: test and trim each name once, not once per message
    names = pc.dictionary_encode(sender).combine_chunks() if isinstance(
        sender, pa.ChunkedArray) else pc.dictionary_encode(sender)
    wordy = _bools(pc.match_substring_regex(names.dictionary, _SYSTEM_WORDS))[
        names.indices.to_numpy(zero_copy_only=False)]
    sender = pa.DictionaryArray.from_arrays(names.indices,
                                            pc.utf8_trim_whitespace(names.dictionary)).cast(
        pa.large_string())
    # Some Android exports write the encryption notice under the group's name ("<group>:
    # Messages and calls are end-to-end encrypted…"): the name is not a sender.
    notice = _bools(pc.or_(pc.starts_with(text, "Messages and calls "),
                           pc.starts_with(text, "Pesan dan panggilan "))) & has_colon
    candidate = np.flatnonzero(~has_colon | marked | wordy | notice)
    subject = np.array([
        (t.removeprefix(LRM).split("\n", 1)[0] if m or n else line)
        for t, m, n, line in zip(text.take(candidate).to_pylist(), marked[candidate],
                                 notice[candidate], first_lines.take(candidate).to_pylist(),
                                 strict=True)],
        dtype=object)
    found = _system_lines(pd.Series(subject, dtype=object), pd.Series(marked[candidate]))
    system_at = (found["event"].notna().to_numpy() | ~has_colon[candidate] |
                 (marked[candidate] & ~placeholder[candidate]))
    is_system = np.zeros(len(text), dtype=bool)
    is_system[candidate[system_at]] = True
    kind = np.select([is_system, placeholder & ~deleted, deleted], [0, 1, 2], default=3)
    mask = pa.array(is_system)
    sender = pc.if_else(mask, pa.scalar(None, pa.large_string()), sender)
    if marked.any():
        text = pc.utf8_ltrim(text, LRM)
    text = pc.replace_with_mask(text, mask, pa.array(subject[system_at], type=pa.large_string()))
    result = {"kind": kind.astype(np.int8), "sender": sender, "text": text}
    for column in ("event", "actor", "target"):
        values = np.full(len(kind), None, dtype=object)  # mostly empty: plain objects are cheap
        values[candidate[system_at]] = (found[column].fillna("other") if column == "event"
                                        else found[column]).to_numpy()[system_at]
        result[column] = values
    return result


def merge_exports(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Several exports of one chat (exported in parts) merged without double counting.

    A record seen in two files counts once; two identical records in one file both count.
    Returns (merged, dropped repeats).
    """
    merged = pd.concat(frames, ignore_index=True)
    key = ["timestamp", "kind", "sender", "text"]
    filled = merged[key].astype(str)
    occurrence = filled.assign(file=merged["file"]).groupby(key + ["file"], sort=False).cumcount()
    repeat = filled.assign(o=occurrence).duplicated()
    kept = merged.loc[~repeat].sort_values(["timestamp", "file", "line"], kind="stable")
    return kept.reset_index(drop=True), merged.loc[repeat]


def parse_exports(paths, date_order: str | None = None) -> pd.DataFrame:
    """Parse and merge several export files of one chat (none: no records)."""
    if not paths:
        return no_records()
    return merge_exports([parse_export(p, date_order) for p in paths])[0]


def membership_events(records: pd.DataFrame) -> pd.DataFrame:
    """Who joined and who left the group, when: one row per person and event."""
    system = records[records["kind"] == "system"]
    rows = []
    for event, who, as_event in (("joined", "actor", "joined"), ("left", "actor", "left"),
                                 ("added", "target", "joined"), ("removed", "target", "left")):
        part = system[system["event"] == event]
        people = part[who].fillna("").map(lambda s: [p.strip() for p in LIST_SPLIT.split(s) if p])
        exploded = part.assign(person=people).explode("person").dropna(subset=["person"])
        rows.append(exploded.assign(event=as_event)[["person", "timestamp", "event"]])
    return pd.concat(rows, ignore_index=True).sort_values(["timestamp", "person"]).reset_index(
        drop=True)


def sender_summary(records: pd.DataFrame) -> pd.DataFrame:
    """One row per sender (and per person who only joined or left), plus a '<system>' row."""
    posts = records[records["kind"] != "system"]
    grouped = posts.groupby("sender")
    summary = pd.DataFrame({
        "messages": grouped.size(),
        "media": grouped["kind"].agg(lambda k: int((k == "media").sum())),
        "first_message": grouped["timestamp"].min(),
        "last_message": grouped["timestamp"].max(),
    })
    membership = membership_events(records)
    for event in ("joined", "left"):
        times = membership[membership["event"] == event].groupby("person")["timestamp"]
        summary = summary.join((times.min() if event == "joined" else times.max()).rename(event),
                               how="outer")
    summary["messages"] = summary["messages"].fillna(0).astype(int)
    summary["media"] = summary["media"].fillna(0).astype(int)
    summary = summary.rename_axis("sender").reset_index().sort_values("sender", kind="stable")
    system = pd.DataFrame([{"sender": "<system>", "messages": int((records["kind"] == "system").sum()),
                            "media": 0}])
    table = pd.concat([summary, system], ignore_index=True)
    for column in ("first_message", "last_message", "joined", "left"):
        table[column] = pd.to_datetime(table[column]).dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
    return table[["sender", "messages", "media", "first_message", "last_message", "joined", "left"]]
