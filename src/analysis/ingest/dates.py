"""Dates as people write them, in cohort.yml and in attendance headers, read without guessing.

Staff write a session date as 2023-08-08, 08/08/2023, 8.8.23, "8 Agustus 2023", "8 Agt 2023"
or "Selasa, 8 Agustus 2023". A date read wrongly moves a session, and with it who counts as a
dropout, so nothing here guesses silently:

- month names (Indonesian and English) are read by dateparser with every part required and no
  relative words ("kemarin", "tomorrow"), so the result never depends on today's date;
- a weekday, when written, must be the date's weekday;
- a numeric date is read with the other dates of its list: a first field above 12 makes the
  list day-first, a second field above 12 month-first (both: refused). When the list does not
  tell, a date whose two readings differ (03/04/2023) is refused with both; 08/08/2023 is not.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from analysis.errors import InputError

LANGUAGES = ["id", "en"]  # month and weekday names are read in these languages
DAY_FIRST, MONTH_FIRST = "day_first", "month_first"
# Every part written, no relative phrases, nothing taken from today.
_SETTINGS = {
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["absolute-time"],
    "RELATIVE_BASE": dt.datetime(2000, 1, 1),
    "PREFER_DAY_OF_MONTH": "first",
    "DATE_ORDER": "DMY",
    "PREFER_LOCALE_DATE_ORDER": False,
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WORD = r"[^\W\d_]+"
_YEAR = r"(?:19|20)\d{2}"
_ISO = re.compile(rf"(?<![\d/.-])({_YEAR})([-/.])(\d{{1,2}})\2(\d{{1,2}})(?![\d/.-])")
_NUMERIC = re.compile(rf"(?<![\d/.-])(\d{{1,2}})([-/.])(\d{{1,2}})(?:\2({_YEAR}|\d{{2}}))?"
                      r"(?![\d/.-])")
_NAMED = re.compile(rf"(?<!\w)(?:(?P<weekday>{_WORD}(?:['’`]{_WORD})?)\s*,?\s+)?"
                    rf"(?P<day>\d{{1,2}})\s+(?P<month>{_WORD})\.?(?:\s+(?P<year>{_YEAR}))?(?!\w)")
_NAMED_MONTH_FIRST = re.compile(  # English: "August 8, 2023", "Tuesday, Aug 8, 2023"
    rf"(?<!\w)(?:(?P<weekday>{_WORD})\s*,?\s+)?(?P<month>{_WORD})\.?\s+(?P<day>\d{{1,2}}),?"
    rf"(?:\s+(?P<year>{_YEAR}))?(?!\w)")


@dataclass(frozen=True)
class Written:
    """One date as written, before the list it is in says how to read a numeric one."""

    text: str
    first: int | None = None  # numeric d/m or m/d: the two fields in the order written
    second: int | None = None
    named: str | None = None  # "8 Agustus": a date with a month name, without weekday and year
    year: int | None = None  # as written (yy is 20yy); None when left out (attendance headers)
    weekday: int | None = None  # Monday = 0, when written
    year_first: bool = False  # 2023-08-22: first is the day, second the month, nothing to infer

    @property
    def numeric(self) -> bool:
        """d/m or m/d: how to read it may depend on the list it is in."""
        return self.first is not None and not self.year_first

    def readings(self, years=()) -> list[tuple[str | None, dt.date]]:
        """Every (order, date) this can be: day- and month-first for a numeric date (the valid
        ones), order None otherwise. A date without a year is read in each of `years`."""
        found = []
        for year in ([self.year] if self.year is not None else dict.fromkeys(years)):
            if self.named is not None:
                date = _named_date(f"{self.named} {year}")
                found += [(None, date)] if date is not None else []
                continue
            if self.year_first or self.first == self.second:
                pairs = [(None, self.first, self.second)]
            else:
                pairs = [(DAY_FIRST, self.first, self.second), (MONTH_FIRST, self.second, self.first)]
            for order, day, month in pairs:
                try:
                    found.append((order, dt.date(year, month, day)))
                except ValueError:
                    continue
        return found

    def weekday_problem(self, date: dt.date) -> str | None:
        """The complaint when the written weekday is not the date's (None when it is)."""
        if self.weekday is None or self.weekday == date.weekday():
            return None
        return (f"'{self.text}' names a {_WEEKDAYS[self.weekday].title()}, but {say(date)} is a "
                f"{_WEEKDAYS[date.weekday()].title()}")


def say(date: dt.date, year: bool = True) -> str:
    """8 August 2023 (English month names whatever the machine's locale)."""
    return f"{date.day} {_MONTHS[date.month - 1]}" + (f" {date.year}" if year else "")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


@cache
def _named_date(text: str) -> dt.date | None:
    import dateparser  # here: 0.1 s to import, and only a month name needs it

    parsed = dateparser.parse(text, languages=LANGUAGES, settings=_SETTINGS)
    return None if parsed is None else parsed.date()


@cache
def _weekdays() -> dict[str, int]:
    """Weekday names and abbreviations in LANGUAGES, folded: dateparser's own locale data."""
    from dateparser.languages.loader import default_loader

    names: dict[str, int] = {}
    for language in LANGUAGES:
        info = default_loader.get_locale(language).info
        for number, day in enumerate(_WEEKDAYS):
            for name in info.get(day, []):
                names[_fold_word(name)] = number
    return names


def _fold_word(word: str) -> str:
    return re.sub(r"['’`.]", "", word.casefold())


def _weekday(word: str | None) -> int | None | bool:
    """Monday = 0; None when no weekday is written; False when the word is not a weekday."""
    if word is None:
        return None
    return _weekdays().get(_fold_word(word), False)


