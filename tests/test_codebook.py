import pandas as pd
import pytest

from analysis import codebook
from analysis.errors import InputError


def test_headers_match_whatever_the_punctuation_and_case():
    mapping = codebook.match_headers(
        ["Cap waktu", "NAMA LENGKAP ", "No. HP / WhatsApp", "Usia (tahun)", "Jenis Kelamin",
         "Sektor Pekerjaan Sebelumnya", "Federasi Serikat Pekerja", "Kabupaten/Kota Domisili",
         "Apakah Anda penyandang disabilitas?", "Status Pekerjaan"], "roster", "roster.csv")
    assert mapping["No. HP / WhatsApp"] == "phone"
    assert mapping["NAMA LENGKAP "] == "name"
    assert mapping["Apakah Anda penyandang disabilitas?"] == "disability"


def test_missing_column_names_the_file_and_the_column():
    with pytest.raises(InputError, match=r"roster.csv: missing column `phone`"):
        codebook.match_headers(["Nama Lengkap", "Usia", "Jenis Kelamin", "Sektor", "Federasi",
                                "Domisili", "Disabilitas", "Status Pekerjaan"], "roster",
                               "roster.csv")


def test_messy_sector_labels_harmonise_to_one_code():
    raw = pd.Series(["Garmen", " konveksi ", "TEKSTIL & GARMEN", "Sepatu", "mamin"])
    coded = codebook.code_values(raw, "sector", "roster.csv", "Sektor", pd.Series(range(2, 7)))
    assert list(coded) == ["garment_textile"] * 3 + ["footwear_leather", "food_processing"]


def test_the_planned_cohorts_districts_as_staff_write_them():
    """Bekasi city and regency stay apart ("bekasi" alone is the regency, as the Jakarta
    roster has it); Karawang and Central Jakarta with and without their prefixes."""
    raw = pd.Series(["Kota Bekasi", "kota. bekasi", "Bekasi", "Kab. Bekasi", "Karawang",
                     "kab karawang", "Kabupaten Karawang", "Jakarta Pusat", "jakpus"])
    coded = codebook.code_values(raw, "district", "roster.csv", "Domisili",
                                 pd.Series(range(2, 11)))
    assert list(coded) == (["kota_bekasi"] * 2 + ["kab_bekasi"] * 2 + ["kab_karawang"] * 3
                           + ["jakarta_pusat"] * 2)


def test_unknown_label_is_an_error_with_row_column_and_suggestion():
    raw = pd.Series(["Garmen", "garmenn"])
    with pytest.raises(InputError) as caught:
        codebook.code_values(raw, "sector", "roster.csv", "Sektor", pd.Series([2, 3]))
    message = str(caught.value)
    assert message.startswith("roster.csv row 3, column `Sektor`: 'garmenn' is not a known sector")
    assert "did you mean 'garmen'" in message


def test_an_unknown_label_is_one_error_listing_its_rows():
    from analysis.errors import collecting

    raw = pd.Series(["Garmen", "garmenn", "??", " Garmenn", "sepatu", "GARMENN"] + ["??"] * 21)
    with collecting() as problems:
        codebook.code_values(raw, "sector", "roster.csv", "Sektor", pd.Series(range(2, 29)))
    assert [(p.row, p.column) for p in problems] == [(3, "Sektor"), (4, "Sektor")]
    assert str(problems[0]) == (
        "roster.csv row 3, column `Sektor`: 'garmenn' is not a known sector label (codes: "
        "electronics_automotive, food_processing, footwear_leather, garment_textile, other, "
        "retail_hospitality) in rows 3, 5, 7 (3 rows); did you mean 'garmen'? Add the spelling "
        "to src/analysis/codebook.yml if it is right.")
    assert ("'??' is not a known sector label (codes: electronics_automotive, food_processing, "
            "footwear_leather, garment_textile, other, retail_hospitality) in rows 4, 8, 9, 10, 11, "
            "12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, … (22 rows). Add the "
            "spelling") in str(problems[1])


def test_every_code_has_labels_in_both_languages():
    for name, spec in codebook.load_codebook()["variables"].items():
        assert set(spec["label"]) == {"id", "en"}, name
        if spec["type"] == "category":
            for code in codebook.codes(name):
                for lang in ("id", "en"):
                    assert codebook.label(name, code, lang) != str(code), (name, code, lang)


def test_age_classes_follow_the_codebook_breaks():
    import pandas as pd

    assert codebook.codes("age_class") == ["under_30", "30_39", "40_49", "50_plus"]
    ages = pd.Series([18, 29, 30, 39, 40, 49, 50, 80, None], dtype="Int64")
    assert codebook.age_class(ages).tolist()[:8] == [
        "under_30", "under_30", "30_39", "30_39", "40_49", "40_49", "50_plus", "50_plus"]
    assert codebook.label("age_class", "40_49", "id") == "40–49 tahun"
    assert codebook.label("age_class", "50_plus", "en") == "50 and over"


def test_bad_age_class_breaks_are_refused_with_the_file_named(monkeypatch):
    import pytest

    from analysis.errors import InputError

    book = codebook.load_codebook()
    monkeypatch.setitem(book["variables"]["age_class"], "breaks", [40, 30])
    with pytest.raises(InputError, match="codebook.yml: variables.age_class.breaks: \\[40, 30\\]"):
        codebook.codes("age_class")
