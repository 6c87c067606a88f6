"""Split a WhatsApp export into records at the byte level, fast enough for millions of messages.

A line starts a record when it begins with a date and time: "dd/mm/yy HH.MM - " (Android) or
"[dd/mm/yy HH.MM.SS] " (iOS), in any of the spellings phones use. Rather than running a regular
expression on every line, each candidate header is reduced to its *shape* (digits replaced by 9:
"99/99/99 99.99"); a file has a handful of shapes, each is checked once against the header
pattern, and the date and time digits are then read for all lines of that shape at once with
numpy. The rest of a record (sender, text) is located with vectorised searches for " - ", "] "
and ": ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError

LRM = "\u200e"
WINDOW = 32  # bytes read from each line: the longest header, "[12/31/2023, 11:59:59 PM] ", fits
SHAPE = re.compile(
    r"^\[?(?P<a>9{1,4})[./-](?P<b>9{1,2})[./-](?P<c>9{2,4}),? (?P<H>9{1,2})[.:](?P<M>99)"
    r"(?:[.:](?P<S>99))?(?: ?(?P<ampm>[AaPp])\.? ?[Mm]\.?)?$")


@dataclass
class Records:
    """Byte positions and header fields of the records in one export."""

    line: np.ndarray  # 1-based line number where each record starts
    body_start: np.ndarray  # byte offset of the text after the header
    body_end: np.ndarray  # byte offset of the end of the record's first line
    text_end: np.ndarray  # byte offset of the end of its last non-blank line
    fields: dict  # a, b, c (date parts as written), H, M, S, pm (bool), year_first (bool)
    leading_end: int = -1  # end of lines before the first header (a chunk after the first)


def _replace(data: bytes, old: bytes, new: bytes) -> bytes:
    return data.replace(old, new) if old in data else data  # `in` is a fast search


def read_bytes(path) -> bytes:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(path, "is a binary file, not a WhatsApp chat export (.txt)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, "is not UTF-8 text as WhatsApp exports are", line=line) from None
    # single-byte probes are memchr-fast; the replacements run only when needed
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if b"\xe2" in data or b"\xc2" in data:  # lead bytes of U+202F, U+200E, U+00A0
        for old, new in (("\u202f".encode(), b" "), ("\u00a0".encode(), b" "),
                         # a mark at the start of a line hides the date; inside, it tells
                         (b"\n" + LRM.encode(), b"\n")):
            data = _replace(data, old, new)
    data = data.removeprefix(LRM.encode())
    return data if data.endswith(b"\n") else data + b"\n"


def _windows(buf: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The first WINDOW bytes from each start (running into the next line: callers check)."""
    window = np.zeros((len(starts), WINDOW), dtype=np.uint8)
    whole = starts <= len(buf) - WINDOW
    if len(buf) >= WINDOW:
        window[whole] = np.lib.stride_tricks.sliding_window_view(buf, WINDOW)[starts[whole]]
    for row in np.flatnonzero(~whole):  # the last line or two of the chunk
        tail = buf[starts[row]:]
        window[row, : len(tail)] = tail
    return window


def _find(window: np.ndarray, pattern: bytes) -> np.ndarray:
    """Column of the first occurrence of pattern in each window row, or -1."""
    width = WINDOW - len(pattern) + 1
    hit = window[:, :width] == pattern[0]
    for i, byte in enumerate(pattern[1:], start=1):
        hit &= window[:, i:i + width] == byte
    first = hit.argmax(axis=1)
    return np.where(hit[np.arange(len(first)), first], first, -1)


_SHAPE_OF = np.arange(256, dtype=np.uint8)
_SHAPE_OF[48:58] = 57  # every digit reads as '9'


