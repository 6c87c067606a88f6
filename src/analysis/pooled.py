"""The pooled view: every cohort's participants in one model, with cohort fixed effects and a
test of whether the effects differ between cohorts (heterogeneity)."""

from __future__ import annotations

import pandas as pd

from . import models, results
from .report import findings, heading, model_table, number, p_phrase, paragraph, t, table

EFFECTS = ("age_40_plus", "garment", "log_messages_before_session2")
POOLED_FORMULA = "dropout ~ C(cohort) + " + " + ".join(EFFECTS)


def build_pooled_results(processed_dirs, min_cell: int = 5) -> dict:
    cohorts = [results.load_processed(d) for d in processed_dirs]
    frames = [c["participants"].assign(cohort=c["cohort"]["id"]) for c in cohorts]
    participants = pd.concat(frames, ignore_index=True)
    n_sessions = {c["cohort"]["id"]: len(c["cohort"]["session_dates"]) for c in cohorts}
    summary = []
    for c in cohorts:
        f = results.funnel(c["participants"], n_sessions[c["cohort"]["id"]])
        summary.append({"cohort": c["cohort"]["id"], "title": c["cohort"]["title"],
                        "registered": f["registered"], "enrolled": f["enrolled"],
                        "completed": f["completed"], "dropouts": f["dropouts"]})
    model = models.participant_model(participants, POOLED_FORMULA) if len(cohorts) > 1 else \
        models.participant_model(participants)
    return {
        "results_version": results.RESULTS_VERSION,
        "cohort": {
            "id": "pooled",
            "title": {"id": "Promise II Impact — gabungan semua kohort",
                      "en": "Promise II Impact — all cohorts pooled"},
            "session_dates": sorted(c["cohort"]["session_dates"][0] for c in cohorts),
            "synthetic": all(c["cohort"]["synthetic"] for c in cohorts),
        },
        "parameters": {"min_cell": min_cell},
        "cohorts": summary,
        "model": model,
        "heterogeneity": heterogeneity(participants) if len(cohorts) > 1 else None,
    }


def heterogeneity(participants: pd.DataFrame) -> dict:
    """Likelihood-ratio test of effect-by-cohort interactions (maximum likelihood, as a screen)."""
    data = models.participant_frame(participants)
    interactions = " + ".join(f"{e}:C(cohort)" for e in EFFECTS)
    statistic, df, p_value = models.likelihood_ratio(
        data, f"{POOLED_FORMULA} + {interactions}", POOLED_FORMULA)
    if df is None:
        return {"statistic": None, "df": None, "p_value": None}
    return {"statistic": statistic, "df": df, "p_value": p_value}


def summary_section(pooled: dict, lang: str) -> str:
    rows = [[c["title"][lang], c["registered"], c["enrolled"], c["completed"], c["dropouts"]]
            for c in pooled["cohorts"]]
    header = [t(k, lang) for k in ("pooled_col_cohort", "funnel_registered", "col_n",
                                   "col_completed", "col_dropouts")]
    return (heading(t("pooled_heading", lang)) + paragraph(t("pooled_text", lang,
                                                             k=len(pooled["cohorts"]))) +
            table(header, rows))


def model_section(pooled: dict, lang: str) -> str:
    model = pooled["model"]
    header = [t("col_term", lang), t("col_or", lang), t("col_ci", lang), t("col_p", lang)]
    shown = {**model, "terms": [r for r in model["terms"] if not r["term"].startswith("C(cohort)")]}
    rows = model_table(shown, lang)
    parts = [heading(t("pooled_model_heading", lang)),
             paragraph(t("pooled_model_text", lang, n=model["n_people"], events=model["events"],
                         method=t("method_firth" if model["method"] == "firth" else "method_ml",
                                  lang))),
             table(header, rows, caption=t("table_participant", lang))]
    items = "".join(f"<li>{s}</li>" for s in findings(model, lang))
    parts.append(f"<ul>{items}</ul>")
    het = pooled["heterogeneity"]
    if het and het["p_value"] is not None:
        parts.append(paragraph(t("heterogeneity_text", lang, statistic=number(het["statistic"],
                                                                               lang, 2),
                                 df=het["df"], p=p_phrase(het["p_value"], lang))))
    parts.append(paragraph(t("causal_caution_pooled", lang)))
    return "\n".join(parts)
