"""The simulation study, in a fast version (make validate runs 1,000 cohorts per size)."""

import pytest

from analysis.planning import simulation

REPLICATIONS = 30


@pytest.fixture(scope="module")
def table():
    return simulation.study(REPLICATIONS, sizes=(48,), seed=7).set_index(
        ["model", "n", "term", "method"])


def test_every_replication_is_accounted_for(table):
    assert ((table["fitted"] + table["failed"]) == REPLICATIONS).all()


def test_every_reported_model_is_studied_as_the_report_fits_it(table):
    assert set(table.index.get_level_values("model")) == {"participant", "hazard_logit",
                                                           "hazard_cloglog"}
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
    truth = simulation.pseudo_truth("participant", simulation.MODELS["participant"][1], "logit",
                                    ["age_40_plus"])
    assert 0.85 < truth["age_40_plus"] < 1.05  # not the hazard's 0.9 exactly, but close
