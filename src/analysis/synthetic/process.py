"""The generator's dropout process: who registers, who comes, who posts and who stops coming.

Why a module of its own: this is the model the simulation and power studies test the pipeline
against, so it changes only when the assumed process changes, never when a raw file's look does
(writers) or a setting does (specs). Both the written cohorts and the in-memory simulations
(simulate) draw from it, in the same order, so a seed gives the same people either way.

Dropout follows a discrete-time hazard: at each session t >= 2 a participant still in the
programme stops coming with probability logistic(intercept_t + effects), where the effects are age
40 and over, the garment sector, and log(1 + messages posted in the interval before session t).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from faker import Faker

from analysis import features
from analysis.ingest.identity import normalise_phone
from analysis.synthetic.specs import PHONE_PREFIXES, SECTORS, STOP_REASONS, CohortSpec

# The random stream of the reasons for stopping: a stream of its own, (seed, STOP_REASON_STREAM),
# so that adding them changed no other draw (every demo file but the follow-up as it was).
STOP_REASON_STREAM = 5


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def draw_people(spec: CohortSpec, rng: np.random.Generator, fake: Faker | None) -> pd.DataFrame:
    """The registrants; with fake=None (simulation studies) without names and phone numbers."""
    n = spec.n_registered
    gender = rng.choice(["female", "male"], size=n, p=[0.55, 0.45])
    names, phones = ([], []) if fake else ([f"P{i}" for i in range(n)], [""] * n)
    taken = set(names)
    misses = 0  # in a row: Faker's two-part names run out near 30,000 people (scale cohorts)
    while len(names) < n:
        g = gender[len(names)]
        first = fake.first_name_female() if g == "female" else fake.first_name_male()
        last = fake.last_name_female() if g == "female" else fake.last_name_male()
        if misses >= 50:  # from then on a middle name, as many Indonesians have
            first += " " + (fake.first_name_female() if g == "female" else fake.first_name_male())
        name = f"{first} {last}"
        if name not in taken and first != last:
            names.append(name)
            taken.add(name)
            misses = 0 if misses < 50 else misses
        else:
            misses += 1
    taken = set()
    while len(phones) < n:
        prefix = PHONE_PREFIXES[rng.integers(len(PHONE_PREFIXES))]
        digits = "".join(str(d) for d in rng.integers(0, 10, size=int(rng.choice([7, 8]))))
        e164 = normalise_phone(prefix + digits)
        if e164 and e164 not in taken:
            phones.append(e164)
            taken.add(e164)
    shares = spec.sector_shares or {c: share for c, (share, _) in SECTORS.items()}
    sector = rng.choice(list(shares), size=n, p=list(shares.values()))
    age = np.clip(np.round(rng.normal(38, 9, size=n)), *spec.age_range).astype(int)
    return pd.DataFrame({
        "name": names, "phone": phones, "gender": gender, "age": age, "sector": sector,
        "district": rng.choice(spec.districts, size=n),
        "disability": rng.random(n) < 0.06,
        "employment_status": np.where(rng.random(n) < 0.75, "laid_off", "at_risk"),
        "saved_contact": rng.random(n) < 0.55,  # shown by name in the export, else by number
        "nickname": rng.random(n) < spec.nickname_share,
        "engagement": rng.gamma(1.3, 2.0, size=n),  # messages a week while taking part
    })


def _pick(rng, weights: np.ndarray, k: int) -> np.ndarray:
    """k indices drawn without replacement, each in proportion to its weight (Gumbel top-k)."""
    if k <= 0:
        return np.array([], dtype=int)
    keys = np.log(weights) + rng.gumbel(size=len(weights))
    return np.argsort(-keys, kind="stable")[:k]


def draw_attendance_and_activity(spec: CohortSpec, people: pd.DataFrame, rng):
    """Attendance per session and messages per interval, drawn session by session.

    Returns (enrolled, attended, messages, dropped_after, boundaries): who came to session 1,
    attendance per person and session, messages per person and interval (interval j ends at
    session j+1; the last is after the final session), the last session a dropout attended
    (0: not a dropout), and the interval boundaries (group start, the sessions, a week after).
    """
    n, k = len(people), len(spec.session_dates)
    enrolled = np.zeros(n, dtype=bool)
    enrolled[rng.choice(n, size=spec.n_enrolled, replace=False)] = True
    attended = np.zeros((n, k), dtype=bool)
    attended[:, 0] = enrolled
    boundaries = [spec.group_start, *spec.session_dates, spec.session_dates[-1] + dt.timedelta(7)]
    weeks = np.array([(b - a).days / 7 for a, b in zip(boundaries[:-1], boundaries[1:],
                                                        strict=True)])
    rate = people["engagement"].to_numpy() * spec.message_scale * np.where(enrolled, 1.0, 0.3)
    messages = np.zeros((n, k + 1), dtype=int)  # interval j ends at session j+1 (last: after)
    messages[:, 0] = rng.poisson(rate * weeks[0])
    in_programme = enrolled.copy()
    effects = spec.effects
    # the unions' questions as the pipeline defines them (features), never redefined here
    derived = features.derived_columns(people[["age", "sector"]])
    age40 = derived["age_40_plus"].to_numpy(dtype=bool)
    garment = derived["garment"].to_numpy(dtype=bool)
    dropped_after = np.zeros(n, dtype=int)
    for t in range(2, k + 1):
        interval = t - 1  # messages posted between session t-1 and session t
        messages[:, interval] = rng.poisson(np.where(in_programme, rate, rate * 0.1) *
                                            weeks[interval])
        log_odds = (effects["intercept_by_session"][t] + effects["age_40_plus"] * age40 +
                    effects["garment"] * garment +
                    effects["log1p_messages_before_session"] * np.log1p(messages[:, interval]))
        hazard = _logistic(log_odds)
        at_risk = np.flatnonzero(in_programme)
        if spec.dropouts_at is None:
            stop = at_risk[rng.random(len(at_risk)) < hazard[at_risk]]
        else:
            odds = hazard[at_risk] / (1 - hazard[at_risk])
            stop = at_risk[_pick(rng, odds, spec.dropouts_at.get(t, 0))]
        in_programme[stop] = False
        dropped_after[stop] = t - 1
        attended[:, t - 1] = in_programme
        if t < k:  # an intermittent attender misses session t but is back for the final one
            stayers = np.flatnonzero(in_programme)
            if spec.intermittent_at is None:
                away = stayers[rng.random(len(stayers)) < 0.03]
            else:
                away = rng.choice(stayers, size=spec.intermittent_at.get(t, 0), replace=False)
            attended[away, t - 1] = False
    messages[:, k] = rng.poisson(np.where(in_programme, rate, rate * 0.1) * weeks[k])
    return enrolled, attended, messages, dropped_after, boundaries


def draw_stop_reasons(spec: CohortSpec, dropout: np.ndarray,
                      rng: np.random.Generator) -> list[str | None]:
    """The reason each dropout gives for stopping (a stop_reason code; None: not given), None
    for everyone else: one draw per person whoever they are, from `rng`, the reasons' own
    stream (np.random.default_rng([seed, STOP_REASON_STREAM]))."""
    shares = spec.stop_reason_shares or {c: share for c, (share, _) in STOP_REASONS.items()}
    n = len(dropout)
    given = rng.random(n) < spec.stop_reason_given
    codes = rng.choice(list(shares), size=n, p=list(shares.values()))
    return [str(c) if d and g else None for c, d, g in zip(codes, dropout, given, strict=True)]
