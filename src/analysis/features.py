"""From cleaned tables to the analysis tables: participants, person_period and activity.

The definitions follow the design: enrolled = attended session 1; dropout = enrolled and absent
from the final session; dropout_after_session = the last session attended by a dropout (the
first session after which they never come again); intermittent = missed a session but came
to the final one (not a dropout).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis import codebook

AGE_SPLIT = 40  # the unions' question: participants over 40


def attendance_outcomes(attended: pd.DataFrame) -> pd.DataFrame:
    """Outcome columns from one boolean column per session, in session order."""
    sessions = attended.to_numpy(dtype=bool)
    k = sessions.shape[1]
    enrolled = sessions[:, 0]
    completed = enrolled & sessions[:, -1]
    # index of the last session attended, counting from 1; 0 when none
    last = np.where(sessions.any(axis=1), k - np.argmax(sessions[:, ::-1], axis=1), 0)
    dropout = enrolled & ~sessions[:, -1]
    gaps = (sessions.cumsum(axis=1) < np.arange(1, k + 1)) & (np.arange(1, k + 1) <= last[:, None])
    return pd.DataFrame({
        "enrolled": enrolled,
        "no_show": ~sessions.any(axis=1),
        "late_joiner": ~enrolled & sessions.any(axis=1),
        "sessions_attended": sessions.sum(axis=1),
        "completed": completed,
        "dropout": dropout,
        "dropout_after_session": pd.array(np.where(dropout, last, 0), dtype="Int64"),
        "intermittent": completed & gaps.any(axis=1),
    }, index=attended.index).assign(
        dropout_after_session=lambda f: f["dropout_after_session"].mask(~f["dropout"]))


def session_boundaries(session_dates) -> list[tuple[int, dt.date | None, dt.date]]:
    """(session, from, to): messages dated from <= day < to fall in the interval before it.

    Session 1's interval is everything before it; session t's runs from session t-1's day.
    """
    bounds = [(1, None, session_dates[0])]
    for t in range(2, len(session_dates) + 1):
        bounds.append((t, session_dates[t - 2], session_dates[t - 1]))
    return bounds


def messages_by_interval(posts: pd.DataFrame, session_dates) -> pd.DataFrame:
    """Messages per phone in the interval before each session: columns 1..K."""
    days = posts["timestamp"].dt.normalize()
    counts = {}
    for session, start, end in session_boundaries(session_dates):
        end = pd.Timestamp(end)
        inside = (days < end) if start is None else ((days >= pd.Timestamp(start)) & (days < end))
        counts[session] = posts[inside].groupby("phone_e164").size()
    return pd.DataFrame(counts).fillna(0).astype(int)


def derived_columns(table: pd.DataFrame) -> pd.DataFrame:
    """The unions' questions as columns: age 40+, age group and class, the garment sector.
    Built here for the pipeline and for the generator's simulated cohorts alike."""
    table = table.copy()
    known_age, known_sector = table["age"].notna(), table["sector"].notna()
    table["age_40_plus"] = (table["age"] >= AGE_SPLIT).astype("boolean").where(known_age, pd.NA)
    table["age_group"] = pd.Series(np.where(table["age_40_plus"].fillna(False), "40_plus",
                                            "under_40"), dtype=object,
                                   index=table.index).where(known_age, None)
    table["age_class"] = codebook.age_class(table["age"]).where(known_age, None)
    table["garment"] = (table["sector"] == "garment_textile").astype("boolean").where(
        known_sector, pd.NA)
    return table


