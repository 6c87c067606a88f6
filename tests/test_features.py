"""Outcome definitions on hand-worked attendance patterns."""

import datetime as dt

import pandas as pd

from analysis import features

# Sessions 1-3, one person per row, with the outcome worked out by hand.
PATTERNS = pd.DataFrame(
    [[1, 1, 1], [1, 0, 0], [1, 1, 0], [1, 0, 1], [0, 0, 0], [0, 1, 1]],
    columns=["attended_session_1", "attended_session_2", "attended_session_3"],
).astype(bool)


def test_outcomes_follow_the_design_definitions():
    out = features.attendance_outcomes(PATTERNS)
    assert out["enrolled"].tolist() == [True, True, True, True, False, False]
    assert out["completed"].tolist() == [True, False, False, True, False, False]
    assert out["dropout"].tolist() == [False, True, True, False, False, False]
    assert out["dropout_after_session"].tolist() == [pd.NA, 1, 2, pd.NA, pd.NA, pd.NA]
    assert out["intermittent"].tolist() == [False, False, False, True, False, False]
    assert out["no_show"].tolist() == [False, False, False, False, True, False]
    assert out["late_joiner"].tolist() == [False, False, False, False, False, True]
    assert out["sessions_attended"].tolist() == [3, 1, 2, 2, 0, 2]


def test_person_period_has_one_row_per_session_at_risk_with_lagged_activity():
    participants = pd.concat([pd.DataFrame({
        "phone_e164": [f"p{i}" for i in range(6)], "age": [30, 45, 50, 35, 40, 28],
        "sector": "other", "gender": "female"}), features.attendance_outcomes(PATTERNS)], axis=1)
    participants["age_40_plus"] = participants["age"] >= 40
    participants["garment"] = False
    dates = [dt.date(2023, 8, 8), dt.date(2023, 8, 15), dt.date(2023, 8, 22)]
    posts = pd.DataFrame({"phone_e164": ["p1", "p1", "p2", "p1", None, None],
                          "role": ["participant"] * 4 + ["facilitator"] * 2,
                          "timestamp": pd.to_datetime(["2023-08-09 10:00", "2023-08-14 20:00",
                                                       "2023-08-16 09:00", "2023-08-20 09:00",
                                                       "2023-08-09 12:00", "2023-08-16 08:00"])})
    membership = pd.DataFrame({"phone_e164": ["p1"], "event": ["left"],
                               "timestamp": pd.to_datetime(["2023-08-21 09:00"])})
    delays = features.response_delays(posts, window_hours=24)
    table = features.person_period_table(participants, posts, membership, dates, delays)
    rows = {(r.phone_e164, r.session): r for r in table.itertuples()}
    # p0 completes: at risk at 2 and 3; p1 drops before session 2: one row, event at 2;
    # p2 drops before session 3; p3 is intermittent, never an event; p4, p5 never enrolled.
    assert sorted(rows) == [("p0", 2), ("p0", 3), ("p1", 2), ("p2", 2), ("p2", 3), ("p3", 2),
                            ("p3", 3)]
    assert [rows[k].dropout for k in sorted(rows)] == [False, False, True, False, True, False,
                                                      False]
    # p1's two messages between sessions 1 and 2 count for session 2; the one after does not
    assert rows[("p1", 2)].messages_before_session == 2
    assert rows[("p2", 3)].messages_before_session == 1
    assert not rows[("p1", 2)].left_group_before_session
    # a facilitator wrote 2 h after p1's first message, 36 h after the second: one answered
    assert rows[("p1", 2)].answered_before_session == 1
    assert rows[("p2", 3)].answered_before_session == 0


def test_response_delays_are_the_wait_until_the_next_facilitator_message():
    posts = pd.DataFrame({
        "phone_e164": ["a", None, "b", "a", None, "b"],
        "role": ["participant", "facilitator", "participant", "participant", "facilitator",
                 "participant"],
        "timestamp": pd.to_datetime(["2023-08-01 09:00", "2023-08-01 10:30", "2023-08-01 11:00",
                                     "2023-08-02 08:00", "2023-08-03 09:00", "2023-08-05 09:00"])})
    delays = features.response_delays(posts, window_hours=24)
    # 09:00 -> 10:30; 11:00 -> two days later 09:00; 08:00 next day -> 09:00 the day after
    assert delays["delay_hours"].tolist()[:3] == [1.5, 46.0, 25.0]
    assert delays["answered"].tolist() == [True, False, False, False]  # the last: no reply
    longer = features.response_delays(posts, window_hours=30)  # the window is the researcher's
    assert longer["answered"].tolist() == [True, False, True, False]
    weekly = features.weekly_responsiveness(delays, dt.date(2023, 8, 1))
    assert weekly.to_dict(orient="records") == [{"week": 1, "participant_messages": 4,
                                                 "answered_in_time": 1,
                                                 "median_delay_hours": 25.0}]
