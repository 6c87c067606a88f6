"""Synthetic stage: a clean generated raw cohort folder rewritten the way real deliveries come.

Why this exists: staff do not send the generator's tidy CSVs. They send Excel workbooks with a
title row, phone numbers Excel turned into floats, a roster saved as "Unicode Text", the chat
zipped by a phone "with media", two exports of one group from two phones, attendance ticked in
a Google Sheet. The pipeline must read each of these with exactly the demo's numbers, or refuse
it with one line naming file, row, column and the fix; never change a number silently. The
tests (tests/test_deliveries.py) deliver the Jakarta demo in every shape here and hold the
pipeline to that. Nothing here is read by the pipeline itself.

Each shape rewrites a folder in place: `shape(folder, rng) -> None`, deterministic given the
rng. `deliver` copies a folder and applies shapes. Shapes that edit what is in the files (cell
values, headers, the chat, cohort.yml) run before shapes that change a file's format or name,
each group in the order given, as a real file is typed before it is saved: so
`xlsx-title-rows + honorifics` writes a workbook whose names carry titles. Each shape gets its
own random stream from (seed, shape name): a shape writes the same cells alone or combined.

Module-level imports are the standard library only: the CLI lists SHAPES in its help on every
command.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import yaml

ROSTER, ATTENDANCE = "roster.csv", "attendance.csv"
CHAT = "whatsapp/chat.txt"
ID_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember"]
ID_MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov",
                   "Des"]
EN_MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                   "Dec"]
ID_WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
TITLE_ROW = "DAFTAR PESERTA PELATIHAN RESELLER DIGITAL"
UNKNOWN_MARK = "??"
ZIP_TIME = (2023, 9, 1, 9, 30, 0)  # fixed, so that a zip's bytes depend on the seed only


# --- reading and writing the folder's tables -----------------------------------------------

def _read_csv(path: Path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write_csv(frame, path: Path) -> None:
    frame.to_csv(path, index=False)


def _columns(frame, table: str, path: Path) -> dict[str, str]:
    """canonical variable -> the header this file uses for it (codebook spellings)."""
    from analysis import codebook

    headers = codebook.match_headers([str(c) for c in frame.columns], table, path)
    return {variable: header for header, variable in headers.items()}


def _session_columns(frame) -> dict[int, str]:
    from analysis import codebook

    pattern = re.compile(codebook.load_codebook()["tables"]["attendance"]["session_header_pattern"])
    found = {}
    for column in frame.columns:
        match = pattern.match(codebook.fold_header(column))
        if match:
            found[int(match.group(1))] = column
    return dict(sorted(found.items()))


def _need(folder: Path, name: str, shape: str) -> Path:
    path = folder / name
    if not path.exists():
        raise ValueError(f"shape {shape} needs {name} in {folder}; another shape already "
                         "changed it (these two shapes do not combine)")
    return path


def _e164(raw) -> str | None:
    """The roster phone as a number, read through what content shapes may have written."""
    from analysis.ingest.identity import normalise_phone

    return normalise_phone(re.sub(r"\.0$", "", str(raw).strip()))


# --- cohort.yml ----------------------------------------------------------------------------

def _read_cohort_yml(folder: Path) -> tuple[str, dict]:
    text = (folder / "cohort.yml").read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    return header, yaml.safe_load(text)


def _write_cohort_yml(folder: Path, header: str, spec: dict) -> None:
    (folder / "cohort.yml").write_text(
        header + yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _parse_own_date(value) -> dt.date:
    """A session date as cohort.yml holds it, ISO or as the shapes here spell it."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2}) (\w+) (\d{4})", text):
        for months in (ID_MONTHS, EN_MONTHS_SHORT, ID_MONTHS_SHORT):
            if m[2] in months:
                return dt.date(int(m[3]), months.index(m[2]) + 1, int(m[1]))
    raise ValueError(f"cohort.yml: session date {value!r} is not one this module writes")


