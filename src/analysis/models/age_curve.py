"""The unions' question about age answered without a table: the chance of completing against age
as a smooth curve from a model, with its 95% band, and no individual points.

A table of completion by age class is mostly hidden in a cohort of fifty (few people per class);
a curve from Firth's logistic regression in continuous age (or a natural cubic spline in age)
shows the same answer without a count. It is drawn only over ages with at least `min_cell`
participants younger and `min_cell` older (rounded inwards to whole five years), so neither end
of the curve gives away the youngest or oldest person's age.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import patsy
from scipy import stats
from scipy.special import expit

from analysis.errors import ModelSpecError
from analysis.models.firth import firth_params


def age_range(ages: pd.Series, min_cell: int) -> tuple[int, int] | None:
    """(first, last) age of the curve: at least `min_cell` people at or below the first and at or
    above the last, both on whole five years; None when the cohort is too small for a range."""
    ordered = np.sort(ages.to_numpy(dtype=float))
    if len(ordered) < 2 * min_cell:
        return None
    first = 5 * math.ceil(ordered[min_cell - 1] / 5)
    last = 5 * math.floor(ordered[-min_cell] / 5)
    return (first, last) if last > first else None


def completion_by_age(participants: pd.DataFrame, min_cell: int, spline_df: int = 0,
                      level: float = 0.95, outcome: str = "completed") -> dict:
    """The modelled chance of `outcome` at each whole age of `age_range`, with its band.

    `spline_df` 0: a straight line in age on the log-odds scale; 3 or more: a natural cubic
    spline with that many degrees of freedom (patsy's cr). Firth's penalised likelihood keeps
    the curve finite when everyone of some age completed; the band is the Wald interval of the
    linear predictor, turned into chances.
    """
    if not isinstance(spline_df, int) or spline_df in (1, 2) or spline_df < 0:
        raise ModelSpecError(f"age_curve_spline_df = {spline_df!r}: expected 0 (a straight line in "
                         "age) or a whole number of 3 or more (a natural spline)")
    enrolled = participants[participants["enrolled"]]
    known = enrolled[enrolled["age"].notna()]
    y = known[outcome].astype(float).to_numpy()
    formula = "age" if spline_df == 0 else f"cr(age, df={spline_df}, constraints='center')"
    record = {"outcome": outcome, "formula": f"{outcome} ~ {formula}", "spline_df": spline_df,
              "method": "firth", "level": level, "n": int(len(known)),
              "events": int(y.sum()), "curve": []}
    span = age_range(known["age"], min_cell)
    if span is None or y.sum() in (0, len(y)):
        return {**record, "drawn": False,
                "reason": "too_few_people" if span is None else "no_variation"}
    design = patsy.dmatrix(formula, known[["age"]].astype(float), return_type="dataframe")
    X = design.to_numpy(dtype=float)
    beta = firth_params(X, y)
    p = 1 / (1 + np.exp(-(X @ beta)))
    covariance = np.linalg.inv((X * (p * (1 - p))[:, None]).T @ X)
    ages = np.arange(span[0], span[1] + 1, dtype=float)
    grid = np.asarray(patsy.build_design_matrices([design.design_info],
                                                  pd.DataFrame({"age": ages}))[0])
    eta = grid @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", grid, covariance, grid))
    z = stats.norm.ppf(0.5 + level / 2)
    record["curve"] = [{"age": int(a), "chance": float(expit(e)), "low": float(expit(e - z * s)),
                        "high": float(expit(e + z * s))} for a, e, s in zip(ages, eta, se,
                                                                          strict=True)]
    return {**record, "drawn": True, "ages": list(span)}
