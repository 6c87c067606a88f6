"""Linking chat senders to the roster: each rule, in order, on hand-made cases."""

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.linkage import link_senders, linkage_summary, read_overrides

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

    from analysis.ingest.linkage import FUZZY_MARGIN, FUZZY_THRESHOLD
    from analysis.ingest.names import name_key

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

    keyed = roster.assign(key=roster["name"].map(name_key))  # Faker's names have titles
    exact = set(keyed["key"].str.replace(" ", ""))
    choices = keyed.set_index("phone_e164")["key"].to_dict()
    firsts = keyed["key"].str.split().str[0]
    checked = 0
    for sender in set(senders):
        query = name_key(sender)
        if query.replace(" ", "") in exact:
            continue
        if " " not in query:
            hits = keyed.loc[firsts == query, "phone_e164"].tolist()
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


PHONES = [f"+628177{i:07d}" for i in range(10)]


@pytest.mark.parametrize(("roster_name", "senders"), [
    ("BPK. AHMAD FAUZI", ["Ahmad Fauzi", "Pak Ahmad Fauzi", "Bpk.Ahmad Fauzi"]),
    ("Ibu Siti Rahayu", ["SITI RAHAYU", "Bu Siti Rahayu"]),
    ("Hj. Siti Aminah", ["Bu Siti Aminah", "Siti-Aminah", "hj siti aminah"]),
    ("Dr. Ir. Budi Santoso, M.M.", ["Budi Santoso", "Pak Budi Santoso, MM", "Budi Santoso SE"]),
    ("Ahmad Fauzi, S.E., M.Si", ["Ahmad Fauzi", "Ahmad Fauzi S.E"]),
    ("Nur'aini Siregar", ["Nuraini Siregar", "Nur Aini Siregar", "Nur\u2019aini Siregar"]),
    ("Nuraini Siregar", ["Nur'aini Siregar", "Nur Aini Siregar", "Kak Nur\u02bcaini Siregar"]),
    ("Ibu Désy Ratnasari", ["Desy Ratnasari", "DESY RATNASARI, S.Pd"]),
])
def test_titles_case_accents_and_spacing_do_not_stop_a_match(roster_name, senders):
    """Titles (honorifics, academic prefixes, degrees) are set aside on both sides; case,
    accents, punctuation and spacing inside a name do not matter."""
    roster = pd.DataFrame({"name": [roster_name, "Dewi Lestari", "Agus Salim"],
                           "phone_e164": PHONES[:3]})
    links = link_senders(pd.Series(senders), roster, ["Rina Evermos"]).set_index("sender")
    for sender in senders:
        assert links.loc[sender, ["role", "phone_e164"]].tolist() == [
            "participant", PHONES[0]], sender
        assert links.loc[sender, "method"] in ("name", "name (spacing)"), sender
    assert linkage_summary(links.reset_index())["matched_by_name"] == len(senders)


def test_two_roster_people_who_differ_only_by_a_title_or_spacing_are_not_guessed():
    roster = pd.DataFrame({"name": ["Pak Agus Salim", "Agus Salim", "Nur Aini Lubis",
                                    "Nuraini Lubis", "Budi Santoso"],
                           "phone_e164": PHONES[:5]})
    senders = ["Agus Salim", "Pak Agus Salim", "AGUS SALIM, S.E.", "Nur Aini Lubis",
               "Nuraini Lubis", "Nur'aini Lubis", "Agus Salimm"]
    links = link_senders(pd.Series(senders), roster, []).set_index("sender")
    for sender in senders[:-1]:
        assert links.loc[sender, ["role", "method"]].tolist() == [
            "unmatched", "no match (ambiguous)"], sender
    assert links.loc["Agus Salimm", "role"] == "unmatched"  # a typo: fuzzy, and still a tie


def test_a_name_that_is_only_a_title_word_is_kept():
    from analysis.ingest.names import name_key

    assert name_key("Bang") == "bang" and name_key("Bu Neng") == "neng"
    assert name_key("Mas Agung Bang") == "agung bang"  # a title word counts only where titles go
    assert name_key("Ahmad S.E. Fauzi") == "ahmad s e fauzi"
    roster = pd.DataFrame({"name": ["Bang", "Bu Neng", "Bang Jali Siregar"],
                           "phone_e164": PHONES[:3]})
    links = link_senders(pd.Series(["BANG", "Neng", "Teh Neng", "Jali Siregar"]), roster,
                         []).set_index("sender")
    assert links["phone_e164"].to_dict() == {"BANG": PHONES[0], "Neng": PHONES[1],
                                             "Teh Neng": PHONES[1], "Jali Siregar": PHONES[2]}


def test_a_facilitator_is_known_with_a_title_too():
    links = _links(["Kak Rina Evermos", "Bu Rina Evermos, S.Kom"])
    assert (links["role"] == "facilitator").all()


def test_the_title_lists_are_codebook_settings(monkeypatch):
    from analysis import codebook
    from analysis.ingest import names

    spec = codebook.load_codebook()["names"]
    names.titles.cache_clear()
    roster = pd.DataFrame({"name": ["Ajengan Dedi Mulyadi"], "phone_e164": PHONES[:1]})
    assert _role(link_senders(pd.Series(["Dedi Mulyadi"]), roster, [])) == "unmatched"
    monkeypatch.setitem(spec, "honorifics", [*spec["honorifics"], "Ajengan"])
    names.titles.cache_clear()
    try:
        assert _role(link_senders(pd.Series(["Dedi Mulyadi"]), roster, [])) == "participant"
    finally:
        monkeypatch.undo()
        names.titles.cache_clear()


def _role(links):
    return links["role"].iloc[0]


def test_a_title_like_word_that_is_a_given_name_does_not_merge_two_people():
    # "Raden" and "Uda" are titles, and given names too: stripped, both people would be
    # "Sihombing" and neither could be linked (found on a 10,000-person generated cohort)
    roster = pd.DataFrame({"name": ["Raden Sihombing", "Uda Sihombing", "Pak Agus Salim"],
                           "phone_e164": PHONES[:3]})
    links = link_senders(pd.Series(["Raden Sihombing", "UDA SIHOMBING", "Agus Salim"]), roster,
                         []).set_index("sender")
    assert links.loc["Raden Sihombing", ["role", "phone_e164"]].tolist() == ["participant",
                                                                           PHONES[0]]
    assert links.loc["UDA SIHOMBING", ["role", "phone_e164"]].tolist() == ["participant",
                                                                         PHONES[1]]
    assert links.loc["Agus Salim", ["role", "phone_e164"]].tolist() == ["participant", PHONES[2]]
