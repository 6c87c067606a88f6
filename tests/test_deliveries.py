"""Real deliveries are messy (Excel, Google Forms, phones): the Jakarta demo delivered in every
shape of analysis.synthetic.deliveries is read with the clean demo's exact numbers, or refused with one
line per problem naming file, row, column and the fix. Never a number changed silently.

Three parts: the fixtures themselves are what a real delivery looks like (they pass whatever
the readers do); the pipeline on each delivery (same numbers, or a refusal); and `make check` /
`make report` end to end on two deliveries (e2e).
"""

import datetime as dt
import json
import re
import zipfile
from collections import Counter

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.chat import parse_export
from analysis.ingest.clean import clean_cohort
from analysis.ingest.identity import fold_name, normalise_phone
from analysis.synthetic import deliveries
from analysis.synthetic.deliveries import REFUSED, SAME_NUMBERS, SHAPES, deliver
from analysis.synthetic.specs import JAKARTA

GROUP = "Reseller Digital Promise Jakarta"
NAME, PHONE = "Nama Lengkap", "No. HP / WhatsApp"
TABLES = ("participants", "person_period", "activity", "responsiveness")
FUNNEL = [48, 30, 29]
PARTICIPANT_MESSAGES = 399
BIG = ("xlsx-title-rows", "honorifics", "phones-float", "attendance-date-headers",
       "attendance-marks", "export-zipped-root", "cohort-dates", "stray-files")
COMBINATIONS = [
    ("xlsx-title-rows", "honorifics", "phones-float"),
    ("export-zipped-root", "attendance-date-headers", "cohort-dates"),
    ("two-phones", "name-punctuation"),
    ("xlsx-sheets", "attendance-marks", "export-own-name", "stray-files"),
    ("utf16-tab", "honorifics", "ods"),
    ("cp1252-semicolon", "name-punctuation", "attendance-xlsx", "export-zipped"),
    ("xls", "phones-float", "export-zipped-ios"),
    BIG,
]


def _deliver(source, shapes, tmp_path):
    return deliver(source, list(shapes), tmp_path / "raw")


