"""The staff tables (roster, attendance, follow-up) cleaned through the codebook.

Every raw row ends kept or quarantined with a reason. Quarantined rows keep their PII and go
only to data/interim/; quality.json gets their counts and reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import codebook
from .cohort import Cohort
from .errors import InputError, problem
from .identity import fold_name, normalise_phone
from .ingest import ROW, read_table

AGE_MIN, AGE_MAX = 15, 80
CODED = ("gender", "sector", "federation", "district", "disability", "employment_status")


@dataclass
class Ledger:
    """Rows in, kept and quarantined per file: the accounting quality.json reports."""

    files: dict = field(default_factory=dict)
    quarantine: list = field(default_factory=list)  # PII: data/interim only
    duplicates: list = field(default_factory=list)  # row numbers only, no PII

    def count_in(self, file: str, rows: int) -> None:
        self.files.setdefault(file, {"rows_in": 0, "kept": 0, "quarantined": 0, "reasons": {}})
        self.files[file]["rows_in"] += rows

    def keep(self, file: str, rows: int) -> None:
        self.files[file]["kept"] += rows

    def quarantine_rows(self, file: str, rows: pd.DataFrame, reason: str, detail=None) -> None:
        if rows.empty:
            return
        entry = self.files[file]
        entry["quarantined"] += len(rows)
        entry["reasons"][reason] = entry["reasons"].get(reason, 0) + len(rows)
        for i, (_, row) in enumerate(rows.iterrows()):
            record = {"file": file, "row": int(row[ROW]), "reason": reason}
            if detail is not None:
                record["detail"] = detail[i] if isinstance(detail, list) else detail
            record.update({k: v for k, v in row.items() if k != ROW})
            self.quarantine.append(record)

    def check_balanced(self) -> None:
        for file, entry in self.files.items():
            if entry["rows_in"] != entry["kept"] + entry["quarantined"]:
                raise AssertionError(f"{file}: {entry['rows_in']} rows in but {entry['kept']} kept "
                                     f"+ {entry['quarantined']} quarantined")


def parse_age(raw: str, file, row: int, column: str, reference_year: int) -> int | None:
    """'45', '45 tahun', '45.0' or a birth year ('1978') -> age in years at the first session;
    an empty cell is a missing age."""
    text = str(raw).strip().casefold()
    if not text:
        return None
    match = re.fullmatch(r"(\d{2,4})(?:[.,]0+)?(?:\s*(?:tahun|thn|th|years?))?", text)
    if not match:
        raise InputError(file, f"'{raw}' is not an age (expected a number {AGE_MIN}–{AGE_MAX} "
                               "or a birth year)", row=row, column=column)
    value = int(match.group(1))
    age = reference_year - value if 1900 <= value <= reference_year else value
    if not AGE_MIN <= age <= AGE_MAX:
        raise InputError(file, f"'{raw}' gives an age of {age}, outside {AGE_MIN}–{AGE_MAX}",
                         row=row, column=column)
    return age


def _age(raw, file, row, column, reference_year) -> int | None:
    try:
        return parse_age(raw, file, row, column, reference_year)
    except InputError as error:
        problem(error)  # raised, unless a check is collecting every problem
        return None


def _phones(frame: pd.DataFrame) -> pd.Series:
    return frame["phone"].map(normalise_phone)


def _blank(frame: pd.DataFrame) -> pd.Series:
    cells = frame.drop(columns=ROW)
    return cells.apply(lambda col: col.fillna("").astype(str).str.strip().eq("")).all(axis=1)


def clean_roster(cohort: Cohort, ledger: Ledger) -> pd.DataFrame:
    """One row per registered person: PII (name, phone) plus coded variables."""
    path = cohort.raw_dir / cohort.roster_file
    name = path.name
    raw = read_table(path)
    headers = codebook.match_headers([c for c in raw.columns if c != ROW], "roster", path)
    frame = raw[[ROW, *headers]].rename(columns=headers)
    if frame.empty:
        raise InputError(path, "has a header row but no registrations")
    ledger.count_in(name, len(frame))
    frame = _drop_incomplete(frame, raw, ledger, name)
    blank = _blank(frame)
    ledger.quarantine_rows(name, frame[blank], "blank row")
    frame = frame[~blank].copy()
    frame["phone_e164"] = _phones(frame)
    bad_phone = frame["phone_e164"].isna()
    ledger.quarantine_rows(name, frame[bad_phone], "phone number missing or not a valid "
                           "Indonesian number")
    frame = frame[~bad_phone].copy()
    reverse = {v: k for k, v in headers.items()}
    reference_year = cohort.session_dates[0].year
    frame["age"] = pd.array([_age(v, path, r, reverse["age"], reference_year)
                             for v, r in zip(frame["age"], frame[ROW], strict=True)],
                            dtype="Int64")
    frame["name_folded"] = frame["name"].map(fold_name)
    duplicate = frame.duplicated("phone_e164") | (
        frame.duplicated(["name_folded", "age"]) & frame["age"].notna())
    for _, row in frame[duplicate].iterrows():
        same = frame[((frame["phone_e164"] == row["phone_e164"]) |
                      ((frame["name_folded"] == row["name_folded"]) & (frame["age"] == row["age"])))
                     & ~duplicate]
        ledger.duplicates.append({"file": name, "row": int(row[ROW]),
                                  "duplicate_of_row": int(same[ROW].iloc[0]),
                                  "rule": "same phone, or same name and age: the first "
                                          "registration is kept"})
    ledger.quarantine_rows(name, frame[duplicate], "duplicate registration (first one kept)")
    frame = frame[~duplicate].copy()
    for variable in CODED:
        frame[variable] = codebook.code_values(frame[variable], variable, path, reverse[variable],
                                               frame[ROW], allow_missing=True)
    frame["disability"] = frame["disability"].astype("boolean")
    ledger.keep(name, len(frame))
    return frame.drop(columns=["name_folded"]).reset_index(drop=True)


def _drop_incomplete(frame: pd.DataFrame, raw: pd.DataFrame, ledger: Ledger, file: str):
    """A row with fewer cells than the header (a file cut short) is quarantined, not guessed."""
    incomplete = frame[ROW].isin(raw.attrs.get("incomplete_rows", set()))
    ledger.quarantine_rows(file, frame[incomplete],
                           "incomplete row: fewer cells than the header (file cut short?)")
    return frame[~incomplete]


def _link_rows(frame: pd.DataFrame, roster: pd.DataFrame, ledger: Ledger, file: str,
               raw: pd.DataFrame) -> pd.DataFrame:
    """Attach rows to roster people by phone; what cannot be attached is quarantined."""
    frame = _drop_incomplete(frame, raw, ledger, file).copy()
    frame["phone_e164"] = _phones(frame)
    blank = _blank(frame.drop(columns="phone_e164"))
    ledger.quarantine_rows(file, frame[blank], "blank row")
    frame = frame[~blank]
    bad = frame["phone_e164"].isna()
    ledger.quarantine_rows(file, frame[bad], "phone number missing or not a valid Indonesian number")
    frame = frame[~bad]
    unknown = ~frame["phone_e164"].isin(roster["phone_e164"])
    ledger.quarantine_rows(file, frame[unknown], "person not on the roster")
    frame = frame[~unknown]
    repeated = frame.duplicated("phone_e164")
    ledger.quarantine_rows(file, frame[repeated], "second row for the same person (first kept)")
    return frame[~repeated]


def clean_attendance(cohort: Cohort, roster: pd.DataFrame, ledger: Ledger) -> pd.DataFrame:
    """One row per roster person, one boolean column per session (absent when not listed)."""
    path = cohort.raw_dir / cohort.attendance_file
    raw = read_table(path)
    columns = [c for c in raw.columns if c != ROW]
    headers = codebook.match_headers(columns, "attendance", path)
    pattern = re.compile(codebook.load_codebook()["tables"]["attendance"]["session_header_pattern"])
    sessions = {}
    for column in columns:
        match = pattern.match(codebook.fold_header(column))
        if match:
            sessions[int(match.group(1))] = column
    wanted = list(range(1, cohort.n_sessions + 1))
    if sorted(sessions) != wanted:
        raise InputError(path, f"expected one column per session {wanted} (e.g. 'Sesi 1'), "
                               f"found sessions {sorted(sessions)}")
    frame = raw[[ROW, *headers, *sessions.values()]].rename(columns=headers)
    ledger.count_in(path.name, len(frame))
    frame = _link_rows(frame, roster, ledger, path.name, raw)
    result = pd.DataFrame({"phone_e164": frame["phone_e164"].to_numpy()})
    for number, column in sorted(sessions.items()):
        coded = codebook.code_values(frame[column], "attended", path, column, frame[ROW])
        result[f"attended_session_{number}"] = coded.astype(bool).to_numpy()
    ledger.keep(path.name, len(result))
    if not result["attended_session_1"].any():
        problem(InputError(path, "nobody is marked present at session 1 (expected marks such "
                                 "as 'Hadir', 'H' or '✓'); check the sheet"))
    everyone = roster[["phone_e164"]].merge(result, on="phone_e164", how="left")
    session_columns = [c for c in everyone.columns if c.startswith("attended_session_")]
    everyone[session_columns] = everyone[session_columns].fillna(False).astype(bool)
    return everyone


def clean_followup(cohort: Cohort, roster: pd.DataFrame, ledger: Ledger) -> pd.DataFrame | None:
    if not cohort.followup_file:
        return None
    path: Path = cohort.raw_dir / cohort.followup_file
    if not path.exists():
        return None
    raw = read_table(path)
    headers = codebook.match_headers([c for c in raw.columns if c != ROW], "followup", path)
    frame = raw[[ROW, *headers]].rename(columns=headers)
    ledger.count_in(path.name, len(frame))
    frame = _link_rows(frame, roster, ledger, path.name, raw)
    reverse = {v: k for k, v in headers.items()}
    result = pd.DataFrame({"phone_e164": frame["phone_e164"].to_numpy()})
    for variable in ("bpjstk_enrolled", "reseller_active"):
        coded = codebook.code_values(frame[variable], variable, path, reverse[variable], frame[ROW],
                                     allow_missing=True)
        result[variable] = coded.astype("boolean").reset_index(drop=True)
    ledger.keep(path.name, len(result))
    return result
