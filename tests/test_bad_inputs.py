"""The bad-input corpus: each damaged cohort folder gives one clear error (file, row, column,
what was expected) or a quarantine entry with its reason; never a bare traceback, never a row
silently lost.

Each case damages a copy of the small synthetic cohort, then runs the whole cleaning step.
"""

import pandas as pd
import pytest
import yaml

from analysis.errors import InputError
from analysis.ingest.clean import clean_cohort

ROSTER, ATTENDANCE, FOLLOWUP = "roster.csv", "attendance.csv", "followup.csv"
CHAT = "whatsapp/chat.txt"


def _read(folder, name):
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _edit(name, change):
    """A case that edits one cell-table with pandas and writes it back as CSV."""
    def apply(folder):
        table = _read(folder, name)
        changed = change(table)  # once: some changes add rows
        table = changed if changed is not None else table
        table.to_csv(folder / name, index=False)
    return apply


def _set(name, row, column, value):
    def change(table):
        table.loc[row, column] = value
        return table
    return _edit(name, change)


def _write(name, content: bytes):
    def apply(folder):
        (folder / name).write_bytes(content)
    return apply


def _cohort(change):
    def apply(folder):
        spec = yaml.safe_load((folder / "cohort.yml").read_text(encoding="utf-8"))
        change(spec)
        (folder / "cohort.yml").write_text(yaml.safe_dump(spec, allow_unicode=True),
                                           encoding="utf-8")
    return apply


def _append_row(name, row_from, edits):
    def change(table):
        row = table.iloc[[row_from]].copy()
        for column, value in edits.items():
            row[column] = value
        return pd.concat([table, row], ignore_index=True)
    return _edit(name, change)


def _drop_column(name, column):
    return _edit(name, lambda t: t.drop(columns=[column]))


def _rename_column(name, old, new):
    return _edit(name, lambda t: t.rename(columns={old: new}))


def _recode(name, encoding, sep=","):
    def apply(folder):
        table = _read(folder, name)
        table.loc[0, "Nama Lengkap"] = "Dédé Sétiawan"
        (folder / name).write_bytes(table.to_csv(index=False, sep=sep).encode(encoding))
    return apply


def _truncate(name):
    def apply(folder):
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: int(len(data) * 0.6)])
    return apply


def _xlsx(folder):
    _read(folder, ROSTER).to_excel(folder / "roster.xlsx", index=False)
    (folder / ROSTER).unlink()
    _cohort(lambda s: s.update(files={"roster": "roster.xlsx"}))(folder)


def _no_chat(folder):
    (folder / CHAT).unlink()


def _remove(name):
    def apply(folder):
        (folder / name).unlink()
    return apply


def _rows_before_last_line(name, suffix: bytes):
    def apply(folder):
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data + suffix)
    return apply