def _session_dates(folder: Path) -> list[dt.date]:
    _, spec = _read_cohort_yml(folder)
    return [_parse_own_date(s["date"] if isinstance(s, dict) else s) for s in spec["sessions"]]


def set_cohort_id(folder: Path, cohort_id: str) -> None:
    header, spec = _read_cohort_yml(folder)
    spec["id"] = cohort_id
    _write_cohort_yml(folder, header, spec)


# --- the chat ------------------------------------------------------------------------------

def _group_name(chat_text: str) -> str:
    match = re.search(r'(?:membuat grup|created group) "([^"]+)"', chat_text)
    if not match:
        raise ValueError("the chat export has no 'membuat grup \"…\"' line to name the group by")
    return match.group(1)


def _chat_records(folder: Path, path: Path):
    from analysis.ingest.chat import parse_export

    _, spec = _read_cohort_yml(folder)
    return parse_export(path, (spec.get("whatsapp") or {}).get("date_order"))


def _events(records) -> list[tuple]:
    """parse_export's rows as chat_formats.render_export takes them."""
    def value(v):
        return v if isinstance(v, str) else None

    return [(r.timestamp.to_pydatetime(), r.kind, value(r.sender), value(r.text), value(r.event),
             value(r.actor), value(r.target)) for r in records.itertuples()]


def _media_names(records, n: int = 3) -> list[str]:
    """What an Android phone calls the first media files of the chat when it exports them."""
    kinds = [("IMG", "jpg"), ("PTT", "opus"), ("DOC", "pdf"), ("VID", "mp4")]
    media = records[records["kind"] == "media"].head(n)
    names = []
    for k, stamp in enumerate(media["timestamp"]):
        prefix, ext = kinds[k % len(kinds)]
        names.append(f"{prefix}-{stamp:%Y%m%d}-WA{3 + 7 * k:04d}.{ext}")
    return names


def _media_bytes(name: str, rng) -> bytes:
    magic = {"jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "opus": b"OggS\x00\x02",
             "pdf": b"%PDF-1.4\n", "mp4": b"\x00\x00\x00\x18ftypmp42",
             "docx": b"PK\x03\x04\x14\x00\x06\x00"}
    return magic.get(name.rsplit(".", 1)[-1], b"") + rng.bytes(int(rng.integers(200, 2000)))


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), data,
                             compress_type=zipfile.ZIP_DEFLATED)


# --- workbooks -------------------------------------------------------------------------------

