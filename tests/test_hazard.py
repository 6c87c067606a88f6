"""Discrete-time hazard models pinned to a published Cox fit, and the person-period expansion."""

from pathlib import Path

import pandas as pd
import pytest

from analysis import models

DATA = Path(__file__).parent / "data"

# Rossi et al. (1980) recidivism data, 432 released prisoners followed for 52 weeks. Cox model
# (Efron ties) as published by Fox & Weisberg, "Cox Proportional-Hazards Regression for Survival
# Data in R" (appendix to An R Companion to Applied Regression, 2018), Table of coxph output.
COX = {"fin": -0.37942, "age": -0.05744, "race": 0.31390, "wexp": -0.14980, "mar": -0.43370,
       "paro": -0.08487, "prio": 0.09150}


def test_person_period_expands_each_person_over_the_periods_at_risk():
    people = pd.DataFrame({"id": ["a", "b", "c"], "weeks": [3, 1, 2], "event": [1, 1, 0],
                           "x": [10, 20, 30]})
    table = models.person_period(people, "weeks", "event")
    assert table[["id", "period", "event", "x"]].values.tolist() == [
        ["a", 1, 0, 10], ["a", 2, 0, 10], ["a", 3, 1, 10], ["b", 1, 1, 20],
        ["c", 1, 0, 30], ["c", 2, 0, 30]]


def test_person_period_refuses_a_duration_of_zero():
    with pytest.raises(ValueError, match="at least 1"):
        models.person_period(pd.DataFrame({"t": [0], "e": [1]}), "t", "e")


@pytest.mark.slow
def test_cloglog_hazard_with_period_dummies_reproduces_the_published_cox_fit():
    rossi = pd.read_csv(DATA / "rossi.csv")
    table = models.person_period(rossi, "week", "arrest")
    assert len(table) == rossi["week"].sum() and table["arrest"].sum() == rossi["arrest"].sum()
    fit = models.discrete_hazard("arrest ~ fin + age + race + wexp + mar + paro + prio", table,
                                 link="cloglog")
    for term, coefficient in COX.items():
        assert fit.params[term] == pytest.approx(coefficient, abs=1e-3), term