def _csv(path, **kw):
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kw)


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A sheet read with dtype=object as the CSV's text: numbers without .0, dates as the form
    writes them, empty cells empty."""
    def text(v):
        if isinstance(v, dt.datetime):
            return f"{v:%d/%m/%Y %H:%M:%S}"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return "" if pd.isna(v) else str(v)

    return frame.map(text).astype(str)


def _records(path, order=None):
    return parse_export(path, order)


def _key(records, with_sender=True):
    """What a message is: when, what kind, (who), and its words when it has some."""
    columns = ["timestamp", "kind", *(["sender"] if with_sender else [])]
    frame = records.loc[records["kind"] != "system", columns].astype(str)
    frame["text"] = records.loc[records["kind"] != "system"].apply(
        lambda r: r["text"] if r["kind"] == "text" else "", axis=1)
    return Counter(map(tuple, frame.to_numpy()))


# --- the fixtures are what a real delivery looks like ------------------------------------

def test_every_shape_has_an_expected_outcome():
    assert set(SAME_NUMBERS) | set(REFUSED) == set(SHAPES)
    assert not set(SAME_NUMBERS) & set(REFUSED)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", s) for s in SHAPES)


def test_unknown_shape_is_refused(jakarta_raw, tmp_path):
    with pytest.raises(ValueError, match="unknown delivery shape"):
        deliver(jakarta_raw, ["xlsx-title-row"], tmp_path)


@pytest.mark.parametrize("shapes", [
    ["xlsx-title-rows", "honorifics", "two-phones", "export-zipped", "stray-files"],
    ["xls", "ods", "attendance-marks", "export-zipped-ios", "phones-scientific"],
], ids=["xlsx", "xls-ods"])
def test_same_seed_same_files(jakarta_raw, tmp_path, shapes):
    a = deliver(jakarta_raw, shapes, tmp_path / "a")
    b = deliver(jakarta_raw, shapes, tmp_path / "b")
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for name in files:
        if name.suffix == ".ods":  # odfpy orders its XML namespaces as a set does
            pd.testing.assert_frame_equal(pd.read_excel(a / name), pd.read_excel(b / name))
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    if "xlsx-title-rows" not in shapes:
        return
    c = deliver(jakarta_raw, shapes, tmp_path / "c", seed=7)
    assert (c / "roster.xlsx").read_bytes() != (a / "roster.xlsx").read_bytes()


def test_cohort_id_is_the_folder_name(jakarta_raw, tmp_path):
    cohort_id = deliveries.delivery_id(JAKARTA.id, ["honorifics", "xls"])
    folder = deliver(jakarta_raw, ["honorifics", "xls"], tmp_path, cohort_id=cohort_id)
    assert folder.name == cohort_id == "demo-2023-08-jakarta+honorifics+xls"
    assert f"id: {cohort_id}\n" in (folder / "cohort.yml").read_text(encoding="utf-8")
    assert (folder / "cohort.yml").read_text(encoding="utf-8").startswith("# SYNTHETIC DATA")


def test_export_own_name(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["export-own-name"], tmp_path)
    assert [p.name for p in (folder / "whatsapp").iterdir()] == [f"WhatsApp Chat with {GROUP}.txt"]
    assert (folder / "whatsapp" / f"WhatsApp Chat with {GROUP}.txt").read_bytes() == (
        jakarta_raw / "whatsapp" / "chat.txt").read_bytes()


@pytest.mark.parametrize("shape", ["export-zipped", "export-zipped-root"])
def test_export_zipped_with_media(jakarta_raw, tmp_path, shape):
    folder = _deliver(jakarta_raw, [shape], tmp_path)
    where = folder / "whatsapp" if shape == "export-zipped" else folder
    assert (folder / "whatsapp").exists() == (shape == "export-zipped")
    assert [p.name for p in where.glob("*.zip")] == [f"WhatsApp Chat - {GROUP}.zip"]
    with zipfile.ZipFile(where / f"WhatsApp Chat - {GROUP}.zip") as archive:
        names = archive.namelist()
        assert names[0] == f"WhatsApp Chat with {GROUP}.txt"
        assert archive.read(names[0]) == (jakarta_raw / "whatsapp" / "chat.txt").read_bytes()
    assert [re.sub(r"\d", "0", n) for n in names[1:]] == [
        "IMG-00000000-WA0000.jpg", "PTT-00000000-WA0000.opus", "DOC-00000000-WA0000.pdf"]
    assert not list(folder.rglob("chat.txt"))


def test_export_zipped_ios(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["export-zipped-ios"], tmp_path)
    with zipfile.ZipFile(folder / "whatsapp" / f"WhatsApp Chat - {GROUP}.zip") as archive:
        assert archive.namelist()[0] == "_chat.txt"
        assert all(re.fullmatch(r"\d{8}-(PHOTO|AUDIO|VIDEO)-[\d-]+\.\w+", n)
                   for n in archive.namelist()[1:])
        (tmp_path / "_chat.txt").write_bytes(archive.read("_chat.txt"))
    assert (tmp_path / "_chat.txt").read_text(encoding="utf-8").startswith(f"[01/08/23 10.00.00] {GROUP}: ")
    ios = _records(tmp_path / "_chat.txt")
    assert _key(ios) == _key(_records(jakarta_raw / "whatsapp" / "chat.txt", "day_first"))


def test_stray_files(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["stray-files"], tmp_path)
    for name in ("catatan rapat.docx", "Daftar Hadir (final).pdf", "foto [1].jpg"):
        assert (folder / name).stat().st_size > 0


def test_phones_float(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["phones-float"], tmp_path)
    source, roster = _csv(jakarta_raw / "roster.csv"), _csv(folder / "roster.csv")
    assert roster[PHONE].str.fullmatch(r"62\d{8,12}\.0").all()
    assert roster[PHONE].str[:-2].map(normalise_phone).equals(source[PHONE].map(normalise_phone))
    assert roster.drop(columns=PHONE).equals(source.drop(columns=PHONE))


def test_phones_scientific(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["phones-scientific"], tmp_path)
    source, roster = _csv(jakarta_raw / "roster.csv"), _csv(folder / "roster.csv")
    changed = roster[PHONE] != source[PHONE]
    assert changed.sum() == 4
    assert roster.loc[changed, PHONE].str.fullmatch(r"6[.,]\d{1,5}E\+1[12]").all()
    assert roster.loc[changed, PHONE].str.contains(",").sum() == 2  # the Indonesian spelling
    assert "6.28136E+11" in set(roster[PHONE]) or roster.loc[changed, PHONE].str.startswith("6").all()


def _workbook_roster(path, **kw):
    return _cells(pd.read_excel(path, dtype=object, **kw))


@pytest.mark.parametrize("shape, file, options", [
    ("xlsx-title-rows", "roster.xlsx", {"header": 3}),
    ("xlsx-sheets", "roster.xlsx", {"sheet_name": "Peserta"}),
    ("xls", "roster.xls", {}),
    ("two-rosters", "roster.xlsx", {}),
])
def test_roster_workbooks_hold_the_roster(jakarta_raw, tmp_path, shape, file, options):
    folder = _deliver(jakarta_raw, [shape], tmp_path)
    assert (folder / "roster.csv").exists() == (shape == "two-rosters")
    pd.testing.assert_frame_equal(_workbook_roster(folder / file, **options),
                                  _csv(jakarta_raw / "roster.csv"))


def test_xlsx_title_rows_and_sheets_look_as_sent(jakarta_raw, tmp_path):
    title = pd.read_excel(_deliver(jakarta_raw, ["xlsx-title-rows"], tmp_path / "t") / "roster.xlsx",
                          header=None, dtype=object)
    assert title.iloc[0, 0] == "DAFTAR PESERTA PELATIHAN RESELLER DIGITAL"
    assert title.iloc[1, 0].startswith("Promise II Impact — Jakarta")
    assert title.iloc[2].isna().all()
    assert list(title.iloc[3]) == list(_csv(jakarta_raw / "roster.csv").columns)
    assert isinstance(title.iloc[4, 3], int | float)  # ages are numbers in Excel
    sheets = pd.read_excel(_deliver(jakarta_raw, ["xlsx-sheets"], tmp_path / "s") / "roster.xlsx",
                           sheet_name=None, header=None)
    assert list(sheets) == ["Petunjuk", "Peserta"]


def test_phones_xlsx_numeric(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["phones-xlsx-numeric"], tmp_path)
    assert not (folder / "roster.csv").exists()
    book = pd.read_excel(folder / "roster.xlsx", dtype=object)
    assert book[PHONE].map(lambda v: isinstance(v, int)).all()
    assert (book[PHONE].astype(str).str[0] == "8").sum() > len(book) / 2  # the 0 lost
    source = _csv(jakarta_raw / "roster.csv")
    assert book[PHONE].astype(str).map(normalise_phone).equals(source[PHONE].map(normalise_phone))


def test_utf16_tab(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["utf16-tab"], tmp_path)
    assert not (folder / "roster.csv").exists()
    data = (folder / "roster.txt").read_bytes()
    assert data.startswith(b"\xff\xfe") and b"\r\x00\n\x00" in data
    pd.testing.assert_frame_equal(_csv(folder / "roster.txt", sep="\t", encoding="utf-16"),
                                  _csv(jakarta_raw / "roster.csv"))


def test_cp1252_semicolon(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["cp1252-semicolon"], tmp_path)
    data = (folder / "roster.csv").read_bytes()
    assert b"\xe9" in data and b"\r\n" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    roster = _csv(folder / "roster.csv", sep=";", encoding="cp1252")
    source = _csv(jakarta_raw / "roster.csv")
    assert roster[NAME].str.contains("é").sum() == 3
    assert roster[NAME].map(fold_name).equals(source[NAME].map(fold_name))
    assert roster.drop(columns=NAME).equals(source.drop(columns=NAME))


def test_honorifics(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["honorifics"], tmp_path)
    source, roster = _csv(jakarta_raw / "roster.csv"), _csv(folder / "roster.csv")
    changed = roster[NAME] != source[NAME]
    assert 0.3 < changed.mean() < 0.7
    titled = roster.loc[changed, NAME]
    assert titled.str.contains(r"^(?:BPK\.|Ibu|IBU|Hj\.|Dr\.|Sdri?\.|Bapak|H\.) |, S\.\w+\.$").all()
    assert titled.str.isupper().any() and titled.str.startswith("Dr. ").any()
    assert all(s.casefold() in r.casefold() for s, r in zip(source[NAME], roster[NAME], strict=True))
    assert roster.drop(columns=NAME).equals(source.drop(columns=NAME))
    assert (folder / "whatsapp/chat.txt").read_bytes() == (jakarta_raw / "whatsapp/chat.txt").read_bytes()


def test_name_punctuation(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["name-punctuation"], tmp_path)
    source, roster = _csv(jakarta_raw / "roster.csv"), _csv(folder / "roster.csv")
    changed = roster[NAME] != source[NAME]
    assert 0.25 < changed.mean() < 0.65
    for mark in ("'", "-", "  "):
        assert roster[NAME].str.contains(mark, regex=False).any(), mark
    undone = roster[NAME].str.replace("'", "").str.replace("-", " ").str.split().str.join(" ")
    assert list(undone) == list(source[NAME])
    assert (folder / "whatsapp/chat.txt").read_bytes() == (jakarta_raw / "whatsapp/chat.txt").read_bytes()


def _meaning(mark: str) -> bool:
    present = {"hadir", "h", "✓", "true", "✔", "online", "daring", "hadir (online)"}
    absent = {"", "tidak hadir", "-", "izin", "false", "✗", "i", "s", "a"}
    folded = mark.strip().casefold()
    assert folded in present | absent, mark
    return folded in present


def test_attendance_marks_keep_each_cells_meaning(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["attendance-marks"], tmp_path)
    source, sheet = _csv(jakarta_raw / "attendance.csv"), _csv(folder / "attendance.csv")
    sessions = [c for c in source.columns if c.startswith("Sesi")]
    assert sheet[["Nama", "No HP"]].equals(source[["Nama", "No HP"]])
    for column in sessions:
        assert sheet[column].map(_meaning).equals(source[column].map(_meaning)), column
    used = set(sheet[sessions].to_numpy().ravel())
    assert {"TRUE", "FALSE", "✔", "✗"} <= used
    assert used & {"online", "Daring", "Hadir (online)"} and used & {"I", "S"}


def test_attendance_unknown_mark(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["attendance-unknown-mark"], tmp_path)
    sheet = _csv(folder / "attendance.csv")
    marked = (sheet == "??")
    assert marked.to_numpy().sum() == 3 and marked.any().sum() == 1


def test_attendance_date_headers(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["attendance-date-headers"], tmp_path)
    assert list(_csv(folder / "attendance.csv").columns) == [
        "Nama", "No HP", "08/08/2023", "15 Agustus 2023", "Selasa, 22 Agt 2023"]


def test_cohort_dates(jakarta_raw, tmp_path):
    import yaml

    spec = yaml.safe_load((_deliver(jakarta_raw, ["cohort-dates"], tmp_path) / "cohort.yml").read_text())
    assert [s["date"] for s in spec["sessions"]] == ["8 Agustus 2023", "15/08/2023", "22 Aug 2023"]


def test_cohort_date_ambiguous(jakarta_raw, tmp_path):
    import yaml

    spec = yaml.safe_load((_deliver(jakarta_raw, ["cohort-date-ambiguous"], tmp_path) /
                           "cohort.yml").read_text())
    dates = [s["date"] for s in spec["sessions"]]
    day_first = [dt.datetime.strptime(d, "%d/%m/%Y") for d in dates]
    month_first = [dt.datetime.strptime(d, "%m/%d/%Y") for d in dates]
    assert day_first == sorted(day_first) and month_first == sorted(month_first)
    assert day_first != month_first


def test_two_phones(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["two-phones"], tmp_path)
    assert "whatsapp" not in (folder / "cohort.yml").read_text(encoding="utf-8")
    assert sorted(p.name for p in (folder / "whatsapp").iterdir()) == ["_chat.txt", "chat.txt"]
    source = _records(jakarta_raw / "whatsapp" / "chat.txt", "day_first")
    a = _records(folder / "whatsapp" / "chat.txt")  # each file's date order from its own dates
    b = _records(folder / "whatsapp" / "_chat.txt")
    assert (folder / "whatsapp" / "_chat.txt").read_text(encoding="utf-8").startswith(
        "[08/03/23, 8:")  # iOS, English, month first, 12-hour
    day = source["timestamp"].dt.normalize()
    first, last = day.min(), day.max()
    in_a = source[day <= last - pd.Timedelta(days=3)]
    in_b = source[day >= first + pd.Timedelta(days=2)]
    assert _key(a) == _key(in_a)  # the first phone's export: the same lines, cut short
    assert _key(b, with_sender=False) == _key(in_b, with_sender=False)
    overlap = len(in_a.index.intersection(in_b.index))
    assert overlap > 0.75 * len(source)
    # other contact names on the second phone, for some senders, both ways
    renamed = set(b["sender"].dropna()) - set(source["sender"].dropna())
    assert sum(s.startswith("+62 ") for s in renamed) >= 3
    assert sum(bool(re.match(r"(?:Bu|Pak|Kak) \w+$", s)) for s in renamed) >= 2
    assert renamed & set(_csv(jakarta_raw / "attendance.csv")["Nama"])  # a number there, a name here
    # system lines name people as the second phone shows them
    people = set(b["actor"].dropna()) | set(b["target"].dropna())
    assert people & renamed


# --- the pipeline on each delivery ---------------------------------------------------------

def _same_numbers(cleaned, reference):
    participants = cleaned.participants
    enrolled = participants[participants["enrolled"]]
    assert [int(enrolled[f"attended_session_{n}"].sum()) for n in (1, 2, 3)] == FUNNEL
    assert cleaned.quality["chat"]["participant_messages"] == PARTICIPANT_MESSAGES
    assert cleaned.quality["linkage"]["match_rate"] == 1.0
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(cleaned, table), getattr(reference, table),
                                      obj=table)


def test_the_clean_demo_has_the_published_numbers(jakarta_cleaned):
    _same_numbers(jakarta_cleaned, jakarta_cleaned)


@pytest.mark.parametrize("shapes", [(s,) for s in SAME_NUMBERS] + COMBINATIONS,
                         ids=lambda shapes: "+".join(shapes))
def test_delivery_gives_the_demos_numbers(jakarta_raw, jakarta_cleaned, tmp_path, shapes):
    _same_numbers(clean_cohort(_deliver(jakarta_raw, shapes, tmp_path)), jakarta_cleaned)


def _refusal(folder) -> list[str]:
    """The refusal's lines, one per problem (without the "N problems" heading)."""
    with pytest.raises(InputError) as caught:
        clean_cohort(folder)
    message = str(caught.value)
    assert "Traceback" not in message
    lines = message.splitlines()
    if len(lines) > 1:
        assert re.search(r"\d+ problems? in the raw files:$", lines[0]), lines[0]
        lines = [line.strip() for line in lines[1:]]
    return lines


