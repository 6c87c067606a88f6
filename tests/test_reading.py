"""Reading what staff send: tables by content (ingest), phones as Excel mangles them (identity),
WhatsApp exports wherever they are left (chat_files), exports from several phones merged (chat),
the data-quality summary (quality) and cohort.yml's quality and files settings (cohort)."""

import csv
import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
import yaml

from analysis.errors import InputError
from analysis.ingest import chat, quality
from analysis.ingest.chat_files import find_exports, looks_like_chat
from analysis.ingest.cohort import load_cohort
from analysis.ingest.identity import normalise_phone, scientific_notation
from analysis.ingest.tables import ROW, cell_text, find_table, read_table
from analysis.synthetic.chat_formats import ExportFormat, render_export

HEADER = ["Nama Lengkap", "No. HP / WhatsApp", "Usia (tahun)", "Jenis Kelamin",
          "Sektor Pekerjaan Sebelumnya", "Federasi Serikat Pekerja", "Kabupaten/Kota Domisili",
          "Apakah Anda penyandang disabilitas?", "Status Pekerjaan"]
SITI = ["Siti Rahayu", "081234567890", "45", "Perempuan", "Garmen", "KSPI", "Jakarta Timur",
        "Tidak", "PHK"]
BUDI = ["Budi Santoso", "081298765432", "38", "Laki-laki", "Manufaktur", "KSPSI", "Bekasi",
        "Tidak", "PHK"]


