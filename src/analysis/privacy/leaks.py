"""The leak check: no roster name or phone number may reach processed data or reports.

It reads every identifier the raw folder holds (roster, attendance and follow-up names and
phones, chat senders), in all the spellings a number takes, and scans every output file's text:
Parquet cells, JSON, HTML, executed notebooks and the PDFs' extracted text. A hit names the file
and where the identifier came from, never the identifier itself.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import codebook
from analysis.errors import InputError
from analysis.ingest import chat
from analysis.ingest.chat import CHAT_PEOPLE
from analysis.ingest.chat_files import find_exports
from analysis.ingest.cohort import load_cohort
from analysis.ingest.identity import NON_DIGIT, fold_name, normalise_phone
from analysis.ingest.names import spellings
from analysis.ingest.tables import ROW, find_table, read_table

# no "." inside: a float's decimals are not a phone number
PHONE_RUN = re.compile(r"\+?\d[\d\s\-()]{6,}\d")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


@dataclass(frozen=True)
class Identifier:
    kind: str  # "name" or "phone"
    folded: str  # folded name, or national significant number (digits after +62)
    source: str  # "roster.csv row 12": where it came from, safe to print


def chat_people_from(interim_dir: Path, chat_files) -> list[str] | None:
    """The chat's senders and members as the cleaning step listed them, when that list is newer
    than every export (else None: parse the chat here). Saves parsing a big chat again."""
    path = Path(interim_dir) / CHAT_PEOPLE
    if not path.exists() or any(f.stat().st_mtime > path.stat().st_mtime for f in chat_files):
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)["person"].tolist()


def raw_sources(raw_dir: str | Path) -> tuple[list[tuple[str, Path, str | None]], list, str | None]:
    """(table, file, sheet) of each staff table, the WhatsApp exports and their date order. A
    cohort.yml still being filled in (`make cohort` left placeholders) does not load; its files
    are found by their default names, so what they hold is protected all the same."""
    try:
        cohort = load_cohort(raw_dir)
    except InputError:
        tables = [(t, find_table(raw_dir, t), None) for t in ("roster", "attendance", "followup")]
        tables = [(t, p, s) for t, p, s in tables if p is not None]
        return tables, find_exports(raw_dir, [p for _, p, _ in tables]).exports, None
    tables = [(t, cohort.table_file(t), cohort.table_sheet(t))
              for t in ("roster", "attendance", "followup")]
    return [(t, p, s) for t, p, s in tables if p is not None], cohort.chat_files, \
        cohort.chat_date_order


def identifiers(raw_dir: str | Path, chat_people: list[str] | None = None) -> list[Identifier]:
    """Every name and phone the raw folder holds. `chat_people`: the chat's senders and members
    if already known (`chat_people_from`); otherwise the exports are parsed."""
    tables, exports, date_order = raw_sources(raw_dir)
    found: dict[tuple[str, str], Identifier] = {}
    seen: set[tuple[str, object]] = set()  # a value in three files is folded once

    def add(kind: str, value, source: str) -> None:
        if (kind, value) in seen:
            return
        seen.add((kind, value))
        if kind == "phone":
            e164 = normalise_phone(value)
            keys = [e164.removeprefix("+62")] if e164 else []
        else:
            # as typed, and without its titles in every spelling linkage forgives: the roster's
            # "BPK. AHMAD FAUZI, S.E." is found as "Ahmad Fauzi", "Nur'aini S." as "Nuraini S."
            # One-word names ("Siti") are too common to scan for.
            keys = [k for k in (fold_name(value), *sorted(spellings(value)))
                    if len(k.split()) >= 2]
        for key in keys:
            found.setdefault((kind, key), Identifier(kind, key, source))

    for table, path, sheet in tables:
        raw = read_table(path, table, sheet)
        headers = codebook.match_headers([c for c in raw.columns if c != ROW], table, path)
        for raw_header, canonical in headers.items():
            if canonical in ("name", "phone"):
                for value, row in zip(raw[raw_header], raw[ROW], strict=True):
                    add(canonical, value, f"{path.name} row {row}")
    if chat_people is None:
        records = chat.parse_exports(exports, date_order)
        chat_people = chat.chat_people(records).dropna()
    for person in sorted(set(chat_people)):
        kind = "phone" if normalise_phone(person) else "name"
        add(kind, person, "a WhatsApp sender")
    return list(found.values())


def output_text(path: Path) -> str:
    """The text a reader (or a search) could find in an output file."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        return " ".join(map(str, frame.columns)) + "\n" + frame.to_csv(index=False)
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix in (".png", ".jpg", ".svg", ".ok"):
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    return DATA_URI.sub(" ", text)


def pdf_text(path: Path, use_poppler: bool = True) -> str:
    """A PDF's text: poppler's pdftotext where installed (a report in 0.05 s; pypdf takes 1 s,
    the most expensive part of a cohort's leak check), else pypdf."""
    exe = shutil.which("pdftotext") if use_poppler else None
    if exe:
        done = subprocess.run([exe, "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True)
        if done.returncode == 0:
            return done.stdout.decode("utf-8", errors="replace")
    from pypdf import PdfReader  # also when poppler cannot read the file: pypdf says why

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def scan_text(text: str, people: list[Identifier]) -> list[Identifier]:
    """Every identifier found in `text`. Linear in the text and in the roster: the text's word
    sequences and digit substrings of the lengths the identifiers have are put in sets first."""
    words = fold_name(text).split()
    name_lengths = {len(p.folded.split()) for p in people if p.kind == "name"}
    first_words = {p.folded.split()[0] for p in people if p.kind == "name"}
    starts = [i for i, word in enumerate(words) if word in first_words]
    phrases = {" ".join(words[i:i + k]) for k in name_lengths for i in starts}
    phone_lengths = {len(p.folded) for p in people if p.kind == "phone"}
    digits = set()
    for run in (NON_DIGIT.sub("", m) for m in PHONE_RUN.findall(text)):
        digits |= {run[i:i + k] for k in phone_lengths for i in range(len(run) - k + 1)}
    return [p for p in people if p.folded in (phrases if p.kind == "name" else digits)]


def scan(raw_dir, output_dirs, interim_root=None) -> list[tuple[str, Identifier]]:
    """Every identifier of `raw_dir`'s cohort (or of each cohort, given a list of raw folders:
    each file is then read once for all of them) in the files under `output_dirs` (folders or
    single files; a file under two of them is read once). `interim_root` (data/interim): where
    the cleaning step listed each cohort's chat people."""

    def of(raw) -> list[Identifier]:
        if interim_root is None:
            return identifiers(raw)
        listed = chat_people_from(Path(interim_root) / Path(raw).name, raw_sources(raw)[1])
        return identifiers(raw, listed)

    if isinstance(raw_dir, (str, Path)):
        people = of(raw_dir)
    else:  # several cohorts: say which one a hit came from
        people = [dataclasses.replace(p, source=f"{Path(raw).name}/{p.source}")
                  for raw in raw_dir for p in of(raw)]
    files: dict[Path, Path] = {}
    for place in map(Path, output_dirs):
        for path in [place] if place.is_file() else sorted(place.rglob("*")):
            if path.is_file():
                files.setdefault(path.resolve(), path)
    hits = []
    for path in files.values():
        hits += [(str(path), person) for person in scan_text(output_text(path), people)]
    return hits
