"""Processed tables -> results.json: every number the report shows, machine-readable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import models
from .outputs import write_json

RESULTS_VERSION = 1


def load_processed(processed_dir: str | Path) -> dict:
    processed_dir = Path(processed_dir)
    return {
        "participants": pd.read_parquet(processed_dir / "participants.parquet"),
        "person_period": pd.read_parquet(processed_dir / "person_period.parquet"),
        "activity": pd.read_parquet(processed_dir / "activity.parquet"),
        "quality": json.loads((processed_dir / "quality.json").read_text(encoding="utf-8")),
        "cohort": json.loads((processed_dir / "cohort.json").read_text(encoding="utf-8")),
    }


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
        }
    return summary


def build_results(processed: dict, min_cell: int = 5) -> dict:
    participants = processed["participants"]
    cohort = processed["cohort"]
    n_sessions = len(cohort["session_dates"])
    participant = models.participant_model(participants)
    if participant["terms"]:
        participant["influence"] = models.influence(participants, participant)
    missing = models.missingness(participants)
    participant["excluded_incomplete"] = int(participants["enrolled"].sum()) - participant["n_people"]
    if any(missing[v]["share"] > models.MICE_THRESHOLD for v in models.MODEL_VARIABLES):
        participant["mice"] = models.mice_sensitivity(participants)
    return {
        "results_version": RESULTS_VERSION,
        "cohort": cohort,
        "parameters": {"min_cell": min_cell},
        "funnel": funnel(participants, n_sessions),
        "retention": {
            variable: {"groups": models.retention_by(participants, variable, min_cell),
                       "test": models.chi_square_by(participants, variable)}
            for variable in ("age_group", "sector", "gender")
        },
        "retention_curves": {
            variable: models.retention_curves(participants, variable, n_sessions, min_cell)
            for variable in ("age_group", "sector")
        },
        "activity": activity_summary(participants, processed["activity"], cohort["session_dates"]),
        "followup": followup_summary(participants),
        "models": {
            "participant": participant,
            "hazard_logit": models.hazard_model(processed["person_period"], "logit"),
            "hazard_cloglog": models.hazard_model(processed["person_period"], "cloglog"),
        },
        "missingness": missing,
        "quality": processed["quality"],
    }


def write_results(results: dict, path: str | Path) -> None:
    write_json(path, results)


def load_results(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
