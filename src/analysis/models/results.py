"""Processed tables -> results.json: every number the report shows, machine-readable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis import codebook, features, models
from analysis.errors import NotEstimable
from analysis.models.age_curve import completion_by_age
from analysis.outputs import write_json
from analysis.privacy import joint

# 4: each model keeps the epv_for_ml its method was chosen by, and parameters monte_carlo_tables
# 5: stop_reasons (why dropouts stopped, from the follow-up file); age_curve
RESULTS_VERSION = 5


def load_processed(processed_dir: str | Path) -> dict:
    processed_dir = Path(processed_dir)
    return {
        "participants": pd.read_parquet(processed_dir / "participants.parquet"),
        "person_period": pd.read_parquet(processed_dir / "person_period.parquet"),
        "activity": pd.read_parquet(processed_dir / "activity.parquet"),
        "responsiveness": pd.read_parquet(processed_dir / "responsiveness.parquet"),
        "quality": json.loads((processed_dir / "quality.json").read_text(encoding="utf-8")),
        "cohort": json.loads((processed_dir / "cohort.json").read_text(encoding="utf-8")),
    }


def processed_folders(data_dir: str | Path, cohorts=()) -> list[Path]:
    """data/processed/<cohort>/ for the cohorts named, or for every processed cohort."""
    processed = Path(data_dir) / "processed"
    if cohorts:
        return [processed / c for c in cohorts]
    return sorted(p.parent for p in processed.glob("*/participants.parquet"))


def stacked(cohorts: list[dict], level: str = "participant") -> pd.DataFrame:
    """Several cohorts' model-ready rows in one table, with a `cohort` column: one row per
    participant ("participant") or per participant and session at risk ("hazard")."""
    if level not in ("participant", "hazard"):
        raise models.ModelSpecError(f"level '{level}': expected participant or hazard")
    frames = [(features.participant_frame(c["participants"]) if level == "participant" else
               features.hazard_frame(c["person_period"], c["participants"]))
              .assign(cohort=c["cohort"]["id"]) for c in cohorts]
    return pd.concat(frames, ignore_index=True)


def funnel(participants: pd.DataFrame, n_sessions: int) -> dict:
    """Registration to the final session: the counts the evaluation meeting discussed."""
    return {
        "registered": int(len(participants)),
        "no_shows": int(participants["no_show"].sum()),
        "late_joiners": int(participants["late_joiner"].sum()),
        "enrolled": int(participants["enrolled"].sum()),
        "attended_by_session": [int(participants[f"attended_session_{t}"].sum())
                                for t in range(1, n_sessions + 1)],
        "completed": int(participants["completed"].sum()),
        "dropouts": int(participants["dropout"].sum()),
        "intermittent": int(participants["intermittent"].sum()),
        "dropouts_after_session": {
            str(t): int((participants["dropout_after_session"] == t).sum())
            for t in range(1, n_sessions)
        },
    }


def activity_summary(participants: pd.DataFrame, activity: pd.DataFrame,
                     session_dates: list[str]) -> dict:
    """Chat activity by role and day, and early activity of completers against dropouts."""
    daily = (activity.groupby(["date", "role"])["messages"].sum().unstack(fill_value=0)
             .reindex(columns=["participant", "facilitator", "unmatched"], fill_value=0))
    enrolled = participants[participants["enrolled"]]
    by_outcome = {}
    for outcome, group in (("completed", enrolled[~enrolled["dropout"]]),
                           ("dropout", enrolled[enrolled["dropout"]])):
        early = group["messages_before_session2"]
        by_outcome[outcome] = {
            "n": int(len(group)),
            "median_messages_before_session2": float(early.median()) if len(group) else None,
            "posted_before_session2": int((early > 0).sum()),
        }
    return {
        "daily": [{"date": str(d), **{k: int(v) for k, v in row.items()}}
                  for d, row in daily.iterrows()],
        "session_dates": session_dates,
        "messages_by_role": {k: int(v) for k, v in daily.sum().items()},
        "enrolled_in_chat": int(enrolled["in_chat"].sum()),
        "enrolled_left_group": int(enrolled["left_group"].sum()),
        "by_outcome": by_outcome,
    }


def followup_summary(participants: pd.DataFrame) -> dict:
    enrolled = participants[participants["enrolled"]]
    summary = {}
    for variable in ("bpjstk_enrolled", "reseller_active"):
        known = enrolled[variable].dropna()
        summary[variable] = {
            "n_known": int(len(known)),
            "yes": int(known.sum()),
            "yes_completed": int(known[enrolled.loc[known.index, "completed"]].sum()),
            "n_completed": int(enrolled.loc[known.index, "completed"].sum()),
            "by_completion": models.outcome_by_completion(participants, variable),
        }
    return summary


def stop_reasons_summary(participants: pd.DataFrame, quality: dict) -> dict:
    """Why the dropouts stopped (CONSORT and STROBE: losses with reasons), from the follow-up
    file: people per reason code in codebook order, among dropouts only (a reason written for a
    completer is kept in the data and flagged in quality.json, never counted here).
    n_known + n_unknown = n_dropouts, the funnel's dropouts; n_unknown: left blank or not in
    the follow-up file. `available` is false when the cohort has no follow-up file or the file
    no column of reasons (`unavailable_because` says which): then nothing is counted."""
    record = quality.get("stop_reasons") or {}
    dropouts = participants[participants["dropout"]]
    available = bool(record.get("available")) and "stop_reason" in participants
    block = {"available": available,
             "unavailable_because": None if available else record.get("unavailable_because",
                                                                        "no_reason_column"),
             "n_dropouts": int(len(dropouts)), "n_known": None, "n_unknown": None,
             "reasons": []}
    if available:
        known = dropouts["stop_reason"].dropna()
        block.update(n_known=int(len(known)), n_unknown=int(len(dropouts) - len(known)),
                     reasons=[{"code": code, "n": int((known == code).sum())}
                              for code in codebook.codes("stop_reason")])
    return block


def responsiveness_summary(participants: pd.DataFrame, weekly: pd.DataFrame,
                           window_hours: float) -> dict:
    """How quickly facilitators wrote after participants' messages: per week, and per
    participant (share of their messages before session 2 answered in time). `window_hours`:
    what "in time" meant when the cohort was cleaned (quality.json)."""
    enrolled = participants[participants["enrolled"]]
    by_outcome = {}
    for outcome, group in (("completed", enrolled[~enrolled["dropout"]]),
                           ("dropout", enrolled[enrolled["dropout"]])):
        share = group["answered_share_before_session2"].dropna()
        by_outcome[outcome] = {"n_posted": int(len(share)),
                               "median_share_answered": float(share.median()) if len(share) else None}
    total = int(weekly["participant_messages"].sum())
    return {
        "weekly": [{"week": int(r.week), "participant_messages": int(r.participant_messages),
                    "answered_in_time": int(r.answered_in_time),
                    "median_delay_hours": None if pd.isna(r.median_delay_hours)
                    else float(r.median_delay_hours)} for r in weekly.itertuples()],
        "participant_messages": total,
        "answered_in_time": int(weekly["answered_in_time"].sum()),
        "window_hours": window_hours,
        "by_outcome": by_outcome,
    }


def fit_model(frame: pd.DataFrame, formula: str, name: str, link: str = "logit",
              method: str = "auto", epv_for_ml: float = models.EPV_FOR_ML,
              min_people: int = models.MIN_PEOPLE) -> tuple[object, dict]:
    """Formula -> checked design -> fit -> the dict results.json keeps (and the fit itself).
    A cohort that cannot support the model (no events, too few people) stops here with a line."""
    design = models.build(formula, frame, name, min_people=min_people)
    fit = models.fit_design(design, link=link, method=method, epv_for_ml=epv_for_ml)
    return fit, models.summary(fit)


def report_model(frame: pd.DataFrame, formula: str, name: str, link: str = "logit",
                 **options) -> tuple[object | None, dict]:
    """As fit_model, but a model the cohort cannot support becomes a record of why, so the
    report can say it in words instead of stopping (a bad formula still stops)."""
    try:
        return fit_model(frame, formula, name, link, **options)
    except NotEstimable as error:
        return None, models.not_estimable(error, formula, name, link)


def build_results(processed: dict, participant_formula: str, hazard_formula: str,
                  min_cell: int = 5, epv_for_ml: float = models.EPV_FOR_ML,
                  mice_threshold: float = 0.05, influence: bool = True,
                  influence_exact_max: int = 500, min_people: int = models.MIN_PEOPLE,
                  groupings: tuple = ("age_group", "age_class", "sector", "gender", "federation",
                                      "district", "disability", "employment_status"),
                  curves_by: tuple = ("age_group", "age_class", "sector"),
                  monte_carlo_tables: int = models.descriptive.MONTE_CARLO_TABLES,
                  age_curve_spline_df: int = 0,
                  hidden_last: tuple = ("age_group", "sector")) -> dict:
    """Every number the report shows, for the models the researcher specified.

    `mice_threshold`: more than this share missing in a model variable adds a multiple-
    imputation check. `groupings`: the variables of the descriptive completion tables.
    `influence_exact_max`: above this many people, leave-one-out influence uses the one-step
    approximation instead of refitting once per person. `min_people`: fewer people with
    complete data than this, and a model is not fitted (the report says why).
    `monte_carlo_tables`: random tables behind each Fisher-Freeman-Halton p-value.
    `age_curve_spline_df`: the completion-by-age curve, 0 a straight line in age (log-odds),
    3 or more a natural spline with that many degrees of freedom. `hidden_last`: the
    breakdowns whose counts are hidden last when counts must be hidden to protect a small one
    (the questions the evaluation answers: over 40, garment).
    """
    if not 1 <= int(min_cell) <= 100:
        raise models.ModelSpecError(f"min_cell = {min_cell}: expected a whole number of people "
                                    "from 1 to 100")
    if isinstance(monte_carlo_tables, bool) or not isinstance(monte_carlo_tables, int) or \
            monte_carlo_tables < 99:
        raise models.ModelSpecError(f"monte_carlo_tables = {monte_carlo_tables!r}: expected a "
                                    "whole number of random tables, 99 or more (9999 gives "
                                    "p-values to about two decimals)")
    participants = processed["participants"]
    cohort = processed["cohort"]
    n_sessions = len(cohort["session_dates"])
    for parameter, variables in (("groupings", groupings), ("curves_by", curves_by),
                                 ("hidden_last", hidden_last)):
        for variable in variables:
            if variable not in participants:
                raise models.ModelSpecError(
                    f"{parameter}: unknown variable `{variable}`. Variables available: "
                    f"{', '.join(sorted(c for c in participants if not c.startswith('attended_')))}")
    frame = features.participant_frame(participants)
    fit, participant = report_model(frame, participant_formula, "participant_formula",
                                    epv_for_ml=epv_for_ml, min_people=min_people)
    if fit is not None and influence:
        participant["influence"] = models.influence(fit, exact_max=influence_exact_max)
    if fit is not None and models.needs_imputation(frame, fit.design, mice_threshold):
        participant["mice"] = models.mice_sensitivity(frame, fit.design)
    hazard = features.hazard_frame(processed["person_period"], participants)
    results = {
        "results_version": RESULTS_VERSION,
        "cohort": cohort,
        "parameters": {"min_cell": min_cell, "participant_formula": participant_formula,
                       "hazard_formula": hazard_formula, "epv_for_ml": epv_for_ml,
                       "mice_threshold": mice_threshold,
                       "influence_exact_max": influence_exact_max, "min_people": min_people,
                       "monte_carlo_tables": monte_carlo_tables,
                       "age_curve_spline_df": age_curve_spline_df,
                       "hidden_last": list(hidden_last)},
        "funnel": funnel(participants, n_sessions),
        "retention": {
            variable: {"groups": models.retention_by(participants, variable, min_cell),
                       "test": models.group_test(participants, variable, min_cell,
                                                 resamples=monte_carlo_tables)}
            for variable in groupings
        },
        "retention_curves": {  # retention needs two sessions at least
            variable: models.retention_curves(participants, variable, n_sessions, min_cell)
            for variable in (curves_by if n_sessions > 1 else ())
        },
        "activity": activity_summary(participants, processed["activity"], cohort["session_dates"]),
        "responsiveness": responsiveness_summary(
            participants, processed["responsiveness"],
            processed["quality"]["responsiveness"]["window_hours"]),
        "followup": followup_summary(participants),
        "age_curve": completion_by_age(participants, min_cell, age_curve_spline_df),
        "stop_reasons": stop_reasons_summary(participants, processed["quality"]),
        "models": {
            "participant": participant,
            "hazard_logit": report_model(hazard, hazard_formula, "hazard_formula", "logit",
                                         epv_for_ml=epv_for_ml, min_people=min_people)[1],
            "hazard_cloglog": report_model(hazard, hazard_formula, "hazard_formula", "cloglog",
                                           method="maximum likelihood", epv_for_ml=epv_for_ml,
                                           min_people=min_people)[1],
        },
        "missingness": models.missingness(participants),
        "quality": processed["quality"],
    }
    results["disclosure"] = {
        "rule": "primary below min_cell, complementary until no hidden count is exact",
        "min_cell": min_cell,
        "hidden": joint.hidden_cells(results, participants, min_cell)}
    return results


def write_results(results: dict, path: str | Path) -> None:
    write_json(path, results)
