"""Simulation study: how maximum likelihood and Firth's method behave with cohorts of fifty.

Cohorts are drawn from the synthetic generator (free draws, no target counts), a discrete-time
logit hazard formula is fitted both ways, and the estimates of the terms whose truth the
generator knows are compared with it: bias, 95%-interval coverage, and how often maximum
likelihood fails (separation or no convergence).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from . import models, synthetic
from .firth import firth_fit


def one_cohort(spec, rng, formula: str, terms: list[str]) -> list[dict]:
    table = synthetic.simulate_person_period(spec, rng)
    design = models.build(formula, table, "formula", min_people=1)
    rows = []
    fit, problems = models.glm(design.X.to_numpy(dtype=float), design.y)
    failed = fit is None or models.fit.separated(problems) or not fit.converged
    names = list(design.X.columns)
    conf = np.asarray(fit.conf_int()) if fit is not None else None
    for term in terms:
        truth = spec.effects[synthetic.generator_effect(term)]
        j = names.index(term)
        rows.append({"method": "maximum likelihood", "term": term, "truth": truth,
                     "failed": failed,
                     "estimate": np.nan if failed else float(np.asarray(fit.params)[j]),
                     "low": np.nan if failed else conf[j, 0],
                     "high": np.nan if failed else conf[j, 1]})
    firth = firth_fit(design.X, design.y)
    intervals = firth.conf_int(terms=terms)
    for term in terms:
        rows.append({"method": "Firth", "term": term,
                     "truth": spec.effects[synthetic.generator_effect(term)],
                     "failed": False, "estimate": firth.params[term],
                     "low": intervals.loc[term, 0], "high": intervals.loc[term, 1]})
    return rows


def study(replications: int, formula: str, seed: int = 2023, n_registered: int = 55,
          n_enrolled: int = 48, terms: list[str] | None = None) -> pd.DataFrame:
    """Bias and coverage per method and term over `replications` synthetic cohorts. `terms`:
    the formula's terms to check (default: every term the generator has a truth for)."""
    terms = terms or [t for t in models.parse_terms(formula) if t in synthetic.EFFECT_OF_TERM]
    spec = dataclasses.replace(synthetic.JAKARTA, dropouts_at=None, intermittent_at=None,
                               n_registered=n_registered, n_enrolled=n_enrolled)
    rng = np.random.default_rng(seed)
    rows = [row for _ in range(replications) for row in one_cohort(spec, rng, formula, terms)]
    fits = pd.DataFrame(rows)
    ok = fits[~fits["failed"]]
    covered = (ok["low"] <= ok["truth"]) & (ok["truth"] <= ok["high"])
    summary = ok.assign(error=ok["estimate"] - ok["truth"], covered=covered).groupby(
        ["term", "method"]).agg(truth=("truth", "first"), mean_estimate=("estimate", "mean"),
                                bias=("error", "mean"), coverage=("covered", "mean"),
                                fitted=("estimate", "size"))
    failures = fits.groupby(["term", "method"])["failed"].sum().rename("failed")
    return summary.join(failures).reset_index()
