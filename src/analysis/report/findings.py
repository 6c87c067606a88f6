"""What a fitted model says to a reader: each effect on the scale the report shows it (per
doubling of WhatsApp activity), as a table of ratios and as plain sentences that claim
association, never cause."""

from __future__ import annotations

import math

from analysis import codebook
from analysis.report.catalogue import catalogue, t
from analysis.report.labels import is_log_term, term_label
from analysis.report.numbers import number, p_value


def ratio(term: str, log_value: float | None) -> float | None:
    """exp of a log-odds (or log-hazard) value; log activity terms per doubling of (1 + messages)."""
    if log_value is None:
        return None
    return _exp(log_value * (math.log(2) if is_log_term(term) else 1.0))


def effect(term_row: dict, ratio_key: str) -> tuple[float | None, float | None, float | None]:
    """(ratio, low, high) for a term; log activity terms per doubling of (1 + messages)."""
    if is_log_term(term_row["term"]):
        return tuple(ratio(term_row["term"], term_row[k]) for k in ("estimate", "ci_low", "ci_high"))
    return term_row[ratio_key], term_row[f"{ratio_key}_ci_low"], term_row[f"{ratio_key}_ci_high"]


def _exp(x: float) -> float:
    return math.exp(x) if x < 700 else math.inf


def finite_effect(row: dict, ratio_key: str) -> bool:
    values = effect(row, ratio_key)
    return all(v is not None and math.isfinite(v) and v < 1e6 for v in values)


def shown_terms(model: dict) -> list[dict]:
    """The coefficient rows a reader sees: not the intercept, the session or the cohort terms."""
    return [r for r in model["terms"] if r["term"] != "Intercept"
            and not r["term"].startswith(("C(session)", "C(cohort)", "cohort["))]


def model_table(model: dict, lang: str, ratio_key: str = "odds_ratio",
                include_sessions: bool = True) -> list[list]:
    rows = []
    references = model.get("references", {})
    for row in model["terms"]:
        if row["term"] == "Intercept" or (not include_sessions and row not in shown_terms(model)):
            continue
        ratio_value, low, high = effect(row, ratio_key)
        finite = finite_effect(row, ratio_key)
        interval = (f"{number(low, lang, 2)}–{number(high, lang, 2)}" if finite
                    else t("not_estimable", lang))
        rows.append([term_label(row["term"], lang, references),
                     number(ratio_value, lang, 2) if finite else "–",
                     interval, p_value(row["p_value"], lang) if finite else "–"])
    return rows


def direction(ratio_value: float, outcome: str, lang: str) -> str:
    """'more likely to drop out' (or to complete, or to have the outcome)."""
    way = "more" if ratio_value > 1 else "less"
    key = f"finding_{way}" if outcome == "dropout" else f"finding_{way}_{outcome}"
    if key in catalogue():
        return t(key, lang)
    return t(f"finding_{way}_other", lang, outcome=codebook.label(outcome, None, lang))


def findings(model: dict, lang: str) -> list[str]:
    """Plain-language sentences, one per effect, with interval and n; no causal words."""
    sentences = []
    outcome = model.get("outcome", "dropout")
    for row in shown_terms(model):
        if not finite_effect(row, "odds_ratio"):
            continue
        ratio_value, low, high = effect(row, "odds_ratio")
        way = direction(ratio_value, outcome, lang)
        key = f"finding_{row['term']}"
        if key in catalogue() and outcome == "dropout":
            sentence = t(key, lang, direction=way)
        else:
            sentence = t("finding_generic", lang, label=term_label(
                row["term"], lang, model.get("references", {})), direction=way)
        sentence += " " + t("finding_numbers", lang, ratio=number(ratio_value, lang, 1),
                            low=number(low, lang, 1), high=number(high, lang, 1), n=row["n"])
        if low <= 1 <= high:
            sentence = sentence[:-1] + t("finding_uncertain", lang) + ")"
        sentences.append(sentence + ".")
    return sentences
