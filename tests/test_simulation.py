"""The simulation study, in a fast version (make validate runs 500 replications)."""

import pytest

from analysis.simulation import study

REPLICATIONS = 30
FORMULA = "dropout ~ C(session) + age_40_plus + garment + log_messages_before_session"


@pytest.fixture(scope="module")
def table():
    return study(REPLICATIONS, FORMULA, seed=7).set_index(["term", "method"])


def test_every_replication_is_accounted_for(table):
    assert ((table["fitted"] + table["failed"]) == REPLICATIONS).all()


def test_firth_always_gives_finite_estimates(table):
    firth = table.xs("Firth", level="method")
    assert (firth["failed"] == 0).all() and (firth["fitted"] == REPLICATIONS).all()


def test_firth_intervals_cover_the_generators_truth(table):
    # 95% intervals: with 30 replications, coverage under 80% would mean broken intervals
    assert (table.xs("Firth", level="method")["coverage"] >= 0.8).all()


def test_estimates_land_near_the_truth(table):
    firth = table.xs("Firth", level="method")
    assert (firth["bias"].abs() < 0.6).all()
