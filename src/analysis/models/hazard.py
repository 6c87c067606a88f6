"""Discrete-time survival on any person-period table (used for cohorts and pinned to Rossi)."""

from __future__ import annotations

import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.models.fit import LINKS


def person_period(data: pd.DataFrame, duration: str, event: str,
                  period: str = "period") -> pd.DataFrame:
    """One row per person and period at risk, 1..duration; `event` is 1 only in the last period
    of a person whose event happened (0 for the censored). Other columns are carried along."""
    lengths = data[duration].astype(int).to_numpy()
    if (lengths < 1).any():
        raise ValueError(f"{duration} must be a whole number of periods, at least 1")
    table = data.loc[data.index.repeat(lengths)].copy()
    table[period] = table.groupby(level=0).cumcount() + 1
    table[event] = ((table[period] == table[duration]) & table[event].astype(bool)).astype(int)
    return table.reset_index(drop=True)


def discrete_hazard(formula: str, person_period_table: pd.DataFrame, link: str = "logit",
                    period: str = "period"):
    """Discrete-time hazard model: a binomial GLM on the person-period table with one dummy per
    period (added to the formula) and any time-varying covariates. With link="cloglog" its
    coefficients estimate the log hazard ratios of a grouped-time proportional-hazards model."""
    if f"C({period})" not in formula:
        formula = formula.replace("~", f"~ C({period}) +", 1)
    family = sm.families.Binomial(link=LINKS[link]())
    return smf.glm(formula, data=person_period_table, family=family).fit()