def participants_table(roster, attendance, followup, posts, membership, session_dates, delays):
    """One row per registered person, still keyed by phone (pseudonymised by the caller).
    `delays`: `response_delays` of the same posts."""
    session_columns = [c for c in attendance.columns if c.startswith("attended_session_")]
    table = roster[["phone_e164", "age", "gender", "sector", "federation", "district",
                    "disability", "employment_status"]].merge(attendance, on="phone_e164")
    table = derived_columns(table)
    table = pd.concat([table, attendance_outcomes(table[session_columns])], axis=1)
    # a one-session programme has no session 2: then every message counts (nobody drops out)
    second = pd.Timestamp(session_dates[1]) if len(session_dates) > 1 else pd.Timestamp.max
    before_s2 = posts[posts["timestamp"] < second]
    table["messages_before_session2"] = table["phone_e164"].map(
        before_s2.groupby("phone_e164").size()).fillna(0).astype(int)
    table["messages_total"] = table["phone_e164"].map(
        posts.groupby("phone_e164").size()).fillna(0).astype(int)
    early = delays[delays["timestamp"] < second]
    table["answered_before_session2"] = table["phone_e164"].map(
        early.groupby("phone_e164")["answered"].sum()).fillna(0).astype(int)
    table["answered_share_before_session2"] = (
        table["answered_before_session2"] / table["messages_before_session2"].where(
            table["messages_before_session2"] > 0)).astype(float)
    joined = membership[membership["event"] == "joined"]["phone_e164"]
    left = membership[membership["event"] == "left"]
    # distinct values first: a set() of millions of messages builds a Python string for each
    table["in_chat"] = table["phone_e164"].isin(set(joined.unique()) |
                                                set(posts["phone_e164"].unique()))
    table["left_group"] = table["phone_e164"].isin(set(left["phone_e164"].unique()))
    if followup is not None:  # its raw row numbers stay with the quality record
        table = table.merge(followup.drop(columns="followup_row", errors="ignore"),
                            on="phone_e164", how="left")
    else:
        table["bpjstk_enrolled"] = pd.array([pd.NA] * len(table), dtype="boolean")
        table["reseller_active"] = pd.array([pd.NA] * len(table), dtype="boolean")
    # a code, or None: no follow-up file, no reason column, not in the file or left blank
    reason = (table["stop_reason"] if "stop_reason" in table
              else pd.Series([None] * len(table), index=table.index, dtype=object))
    table["stop_reason"] = reason.astype(object).where(reason.notna(), None)
    return table


PERSON_PERIOD_TYPES = {"phone_e164": str, "session": int, "dropout": bool,
                       "messages_before_session": int, "left_group_before_session": bool,
                       "answered_before_session": int, "age": "Int64", "age_40_plus": "boolean",
                       "sector": str, "garment": "boolean", "gender": str}


def person_period_table(participants, posts, membership, session_dates,
                        delays) -> pd.DataFrame:
    """One row per enrolled participant and session t >= 2 at which they were still at risk.

    dropout = 1 at the session they were first absent for good. Activity is the interval before
    the session (lagged: a dropout's silence after leaving must not explain leaving).
    """
    intervals = messages_by_interval(posts, session_dates)
    answered_intervals = messages_by_interval(delays[delays["answered"]], session_dates)
    left = membership[membership["event"] == "left"].groupby("phone_e164")["timestamp"].min()
    rows = []
    enrolled = participants[participants["enrolled"]]
    for t in range(2, len(session_dates) + 1):
        last_ok = enrolled["dropout_after_session"].fillna(len(session_dates)).astype(int)
        at_risk = enrolled[last_ok >= t - 1]
        left_at = pd.to_datetime(at_risk["phone_e164"].map(left.to_dict()))  # NaT: never left
        rows.append(pd.DataFrame({
            "phone_e164": at_risk["phone_e164"].to_numpy(),
            "session": t,
            "dropout": (at_risk["dropout_after_session"] == t - 1).fillna(False).to_numpy(),
            "messages_before_session": at_risk["phone_e164"].map(
                intervals.get(t, pd.Series(dtype=int))).fillna(0).astype(int).to_numpy(),
            "left_group_before_session": (left_at < pd.Timestamp(session_dates[t - 1]))
            .fillna(False).to_numpy(),
            "answered_before_session": at_risk["phone_e164"].map(
                answered_intervals.get(t, pd.Series(dtype=int))).fillna(0).astype(int).to_numpy(),
            "age": at_risk["age"].to_numpy(),
            "age_40_plus": at_risk["age_40_plus"].to_numpy(),
            "sector": at_risk["sector"].to_numpy(),
            "garment": at_risk["garment"].to_numpy(),
            "gender": at_risk["gender"].to_numpy(),
        }))
    if not rows:  # one session: nobody is ever at risk of dropping out
        rows = [pd.DataFrame({c: pd.Series(dtype=t) for c, t in PERSON_PERIOD_TYPES.items()})]
    table = pd.concat(rows, ignore_index=True)
    return table.astype({"age": "Int64", "age_40_plus": "boolean", "garment": "boolean"})


