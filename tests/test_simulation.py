"""The simulation study, in a fast version (make validate runs 1,000 cohorts per size)."""

import inspect

import pytest

from analysis.models import results
from analysis.planning import simulation
from analysis.runner import defaults

REPLICATIONS = 30


@pytest.fixture(scope="module")
def table():
    return simulation.study(REPLICATIONS, sizes=(48,), seed=7).set_index(
        ["model", "n", "term", "method"])


def test_every_replication_is_accounted_for(table):
    assert ((table["fitted"] + table["failed"]) == REPLICATIONS).all()


def test_every_reported_model_is_studied_as_the_report_fits_it(table):
    assert set(table.index.get_level_values("model")) == set(simulation.MODELS)
    auto = table.xs("auto", level="method")
    assert (auto["firth_share"] == 1).all()  # 48 people, about 20 events: always Firth


def test_firth_always_gives_finite_estimates(table):
    firth = table.xs("firth", level="method")
    assert (firth["failed"] == 0).all() and (firth["fitted"] == REPLICATIONS).all()


def test_intervals_cover_their_truth(table):
    # 95% intervals: with 30 replications, coverage under 80% would mean broken intervals
    assert (table.xs("auto", level="method")["coverage"] >= 0.8).all()
    assert (table["coverage_se"] <= 0.08).all()


def test_estimates_land_near_the_truth(table):
    assert (table.xs("firth", level="method")["bias"].abs() < 0.6).all()


def test_the_participant_models_truth_is_its_pseudo_true_value():
    # the participant model is not the generator's (a per-session hazard): its target is what
    # it estimates on a very large cohort, here from 400,000 participants
    truth = simulation.pseudo_truth("participant", simulation.default_formula("participant"),
                                    "logit", ["age_40_plus"])
    assert 0.85 < truth["age_40_plus"] < 1.05  # not the hazard's 0.9 exactly, but close


# --- the study's models are notebook 02's ----------------------------------------------------

def differences(study_models: dict, report_models: dict) -> list[str]:
    """How the study's models differ from the ones results.json holds: a name on one side only,
    or another formula, formula parameter, link, level or forced method."""
    found = [f"{name}: in the report, not in the study" for name in report_models
             if name not in study_models]
    found += [f"{name}: in the study, not in the report" for name in study_models
              if name not in report_models]
    for name in sorted(set(study_models) & set(report_models)):
        ours, theirs = study_models[name], report_models[name]
        if ours.parameter != theirs["parameter"]:
            found.append(f"{name}: formula from {ours.parameter}, the report's from "
                         f"{theirs['parameter']}")
        if simulation.default_formula(name) != theirs["formula_requested"]:
            found.append(f"{name}: formula {simulation.default_formula(name)!r}, the report's "
                         f"{theirs['formula_requested']!r}")
        if ours.link != theirs["link"]:
            found.append(f"{name}: link {ours.link}, the report's {theirs['link']}")
        level = "participant" if theirs["n_rows"] == theirs["n_people"] else "person_period"
        if ours.level != level:
            found.append(f"{name}: fitted on {ours.level} rows, the report's on {level} rows")
        if ours.method != "auto" and ours.method != theirs["method"]:
            found.append(f"{name}: method {ours.method}, the report's {theirs['method']}")
    return found


@pytest.fixture(scope="module")
def report_models(small_processed):
    """results.json's models for a small cohort, fitted as notebook 02 fits them: with every
    parameter of its parameters cell that build_results takes."""
    parameters = defaults("02_dropout_model.ipynb")
    taken = inspect.signature(results.build_results).parameters
    built = results.build_results(results.load_processed(small_processed),
                                  **{k: v for k, v in parameters.items() if k in taken})
    assert all(m["fitted"] for m in built["models"].values())  # else n_rows is not there
    return built["models"]


def test_the_study_fits_exactly_notebook_02s_models(report_models):
    assert differences(simulation.MODELS, report_models) == []


def test_a_model_missing_from_the_study_is_caught(report_models):
    for name in simulation.MODELS:
        fewer = {k: v for k, v in simulation.MODELS.items() if k != name}
        assert differences(fewer, report_models) == [f"{name}: in the report, not in the study"]


def test_every_formula_of_notebook_02_is_one_the_study_fits():
    formulas = {k for k in defaults("02_dropout_model.ipynb") if k.endswith("_formula")}
    assert formulas == {m.parameter for m in simulation.MODELS.values()}
    assert all(simulation.default_formula(name) == defaults("02_dropout_model.ipynb")[m.parameter]
               for name, m in simulation.MODELS.items())


def test_nobody_at_risk_has_left_the_group_in_a_generated_cohort(small_cohort, small_processed):
    # why the simulated person-period rows have left_group_before_session False throughout
    # (synthetic.simulate): the pipeline reads the same from a generated cohort's chat, where
    # some do leave the group
    chat = (small_cohort / "whatsapp" / "chat.txt").read_text(encoding="utf-8")
    assert " keluar\n" in chat
    person_period = results.load_processed(small_processed)["person_period"]
    assert len(person_period) and not person_period["left_group_before_session"].any()