def _has_rows(text: str, rows) -> bool:
    text = re.sub(r"\d[\d.,]*E\+\d+", "", text)  # the values themselves hold digits
    return bool(re.search(r"\brows?\b", text)) and all(re.search(rf"\b{r}\b", text) for r in rows)


def test_phones_in_scientific_notation_are_refused(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["phones-scientific"], tmp_path)
    roster = _csv(folder / "roster.csv")
    rows = [i + 2 for i, v in enumerate(roster[PHONE]) if re.search(r"E\+\d+$", v)]
    lines = _refusal(folder)
    assert 1 <= len(lines) <= len(rows)  # one line per cell, or one for the column
    for line in lines:
        assert "roster.csv" in line and f"`{PHONE}`" in line
        assert re.search(r"\btext\b", line, re.I) and re.search(r"\bexport", line, re.I), line
    assert _has_rows(" ".join(lines), rows)


def test_two_rosters_are_refused_naming_both(jakarta_raw, tmp_path):
    (line,) = _refusal(_deliver(jakarta_raw, ["two-rosters"], tmp_path))
    assert "roster.csv" in line and "roster.xlsx" in line


def test_an_unknown_attendance_mark_is_one_error_listing_its_rows(jakarta_raw, tmp_path):
    folder = _deliver(jakarta_raw, ["attendance-unknown-mark"], tmp_path)
    sheet = _csv(folder / "attendance.csv")
    column = next(c for c in sheet.columns if (sheet[c] == "??").any())
    rows = [i + 2 for i in sheet.index[sheet[column] == "??"]]
    lines = _refusal(folder)
    (line,) = [line for line in lines if "'??'" in line or '"??"' in line]
    assert len(lines) == 1
    assert "attendance.csv" in line and f"`{column}`" in line
    assert _has_rows(line, rows)
    assert "codebook" in line  # the fix: add the spelling there if it is right, or fix the file


