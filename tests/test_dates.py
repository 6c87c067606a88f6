"""Dates as people write them (analysis.ingest.dates): every accepted form, and every refusal."""

import datetime as dt

import pytest

from analysis.errors import InputError
from analysis.ingest import dates
from analysis.ingest.cohort import load_cohort

AUG_8 = dt.date(2023, 8, 8)


@pytest.mark.parametrize("written", [
    "2023-08-08", AUG_8, dt.datetime(2023, 8, 8, 9, 30),
    "08/08/2023", "8/8/2023", "08.08.2023", "08-08-2023", "08/08/23", "8.8.23",
    "8 Agustus 2023", "8 Agt 2023", "8 Agu 2023", "8 agustus 2023", "8 Aug 2023",
    "8 August 2023", "Selasa, 8 Agustus 2023", "Selasa 8 Agt 2023", "Tuesday, 8 August 2023",
    "August 8, 2023", "  8  Agustus   2023 ",
])
def test_every_accepted_form_is_the_same_day(written):
    assert dates.parse_date(written, "cohort.yml", "session 1") == AUG_8


def test_indonesian_month_spellings_old_and_new():
    for written, month, day in [("5 Maret 2024", 3, 5), ("5 Mei 2024", 5, 5),
                                ("5 Okt 2024", 10, 5), ("5 Des 2024", 12, 5),
                                ("5 Pebruari 2024", 2, 5), ("5 Nop 2024", 11, 5),
                                ("Jum'at, 8 Maret 2024", 3, 8), ("Minggu, 10 Maret 2024", 3, 10)]:
        assert dates.parse_date(written, "c", "s") == dt.date(2024, month, day), written


def test_a_day_above_12_makes_the_whole_list_day_first():
    got = dates.parse_dates(["08/09/2023", "15/09/2023", "05/10/2023"], "cohort.yml",
                            ["session 1", "session 2", "session 3"])
    assert got == [dt.date(2023, 9, 8), dt.date(2023, 9, 15), dt.date(2023, 10, 5)]


def test_a_second_field_above_12_makes_the_whole_list_month_first():
    got = dates.parse_dates(["09/08/2023", "09/15/2023", "10/05/2023"], "cohort.yml",
                            ["session 1", "session 2", "session 3"])
    assert got == [dt.date(2023, 9, 8), dt.date(2023, 9, 15), dt.date(2023, 10, 5)]


def test_a_list_that_is_day_first_and_month_first_is_refused():
    with pytest.raises(InputError, match=r"cohort.yml: session 1 '15/08/2023' can only be day "
                                         r"first but session 3 '08/22/2023' only month first"):
        dates.parse_dates(["15/08/2023", "2023-08-18", "08/22/2023"], "cohort.yml",
                          ["session 1", "session 2", "session 3"])


def test_an_ambiguous_date_is_refused_with_both_readings():
    with pytest.raises(InputError) as caught:
        dates.parse_dates(["2023-03-28", "03/04/2023"], "cohort.yml", ["session 1", "session 2"])
    assert str(caught.value) == (
        "cohort.yml: session 2: '03/04/2023' is ambiguous: day first it is 3 April 2023, month "
        "first 4 March 2023; write 2023-04-03 or 3 April 2023")


def test_the_same_day_and_month_is_not_ambiguous():
    assert dates.parse_dates(["08/08/2023", "09/09/2023"], "cohort.yml", ["a", "b"]) == [
        AUG_8, dt.date(2023, 9, 9)]


@pytest.mark.parametrize("garbage", [
    "kemarin", "besok", "tomorrow", "yesterday", "2 hari yang lalu", "next week", "Selasa",
    "foo", "", "31/02/2023", "2023-02-30", "13/13/2023", "29 Februari 2023", "8 Agustus",
    "8 Agustusan 2023", "Sesi 8 Agustus 2023", "8 Agustus 2023 jam 10", "20230808", None, 8,
    True, "08/08/0023",
])
def test_garbage_and_relative_words_are_refused(garbage):
    with pytest.raises(InputError, match=r"cohort.yml: session 1: .* is not a date"):
        dates.parse_date(garbage, "cohort.yml", "session 1")


