"""Blank roster cells: kept as missing, counted, complete cases modelled, MICE as a check."""

import pandas as pd

from analysis.ingest.clean import clean_cohort, write_outputs
from analysis.models.results import build_results, load_processed
from analysis.report import sections
from analysis.runner import defaults

# notebook 02's default models, read from its parameters cell (their one home)
PARTICIPANT = defaults("02_dropout_model.ipynb")["participant_formula"]
HAZARD = defaults("02_dropout_model.ipynb")["hazard_formula"]


def test_blank_cells_are_missing_counted_and_imputed_as_a_sensitivity_check(cohort_copy,
                                                                            tmp_path):
    roster = pd.read_csv(cohort_copy / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[[0, 3, 6, 9, 12], "Usia (tahun)"] = ""
    roster.loc[[1, 4], "Sektor Pekerjaan Sebelumnya"] = "  "
    roster.to_csv(cohort_copy / "roster.csv", index=False)
    cleaned = clean_cohort(cohort_copy)
    write_outputs(cleaned, tmp_path / "processed", tmp_path / "interim")
    participants = cleaned.participants
    results = build_results(load_processed(tmp_path / "processed"), PARTICIPANT, HAZARD)

    enrolled = participants[participants["enrolled"]]
    missing = results["missingness"]
    assert missing["age"]["missing"] == enrolled["age"].isna().sum() > 0
    assert missing["sector"]["missing"] == enrolled["sector"].isna().sum()
    incomplete = (enrolled["age"].isna() | enrolled["sector"].isna()).sum()
    model = results["models"]["participant"]
    assert model["n_people"] == len(enrolled) - incomplete
    assert model["excluded_incomplete"] == incomplete
    assert model["mice"]["n"] == len(enrolled) and len(model["mice"]["terms"]) == 4
    ages = {g["group"] for g in results["retention"]["age_group"]["groups"]}
    assert "missing" in ages  # shown as "Unknown", never silently dropped from tables
    html = sections.appendix(results, {"git_commit": "x", "python": "3.11", "packages": {},
                                       "parameters": {}}, "en")
    assert "Missing data" in html and f"({incomplete} participants without complete data" in html


def test_a_filled_in_unknown_label_is_still_an_error(cohort_copy):
    import pytest

    from analysis.errors import InputError

    roster = pd.read_csv(cohort_copy / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[2, "Jenis Kelamin"] = "?"
    roster.to_csv(cohort_copy / "roster.csv", index=False)
    with pytest.raises(InputError, match="'\\?' is not a known gender label"):
        clean_cohort(cohort_copy)
