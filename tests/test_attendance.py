"""Attendance as staff send it: session columns headed by number or by date, marks as staff
write them, and an unknown mark as one error that lists its rows.

The small cohort's sessions are Tuesday 5, 12 and 19 March 2024; its sheet is headed
"Sesi 1 (05/03)", "Sesi 2 (12/03)", "Sesi 3 (19/03)".
"""

import itertools

import pandas as pd
import pytest
import yaml

from analysis import codebook
from analysis.errors import InputError
from analysis.ingest.clean import clean_cohort

ATTENDANCE = "attendance.csv"
SESSIONS = ["Sesi 1 (05/03)", "Sesi 2 (12/03)", "Sesi 3 (19/03)"]


def _sheet(folder):
    return pd.read_csv(folder / ATTENDANCE, dtype=str, keep_default_na=False)


def _write(folder, sheet):
    sheet.to_csv(folder / ATTENDANCE, index=False)


def _attended(cleaned):
    return cleaned.participants.set_index("participant_id").filter(like="attended_session_")


@pytest.fixture(scope="module")
def expected(small_cohort):
    """Who attended which session in the untouched small cohort."""
    return _attended(clean_cohort(small_cohort))


@pytest.mark.parametrize("headers", [
    ["05/03/2024", "12/03/2024", "19/03/2024"],
    ["5/3", "12/3", "19/3"],
    ["05-03", "12-03", "19-03"],
    ["03/05/2024", "03/12/2024", "03/19/2024"],  # month first: 03/19 says so
    ["5 Maret 2024", "Selasa, 12 Mar 2024", "2024-03-19"],
    ["Selasa, 5 Maret", "12 March 2024", "Tuesday, Mar 19, 2024"],
    ["Sesi 1", "Kehadiran 12/03/24", "19 Maret"],
    ["Pertemuan 1", "Sesi 2 (12 Agt)", "Hari 3"],  # numbered: the date beside it is not read
])
def test_session_columns_headed_by_date(cohort_copy, expected, headers):
    sheet = _sheet(cohort_copy)
    _write(cohort_copy, sheet.rename(columns=dict(zip(SESSIONS, headers, strict=True))))
    pd.testing.assert_frame_equal(_attended(clean_cohort(cohort_copy)), expected)


def test_columns_in_another_order_still_find_their_session(cohort_copy, expected):
    sheet = _sheet(cohort_copy).rename(columns=dict(zip(SESSIONS, ["5/3", "12/3", "19/3"],
                                                        strict=True)))
    _write(cohort_copy, sheet[["Nama", "No HP", "19/3", "5/3", "12/3"]])
    pd.testing.assert_frame_equal(_attended(clean_cohort(cohort_copy)), expected)


def _headed(headers):
    def damage(folder):
        _write(folder, _sheet(folder).rename(columns=dict(zip(SESSIONS, headers, strict=True))))
    return damage


@pytest.mark.parametrize("headers, message", [
    (["05/03/2024", "12/03/2024", "26/03/2024"],
     r"attendance.csv, column `26/03/2024`: '26/03/2024' in the header is 26 March 2024, which "
     r"is no session's date \(sessions: 1: 5 March 2024, 2: 12 March 2024, 3: 19 March 2024\)"),
    (["05/03/2024", "12/03/2023", "Sesi 3"],  # no 13+ field: both readings
     r"column `12/03/2023`: '12/03/2023' in the header is 12 March 2023 or 3 December 2023, "
     r"which is no session's date"),
    (["Sesi 1", "05/03/2024", "Sesi 3"],
     r"attendance.csv: columns `Sesi 1` and `05/03/2024` are both session 1; keep one of them"),
    (["Sesi 1", "Sesi 1 (12/03)", "Sesi 3"],
     r"columns `Sesi 1` and `Sesi 1 \(12/03\)` are both session 1"),
    (["15/03/2024", "03/19/2024", "Sesi 2"],
     r"column `15/03/2024` '15/03/2024' can only be day first but column `03/19/2024` '03/19/2024' "
     r"only month first"),
    (["Sesi 1", "8/8 - 15/8", "Sesi 3"], r"column `8/8 - 15/8`: the header holds 2 dates"),
    (["Rabu, 5 Maret 2024", "Sesi 2", "Sesi 3"],
     r"column `Rabu, 5 Maret 2024`: 'Rabu, 5 Maret 2024' names a Wednesday, but 5 March 2024 is "
     r"a Tuesday"),
])
def test_a_date_header_that_is_not_one_session_is_an_error(cohort_copy, headers, message):
    _headed(headers)(cohort_copy)
    with pytest.raises(InputError, match=message):
        clean_cohort(cohort_copy)


