"""The generator's dropout process straight to the analysis tables, without writing files.

Why a module of its own: the simulation and power studies (planning) need thousands of cohorts,
so they skip the raw files and the cleaning and take the tables the pipeline would build (no
names, no chat), model-ready. What changes this module is the pipeline's tables (features), not
the process (process) nor the raw files (writers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import features
from analysis.synthetic.process import draw_attendance_and_activity, draw_people
from analysis.synthetic.specs import CohortSpec


def _attributes(people: pd.DataFrame, index: np.ndarray) -> dict:
    return {"age": pd.array(people["age"].to_numpy()[index], dtype="Int64"),
            "sector": people["sector"].to_numpy()[index],
            "gender": people["gender"].to_numpy()[index],
            "disability": people["disability"].to_numpy()[index],
            "employment_status": people["employment_status"].to_numpy()[index]}


def simulate_person_period(spec: CohortSpec, rng: np.random.Generator) -> pd.DataFrame:
    """The generator's dropout process without writing files: the person-period table the
    pipeline would build (no names, no chat), model-ready, for simulation studies and power."""
    people = draw_people(spec, rng, None)
    enrolled, attended, messages, dropped_after, _ = draw_attendance_and_activity(spec, people,
                                                                                  rng)
    rows = []
    last = len(spec.session_dates)
    for t in range(2, last + 1):
        at_risk = enrolled & ((dropped_after == 0) | (dropped_after >= t - 1))
        index = np.flatnonzero(at_risk)
        rows.append(pd.DataFrame({
            "participant_id": index, "session": t,
            "dropout": dropped_after[index] == t - 1,
            "messages_before_session": messages[index, t - 1],
            # The generated chat has a dropout leave the group only after the first session
            # they miss (writers), so nobody at risk at a session has left before it: the
            # pipeline finds the same on every generated cohort (tests/test_simulation.py).
            "left_group_before_session": np.zeros(len(index), dtype=bool),
            **_attributes(people, index)}))
    return features.model_ready(features.derived_columns(pd.concat(rows, ignore_index=True)))


def simulate_participants(spec: CohortSpec, rng: np.random.Generator) -> pd.DataFrame:
    """One row per enrolled participant, model-ready, as the participant-level model sees them."""
    people = draw_people(spec, rng, None)
    enrolled, attended, messages, _, _ = draw_attendance_and_activity(spec, people, rng)
    index = np.flatnonzero(enrolled)
    table = pd.DataFrame({
        "participant_id": index, "enrolled": True, "dropout": ~attended[enrolled, -1],
        "completed": attended[enrolled, -1],
        "messages_before_session2": messages[enrolled, :2].sum(axis=1),
        **_attributes(people, index)})
    return features.participant_frame(features.derived_columns(table))
