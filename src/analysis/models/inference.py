"""How far to trust a fit: leave-one-out influence and likelihood-ratio comparisons of formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..firth import firth_params
from .design import build
from .fit import ModelFit, glm, separated


def influence(fit: ModelFit) -> dict:
    """Leave-one-out: refit without each person in turn (same method, same design matrix), so
    the report can say when one person drives a conclusion; a refit that cannot be made (the
    person was alone in a group) is not counted in `refits`. Per coefficient: the range of the
    estimates (log scale) and how many refits put it on the other side of zero (ratio 1)."""
    design = fit.design
    X, y, people = design.X.to_numpy(dtype=float), design.y, design.groups
    names = [n for n in fit.params.index if n != "Intercept"]
    columns = [list(fit.params.index).index(n) for n in names]
    estimates: dict[str, list[float]] = {n: [] for n in names}
    for person in pd.unique(people):
        rest = people != person
        if fit.method == "firth":
            try:
                params = firth_params(X[rest], y[rest])
            except np.linalg.LinAlgError:  # the person was the only one in a group: no refit
                continue
        else:
            refit, problems = glm(X[rest], y[rest], fit.link)
            if refit is None:
                continue
            params = np.asarray(refit.params)
        for name, j in zip(names, columns, strict=True):
            estimates[name].append(float(params[j]))
    result = {}
    for name, values in estimates.items():
        values = np.array(values)
        if not len(values):
            continue
        flips = int(((values > 0) != (fit.params[name] > 0)).sum())
        result[name] = {"min_estimate": float(values.min()), "max_estimate": float(values.max()),
                        "refits": int(len(values)), "direction_flips": flips}
    return result


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
    from .design import parse

    outcome, terms, _ = parse(formula)
    kept = [t.name() for t in terms if t.name() not in (term, "Intercept")]
    return f"{outcome} ~ {' + '.join(kept) if kept else '1'}"
