"""Descriptive statistics: completion by group with exact tests, and retention over sessions.

These are the tables the unions asked for (age class, federation, district, target groups,
BPJS Ketenagakerjaan): counts with a test, no model. Groups under `min_cell` people are merged
into 'other' before anything is computed, by the rule in `analysis.privacy.counts.merge_small_groups`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analysis.codebook import group_order
from analysis.privacy.counts import merge_small_groups

# Fisher-Freeman-Halton p-values beyond 2x2 are drawn with a fixed seed from this many random
# tables unless the caller says otherwise (notebook 02's `monte_carlo_tables` does, and the
# report states the number used, which results.json keeps with each test).
MONTE_CARLO_TABLES = 9999


def retention_by(participants: pd.DataFrame, variable: str, min_cell: int) -> list[dict]:
    """Completion by group among enrolled participants, sparse groups merged into 'other'."""
    enrolled = participants[participants["enrolled"]]
    merged = merge_small_groups(enrolled[variable], min_cell)
    raw = merge_small_groups(enrolled[variable], 0)
    rows = []
    for group in group_order(variable, merged.unique()):
        members = enrolled[merged == group]
        rows.append({
            "group": group,
            "n": int(len(members)),
            "completed": int(members["completed"].sum()),
            "dropouts": int(members["dropout"].sum()),
            "completion_rate": float(members["completed"].mean()),
            "merged_from": sorted(set(raw[members.index])) if group == "other" else None,
        })
    return rows


def group_test(participants: pd.DataFrame, variable: str, min_cell: int = 1,
               outcome: str = "dropout", seed: int = 2023,
               resamples: int = MONTE_CARLO_TABLES) -> dict:
    """Exact test of `outcome` by group among enrolled people, unknowns left out: Fisher's for
    two groups, Fisher-Freeman-Halton (Monte Carlo p, fixed seed) for more."""
    enrolled = participants[participants["enrolled"]]
    groups = merge_small_groups(enrolled[variable], min_cell)
    known = groups != "missing"
    table = pd.crosstab(groups[known], enrolled.loc[known, outcome].astype(bool))
    if table.shape[0] < 2 or table.shape[1] < 2:
        return {"test": "none", "p_value": None}
    if table.shape == (2, 2):
        return {"test": "Fisher exact", "p_value": float(stats.fisher_exact(table.to_numpy())[1])}
    p_value = freeman_halton(table.to_numpy(), resamples, seed)
    return {"test": "Fisher-Freeman-Halton", "p_value": p_value, "resamples": resamples}


def freeman_halton(table: np.ndarray, resamples: int, seed: int) -> float:
    """Monte Carlo p of the Fisher-Freeman-Halton test: the share of random tables with the
    same margins that are no more probable than the observed one. The draws and the comparison
    are scipy's (`fisher_exact(table, method=MonteCarloMethod(...))`, the same p); scipy 1.17
    mistakes its batch of tables for one table once the cohort has more people than the batch
    has cells (about 80,000 for a 4 x 2 table), so the few lines are here."""
    null = stats.random_table(table.sum(axis=1), table.sum(axis=0),
                              seed=np.random.default_rng(seed))
    observed = null.pmf(table)
    tables = null.rvs(size=resamples)
    as_likely = null.pmf(tables) <= observed + abs(np.finfo(float).eps * 100 * observed)
    return float(min((as_likely.sum() + 1.0) / (resamples + 1.0), 1.0))


def outcome_by_completion(participants: pd.DataFrame, variable: str,
                          seed: int = 2023) -> dict:
    """A yes/no follow-up (e.g. BPJS Ketenagakerjaan enrolment) among completers and dropouts,
    for enrolled participants whose follow-up is known, with Fisher's exact test."""
    enrolled = participants[participants["enrolled"]]
    known = enrolled[enrolled[variable].notna()]
    rows = []
    for status, members in (("completed", known[known["completed"]]),
                            ("dropout", known[known["dropout"]])):
        rows.append({"group": status, "n": int(len(members)),
                     "yes": int(members[variable].astype(bool).sum())})
    table = np.array([[r["yes"], r["n"] - r["yes"]] for r in rows])
    p_value = (float(stats.fisher_exact(table)[1])
               if (table.sum(axis=0) > 0).all() and (table.sum(axis=1) > 0).all() else None)
    return {"variable": variable, "n_known": int(len(known)), "groups": rows,
            "test": {"test": "Fisher exact", "p_value": p_value}}


def retention_curves(participants: pd.DataFrame, variable: str, n_sessions: int,
                     min_cell: int) -> dict:
    """Kaplan-Meier retention over sessions by group, with a log-rank test (statsmodels).

    Time is the session a participant was first absent for good (a dropout) or the final
    session (completers, censored there). Groups merged as in `retention_by`.
    """
    enrolled = participants[participants["enrolled"]]
    time = np.where(enrolled["dropout"], enrolled["dropout_after_session"].fillna(0) + 1,
                    n_sessions).astype(float)
    status = enrolled["dropout"].astype(int).to_numpy()
    groups = merge_small_groups(enrolled[variable], min_cell).to_numpy()
    curves = {}
    for group in group_order(variable, set(groups)):
        inside = groups == group
        curve = SurvfuncRight(time[inside], status[inside])
        points, survival = [{"session": 1, "retained": 1.0, "at_risk": int(inside.sum())}], 1.0
        for session in range(2, n_sessions + 1):
            hit = np.flatnonzero(curve.surv_times == session)
            at_risk = int((time[inside] >= session).sum())
            if len(hit):
                survival = float(curve.surv_prob[hit[0]])
            points.append({"session": session, "retained": survival, "at_risk": at_risk})
        curves[group] = points
    test = {"test": "log-rank", "statistic": None, "p_value": None}
    if len(curves) > 1 and status.any():
        try:
            statistic, p_value = survdiff(time, status, groups)
            test = {"test": "log-rank", "statistic": float(statistic), "df": len(curves) - 1,
                    "p_value": float(p_value)}
        except np.linalg.LinAlgError:  # every event at one session, everyone at risk: no spread
            pass
    return {"curves": curves, "test": test}
