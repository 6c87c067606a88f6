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
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import InputError

LRM = "\u200e"
WINDOW = 32  # bytes read from each line: the longest header, "[12/31/2023, 11:59:59 PM] ", fits
SHAPE = re.compile(
    r"^\[?(?P<a>9{1,4})[./-](?P<b>9{1,2})[./-](?P<c>9{2,4}),? (?P<H>9{1,2})[.:](?P<M>99)"
    r"(?:[.:](?P<S>99))?(?: ?(?P<ampm>[AaPp])\.? ?[Mm]\.?)?$")


@dataclass
class Records:
    """Byte positions (in `data`) and header fields of the records in one run of lines."""

    data: bytes  # the run's bytes, normalised (see normalise): positions refer to these
    line: np.ndarray  # 1-based line number where each record starts
    body_start: np.ndarray  # byte offset of the text after the header
    body_end: np.ndarray  # byte offset of the end of the record's first line
    text_end: np.ndarray  # byte offset of the end of its last non-blank line
    fields: dict  # a, b, c (date parts as written), H, M, S, pm (bool), year_first (bool)
    lines: int = 0  # lines in the run
    leading: tuple | None = None  # (line, text) of the first non-blank line before any header


def read_bytes(path) -> bytes:
    """The raw export, checked: not binary, UTF-8 (checked by Arrow: no decoded copy)."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(path, "is a binary file, not a WhatsApp chat export (.txt)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    whole = pa.LargeStringArray.from_buffers(
        1, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)), pa.py_buffer(data))
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(path, "is not UTF-8 text as WhatsApp exports are",
                             line=line) from None
        raise
    return data


# (probe, old, new): the probe, one byte rarer than the pattern's first, is found by memchr
_NORMALISE = ((b"\r", b"\r\n", b"\n"), (b"\xaf", "\u202f".encode(), b" "),
              (b"\xa0", "\u00a0".encode(), b" "),
              # a mark at the start of a line hides the date; inside, it tells
              (b"\x8e", b"\n" + LRM.encode(), b"\n"))


def normalise(data: bytes, lo: int, hi: int, last: bool) -> tuple:
    """data[lo:hi] (whole lines) with Windows line ends, narrow and no-break spaces and a mark
    at the start of a line undone, as (buffer, lo, hi): a copy only when something changes,
    made by Arrow (which, unlike bytes.replace, lets the other thread run)."""
    if data.startswith(LRM.encode(), lo):
        lo += len(LRM.encode())
    todo = [(old, new) for probe, old, new in _NORMALISE
            if data.find(probe, lo, hi) >= 0 and data.find(old, lo, hi) >= 0]
    if last and not data.endswith(b"\n"):
        data, todo = data[lo:hi] + b"\n", todo
        lo, hi = 0, len(data)
    if not todo:
        return data, lo, hi
    run = pa.LargeStringArray.from_buffers(
        1, pa.py_buffer(np.array([lo, hi], dtype=np.int64)), pa.py_buffer(data))
    for old, new in todo:
        run = pc.replace_substring(run, old, new)
    offsets = np.frombuffer(run.buffers()[1], dtype=np.int64, count=2)
    return run.buffers()[2], int(offsets[0]), int(offsets[1])


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
    every = isinstance(rows, slice)  # one shape for the whole run: plain column slices
    value = np.zeros(len(window) if every else len(rows), dtype=np.int64)
    for k in range(*span):
        column = window[:, k] if every else window[rows, k]
        value = value * 10 + (column.astype(np.int64) - 48)
    return value


def split_records(data: bytes, lo: int = 0, hi: int | None = None) -> Records:
    """The records of data[lo:hi], a run of whole lines; positions are absolute in data, line
    numbers count from the run's first line (1).

    Non-blank lines before the first header are reported in Records.leading, not raised: at
    the start of the file they are an error, in a later run they continue the run before.
    """
    hi = len(data) if hi is None else hi
    buf = np.frombuffer(data, dtype=np.uint8, count=hi - lo, offset=lo)
    newlines = np.flatnonzero(buf == 10)
    starts = np.empty(len(newlines), dtype=np.int64)
    starts[0:1] = 0
    starts[1:] = newlines[:-1] + 1
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
    else:  # both kinds of line (an Android message's text can start with "["): each its own
        end_col = _find(window, b" - ")
        end_col[ios] = _find(window[ios], b"] ") if ios.sum() < len(ios) // 2 else _find(
            window, b"] ")[ios]
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
        first, inverse = np.array([0]), None
    else:  # hashing, not sorting: a few shapes among many lines
        inverse, uniques = pd.factorize(key)
        first = np.empty(len(uniques), dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)
    for shape_index, row in enumerate(first):
        text = bytes(_SHAPE_OF[window[row, : end_col[row]]]).decode("utf-8", "replace")
        match = SHAPE.match(text)
        if not match:
            continue
        rows = slice(None) if inverse is None else np.flatnonzero(inverse == shape_index)
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
    # Lines without a header continue the record above; a record's text runs to its last
    # non-blank line, newlines included, which is just the bytes in between.
    last_nonblank = np.maximum.accumulate(np.where(nonblank, np.arange(len(starts)), -1))
    next_header = np.append(header_lines[1:], len(starts))
    text_end = ends[last_nonblank[next_header - 1]]
    skip = np.where(ios[valid], 2, 3)  # "] " or " - "
    return Records(
        data=data,
        line=header_lines + 1,
        lines=len(starts),
        body_start=lo + starts[header_lines] + end_col[valid] + skip,
        body_end=lo + ends[header_lines],
        text_end=lo + text_end,
        fields={k: v if valid.all() else v[valid]
                for k, v in {**fields, "pm": pm, "year_first": year_first}.items()},
        leading=(int(leading[0]) + 1,
                 _text(data, lo + starts[leading[0]], lo + ends[leading[0]]))
        if len(leading) else None,
    )


def check_start(path, records: Records) -> None:
    """The errors of an export that does not begin with a record."""
    if len(records.line) == 0:
        if not records.leading:
            raise InputError(path, "is empty: expected a WhatsApp chat export")
        line, text = records.leading
        raise InputError(path, "is not a WhatsApp chat export in a known format: "
                               f"'{text[:60]}'", line=line)
    if records.leading:
        line, text = records.leading
        raise InputError(path, f"line does not start with a date and time: '{text[:60]}'",
                         line=line)


# A line that looks like a whole header ("[12/31/23, 11:59:59 PM] ", "08/08/23 10.05 - "), as
# written (before `normalise`): a cut there rarely falls inside a message (a message's lines that
# merely start with a digit or "[" are common), and a run that starts mid-message is parsed again.
_CUT = re.compile(rb"\n(?:\xe2\x80\x8e)?\[?\d{1,4}[./-]\d{1,2}[./-]\d{2,4},? \d{1,2}[.:]\d\d"
                  rb"(?:[.:]\d\d)?(?:(?: |\xe2\x80\xaf|\xc2\xa0)?[AaPp]\.? ?[Mm]\.?)?(?:\] | - )")


def chunks(data: bytes, parts: int) -> list[tuple[int, int]]:
    """(lo, hi) of `parts` runs of whole lines, cut before likely headers."""
    bounds, lo = [], 0
    pattern = _CUT
    for k in range(1, parts):
        cut = pattern.search(data, max(lo, len(data) * k // parts))
        if not cut:
            break
        bounds.append((lo, cut.start() + 1))
        lo = cut.start() + 1
    bounds.append((lo, len(data)))
    return bounds


def _text(data, start, end) -> str:
    return bytes(memoryview(data)[int(start):int(end)]).decode("utf-8", "replace")


def date_order(path, fields: list[dict]) -> str:
    """day_first or month_first, from the whole file's dates (fields of each run)."""
    day_first_seen = any(bool((f["a"][~f["year_first"]] > 12).any()) for f in fields)
    month_first_seen = any(bool((f["b"][~f["year_first"]] > 12).any()) for f in fields)
    if day_first_seen and month_first_seen:
        raise InputError(path, "mixes day-first and month-first dates; set "
                               "whatsapp.date_order in cohort.yml")
    return "month_first" if month_first_seen else "day_first"


def timestamps(path, line: np.ndarray, f: dict, date_order: str) -> np.ndarray:
    f = {k: v.astype(np.int64) if k != "year_first" else v for k, v in f.items()}
    a, b, c = f["a"], f["b"], f["c"]
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
                         line=int(line[i]))
    days = parsed.to_numpy().astype("datetime64[s]")[inverse]
    seconds = hour * 3600 + f["M"] * 60 + f["S"]
    return days + seconds.astype("timedelta64[s]")
