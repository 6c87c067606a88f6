"""The pooled view: every cohort's participants in one model, with cohort fixed effects and a
test of whether the effects differ between cohorts (heterogeneity). Numbers only: the report
layer (`planning_sections`) writes the words."""

from __future__ import annotations

import pandas as pd

from analysis import models
from analysis.models import results


def pooled_formula(formula: str) -> str:
    """The researcher's formula with cohort fixed effects: each cohort its own baseline."""
    outcome, right = formula.split("~", 1)
    return f"{outcome.strip()} ~ C(cohort) + {right.strip()}"


def build_pooled_results(processed_dirs, formula: str, min_cell: int = 5,
                         epv_for_ml: float = models.EPV_FOR_ML) -> dict:
    cohorts = [results.load_processed(d) for d in processed_dirs]
    if not cohorts:
        raise models.ModelSpecError("no processed cohorts to pool: run `make report` first")
    participants = results.stacked(cohorts)
    summary = []
    for c in cohorts:
        f = results.funnel(c["participants"], len(c["cohort"]["session_dates"]))
        summary.append({"cohort": c["cohort"]["id"], "title": c["cohort"]["title"],
                        "registered": f["registered"], "enrolled": f["enrolled"],
                        "completed": f["completed"], "dropouts": f["dropouts"]})
    used = pooled_formula(formula) if len(cohorts) > 1 else formula
    _, model = results.report_model(participants, used, "formula", epv_for_ml=epv_for_ml)
    return {
        "results_version": results.RESULTS_VERSION,
        "cohort": {
            "id": "pooled",
            "title_key": "pooled_title",
            "session_dates": [],
            "synthetic": all(c["cohort"]["synthetic"] for c in cohorts),
        },
        "parameters": {"min_cell": min_cell, "formula": formula},
        "cohorts": summary,
        "model": model,
        "heterogeneity": heterogeneity(participants, model) if len(cohorts) > 1 and model[
            "fitted"] else None,
    }


def heterogeneity(participants: pd.DataFrame, model: dict) -> dict:
    """Likelihood-ratio test of effect-by-cohort interactions (maximum likelihood, as a screen)."""
    effects = [term for term in model["term_columns"] if term != "C(cohort)"]
    if not effects:
        return {"statistic": None, "df": None, "p_value": None, "effects": []}
    interactions = " + ".join(f"{e}:C(cohort)" for e in effects)
    statistic, df, p_value = models.likelihood_ratio(
        participants, f"{model['formula']} + {interactions}", model["formula"])
    if df is None:
        return {"statistic": None, "df": None, "p_value": None, "effects": effects}
    return {"statistic": statistic, "df": df, "p_value": p_value, "effects": effects}