def _excel_cells(frame, table: str, path: Path, numeric_phone: bool = False) -> list[list]:
    """Rows as Excel holds them: ages and (when asked) phones as numbers, the form's time stamp
    as a date and time, empty cells empty."""
    columns = _columns(frame, table, path)
    rows = []
    for record in frame.to_dict("records"):
        row = []
        for header, value in record.items():
            value = str(value)
            if value == "":
                row.append(None)
            elif header == columns.get("age") and value.isdigit():
                row.append(int(value))
            elif header == columns.get("submitted_at") and re.fullmatch(
                    r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", value):
                row.append(dt.datetime.strptime(value, "%d/%m/%Y %H:%M:%S"))
            elif header == columns.get("phone") and numeric_phone and _e164(value):
                e164 = _e164(value)
                international = re.sub(r"\D", "", value).startswith("62")
                row.append(int(e164[1:]) if international else int(e164[3:]))
            else:
                row.append(value)
        rows.append(row)
    return rows


def _save_workbook(path: Path, sheets: list[tuple[str, list[list]]], merge_title: int = 0) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet["A"] if rows else ():
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
        for r in range(1, merge_title + 1):
            sheet.merge_cells(start_row=r, start_column=1, end_row=r,
                              end_column=max(len(rows[-1]), 1))
    stamp = dt.datetime(2023, 8, 7, 9, 0)
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = "Admin Serikat"
    book.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """A workbook is a zip whose members carry the time it was saved, and whose properties say
    it again (openpyxl's modified date, odfpy's creation date): fix them, so that the same seed
    gives the same bytes. Each member keeps its compression (an .ods's mimetype stays stored)."""
    dates = [(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2023-08-07T09:00:00Z"),
             (rb"(<meta:creation-date>|<dc:date>)[^<]*", rb"\g<1>2023-08-07T09:00:00")]
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            if info.filename in ("docProps/core.xml", "meta.xml"):
                for pattern, fixed in dates:
                    data = re.sub(pattern, fixed, data)
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type = info.compress_type
            archive.writestr(member, data)


def _roster_workbook(folder: Path, shape: str, *, numeric_phone=False):
    path = _need(folder, ROSTER, shape)
    frame = _read_csv(path)
    return path, [list(frame.columns), *_excel_cells(frame, "roster", path, numeric_phone)]


# --- shapes that edit what the files say ---------------------------------------------------

def phones_float(folder: Path, rng) -> None:
    """Every roster phone as Excel writes a number column to CSV: 6287822527683.0."""
    path = folder / ROSTER
    frame = _read_csv(path)
    phone = _columns(frame, "roster", path)["phone"]
    frame[phone] = [f"{_e164(v)[1:]}.0" if _e164(v) else v for v in frame[phone]]
    _write_csv(frame, path)


def phones_scientific(folder: Path, rng) -> None:
    """Some roster phones as Excel shows a long number in a narrow General column, 6.28136E+11,
    and in an Indonesian locale 6,28136E+11: the digits are gone, so this must be refused."""
    path = folder / ROSTER
    frame = _read_csv(path)
    phone = _columns(frame, "roster", path)["phone"]
    readable = [i for i, v in enumerate(frame[phone]) if _e164(v)]
    rows = sorted(rng.choice(readable, size=min(4, len(readable)), replace=False))
    for k, i in enumerate(rows):
        digits = _e164(frame.at[i, phone])[1:]
        mantissa, exponent = f"{int(digits):.5E}".split("E")
        text = f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
        frame.at[i, phone] = text.replace(".", ",") if k % 2 else text
    _write_csv(frame, path)


def _gender(value) -> str | None:
    from analysis.ingest.identity import fold_name
    from analysis.synthetic.specs import GENDER_SPELLINGS

    for code, spellings in GENDER_SPELLINGS.items():
        if fold_name(value) in {fold_name(s) for s in spellings}:
            return code
    return None


TITLES = {  # how staff and participants write a name with its title, by gender
    "male": [lambda n: f"BPK. {n.upper()}", lambda n: f"Bapak {n}", lambda n: f"Sdr. {n}",
             lambda n: f"H. {n}", lambda n: f"Dr. {n}, S.E.", lambda n: f"{n}, S.T."],
    "female": [lambda n: f"Ibu {n}", lambda n: f"IBU {n.upper()}", lambda n: f"Hj. {n}",
               lambda n: f"Dr. {n}, S.E.", lambda n: f"Sdri. {n}", lambda n: f"{n}, S.Pd."],
    None: [lambda n: f"Dr. {n}, S.E.", lambda n: n.upper()],
}


def honorifics(folder: Path, rng) -> None:
    """Titles and capitals on about half the roster names (BPK. AHMAD …, Ibu Siti …, Hj. …,
    Dr. …, S.E., Sdr. …); the chat keeps the names people saved."""
    path = folder / ROSTER
    frame = _read_csv(path)
    columns = _columns(frame, "roster", path)
    name, gender = columns["name"], columns.get("gender")
    for i in range(len(frame)):
        if rng.random() < 0.5:
            forms = TITLES[_gender(frame.at[i, gender]) if gender else None]
            frame.at[i, name] = forms[int(rng.integers(len(forms)))](frame.at[i, name])
    _write_csv(frame, path)


def name_punctuation(folder: Path, rng) -> None:
    """Punctuation and spacing that leave a name the same: an apostrophe inside a word
    (Nur'aini), a hyphen between its parts, doubled spaces."""
    path = folder / ROSTER
    frame = _read_csv(path)
    name = _columns(frame, "roster", path)["name"]
    for i in range(len(frame)):
        if rng.random() >= 0.45:
            continue
        parts = frame.at[i, name].split()
        style = int(rng.integers(3))
        long_words = [k for k, w in enumerate(parts) if len(w) >= 5]
        if style == 0 and long_words:
            k = long_words[int(rng.integers(len(long_words)))]
            cut = int(rng.integers(2, len(parts[k]) - 2))
            parts[k] = parts[k][:cut] + "'" + parts[k][cut:]
            frame.at[i, name] = " ".join(parts)
        elif style == 1 and len(parts) > 1:
            frame.at[i, name] = "-".join(parts)
        else:
            frame.at[i, name] = "  ".join(parts) + " "
    _write_csv(frame, path)


MARK_STYLES = [  # (present, absent) spellings, one style per session column, in turn
    (["TRUE"], ["FALSE"]),  # a Google Sheets checkbox column
    (["✔"], ["✗"]),
    (["online", "Daring", "Hadir (online)"], ["I", "S", "A"]),  # izin, sakit, alpa
]


def _attended(value: str) -> bool | None:
    from analysis.codebook import load_codebook

    values = load_codebook()["variables"]["attended"]["values"]
    folded = str(value).strip().casefold()
    for meaning in (True, False):
        if folded in values[meaning]["raw"]:
            return meaning
    return None


def attendance_marks(folder: Path, rng) -> None:
    """Present and absent written in other ordinary spellings: TRUE/FALSE, ✔/✗, online, Daring,
    Hadir (online), I/S/A for absent; each cell keeps its meaning."""
    path = folder / ATTENDANCE
    frame = _read_csv(path)
    for k, column in enumerate(_session_columns(frame).values()):
        present, absent = MARK_STYLES[k % len(MARK_STYLES)]
        marks = []
        for value in frame[column]:
            meaning = _attended(value)
            spellings = present if meaning else absent
            marks.append(value if meaning is None else spellings[int(rng.integers(len(spellings)))])
        frame[column] = marks
    _write_csv(frame, path)


def attendance_unknown_mark(folder: Path, rng) -> None:
    """A mark nobody knows ('??') in a few cells of one session column: refused, one error."""
    path = folder / ATTENDANCE
    frame = _read_csv(path)
    sessions = list(_session_columns(frame).values())
    column = sessions[int(rng.integers(1, len(sessions)))] if len(sessions) > 1 else sessions[0]
    for i in rng.choice(len(frame), size=min(3, len(frame)), replace=False):
        frame.at[int(i), column] = UNKNOWN_MARK
    _write_csv(frame, path)


def _header_date(day: dt.date, style: int) -> str:
    if style == 0:
        return f"{day:%d/%m/%Y}"
    if style == 1:
        return f"{day.day} {ID_MONTHS[day.month - 1]} {day.year}"
    return f"{ID_WEEKDAYS[day.weekday()]}, {day.day} {ID_MONTHS_SHORT[day.month - 1]} {day.year}"


def attendance_date_headers(folder: Path, rng) -> None:
    """Session columns headed by their date (08/08/2023, 15 Agustus 2023, Selasa, 22 Agt 2023)
    instead of "Sesi N"."""
    path = folder / ATTENDANCE
    frame = _read_csv(path)
    dates = _session_dates(folder)
    sessions = _session_columns(frame)
    frame = frame.rename(columns={column: _header_date(dates[n - 1], k % 3)
                                  for k, (n, column) in enumerate(sessions.items())})
    _write_csv(frame, path)


def cohort_dates(folder: Path, rng) -> None:
    """cohort.yml session dates as people write them: 8 Agustus 2023, 15/08/2023, 22 Aug 2023
    (d/m/Y only where the day tells it from m/d: a day above 12)."""
    header, spec = _read_cohort_yml(folder)
    dates = _session_dates(folder)
    for k, (session, day) in enumerate(zip(spec["sessions"], dates, strict=True)):
        style = k % 3
        if style == 1 and day.day <= 12 and day.day != day.month:
            style = 0
        text = (f"{day.day} {ID_MONTHS[day.month - 1]} {day.year}" if style == 0 else
                f"{day:%d/%m/%Y}" if style == 1 else
                f"{day.day} {EN_MONTHS_SHORT[day.month - 1]} {day.year}")
        session["date"] = text
    _write_cohort_yml(folder, header, spec)


def cohort_date_ambiguous(folder: Path, rng) -> None:
    """Session dates written d/m/Y, every day 12 or less (and not its month): read m/d they
    are other valid dates in order too. Moves the sessions, so only a refusal test."""
    header, spec = _read_cohort_yml(folder)
    dates = _session_dates(folder)
    month, year = dates[0].month, dates[0].year
    days = [d for d in range(1, 13) if d != month]
    if len(days) < len(dates):
        raise ValueError(f"cohort-date-ambiguous: {len(dates)} sessions do not fit in 12 days")
    step = len(days) // len(dates)
    chosen = days[::step][: len(dates)]
    for session, day in zip(spec["sessions"], chosen, strict=True):
        session["date"] = f"{day:02d}/{month:02d}/{year}"
    _write_cohort_yml(folder, header, spec)


def two_phones(folder: Path, rng) -> None:
    """A second export of the group from another phone: the first (Android, Indonesian) covers
    the chat's days 1..N-3, the second (iOS, English, 12-hour clock, month first) days 3..N,
    with other contact names for some senders (a saved name here is a number there, or
    "Bu Siti" for "Siti Rahayu"); every system line names people as its phone does. Each
    message must still count once. cohort.yml's whatsapp.date_order goes: the two files are in
    different orders, each clear from its own dates."""
    from analysis.synthetic.chat_formats import FORMATS, display_phone, render_export

    chat = _need(folder, CHAT, "two-phones")
    text = chat.read_text(encoding="utf-8")
    group = _group_name(text)
    records = _chat_records(folder, chat)
    days = records["timestamp"].dt.normalize()
    first_day, last_day = days.min(), days.max()
    cut_a = last_day - dt.timedelta(days=3)  # A keeps days up to N-3
    from_b = first_day + dt.timedelta(days=2)  # B from day 3
    after = records.loc[days > cut_a, "line"]
    if len(after):
        lines = text.splitlines(keepends=True)
        chat.write_text("".join(lines[: int(after.min()) - 1]), encoding="utf-8")

    header, spec = _read_cohort_yml(folder)
    staff = set(spec.get("facilitators") or [])
    attendance = _read_csv(folder / ATTENDANCE)
    columns = _columns(attendance, "attendance", folder / ATTENDANCE)
    people = {_e164(p): n for n, p in zip(attendance[columns["name"]], attendance[columns["phone"]],
                                          strict=True) if _e164(p)}
    by_name = {n: p for p, n in people.items()}
    roster = _read_csv(folder / ROSTER)
    roster_columns = _columns(roster, "roster", folder / ROSTER)
    gender = {_e164(p): _gender(g) for p, g in zip(roster[roster_columns["phone"]],
                                                   roster[roster_columns["gender"]], strict=True)}
    firsts = [n.split()[0].casefold() for n in people.values()]

    def nickname(e164: str) -> str | None:
        first = people[e164].split()[0]
        if firsts.count(first.casefold()) != 1:
            return None
        title = {"female": "Bu", "male": "Pak"}.get(gender.get(e164), "Kak")
        return f"{title} {first}"

    senders = sorted(set(records["sender"].dropna()) - staff)
    shown = set(records["sender"].dropna()) | set(records["actor"].dropna()) | set(
        records["target"].dropna())
    rename = {}
    for sender in senders:
        if rng.random() >= 0.5:
            continue
        e164 = _e164(sender) if sender.startswith("+") else None
        if e164 in people:  # a number on phone A, a saved contact on phone B
            new = people[e164] if rng.random() < 0.5 else (nickname(e164) or people[e164])
        elif sender in by_name:  # a saved name on phone A, not saved on phone B
            e164 = by_name[sender]
            new = nickname(e164) if rng.random() < 0.4 else None
            new = new or display_phone(e164)
        else:  # a nickname no exact rule links: the same on both phones
            continue
        if new not in shown and new not in rename.values():
            rename[sender] = new

    def renamed(v):
        return rename.get(v, v) if isinstance(v, str) else v

    later = records[days >= from_b]
    events = [(t, kind, renamed(s), body, event, renamed(a), renamed(g))
              for t, kind, s, body, event, a, g in _events(later)]
    start = events[0][0]
    events.insert(0, (start, "system", None, None, "encryption", None, None))
    ios_en_12h = next(f for f in FORMATS if (f.platform, f.lang, f.clock) == ("ios", "en", 12))
    (folder / "whatsapp" / "_chat.txt").write_text(render_export(events, ios_en_12h, group),
                                                   encoding="utf-8")
    spec.pop("whatsapp", None)
    _write_cohort_yml(folder, header, spec)


# --- shapes that change a file's format or name --------------------------------------------

def export_own_name(folder: Path, rng) -> None:
    """The export under the name the phone gives it: 'WhatsApp Chat with <group>.txt'."""
    chat = _need(folder, CHAT, "export-own-name")
    group = _group_name(chat.read_text(encoding="utf-8"))
    chat.rename(chat.with_name(f"WhatsApp Chat with {group}.txt"))


def _android_zip(folder: Path, rng, shape: str) -> tuple[str, dict[str, bytes]]:
    chat = _need(folder, CHAT, shape)
    text = chat.read_text(encoding="utf-8")
    group = _group_name(text)
    members = {f"WhatsApp Chat with {group}.txt": chat.read_bytes()}
    for name in _media_names(_chat_records(folder, chat)):
        members[name] = _media_bytes(name, rng)
    chat.unlink()
    return f"WhatsApp Chat - {group}.zip", members


def export_zipped(folder: Path, rng) -> None:
    """The export as an Android phone shares it "with media": whatsapp/WhatsApp Chat -
    <group>.zip holding WhatsApp Chat with <group>.txt and a few media files."""
    name, members = _android_zip(folder, rng, "export-zipped")
    _write_zip(folder / "whatsapp" / name, members)


def export_zipped_root(folder: Path, rng) -> None:
    """The same zip left in the raw folder itself, and no whatsapp/ folder."""
    name, members = _android_zip(folder, rng, "export-zipped-root")
    _write_zip(folder / name, members)
    shutil.rmtree(folder / "whatsapp")


def export_zipped_ios(folder: Path, rng) -> None:
    """An iPhone's "with media" export: a zip whose chat is _chat.txt, in the iOS format
    (Indonesian, 24-hour, day first), with media named as iOS names them."""
    from analysis.synthetic.chat_formats import FORMATS, render_export

    chat = _need(folder, CHAT, "export-zipped-ios")
    group = _group_name(chat.read_text(encoding="utf-8"))
    records = _chat_records(folder, chat)
    ios_id = next(f for f in FORMATS if (f.platform, f.lang, f.clock) == ("ios", "id", 24))
    members = {"_chat.txt": render_export(_events(records), ios_id, group).encode("utf-8")}
    media = records[records["kind"] == "media"].head(3)
    for k, stamp in enumerate(media["timestamp"]):
        kind, ext = [("PHOTO", "jpg"), ("AUDIO", "opus"), ("VIDEO", "mp4")][k % 3]
        name = f"{12 + 9 * k:08d}-{kind}-{stamp:%Y-%m-%d-%H-%M-%S}.{ext}"
        members[name] = _media_bytes(name, rng)
    chat.unlink()
    _write_zip(folder / "whatsapp" / f"WhatsApp Chat - {group}.zip", members)


def stray_files(folder: Path, rng) -> None:
    """What else ends up in the folder staff send: minutes, a scanned attendance sheet, a photo."""
    for name in ("catatan rapat.docx", "Daftar Hadir (final).pdf", "foto [1].jpg"):
        (folder / name).write_bytes(_media_bytes(name, rng))


def phones_xlsx_numeric(folder: Path, rng) -> None:
    """roster.xlsx whose phone column holds numbers, as Excel makes of typed digits: the
    leading 0 lost (87822527683), or 6287822527683 for numbers typed with 62."""
    path, rows = _roster_workbook(folder, "phones-xlsx-numeric", numeric_phone=True)
    _save_workbook(folder / "roster.xlsx", [("Form Responses 1", rows)])
    path.unlink()


def xlsx_title_rows(folder: Path, rng) -> None:
    """roster.xlsx with a title row, a subtitle and a blank row above the header."""
    path, rows = _roster_workbook(folder, "xlsx-title-rows")
    _, spec = _read_cohort_yml(folder)
    first = _session_dates(folder)[0]
    subtitle = (f"Promise II Impact — {spec['place']}, {ID_MONTHS[first.month - 1]} {first.year}"
                " (ILO – Evermos)")
    _save_workbook(folder / "roster.xlsx", [("Peserta", [[TITLE_ROW], [subtitle], [], *rows])],
                   merge_title=2)
    path.unlink()


def xlsx_sheets(folder: Path, rng) -> None:
    """A workbook whose first sheet is instructions (Petunjuk), the roster on the second
    (Peserta)."""
    path, rows = _roster_workbook(folder, "xlsx-sheets")
    instructions = [["Petunjuk pengisian"],
                    ["1. Isi satu baris per peserta pada sheet Peserta."],
                    ["2. Nomor HP ditulis lengkap, diawali 08 atau +62."],
                    ["3. Jangan mengubah judul kolom."]]
    _save_workbook(folder / "roster.xlsx", [("Petunjuk", instructions), ("Peserta", rows)])
    path.unlink()


def xls(folder: Path, rng) -> None:
    """The roster as an old Excel 97-2003 workbook, roster.xls."""
    import xlwt

    path, rows = _roster_workbook(folder, "xls")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    stamp = xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM:SS")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, stamp)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(folder / "roster.xls"))
    path.unlink()


def _attendance_frame_for_sheet(folder: Path, shape: str):
    path = _need(folder, ATTENDANCE, shape)
    frame = _read_csv(path)
    return path, frame.replace("", None)


def ods(folder: Path, rng) -> None:
    """Attendance as a LibreOffice / Google Sheets .ods."""
    path, frame = _attendance_frame_for_sheet(folder, "ods")
    frame.to_excel(folder / "attendance.ods", engine="odf", index=False, sheet_name="Absensi")
    _fix_zip_times(folder / "attendance.ods")
    path.unlink()


def attendance_xlsx(folder: Path, rng) -> None:
    """Attendance as attendance.xlsx (cohort.yml names no file: the reader finds it)."""
    path, frame = _attendance_frame_for_sheet(folder, "attendance-xlsx")
    rows = [list(frame.columns), *frame.astype(object).where(frame.notna(), None).values.tolist()]
    _save_workbook(folder / "attendance.xlsx", [("Absensi", rows)])
    path.unlink()


def utf16_tab(folder: Path, rng) -> None:
    """The roster saved by Excel as "Unicode Text": roster.txt, UTF-16 LE with a BOM, tabs."""
    path = _need(folder, ROSTER, "utf16-tab")
    frame = _read_csv(path)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.values.tolist())
    (folder / "roster.txt").write_bytes(b"\xff\xfe" + out.getvalue().encode("utf-16-le"))
    path.unlink()


def cp1252_semicolon(folder: Path, rng) -> None:
    """The roster as Excel saves CSV in an Indonesian locale: Windows-1252, ';' between cells,
    CRLF; a few names carry an accented letter (é), so the encoding matters."""
    path = _need(folder, ROSTER, "cp1252-semicolon")
    frame = _read_csv(path)
    name = _columns(frame, "roster", path)["name"]
    with_e = [i for i, v in enumerate(frame[name]) if "e" in v]
    for i in rng.choice(with_e, size=min(3, len(with_e)), replace=False):
        frame.at[int(i), name] = frame.at[int(i), name].replace("e", "é", 1)
    out = io.StringIO()
    frame.to_csv(out, index=False, sep=";", lineterminator="\r\n")
    path.write_bytes(out.getvalue().encode("cp1252"))


def two_rosters(folder: Path, rng) -> None:
    """roster.csv and a roster.xlsx of the same people side by side: which is right? Refused,
    naming both."""
    _, rows = _roster_workbook(folder, "two-rosters")
    _save_workbook(folder / "roster.xlsx", [("Sheet1", rows)])


Shape = Callable[[Path, object], None]
CONTENT_SHAPES: dict[str, Shape] = {
    "phones-float": phones_float,
    "phones-scientific": phones_scientific,
    "honorifics": honorifics,
    "name-punctuation": name_punctuation,
    "two-phones": two_phones,
    "attendance-marks": attendance_marks,
    "attendance-unknown-mark": attendance_unknown_mark,
    "attendance-date-headers": attendance_date_headers,
    "cohort-dates": cohort_dates,
    "cohort-date-ambiguous": cohort_date_ambiguous,
}
FILE_SHAPES: dict[str, Shape] = {
    "export-own-name": export_own_name,
    "export-zipped": export_zipped,
    "export-zipped-root": export_zipped_root,
    "export-zipped-ios": export_zipped_ios,
    "stray-files": stray_files,
    "phones-xlsx-numeric": phones_xlsx_numeric,
    "utf16-tab": utf16_tab,
    "cp1252-semicolon": cp1252_semicolon,
    "xlsx-title-rows": xlsx_title_rows,
    "xlsx-sheets": xlsx_sheets,
    "xls": xls,
    "ods": ods,
    "attendance-xlsx": attendance_xlsx,
    "two-rosters": two_rosters,
}
SHAPES: dict[str, Shape] = {**CONTENT_SHAPES, **FILE_SHAPES}
# What the pipeline must do with each: read it with the clean demo's numbers, or refuse it.
REFUSED = ("phones-scientific", "two-rosters", "attendance-unknown-mark", "cohort-date-ambiguous")
SAME_NUMBERS = tuple(s for s in SHAPES if s not in REFUSED)


def delivery_id(cohort_id: str, shapes: list[str]) -> str:
    """The id (and folder name) of a cohort delivered in these shapes."""
    return "+".join([cohort_id, *shapes])


def deliver(source: str | Path, shapes: list[str], out_dir: str | Path, seed: int = 2024,
            cohort_id: str | None = None) -> Path:
    """Copy the raw cohort folder `source` to out_dir/<cohort_id> (default: its own name) and
    rewrite it in the given shapes: content shapes first, then file shapes, each in order."""
    import numpy as np

    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        raise ValueError(f"unknown delivery shape(s) {', '.join(unknown)}; known: "
                         f"{', '.join(SHAPES)}")
    if len(set(shapes)) != len(shapes):
        raise ValueError(f"a shape is given twice: {', '.join(shapes)}")
    source = Path(source)
    folder = Path(out_dir) / (cohort_id or source.name)
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source, folder)
    if cohort_id:
        set_cohort_id(folder, cohort_id)
    ordered = [s for s in shapes if s in CONTENT_SHAPES] + [s for s in shapes if s in FILE_SHAPES]
    for name in ordered:
        SHAPES[name](folder, np.random.default_rng([seed, zlib.crc32(name.encode())]))
    return folder
