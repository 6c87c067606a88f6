"""Planning: how many participants a cohort needs to detect an effect, by simulation.

Cohorts of each size are drawn from the synthetic generator with one effect set to a chosen odds
ratio (per-session dropout hazard); the researcher's participant-level formula is fitted and its
likelihood-ratio test of the term counted as a detection when p < `significance` (0.05). A fit that separates
counts as no detection, as it would give no usable answer in a real cohort. Numbers only: the
report layer (`planning_sections.power`) writes the words.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis import models
from analysis.synthetic import specs
from analysis.synthetic.simulate import simulate_participants


def detected(data: pd.DataFrame, formula: str, term: str, significance: float = 0.05) -> bool:
    _, _, p_value = models.likelihood_ratio(data, formula, models.drop_term(formula, term))
    return p_value < significance  # NaN (a fit that separates) is no detection


def power_curve(sizes, replications: int, formula: str, effects: dict[str, float],
                seed: int = 2024, significance: float = 0.05) -> pd.DataFrame:
    """Power per term of `effects` ({model term: true odds ratio per session}) and size, for
    participants enrolled at session 1. Each term must be one the generator can vary. A
    progress bar goes to standard error when it is a terminal."""
    rng = np.random.default_rng(seed)
    rows = []
    progress = tqdm(total=len(effects) * len(sizes) * replications, unit="cohort",
                    desc="power simulation", file=sys.stderr, disable=not sys.stderr.isatty())
    with progress:
        for term, odds_ratio in effects.items():
            effect_key = specs.generator_effect(term)
            if term not in models.parse_terms(formula):
                raise models.ModelSpecError(f"effects: `{term}` is not a term of '{formula}'")
            true_effects = {**specs.TRUE_EFFECTS, effect_key: math.log(odds_ratio)}
            for n in sizes:
                progress.set_postfix_str(f"{term}, n = {n}")
                spec = dataclasses.replace(specs.JAKARTA, n_registered=n, n_enrolled=n,
                                           dropouts_at=None, intermittent_at=None,
                                           effects=true_effects)
                hits = 0
                for _ in range(replications):
                    hits += detected(simulate_participants(spec, rng), formula, term,
                                     significance)
                    progress.update()
                rows.append({"term": term, "odds_ratio": odds_ratio, "participants": n,
                             "replications": replications, "power": hits / replications})
    return pd.DataFrame(rows)


def participants_needed(curve: pd.DataFrame, term: str, target: float = 0.8) -> int | None:
    """The smallest size reaching `target` power, interpolated between the sizes simulated."""
    part = curve[curve["term"] == term].sort_values("participants")
    sizes, power = part["participants"].to_numpy(), part["power"].to_numpy()
    above = np.flatnonzero(power >= target)
    if not len(above):
        return None
    i = above[0]
    if i == 0:
        return int(sizes[0])
    fraction = (target - power[i - 1]) / (power[i] - power[i - 1])
    return int(math.ceil(round(sizes[i - 1] + fraction * (sizes[i] - sizes[i - 1]), 6)))


def simulation_parameters(sizes, replications: int, formula: str, effects: dict[str, float],
                          target: float, seed: int, significance: float = 0.05) -> dict:
    """Everything the simulated curve depends on besides the code, as results.json holds it."""
    return json.loads(json.dumps({"sizes": list(sizes), "replications": replications,
                                  "formula": formula, "effects": effects,
                                  "target_power": target, "seed": seed,
                                  "significance": significance}))


def reuse(path: str | Path, parameters: dict) -> dict | None:
    """The planning results at `path` when they were simulated with these same parameters (the
    English report of `make power` reuses the Indonesian run's simulation), else None."""
    path = Path(path)
    if not path.exists():
        return None
    planning = json.loads(path.read_text(encoding="utf-8"))
    return planning if planning.get("parameters") == parameters else None


def planning(target_file: str | Path, sizes, replications: int, formula: str,
             effects: dict[str, float], target_power: float, seed: int,
             reuse_results: bool = False, significance: float = 0.05) -> dict:
    """The power report's results: simulated and written to `target_file`, or, with
    `reuse_results`, read from it when it was simulated with these same parameters."""
    from analysis.models.results import write_results

    if not 0 < significance < 1:
        raise models.ModelSpecError(f"significance = {significance!r}: expected a p-value "
                                    "threshold between 0 and 1, such as 0.05")
    parameters = simulation_parameters(sizes, replications, formula, effects, target_power, seed,
                                       significance)
    found = reuse(target_file, parameters) if reuse_results else None
    if found is not None:
        return found
    curve = power_curve(sizes, replications, formula, effects, seed=seed,
                        significance=significance)
    results = planning_results(curve, formula, target_power, parameters, significance)
    write_results(results, target_file)
    return results


def planning_results(curve: pd.DataFrame, formula: str, target: float = 0.8,
                     parameters: dict | None = None, significance: float = 0.05) -> dict:
    """results.json of the power report: the curve and the answers it gives."""
    terms = list(dict.fromkeys(curve["term"]))
    return {
        **({"parameters": parameters} if parameters else {}),
        "cohort": {"id": "power",
                   "title_key": "power_report_title",
                   "session_dates": [], "synthetic": True},
        "formula": formula, "target_power": target, "significance": significance,
        "odds_ratios": {term: float(curve.loc[curve["term"] == term, "odds_ratio"].iloc[0])
                        for term in terms},
        "curve": curve.to_dict(orient="records"),
        "needed": {term: participants_needed(curve, term, target) for term in terms},
    }
