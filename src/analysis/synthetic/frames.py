"""Made-up cohorts as the tables of counts see them: a participants frame and the counts of
results.json that the disclosure control reads, without raw files, cleaning or model fits.

Why a module of its own: the protection across cohorts (analysis.privacy.joint) is tested and
timed on tens of cohorts at once, which the file writers and the model fits would make minutes
long. The frame has the processed participants' columns that the counts use (outcomes from an
attendance matrix by `features.attendance_outcomes`, the unions' derived columns by
`features.derived_columns`); the counts are computed by the functions results.json uses
(`models.retention_by`, `retention_curves`, `results.funnel`, `followup_summary`,
`missingness`), the risk quartiles from a made-up risk score. Never real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import codebook, features
from analysis.synthetic.specs import SECTORS

GROUPINGS = ("age_group", "age_class", "sector", "gender", "federation", "district",
             "disability", "employment_status")
CURVES_BY = ("age_group", "age_class", "sector")
OUTCOMES = ("enrolled", "completed", "dropout", "dropout_after_session")
FEDERATION_OF_SECTOR = {"garment_textile": "fsp_tsk", "footwear_leather": "fsp_tsk",
                        "electronics_automotive": "fsp_lem", "food_processing": "fsp_rtmm",
                        "retail_hospitality": "fsp_par", "other": "fsp_kep"}


def participants(n: int, seed: int, sessions: int = 3) -> pd.DataFrame:
    """n registered people (a few never come): ages (a few blank), sector, gender, federation
    (mostly the sector's, sometimes another or unknown), three to four districts of one region,
    disability, employment status, follow-up answers (some blank), attendance per session."""
    rng = np.random.default_rng(seed)
    sectors = list(SECTORS)
    sector = rng.choice(sectors, size=n, p=[s for s, _ in SECTORS.values()])
    federations = [str(c) for c in codebook.codes("federation")]
    federation = np.array([FEDERATION_OF_SECTOR[s] for s in sector], dtype=object)
    switch = rng.random(n) < 0.2
    federation[switch] = rng.choice(federations, size=int(switch.sum()))
    districts = [str(c) for c in codebook.codes("district")]
    region = rng.choice(districts, size=int(rng.integers(3, 5)), replace=False)
    age = np.clip(np.round(rng.normal(38, 9, size=n)), 20, 58).astype(float)
    age[rng.random(n) < 0.03] = np.nan
    enrolled = rng.random(n) < 0.92
    risk = -0.9 + 0.9 * (np.nan_to_num(age, nan=38) >= 40) + 0.7 * (sector == "garment_textile")
    attended = np.zeros((n, sessions), dtype=bool)
    attended[:, 0] = enrolled
    still = enrolled.copy()
    for t in range(1, sessions):
        still &= rng.random(n) >= 1 / (1 + np.exp(-(risk - 0.8 * t)))
        attended[:, t] = still
    frame = pd.DataFrame({
        "age": pd.array(age, dtype="Float64").astype("Int64"),
        "sector": sector, "gender": rng.choice(["female", "male"], size=n, p=[0.55, 0.45]),
        "federation": federation, "district": rng.choice(region, size=n),
        "disability": rng.random(n) < 0.06,
        "employment_status": np.where(rng.random(n) < 0.75, "laid_off", "at_risk"),
        **{f"attended_session_{t + 1}": attended[:, t] for t in range(sessions)}})
    frame = features.derived_columns(frame)
    frame = pd.concat([frame, features.attendance_outcomes(
        frame[[f"attended_session_{t + 1}" for t in range(sessions)]])], axis=1)
    for variable, share in (("bpjstk_enrolled", 0.4), ("reseller_active", 0.3)):
        answer = pd.array(rng.random(n) < share + 0.2 * frame["completed"], dtype="boolean")
        answer[rng.random(n) < 0.1] = pd.NA
        frame[variable] = answer
    return frame


def counts(people: pd.DataFrame, min_cell: int = 5, sessions: int = 3) -> dict:
    """The counts of results.json that `analysis.privacy.counts.cohort_table` reads, computed
    as `models.results.build_results` computes them (no exact tests, no model: the risk
    quartiles come from a made-up score)."""
    from analysis import models
    from analysis.models.results import followup_summary, funnel

    enrolled = people[people["enrolled"]]
    score = (enrolled["age"].fillna(38).to_numpy(dtype=float) / 10
             + (enrolled["sector"] == "garment_textile").to_numpy())
    predicted = 1 / (1 + np.exp(-(score - 4)))
    observed = enrolled["dropout"].to_numpy(dtype=float)
    return {
        "parameters": {"min_cell": min_cell},
        "funnel": funnel(people, sessions),
        "retention": {v: {"groups": models.retention_by(people[[*OUTCOMES, v]], v, min_cell)}
                      for v in GROUPINGS},
        "retention_curves": {v: models.retention_curves(people[[*OUTCOMES, v]], v, sessions,
                                                        min_cell) for v in CURVES_BY},
        "followup": followup_summary(people),
        "missingness": models.missingness(people),
        "models": {"participant": {"n_people": int(len(enrolled)),
                                   "events": int(observed.sum()),
                                   "calibration": models.calibration(observed, predicted)}},
    }


def cohorts(k: int, n: int, seed: int = 17, min_cell: int = 5) -> list[tuple[str, dict, pd.DataFrame]]:
    """k made-up cohorts of n registered people each: (id, counts, participants)."""
    made = []
    for i in range(k):
        people = participants(n, seed * 1000 + i)
        made.append((f"synthetic-{i + 1:02d}", counts(people, min_cell), people))
    return made