def activity_table(posts: pd.DataFrame) -> pd.DataFrame:
    """Messages per sender and day, with no text: participants by ID, others by role."""
    frame = posts.assign(date=posts["timestamp"].dt.date,
                         media=posts["kind"].eq("media").astype(int))
    grouped = frame.groupby(["who", "role", "date"], dropna=False)
    return grouped.agg(messages=("kind", "size"), media=("media", "sum")).reset_index()


def response_delays(posts: pd.DataFrame, window_hours: float) -> pd.DataFrame:
    """Each participant message with the wait until the next facilitator message in the group.

    Facilitator responsiveness is the part of "group activity" staff can change: a message is
    answered when a facilitator wrote within `window_hours` after it (a reply or not; exports
    do not say which message a reply answers). The window is a parameter of 01_clean.
    """
    own = posts[posts["role"] == "participant"][["phone_e164", "timestamp"]]
    staff = np.sort(posts.loc[posts["role"] == "facilitator", "timestamp"].to_numpy())
    times = own["timestamp"].to_numpy()
    following = np.searchsorted(staff, times, side="right")
    has_next = following < len(staff)
    delay = np.full(len(own), np.nan)
    delay[has_next] = ((staff[following[has_next]] - times[has_next]) /
                       np.timedelta64(1, "s")) / 3600
    return own.assign(delay_hours=delay,
                      answered=delay <= window_hours)


def weekly_responsiveness(delays: pd.DataFrame, first_session) -> pd.DataFrame:
    """Per programme week (week 1 starts on session 1's day; 0 and below are before it):
    participant messages, how many a facilitator answered in time, and the median wait in
    hours. No IDs, no text. `delays`: from `response_delays`."""
    start = pd.Timestamp(first_session).normalize()
    week = ((delays["timestamp"].dt.normalize() - start).dt.days // 7 + 1).astype(int)
    grouped = delays.groupby(week)
    table = pd.DataFrame({
        "participant_messages": grouped.size(),
        "answered_in_time": grouped["answered"].sum().astype(int),
        "median_delay_hours": grouped["delay_hours"].median(),
    })
    table.index.name = "week"
    return table.reset_index()


# Model-ready columns: built here and nowhere else. Flags become 0/1 numbers (NaN where the
# roster was blank), categorical codes become ordered categories with the reference level first,
# and activity gets its log transform, so that any formula a researcher writes can use them.
LOG_ACTIVITY = {"log_messages_before_session2": "messages_before_session2",
                "log_messages_before_session": "messages_before_session"}


def model_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Model-ready copy of a participants or person-period table (all rows, missing kept)."""
    ready = frame.copy()
    for column in ready.columns:  # flags and nullable integers: numbers, NaN where blank
        if str(ready[column].dtype) in ("bool", "boolean", "Int64"):
            ready[column] = ready[column].astype("Float64").astype(float)
    for variable in codebook.categorical_variables():
        if variable in ready:
            ready[variable] = pd.Categorical(ready[variable], categories=_levels(variable))
    for log_column, count in LOG_ACTIVITY.items():
        if count in ready:
            # log(1 + messages): one extra message matters more to a quiet member than a busy one
            ready[log_column] = np.log1p(ready[count].astype(float))
    return ready


def _levels(variable: str) -> list:
    levels = [str(c) for c in codebook.codes(variable)]
    first = codebook.reference(variable)
    return [first, *[c for c in levels if c != first]] if first in levels else levels


def participant_frame(participants: pd.DataFrame) -> pd.DataFrame:
    """Enrolled participants, model-ready: the rows the participant-level model is about."""
    return model_ready(participants[participants["enrolled"]]).reset_index(drop=True)


def hazard_frame(person_period: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Person-period rows with every participant-level variable joined on, model-ready, so a
    hazard formula can use federation, district or follow-up as readily as age."""
    extra = [c for c in participants.columns if c not in person_period.columns
             and not c.startswith("attended_session_")]
    joined = person_period.merge(participants[["participant_id", *extra]], on="participant_id",
                                 how="left", validate="many_to_one")
    return model_ready(joined)
