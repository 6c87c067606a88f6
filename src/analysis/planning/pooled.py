"""The pooled view: every cohort's participants together, to answer what one cohort of fifty
cannot. Numbers only; the report layer (`planning_sections`) writes the words.

- The model with cohort fixed effects (each cohort its own baseline), with a test per effect of
  whether the cohorts agree (an effect-by-cohort interaction), and with many cohorts a GEE
  clustered on cohort beside it (`models.clustered`). The findings rest on the fixed-effects
  model at any number of cohorts, so a finding does not change method when a cohort is added.
- Every breakdown of the cohort reports summed over the cohorts (`privacy.joint.pooled_counts`),
  hidden where the joint protection says (`privacy.joint.protect_jointly`): a reader holding
  every cohort report, this report and every earlier pooled release (`privacy.releases`) can
  work out no hidden count. Only the pooled report hides more for it: a cohort report, once
  sent, never changes when a cohort is added.
- The chance of completing by age over everyone (`models.age_curve`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import PerfectSeparationError

from analysis import models
from analysis.errors import NotEstimable
from analysis.models import results
from analysis.models.age_curve import completion_by_age
from analysis.models.clustered import cohort_gee
from analysis.outputs import load_results
from analysis.privacy import joint
from analysis.privacy.releases import needs_release, release_of
from analysis.report import figures

# what a release record and the pooled results.json keep of the pooled counts
COUNT_KEYS = ("funnel", "retention", "followup", "stop_reasons")


def pooled_formula(formula: str) -> str:
    """The researcher's formula with cohort fixed effects: each cohort its own baseline."""
    outcome, right = formula.split("~", 1)
    return f"{outcome.strip()} ~ C(cohort) + {right.strip()}"


def cohort_reports(processed: list[dict], reports_dir) -> list[joint.Cohort]:
    """Each cohort as its report published it: results.json (with the counts it hid) beside
    its processed participants. A cohort without a report is an error: its counts would be
    pooled unprotected."""
    found = []
    for c in processed:
        cohort = c["cohort"]["id"]
        path = results_path(reports_dir, cohort)
        if not path.exists():
            raise models.ModelSpecError(
                f"{path}: cohort {cohort} has processed data but no report; build it first "
                f"(make report COHORT={cohort}), so the pooled report is protected against "
                "what its report shows")
        published = load_results(path)
        found.append(joint.Cohort(cohort, published, c["participants"],
                                  hidden=list(published["disclosure"]["hidden"])))
    return found


def results_path(reports_dir, cohort: str):
    from pathlib import Path

    return Path(reports_dir) / cohort / "results.json"