def test_ambiguous_session_dates_are_refused(jakarta_raw, tmp_path):
    (line,) = _refusal(_deliver(jakarta_raw, ["cohort-date-ambiguous"], tmp_path))
    assert "cohort.yml" in line and "01/08/2023" in line
    assert re.search(r"ambigu", line, re.I)
    assert re.search(r"YYYY-MM-DD|\b\d{4}-\d\d-\d\d\b", line)  # the fix: an unambiguous spelling


# --- end to end: make check and make report on deliveries ----------------------------------

def _project(make_project, cohorts: dict):
    """A copy of the project (conftest's make_project) whose data/raw holds the deliveries."""
    project = make_project([], name="deliveries-project")
    from analysis.synthetic.writers import generate_cohort

    clean = generate_cohort(JAKARTA, project.root / "clean")
    for cohort_id, shapes in cohorts.items():
        deliver(clean, list(shapes), project.raw, cohort_id=cohort_id)
    return project


E2E = {"delivery-own-name": ("export-own-name",), "delivery-big": BIG}


@pytest.fixture(scope="module")
def delivered_project(make_project):
    """A project whose data/raw holds two deliveries of the Jakarta demo, checked and built."""
    project = _project(make_project, E2E)
    return {"root": project.root, "check": project.make("check"),
            "report": project.make("-k", "-j2", "report")}