def test_a_weekday_that_is_not_the_dates_is_refused():
    with pytest.raises(InputError, match=r"'Rabu, 8 Agustus 2023' names a Wednesday, but 8 "
                                         r"August 2023 is a Tuesday"):
        dates.parse_date("Rabu, 8 Agustus 2023", "cohort.yml", "session 1")


def test_todays_date_does_not_matter(monkeypatch):
    """The same answers with the clock moved to another year and month: nothing is filled in
    from today, and a relative word stays refused."""
    import sys

    import dateparser

    real = dt.datetime

    class Elsewhen(real):
        @classmethod
        def now(cls, tz=None):
            return real(2031, 2, 27, 23, 59, tzinfo=tz)

        @classmethod
        def utcnow(cls):
            return real(2031, 2, 27, 23, 59)

        @classmethod
        def today(cls):
            return real(2031, 2, 27, 23, 59)

    for name, module in list(sys.modules.items()):
        if (name.startswith("dateparser") and name != "dateparser.conf"  # conf checks types
                and getattr(module, "datetime", None) is real):
            monkeypatch.setattr(module, "datetime", Elsewhen)
    dates._named_date.cache_clear()
    try:
        # the clock did move: without our settings a date lacking its year is this year
        assert dateparser.parse("8 Agustus", languages=["id"]).year == 2031
        assert dates.parse_date("8 Agustus 2023", "c", "s") == AUG_8
        assert dates.parse_date("Selasa, 8 Agt 2023", "c", "s") == AUG_8
        for refused in ("kemarin", "8 Agustus", "Selasa", "tomorrow"):
            with pytest.raises(InputError, match="is not a date"):
                dates.parse_date(refused, "c", "s")
    finally:
        dates._named_date.cache_clear()


def test_headers_hold_dates_with_or_without_a_year():
    def read(header):
        return [w.readings([2023]) for w in dates.find_dates(header)]

    aug_22 = [[(None, dt.date(2023, 8, 22))]]
    assert read("2023-08-22") == aug_22
    assert read("Selasa, 22 Agt 2023") == aug_22
    assert read("22 Agustus") == aug_22
    assert read("Kehadiran 22/08") == [[(dates.DAY_FIRST, dt.date(2023, 8, 22))]]
    assert read("8/8") == read("08-08") == read("08/08/2023") == [[(None, AUG_8)]]
    assert read("03/04") == [[(dates.DAY_FIRST, dt.date(2023, 4, 3)),
                              (dates.MONTH_FIRST, dt.date(2023, 3, 4))]]
    assert read("Nama") == read("Nilai 8.5") == read("Keterangan") == []
    assert len(read("8/8 - 15/8")) == 2


def _cohort_yml(folder, sessions):
    folder.mkdir()
    lines = ["id: " + folder.name, "title: {id: Uji, en: Test}", "place: Bekasi", "sessions:"]
    lines += [f"  - {{number: {i}, date: {d}}}" for i, d in enumerate(sessions, start=1)]
    (folder / "cohort.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_cohort_yml_reads_sessions_as_people_write_them(tmp_path):
    folder = _cohort_yml(tmp_path / "2023-08-x", [
        "2023-08-08", "'15/08/2023'", "'Selasa, 22 Agustus 2023'", "29 Aug 2023", "'05/09/23'"])
    assert load_cohort(folder).session_dates == (
        AUG_8, dt.date(2023, 8, 15), dt.date(2023, 8, 22), dt.date(2023, 8, 29),
        dt.date(2023, 9, 5))


def test_cohort_yml_refuses_an_ambiguous_session_date(tmp_path):
    folder = _cohort_yml(tmp_path / "2023-03-x", ["2023-03-28", "'03/04/2023'"])
    with pytest.raises(InputError, match=r"cohort.yml: session 2: '03/04/2023' is ambiguous: day "
                                         r"first it is 3 April 2023, month first 4 March 2023; "
                                         r"write 2023-04-03 or 3 April 2023"):
        load_cohort(folder)
