"""The chance of completing by age: a curve from a Firth logistic model in age, its 95% band,
drawn only over ages with at least min_cell people on either side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ModelSpecError
from analysis.models.age_curve import age_range, completion_by_age
from analysis.models.firth import firth_fit


def _cohort(n, intercept, slope, seed=1, ages=(20, 60)):
    rng = np.random.default_rng(seed)
    age = rng.integers(ages[0], ages[1] + 1, n)
    chance = 1 / (1 + np.exp(-(intercept + slope * age)))
    return pd.DataFrame({"enrolled": True, "age": age.astype(float),
                         "completed": rng.random(n) < chance}), (intercept, slope)


def test_the_range_leaves_min_cell_people_beyond_each_end_on_whole_five_years():
    ages = pd.Series([21, 22, 24, 26, 29, 33, 38, 41, 44, 47, 52, 57, 58], dtype=float)
    assert age_range(ages, 3) == (25, 50)  # 3rd youngest 24 -> 25; 3rd oldest 52 -> 50
    assert ((ages <= 25).sum() >= 3) and ((ages >= 50).sum() >= 3)
    assert age_range(ages, 7) is None  # 13 people cannot leave 7 beyond each end
    assert age_range(pd.Series([30.0] * 12), 5) is None  # one age: no range to draw


def test_the_line_is_firths_fit_in_age():
    cohort, _ = _cohort(60, 2.0, -0.05)
    curve = completion_by_age(cohort, min_cell=5)
    X = pd.DataFrame({"Intercept": 1.0, "age": cohort["age"]})
    beta = firth_fit(X, cohort["completed"].astype(float).to_numpy()).params.to_numpy()
    for point in curve["curve"]:
        assert point["chance"] == pytest.approx(1 / (1 + np.exp(-(beta[0] + beta[1] *
                                                                  point["age"]))))
        assert point["low"] < point["chance"] < point["high"]
    assert curve["n"] == 60 and curve["events"] == int(cohort["completed"].sum())


@pytest.mark.slow
def test_the_band_covers_the_true_curve_at_the_stated_rate():
    """Across many cohorts of 300 with a known curve, the 95% band at age 40 holds the truth
    about 95% of the time (binomial error on 200 cohorts: 89-99%)."""
    covered = 0
    for seed in range(200):
        cohort, (a, b) = _cohort(300, 2.0, -0.05, seed=seed)
        point = next(p for p in completion_by_age(cohort, min_cell=5)["curve"] if p["age"] == 40)
        covered += point["low"] <= 1 / (1 + np.exp(-(a + b * 40))) <= point["high"]
    assert 0.89 <= covered / 200 <= 0.99


def test_a_spline_follows_a_bend_a_line_cannot():
    rng = np.random.default_rng(4)
    age = rng.integers(20, 61, 1200).astype(float)
    truth = np.where(age < 40, 0.8, 0.4)  # a step at 40
    cohort = pd.DataFrame({"enrolled": True, "age": age, "completed": rng.random(1200) < truth})

    def error(curve):
        return np.mean([abs(p["chance"] - (0.8 if p["age"] < 40 else 0.4))
                        for p in curve["curve"]])

    assert error(completion_by_age(cohort, 5, spline_df=4)) < 0.8 * error(
        completion_by_age(cohort, 5))


def test_no_curve_without_variation_or_people_and_the_record_says_why():
    everyone, _ = _cohort(40, 50.0, 0.0)  # all complete
    none = completion_by_age(everyone, 5)
    assert not none["drawn"] and none["curve"] == [] and none["reason"] == "no_variation"
    few, _ = _cohort(8, 1.0, 0.0)
    assert completion_by_age(few, 5)["reason"] == "too_few_people"


def test_unknown_ages_and_non_participants_are_left_out():
    cohort, _ = _cohort(60, 1.0, -0.02)
    cohort.loc[:4, "age"] = np.nan
    cohort.loc[5:9, "enrolled"] = False
    assert completion_by_age(cohort, 5)["n"] == 50


@pytest.mark.parametrize("df", [1, 2, -1, 2.5])
def test_a_spline_needs_three_degrees_of_freedom(df):
    cohort, _ = _cohort(60, 1.0, -0.02)
    with pytest.raises(ModelSpecError, match="age_curve_spline_df"):
        completion_by_age(cohort, 5, spline_df=df)


def test_the_reports_sentence_states_the_curves_ends_to_the_nearest_five_percent():
    from analysis.report import sections

    curve = {"drawn": True, "n": 48, "spline_df": 0, "curve": [
        {"age": 30, "chance": 0.674, "low": 0.44, "high": 0.84},
        {"age": 40, "chance": 0.61, "low": 0.46, "high": 0.73},
        {"age": 50, "chance": 0.528, "low": 0.32, "high": 0.73}]}
    results = {"age_curve": curve, "parameters": {"min_cell": 5},
               "cohort": {"session_dates": ["2023-08-08", "2023-08-15"]}}
    en, idn = sections.age_curve(results, "en"), sections.age_curve(results, "id")
    assert "about 65% at age 30 and about 55% at age 50" in en and "(48 participants" in en
    assert "at least 5 participants younger and 5 older" in en
    assert "sekitar 65% pada usia 30 dan sekitar 55% pada usia 50" in idn
    spline = sections.age_curve({**results, "age_curve": {**curve, "spline_df": 4}}, "en")
    assert "natural cubic spline, 4 degrees of freedom" in spline
    assert "no age curve" in sections.age_curve(
        {**results, "age_curve": {**curve, "drawn": False, "reason": "too_few_people"}},
        "en").lower()