@pytest.mark.e2e
def test_make_check_reads_the_deliveries(delivered_project):
    done = delivered_project["check"]
    assert done.returncode == 0, done.stderr[-3000:]
    for cohort in E2E:
        assert f"{cohort}: raw files read without errors" in done.stdout


@pytest.mark.e2e
@pytest.mark.parametrize("cohort", sorted(E2E))
def test_make_report_builds_each_delivery(delivered_project, cohort):
    done = delivered_project["report"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    reports = delivered_project["root"] / "reports" / cohort
    for name in ("report.html", "report.pdf", "report.en.html", "report.en.pdf", "privacy.ok"):
        assert (reports / name).exists(), name
    funnel = json.loads((reports / "results.json").read_text(encoding="utf-8"))["funnel"]
    assert funnel["attended_by_session"] == FUNNEL
    assert funnel["enrolled"] == 48 and funnel["completed"] == 29


@pytest.mark.e2e
def test_make_check_refuses_two_rosters_in_one_line(make_project):
    cohort = "delivery-two-rosters"
    done = _project(make_project, {cohort: ("two-rosters",)}).make("check")
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    (line,) = [line for line in errors if "roster" in line]
    assert "roster.csv" in line and "roster.xlsx" in line
    assert f"{cohort}: 1 problem(s) to fix" in done.stderr