def _from_named(match: re.Match) -> Written | None:
    weekday = _weekday(match.group("weekday"))
    if weekday is False:
        return None
    named = f"{match.group('day')} {match.group('month')}"
    if _named_date(f"{named} 2000") is None:  # not a month name (2000: 29 February exists)
        return None
    year = match.group("year")
    return Written(match.group(0).strip(), named=named, year=int(year) if year else None,
                   weekday=weekday)


def _from_iso(match: re.Match) -> Written:
    """Year first is always year, month, day."""
    return Written(match.group(0), first=int(match.group(4)), second=int(match.group(3)),
                   year=int(match.group(1)), year_first=True)


def _from_numeric(match: re.Match) -> Written:
    year = match.group(4)
    if year is not None:
        year = int(year) + (2000 if len(year) == 2 else 0)
    return Written(match.group(0), first=int(match.group(1)), second=int(match.group(3)),
                   year=year)


def read_written(text: str) -> Written | None:
    """The date a whole text is ("Selasa, 8 Agustus 2023", "08/08/23"), or None."""
    text = _fold(text)
    if match := _ISO.fullmatch(text):
        return _from_iso(match)
    if match := _NUMERIC.fullmatch(text):
        return _from_numeric(match)
    for pattern in (_NAMED, _NAMED_MONTH_FIRST):
        if (match := pattern.fullmatch(text)) and (written := _from_named(match)):
            return written
    return None


def find_dates(text: str) -> list[Written]:
    """Every date a header holds ("Sesi ke-2, 15/08", "Selasa, 22 Agt 2023"), in order. A
    numeric date without a year needs / or - ("8.5" is a number)."""
    text = _fold(text)
    found: list[tuple[int, Written]] = []
    taken = [False] * len(text)

    def free(match):
        return not any(taken[match.start():match.end()])

    def take(match, written):
        found.append((match.start(), written))
        taken[match.start():match.end()] = [True] * (match.end() - match.start())

    for match in _ISO.finditer(text):
        take(match, _from_iso(match))
    for pattern, start in ((_NAMED, "day"), (_NAMED_MONTH_FIRST, "month")):
        for match in pattern.finditer(text):
            if match.group("weekday") and _weekday(match.group("weekday")) is False:
                match = pattern.match(text, match.start(start))  # "Kelas 8 Agt": from the day
            if match and free(match) and (written := _from_named(match)):
                take(match, written)
    for match in _NUMERIC.finditer(text):
        if free(match) and (match.group(4) or match.group(2) != "."):
            take(match, _from_numeric(match))
    return [w for _, w in sorted(found, key=lambda f: f[0])]


def list_order(items: list[tuple[str, Written]], file) -> str | None:
    """How a list of numeric dates reads: DAY_FIRST when some first field is above 12,
    MONTH_FIRST when some second field is, None when none tells. `items`: (where, written)."""
    numeric = [(where, w) for where, w in items if w.numeric]
    day_first = [(where, w) for where, w in numeric if 12 < w.first <= 31 and w.second <= 12]
    month_first = [(where, w) for where, w in numeric if 12 < w.second <= 31 and w.first <= 12]
    if day_first and month_first:
        (a, wa), (b, wb) = day_first[0], month_first[0]
        raise InputError(file, f"{a} '{wa.text}' can only be day first but {b} '{wb.text}' only "
                               "month first; write the dates as 2023-08-22 or 22 Agustus 2023")
    return DAY_FIRST if day_first else MONTH_FIRST if month_first else None


def ambiguity(written: Written, readings) -> str:
    """The refusal of a date that reads two ways, with the reading it would take."""
    by_order = dict(readings)
    day, month = by_order[DAY_FIRST], by_order[MONTH_FIRST]
    return (f"'{written.text}' is ambiguous: day first it is {say(day)}, month first "
            f"{say(month)}; write {day.isoformat()} or {say(day)}")


def parse_dates(values, file, places) -> list[dt.date]:
    """The dates of a list (cohort.yml's sessions), read as a whole: a YAML date, ISO, dd/mm/yyyy
    (also . or -, yy or yyyy), or with a month name. `places` names each value in errors
    ("session 2")."""
    places = list(places)
    written: list[Written | dt.date] = []
    for value, place in zip(values, places, strict=True):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            written.append(value)
            continue
        w = None if value is None or isinstance(value, bool) else read_written(str(value))
        if w is None:
            raise InputError(file, f"{place}: '{value}' is not a date (write it as 2023-08-08 "
                                   "or 8 Agustus 2023)")
        if w.year is None:
            raise InputError(file, f"{place}: '{value}' is not a date: the year is missing "
                                   "(write it as 2023-08-08 or 8 Agustus 2023)")
        written.append(w)
    order = list_order([(p, w) for p, w in zip(places, written, strict=True)
                        if isinstance(w, Written)], file)
    dates = []
    for w, place in zip(written, places, strict=True):
        if isinstance(w, dt.date):
            dates.append(w)
            continue
        readings = [(o, d) for o, d in w.readings() if o is None or order is None or o == order]
        if not readings:
            raise InputError(file, f"{place}: '{w.text}' is not a date"
                             + (" read " + order.replace("_", " ") if order and w.numeric else "")
                             + " (write it as 2023-08-08 or 8 Agustus 2023)")
        if len({d for _, d in readings}) > 1:
            raise InputError(file, f"{place}: {ambiguity(w, readings)}")
        date = readings[0][1]
        if problem := w.weekday_problem(date):
            raise InputError(file, f"{place}: {problem}")
        dates.append(date)
    return dates


def parse_date(value, file, place: str) -> dt.date:
    """One date on its own: a numeric one must read the same day and month first."""
    return parse_dates([value], file, [place])[0]
