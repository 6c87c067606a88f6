"""Read the tables staff send by their content, not their luck, exactly as text.

Rosters come from Google Forms, Excel and LibreOffice: CSV in UTF-8 (with or without BOM),
UTF-16 ("Unicode Text", tab-separated) or Windows-1252, separated by commas, semicolons or tabs;
workbooks (.xlsx, .xls, .ods, read by python-calamine) with title rows, logos or blank rows above
the header and instructions on another sheet. The format is found from the bytes (a workbook
saved as `roster.csv` is still a workbook), the delimiter, the header row and the sheet from the
codebook's header spellings (the row, delimiter and sheet where the table's required columns all
stand), and every cell is kept as the text a person sees. Nothing is guessed silently: each table
says how it was read (`attrs["read_as"]`), and what cannot be read is one error naming the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pandas as pd

from analysis import codebook
from analysis.errors import InputError

ROW = "_row"  # the row number a person sees in the spreadsheet or file (its first row = 1)
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 30  # title rows, logos and notes above the header: this many at most
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xlsx/ods; old .xls


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def find_table(raw_dir: str | Path, table: str, named: str | dict | None = None) -> Path | None:
    """The file holding `table` ("roster", "attendance", "followup") in a raw folder: the one
    cohort.yml's `files:` names, else the one file called `<table>.<csv|tsv|txt|xlsx|xls|ods>`
    (any case). None when there is none; two candidates are an error naming both."""
    raw_dir = Path(raw_dir)
    if named:
        name = named["file"] if isinstance(named, dict) else str(named)
        path = raw_dir / name
        if not path.is_file():
            raise InputError(raw_dir / "cohort.yml", f"files: {table}: '{name}' not found in "
                             f"{raw_dir}")
        return path
    found = sorted(p for p in raw_dir.iterdir() if p.is_file()
                   and p.stem.casefold() == table and p.suffix.casefold() in TABLE_SUFFIXES) \
        if raw_dir.is_dir() else []
    if len(found) > 1:
        raise InputError(raw_dir, f"two files could be the {table}: "
                         f"{' and '.join(repr(p.name) for p in found)}. Keep one, or name it in "
                         f"cohort.yml: files: {{{table}: {found[0].name}}}")
    return found[0] if found else None


def sheet_of(named: str | dict | None) -> str | None:
    """The sheet cohort.yml's `files:` names for a workbook ({file: ..., sheet: ...})."""
    return str(named["sheet"]) if isinstance(named, dict) and named.get("sheet") else None


def read_table(path: str | Path, table: str | None = None, sheet: str | None = None
               ) -> pd.DataFrame:
    """Every cell as a string, stripped; `_row` is the row a person sees in the file. With
    `table` (a codebook table), the header row, the delimiter and the sheet are the ones where
    that table's required columns all stand; without, the first row is the header."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "not found")
    data = path.read_bytes()
    if data.startswith((_ZIP, _OLE2)):
        records, read_as = _workbook_records(path, table, sheet)
        short: set[int] = set()
    else:
        text, encoding = decode_text(path, data)
        if not text.strip():
            raise InputError(path, "is empty: expected a header row and one row per person")
        records, delimiter = _delimited_records(path, text, table)
        read_as = f"text, {encoding}, separated by {_DELIMITER_NAMES[delimiter]}"
        short = None  # computed below from the records' lengths
    header_at = _header_row(records, table)
    header, body = records[header_at], records[header_at + 1:]
    width = len(header)
    while width and not header[width - 1].strip() and not any(
            len(r) >= width and r[width - 1].strip() for r in body):
        width -= 1  # empty columns to the right of the table (Excel's used range)
    columns = _column_names(header[:width])
    rows = list(range(header_at + 2, header_at + 2 + len(body)))
    if short is None:  # a CSV row with fewer cells than the header: a file cut short
        short = {row for row, r in zip(rows, body, strict=True) if 0 < len(r) < width}
    for row, r in zip(rows, body, strict=True):
        extra = [c for c in r[width:] if c.strip()]
        if extra:
            raise InputError(path, f"has {len(r)} cells where the header has {width}: is a "
                             "separator inside an unquoted cell?", row=row)
    cells = [[c.strip() for c in r[:width]] + [""] * (width - len(r)) for r in body]
    # pandas' own string dtype, as its CSV reader gives: the processed Parquet stays the same
    frame = pd.DataFrame(cells, columns=columns, dtype=str) if cells else \
        pd.DataFrame(columns=columns, dtype=str)
    frame.insert(0, ROW, rows)
    frame.attrs["incomplete_rows"] = short
    frame.attrs["read_as"] = read_as + (f", header on row {header_at + 1}" if header_at else "")
    return frame


_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """(text, encoding name): the BOM's encoding, else UTF-16 without BOM (every other byte a
    zero), else UTF-8 when it decodes, else what charset-normalizer finds among the Windows and
    Latin encodings Excel writes. A file no encoding explains is refused, never half-read."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError:
                raise InputError(path, f"starts like {name} text but is not; save it again as "
                                       "CSV UTF-8") from None
    head = data[:4096]
    if head and head.count(0) * 3 > len(head):
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, "UTF-16"
        raise InputError(path, "is a binary file, not a table (CSV, Excel or LibreOffice)")
    if b"\x00" in head:
        raise InputError(path, "is a binary file, not a table (CSV, Excel or LibreOffice)")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "cp850"]).best()
    if best is None:
        raise InputError(path, "is neither UTF-8 nor a Windows or Latin encoding; save it "
                               "as CSV UTF-8")
    name = {"cp1252": "Windows-1252", "latin_1": "Latin-1", "iso8859_15": "Latin-9",
            "cp850": "DOS Latin-1"}.get(best.encoding, best.encoding)
    return str(best), name


