"""Linking chat senders to the roster: each rule, in order, on hand-made cases."""

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.linkage import link_senders, linkage_summary, read_overrides

ROSTER = pd.DataFrame({
    "name": ["Siti Nurhaliza", "Budi Santoso", "Sari Wulandari", "Dewi Lestari", "Dewi Sartika",
             "Agus Salim"],
    "phone_e164": ["+6281111111111", "+6281222222222", "+6281333333333", "+6281444444444",
                   "+6281555555555", "+6281666666666"],
})


def _links(senders, overrides=None, facilitators=("Rina Evermos", "+62 811-9999-0000")):
    links = link_senders(pd.Series(senders), ROSTER, facilitators, overrides)
    return links.set_index("sender")


def test_each_rule_links_what_it_should():
    links = _links(["+62 812-2222-2222", "BUDI santoso", "Siti Nurhalisa", "Bu Sari",
                    "Rina Evermos", "+62 811-9999-0000", "Anda", "Dewi", "Agus Jakarta",
                    "+62 899-0000-1111"])
    assert links.loc["+62 812-2222-2222", ["phone_e164", "method"]].tolist() == [
        "+6281222222222", "phone"]
    assert links.loc["BUDI santoso", "method"] == "name"
    assert links.loc["Siti Nurhalisa", "phone_e164"] == "+6281111111111"  # a typo
    assert links.loc["Siti Nurhalisa", "method"].startswith("fuzzy name")
    assert links.loc["Bu Sari", ["phone_e164", "method"]].tolist() == [
        "+6281333333333", "first name (unique)"]
    for staff in ("Rina Evermos", "+62 811-9999-0000", "Anda"):
        assert links.loc[staff, "role"] == "facilitator"
    assert links.loc["Dewi", "role"] == "unmatched"  # two Dewis: never guess
    assert links.loc["Agus Jakarta", "role"] == "unmatched"
    assert links.loc["+62 899-0000-1111", "role"] == "unmatched"  # a number not on the roster


def test_overrides_win_over_every_other_rule(tmp_path):
    path = tmp_path / "linkage_overrides.csv"
    path.write_text("Nama di WhatsApp,No HP peserta\nDewi,0814-4444-4444\n"
                    "Budi Santoso,fasilitator\n", encoding="utf-8")
    links = _links(["Dewi", "Budi Santoso"], read_overrides(path))
    assert links.loc["Dewi", ["role", "phone_e164", "method"]].tolist() == [
        "participant", "+6281444444444", "override"]
    assert links.loc["Budi Santoso", "role"] == "facilitator"
    summary = linkage_summary(links.reset_index())
    assert summary["matched_by_override"] == 1 and summary["facilitators"] == 1


def test_a_bad_override_names_its_row(tmp_path):
    path = tmp_path / "linkage_overrides.csv"
    path.write_text("Nama di WhatsApp,No HP peserta\nDewi,siapa ya\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"linkage_overrides.csv row 2, column `No HP peserta`"):
        read_overrides(path)
