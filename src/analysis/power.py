"""Planning: how many participants a cohort needs to detect an age or activity effect.

Cohorts of each size are drawn from the synthetic generator with the effect of interest set to
a chosen odds ratio (per-session dropout hazard); the participant-level logistic model is fitted
and its likelihood-ratio test counted as a detection when p < 0.05. A fit that separates counts
as no detection, as it would give no usable answer in a real cohort.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from . import models, synthetic

TERMS = {"age_40_plus": "age_40_plus",
         "log_messages_before_session2": "log1p_messages_before_session"}
FORMULA = models.PARTICIPANT_FORMULA


def detected(data: pd.DataFrame, term: str) -> bool:
    _, _, p_value = models.likelihood_ratio(data, FORMULA, models.drop_term(FORMULA, term))
    return p_value < 0.05  # NaN (a fit that separates) is no detection


def power_curve(sizes, replications: int, odds_ratio: float = 2.0, seed: int = 2024) -> pd.DataFrame:
    """Power to detect each effect at `odds_ratio` (activity: per e-fold of 1 + messages, as a
    protective odds ratio 1/odds_ratio) for participants enrolled at session 1."""
    rng = np.random.default_rng(seed)
    rows = []
    for term, effect_key in TERMS.items():
        log_or = math.log(odds_ratio) if term == "age_40_plus" else -math.log(odds_ratio)
        effects = {**synthetic.TRUE_EFFECTS, effect_key: log_or}
        for n in sizes:
            spec = dataclasses.replace(synthetic.JAKARTA, n_registered=n, n_enrolled=n,
                                       dropouts_at=None, intermittent_at=None, effects=effects)
            hits = sum(detected(synthetic.simulate_participants(spec, rng), term)
                       for _ in range(replications))
            rows.append({"term": term, "participants": n, "replications": replications,
                         "power": hits / replications})
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


def planning_results(curve: pd.DataFrame, odds_ratio: float, target: float = 0.8) -> dict:
    """results.json of the power report: the curve and the answers it gives."""
    return {
        "cohort": {"id": "power",
                   "title": {"id": "Promise II Impact — berapa peserta yang dibutuhkan kohort berikutnya?",
                             "en": "Promise II Impact — how many participants does the next cohort need?"},
                   "session_dates": [], "synthetic": True},
        "odds_ratio": odds_ratio, "target_power": target,
        "curve": curve.to_dict(orient="records"),
        "needed": {term: participants_needed(curve, term, target) for term in TERMS},
    }


def section(planning: dict, lang: str) -> str:
    from .report import heading, number, paragraph, t, table

    parts = [heading(t("power_heading", lang)),
             paragraph(t("power_text", lang, odds_ratio=number(planning["odds_ratio"], lang, 1),
                         replications=planning["curve"][0]["replications"]))]
    for term, needed in planning["needed"].items():
        parts.append(paragraph(t(f"power_answer_{term}", lang,
                                 odds_ratio=number(planning["odds_ratio"], lang, 1),
                                 n=needed if needed else t("power_beyond", lang))))
    sizes = sorted({row["participants"] for row in planning["curve"]})
    by = {(r["term"], r["participants"]): r["power"] for r in planning["curve"]}
    rows = [[n] + [number(100 * by[(term, n)], lang, 0) + "%" for term in TERMS] for n in sizes]
    header = [t("power_col_n", lang), t("power_col_age", lang), t("power_col_activity", lang)]
    parts.append(table(header, rows))
    parts.append(paragraph(t("power_caution", lang)))
    return "\n".join(parts)
