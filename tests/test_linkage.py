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


def test_fuzzy_names_scored_together_agree_with_one_name_at_a_time():
    """The batch scoring (cdist) gives what the rule says, pair by pair: checked against
    rapidfuzz's extract for each name on a roster of Faker names with typos, honorifics,
    near-twins (ambiguous) and lone first names."""
    import numpy as np
    from faker import Faker
    from rapidfuzz import fuzz, process

    from analysis.identity import fold_name
    from analysis.linkage import FUZZY_MARGIN, FUZZY_THRESHOLD, _without_honorifics

    fake, rng = Faker("id_ID"), np.random.default_rng(7)
    fake.seed_instance(7)
    names = list(dict.fromkeys(fake.name() for _ in range(400)))
    twins = [n for n in names if " " in n][:10]
    names += [n + "a" for n in twins] + [n + "i" for n in twins]  # "...a" ~ "...e" ~ "...i"
    roster = pd.DataFrame({"name": names,
                           "phone_e164": [f"+62812{i:07d}" for i in range(len(names))]})
    senders = []
    for name in rng.choice(names, 150, replace=False):
        word = list(name)
        at = int(rng.integers(1, len(word)))
        word[at] = "xyz"[int(rng.integers(3))]  # one typo
        senders += ["".join(word), "Bu " + "".join(word), name.split()[0], name + "o"]
    senders += [n + "e" for n in twins]
    links = link_senders(pd.Series(senders), roster, ["Rina Evermos"]).set_index("sender")

    folded = roster.assign(folded=roster["name"].map(fold_name))
    exact = set(folded["folded"])
    choices = folded.set_index("phone_e164")["folded"].to_dict()
    firsts = folded["folded"].str.split().str[0]
    checked = 0
    for sender in set(senders):
        name = fold_name(sender)
        if name in exact:
            continue
        query = _without_honorifics(name)
        if " " not in query:
            hits = folded.loc[firsts == query, "phone_e164"].tolist()
            expected = hits[0] if len(hits) == 1 else None
        else:
            best = process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=2)
            expected = (best[0][2] if best[0][1] >= FUZZY_THRESHOLD and
                        (len(best) < 2 or best[0][1] - best[1][1] >= FUZZY_MARGIN) else None)
        got = links.loc[sender, "phone_e164"]
        assert (None if pd.isna(got) else got) == expected, sender
        checked += 1
    methods = links["method"]
    assert checked > 400
    assert methods.str.startswith("fuzzy").sum() > 100
    assert (methods == "no match (ambiguous)").sum() > 0
    assert (methods == "first name (unique)").sum() > 0
