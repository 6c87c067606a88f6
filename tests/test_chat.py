import datetime as dt

import pytest

from analysis.errors import InputError
from analysis.ingest import chat
from analysis.synthetic.chat_formats import FORMATS, render_line

ANDROID_ID = """\
01/08/23 10.00 - Pesan dan panggilan dienkripsi secara end-to-end. Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya.
01/08/23 10.00 - Rina Evermos membuat grup "Reseller Promise: Jakarta"
01/08/23 10.01 - Rina Evermos menambahkan Budi Santoso, +62 812-3456-7890 dan Siti Aminah
02/08/23 08.00 - +62 813-1111-2222 bergabung menggunakan tautan undangan grup ini
02/08/23 08.05 - Rina Evermos: Selamat pagi: semua
ini baris kedua

dan baris ketiga
02/08/23 08.06 - Budi Santoso: <Media tidak disertakan>
13/08/23 21.15 - Budi Santoso: Pesan ini telah dihapus
14/08/23 21.15 - Budi Santoso keluar
14/08/23 21.16 - Rina Evermos mengubah subjek dari "A" ke "B: c"
14/08/23 21.17 - Siti Aminah: saya tidak keluar kok
14/08/23 21.18 - Siti Aminah: Andi menambahkan saya ke grup lain
15/08/23 07.00 - Rina Evermos mengeluarkan +62 813-1111-2222
"""


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(ANDROID_ID, encoding="utf-8")
    return path


def test_android_indonesian_export_counts(export):
    records = chat.parse_export(export)
    kinds = records["kind"].value_counts().to_dict()
    assert kinds == {"system": 7, "text": 3, "media": 1, "deleted": 1}
    by_sender = records[records["kind"] != "system"].groupby("sender").size().to_dict()
    assert by_sender == {"Rina Evermos": 1, "Budi Santoso": 2, "Siti Aminah": 2}


def test_multiline_message_keeps_its_lines_and_first_line_number(export):
    records = chat.parse_export(export)
    message = records[records["sender"] == "Rina Evermos"].iloc[0]
    assert message["text"] == "Selamat pagi: semua\nini baris kedua\n\ndan baris ketiga"
    assert message["line"] == 5
    assert str(message["timestamp"]) == "2023-08-02 08:05:00"


def test_system_line_with_a_colon_is_still_a_system_line(export):
    records = chat.parse_export(export)
    changed = records[records["event"] == "group_changed"]
    assert len(changed) == 1 and changed["sender"].isna().all()
    created = records[records["event"] == "created"]
    assert created["actor"].tolist() == ["Rina Evermos"]


def test_message_quoting_system_words_is_a_message(export):
    records = chat.parse_export(export)
    siti = records[records["sender"] == "Siti Aminah"]["text"].tolist()
    assert siti == ["saya tidak keluar kok", "Andi menambahkan saya ke grup lain"]


def test_membership_events_per_person(export):
    events = chat.membership_events(chat.parse_export(export))
    joined = sorted(events[events["event"] == "joined"]["person"])
    left = sorted(events[events["event"] == "left"]["person"])
    assert joined == ["+62 812-3456-7890", "+62 813-1111-2222", "Budi Santoso", "Siti Aminah"]
    assert left == ["+62 813-1111-2222", "Budi Santoso"]


def test_parts_of_one_chat_merge_without_double_counting(tmp_path):
    lines = ANDROID_ID.splitlines(keepends=True)
    first, second = tmp_path / "part1.txt", tmp_path / "part2.txt"
    first.write_text("".join(lines[:10]), encoding="utf-8")  # overlap: lines 9-10 in both
    second.write_text("".join(lines[8:]), encoding="utf-8")
    whole = tmp_path / "whole.txt"
    whole.write_text(ANDROID_ID, encoding="utf-8")
    merged = chat.parse_exports([first, second])
    assert len(merged) == len(chat.parse_export(whole))


