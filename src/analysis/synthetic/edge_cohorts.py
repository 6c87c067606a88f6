"""The unhappy cohorts: generated raw folders that real programmes will send sooner or later.

Each is the generator's small test cohort with one thing changed (no dropouts, five people, no
chat export, one sector, …). `python -m analysis generate --edge --out DIR` writes them; the
tests build every one's report in both languages and check the sentence that says what could
not be estimated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from analysis.synthetic.specs import SUKABUMI, CohortSpec

BASE = dataclasses.replace(
    SUKABUMI, id="edge", n_registered=30, n_enrolled=26, seed=11, intermittent_at={},
    title={"id": "Kohort uji (DATA SINTETIS)", "en": "Test cohort (SYNTHETIC DATA)"},
    session_dates=[dt.date(2024, 3, 5), dt.date(2024, 3, 12), dt.date(2024, 3, 19)],
    group_start=dt.date(2024, 2, 27))


def _edge(name: str, title_en: str, title_id: str, **changes) -> CohortSpec:
    return dataclasses.replace(BASE, id=f"edge-{name}", **changes, title={
        "id": f"Kohort uji: {title_id} (DATA SINTETIS)",
        "en": f"Test cohort: {title_en} (SYNTHETIC DATA)"})


EDGE_COHORTS = {spec.id: spec for spec in (
    _edge("no-dropouts", "no dropouts", "tanpa peserta berhenti", dropouts_at={}),
    _edge("all-drop-out", "everyone drops out", "semua berhenti", dropouts_at={2: 26}),
    _edge("one-dropout-session", "all dropouts at one session", "semua berhenti di satu sesi",
          dropouts_at={2: 10}),
    _edge("one-session", "one session only", "hanya satu sesi",
          session_dates=[dt.date(2024, 3, 5)]),
    _edge("two-sessions", "two sessions", "dua sesi",
          session_dates=[dt.date(2024, 3, 5), dt.date(2024, 3, 12)]),
    _edge("five-people", "five participants", "lima peserta", n_registered=6, n_enrolled=5,
          duplicate_registrations=0),
    _edge("all-under-40", "nobody over 40", "tidak ada yang 40 tahun ke atas",
          age_range=(20, 39)),
    _edge("all-over-40", "everybody 40 or over", "semua 40 tahun ke atas", age_range=(40, 58)),
    _edge("one-sector", "one sector", "satu sektor", sector_shares={"garment_textile": 1.0}),
    _edge("no-chat", "no WhatsApp export", "tanpa ekspor WhatsApp", chat="none"),
    _edge("no-participant-messages", "no participant messages", "tanpa pesan peserta",
          chat="facilitators_only"),
    _edge("nobody-linked", "nobody linked to the roster", "tidak ada pengirim yang cocok",
          chat="unlinked"),
    _edge("no-followup", "no follow-up file", "tanpa berkas tindak lanjut", followup="none"),
    _edge("blank-followup", "a blank follow-up file", "berkas tindak lanjut kosong",
          followup="blank"),
    _edge("ages-missing", "every age missing", "semua usia kosong", ages_missing=True),
)}

# Ten thousand participants: the scale the programme wants to reach (slow to build: used by the
# tests marked slow and by `make bench`).
LARGE = _edge("10000-people", "10,000 participants", "10.000 peserta", n_registered=11000,
              n_enrolled=10000, dropouts_at=None, intermittent_at=None, seed=10000)