ERROR, QUARANTINE, KEPT = "error", "quarantine", "kept"
CASES = {
    # the roster
    "roster empty file": (_write(ROSTER, b""), ERROR, r"roster.csv: is empty"),
    "roster header only": (_write(ROSTER, b"Nama Lengkap,No. HP / WhatsApp,Usia\n"), ERROR,
                           r"roster.csv: missing column `gender`"),
    "roster no rows": (_edit(ROSTER, lambda t: t.iloc[0:0]), ERROR,
                       r"roster.csv: has a header row but no registrations"),
    "roster truncated mid-row": (_truncate(ROSTER), QUARANTINE, (
        "roster.csv", "incomplete row: fewer cells than the header (file cut short?)")),
    "roster binary garbage": (_write(ROSTER, bytes(range(256)) * 4), ERROR,
                              r"roster.csv: is a binary file"),
    "roster utf-16 unicode text": (_recode(ROSTER, "utf-16", sep="\t"), KEPT, "roster.csv"),
    "roster utf-16 without a table": (_write(ROSTER, "Nama,No HP\nBudi,0812\n".encode("utf-16")),
                                      ERROR, r"roster.csv: missing column `age`"),
    "roster missing phone column": (_drop_column(ROSTER, "No. HP / WhatsApp"), ERROR,
                                    r"roster.csv: missing column `phone`"),
    "roster renamed age column": (_rename_column(ROSTER, "Usia (tahun)", "Umur Anda Sekarang"),
                                  ERROR, r"roster.csv: missing column `age`"),
    "roster two phone columns": (_edit(ROSTER, lambda t: t.assign(**{"Nomor HP": t.iloc[:, 2]})),
                                 ERROR, r"columns `No. HP / WhatsApp` and `Nomor HP` both mean"),
    "roster unknown sector": (_set(ROSTER, 3, "Sektor Pekerjaan Sebelumnya", "Garmenn"), ERROR,
                              r"roster.csv row 5, column `Sektor Pekerjaan Sebelumnya`: 'Garmenn'"
                              r".*did you mean 'garmen'"),
    "roster unknown gender": (_set(ROSTER, 0, "Jenis Kelamin", "X"), ERROR,
                              r"roster.csv row 2, column `Jenis Kelamin`: 'X' is not a known"),
    "roster unknown federation": (_set(ROSTER, 1, "Federasi Serikat Pekerja", "KSPI?"), ERROR,
                                  r"row 3, column `Federasi Serikat Pekerja`"),
    "roster age in words": (_set(ROSTER, 2, "Usia (tahun)", "empat puluh"), ERROR,
                            r"row 4, column `Usia \(tahun\)`: 'empat puluh' is not an age"),
    "roster impossible age": (_set(ROSTER, 2, "Usia (tahun)", "130"), ERROR,
                              r"row 4, column `Usia \(tahun\)`: '130' gives an age of 130"),
    "roster birth year of a child": (_set(ROSTER, 2, "Usia (tahun)", "2015"), ERROR,
                                     r"'2015' gives an age of 9, outside 15–80"),
    "roster blank row": (_append_row(ROSTER, 0, {c: "" for c in [
        "Cap waktu", "Nama Lengkap", "No. HP / WhatsApp", "Usia (tahun)", "Jenis Kelamin",
        "Sektor Pekerjaan Sebelumnya", "Federasi Serikat Pekerja", "Kabupaten/Kota Domisili",
        "Apakah Anda penyandang disabilitas?", "Status Pekerjaan"]}), QUARANTINE,
        ("roster.csv", "blank row")),
    "roster invalid phone": (_set(ROSTER, 4, "No. HP / WhatsApp", "12345"), QUARANTINE,
                             ("roster.csv", "phone number missing or not a valid Indonesian number")),
    "roster same phone twice": (_append_row(ROSTER, 5, {"Nama Lengkap": "Orang Lain"}), QUARANTINE,
                                ("roster.csv", "duplicate registration (first one kept)")),
    "roster same name and age twice": (_append_row(ROSTER, 6, {"No. HP / WhatsApp": "0819-1234-5678"}),
                                       QUARANTINE,
                                       ("roster.csv", "duplicate registration (first one kept)")),
    "roster windows-1252 with accents": (_recode(ROSTER, "cp1252"), KEPT, "roster.csv"),
    "roster utf-8 with BOM": (_recode(ROSTER, "utf-8-sig"), KEPT, "roster.csv"),
    "roster semicolon separated": (_recode(ROSTER, "utf-8", sep=";"), KEPT, "roster.csv"),
    "roster as xlsx": (_xlsx, KEPT, "roster.xlsx"),
    # attendance
    "attendance missing file": (_remove(ATTENDANCE), ERROR,
                                r"no attendance file: expected attendance.csv, attendance.xlsx"),
    "attendance person not on roster": (_append_row(ATTENDANCE, 0, {"No HP": "0899-0000-1111"}),
                                        QUARANTINE, ("attendance.csv", "person not on the roster")),
    "attendance person listed twice": (_append_row(ATTENDANCE, 0, {}), QUARANTINE,
                                       ("attendance.csv", "second row for the same person (first kept)")),
    "attendance missing session column": (_edit(ATTENDANCE, lambda t: t.drop(columns=[
        c for c in t.columns if c.startswith("Sesi 2")])), ERROR,
        r"attendance.csv: expected one column per session \[1, 2, 3\]"),
    "attendance unknown mark": (_edit(ATTENDANCE, lambda t: t.assign(
        **{t.columns[2]: ["mungkin"] + list(t.iloc[1:, 2])})), ERROR,
        r"attendance.csv row 2, column `Sesi 1 \(05/03\)`: 'mungkin' is not a known attended"),
    "attendance nobody at session 1": (_edit(ATTENDANCE, lambda t: t.assign(
        **{t.columns[2]: ""})), ERROR, r"attendance.csv: nobody is marked present at session 1"),
    "attendance blank row": (_append_row(ATTENDANCE, 0, {"Nama": "", "No HP": "", "Sesi 1 (05/03)": "",
                                                         "Sesi 2 (12/03)": "", "Sesi 3 (19/03)": ""}),
                             QUARANTINE, ("attendance.csv", "blank row")),
    # follow-up
    "followup unknown value": (_set(FOLLOWUP, 0, "Terdaftar BPJSTK", "kadang"), ERROR,
                               r"followup.csv row 2, column `Terdaftar BPJSTK`: 'kadang'"),
    "followup person not on roster": (_append_row(FOLLOWUP, 0, {"No HP": "0899-0000-2222"}),
                                      QUARANTINE, ("followup.csv", "person not on the roster")),
    "followup unknown stop reason": (_set(FOLLOWUP, 3, "Alasan berhenti", "bosan"), ERROR,
                                     r"followup.csv row 5, column `Alasan berhenti`: 'bosan' is "
                                     r"not a known stop_reason label"),
    "followup without reasons": (_drop_column(FOLLOWUP, "Alasan berhenti"), KEPT, FOLLOWUP),
    "followup reasons under another header": (
        _rename_column(FOLLOWUP, "Alasan berhenti", "Reason for stopping"), KEPT, FOLLOWUP),
    "followup reason given by everyone": (_edit(FOLLOWUP, lambda t: t.assign(
        **{"Alasan berhenti": "Urusan keluarga"})), KEPT, FOLLOWUP),  # completers too: a warning
    # the chat export
    "chat unknown format": (_write(CHAT, b"Daftar hadir\nBudi: hadir\n"), ERROR,
                            r"chat.txt line 1: is not a WhatsApp chat export in a known format"),
    "chat binary garbage": (_write(CHAT, b"\x00\x01\x02" * 100), ERROR,
                            r"chat.txt: is a binary file"),
    "chat empty": (_write(CHAT, b""), ERROR, r"chat.txt: is empty"),
    "chat impossible date": (_write(CHAT, b"31/02/24 10.00 - Budi: halo\n"), ERROR,
                             r"chat.txt line 1: date 31/2/24 10:00 is not a valid date"),
    "chat not utf-8": (_write(CHAT, "05/03/24 10.00 - Dédé: halo\n".encode("cp1252")), ERROR,
                       r"chat.txt line 1: is not UTF-8 text"),
    # no export: activity is not measured, and the report says so (tests/test_edge_cohorts.py)
    "chat missing": (_no_chat, KEPT, "roster.csv"),
    "chat stray text before the first message": (
        lambda f: (f / CHAT).write_bytes(b"Ekspor dari grup\n" + (f / CHAT).read_bytes()),
        ERROR, r"chat.txt line 1: line does not start with a date and time"),
    # cohort.yml
    "cohort.yml missing": (_remove("cohort.yml"), ERROR, r"cohort.yml: not found"),
    "cohort.yml not yaml": (_write("cohort.yml", b"id: [unclosed\n"), ERROR,
                            r"cohort.yml: is not valid YAML"),
    "cohort.yml missing fields": (_cohort(lambda s: (s.pop("sessions"), s.pop("place"))), ERROR,
                                  r"cohort.yml: missing field\(s\): place, sessions"),
    "cohort.yml wrong id": (_cohort(lambda s: s.update(id="other")), ERROR,
                            r"id 'other' differs from the folder name"),
    "cohort.yml sessions out of order": (_cohort(lambda s: s["sessions"].reverse()), ERROR,
                                         r"session dates must be distinct and in order"),
    "cohort.yml bad date": (_cohort(lambda s: s["sessions"][0].update(date="5 Maret")), ERROR,
                            r"session 1: '5 Maret' is not a date"),
    "real cohort without a key": (_cohort(lambda s: s.update(synthetic=False)), ERROR,
                                  r"No pseudonym key for a real cohort"),
    # hand-made linkage
    "overrides with a bad phone": (_write("linkage_overrides.csv",
                                          b"Nama di WhatsApp,No HP peserta\nBu Sari,nanti\n"),
                                   ERROR, r"linkage_overrides.csv row 2, column `No HP peserta`"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(case, cohort_copy, monkeypatch, tmp_path):
    damage, outcome, expected = CASES[case]
    monkeypatch.delenv("PROMISE_PSEUDONYM_KEY", raising=False)
    monkeypatch.setattr("analysis.ingest.identity.KEY_FILE", tmp_path / "no-key")
    damage(cohort_copy)
    if outcome == ERROR:
        with pytest.raises(InputError, match=expected):
            clean_cohort(cohort_copy)
        return
    cleaned = clean_cohort(cohort_copy)
    for file, entry in cleaned.quality["files"].items():
        assert entry["rows_in"] == entry["kept"] + entry["quarantined"], file
    if outcome == QUARANTINE:
        file, reason = expected
        assert cleaned.quality["files"][file]["reasons"].get(reason, 0) >= 1
        assert reason in set(cleaned.quarantine["reason"])
    else:
        entry = cleaned.quality["files"][expected]
        assert entry["kept"] == entry["rows_in"] - entry["quarantined"] > 0


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_check_lists_every_problem_of_a_damaged_cohort_in_one_run(cohort_copy):
    import csv
    import subprocess
    import sys

    from conftest import PROJECT_ROOT

    rows = list(csv.reader((cohort_copy / ROSTER).open(encoding="utf-8")))
    header = rows[0]
    damage = {2: ("Sektor Pekerjaan Sebelumnya", "Garmenn"), 4: ("Usia (tahun)", "empat puluh"),
              5: ("Jenis Kelamin", "?"), 6: ("Federasi Serikat Pekerja", "FSP XYZ"),
              7: ("No. HP / WhatsApp", "nanti")}
    for index, (column, value) in damage.items():
        rows[index][header.index(column)] = value
    with (cohort_copy / ROSTER).open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    done = subprocess.run([sys.executable, "-m", "analysis", "check", cohort_copy.name,
                           "--data-dir", cohort_copy.parent.parent], cwd=PROJECT_ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    expected = ["row 3, column `Sektor Pekerjaan Sebelumnya`: 'Garmenn' is not a known sector "
                "label", "did you mean 'garmen'?",
                "row 5, column `Usia (tahun)`: 'empat puluh' is not an age",
                "row 6, column `Jenis Kelamin`: '?' is not a known gender label",
                "row 7, column `Federasi Serikat Pekerja`: 'FSP XYZ' is not a known federation"]
    assert len(errors) == 4
    for text in expected:
        assert any(text in line for line in errors), text
    assert any("roster.csv: row left out of the analysis, phone number missing or not a valid "
               "Indonesian number: row 8" in line
               for line in done.stderr.splitlines() if line.startswith("warning: "))
    with pytest.raises(InputError, match="4 problems in the raw files:\n  .*roster.csv row 3"):
        clean_cohort(cohort_copy)
