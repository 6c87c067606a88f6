"""`python -m analysis chat-summary`: CSV per sender; one clear line and exit 2 on a bad file."""

import csv
import io
import subprocess
import sys

from analysis.synthetic.chat_formats import FORMATS, render_export
from conftest import PROJECT_ROOT
from test_chat_formats import EVENTS


def _summary(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "chat-summary", *map(str, args)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_chat_summary_prints_one_row_per_sender_and_a_system_row(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(render_export(EVENTS, FORMATS[0], "Grup"), encoding="utf-8")
    done = _summary(path)
    assert done.returncode == 0, done.stderr
    rows = {r["sender"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert list(csv.reader(io.StringIO(done.stdout)))[0] == [
        "sender", "messages", "media", "first_message", "last_message", "joined", "left"]
    assert rows["Budi Santoso"]["messages"] == "3" and rows["Budi Santoso"]["media"] == "1"
    assert rows["Budi Santoso"]["joined"] == "2023-08-01T10:01:00"
    assert rows["Budi Santoso"]["left"] == "2023-08-16T06:00:00"
    assert rows["Rina Evermos"]["first_message"] == "2023-08-02T10:00:00"
    assert rows["Rina Evermos"]["last_message"] == "2023-08-18T09:59:00"
    assert rows["+62 812-3456-7890"]["left"] == "2023-08-16T19:00:00"
    assert rows["<system>"]["messages"] == str(sum(e[1] == "system" for e in EVENTS))


def test_chat_summary_merges_parts_without_double_counting(tmp_path):
    text = render_export(EVENTS, FORMATS[1], "Grup").splitlines(keepends=True)
    (tmp_path / "a.txt").write_text("".join(text[:9]), encoding="utf-8")
    (tmp_path / "b.txt").write_text("".join(text[7:]), encoding="utf-8")  # lines 7-8 in both
    (tmp_path / "whole.txt").write_text("".join(text), encoding="utf-8")
    assert _summary(tmp_path / "a.txt", tmp_path / "b.txt").stdout == \
        _summary(tmp_path / "whole.txt").stdout


def test_unrecognised_file_gives_one_line_naming_file_and_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("\nDaftar hadir sesi 1\nBudi\n", encoding="utf-8")
    done = _summary(path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: {path} line 2: is not a WhatsApp chat export in a known format: "
        "'Daftar hadir sesi 1'"]


def test_missing_file_is_one_line_too(tmp_path):
    done = _summary(tmp_path / "absent.txt")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"error: {tmp_path / 'absent.txt'}: not found"
