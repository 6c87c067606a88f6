"""Dates as the reports' readers write them: "8 Agustus 2023", "8 August 2023". results.json
keeps ISO dates (2023-08-08), which sort and compare; a reader sees the day, the month's name
and the year. Month names are written here, not taken from the machine's locale, so a report
reads the same on every machine."""

from __future__ import annotations

import datetime as dt

from analysis.report.catalogue import t

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def reader_date(value: str | dt.date, lang: str) -> str:
    """2023-08-08 -> "8 Agustus 2023" (id) or "8 August 2023" (en)."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def reader_day(value: str | dt.date, lang: str) -> str:
    """A date without its year, for axes and lists within one cohort: "8 Agustus"."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[lang][day.month - 1]}"


def reader_dates(values, lang: str) -> str:
    """Several dates in one phrase: "8, 15 dan 22 Agustus 2023" when they share a month and a
    year, otherwise each in full ("29 Agustus dan 5 September 2023")."""
    days = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
    if not days:
        return ""
    joiner = f" {t('alt_and', lang)} "

    def joined(parts):
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + joiner + parts[-1]

    if len({(d.year, d.month) for d in days}) == 1:
        return f"{joined([str(d.day) for d in days])} {MONTHS[lang][days[0].month - 1]} " \
               f"{days[0].year}"
    if len({d.year for d in days}) == 1:
        return f"{joined([reader_day(d, lang) for d in days])} {days[0].year}"
    return joined([reader_date(d, lang) for d in days])