def test_identical_messages_within_one_file_both_count(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("02/08/23 08.05 - Budi: ok\n02/08/23 08.05 - Budi: ok\n", encoding="utf-8")
    assert len(chat.parse_exports([path])) == 2


def test_identical_system_lines_count_as_often_as_written(tmp_path):
    """A system line has no sender: it still counts twice in one file (the merge once took
    the missing sender for 'no key' and quarantined the second as a repeat) and once across
    two parts that both hold it."""
    lines = ("02/08/23 08.05 - Rina menambahkan Budi\n" * 2 + "02/08/23 08.06 - Budi: ok\n")
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text(lines, encoding="utf-8")
    assert (chat.parse_exports([one])["kind"] == "system").sum() == 2
    two.write_text(lines + "02/08/23 08.07 - Budi: lagi\n", encoding="utf-8")
    merged = chat.parse_exports([one, two])
    assert (merged["kind"] == "system").sum() == 2 and len(merged) == 4


def test_month_first_dates_are_inferred_from_the_whole_file(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("08/01/23 10.00 - Budi: a\n08/13/23 10.00 - Budi: b\n", encoding="utf-8")
    stamps = chat.parse_export(path)["timestamp"].dt.strftime("%Y-%m-%d").tolist()
    assert stamps == ["2023-08-01", "2023-08-13"]


@pytest.mark.parametrize("content, expected", [
    (b"", "is empty"),
    (b"hello world\nthis is not a chat\n", "not a WhatsApp chat export in a known format"),
    (b"\x00\x01\x02binary", "binary file"),
    (b"oops\n02/08/23 08.05 - Budi: ok\n", "line 1: line does not start with a date"),
    ("02/08/23 08.05 - Budi: ok\n".encode("utf-16"), "binary file"),
])
def test_unreadable_exports_give_one_clear_error(tmp_path, content, expected):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected) as caught:
        chat.parse_export(path)
    assert str(caught.value).startswith(str(path))


def test_parsing_in_two_halves_gives_the_same_records_wherever_the_cut_falls(export, monkeypatch):
    data = export.read_bytes() + b"15/08/23 08.00 - Budi Santoso: daftar:\n2 produk terjual\n\n"
    export.write_bytes(data)
    whole = chat.parse_export(export)
    monkeypatch.setattr(chat, "PARALLEL_BYTES", 1)
    cuts = [i + 1 for i, byte in enumerate(data[:-1]) if byte == ord("\n")]
    for cut in cuts:
        line = data[:cut].count(b"\n") + 1
        monkeypatch.setattr(chat.chat_lines, "chunks",
                            lambda data, parts, cut=cut, line=line: [(0, cut, 1),
                                                                    (cut, len(data), line)])
        halves = chat.parse_export(export)
        assert halves.astype(str).equals(whole.astype(str)), f"cut before line {line}"
    assert whole["text"].iloc[-1] == "daftar:\n2 produk terjual"


@pytest.mark.parametrize("header", ["15/08/23 08.00 - Budi: ",
                                    "[8/15/23, 8:00:00\u202fAM] Budi: ",
                                    "\u200e[15/08/23 08.00.00] Budi: "])
def test_runs_are_cut_before_headers_not_before_a_message_line_starting_with_a_digit(header):
    """A cut inside a message costs a second parse of two runs: cut only where a line looks
    like a whole header, in the spellings exports use (before normalising)."""
    message = header + "daftar:\n2 produk terjual\n[catatan] 10/10 siap\n12.00 kirim\n"
    data = (message * 2000).encode("utf-8")
    bounds = chat.chat_lines.chunks(data, 40)
    assert len(bounds) == 40
    assert all(data[lo:hi].decode("utf-8").startswith(header) for lo, hi in bounds)


def test_number_changes_and_you_lines_are_system_events_in_both_languages(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(
        "02/08/23 08.00 - Budi Santoso telah mengganti nomor teleponnya ke nomor baru. Ketuk untuk"
        " mengirim pesan atau menambahkan nomor baru.\n"
        "02/08/23 08.01 - Siti changed their phone number to a new number. Tap to message or add"
        " the new number.\n"
        "02/08/23 08.02 - Anda menambahkan Agus\n"
        "02/08/23 08.03 - You removed Agus\n"
        "02/08/23 08.04 - Agus: halo\n", encoding="utf-8")
    records = chat.parse_export(path)
    assert records["event"].tolist()[:4] == ["number_changed", "number_changed", "added", "removed"]
    assert records["sender"].tolist()[4] == "Agus"


def test_date_order_from_cohort_yml_overrides_the_guess(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("03/04/23 10.00 - Budi: a\n05/06/23 10.00 - Budi: b\n", encoding="utf-8")
    guessed = chat.parse_export(path)["timestamp"].dt.strftime("%Y-%m-%d").tolist()
    told = chat.parse_export(path, "month_first")["timestamp"].dt.strftime("%Y-%m-%d").tolist()
    assert guessed == ["2023-04-03", "2023-06-05"]  # Indonesian phones write the day first
    assert told == ["2023-03-04", "2023-05-06"]


def test_encryption_notice_under_the_group_name_is_a_system_line(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(
        "15.04.2016, 15:04 - Reseller Digital Jakarta: Messages and calls are end-to-end "
        "encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. "
        "Tap to learn more.\n"
        "15.04.2016, 15:05 - Budi Santoso: Messages and calls are fine here, thanks\n",
        encoding="utf-8")
    records = chat.parse_export(path)
    assert records["kind"].tolist() == ["system", "text"]
    assert records["event"].tolist()[0] == "encryption"
    assert records["sender"].dropna().tolist() == ["Budi Santoso"]
    assert "Reseller Digital Jakarta" not in set(chat.sender_summary(records)["sender"])


NOTICES = [
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
    "can read or listen to them. Tap to learn more.",
    "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, "
    "termasuk WhatsApp, yang dapat membaca atau mendengarkannya.",
    "Pesan dan panggilan dienkripsi secara end-to-end. Tidak seorang pun di luar chat ini, "
    "termasuk WhatsApp, yang dapat membaca atau mendengarkannya.",
]


@pytest.mark.parametrize("notice", NOTICES, ids=["en", "id-terenkripsi", "id-dienkripsi"])
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_the_encryption_notice_under_the_group_name_is_a_system_line_in_every_format(
        tmp_path, fmt, notice):
    group = "Reseller Digital Sukabumi"
    first, second = dt.datetime(2023, 9, 5, 8, 1), dt.datetime(2023, 9, 5, 8, 7)
    path = tmp_path / "chat.txt"
    path.write_text(render_line(first, f"{group}: {notice}", fmt, group, system=False) + "\n" +
                    render_line(second, "Siti Rahma: Pesan dan panggilan di sini lancar", fmt,
                                group, system=False) + "\n", encoding="utf-8")
    records = chat.parse_export(path)
    assert records["kind"].tolist() == ["system", "text"]
    assert records["event"].tolist()[0] == "encryption"
    assert records["sender"].dropna().tolist() == ["Siti Rahma"]
    assert group not in set(chat.sender_summary(records)["sender"])


TRICKY_SYSTEM_LINES = [
    "Budi keluar", "Budi keluar keluar", "Rina menambahkan Budi added Siti",
    "Rina added A, B and C", "Siti changed to +62 812", "Siti changed toko", "Siti changed to",
    "Siti changed toé", "Agus telah mengganti nomor teleponnya", "Rina mengubah ikon grup ini",
    'Rina membuat grup "A"', "Ani 🌸 bergabung", "Ani 🌸 bergabung menggunakan tautan undangan grup ini",
    "  Budi   left", "Budi: keluar", "halo semua",
]


@pytest.mark.parametrize("line", TRICKY_SYSTEM_LINES)
def test_system_lines_read_as_python_re_reads_them(tmp_path, line):
    """The parser runs the system patterns in Arrow's RE2; Python's re is their definition."""
    path = tmp_path / "c.txt"
    path.write_text(f"02/08/23 08.00 - {line}\n", encoding="utf-8")
    record = chat.parse_export(path).iloc[0]
    match = chat.SYSTEM.match(line)
    if ": " in line:  # a sender's message, whatever it says
        assert record["kind"] == "text"
        return
    assert record["kind"] == "system"
    if match is None:
        assert record["event"] == "other"
        return
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    assert record["event"] == next(name for name, _ in chat.SYSTEM_PATTERNS if name in groups)
    actor = next((v for k, v in groups.items() if k.startswith("actor_")), None)
    target = next((v for k, v in groups.items() if k.startswith("target_")), None)
    assert (record["actor"] if isinstance(record["actor"], str) else None) == (
        actor.strip() if actor else None)
    assert (record["target"] if isinstance(record["target"], str) else None) == (
        target.strip() if target else None)
