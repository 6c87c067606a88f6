"""Cleaning a whole raw folder: nothing lost, clear errors, no PII past this step."""

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest.clean import clean_cohort, write_outputs


def _balanced(quality):
    for file, entry in quality["files"].items():
        assert entry["rows_in"] == entry["kept"] + entry["quarantined"], file
        assert entry["quarantined"] == sum(entry["reasons"].values()), file


def test_clean_cohort_accounts_for_every_row(small_cohort):
    cleaned = clean_cohort(small_cohort)
    _balanced(cleaned.quality)
    roster_rows = len(pd.read_csv(small_cohort / "roster.csv"))
    assert cleaned.quality["files"]["roster.csv"]["rows_in"] == roster_rows
    assert len(cleaned.participants) == cleaned.quality["files"]["roster.csv"]["kept"]
    # the generator registers one person twice: found, listed, and the first registration kept
    assert len(cleaned.quality["duplicates"]) == 1
    assert len(cleaned.participants) == roster_rows - 1


def test_messy_rows_are_quarantined_with_reasons_and_still_counted(cohort_copy):
    roster = pd.read_csv(cohort_copy / "roster.csv", dtype=str, keep_default_na=False)
    duplicate = roster.iloc[[0]].copy()
    bad_phone = roster.iloc[[1]].copy()
    bad_phone["No. HP / WhatsApp"] = "12"
    blank = pd.DataFrame([[""] * roster.shape[1]], columns=roster.columns)
    pd.concat([roster, duplicate, bad_phone, blank]).to_csv(cohort_copy / "roster.csv", index=False)
    attendance = pd.read_csv(cohort_copy / "attendance.csv", dtype=str, keep_default_na=False)
    stranger = attendance.iloc[[0]].copy()
    stranger["No HP"] = "0899-0000-1111"
    pd.concat([attendance, stranger]).to_csv(cohort_copy / "attendance.csv", index=False)

    cleaned = clean_cohort(cohort_copy)
    _balanced(cleaned.quality)
    reasons = cleaned.quality["files"]["roster.csv"]["reasons"]
    assert reasons == {"blank row": 1, "duplicate registration (first one kept)": 2,
                       "phone number missing or not a valid Indonesian number": 1}
    assert cleaned.quality["files"]["attendance.csv"]["reasons"] == {"person not on the roster": 1}
    assert {"file": "roster.csv", "row": len(roster) + 2, "duplicate_of_row": 2} in [
        {k: d[k] for k in ("file", "row", "duplicate_of_row")} for d in cleaned.quality["duplicates"]]
    assert len(cleaned.participants) == len(roster) - 1
    assert set(cleaned.quarantine["reason"]) >= {"blank row", "person not on the roster"}


def test_unknown_label_stops_with_file_row_column_and_value(cohort_copy):
    roster = pd.read_csv(cohort_copy / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[4, "Jenis Kelamin"] = "Lelaki?"
    roster.to_csv(cohort_copy / "roster.csv", index=False)
    with pytest.raises(InputError, match=r"roster.csv row 6, column `Jenis Kelamin`: 'Lelaki\?'"):
        clean_cohort(cohort_copy)


@pytest.mark.parametrize("age, message", [("empat puluh", "is not an age"),
                                          ("130", "outside 15–80"), ("2019", "outside 15–80")])
def test_impossible_age_is_a_clear_error(cohort_copy, age, message):
    roster = pd.read_csv(cohort_copy / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[0, "Usia (tahun)"] = age
    roster.to_csv(cohort_copy / "roster.csv", index=False)
    with pytest.raises(InputError, match=rf"roster.csv row 2, column `Usia \(tahun\)`: .*{message}"):
        clean_cohort(cohort_copy)


def test_processed_outputs_hold_no_names_phones_or_message_text(small_cohort, tmp_path):
    cleaned = clean_cohort(small_cohort)
    write_outputs(cleaned, tmp_path / "processed", tmp_path / "interim")
    roster = pd.read_csv(small_cohort / "roster.csv", dtype=str)
    text = " ".join(pd.read_parquet(p).to_csv() for p in (tmp_path / "processed").glob("*.parquet"))
    text += " ".join(p.read_text() for p in (tmp_path / "processed").glob("*.json"))
    for name in roster["Nama Lengkap"]:
        assert name not in text
    assert "Selamat pagi" not in text  # message text stays in raw
    assert "phone" not in " ".join(pd.read_parquet(tmp_path / "processed" / "participants.parquet"))


def test_same_inputs_give_byte_identical_processed_data(small_cohort, tmp_path):
    for run in ("a", "b"):
        write_outputs(clean_cohort(small_cohort), tmp_path / run, tmp_path / f"interim-{run}")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
