"""Simulation study: do the report's intervals keep their promise with cohorts of fifty?

Cohorts are drawn from the synthetic generator (free draws, no target counts) and each model the
report shows is fitted as the report fits it (`method="auto"`: Firth below `epv_for_ml` events
per parameter or on separation), and also by maximum likelihood and by Firth alone for
comparison. Each estimate is compared with its truth:

- the logit hazard model is the generator's own model, so its truth is the generator's effects;
- the participant model (dropout over the whole programme) and the cloglog hazard model are not:
  their truth is the pseudo-true value, the estimate the model converges to on a very large
  cohort from the same generator (`pseudo_truth`). Comparing them with the generator's hazard
  effects would blame the intervals for a difference of definitions.

Per model, term, size and method: bias, 95%-interval coverage with its Monte Carlo standard
error, and how often the method fails (maximum likelihood: separation or no convergence).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis import models
from analysis.models.firth import firth_fit
from analysis.synthetic import cohorts as synthetic

LARGE_COHORT = 400_000  # enrolled participants behind each pseudo-true value


def _spec(n_enrolled: int, effects=None) -> synthetic.CohortSpec:
    return dataclasses.replace(synthetic.JAKARTA, dropouts_at=None, intermittent_at=None,
                               n_registered=round(n_enrolled * 55 / 48), n_enrolled=n_enrolled,
                               effects=effects or synthetic.TRUE_EFFECTS)


def _table(level: str, spec, rng) -> pd.DataFrame:
    simulate = (synthetic.simulate_participants if level == "participant"
                else synthetic.simulate_person_period)
    return simulate(spec, rng)


def pseudo_truth(level: str, formula: str, link: str, terms: list[str], seed: int = 1) -> dict:
    """The values `formula` estimates on a very large cohort: the target of its intervals."""
    table = _table(level, _spec(LARGE_COHORT), np.random.default_rng(seed))
    design = models.build(formula, table, "formula", min_people=1)
    fit, _ = models.glm(design.X.to_numpy(dtype=float), design.y, link)
    params = dict(zip(design.X.columns, np.asarray(fit.params), strict=True))
    return {term: float(params[term]) for term in terms}


def _rows(design, link: str, method: str, terms: list[str], epv_for_ml: float) -> list[dict]:
    """Estimate and 95% interval of each studied term by `method` ("auto": as the report)."""
    if method == "auto":
        method = models.fit.choose_method(design, link, epv_for_ml)[0]
    if method == "firth":  # profile intervals only for the terms studied: the costly part
        result = firth_fit(design.X, design.y)
        intervals = result.conf_int(terms=terms)
        return [{"term": t, "estimate": float(result.params[t]), "low": intervals.loc[t, 0],
                 "high": intervals.loc[t, 1], "failed": False, "used": "firth"} for t in terms]
    ml, problems = models.glm(design.X.to_numpy(dtype=float), design.y, link)
    failed = ml is None or models.fit.separated(problems) or not ml.converged
    at = {t: list(design.X.columns).index(t) for t in terms}
    estimate = None if failed else np.asarray(ml.params)
    conf = None if failed else np.asarray(ml.conf_int())
    return [{"term": t, "estimate": np.nan if failed else float(estimate[at[t]]),
             "low": np.nan if failed else conf[at[t], 0],
             "high": np.nan if failed else conf[at[t], 1], "failed": failed,
             "used": "maximum likelihood"} for t in terms]


MODELS = {  # what the report shows, with its default formulas
    "participant": ("participant", "dropout ~ age_40_plus + garment + log_messages_before_session2",
                    "logit"),
    "hazard_logit": ("person_period", "dropout ~ C(session) + age_40_plus + garment + "
                     "log_messages_before_session", "logit"),
    "hazard_cloglog": ("person_period", "dropout ~ C(session) + age_40_plus + garment + "
                       "log_messages_before_session", "cloglog"),
}


def study(replications: int, sizes=(48,), seed: int = 2023, model_names=tuple(MODELS),
          formulas: dict | None = None, epv_for_ml: float = models.EPV_FOR_ML) -> pd.DataFrame:
    """Bias and coverage per model, term, size and method over `replications` cohorts each.
    `formulas` ({model name: formula}) replaces the report's defaults; the terms studied are
    those whose effect the generator sets."""
    rows = []
    for name in model_names:
        level, formula, link = MODELS[name]
        formula = (formulas or {}).get(name, formula)
        terms = [t for t in models.parse_terms(formula) if t in synthetic.EFFECT_OF_TERM]
        if name == "hazard_logit":  # the generator's own model: its effects are the truth
            truth = {t: synthetic.TRUE_EFFECTS[synthetic.generator_effect(t)] for t in terms}
        else:
            truth = pseudo_truth(level, formula, link, terms)
        methods = ("auto", "maximum likelihood", "firth") if link == "logit" else (
            "maximum likelihood",)
        for n in sizes:
            rng = np.random.default_rng([seed, n])
            for _ in range(replications):
                design = models.build(formula, _table(level, _spec(n), rng), "formula",
                                      min_people=1)
                for method in methods:
                    for row in _rows(design, link, method, terms, epv_for_ml):
                        rows.append({"model": name, "n": n, "method": method,
                                     "truth": truth[row["term"]], **row})
    return summarise(pd.DataFrame(rows))


def summarise(fits: pd.DataFrame) -> pd.DataFrame:
    keys = ["model", "n", "term", "method"]
    ok = fits[~fits["failed"]]
    covered = (ok["low"] <= ok["truth"]) & (ok["truth"] <= ok["high"])
    table = ok.assign(error=ok["estimate"] - ok["truth"], covered=covered).groupby(keys).agg(
        truth=("truth", "first"), mean_estimate=("estimate", "mean"), bias=("error", "mean"),
        coverage=("covered", "mean"), fitted=("estimate", "size"),
        firth_share=("used", lambda u: float((u == "firth").mean())))
    table["coverage_se"] = np.sqrt(table["coverage"] * (1 - table["coverage"]) / table["fitted"])
    failures = fits.groupby(keys)["failed"].sum().rename("failed")
    return table.join(failures, how="outer").fillna({"fitted": 0}).reset_index()
