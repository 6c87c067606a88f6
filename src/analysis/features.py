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


def participants_table(roster, attendance, followup, posts, membership, session_dates):
    """One row per registered person, still keyed by phone (pseudonymised by the caller)."""
    session_columns = [c for c in attendance.columns if c.startswith("attended_session_")]
    table = roster[["phone_e164", "age", "gender", "sector", "federation", "district",
                    "disability", "employment_status"]].merge(attendance, on="phone_e164")
    known_age, known_sector = table["age"].notna(), table["sector"].notna()
    table["age_40_plus"] = (table["age"] >= AGE_SPLIT).astype("boolean").where(known_age, pd.NA)
    table["age_group"] = pd.Series(np.where(table["age_40_plus"].fillna(False), "40_plus",
                                            "under_40"), dtype=object).where(known_age, None)
    table["garment"] = (table["sector"] == "garment_textile").astype("boolean").where(
        known_sector, pd.NA)
    table = pd.concat([table, attendance_outcomes(table[session_columns])], axis=1)
    before_s2 = posts[posts["timestamp"] < pd.Timestamp(session_dates[1])]
    table["messages_before_session2"] = table["phone_e164"].map(
        before_s2.groupby("phone_e164").size()).fillna(0).astype(int)
    table["messages_total"] = table["phone_e164"].map(
        posts.groupby("phone_e164").size()).fillna(0).astype(int)
    joined = membership[membership["event"] == "joined"]["phone_e164"]
    left = membership[membership["event"] == "left"]
    table["in_chat"] = table["phone_e164"].isin(set(joined) | set(posts["phone_e164"]))
    table["left_group"] = table["phone_e164"].isin(set(left["phone_e164"]))
    if followup is not None:
        table = table.merge(followup, on="phone_e164", how="left")
    else:
        table["bpjstk_enrolled"] = pd.array([pd.NA] * len(table), dtype="boolean")
        table["reseller_active"] = pd.array([pd.NA] * len(table), dtype="boolean")
    return table


def person_period_table(participants, posts, membership, session_dates) -> pd.DataFrame:
    """One row per enrolled participant and session t >= 2 at which they were still at risk.

    dropout = 1 at the session they were first absent for good. Activity is the interval before
    the session (lagged: a dropout's silence after leaving must not explain leaving).
    """
    intervals = messages_by_interval(posts, session_dates)
    left = membership[membership["event"] == "left"].groupby("phone_e164")["timestamp"].min()
    rows = []
    enrolled = participants[participants["enrolled"]]
    for t in range(2, len(session_dates) + 1):
        last_ok = enrolled["dropout_after_session"].fillna(len(session_dates)).astype(int)
        at_risk = enrolled[last_ok >= t - 1]
        left_at = at_risk["phone_e164"].map(left)
        rows.append(pd.DataFrame({
            "phone_e164": at_risk["phone_e164"].to_numpy(),
            "session": t,
            "dropout": (at_risk["dropout_after_session"] == t - 1).fillna(False).to_numpy(),
            "messages_before_session": at_risk["phone_e164"].map(
                intervals.get(t, pd.Series(dtype=int))).fillna(0).astype(int).to_numpy(),
            "left_group_before_session": (left_at < pd.Timestamp(session_dates[t - 1]))
            .fillna(False).to_numpy(),
            "age": at_risk["age"].to_numpy(),
            "age_40_plus": at_risk["age_40_plus"].to_numpy(),
            "sector": at_risk["sector"].to_numpy(),
            "garment": at_risk["garment"].to_numpy(),
            "gender": at_risk["gender"].to_numpy(),
        }))
    table = pd.concat(rows, ignore_index=True)
    return table.astype({"age": "Int64", "age_40_plus": "boolean", "garment": "boolean"})


def activity_table(posts: pd.DataFrame) -> pd.DataFrame:
    """Messages per sender and day, with no text: participants by ID, others by role."""
    frame = posts.assign(date=posts["timestamp"].dt.date,
                         media=posts["kind"].eq("media").astype(int))
    grouped = frame.groupby(["who", "role", "date"], dropna=False)
    return grouped.agg(messages=("kind", "size"), media=("media", "sum")).reset_index()