def build_pooled_results(processed_dirs, formula: str, reports_dir, min_cell: int = 5,
                         epv_for_ml: float = models.EPV_FOR_ML, releases=(),
                         significance: float = 0.05, random_intercept_min_cohorts: int = 8,
                         age_curve_spline_df: int = 0) -> tuple[dict, dict | None]:
    """(the pooled results.json, the release record to keep once the report passes its checks,
    or None when it shows what the last release showed). `releases`: every earlier pooled
    release (`privacy.releases.read_releases`)."""
    cohorts = [results.load_processed(d) for d in processed_dirs]
    if not cohorts:
        raise models.ModelSpecError("no processed cohorts to pool: run `make report` first")
    if random_intercept_min_cohorts < 2:
        raise models.ModelSpecError(f"random_intercept_min_cohorts = "
                                    f"{random_intercept_min_cohorts}: a model with cohorts as "
                                    "clusters needs at least 2 cohorts")
    participants = results.stacked(cohorts)
    summary = []
    for c in cohorts:
        f = results.funnel(c["participants"], len(c["cohort"]["session_dates"]))
        summary.append({"cohort": c["cohort"]["id"], "title": c["cohort"]["title"],
                        "registered": f["registered"], "enrolled": f["enrolled"],
                        "completed": f["completed"], "dropouts": f["dropouts"],
                        "sessions": len(c["cohort"]["session_dates"]),
                        "retained_by_session": figures.retained_by_session(
                            f, len(c["cohort"]["session_dates"]))})
    used = pooled_formula(formula) if len(cohorts) > 1 else formula
    _, model = results.report_model(participants, used, "formula", epv_for_ml=epv_for_ml)

    published = cohort_reports(cohorts, reports_dir)
    table = joint.joint_table(published, min_cell, releases)
    hidden = joint.protect_jointly(published, min_cell, releases, joint=table,
                                   hide_in={joint.POOLED})
    for c in published:  # hide_in: the cohort reports stay as they were sent
        if set(hidden[c.id]) != set(c.hidden):
            raise RuntimeError(f"joint protection changed cohort {c.id}'s report")
    counts = table.pooled
    people = joint.stacked(published)
    ids = [c.id for c in published]
    pooled = {
        "results_version": results.RESULTS_VERSION,
        "cohort": {
            "id": "pooled",
            "title_key": "pooled_title",
            "session_dates": [],
            "sessions": counts["sessions"],  # every cohort's, or None when they differ
            "synthetic": all(c["cohort"]["synthetic"] for c in cohorts),
        },
        "parameters": {"min_cell": min_cell, "formula": formula, "significance": significance,
                       "random_intercept_min_cohorts": random_intercept_min_cohorts,
                       "age_curve_spline_df": age_curve_spline_df, "epv_for_ml": epv_for_ml},
        "cohorts": summary,
        "model": model,
        "heterogeneity": heterogeneity(participants, model) if len(cohorts) > 1 and model[
            "fitted"] else None,
        "agreement": agreement(participants, model) if len(cohorts) > 1 and model[
            "fitted"] else {},
        "clustered_model": (_clustered(participants, formula) if len(cohorts)
                            >= random_intercept_min_cohorts else None),
        **{key: counts[key] for key in COUNT_KEYS},
        "retention_curves": counts["retention_curves"],
        "age_curve": completion_by_age(people, min_cell, age_curve_spline_df),
        "disclosure": {"method": "joint", "min_cell": min_cell, "hidden": hidden[joint.POOLED],
                       "protected_with": ids,
                       "earlier_releases": [r.number for r in releases],
                       # implied counts the cohort reports give away on their own, which no
                       # count of this report can protect (names only; the console says so)
                       "given_away_by_cohort_reports": sorted(table.given_away)},
    }
    record = None
    if needs_release(list(releases), ids):
        number = len(releases) + 1
        record = release_of(number, table, hidden).as_json()
        pooled["disclosure"]["release"] = number
    else:
        pooled["disclosure"]["release"] = releases[-1].number
        shown = release_of(releases[-1].number, table, hidden).shown
        if shown != releases[-1].shown:  # same cohorts, same data: the same counts shown
            raise RuntimeError(
                f"the pooled report would show other counts than release "
                f"{releases[-1].number} of the same cohorts (was min_cell changed?): number a "
                "new release by adding a cohort, or restore the earlier settings")
    return pooled, record


def _clustered(participants: pd.DataFrame, formula: str) -> dict:
    """The GEE beside the fixed-effects model, or why it could not be fitted (the report says
    so): too few people or events (NotEstimable), or statsmodels' fit failing on this data. A
    formula that is wrong stops the build with its one line (ModelSpecError)."""
    try:
        return cohort_gee(participants, formula)
    except NotEstimable as error:
        return {"fitted": False, "reason": error.reason, "message": str(error)}
    except models.ModelSpecError:
        raise
    except (np.linalg.LinAlgError, ValueError, PerfectSeparationError) as error:
        return {"fitted": False, "reason": "not_converged", "message": str(error)}


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


def agreement(participants: pd.DataFrame, model: dict) -> dict:
    """Per effect: do the cohorts agree? The likelihood-ratio test of that effect by cohort
    (one interaction at a time); p None when the test cannot be computed (separation)."""
    found = {}
    for effect in (term for term in model["term_columns"] if term != "C(cohort)"):
        statistic, df, p_value = models.likelihood_ratio(
            participants, f"{model['formula']} + {effect}:C(cohort)", model["formula"])
        found[effect] = {"statistic": None if df is None else statistic, "df": df,
                         "p_value": None if df is None or p_value != p_value else p_value}
    return found
