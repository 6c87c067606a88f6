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

from analysis.ingest import chat_lines

CHAT_PEOPLE = "chat_people.csv"  # in data/interim/<cohort>/: senders and members, for the leak check
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


# The patterns for Arrow's RE2, which reads \b as ASCII-only: after the words it follows (all
# ending in a letter), Python's Unicode \b is "end of line or a character not in \w".
_RE2 = {name: "^{}$".format(pattern.replace(r"\b.*", r"(?:[^\pL\pN_].*)?"))
        for name, pattern in SYSTEM_PATTERNS}
_RE2_PLAIN = {name: re.sub(r"\?P<\w+>", "?:", pattern) for name, pattern in _RE2.items()}
_RE2_ANY = "|".join(f"(?:{pattern})" for pattern in _RE2_PLAIN.values())
# How every placeholder above begins (lower case, after the mark): most messages begin otherwise
_PLACEHOLDER_HEADS = [b"<med", b"<att", b"<ter", b"gamb", b"vide", b"audi", b"stik", b"doku",
                      b"gif ", b"imag", b"stic", b"docu", b"pesa", b"anda", b"this", b"you "]


def _spans(data: bytes, starts: np.ndarray, ends: np.ndarray) -> pa.LargeStringArray:
    """Byte ranges of data as the even elements of one Arrow string array, without a copy.

    The ranges are in order and do not overlap, so one offsets array that alternates (start,
    end, next start, ...) makes every even element a wanted string and every odd one a gap;
    Arrow's kernels run over both at C++ speed and the odd results are dropped.
    """
    offsets = np.empty(2 * len(starts) + 1, dtype=np.int64)
    offsets[0:-1:2] = starts
    offsets[1::2] = ends
    offsets[-1] = ends[-1] if len(ends) else 0
    return pa.LargeStringArray.from_buffers(2 * len(starts), pa.py_buffer(offsets),
                                            pa.py_buffer(data))


def _gather(data: bytes, starts: np.ndarray, ends: np.ndarray) -> pa.LargeStringArray:
    """Byte ranges of data copied (in C++) into one Arrow string array."""
    return pc.take(_spans(data, starts, ends), pa.array(np.arange(0, 2 * len(starts), 2)))


def _even(array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)[::2]


def _bools(array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False).astype(bool)


def _starts_with(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, prefix: bytes):
    """Whether each range buf[start:end] begins with prefix, byte by byte on the survivors."""
    hit = np.zeros(len(starts), dtype=bool)
    rows = np.flatnonzero((ends - starts) >= len(prefix))
    for k, byte in enumerate(prefix):
        rows = rows[buf[starts[rows] + k] == byte]
    hit[rows] = True
    return hit


_LRM = LRM.encode()
_HEAD_WORDS = np.frombuffer(b"".join(_PLACEHOLDER_HEADS), dtype=np.uint32)
PARALLEL_BYTES = 4_000_000  # exports are parsed in runs of about this size, two at a time


def parse_export(path: str | Path, date_order: str | None = None) -> pd.DataFrame:
    """One export file -> one row per message or system event, with its first line number.

    While parsing, Arrow allocates from jemalloc, which hands the runs' freed buffers back;
    Arrow's default here (mimalloc) keeps them (a 64-82 MB export peaked 50 MB higher). Only
    here: for the whole cleaning step jemalloc was slower, and the C library's malloc peaked
    higher (the 100,000-participant cleaning: 4.1 GB against mimalloc's 3.6 GB)."""
    default = pa.default_memory_pool()
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc: the default, a little more memory
        pass
    try:
        return _parse_export(Path(path) if isinstance(path, str) else path, date_order)
    finally:
        pa.set_memory_pool(default)


