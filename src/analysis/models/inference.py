"""How far to trust a fit: leave-one-out influence and likelihood-ratio comparisons of formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.models.design import build
from analysis.models.firth import firth_params
from analysis.models.fit import ModelFit, glm, separated


def influence(fit: ModelFit, exact_max: int = 500) -> dict:
    """Leave-one-out: the estimates without each person in turn, so the report can say when one
    person drives a conclusion. Per coefficient: the range of the estimates (log scale) and how
    many leave-one-out fits put it on the other side of zero (ratio 1).

    Up to `exact_max` people each fit is redone (same method, same design matrix; a refit that
    cannot be made, the person being alone in a group, is not counted in `refits`); above it,
    the one-step approximation of Pregibon (1981), so the cost grows linearly with the cohort.
    """
    design = fit.design
    X, y, people = design.X.to_numpy(dtype=float), design.y, design.groups
    names = [n for n in fit.params.index if n != "Intercept"]
    columns = [list(fit.params.index).index(n) for n in names]
    unique = pd.unique(people)
    if len(unique) > exact_max and len(unique) == len(people) and fit.link == "logit":
        estimates = _one_step(fit, X, y)[:, columns]
        method = "one-step approximation"
    else:
        estimates = _refits(fit, X, y, people, unique)[:, columns]
        method = "exact refits"
    result = {}
    for j, name in enumerate(names):
        values = estimates[:, j]
        values = values[np.isfinite(values)]
        if not len(values):
            continue
        flips = int(((values > 0) != (fit.params[name] > 0)).sum())
        result[name] = {"min_estimate": float(values.min()), "max_estimate": float(values.max()),
                        "refits": int(len(values)), "direction_flips": flips, "method": method}
    return result


def _refits(fit: ModelFit, X, y, people, unique) -> np.ndarray:
    rows = []
    for person in unique:
        rest = people != person
        if fit.method == "firth":
            try:
                rows.append(firth_params(X[rest], y[rest]))
            except np.linalg.LinAlgError:
                continue
        else:
            refit, _ = glm(X[rest], y[rest], fit.link)
            if refit is not None:
                rows.append(np.asarray(refit.params))
    return np.array(rows).reshape(-1, X.shape[1])


def _one_step(fit: ModelFit, X, y) -> np.ndarray:
    """beta without person i ~ beta - (X'WX)^-1 x_i r_i / (1 - h_i) (logit link), with r_i the
    person's term in the score the fit solved: y_i - p_i for maximum likelihood (Pregibon 1981),
    y_i - p_i + h_i (1/2 - p_i) for Firth's modified score. One matrix product for everyone."""
    beta = fit.params.to_numpy()
    p = 1 / (1 + np.exp(-(X @ beta)))
    w = p * (1 - p)
    covariance = np.linalg.inv((X * w[:, None]).T @ X)
    leverage = np.einsum("ij,jk,ik->i", X, covariance, X) * w
    residual = y - p + (leverage * (0.5 - p) if fit.method == "firth" else 0.0)
    change = (X @ covariance) * (residual / (1 - leverage))[:, None]
    return beta[None, :] - change


def likelihood_ratio(data: pd.DataFrame, full: str, reduced: str, link: str = "logit",
                     group: str = "participant_id"):
    """(statistic, df, p) of the maximum-likelihood test of `reduced` within `full`, on the
    rows complete for `full`; p is NaN when either fit fails or separates."""
    big_design = build(full, data, "full", group=group, min_people=1)
    rows = data.loc[data.index.isin(_complete_index(data, big_design))]
    small_design = build(reduced, rows, "reduced", group=group, min_people=1)
    big, problems = glm(big_design.X.to_numpy(dtype=float), big_design.y, link)
    small, small_problems = glm(small_design.X.to_numpy(dtype=float), small_design.y, link)
    if big is None or small is None or separated(problems + small_problems):
        return np.nan, None, float("nan")
    df = big_design.X.shape[1] - small_design.X.shape[1]
    statistic = max(2 * (big.llf - small.llf), 0.0)
    return float(statistic), int(df), float(stats.chi2.sf(statistic, df))


def _complete_index(data: pd.DataFrame, design) -> pd.Index:
    return data.dropna(subset=[design.outcome, *design.variables]).index


def drop_term(formula: str, term: str) -> str:
    """The formula without one of its terms (as patsy names it)."""
    from analysis.terms import parse

    outcome, terms, _ = parse(formula)
    kept = [t.name() for t in terms if t.name() not in (term, "Intercept")]
    return f"{outcome} ~ {' + '.join(kept) if kept else '1'}"