def test_a_header_that_reads_as_two_sessions_is_an_error(cohort_copy):
    """05/03 is session 1 (5 March) day first and session 3 (3 May) month first."""
    spec = yaml.safe_load((cohort_copy / "cohort.yml").read_text(encoding="utf-8"))
    spec["sessions"][2]["date"] = "2024-05-03"
    (cohort_copy / "cohort.yml").write_text(yaml.safe_dump(spec, allow_unicode=True),
                                            encoding="utf-8")
    _headed(["05/03", "12/03/2024", "Sesi 3"])(cohort_copy)
    with pytest.raises(InputError, match=r"column `05/03`: '05/03' in the header is session 1 "
                                         r"\(5 March 2024\) read day first but session 3 \(3 May "
                                         r"2024\) read month first"):
        clean_cohort(cohort_copy)


PRESENT = ["✓", "✔", "✔️", "☑", "☑️", "✅", "√", "v", "V", "TRUE", "True", "Benar", "1", "Ya",
           "H", "Hadir", "HADIR", "terlambat", "Telat", "online", "Daring", "Zoom",
           "hadir online", "Hadir (online)", "Luring", "offline", "Onsite", "present", " hadir "]
ABSENT = ["", "✗", "✘", "❌", "x", "X", "FALSE", "Salah", "0", "Tidak", "tidak hadir", "I",
          "Izin", "S", "Sakit", "A", "Alpa", "Alfa", "Alpha", "TK", "tanpa keterangan", "-"]


def test_marks_as_staff_write_them_are_coded_right():
    coded = codebook.code_values(pd.Series(PRESENT + ABSENT), "attended", ATTENDANCE, "Sesi 1",
                                 pd.Series(range(2, 2 + len(PRESENT) + len(ABSENT))))
    assert coded.tolist() == [True] * len(PRESENT) + [False] * len(ABSENT)


def test_no_mark_means_both_present_and_absent():
    seen = {}
    for code, spec in codebook.load_codebook()["variables"]["attended"]["values"].items():
        for spelling in spec["raw"]:
            assert seen.setdefault(codebook.fold_value(spelling), code) == code, spelling


def test_a_sheet_marked_every_way_cleans_to_the_same_attendance(cohort_copy, expected):
    sheet = _sheet(cohort_copy)
    lookup = codebook.value_lookup("attended")
    present, absent = itertools.cycle(PRESENT), itertools.cycle(ABSENT)
    for column in SESSIONS:
        sheet[column] = [next(present) if lookup[codebook.fold_value(v)] else next(absent)
                         for v in sheet[column]]
    _write(cohort_copy, sheet)
    pd.testing.assert_frame_equal(_attended(clean_cohort(cohort_copy)), expected)


def test_an_unknown_mark_is_one_error_listing_its_rows(cohort_copy):
    sheet = _sheet(cohort_copy)
    sheet.loc[[2, 7, 10], SESSIONS[1]] = "??"
    _write(cohort_copy, sheet)
    with pytest.raises(InputError) as caught:
        clean_cohort(cohort_copy)
    assert caught.value.row == 4 and caught.value.column == SESSIONS[1]
    assert str(caught.value) == (
        f"{cohort_copy / ATTENDANCE} row 4, column `Sesi 2 (12/03)`: '??' is not a known attended "
        "label (codes: False, True) in rows 4, 9, 12 (3 rows). Add the spelling to "
        "src/analysis/codebook.yml if it is right.")


def test_unknown_marks_are_one_error_per_column_and_value(cohort_copy):
    sheet = _sheet(cohort_copy)
    sheet.loc[[2, 7], SESSIONS[1]] = "??"
    sheet.loc[[3], SESSIONS[2]] = "??"
    sheet.loc[[5, 6], SESSIONS[2]] = "hadirr"
    _write(cohort_copy, sheet)
    with pytest.raises(InputError, match="3 problems in the raw files") as caught:
        clean_cohort(cohort_copy)
    lines = [line.strip().replace(f"{cohort_copy}/", "")
             for line in str(caught.value).splitlines()[1:]]
    assert [line.split(": ", 1)[0] for line in lines] == [
        "attendance.csv row 4, column `Sesi 2 (12/03)`",
        "attendance.csv row 5, column `Sesi 3 (19/03)`",
        "attendance.csv row 7, column `Sesi 3 (19/03)`"]
    assert "'??' is not a known attended label (codes: False, True) in rows 4, 9 (2 rows)." \
        in lines[0]
    assert "'hadirr' is not a known attended label (codes: False, True) in rows 7, 8 (2 rows); " \
        "did you mean 'hadir'?" in lines[2]