def _required_spellings(table: str | None) -> list[set[str]] | None:
    """For each required column of `table`, its header spellings (folded)."""
    if table is None:
        return None
    spec = codebook.load_codebook()["tables"][table]["columns"]
    return [{codebook.fold_header(s) for s in c["headers"]} for c in spec.values()
            if c.get("required", True)]


def _header_score(record: list[str], required: list[set[str]]) -> int:
    folded = {codebook.fold_header(c) for c in record if c.strip()}
    return sum(1 for spellings in required if folded & spellings)


def _most_columns(records: list[list[str]], required: list[set[str]]) -> int:
    """How many of the required columns the best of the first rows holds."""
    return max((_header_score(r, required) for r in records[:HEADER_SEARCH_ROWS]), default=0)


def _header_row(records: list[list[str]], table: str | None) -> int:
    """The first row (of the first HEADER_SEARCH_ROWS) holding every required column of
    `table`; else the first non-blank row (the codebook then names what is missing)."""
    required = _required_spellings(table)
    if required:
        for i, record in enumerate(records[:HEADER_SEARCH_ROWS]):
            if _header_score(record, required) == len(required):
                return i
    for i, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        if any(c.strip() for c in record):
            return i
    return 0


def _best(records_by_choice: dict, table: str | None):
    """The choice (delimiter or sheet) whose records hold the table's header; the first one
    when none does (its missing columns are then named)."""
    required = _required_spellings(table)
    if not required:
        return next(iter(records_by_choice))
    scores = {choice: _most_columns(records, required)
              for choice, records in records_by_choice.items()}
    top = max(scores.values())
    return next(choice for choice, score in scores.items() if score == top)


def _delimited_records(path: Path, text: str, table: str | None) -> tuple[list[list[str]], str]:
    """The records, split by the delimiter under which the table's header stands (chosen on
    the first lines, then the whole file read once)."""
    text = text.lstrip("\ufeff")
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS + 20])
    candidates = _candidate_delimiters(sample)
    delimiter = _best({d: list(csv.reader(io.StringIO(sample), delimiter=d)) for d in candidates},
                      table)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                               strict=True)), delimiter
    except csv.Error as exc:
        raise InputError(path, f"is not a well-formed table ({exc}); save it again from the "
                               "spreadsheet as CSV") from None


def _candidate_delimiters(sample: str) -> list[str]:
    """csv.Sniffer's pick first (it weighs consistency across lines), then the others."""
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        sniffed = max(DELIMITERS, key=first.count)
    return [sniffed] + [d for d in DELIMITERS if d != sniffed]


def _workbook_records(path: Path, table: str | None, sheet: str | None):
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        if sheet is not None and sheet not in names:
            raise InputError(path, f"has no sheet '{sheet}' (cohort.yml files:); its sheets: "
                             f"{', '.join(repr(n) for n in names)}")
        sheets = {name: [[cell_text(v) for v in row] for row in
                         book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
                  for name in ([sheet] if sheet else names)}
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own kinds for a damaged or locked workbook
        raise InputError(path, f"cannot be read as a workbook ({exc.__class__.__name__}: {exc}); "
                               "open it and save it again as .xlsx or CSV UTF-8") from None
    sheets = {name: records for name, records in sheets.items() if records} or {names[0]: [[""]]}
    chosen = _best(sheets, table)
    required = _required_spellings(table)
    if required and len(sheets) > 1:
        full = [n for n, records in sheets.items()
                if _most_columns(records, required) == len(required)]
        if len(full) > 1:
            raise InputError(path, f"sheets {' and '.join(repr(n) for n in full)} both look like "
                             f"the {table}; name one in cohort.yml: files: {{{table}: "
                             f"{{file: {path.name}, sheet: {full[0]}}}}}")
    kind = {".xls": "Excel 97-2003 workbook", ".ods": "OpenDocument spreadsheet"}.get(
        path.suffix.casefold(), "Excel workbook")
    return sheets[chosen], f"{kind}, sheet '{chosen}'"


def cell_text(value) -> str:
    """A workbook cell as the text a person sees: whole numbers without '.0' (a phone stored as
    a number keeps every digit), dates as ISO, TRUE/FALSE as Excel writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _column_names(header: list[str]) -> list[str]:
    """Header cells as column names, as pandas makes them: blank ones 'Unnamed: i', repeats
    'x.1' (the codebook then says which two mean the same)."""
    names, seen = [], {}
    for i, cell in enumerate(header):
        name = cell.strip() or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names
