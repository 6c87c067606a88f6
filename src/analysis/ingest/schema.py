"""The processed tables' contracts, checked with pandera before anything is written."""

from __future__ import annotations

import pandera.pandas as pa

from analysis import codebook


def _coded(variable: str, nullable: bool = True) -> pa.Column:
    return pa.Column(str, pa.Check.isin([str(c) for c in codebook.codes(variable)]),
                     nullable=nullable)


def participants_schema(n_sessions: int) -> pa.DataFrameSchema:
    columns = {
        "participant_id": pa.Column(str, pa.Check.str_matches(r"^P[0-9a-f]{12}$"), unique=True),
        "age": pa.Column("Int64", pa.Check.in_range(15, 80), nullable=True),
        "age_group": _coded("age_group"),
        "age_class": _coded("age_class"),
        "gender": _coded("gender"),
        "sector": _coded("sector"),
        "federation": _coded("federation"),
        "district": _coded("district"),
        "employment_status": _coded("employment_status"),
        "sessions_attended": pa.Column(int, pa.Check.in_range(0, n_sessions)),
        "dropout_after_session": pa.Column("Int64", pa.Check.in_range(1, max(n_sessions - 1, 1)),
                                           nullable=True),
        "messages_before_session2": pa.Column(int, pa.Check.ge(0)),
        "messages_total": pa.Column(int, pa.Check.ge(0)),
        "answered_before_session2": pa.Column(int, pa.Check.ge(0)),
        "answered_share_before_session2": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        "bpjstk_enrolled": pa.Column("boolean", nullable=True),
        "reseller_active": pa.Column("boolean", nullable=True),
        "stop_reason": _coded("stop_reason"),
    }
    for flag in ("disability", "age_40_plus", "garment"):  # missing where the roster is blank
        columns[flag] = pa.Column("boolean", nullable=True)
    for flag in ("enrolled", "no_show", "completed",
                 "dropout", "intermittent", "in_chat", "left_group", "late_joiner"):
        columns[flag] = pa.Column(bool)
    for t in range(1, n_sessions + 1):
        columns[f"attended_session_{t}"] = pa.Column(bool)
    checks = [
        pa.Check(lambda f: (f["dropout"] == (f["enrolled"] & ~f["completed"])).all(),
                 error="dropout must equal enrolled and not completed"),
        pa.Check(lambda f: (f["dropout_after_session"].notna() == f["dropout"]).all(),
                 error="dropout_after_session is set exactly for dropouts"),
    ]
    return pa.DataFrameSchema(columns, checks=checks, strict=True, coerce=False)


PERSON_PERIOD = pa.DataFrameSchema({
    "participant_id": pa.Column(str, pa.Check.str_matches(r"^P[0-9a-f]{12}$")),
    "session": pa.Column(int, pa.Check.ge(2)),
    "dropout": pa.Column(bool),
    "messages_before_session": pa.Column(int, pa.Check.ge(0)),
    "left_group_before_session": pa.Column(bool),
    "answered_before_session": pa.Column(int, pa.Check.ge(0)),
    "age": pa.Column("Int64", nullable=True),
    "age_40_plus": pa.Column("boolean", nullable=True),
    "sector": _coded("sector"),
    "garment": pa.Column("boolean", nullable=True),
    "gender": _coded("gender"),
}, unique=["participant_id", "session"], strict=True)
