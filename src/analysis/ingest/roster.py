"""The staff tables (roster, attendance, follow-up) cleaned through the codebook.

Every raw row ends kept or quarantined with a reason. Quarantined rows keep their PII and go
only to data/interim/; quality.json gets their counts and reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import codebook
from analysis.errors import InputError, problem
from analysis.ingest import dates
from analysis.ingest.cohort import Cohort
from analysis.ingest.identity import normalise_phone, scientific_notation
from analysis.ingest.names import compact_key
from analysis.ingest.quality import BLANK_ROW
from analysis.ingest.tables import ROW, read_table

AGE_MIN, AGE_MAX = 15, 80
CODED = ("gender", "sector", "federation", "district", "disability", "employment_status")


@dataclass
class Ledger:
    """Rows in, kept and quarantined per file: the accounting quality.json reports."""

    files: dict = field(default_factory=dict)
    quarantine: list = field(default_factory=list)  # PII: data/interim only
    duplicates: list = field(default_factory=list)  # row numbers only, no PII
    # the follow-up file's reason column: {"file": ..., "column": raw header or None}; None
    # while no follow-up file has been read
    stop_reasons: dict | None = None

    def count_in(self, file: str, rows: int, read_as: str | None = None) -> None:
        self.files.setdefault(file, {"rows_in": 0, "kept": 0, "quarantined": 0, "reasons": {}})
        self.files[file]["rows_in"] += rows
        if read_as:  # how the table was read (encoding, separator, sheet, header row)
            self.files[file]["read_as"] = read_as

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
        """Rows in = kept + quarantined (+ merged: chat lines already in another export)."""
        for file, entry in self.files.items():
            out = entry["kept"] + entry["quarantined"] + entry.get("merged", 0)
            if entry["rows_in"] != out:
                raise AssertionError(f"{file}: {entry['rows_in']} rows in but {entry['kept']} kept "
                                     f"+ {entry['quarantined']} quarantined + "
                                     f"{entry.get('merged', 0)} merged")


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


def _phones(frame: pd.DataFrame, path: Path, column: str) -> pd.Series:
    """The phone column as E.164. Numbers Excel wrote in scientific notation are one error
    for the column, listing their rows, with the fix: their digits cannot be recovered."""
    damaged = frame["phone"].map(scientific_notation)
    if damaged.any():
        rows = [int(r) for r in frame.loc[damaged, ROW]]
        shown = ", ".join(map(str, rows[:20])) + (", …" if len(rows) > 20 else "")
        problem(InputError(
            path, f"{len(rows)} phone number(s) in scientific notation, e.g. "
            f"'{frame.loc[damaged, 'phone'].iloc[0]}' (rows {shown}): Excel has rounded away "
            "their last digits, which cannot be recovered. Fix: format the column as Text in "
            "the spreadsheet, enter the numbers again and export again", row=rows[0],
            column=column))
    return frame["phone"].map(normalise_phone)


def read_coded(cohort: Cohort, table: str, required: bool = True):
    """(path, raw table, raw header -> canonical column) for one of the cohort's tables, found
    by name (`<table>.*`, or cohort.yml `files:`) and read by content; (None, None, None) for
    a table that is not there and not required."""
    path = cohort.table_file(table)
    if path is None:
        if not required:
            return None, None, None
        raise InputError(cohort.raw_dir, f"no {table} file: expected {table}.csv, {table}.xlsx "
                         f"(or .xls, .ods, .txt), or the file named in cohort.yml files: "
                         f"{{{table}: ...}}")
    raw = read_table(path, table, cohort.table_sheet(table))
    headers = codebook.match_headers([c for c in raw.columns if c != ROW], table, path)
    return path, raw, headers


def _blank(frame: pd.DataFrame) -> pd.Series:
    cells = frame.drop(columns=ROW)
    return cells.apply(lambda col: col.fillna("").astype(str).str.strip().eq("")).all(axis=1)


def clean_roster(cohort: Cohort, ledger: Ledger) -> pd.DataFrame:
    """One row per registered person: PII (name, phone) plus coded variables."""
    path, raw, headers = read_coded(cohort, "roster")
    name = path.name
    frame = raw[[ROW, *headers]].rename(columns=headers)
    if frame.empty:
        raise InputError(path, "has a header row but no registrations")
    ledger.count_in(name, len(frame), raw.attrs["read_as"])
    frame = _drop_incomplete(frame, raw, ledger, name)
    blank = _blank(frame)
    ledger.quarantine_rows(name, frame[blank], BLANK_ROW)
    frame = frame[~blank].copy()
    reverse = {v: k for k, v in headers.items()}
    frame["phone_e164"] = _phones(frame, path, reverse["phone"])
    bad_phone = frame["phone_e164"].isna()
    ledger.quarantine_rows(name, frame[bad_phone], "phone number missing or not a valid "
                           "Indonesian number")
    frame = frame[~bad_phone].copy()
    reference_year = cohort.session_dates[0].year
    frame["age"] = pd.array([_age(v, path, r, reverse["age"], reference_year)
                             for v, r in zip(frame["age"], frame[ROW], strict=True)],
                            dtype="Int64")
    # same name as linkage reads names: titles, case, punctuation and spacing aside
    frame["name_folded"] = frame["name"].map(compact_key)
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


def _link_rows(frame: pd.DataFrame, roster: pd.DataFrame, ledger: Ledger, path: Path,
               raw: pd.DataFrame, headers: dict) -> pd.DataFrame:
    """Attach rows to roster people by phone; what cannot be attached is quarantined."""
    file = path.name
    frame = _drop_incomplete(frame, raw, ledger, file).copy()
    frame["phone_e164"] = _phones(frame, path, {v: k for k, v in headers.items()}["phone"])
    blank = _blank(frame.drop(columns="phone_e164"))
    ledger.quarantine_rows(file, frame[blank], BLANK_ROW)
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


def find_session_columns(columns, cohort: Cohort, path, skip=()) -> dict[int, str]:
    """Session number -> its attendance column, in session order.

    A column is a session's when its header names the session ("Sesi 2", "Pertemuan 2 (15 Agt)":
    codebook.yml `session_header_pattern`) or is or holds one of the cohort's session dates
    ("15/08/2023", "8/8", "Selasa, 15 Agt 2023", "2023-08-15"; a date without a year is read in
    the sessions' years; numeric dates are read together, analysis.ingest.dates). Nothing is guessed:
    a date that is no session's, two columns for one session, or a header that reads as two
    sessions (08/09: 8 September day first, 9 August month first) is an error naming the
    column(s). `skip`: the columns already known to be something else (name, phone)."""
    pattern = re.compile(codebook.load_codebook()["tables"]["attendance"]["session_header_pattern"])
    sessions: dict[int, str] = {}

    def claim(number: int, column: str) -> None:
        if number in sessions:
            raise InputError(path, f"columns `{sessions[number]}` and `{column}` are both session "
                                   f"{number}; keep one of them")
        sessions[number] = column

    dated = []
    for column in columns:
        if column in skip:
            continue
        if match := pattern.match(codebook.fold_header(column)):
            claim(int(match.group(1)), column)
            continue
        found = dates.find_dates(column)
        if len(found) > 1:
            raise InputError(path, f"the header holds {len(found)} dates ("
                             + ", ".join(f"'{w.text}'" for w in found) + "); a session's header "
                             "names one session ('Sesi 2') or one date", column=column)
        if found:
            dated.append((column, found[0]))
    order = dates.list_order([(f"column `{c}`", w) for c, w in dated], path)
    session_dates = list(cohort.session_dates)
    years = sorted({d.year for d in session_dates})
    listed = ", ".join(f"{i}: {dates.say(d)}" for i, d in enumerate(session_dates, start=1))
    for column, written in dated:
        readings = [(o, d) for o, d in written.readings(years)
                    if o is None or order is None or o == order]
        if not readings:
            raise InputError(path, f"'{written.text}' in the header is not a date (sessions: "
                                   f"{listed})", column=column)
        matched: dict[int, tuple] = {}
        for o, d in readings:
            if d in session_dates:
                matched.setdefault(session_dates.index(d) + 1, (o, d))
        if not matched:
            shown = " or ".join(dict.fromkeys(dates.say(d, year=written.year is not None)
                                              for _, d in readings))
            raise InputError(path, f"'{written.text}' in the header is {shown}, which is no "
                                   f"session's date (sessions: {listed})", column=column)
        if len(matched) > 1:
            (n1, (o1, d1)), (n2, (o2, d2)) = sorted(matched.items())[:2]
            how = {dates.DAY_FIRST: "day first", dates.MONTH_FIRST: "month first", None: ""}
            raise InputError(path, f"'{written.text}' in the header is session {n1} "
                                   f"({dates.say(d1)}) read {how[o1]} but session {n2} "
                                   f"({dates.say(d2)}) read {how[o2]}; write the session "
                                   f"('Sesi {n1}') or the date with its month name "
                                   f"('{dates.say(d1)}')", column=column)
        [(number, (_, date))] = matched.items()
        if complaint := written.weekday_problem(date):
            raise InputError(path, complaint, column=column)
        claim(number, column)
    wanted = list(range(1, cohort.n_sessions + 1))
    if sorted(sessions) != wanted:
        raise InputError(path, f"expected one column per session {wanted} (e.g. 'Sesi 1' or "
                               f"its date), found sessions {sorted(sessions)}")
    return dict(sorted(sessions.items()))


def clean_attendance(cohort: Cohort, roster: pd.DataFrame, ledger: Ledger) -> pd.DataFrame:
    """One row per roster person, one boolean column per session (absent when not listed)."""
    path, raw, headers = read_coded(cohort, "attendance")
    columns = [c for c in raw.columns if c != ROW]
    sessions = find_session_columns(columns, cohort, path, skip=headers)
    frame = raw[[ROW, *headers, *sessions.values()]].rename(columns=headers)
    ledger.count_in(path.name, len(frame), raw.attrs["read_as"])
    frame = _link_rows(frame, roster, ledger, path, raw, headers)
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
    path, raw, headers = read_coded(cohort, "followup", required=False)
    if path is None:
        return None
    frame = raw[[ROW, *headers]].rename(columns=headers)
    ledger.count_in(path.name, len(frame), raw.attrs["read_as"])
    frame = _link_rows(frame, roster, ledger, path, raw, headers)
    reverse = {v: k for k, v in headers.items()}
    result = pd.DataFrame({"phone_e164": frame["phone_e164"].to_numpy()})
    for variable in ("bpjstk_enrolled", "reseller_active"):
        coded = codebook.code_values(frame[variable], variable, path, reverse[variable], frame[ROW],
                                     allow_missing=True)
        result[variable] = coded.astype("boolean").reset_index(drop=True)
    # Why a dropout stopped: optional column, a blank cell is a reason not given (missing), an
    # unknown spelling an error like any coded value. `followup_row` (the raw row) lets the
    # quality record point staff at a reason written for someone who did not drop out.
    column = reverse.get("stop_reason")
    result["stop_reason"] = (
        codebook.code_values(frame["stop_reason"], "stop_reason", path, column, frame[ROW],
                             allow_missing=True).reset_index(drop=True)
        if column is not None else pd.Series([None] * len(result), dtype=object))
    result["followup_row"] = frame[ROW].to_numpy()
    ledger.stop_reasons = {"file": path.name, "column": column}
    ledger.keep(path.name, len(result))
    return result
