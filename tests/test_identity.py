import pytest

from analysis.ingest.identity import DEMO_KEY, fold_name, load_key, normalise_phone, pseudonym


@pytest.mark.parametrize("spelling", ["0812-3456-7890", "+62 812-3456-7890", "6281234567890",
                                      "081234567890", "0812 3456 7890", "+62 812 3456 7890",
                                      "\u200e+62 812-3456-7890", "81234567890"])
def test_every_spelling_of_a_number_normalises_to_one(spelling):
    assert normalise_phone(spelling) == "+6281234567890"


@pytest.mark.parametrize("junk", ["", "12345", "bukan nomor", None, "0000000000000000"])
def test_not_a_phone_number_gives_none(junk):
    assert normalise_phone(junk) is None


def test_names_fold_case_accents_and_punctuation():
    assert fold_name("  SITI   Nurhaliza, S.E. ") == fold_name("siti nurhaliza s e")
    assert fold_name("Dédé") == "dede"


def test_pseudonym_is_stable_keyed_and_hides_the_number():
    a = pseudonym("+6281234567890", b"key-one")
    assert a == pseudonym("+6281234567890", b"key-one")
    assert a != pseudonym("+6281234567890", b"key-two")
    assert "81234567890" not in a and len(a) == 13


def test_synthetic_cohorts_use_the_documented_demo_key(tmp_path):
    assert load_key(synthetic=True, env={"PROMISE_PSEUDONYM_KEY": "other"}) == DEMO_KEY


def test_real_cohort_without_a_key_says_how_to_make_one(tmp_path):
    with pytest.raises(KeyError, match="secrets.token_hex"):
        load_key(synthetic=False, env={}, key_file=tmp_path / "absent.key")
    key_file = tmp_path / "k"
    key_file.write_text("s3cret\n")
    assert load_key(synthetic=False, env={}, key_file=key_file) == b"s3cret"
    assert load_key(synthetic=False, env={"PROMISE_PSEUDONYM_KEY": "abc"}, key_file=key_file) == b"abc"
