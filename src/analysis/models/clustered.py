"""The pooled model with the cohorts as clusters: a logistic GEE (generalised estimating
equations) with an exchangeable working correlation within each cohort, beside the
fixed-effects model (`C(cohort)`, each cohort its own baseline).

Why a GEE and not a random-intercept GLMM: statsmodels' mixed GLMs for a binary outcome are
Bayesian (variational or Laplace), whose intervals are not the Wald intervals the rest of the
report prints, and a random intercept's variance is poorly estimated from a handful of cohorts.
The GEE answers the same question (people in one cohort are more alike than people in two) with
robust (sandwich) standard errors, which need many clusters: hence the notebook's
`random_intercept_min_cohorts` (8 by default). Its effects are averaged over cohorts
(population-averaged), so they come out a little nearer 1 than the fixed-effects ones.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.models.design import build


def cohort_gee(frame: pd.DataFrame, formula: str, cluster: str = "cohort") -> dict:
    """The formula (no `C(cohort)` term) fitted by a GEE clustered on `cluster`: the rows of
    results.json's model terms (estimate, robust standard error, 95% Wald interval, odds
    ratio, Wald p), the people, events and clusters behind them."""
    design = build(formula, frame, "pooled_formula")
    clusters = frame.loc[design.X.index, cluster].to_numpy()
    model = sm.GEE(design.y, design.X, groups=clusters, family=sm.families.Binomial(),
                   cov_struct=sm.cov_struct.Exchangeable())
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter: checked below
        fitted = model.fit(maxiter=200)
    params, bse = fitted.params, fitted.bse
    if not (np.isfinite(params).all() and np.isfinite(bse).all()):
        return {"fitted": False, "reason": "not_converged", "formula": design.formula}
    z = stats.norm.ppf(0.975)
    rows = []
    for term in params.index:
        estimate, error = float(params[term]), float(bse[term])
        low, high = estimate - z * error, estimate + z * error
        rows.append({"term": term, "estimate": estimate, "std_error": error,
                     "ci_low": low, "ci_high": high, "odds_ratio": float(np.exp(estimate)),
                     "odds_ratio_ci_low": float(np.exp(low)),
                     "odds_ratio_ci_high": float(np.exp(high)),
                     "p_value": float(2 * stats.norm.sf(abs(estimate / error))),
                     "n": design.n_people, "events": design.events})
    return {"fitted": True, "formula": design.formula, "method": "gee",
            "correlation": "exchangeable",
            "within_cohort_correlation": float(fitted.cov_struct.dep_params),
            "clusters": int(len(np.unique(clusters))), "n_people": design.n_people,
            "events": design.events, "references": design.references,
            "term_columns": design.term_columns, "terms": rows}