def _parse_export(path, date_order: str | None) -> pd.DataFrame:
    raw = [chat_lines.read_bytes(path)]  # a list, so that the file is let go once parsed
    # Runs of a few MB: each run's arrays are small enough for the allocator to reuse freed
    # memory rather than fault in fresh pages, and no copy of the whole file is made; numpy and
    # Arrow release the GIL, so two threads use both cores.
    bounds = chat_lines.chunks(raw[0], max(1, len(raw[0]) // PARALLEL_BYTES))

    def run(lo, hi, *_):
        data, start, stop = chat_lines.normalise(raw[0], lo, hi, hi == len(raw[0]))
        records = chat_lines.split_records(data, start, stop)
        columns = _columns(records) if len(records.line) else None
        # keep what the timestamps need, in small integers: the run's bytes and positions go
        records.data = records.body_start = records.body_end = records.text_end = None
        small = {"a": np.int16, "b": np.int16, "c": np.int16, "H": np.int8, "M": np.int8,
                 "S": np.int8}
        records.fields = {k: v.astype(small[k]) if k in small else v
                          for k, v in records.fields.items()}
        return records, columns

    with ThreadPoolExecutor(min(2, len(bounds))) as pool:
        parts = list(pool.map(lambda b: run(*b), bounds))
        # Lines before a run's first header continue the run before (a cut inside a message,
        # or a first run with no header): parse the two as one. Rare: cuts fall before headers.
        k = 0
        while k < len(parts) - 1:
            if parts[k + 1][0].leading or not len(parts[k][0].line):
                bounds[k] = (bounds[k][0], bounds[k + 1][1])
                del bounds[k + 1], parts[k + 1]
                parts[k] = run(*bounds[k])
            else:
                k += 1
        raw.clear()
        chat_lines.check_start(path, parts[0][0])
        first_line = np.cumsum([0] + [r.lines for r, _ in parts])
        parts = [(r, c, first) for (r, c), first in zip(parts, first_line, strict=False)
                 if len(r.line)]
        order = date_order or chat_lines.date_order(path, [r.fields for r, _, _ in parts])
        stamps = list(pool.map(lambda p: chat_lines.timestamps(
            path, p[0].line + p[2], p[0].fields, order), parts))
    columns = [c for _, c, _ in parts]
    line = np.concatenate([r.line + first for r, _, first in parts])
    n = len(line)
    extra = {}
    offsets = np.cumsum([0] + [len(r.line) for r, _, _ in parts])
    for column in ("event", "actor", "target"):  # mostly empty: plain objects are cheap
        values = np.full(n, None, dtype=object)
        for start, part in zip(offsets, columns, strict=False):
            values[start + part["system_rows"]] = part[column]
        extra[column] = values
    name = pa.array([path.name] * min(n, 65536), pa.large_string())
    return pd.DataFrame({
        "file": _repeated(name, n),
        "line": line,
        "timestamp": np.concatenate(stamps),
        "kind": pd.Categorical.from_codes(np.concatenate([c["kind"] for c in columns]),
                                          categories=KINDS),
        "sender": pa.chunked_array([c["sender"] for c in columns],
                                   pa.large_string()).to_pandas(),
        "text": pa.chunked_array([c["text"] for c in columns], pa.large_string()).to_pandas(),
        **{c: pd.Series(extra[c], dtype=object) for c in ("event", "actor", "target")},
    }, copy=False)


def _repeated(block: pa.Array, n: int) -> pd.Series:
    """n copies of one value as a str column whose chunks share one block of memory."""
    whole, rest = divmod(n, max(len(block), 1))
    chunks = [block] * whole + ([block.slice(0, rest)] if rest else [])
    return pa.chunked_array(chunks or [block.slice(0, 0)], pa.large_string()).to_pandas()


def no_records() -> pd.DataFrame:
    """What parse_export gives for a cohort without a chat export: the columns, no rows."""
    return pd.DataFrame({
        "file": pd.Series(dtype=object), "line": pd.Series(dtype=int),
        "timestamp": pd.Series(dtype="datetime64[ns]"),
        "kind": pd.Categorical([], categories=KINDS), "sender": pd.Series(dtype=object),
        "text": pd.Series(dtype=object),
        **{c: pd.Series(dtype=object) for c in ("event", "actor", "target")}})


def _columns(records) -> dict:
    """Sender, text and kind of one run's records; event, actor, target of its system lines."""
    data = records.data
    buf = np.frombuffer(data, dtype=np.uint8)
    body_start, body_end, text_end = records.body_start, records.body_end, records.text_end
    n = len(body_start)
    # the sender ends at the first ": " of the record's first line
    at_colon = _even(pc.find_substring(_spans(data, body_start, body_end), ": "))
    has_colon = at_colon >= 0
    colon = body_start + at_colon  # byte offsets: Arrow counts UTF-8 code units
    sender_end = np.where(has_colon, colon, body_start)
    text_start = np.where(has_colon, colon + 2, body_start)
    marked = _starts_with(buf, text_start, text_end, _LRM)
    # placeholders are short and begin with one of a few words: cheap tests first, the
    # patterns on what is left (a non-ASCII start goes to the patterns: they ignore case)
    head_at = text_start + 3 * marked
    head = np.zeros((n, 4), dtype=np.uint8)
    for k in range(4):
        head[:, k] = buf[np.minimum(head_at + k, len(buf) - 1)]
    lower = head | np.where((head >= 65) & (head <= 90), 32, 0).astype(np.uint8)
    word = np.ascontiguousarray(lower).view(np.uint32)[:, 0]
    short = np.flatnonzero(((text_end - text_start) <= 60) & ((text_end - head_at) >= 4) &
                           (np.isin(word, _HEAD_WORDS) | (head >= 128).any(axis=1)))
    shortlist = _gather(data, text_start[short], text_end[short])
    placeholder = np.zeros(n, dtype=bool)
    deleted = np.zeros(n, dtype=bool)
    placeholder[short] = _bools(pc.match_substring_regex(shortlist, f"{_MEDIA}|{_DELETED}",
                                                         ignore_case=True))
    at = np.flatnonzero(placeholder)
    deleted[at] = _bools(pc.match_substring_regex(
        shortlist.take(np.flatnonzero(placeholder[short])), _DELETED, ignore_case=True))
    # a chat has few distinct senders: test and trim each name once, not once per message
    sender = _gather(data, body_start, sender_end)
    names = pc.dictionary_encode(sender)
    wordy = _bools(pc.match_substring_regex(names.dictionary, _SYSTEM_WORDS))[
        names.indices.to_numpy(zero_copy_only=False)]
    trimmed = pc.utf8_trim_whitespace(names.dictionary)
    if not trimmed.equals(names.dictionary):
        sender = pa.DictionaryArray.from_arrays(names.indices, trimmed).cast(pa.large_string())
    # Some Android exports write the encryption notice under the group's name ("<group>:
    # Messages and calls are end-to-end encrypted…"): the name is not a sender.
    notice = has_colon & (_starts_with(buf, text_start, text_end, b"Messages and calls ") |
                          _starts_with(buf, text_start, text_end, b"Pesan dan panggilan "))
    candidate = np.flatnonzero(~has_colon | marked | wordy | notice)
    # what a system line says: its first line, after the group's name and mark on iOS
    own = marked[candidate] | notice[candidate]
    subject_start = np.where(own, text_start[candidate] + 3 * marked[candidate],
                             body_start[candidate])
    subject_end = body_end[candidate]
    event, actor, target = _system_lines(_gather(data, subject_start, subject_end))
    # A known system line whose "actor" holds "Name: " is a message quoting such words.
    quoted = np.array([isinstance(a, str) and ": " in a for a in actor], dtype=bool)
    quoted &= ~marked[candidate]
    named = np.array([isinstance(e, str) for e in event], dtype=bool) & ~quoted
    system_at = (named | ~has_colon[candidate] |
                 (marked[candidate] & ~placeholder[candidate]))
    system_rows = candidate[system_at]
    is_system = np.zeros(n, dtype=bool)
    is_system[system_rows] = True
    kind = np.select([is_system, placeholder & ~deleted, deleted], [0, 1, 2], default=3)
    # senders of system lines are missing: the same strings under a validity bitmap
    keep = pa.array(~is_system)
    if sender.offset == 0 and keep.offset == 0:
        sender = pa.LargeStringArray.from_buffers(n, sender.buffers()[1], sender.buffers()[2],
                                                  keep.buffers()[1])
    else:
        sender = pc.if_else(keep, sender, pa.scalar(None, pa.large_string()))
    # a message's text without its marks; a system line's text is what it says
    start, end = text_start.copy(), text_end
    lrm = marked.copy()
    while lrm.any():
        start[lrm] += 3
        lrm &= _starts_with(buf, start, end, _LRM)
    start[system_rows] = subject_start[system_at]
    end = end.copy()
    end[system_rows] = subject_end[system_at]
    pick = np.flatnonzero(system_at)
    return {
        "kind": kind.astype(np.int8),
        "sender": sender,
        "text": _gather(data, start, end),
        "system_rows": system_rows,
        "event": np.where([isinstance(e, str) for e in event[pick]], event[pick], "other")
        .astype(object) if len(pick) else np.empty(0, dtype=object),
        "actor": actor[pick],
        "target": target[pick],
    }


def _system_lines(subjects: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """event, actor, target of each candidate line (NaN where none): the first pattern that
    matches names the event. One plain match (a DFA) finds the few lines any pattern fits;
    capture groups, which are slow in RE2, run only on the lines of their own pattern."""
    n = len(subjects)
    event, actor, target = (np.full(n, np.nan, dtype=object) for _ in range(3))
    rows = np.flatnonzero(_bools(pc.match_substring_regex(subjects, _RE2_ANY)))
    for name in _RE2:
        if not len(rows):
            break
        lines = subjects.take(rows)
        hit = _bools(pc.match_substring_regex(lines, _RE2_PLAIN[name]))
        mine = rows[hit]
        event[mine] = name
        if "?P<" in _RE2[name]:
            found = pc.extract_regex(lines.filter(hit), _RE2[name])
            for column, out in (("actor", actor), ("target", target)):
                if column in {f.name for f in found.type}:
                    out[mine] = [v.strip() for v in found.field(column).to_pylist()]
        rows = rows[~hit]
    return event, actor, target


def merge_exports(frames: list[pd.DataFrame], identity: dict[str, str] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Several exports of one chat (in parts, or from several phones) merged without counting
    a message twice.

    Two phones write one message differently: with seconds or without, and under the name each
    phone saved for the sender (a contact name on one, the phone number on the other). So a
    record is matched on its minute, its kind, who it is from (`identity`: raw sender or actor
    -> the person it was linked to; unlinked names stand for themselves) and, for a text, its
    words (spacing and an "edited" mark aside); system lines on their event and the people in
    it. A record seen in two files counts once; two identical records in one file both count.
    Returns (merged, repeats: the records already in another export)."""
    merged = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) == 1:  # within one file nothing is a repeat
        repeat = np.zeros(len(merged), dtype=bool)
    else:  # each field as codes (missing is one code): no string copy of millions of records
        key = _merge_key(merged, identity or {})
        occurrence = key.assign(file=merged["file"].to_numpy()).groupby(
            [*key.columns, "file"], sort=False).cumcount()
        repeat = key.assign(o=occurrence.to_numpy()).duplicated().to_numpy()
    kept = merged.loc[~repeat].sort_values(["timestamp", "file", "line"], kind="stable")
    return kept.reset_index(drop=True), merged.loc[repeat]


_EDITED = r"\s*<(?:Pesan ini diedit|This message was edited)>$"


def _merge_key(records: pd.DataFrame, identity: dict[str, str]) -> pd.DataFrame:
    """What two exports of one record share, as integer codes per column."""
    system = (records["kind"] == "system").to_numpy()
    sender_codes, senders = pd.factorize(records["sender"])
    who = np.asarray([identity.get(s, s) for s in senders], dtype=object)
    who_codes, _ = pd.factorize(pd.Series(np.where(sender_codes >= 0, who.take(
        np.maximum(sender_codes, 0)), None), dtype=object))
    text = records["text"].where(records["kind"].eq("text").to_numpy(), "")
    words = text.str.replace(LRM, "", regex=False).str.replace(_EDITED, "", regex=True) \
        .str.replace(r"\s+", " ", regex=True).str.strip()
    if system.any():  # few: the event and its people, resolved one line at a time
        rows = np.flatnonzero(system)
        people = [_system_key(e, a, t, identity) for e, a, t in zip(
            records["event"].to_numpy()[rows], records["actor"].to_numpy()[rows],
            records["target"].to_numpy()[rows], strict=True)]
        words = words.astype(object)
        words.iloc[rows] = people
    return pd.DataFrame({
        "minute": pd.factorize(records["timestamp"].dt.floor("min"))[0],
        "kind": records["kind"].cat.codes.to_numpy(),
        "who": who_codes,
        "words": pd.factorize(words)[0],
    })


def _system_key(event, actor, target, identity: dict[str, str]) -> str:
    def resolved(names) -> str:
        if not isinstance(names, str):
            return ""
        return ",".join(sorted(identity.get(n.strip(), n.strip())
                               for n in LIST_SPLIT.split(names) if n.strip()))
    return f"{event}|{resolved(actor)}|{resolved(target)}"


def parse_exports(paths, date_order: str | None = None) -> pd.DataFrame:
    """Parse and merge several export files of one chat (none: no records)."""
    if not paths:
        return no_records()
    return merge_exports([parse_export(p, date_order) for p in paths])[0]


def chat_people(records: pd.DataFrame, membership: pd.DataFrame | None = None) -> pd.Series:
    """Everyone the chat names: each sender once, and everyone who joined or left (linkage
    and the leak check both need them; `membership`: `membership_events(records)` if made)."""
    membership = membership_events(records) if membership is None else membership
    return pd.concat([pd.Series(records["sender"].dropna().unique()), membership["person"]],
                     ignore_index=True)


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
