"""Read the tables staff send (CSV from Google Forms or Excel, or .xlsx) exactly as text."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd

from .errors import InputError

ROW = "_row"  # the row number a person sees in a spreadsheet (header = row 1)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise InputError(path, "is a binary file, not a CSV text table")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(path, "is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8")


def read_table(path: str | Path) -> pd.DataFrame:
    """Every cell as a string, nothing guessed; `_row` records the spreadsheet row."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "not found")
    short: set[int] = set()
    if path.suffix.lower() == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise InputError(path, f"cannot be read as an Excel workbook ({exc})") from None
    else:
        text = _decode(path, path.read_bytes())
        if not text.strip():
            raise InputError(path, "is empty: expected a header row and one row per person")
        first_line = text.splitlines()[0]
        sep = ";" if first_line.count(";") > first_line.count(",") else ","
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                quoting=csv.QUOTE_MINIMAL, skip_blank_lines=False)
        except pd.errors.ParserError as exc:
            raise InputError(path, f"is not a well-formed table ({exc})") from None
        # pandas pads a short row with "" like an empty cell: count the cells ourselves
        records = list(csv.reader(io.StringIO(text), delimiter=sep))
        width = len(records[0]) if records else 0
        short = {i + 2 for i, r in enumerate(records[1:]) if 0 < len(r) < width}
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    frame.insert(0, ROW, range(2, len(frame) + 2))
    frame.attrs["incomplete_rows"] = short  # spreadsheet rows with fewer cells than the header
    return frame