def _csv(rows, delimiter=",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _write_xlsx(path, sheets: dict) -> None:
    """sheets: name -> list of rows, written as they are (no header or index added)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            rows = [list(r) + [None] * (width - len(r)) for r in rows]
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)


# ---------------------------------------------------------------- ingest.read_table


def test_title_lines_above_header_give_the_rows_a_person_sees(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(_csv([["Daftar Peserta Pelatihan Reseller"], ["Agustus 2023"], [],
                          HEADER, SITI, BUDI]), encoding="utf-8")
    frame = read_table(path, "roster")
    assert list(frame[ROW]) == [5, 6]
    assert frame.loc[0, "Nama Lengkap"] == "Siti Rahayu"
    assert list(frame.columns) == [ROW, *HEADER]
    assert frame.attrs["read_as"] == "text, UTF-8, separated by commas, header on row 4"


@pytest.mark.parametrize("delimiter, name", [(",", "commas"), (";", "semicolons"),
                                             ("\t", "tabs")])
def test_delimiter_is_found(tmp_path, delimiter, name):
    path = tmp_path / "roster.csv"
    path.write_text(_csv([HEADER, SITI, BUDI], delimiter), encoding="utf-8")
    frame = read_table(path, "roster")
    assert frame.attrs["read_as"] == f"text, UTF-8, separated by {name}"
    assert list(frame[ROW]) == [2, 3]
    assert frame.loc[1, "No. HP / WhatsApp"] == "081298765432"
    assert frame.loc[1, "Status Pekerjaan"] == "PHK"


def test_semicolons_win_where_the_header_stands_though_the_sniffer_picks_commas(tmp_path):
    # every line holds two commas inside its cells: a consistent comma count for the sniffer
    header = ["Nama Lengkap, sesuai KTP, wajib", *HEADER[1:]]
    rows = [header,
            ["Siti Rahayu, S.E., M.M.", *SITI[1:]],
            ["Budi Santoso, A.Md., S.T.", *BUDI[1:]]]
    text = "".join(";".join(r) + "\r\n" for r in rows)
    assert csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter == ","  # the trap is real
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    frame = read_table(path, "roster")
    assert frame.attrs["read_as"] == "text, UTF-8, separated by semicolons"
    assert frame.loc[0, "Nama Lengkap, sesuai KTP, wajib"] == "Siti Rahayu, S.E., M.M."
    assert frame.loc[1, "Usia (tahun)"] == "38"


@pytest.mark.parametrize("encode, delimiter, encoding", [
    (lambda t: "\ufeff".encode("utf-8") + t.encode("utf-8"), ",", "UTF-8"),
    (lambda t: t.encode("utf-16"), "\t", "UTF-16"),  # Excel's "Unicode Text": BOM, LE, tabs
    (lambda t: t.encode("utf-16-le"), "\t", "UTF-16"),  # no BOM
    (lambda t: t.encode("cp1252"), ";", "Windows-1252"),
], ids=["utf8-bom", "utf16-le-bom", "utf16-no-bom", "cp1252"])
def test_encodings_are_decoded(tmp_path, encode, delimiter, encoding):
    people = [["José Ramos Hélène", *SITI[1:]], ["Budi Santoso", *BUDI[1:6], "Tangerang Selatan",
                                                 *BUDI[7:]]]
    path = tmp_path / "roster.csv"
    path.write_bytes(encode(_csv([HEADER, *people], delimiter)))
    frame = read_table(path, "roster")
    assert list(frame.columns) == [ROW, *HEADER]  # no BOM left on the first header
    assert frame.loc[0, "Nama Lengkap"] == "José Ramos Hélène"
    assert frame.loc[1, "Kabupaten/Kota Domisili"] == "Tangerang Selatan"
    sep = {",": "commas", ";": "semicolons", "\t": "tabs"}[delimiter]
    assert frame.attrs["read_as"] == f"text, {encoding}, separated by {sep}"


def test_windows_1252_e_acute_is_one_character(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(_csv([HEADER, ["Andr\xe9 Pratama", *SITI[1:]]]).encode("cp1252"))
    assert b"Andr\xe9 " in path.read_bytes()
    frame = read_table(path, "roster")
    assert frame.loc[0, "Nama Lengkap"] == "Andr\u00e9 Pratama"
    assert "Windows-1252" in frame.attrs["read_as"]


def test_row_with_more_cells_than_the_header_is_an_error_naming_the_row(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(_csv([HEADER, SITI, [*BUDI[:6], "Jakarta", "Timur", *BUDI[7:]]]),
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path, "roster")
    assert caught.value.row == 3
    assert "has 10 cells where the header has 9" in caught.value.message


def test_trailing_empty_cells_beyond_the_header_are_not_an_error(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(_csv([HEADER, [*SITI, "", ""]]), encoding="utf-8")
    frame = read_table(path, "roster")
    assert list(frame.columns) == [ROW, *HEADER]
    assert frame.attrs["incomplete_rows"] == set()


def test_short_row_is_listed_as_incomplete(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(_csv([HEADER, SITI, BUDI[:4], SITI]), encoding="utf-8")
    frame = read_table(path, "roster")
    assert frame.attrs["incomplete_rows"] == {3}
    assert frame.loc[1, "Jenis Kelamin"] == "Laki-laki"
    assert frame.loc[1, "Status Pekerjaan"] == ""


def test_roster_on_the_second_sheet_after_instructions(tmp_path):
    path = tmp_path / "roster.xlsx"
    _write_xlsx(path, {"Petunjuk": [["Isi satu baris per peserta"], ["Jangan ubah judul kolom"]],
                       "Peserta": [["Daftar peserta"], HEADER, SITI, BUDI]})
    frame = read_table(path, "roster")
    assert frame.attrs["read_as"] == "Excel workbook, sheet 'Peserta', header on row 2"
    assert list(frame[ROW]) == [3, 4]
    assert list(frame["Nama Lengkap"]) == ["Siti Rahayu", "Budi Santoso"]


def test_two_sheets_holding_the_roster_is_an_error_naming_both(tmp_path):
    path = tmp_path / "roster.xlsx"
    _write_xlsx(path, {"Petunjuk": [["Isi"]], "Gelombang 1": [HEADER, SITI],
                       "Gelombang 2": [HEADER, BUDI]})
    with pytest.raises(InputError) as caught:
        read_table(path, "roster")
    assert "'Gelombang 1' and 'Gelombang 2'" in caught.value.message
    # naming the sheet resolves it
    assert read_table(path, "roster", sheet="Gelombang 2").loc[0, "Nama Lengkap"] == \
        "Budi Santoso"


def test_workbook_cells_as_a_person_sees_them(tmp_path):
    path = tmp_path / "roster.xlsx"
    row = ["Siti Rahayu", 87822527683, 45, "Perempuan", "Garmen", True, dt.datetime(2023, 8, 1),
           False, "PHK"]
    _write_xlsx(path, {"Sheet1": [HEADER, row]})
    frame = read_table(path, "roster")
    assert frame.loc[0, "No. HP / WhatsApp"] == "87822527683"
    assert frame.loc[0, "Usia (tahun)"] == "45"
    assert frame.loc[0, "Kabupaten/Kota Domisili"] == "2023-08-01"
    assert frame.loc[0, "Federasi Serikat Pekerja"] == "TRUE"
    assert frame.loc[0, "Apakah Anda penyandang disabilitas?"] == "FALSE"


def test_workbook_saved_with_a_csv_name_is_read_as_a_workbook(tmp_path):
    book = tmp_path / "book.xlsx"
    _write_xlsx(book, {"Sheet1": [HEADER, SITI]})
    path = tmp_path / "roster.csv"
    path.write_bytes(book.read_bytes())
    frame = read_table(path, "roster")
    assert frame.attrs["read_as"] == "Excel workbook, sheet 'Sheet1'"
    assert frame.loc[0, "Nama Lengkap"] == "Siti Rahayu"


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError) as caught:
        read_table(path, "roster")
    assert "is a binary file" in caught.value.message


# ---------------------------------------------------------------- ingest.find_table


def test_find_table_one_candidate_any_case(tmp_path):
    (tmp_path / "roster.XLSX").write_bytes(b"x")
    (tmp_path / "attendance.csv").write_text("x")
    assert find_table(tmp_path, "roster") == tmp_path / "roster.XLSX"


def test_find_table_none(tmp_path):
    (tmp_path / "attendance.csv").write_text("x")
    (tmp_path / "roster_old.csv").write_text("x")
    assert find_table(tmp_path, "roster") is None


def test_find_table_two_candidates_is_an_error_naming_both(tmp_path):
    (tmp_path / "roster.csv").write_text("x")
    (tmp_path / "roster.xlsx").write_bytes(b"x")
    with pytest.raises(InputError) as caught:
        find_table(tmp_path, "roster")
    assert "'roster.csv' and 'roster.xlsx'" in caught.value.message


def test_find_table_named(tmp_path):
    (tmp_path / "peserta.xlsx").write_bytes(b"x")
    (tmp_path / "roster.csv").write_text("x")
    assert find_table(tmp_path, "roster", "peserta.xlsx") == tmp_path / "peserta.xlsx"
    assert find_table(tmp_path, "roster", {"file": "peserta.xlsx", "sheet": "A"}) == \
        tmp_path / "peserta.xlsx"


def test_find_table_named_but_missing(tmp_path):
    (tmp_path / "roster.csv").write_text("x")
    with pytest.raises(InputError) as caught:
        find_table(tmp_path, "roster", "peserta.xlsx")
    assert "'peserta.xlsx' not found" in caught.value.message
    assert caught.value.file == str(tmp_path / "cohort.yml")


@pytest.mark.parametrize("value, text", [(1.5, "1.5"), (2.0, "2"), (7, "7"), (0, "0"),
                                         (None, ""), (87822527683.0, "87822527683")])
def test_cell_text(value, text):
    assert cell_text(value) == text


# ---------------------------------------------------------------- identity


def test_phone_rendered_as_a_float_keeps_every_digit():
    assert normalise_phone("6287822527683.0") == "+6287822527683"
    assert not scientific_notation("6287822527683.0")


@pytest.mark.parametrize("raw", ["6,28136E+11", "6.28136E+11", "6.28136e+11"])
def test_phone_in_scientific_notation_is_none(raw):
    assert normalise_phone(raw) is None
    assert scientific_notation(raw) is True


@pytest.mark.parametrize("raw", ["0812-3456-7890", "+62 812-3456-7890", "6281234567890",
                                 "81234567890"])
def test_ordinary_phone_spellings(raw):
    assert scientific_notation(raw) is False
    assert normalise_phone(raw) == "+6281234567890"


# ---------------------------------------------------------------- chat_files

CHAT = "01/08/23 10.00 - Rina: halo\n01/08/23 10.01 - Budi: halo juga\n"


def _zip(path, members: dict) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_android_export_with_a_copy_number_is_found(tmp_path):
    (tmp_path / "whatsapp").mkdir()
    (tmp_path / "whatsapp" / "WhatsApp Chat with X (1).txt").write_text(CHAT, encoding="utf-8")
    found = find_exports(tmp_path, tables=[])
    assert [e.label(tmp_path) for e in found.exports] == ["whatsapp/WhatsApp Chat with X (1).txt"]
    assert (found.media, found.unused) == (0, [])


def test_zip_with_media_is_one_export(tmp_path):
    (tmp_path / "whatsapp").mkdir()
    members = {"WhatsApp Chat with X.txt": CHAT.encode(), "IMG-20230801-WA0001.jpg": b"\xff\xd8",
               "PTT-20230801-WA0002.opus": b"Ogg", "DOC-20230801-WA0003.pdf": b"%PDF"}
    _zip(tmp_path / "whatsapp" / "WhatsApp Chat with X.zip", members)
    found = find_exports(tmp_path, tables=[])
    assert len(found.exports) == 1
    export = found.exports[0]
    assert export.label(tmp_path) == "whatsapp/WhatsApp Chat with X.zip/WhatsApp Chat with X.txt"
    assert export.read_bytes() == CHAT.encode()
    assert found.media == 3
    assert found.unused == []


def test_documents_saved_beside_an_export_are_media_not_zipped_chats(tmp_path):
    # .xlsx/.docx/.pptx are zip files inside: a document shared in the group and saved beside
    # the export in whatsapp/ is media (MEDIA_SUFFIXES lists them), counted and ignored
    (tmp_path / "whatsapp").mkdir()
    (tmp_path / "whatsapp" / "WhatsApp Chat with X.txt").write_text(CHAT, encoding="utf-8")
    _write_xlsx(tmp_path / "whatsapp" / "DOC-20230801-WA0003.xlsx", {"Sheet1": [["harga"]]})
    (tmp_path / "whatsapp" / "IMG-20230801-WA0001.jpg").write_bytes(b"\xff\xd8")
    found = find_exports(tmp_path, tables=[])
    assert [e.label(tmp_path) for e in found.exports] == ["whatsapp/WhatsApp Chat with X.txt"]
    assert found.media == 2
    assert found.unused == []


def test_zip_left_in_the_raw_folder_is_found(tmp_path):
    _zip(tmp_path / "export grup.zip", {"_chat.txt": CHAT.encode(), "IMG-1.jpg": b"x"})
    found = find_exports(tmp_path, tables=[])
    assert [e.label(tmp_path) for e in found.exports] == ["export grup.zip/_chat.txt"]
    assert found.media == 1
    assert found.unused == []


def test_root_files_found_by_content_others_listed_unused(tmp_path):
    (tmp_path / "grup sesi agustus.txt").write_text(CHAT, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Catatan: sesi 2 dipindah ke Kamis\n", encoding="utf-8")
    (tmp_path / "catatan rapat.docx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "cohort.yml").write_text("id: x\n")
    found = find_exports(tmp_path, tables=[])
    assert [e.label(tmp_path) for e in found.exports] == ["grup sesi agustus.txt"]
    assert found.unused == ["catatan rapat.docx", "notes.txt"]


def test_zip_in_whatsapp_folder_without_a_chat_is_an_error(tmp_path):
    (tmp_path / "whatsapp").mkdir()
    _zip(tmp_path / "whatsapp" / "foto.zip", {"IMG-1.jpg": b"x", "catatan.txt": b"bukan chat"})
    with pytest.raises(InputError) as caught:
        find_exports(tmp_path, tables=[])
    assert "holds no WhatsApp chat" in caught.value.message
    assert caught.value.file.endswith("foto.zip")


def test_a_table_named_roster_txt_is_not_a_chat(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("\t".join(HEADER) + "\n" + "\t".join(SITI) + "\n", encoding="utf-8")
    (tmp_path / "chat.txt").write_text(CHAT, encoding="utf-8")
    found = find_exports(tmp_path, tables=[roster])
    assert [e.label(tmp_path) for e in found.exports] == ["chat.txt"]
    assert found.unused == []
    # without it in `tables`, the roster would be listed as a file nothing reads
    assert find_exports(tmp_path, tables=[]).unused == ["roster.txt"]


def test_looks_like_chat():
    assert looks_like_chat(b"01/08/23 10.00 - Rina: halo\n")
    assert looks_like_chat("\u200e[01/08/23, 10.00.00] Rina: halo\n".encode())
    assert looks_like_chat(b"\n\n8/1/23, 10:00 - Rina: halo\n")
    assert not looks_like_chat(",".join(HEADER).encode() + b"\n" + ",".join(SITI).encode())
    assert not looks_like_chat(b"2023-08-01,081234567890,1\n")


# ---------------------------------------------------------------- chat.merge_exports

ANDROID_ID = ExportFormat("android", "id", 24, "%d/%m/%y")
IOS_EN_12 = ExportFormat("ios", "en", 12, "%m/%d/%y")
T0 = dt.datetime(2023, 8, 15, 9, 0)
TEXTS = ["Selamat pagi", "Izin bertanya soal komisi", "Terima kasih", "Baik bu", "Sampai jumpa"]


def _export(tmp_path, name, events, fmt, order):
    path = tmp_path / f"{name}.txt"
    path.write_text(render_export(events, fmt, "Reseller Promise"), encoding="utf-8")
    frame = chat.parse_export(path, order)
    frame["file"] = name
    return frame


def _texts(sender, items, seconds=0):
    """items: (minutes after T0, text)."""
    return [(T0 + dt.timedelta(minutes=m, seconds=seconds), "text", sender, t, None, None, None)
            for m, t in items]


@pytest.fixture
def two_phones(tmp_path):
    """Phone A has messages 0-3, phone B 1-4 (same minutes, with seconds): 3 in both."""
    items = [(10 * i, t) for i, t in enumerate(TEXTS)]
    a = _export(tmp_path, "phone-a", _texts("Siti Rahayu", items[:4]), ANDROID_ID, "day_first")
    b = _export(tmp_path, "phone-b", _texts("+62 812-3456-7890", items[1:], seconds=37),
                IOS_EN_12, "month_first")
    return a, b


IDENTITY = {"Siti Rahayu": "+6281234567890", "+62 812-3456-7890": "+6281234567890"}


def test_two_phones_parsed_as_expected(two_phones):
    a, b = two_phones
    assert list(a["text"]) == TEXTS[:4] and list(b["text"]) == TEXTS[1:]
    assert list(b["timestamp"].dt.second) == [37] * 4
    assert list(b["sender"]) == ["+62 812-3456-7890"] * 4


def test_same_messages_from_two_phones_count_once(two_phones):
    a, b = two_phones
    kept, repeats = chat.merge_exports([a, b], IDENTITY)
    assert len(kept) == 5  # the union
    assert list(kept["text"]) == TEXTS
    assert len(repeats) == 3  # exactly the overlap
    assert sorted(repeats["text"]) == sorted(TEXTS[1:4])
    assert set(repeats["file"]) == {"phone-b"}


def test_without_identity_two_phones_count_twice(two_phones):
    a, b = two_phones
    kept, repeats = chat.merge_exports([a, b])
    assert len(kept) == 8
    assert len(repeats) == 0


def test_identical_messages_in_one_file_both_count(tmp_path):
    a = _export(tmp_path, "phone-a", _texts("Siti Rahayu", [(0, "ok"), (0, "ok"), (5, "ya")]),
                ANDROID_ID, "day_first")
    b = _export(tmp_path, "phone-b", _texts("Siti Rahayu", [(5, "ya")]), ANDROID_ID, "day_first")
    kept, repeats = chat.merge_exports([a, b], IDENTITY)
    assert list(kept["text"]) == ["ok", "ok", "ya"]
    assert list(repeats["file"]) == ["phone-b"]
    alone, none = chat.merge_exports([a], IDENTITY)
    assert (len(alone), len(none)) == (3, 0)


def test_same_twice_in_each_file_counts_twice(tmp_path):
    a = _export(tmp_path, "phone-a", _texts("Siti Rahayu", [(0, "ok"), (0, "ok")]),
                ANDROID_ID, "day_first")
    b = _export(tmp_path, "phone-b", _texts("Siti Rahayu", [(0, "ok"), (0, "ok")]),
                ANDROID_ID, "day_first")
    kept, repeats = chat.merge_exports([a, b], IDENTITY)
    assert (len(kept), len(repeats)) == (2, 2)


def test_spacing_and_edited_mark_do_not_make_a_new_message(tmp_path):
    a = _export(tmp_path, "phone-a",
                _texts("Siti Rahayu", [(0, "Selamat  pagi semua"), (3, "Sesi mulai jam 10")]),
                ANDROID_ID, "day_first")
    b = _export(tmp_path, "phone-b",
                _texts("+62 812-3456-7890", [(0, "Selamat pagi  semua "),
                                             (3, "Sesi mulai jam 10 <This message was edited>")],
                       seconds=12),
                IOS_EN_12, "month_first")
    kept, repeats = chat.merge_exports([a, b], IDENTITY)
    assert len(kept) == 2
    assert list(kept["file"]) == ["phone-a", "phone-a"]
    assert len(repeats) == 2


def test_different_text_at_the_same_minute_is_not_merged(tmp_path):
    a = _export(tmp_path, "phone-a", _texts("Siti Rahayu", [(0, "halo")]), ANDROID_ID,
                "day_first")
    b = _export(tmp_path, "phone-b", _texts("+62 812-3456-7890", [(0, "halo juga")], seconds=5),
                IOS_EN_12, "month_first")
    kept, repeats = chat.merge_exports([a, b], IDENTITY)
    assert sorted(kept["text"]) == ["halo", "halo juga"]
    assert len(repeats) == 0


# ---------------------------------------------------------------- quality

THRESHOLDS = {"min_linked_message_share": 0.9, "max_quarantined_share": 0.1}


def _quality(participant=85, unmatched=15, files=None, exports=2):
    return {
        "files": files if files is not None else {
            "roster.csv": {"rows_in": 10, "kept": 10, "quarantined": 0, "reasons": {},
                           "read_as": "text, UTF-8, separated by commas"}},
        "chat": {"exports": exports, "media_files": 3, "unused_files": 1,
                 "participant_messages": participant, "unmatched_messages": unmatched},
        "linkage": {"senders": 12, "facilitators": 2, "unmatched": 3},
    }


def test_linked_share_below_threshold_warns_once():
    s = quality.summary(_quality(85, 15), THRESHOLDS)
    assert s["linked_message_share"] == 0.85
    assert s["senders_linked"] == 7
    assert s["warnings"] == [{"code": "linked_share_low", "share": 0.85, "threshold": 0.9,
                              "unmatched_senders": 3, "unmatched_messages": 15}]
    lines, warnings = quality.console_lines("demo", s)
    assert len(warnings) == 1
    assert "only 85.0% of participant messages" in warnings[0]
    assert "threshold 90%" in warnings[0]
    assert "3 sender(s) with 15 message(s) unmatched" in warnings[0]
    assert "data/interim/demo/unmatched_senders.csv" in warnings[0]
    assert "(85.0% of 100)" in lines[-2]


def test_linked_share_above_threshold_does_not_warn():
    s = quality.summary(_quality(95, 5), THRESHOLDS)
    assert s["linked_message_share"] == 0.95
    assert s["warnings"] == []
    assert quality.console_lines("demo", s)[1] == []


def test_quarantined_share_above_threshold_warns():
    files = {"roster.csv": {"rows_in": 10, "kept": 8, "quarantined": 2,
                            "reasons": {"bad phone": 2}}}
    s = quality.summary(_quality(95, 5, files), THRESHOLDS)
    assert s["warnings"] == [{"code": "quarantined_high", "file": "roster.csv", "quarantined": 2,
                              "rows": 10, "share": 0.2, "threshold": 0.1}]
    warnings = quality.console_lines("demo", s)[1]
    assert warnings == ["demo: roster.csv: 2 of 10 rows quarantined (20.0%, threshold 10%); see "
                        "data/interim/demo/quarantine.csv"]


def test_blank_rows_never_count_toward_the_quarantine_warning():
    # 5 of 20 quarantined, but 4 of them blank: 1 of 16 people (6%), under 10%
    files = {"roster.csv": {"rows_in": 20, "kept": 15, "quarantined": 5,
                            "reasons": {"blank row": 4, "bad phone": 1}}}
    assert quality.summary(_quality(95, 5, files), THRESHOLDS)["warnings"] == []
    # only blank rows quarantined: never a warning
    files = {"roster.csv": {"rows_in": 12, "kept": 2, "quarantined": 10,
                            "reasons": {"blank row": 10}}}
    assert quality.summary(_quality(95, 5, files), THRESHOLDS)["warnings"] == []


def test_merged_lines_are_summed():
    files = {"a.txt": {"rows_in": 100, "kept": 100, "quarantined": 0, "reasons": {},
                       "merged": 3},
             "b.txt": {"rows_in": 50, "kept": 50, "quarantined": 0, "reasons": {}, "merged": 4},
             "roster.csv": {"rows_in": 10, "kept": 10, "quarantined": 0, "reasons": {}}}
    s = quality.summary(_quality(95, 5, files), THRESHOLDS)
    assert s["merged_lines"] == 7
    lines = quality.console_lines("demo", s)[0]
    assert "  a.txt: 100 read, 100 kept, 0 quarantined, 3 already in another export" in lines
    assert any("7 line(s) found in more than one export" in line for line in lines)


def test_no_export_found_line():
    s = quality.summary(_quality(0, 0, exports=0), THRESHOLDS)
    assert s["linked_message_share"] is None
    assert s["warnings"] == []
    lines = quality.console_lines("demo", s)[0]
    assert "  WhatsApp: no export found (activity is not measured; the report says so)" in lines


# ---------------------------------------------------------------- cohort.yml


def _edit(raw_dir, **changes):
    file = raw_dir / "cohort.yml"
    spec = yaml.safe_load(file.read_text(encoding="utf-8"))
    spec.update(changes)
    file.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")


def test_cohort_quality_defaults(cohort_copy):
    assert load_cohort(cohort_copy).quality == {"min_linked_message_share": 0.9,
                                                "max_quarantined_share": 0.1}
    _edit(cohort_copy, quality={"min_linked_message_share": 0.75})
    assert load_cohort(cohort_copy).quality["min_linked_message_share"] == 0.75


def test_cohort_quality_share_above_one_is_refused(cohort_copy):
    _edit(cohort_copy, quality={"min_linked_message_share": 1.5})
    with pytest.raises(InputError) as caught:
        load_cohort(cohort_copy)
    assert "quality.min_linked_message_share: '1.5' is not a share" in caught.value.message


def test_cohort_unknown_quality_setting_is_refused(cohort_copy):
    _edit(cohort_copy, quality={"foo": 0.5})
    with pytest.raises(InputError) as caught:
        load_cohort(cohort_copy)
    assert caught.value.message.startswith("quality.foo: unknown setting")


def test_cohort_unknown_files_key_is_refused(cohort_copy):
    _edit(cohort_copy, files={"rosterr": "x.csv"})
    with pytest.raises(InputError) as caught:
        load_cohort(cohort_copy)
    assert "unknown: rosterr" in caught.value.message