def _shape_keys(window: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Each header's bytes with digits as '9', hashed to one integer per row."""
    width = min(WINDOW, -(-int(length.max(initial=1)) // 8) * 8)  # whole 8-byte words
    inside = np.arange(width) < length[:, None]
    shape = _SHAPE_OF[window[:, :width]] * inside
    words = np.ascontiguousarray(shape).view(np.uint64)
    key = np.zeros(len(shape), dtype=np.uint64)
    for j in range(words.shape[1]):
        key = (key * np.uint64(0x9E3779B97F4A7C15)) ^ words[:, j]
    return key


def _digits(window, rows, span) -> np.ndarray:
    value = np.zeros(len(rows), dtype=np.int64)
    every = len(rows) == len(window)  # one shape for the whole chunk: plain column slices
    for k in range(*span):
        column = window[:, k] if every else window[rows, k]
        value = value * 10 + (column.astype(np.int64) - 48)
    return value


def split_records(path, data: bytes, lo: int = 0, hi: int | None = None,
                  first_line: int = 1) -> Records:
    """The records of data[lo:hi], a run of whole lines; positions are absolute.

    Lines before the first header are an error at the start of the file; in a later chunk they
    continue the previous chunk's last record (Records.leading_end says how far).
    """
    hi = len(data) if hi is None else hi
    buf = np.frombuffer(data, dtype=np.uint8, count=hi - lo, offset=lo)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines[:-1] + 1))
    ends = newlines
    first_byte = buf[np.minimum(starts, len(buf) - 1)]
    # a header starts with a digit ("08/08/23 …") or "[" (iOS); only those lines are examined
    candidate = np.flatnonzero(((first_byte >= 48) & (first_byte <= 57)) | (first_byte == 91))
    window = _windows(buf, starts[candidate])
    ios = window[:, 0] == 91
    if not ios.any():  # one platform per file, usually: no masked copies of the windows
        end_col = _find(window, b" - ")
    elif ios.all():
        end_col = _find(window, b"] ")
    else:
        end_col = np.where(ios, _find(window, b"] "), _find(window, b" - "))
    has_end = (end_col > 0) & (end_col < (ends - starts)[candidate])
    if not has_end.all():
        candidate, window, ios, end_col = (candidate[has_end], window[has_end], ios[has_end],
                                           end_col[has_end])
    # the shape includes iOS's "[": SHAPE allows it, and the digit columns stay in place
    key = _shape_keys(window, end_col)
    fields = {name: np.zeros(len(candidate), dtype=np.int64) for name in "abcHMS"}
    pm = np.zeros(len(candidate), dtype=np.int8)  # -1 am, 1 pm, 0 24-hour clock
    year_first = np.zeros(len(candidate), dtype=bool)
    valid = np.zeros(len(candidate), dtype=bool)
    if len(key) and (key == key[0]).all():  # the usual case: one shape for every line
        first, inverse = np.array([0]), np.zeros(len(key), dtype=np.int64)
    else:
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    for shape_index, row in enumerate(first):
        text = bytes(_SHAPE_OF[window[row, : end_col[row]]]).decode("utf-8", "replace")
        match = SHAPE.match(text)
        if not match:
            continue
        rows = np.flatnonzero(inverse == shape_index)
        valid[rows] = True
        for name in "abcHMS":
            if match.group(name):
                fields[name][rows] = _digits(window, rows, match.span(name))
        if match.group("ampm"):
            pm[rows] = 1 if match.group("ampm").lower() == "p" else -1
        year_first[rows] = len(match.group("a").lstrip("[")) == 4
    header_lines = candidate[valid]
    nonblank = ends > starts
    leading = np.flatnonzero(nonblank[: header_lines[0] if len(header_lines) else len(starts)])
    if first_line == 1 and len(header_lines) == 0:
        if not nonblank.any():
            raise InputError(path, "is empty: expected a WhatsApp chat export")
        i = int(np.argmax(nonblank))
        raise InputError(path, "is not a WhatsApp chat export in a known format: "
                               f"'{_text(data, lo + starts[i], lo + ends[i])[:60]}'",
                         line=i + 1)
    if first_line == 1 and len(leading):
        i = leading[0]
        raise InputError(path, "line does not start with a date and time: "
                               f"'{_text(data, lo + starts[i], lo + ends[i])[:60]}'", line=i + 1)
    is_header = np.zeros(len(starts), dtype=bool)
    is_header[header_lines] = True
    # Lines without a header continue the record above; a record's text runs to its last
    # non-blank line, newlines included, which is just the bytes in between.
    record_of_line = np.cumsum(is_header) - 1
    text_end = ends[header_lines].copy()
    extra = np.flatnonzero(~is_header & (record_of_line >= 0) & nonblank)
    np.maximum.at(text_end, record_of_line[extra], ends[extra])
    skip = np.where(ios[valid], 2, 3)  # "] " or " - "
    return Records(
        line=header_lines + first_line,
        body_start=lo + starts[header_lines] + end_col[valid] + skip,
        body_end=lo + ends[header_lines],
        text_end=lo + text_end,
        fields={k: v if valid.all() else v[valid]
                for k, v in {**fields, "pm": pm, "year_first": year_first}.items()},
        leading_end=lo + int(ends[leading[-1]]) if len(leading) else -1,
    )


def chunks(data: bytes, parts: int) -> list[tuple[int, int, int]]:
    """(lo, hi, first line number) of `parts` runs of whole lines, cut before likely headers."""
    bounds, lo, line = [], 0, 1
    pattern = re.compile(rb"\n[\d\[]")
    for k in range(1, parts):
        cut = pattern.search(data, max(lo, len(data) * k // parts))
        if not cut:
            break
        hi = cut.start() + 1
        bounds.append((lo, hi, line))
        line += data.count(b"\n", lo, hi)
        lo = hi
    bounds.append((lo, len(data), line))
    return bounds


def join(parts: list[Records]) -> Records:
    """One file's records from its chunks, in order."""
    for before, after in zip(parts, parts[1:], strict=False):
        if after.leading_end >= 0 and len(before.text_end):
            before.text_end[-1] = max(before.text_end[-1], after.leading_end)
    parts = [p for p in parts if len(p.line)]
    return Records(
        line=np.concatenate([p.line for p in parts]),
        body_start=np.concatenate([p.body_start for p in parts]),
        body_end=np.concatenate([p.body_end for p in parts]),
        text_end=np.concatenate([p.text_end for p in parts]),
        fields={k: np.concatenate([p.fields[k] for p in parts]) for k in parts[0].fields},
    )


def _text(data: bytes, start, end) -> str:
    return data[int(start):int(end)].decode("utf-8", "replace")


def timestamps(path, records: Records, date_order: str | None) -> np.ndarray:
    f = records.fields
    a, b, c = f["a"], f["b"], f["c"]
    rest = ~f["year_first"]
    if date_order is None:
        day_first_seen = bool((a[rest] > 12).any())
        month_first_seen = bool((b[rest] > 12).any())
        if day_first_seen and month_first_seen:
            raise InputError(path, "mixes day-first and month-first dates; set "
                                   "whatsapp.date_order in cohort.yml")
        date_order = "month_first" if month_first_seen else "day_first"
    day_first = date_order == "day_first"
    year = np.where(f["year_first"], a, c)
    year = np.where(year < 100, year + 2000, year)
    month = np.where(f["year_first"], b, np.where(day_first, b, a))
    day = np.where(f["year_first"], c, np.where(day_first, a, b))
    hour = f["H"].copy()
    hour = np.where((f["pm"] == -1) & (hour == 12), 0, hour)
    hour = np.where((f["pm"] == 1) & (hour < 12), hour + 12, hour)
    dates = year * 10000 + month * 100 + day
    inverse, unique = pd.factorize(dates)  # hashing: quicker than sorting a million dates
    parsed = pd.to_datetime(pd.Series(unique.astype(str)), format="%Y%m%d", errors="coerce")
    bad_clock = (hour > 23) | (f["M"] > 59) | (f["S"] > 59)
    bad = np.isnat(parsed.to_numpy())[inverse] | bad_clock
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(path, f"date {a[i]}/{b[i]}/{c[i]} {f['H'][i]}:{f['M'][i]:02d} is not a "
                               f"valid date and time (read as {date_order.replace('_', '-')})",
                         line=int(records.line[i]))
    days = parsed.to_numpy().astype("datetime64[s]")[inverse]
    seconds = hour * 3600 + f["M"] * 60 + f["S"]
    return days + seconds.astype("timedelta64[s]")
