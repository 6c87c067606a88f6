"""Simulation study: do the report's intervals keep their promise with cohorts of fifty?

Cohorts are drawn from the synthetic generator (free draws, no target counts) and each model the
report shows is fitted as the report fits it (`method="auto"`: Firth below `epv_for_ml` events
per parameter or on separation), and also by maximum likelihood and by Firth alone for
comparison. The models, their links and their default formulas are notebook 02's (MODELS; the
formulas and epv_for_ml come from its parameters cell through `runner.defaults`), so a change to
the report's models there is a change to the study. Each estimate is compared with its truth:

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
import functools
import sys

import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis import models
from analysis.models.firth import firth_fit
from analysis.runner import defaults
from analysis.synthetic import simulate, specs

LARGE_COHORT = 400_000  # enrolled participants behind each pseudo-true value


def _spec(n_enrolled: int, effects=None) -> specs.CohortSpec:
    return dataclasses.replace(specs.JAKARTA, dropouts_at=None, intermittent_at=None,
                               n_registered=round(n_enrolled * 55 / 48), n_enrolled=n_enrolled,
                               effects=effects or specs.TRUE_EFFECTS)


def _table(level: str, spec, rng) -> pd.DataFrame:
    draw = (simulate.simulate_participants if level == "participant"
            else simulate.simulate_person_period)
    return draw(spec, rng)


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


NOTEBOOK = "02_dropout_model.ipynb"  # the notebook whose models the study is about


@dataclasses.dataclass(frozen=True)
class ReportModel:
    """A model notebook 02 fits (models.results.build_results), as it fits it."""

    level: str  # "participant" (one row per person) or "person_period" (person x session)
    parameter: str  # the notebook parameter that holds its formula
    link: str
    method: str  # "auto": maximum likelihood, or Firth below epv_for_ml or on separation


# What results.json's "models" holds, name for name (tests/test_simulation.py checks it). The
# hazard models' default formula has `left_group_before_session`: the generated chats have a
# dropout leave the group only after the first session they miss, so the column never varies in
# a simulated cohort and each fit leaves it out as the report does ("no_variation"); the
# generator sets no effect for it, so it is not a studied term.
MODELS = {
    "participant": ReportModel("participant", "participant_formula", "logit", "auto"),
    "hazard_logit": ReportModel("person_period", "hazard_formula", "logit", "auto"),
    "hazard_cloglog": ReportModel("person_period", "hazard_formula", "cloglog",
                                  "maximum likelihood"),
}


@functools.cache
def notebook_defaults() -> dict:
    """Notebook 02's parameters cell: the one home of the report's default formulas."""
    return defaults(NOTEBOOK)


def default_formula(name: str) -> str:
    """The formula the report fits for model `name` unless a cohort or researcher says otherwise."""
    return notebook_defaults()[MODELS[name].parameter]


def study(replications: int, sizes=(48,), seed: int = 2023, model_names=tuple(MODELS),
          formulas: dict | None = None, epv_for_ml: float | None = None) -> pd.DataFrame:
    """Bias and coverage per model, term, size and method over `replications` cohorts each.
    `formulas` ({model name: formula}) replaces notebook 02's defaults, as `epv_for_ml` does;
    the terms studied are those whose effect the generator sets. A progress bar goes to
    standard error when it is a terminal."""
    if epv_for_ml is None:
        epv_for_ml = notebook_defaults()["epv_for_ml"]
    rows = []
    progress = tqdm(total=len(model_names) * len(sizes) * replications, unit="cohort",
                    desc="simulation study", file=sys.stderr, disable=not sys.stderr.isatty())
    with progress:
        for name in model_names:
            model = MODELS[name]
            level, link = model.level, model.link
            formula = (formulas or {}).get(name)
            formula = default_formula(name) if formula is None else formula
            terms = [t for t in models.parse_terms(formula) if t in specs.EFFECT_OF_TERM]
            if name == "hazard_logit":  # the generator's own model: its effects are the truth
                truth = {t: specs.TRUE_EFFECTS[specs.generator_effect(t)] for t in terms}
            else:
                progress.set_postfix_str(f"{name}: pseudo-true value ({LARGE_COHORT:,} people)")
                truth = pseudo_truth(level, formula, link, terms)
            methods = (("auto", "maximum likelihood", "firth") if model.method == "auto"
                       else (model.method,))
            for n in sizes:
                progress.set_postfix_str(f"{name}, n = {n}")
                rng = np.random.default_rng([seed, n])
                for _ in range(replications):
                    design = models.build(formula, _table(level, _spec(n), rng), "formula",
                                          min_people=1)
                    for method in methods:
                        for row in _rows(design, link, method, terms, epv_for_ml):
                            rows.append({"model": name, "n": n, "method": method,
                                         "truth": truth[row["term"]], **row})
                    progress.update()
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
