"""One chat rendered in eight export formats: the parser must get back exactly what was written."""

import datetime as dt

import pytest

from analysis.ingest import chat
from analysis.synthetic.chat_formats import FORMATS, render_export

T0 = dt.datetime(2023, 8, 1, 10, 0)


def _at(days=0, hours=0, minutes=0, seconds=0):
    return T0 + dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


EVENTS = [
    (_at(), "system", None, None, "encryption", None, None),
    (_at(), "system", None, None, "created", "Rina Evermos", None),
    (_at(minutes=1), "system", None, None, "added", "Rina Evermos", "Budi Santoso"),
    (_at(minutes=1), "system", None, None, "added", "Rina Evermos", "+62 812-3456-7890"),
    (_at(hours=3), "system", None, None, "joined", "Siti Aminah", None),
    (_at(days=1), "text", "Rina Evermos", "Selamat pagi: semua\nbaris kedua", None, None, None),
    (_at(days=1, hours=1), "media", "Budi Santoso", None, None, None, None),
    (_at(days=1, hours=2, seconds=7), "text", "+62 812-3456-7890", "Izin bertanya", None, None, None),
    (_at(days=2, hours=13), "text", "Siti Aminah", "Saya keluar dulu ya", None, None, None),
    (_at(days=3, hours=14), "deleted", "Budi Santoso", None, None, None, None),
    (_at(days=4), "system", None, None, "group_changed", "Rina Evermos", None),
    (_at(days=13, hours=11), "text", "Budi Santoso", "Terima kasih", None, None, None),
    (_at(days=14, hours=20), "system", None, None, "left", "Budi Santoso", None),
    (_at(days=15, hours=9), "system", None, None, "removed", "Rina Evermos", "+62 812-3456-7890"),
    (_at(days=16, hours=23, minutes=59), "text", "Rina Evermos", "Sampai jumpa", None, None, None),
]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_parser_recovers_every_event_in_every_format(tmp_path, fmt):
    path = tmp_path / "chat.txt"
    path.write_text(render_export(EVENTS, fmt, "Reseller Promise"), encoding="utf-8")
    records = chat.parse_export(path)
    assert len(records) == len(EVENTS)
    assert records["kind"].tolist() == [e[1] for e in EVENTS]
    posts = records[records["kind"] != "system"]
    assert posts["sender"].tolist() == [e[2] for e in EVENTS if e[1] != "system"]
    texts = [e[3] for e in EVENTS if e[1] == "text"]
    assert records.loc[records["kind"] == "text", "text"].tolist() == texts
    expected_minutes = [e[0].replace(second=0) for e in EVENTS]
    assert [t.replace(second=0) for t in records["timestamp"]] == expected_minutes
    system = records[records["kind"] == "system"]
    assert system["event"].tolist() == [e[4] for e in EVENTS if e[1] == "system"]
    membership = chat.membership_events(records)
    joined = sorted(membership.loc[membership["event"] == "joined", "person"])
    left = sorted(membership.loc[membership["event"] == "left", "person"])
    assert joined == ["+62 812-3456-7890", "Budi Santoso", "Siti Aminah"]
    assert left == ["+62 812-3456-7890", "Budi Santoso"]
