"""Parse WhatsApp group exports (Android and iOS, Indonesian and English) into typed records.

One pass of vectorised regular expressions over the lines: fast enough for million-message
exports. System lines (joins, leaves, adds, removals, the encryption notice) are events, never
messages, even when their text contains a colon.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
_TIME = r"\d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?:\s?[AaPp]\.?\s?[Mm]\.?)?"
HEADER = re.compile(
    rf"^(?:\[(?P<d1>{_DATE}),? (?P<t1>{_TIME})\] |(?P<d2>{_DATE}),? (?P<t2>{_TIME}) - )(?P<body>.*)$"
)

LRM = "\u200e"  # iOS puts it before system text and media placeholders
MEDIA = re.compile(
    r"^\u200e?(?:<Media tidak disertakan>|<Media omitted>|(?:gambar|video|audio|stiker|dokumen|GIF)"
    r" tidak disertakan|(?:image|video|audio|sticker|document|GIF) omitted|<attached: [^>]*>"
    r"|<terlampir: [^>]*>)$",
    re.IGNORECASE,
)
DELETED = re.compile(
    r"^\u200e?(?:Pesan ini telah dihapus|Pesan ini dihapus|Anda menghapus pesan ini"
    r"|This message was deleted|You deleted this message)\.?$",
    re.IGNORECASE,
)

# (event, pattern): the actor is the person the line is about, target whom they acted on.
SYSTEM_PATTERNS = [
    ("joined", r"(?P<actor>.+?) (?:bergabung menggunakan tautan undangan grup ini"
               r"|joined using this group's invite link|joined using a group link|bergabung)"),
    ("left", r"(?P<actor>.+?) (?:keluar|left)"),
    ("added", r"(?P<actor>.+?) (?:menambahkan|added) (?P<target>.+)"),
    ("removed", r"(?P<actor>.+?) (?:mengeluarkan|removed) (?P<target>.+)"),
    ("created", r"(?P<actor>.+?) (?:membuat grup|created group) .*"),
    ("number_changed", r"(?P<actor>.+?) (?:telah mengganti nomor telepon|mengubah nomor"
                       r"|changed their phone number|changed to) .*"),
    ("encryption", r"(?:Pesan dan panggilan|Messages and calls) .*end-to-end.*"),
    ("group_changed", r"(?P<actor>.+?) (?:mengubah|changed) (?:subjek|deskripsi|ikon|foto|setelan"
                      r"|the subject|the group|this group's|the description).*"),
]
# One alternation, each branch's groups renamed (actor_left, target_added, ...) so that a single
# vectorised pass finds the event and its people.
SYSTEM = re.compile("|".join(
    "(?P<{}>^{}$)".format(name, pattern.replace("?P<actor>", f"?P<actor_{name}>")
                            .replace("?P<target>", f"?P<target_{name}>"))
    for name, pattern in SYSTEM_PATTERNS))
LIST_SPLIT = re.compile(r", | dan | and ")


def _read_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(path, "is a binary file, not a WhatsApp chat export (.txt)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, "is not UTF-8 text as WhatsApp exports are", line=line) from None
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    # a mark at the start of a line hides the date from the header pattern; inside, it tells
    return [line.lstrip(LRM) for line in text.split("\n")]


def _infer_date_order(parts: pd.DataFrame, path: Path, date_order: str | None) -> str:
    """day_first or month_first, from the whole file: one date with a first part over 12 decides."""
    if date_order:
        return date_order
    first = parts[0].astype(int)
    second = parts[1].astype(int)
    day_first_seen = bool((first > 12).any())
    month_first_seen = bool((second > 12).any())
    if day_first_seen and month_first_seen:
        raise InputError(path, "mixes day-first and month-first dates; set whatsapp.date_order "
                               "in cohort.yml")
    return "month_first" if month_first_seen else "day_first"


def _timestamps(dates: pd.Series, times: pd.Series, path: Path, date_order: str | None):
    parts = dates.str.split(r"[./-]", regex=True, expand=True)
    year_first = parts[0].str.len() == 4
    ymd = parts[year_first]
    rest = parts[~year_first]
    order = _infer_date_order(rest, path, date_order) if len(rest) else "day_first"
    day = pd.concat([ymd[2], rest[0] if order == "day_first" else rest[1]]).sort_index()
    month = pd.concat([ymd[1], rest[1] if order == "day_first" else rest[0]]).sort_index()
    year = pd.concat([ymd[0], rest[2]]).sort_index().astype(int)
    year = year.where(year >= 100, year + 2000)
    clock = times.str.extract(r"^(\d{1,2})[.:](\d{2})(?:[.:](\d{2}))?\s?([AaPp])?")
    hour = clock[0].astype(int)
    pm = clock[3].str.lower().eq("p").fillna(False).astype(bool)
    am = clock[3].str.lower().eq("a").fillna(False).astype(bool)
    hour = hour.where(~(am & (hour == 12)), 0)
    hour = hour.where(~(pm & (hour < 12)), hour + 12)
    frame = pd.DataFrame({"year": year, "month": month.astype(int), "day": day.astype(int),
                          "hour": hour, "minute": clock[1].astype(int),
                          "second": clock[2].fillna("0").astype(int)})
    stamps = pd.to_datetime(frame, errors="coerce")
    bad = stamps.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"'{dates.iloc[row]} {times.iloc[row]}' is not a valid date and time"
                               f" (read as {order.replace('_', '-')})", line=int(dates.index[row]) + 1)
    return stamps


def parse_export(path: str | Path, date_order: str | None = None) -> pd.DataFrame:
    """One export file -> one row per message or system event, with its first line number."""
    path = Path(path)
    lines = pd.Series(_read_lines(path))
    head = lines.str.extract(HEADER)
    is_header = head["body"].notna()
    if not is_header.any():
        first = next((i for i, t in enumerate(lines) if t.strip()), None)
        if first is None:
            raise InputError(path, "is empty: expected a WhatsApp chat export")
        raise InputError(path, f"is not a WhatsApp chat export in a known format: "
                               f"'{lines[first][:60]}'", line=first + 1)
    first_header = int(is_header.to_numpy().nonzero()[0][0])
    stray = lines.iloc[:first_header].str.strip().ne("")
    if stray.any():
        row = int(stray.to_numpy().nonzero()[0][0])
        raise InputError(path, f"line does not start with a date and time: '{lines[row][:60]}'",
                         line=row + 1)
    record = is_header.cumsum() - 1
    body = head["body"].where(is_header)
    continuation = ~is_header & (lines.index > first_header)
    records = head[is_header].copy()
    records["line"] = records.index + 1
    records["body"] = body[is_header]
    if continuation.any():
        extra = lines[continuation].groupby(record[continuation]).agg("\n".join)
        idx = records.index[extra.index]
        # blank lines inside a message are kept; those before the next message are not
        records.loc[idx, "body"] = (records.loc[idx, "body"] + "\n" + extra.to_numpy()).str.rstrip()
    records = records.reset_index(drop=True)
    dates = records["d1"].fillna(records["d2"])
    times = records["t1"].fillna(records["t2"])
    timestamps = _timestamps(dates.set_axis(records["line"] - 1),
                             times.set_axis(records["line"] - 1), path, date_order)
    return _classify(records["body"], timestamps.to_numpy(), records["line"], path.name)


def _coalesce(frame: pd.DataFrame, prefix: str) -> pd.Series:
    columns = [c for c in frame.columns if c.startswith(prefix)]
    if not columns:
        return pd.Series(pd.NA, index=frame.index, dtype="object")
    return frame[columns].bfill(axis=1).iloc[:, 0]


def _classify(body: pd.Series, timestamps, line: pd.Series, file: str) -> pd.DataFrame:
    split = body.str.split(": ", n=1, expand=True).reindex(columns=[0, 1])
    # iOS writes a system line as "<group name>: \u200e<text>"; Android as plain "<text>".
    marked = split[1].fillna("").str.startswith(LRM)
    subject = body.where(~marked, split[1].str.lstrip(LRM)).str.split("\n", n=1).str[0]
    found = subject.str.extract(SYSTEM)
    event_names = [name for name, _ in SYSTEM_PATTERNS]
    matched = found[event_names].notna()
    event = matched.idxmax(axis=1).where(matched.any(axis=1))
    actor = _coalesce(found, "actor_").str.strip()
    target = _coalesce(found, "target_").str.strip()
    text = split[1].str.lstrip(LRM)
    media = text.fillna("").str.match(MEDIA)
    deleted = text.fillna("").str.match(DELETED)
    # A known system line whose "actor" holds "Name: " is a message quoting such words; a line
    # with no "Name: " at all, or marked and neither media nor deleted, is a system line
    # phrased in a way we do not list.
    is_system = (event.notna() & (marked | ~actor.fillna("").str.contains(": ", regex=False))) \
        | ~body.str.contains(": ", regex=False) | (marked & ~media & ~deleted)
    kind = np.select([is_system, media, deleted], ["system", "media", "deleted"], default="text")
    return pd.DataFrame({
        "file": file,
        "line": line.to_numpy(),
        "timestamp": timestamps,
        "kind": kind,
        "sender": split[0].where(~is_system).str.strip(),
        "text": text.where(~is_system, subject.where(marked, body)),
        "event": event.where(is_system).fillna("other").where(is_system),
        "actor": actor.where(is_system),
        "target": target.where(is_system),
    })


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
    """Parse and merge several export files of one chat."""
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
