"""Starting a cohort is one command: `make cohort ID=2024-03-bekasi`.

Staff who start a cohort read Indonesian, not code, and used to copy a cohort.yml from the README
and guess at the folder layout. `start_cohort` writes the folder the pipeline expects, with a
cohort.yml whose every key is explained in both languages and whose fields to fill are
placeholders (`cohort.PLACEHOLDER`) that `load_cohort` refuses, a BACA-SAYA.md saying what goes
where, and the whatsapp/ folder. `missing` is the to-do list of a started folder (unfilled
fields, no roster, no attendance, no pseudonym key; no follow-up or chat export as warnings):
`make check COHORT=<id>` shows it before reading any table.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources
from pathlib import Path

import yaml

from analysis.errors import InputError
from analysis.ingest.chat_files import find_exports
from analysis.ingest.cohort import load_cohort
from analysis.ingest.identity import load_key
from analysis.ingest.tables import find_table

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
EXAMPLE_ID = "2024-03-bekasi"
# Folders under reports/ that are not cohorts: a cohort of that name would share them.
RESERVED = ("pooled", "power", "explore")
TEMPLATES = ("cohort.yml", "BACA-SAYA.md")
TABLES = (  # (table, required, Indonesian, English)
    ("roster", True, "daftar peserta", "roster"),
    ("attendance", True, "absensi", "attendance"),
    ("followup", False, "tindak lanjut", "follow-up"),
)


def template(name: str, cohort_id: str) -> str:
    """A template of src/analysis/templates with the cohort's id in it."""
    text = (resources.files(__package__) / "templates" / name).read_text(encoding="utf-8")
    return text.replace("{cohort_id}", cohort_id)


def start_cohort(cohort_id: str, raw_root: str | Path) -> Path:
    """Write raw_root/<cohort_id>/ (cohort.yml, BACA-SAYA.md, whatsapp/) and return it.

    Refuses an unsafe folder name or one that exists (any case), writing nothing: the folder is
    made under a hidden temporary name and renamed when complete, so an interrupted run leaves
    nothing that looks started."""
    raw_root = Path(raw_root)
    target = raw_root / cohort_id
    if not SAFE_ID.fullmatch(cohort_id):
        raise InputError(target, "bukan nama folder yang aman: pakai huruf, angka, - dan _ saja, "
                         f"mis. {EXAMPLE_ID} / not a safe folder name: use letters, digits, - and _ "
                         f"only (at most 64), e.g. {EXAMPLE_ID}")
    if cohort_id.casefold() in RESERVED:
        raise InputError(target, f"'{cohort_id}' dipakai laporan lintas kohort / is the name of a "
                         f"report across cohorts (reports/{cohort_id.casefold()}): choose another, "
                         f"e.g. {EXAMPLE_ID}")
    taken = [p for p in (raw_root.iterdir() if raw_root.is_dir() else ())
             if p.name.casefold() == cohort_id.casefold()]
    if taken:
        raise InputError(taken[0], "sudah ada, tidak ada yang ditulis / already exists, nothing "
                         "was written: choose another ID, or fill in the folder that is there")
    raw_root.mkdir(parents=True, exist_ok=True)
    staging = raw_root / f".{cohort_id}.{os.getpid()}.starting"  # hidden: not a cohort to make
    staging.mkdir()
    try:
        for name in TEMPLATES:
            (staging / name).write_text(template(name, cohort_id), encoding="utf-8")
        (staging / "whatsapp").mkdir()
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _spec(file: Path) -> dict:
    try:
        spec = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):  # load_cohort has said why
        return {}
    return spec if isinstance(spec, dict) else {}


def missing(raw_dir: str | Path) -> tuple[list[str], list[str]]:
    """(errors, warnings): what a started cohort folder still lacks, one line each.

    Errors: cohort.yml fields still placeholders (each named) or otherwise refused, no roster,
    no attendance, no pseudonym key for a real cohort. Warnings, which the report states: no
    follow-up file, no WhatsApp export in whatsapp/."""
    raw_dir = Path(raw_dir)
    file = raw_dir / "cohort.yml"
    errors: list[str] = []
    warnings: list[str] = []
    try:
        load_cohort(raw_dir)
    except InputError as exc:
        errors.append(str(exc))
    spec = _spec(file)
    files = spec.get("files") if isinstance(spec.get("files"), dict) else {}
    tables = [raw_dir / "linkage_overrides.csv"]
    for table, required, indonesian, english in TABLES:
        try:
            found = find_table(raw_dir, table, files.get(table))
        except InputError as exc:
            errors.append(str(exc))
            continue
        tables += [found] if found else []
        if found is None and required:
            errors.append(f"{raw_dir}: belum ada berkas {indonesian} / no {english} file: put it "
                          f"here as {table}.csv or {table}.xlsx (.csv, .txt, .xlsx, .xls, .ods)")
        elif found is None:
            warnings.append(f"{raw_dir}: tidak ada berkas {indonesian} / no {english} file "
                            f"({table}.csv, .xlsx, …): the report says so")
    try:  # where the cleaning looks: whatsapp/, and a chat export left beside the tables
        exports = find_exports(raw_dir, tables).exports if raw_dir.is_dir() else []
    except InputError as exc:  # a damaged zip, a zip with no chat in it
        errors.append(str(exc))
    else:
        if not exports:
            warnings.append(f"{raw_dir / 'whatsapp'}: belum ada ekspor chat WhatsApp / no WhatsApp "
                            "export (.txt or .zip, Export chat → Without media): the report says "
                            "activity was not measured")
    if not spec.get("synthetic", False):  # as load_cohort reads it
        try:
            load_key(False)
        except KeyError as exc:
            errors.append(f"{file}: belum ada kunci pseudonim (lihat BACA-SAYA.md) / "
                          f"{exc.args[0]}")
    return errors, warnings
