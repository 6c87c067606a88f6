"""The researcher's formulas: any variable, clear errors, terms left out with a sentence, labels
for every term in both languages, and nothing downstream that assumes the default model."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis import features, models
from analysis.errors import ModelSpecError
from analysis.models.results import build_results, fit_model, load_processed
from analysis.report import figures, sections
from analysis.report.labels import term_label
from analysis.runner import defaults

# notebook 02's default models, read from its parameters cell (their one home)
PARTICIPANT = defaults("02_dropout_model.ipynb")["participant_formula"]
HAZARD = defaults("02_dropout_model.ipynb")["hazard_formula"]
PROVENANCE = {"git_commit": "x", "python": "3.11", "packages": {}, "parameters": {}}


@pytest.fixture(scope="module")
def processed(small_processed):
    return load_processed(small_processed)


def _render_everything(results: dict) -> str:
    """Every section and figure of the cohort report, in both languages."""
    html = ""
    for lang in ("id", "en"):
        html += sections.summary(results, lang) + sections.models(results, lang)
        html += sections.profile(results, lang) + sections.followup(results, lang)
        html += sections.responsiveness(results, lang)
        html += sections.appendix(results, PROVENANCE, lang)
        for figure in (figures.forest, figures.profile, figures.retention, figures.activity):
            drawn = figure(results, lang)  # None: nothing the tables let it show
            if drawn is not None:
                figures.png_bytes(drawn)
    return html


@pytest.mark.parametrize("formula", [
    "dropout ~ C(federation) + age + disability + np.log1p(messages_before_session2)",
    "dropout ~ C(gender) + age_class + garment:age_40_plus",
    "dropout ~ C(district) * age_40_plus",
    "dropout ~ I(age / 10) + np.sqrt(messages_total) + C(employment_status)",
    "dropout ~ C(sector, Treatment('other')) + Q('age')",
    "dropout ~ C(age_40_plus) + answered_share_before_session2 + bpjstk_enrolled",
    "completed ~ age + log_messages_before_session2",
    "dropout ~ age_group + in_chat + C(gender):age",
])
def test_any_formula_fits_and_every_term_gets_a_label_in_both_languages(processed, formula):
    results = build_results(processed, formula, HAZARD)
    model = results["models"]["participant"]
    assert model["formula_requested"] == formula
    html = _render_everything(results)
    for row in model["terms"][1:]:
        for lang in ("id", "en"):
            label = term_label(row["term"], lang, model["references"])
            assert label and "[T." not in label, (row["term"], label)
            assert label.replace("&", "&amp;").replace("'", "&#x27;") in html, label
    for dropped in model["dropped_terms"]:
        assert dropped["reason"] in ("no_variation", "collinear")


def test_categorical_terms_name_their_reference_level(processed):
    results = build_results(processed, "dropout ~ C(gender) + age", HAZARD)
    model = results["models"]["participant"]
    assert model["references"]["gender"] == "female"
    assert term_label("C(gender)[T.male]", "en", model["references"]) == "Gender: Male (vs. Female)"
    assert term_label("C(gender)[T.male]", "id", model["references"]) == (
        "Jenis kelamin: Laki-laki (vs. Perempuan)")
    assert term_label("np.log1p(messages_before_session2)", "en") == (
        "WhatsApp messages before session 2 (per doubling of 1 + the count)")


def test_the_hazard_formula_can_use_participant_variables(processed):
    results = build_results(processed, PARTICIPANT,
                            "dropout ~ C(session) + C(gender) + answered_before_session")
    terms = [t["term"] for t in results["models"]["hazard_logit"]["terms"]]
    assert "C(gender)[T.male]" in terms and "answered_before_session" in terms
    assert results["models"]["hazard_cloglog"]["formula"] == results["models"]["hazard_logit"][
        "formula"]


def test_a_term_without_variation_is_left_out_with_a_sentence(processed):
    young = processed["participants"].assign(  # a cohort with nobody over 40
        age_40_plus=pd.array([False] * len(processed["participants"]), dtype="boolean"))
    results = build_results({**processed, "participants": young},
                            "dropout ~ age_40_plus + garment", HAZARD)
    model = results["models"]["participant"]
    assert model["dropped_terms"] == [{"term": "age_40_plus", "reason": "no_variation"}]
    assert model["formula"] == "dropout ~ garment"
    assert ("Left out of the model because it does not vary in this cohort: Aged 40 and "
            "over.") in sections.models(results, "en")
    assert "tidak bervariasi di kohort ini: Usia 40 tahun ke atas" in sections.models(results,
                                                                                     "id")


def test_a_term_other_terms_determine_is_left_out_as_collinear(processed):
    results = build_results(processed, "dropout ~ age_group + age_40_plus", HAZARD)
    assert results["models"]["participant"]["dropped_terms"] == [
        {"term": "age_40_plus", "reason": "collinear"}]


@pytest.mark.parametrize("formula, message", [
    ("dropout ~ federaton + age", "participant_formula: unknown variable `federaton` in "
     "'dropout ~ federaton + age' (did you mean `federation`?). Variables available: age, "),
    ("dropout ~ age +", "participant_formula: syntax error in 'dropout ~ age +'"),
    ("age + garment", "participant_formula: 'age + garment' is not a model formula"),
    ("sector ~ age", "participant_formula: the outcome `sector` must be 0/1"),
    ("dropout ~ np.log(messages_before_session2)", "is not finite for some people"),
])
def test_bad_specifications_stop_with_one_clear_line(processed, formula, message):
    with pytest.raises(ModelSpecError) as caught:
        build_results(processed, formula, HAZARD)
    assert str(caught.value).startswith(message) or message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_too_few_people_or_no_events_stop_clearly():
    frame = features.model_ready(pd.DataFrame({
        "participant_id": [f"P{i}" for i in range(30)], "dropout": [True] * 3 + [False] * 27,
        "age": [30.0] * 5 + [None] * 25}))
    with pytest.raises(ModelSpecError, match="leaves 5 people with complete data \\(fewer than "
                                             "10\\); 25 have a missing value in dropout, age"):
        models.build("dropout ~ age", frame, "participant_formula")
    with pytest.raises(ModelSpecError, match="`dropout` is no 1 among the 30 people"):
        models.build("dropout ~ 1", frame.assign(dropout=0.0), "participant_formula")


def test_complete_cases_are_counted_per_formula(processed):
    participants = processed["participants"].copy()
    enrolled = participants.index[participants["enrolled"]]
    participants.loc[enrolled[:4], "federation"] = None
    results = build_results({**processed, "participants": participants},
                            "dropout ~ C(federation) + age", HAZARD)
    assert results["models"]["participant"]["excluded_incomplete"] == 4
    assert results["models"]["participant"]["n_people"] == len(enrolled) - 4
    assert "mice" in results["models"]["participant"]  # 4 of about 26 missing: over 5%
    mice = results["models"]["participant"]["mice"]
    assert len(mice["terms"]) == len(results["models"]["participant"]["terms"])
    assert mice["n"] == len(enrolled)
    default = build_results({**processed, "participants": participants}, PARTICIPANT, HAZARD)
    assert default["models"]["participant"]["excluded_incomplete"] == 0  # federation not used


def test_likelihood_ratio_per_variable_tests_all_its_levels_at_once(processed):
    frame = features.participant_frame(processed["participants"])
    fit, model = fit_model(frame, "dropout ~ C(district) + age", "participant_formula",
                           method="maximum likelihood")
    district = next(t for t in model["term_tests"] if t["term"] == "C(district)")
    levels = [c for c in fit.params.index if c.startswith("C(district)")]
    assert district["df"] == len(levels) > 1
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    data = frame.dropna(subset=["district", "age"]).copy()
    data["district"] = data["district"].cat.remove_unused_categories()
    full = smf.glm("dropout ~ C(district) + age", data, family=sm.families.Binomial()).fit()
    small = smf.glm("dropout ~ age", data, family=sm.families.Binomial()).fit()
    assert district["statistic"] == pytest.approx(2 * (full.llf - small.llf), rel=1e-6)


def test_firth_penalised_tests_per_variable_match_the_profile_likelihood():
    rng = np.random.default_rng(4)
    n = 40
    frame = features.model_ready(pd.DataFrame({
        "participant_id": [f"P{i}" for i in range(n)],
        "gender": rng.choice(["female", "male"], n),
        "age_class": rng.choice(["under_30", "30_39", "40_49"], n),
        "dropout": rng.random(n) < 0.35}))
    fit, model = fit_model(frame, "dropout ~ age_class + C(gender)", "participant_formula")
    assert model["method"] == "firth"
    test = next(t for t in model["term_tests"] if t["term"] == "age_class")
    statistic, df, p_value = fit.firth.lr_test(["age_class[T.30_39]", "age_class[T.40_49]"])
    assert (test["df"], test["statistic"], test["p_value"]) == (2, statistic, p_value)
    assert math.isfinite(test["statistic"])


def test_terms_frame_is_one_tidy_shape_for_every_fit(processed):
    frame = features.participant_frame(processed["participants"])
    for method in ("maximum likelihood", "firth"):
        _, model = fit_model(frame, "dropout ~ age + C(gender)", "participant_formula",
                             method=method)
        assert [sorted(r) for r in model["terms"]] == [sorted(model["terms"][0])] * len(
            model["terms"])
        assert re.search("likelihood ratio", model["test"])


def test_same_processed_data_give_byte_identical_results_json(processed, tmp_path):
    from analysis.models.results import write_results

    formula = "dropout ~ C(federation) + age_class + log_messages_before_session2"
    for name in ("first.json", "second.json"):
        write_results(build_results(processed, formula, HAZARD), tmp_path / name)
    assert (tmp_path / "first.json").read_bytes() == (tmp_path / "second.json").read_bytes()


def test_the_smallest_model_is_a_parameter_and_the_report_says_why(processed):
    results = build_results(processed, PARTICIPANT, HAZARD, min_people=1000)
    model = results["models"]["participant"]
    assert (model["fitted"], model["reason"], model["minimum"]) == (False, "too_few_people", 1000)
    assert "a model needs at least 1000" in sections.models(results, "en")
