"""Dates in the reports as readers write them; ISO stays in results.json."""

import datetime as dt

import pytest

from analysis.report.dates import MONTHS, reader_date, reader_dates, reader_day


@pytest.mark.parametrize("iso, lang, text", [
    ("2023-08-08", "id", "8 Agustus 2023"), ("2023-08-08", "en", "8 August 2023"),
    ("2024-03-05", "id", "5 Maret 2024"), ("2023-05-31", "id", "31 Mei 2023"),
    ("2023-12-01", "en", "1 December 2023"),
])
def test_a_date_as_readers_write_it(iso, lang, text):
    assert reader_date(iso, lang) == text
    assert reader_date(dt.date.fromisoformat(iso), lang) == text


def test_every_month_is_named_in_both_languages_and_round_trips_through_the_reader():
    """The names are the ones the cleaning reads back (dateparser, 'id' and 'en')."""
    import dateparser

    for lang in ("id", "en"):
        assert len(MONTHS[lang]) == 12
        for month in range(1, 13):
            day = dt.date(2023, month, 8)
            parsed = dateparser.parse(reader_date(day, lang), languages=[lang],
                                      settings={"DATE_ORDER": "DMY"})
            assert parsed.date() == day


def test_sessions_in_one_phrase():
    assert reader_dates(["2023-08-08", "2023-08-15", "2023-08-22"], "id") == \
        "8, 15 dan 22 Agustus 2023"
    assert reader_dates(["2023-08-29", "2023-09-05"], "en") == "29 August and 5 September 2023"
    assert reader_dates(["2023-12-28", "2024-01-04"], "en") == \
        "28 December 2023 and 4 January 2024"
    assert reader_dates(["2023-08-08"], "en") == "8 August 2023"
    assert reader_day("2023-08-08", "id") == "8 Agustus"
