"""Synthetic raw cohort folders, as staff would send them, with known true effects.

No participant data is public, so the demo cohorts, the tests and the power notebook all use this
generator. It is deterministic from a seed. The true effects live in TRUE_EFFECTS and in each
folder's synthetic_truth.json, which tests read and the pipeline never does.

Dropout follows a discrete-time hazard: at each session t >= 2 a participant still in the
programme stops coming with probability logistic(intercept_t + effects), where the effects are age
40 and over, the garment sector, and log(1 + messages posted in the interval before session t).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
import yaml
from faker import Faker

from analysis import features
from analysis.ingest.identity import normalise_phone

TRUE_EFFECTS = {
    "intercept_by_session": {2: -0.9, 3: -3.0, 4: -3.0, 5: -3.0},
    "age_40_plus": 0.9,  # log-odds: the unions' concern about participants over 40
    "garment": 0.7,  # log-odds: the garment sector
    "log1p_messages_before_session": -0.6,  # log-odds per unit of log(1 + messages)
}

# The model terms whose true effect the generator can set (power and simulation studies).
EFFECT_OF_TERM = {
    "age_40_plus": "age_40_plus", "garment": "garment",
    "log_messages_before_session2": "log1p_messages_before_session",
    "np.log1p(messages_before_session2)": "log1p_messages_before_session",
    "log_messages_before_session": "log1p_messages_before_session",
    "np.log1p(messages_before_session)": "log1p_messages_before_session",
}


def generator_effect(term: str) -> str:
    """The generator's effect behind a model term, or a clear error."""
    from analysis.models import ModelSpecError

    if term not in EFFECT_OF_TERM:
        raise ModelSpecError(f"the generator cannot set an effect for `{term}`; it can for "
                             f"{', '.join(EFFECT_OF_TERM)}")
    return EFFECT_OF_TERM[term]


SECTORS = {  # code: (share, raw spellings as union staff type them)
    "garment_textile": (0.40, ["Garmen", "garmen", "Garment", "Tekstil & Garmen", "konveksi ",
                               "GARMEN", "Pabrik garmen"]),
    "footwear_leather": (0.10, ["Sepatu", "Alas kaki", "pabrik sepatu"]),
    "electronics_automotive": (0.15, ["Elektronik", "Otomotif", "komponen otomotif"]),
    "food_processing": (0.10, ["Makanan & Minuman", "makanan dan minuman", "Mamin"]),
    "retail_hospitality": (0.10, ["Ritel", "Hotel", "toko"]),
    "other": (0.15, ["Lainnya", "Logistik", "Kimia", "lain-lain"]),
}
FEDERATION_BY_SECTOR = {
    "garment_textile": ["FSP TSK-SPSI", "fsp tsk", "TSK SPSI"],
    "footwear_leather": ["FSP TSK-SPSI", "TSK"],
    "electronics_automotive": ["FSP LEM-SPSI", "fsp lem", "LEM SPSI"],
    "food_processing": ["FSP RTMM-SPSI", "rtmm"],
    "retail_hospitality": ["FSP PAR-SPSI", "Lainnya"],
    "other": ["FSP KEP-SPSI", "Lainnya", "tidak tahu"],
}
GENDER_SPELLINGS = {"female": ["Perempuan", "P", "perempuan", "Wanita"],
                    "male": ["Laki-laki", "L", "laki laki", "Pria"]}
ATTENDED = ["Hadir", "H", "hadir", "✓"]
ABSENT = ["", "Tidak hadir", "-", "izin"]
PHONE_PREFIXES = ["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858",
                  "0877", "0878", "0895", "0896", "0897", "0881", "0882", "0838"]
PHRASES = [
    "Selamat pagi semua", "Terima kasih materinya bu", "Baik, siap", "Izin bertanya kak",
    "Bagaimana cara upload produk di aplikasi?", "Sudah saya coba, berhasil", "Mantap",
    "Link zoom untuk besok yang mana ya?", "Saya belum bisa login", "Alhamdulillah sudah ada yang pesan",
    "Ongkirnya dihitung otomatis ya?", "Maaf baru baca", "Siap hadir", "Oke kak",
    "Produk apa yang paling laku?", "Komisinya masuk kapan ya?", "Semangat semuanya",
    "Saya share ke grup keluarga", "Terima kasih atas bimbingannya", "Hadir",
]
FACILITATOR_PHRASES = [
    "Selamat pagi Bapak/Ibu, jangan lupa sesi hari ini pukul 09.00",
    "Berikut rangkuman materi hari ini", "Silakan bertanya di grup ini ya",
    "Tugas minggu ini: unggah 3 produk ke toko Anda", "Terima kasih atas partisipasinya",
    "Pengingat: besok sesi berikutnya", "Ada yang sudah mendapat pesanan pertama?",
]


@dataclass
class CohortSpec:
    id: str
    title: dict[str, str]
    place: str
    session_dates: list[dt.date]
    group_start: dt.date
    n_registered: int
    n_enrolled: int
    districts: list[str]  # raw spellings staff use for the cohort's districts
    seed: int
    # Exact dropout counts per session (session -> number who stop coming before it) and
    # intermittent absences (session -> number absent then but back at the end). None: drawn
    # from the hazard model.
    dropouts_at: dict[int, int] | None = None
    intermittent_at: dict[int, int] | None = None
    facilitators: list[str] = field(default_factory=lambda: ["Rina Evermos", "Dimas ILO Jakarta"])
    # Share of saved contacts shown by a nickname ("Bu Sari", "Sari Garmen") that no exact rule
    # links to the roster, and how many people registered twice on the form.
    nickname_share: float = 0.08
    duplicate_registrations: int = 1
    effects: dict = field(default_factory=lambda: TRUE_EFFECTS)
    # For the unhappy cohorts (analysis.edge_cohorts): what the chat export holds ("full",
    # "none": no export, "facilitators_only", "unlinked": participants under names no rule
    # links), the follow-up file ("full", "none", "blank"), ages drawn within age_range, sector
    # shares other than SECTORS', and a roster whose age column was left empty.
    chat: str = "full"
    followup: str = "full"
    age_range: tuple[int, int] = (20, 58)
    sector_shares: dict | None = None
    ages_missing: bool = False
    # Participants' messages a week are drawn around engagement x message_scale (1: the demos);
    # `scale_spec` sets it for a requested number of messages.
    message_scale: float = 1.0


JAKARTA = CohortSpec(
    id="demo-2023-08-jakarta",
    title={"id": "Pelatihan Reseller Digital Promise II Impact — Jakarta, Agustus 2023 (DATA SINTETIS)",
           "en": "Promise II Impact Digital Reseller Training — Jakarta, August 2023 (SYNTHETIC DATA)"},
    place="Jakarta",
    session_dates=[dt.date(2023, 8, 8), dt.date(2023, 8, 15), dt.date(2023, 8, 22)],
    group_start=dt.date(2023, 8, 1),
    n_registered=55,
    n_enrolled=48,
    districts=["Jakarta Utara", "jakut", "Jakarta Timur", "Kab. Bekasi", "bekasi", "Tangerang",
               "Kab Bogor", "Jakarta Barat"],
    seed=20230808,
    # 48 at session 1 -> 30 at session 2 -> 29 at session 3, as the evaluation meeting reported:
    # 17 stop after session 1, one misses session 2 but returns, 2 stop after session 2.
    dropouts_at={2: 17, 3: 2},
    intermittent_at={2: 1},
)

SUKABUMI = CohortSpec(
    id="demo-2023-09-sukabumi",
    title={"id": "Pelatihan Reseller Digital Promise II Impact — Sukabumi, September 2023 (DATA SINTETIS)",
           "en": "Promise II Impact Digital Reseller Training — Sukabumi, September 2023 (SYNTHETIC DATA)"},
    place="Sukabumi",
    session_dates=[dt.date(2023, 9, 12), dt.date(2023, 9, 19), dt.date(2023, 9, 26)],
    group_start=dt.date(2023, 9, 5),
    n_registered=46,
    n_enrolled=41,
    districts=["Kab. Sukabumi", "sukabumi", "Kota Sukabumi", "Cianjur", "cibadak", "Kab Bogor"],
    seed=20230912,
)

DEMO_COHORTS = (JAKARTA, SUKABUMI)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _people(spec: CohortSpec, rng: np.random.Generator, fake: Faker | None) -> pd.DataFrame:
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


def _attendance_and_activity(spec, people, rng):
    """Attendance per session and messages per interval, drawn session by session."""
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
    age40 = (people["age"] >= 40).to_numpy()
    garment = (people["sector"] == "garment_textile").to_numpy()
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


def _display_phone(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164),
                                      phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _spell_phone(e164: str, rng) -> str:
    national = "0" + e164.removeprefix("+62")
    style = rng.integers(5)
    if style == 0:
        return f"{national[:4]}-{national[4:8]}-{national[8:]}"
    if style == 1:
        return _display_phone(e164).replace("-", " ")
    if style == 2:
        return e164.removeprefix("+")
    if style == 3:
        return national
    return f"{national[:4]} {national[4:8]} {national[8:]}"


def _moment(rng, day_from: dt.date, day_to: dt.date) -> dt.datetime:
    """A random minute between 07:00 and 21:59 on a day in [day_from, day_to)."""
    days = max((day_to - day_from).days, 1)
    day = day_from + dt.timedelta(days=int(rng.integers(days)))
    return dt.datetime.combine(day, dt.time(int(rng.integers(7, 22)), int(rng.integers(60))))


def _chat_lines(spec, people, enrolled, messages, dropped_after, boundaries, rng):
    nicknames = [f"{rng.choice(['Bu', 'Pak', 'Kak'])} {name.split()[0]}" if rng.random() < 0.5
                 else f"{name.split()[0]} {spec.place}" for name in people["name"]]
    shown_name = np.where(people["nickname"], nicknames, people["name"])
    sender = np.where(people["saved_contact"], shown_name, people["phone"].map(_display_phone))
    if spec.chat == "unlinked":  # saved under handles no linkage rule can resolve
        sender = np.array([f"Anggota Grup {i + 1}" for i in range(len(people))])
    start = dt.datetime.combine(spec.group_start, dt.time(10, 0))
    lead = spec.facilitators[0]
    events = [(start, 0, "Pesan dan panggilan dienkripsi secara end-to-end. Tidak seorang pun di "
                         "luar chat ini, termasuk WhatsApp, yang dapat membaca atau "
                         "mendengarkannya. Ketuk untuk info selengkapnya."),
              (start, 1, f'{lead} membuat grup "Reseller Digital Promise {spec.place}"'),
              (start, 2, f"{lead} menambahkan {spec.facilitators[1]}")]
    in_group = rng.random(len(people)) < np.where(enrolled, 1.0, 0.7)
    added = in_group & (rng.random(len(people)) < 0.6)
    for i in np.flatnonzero(added):
        events.append((start + dt.timedelta(minutes=5), 3, f"{lead} menambahkan {sender[i]}"))
    for i in np.flatnonzero(in_group & ~added):  # the invite link goes out on the first day
        moment = start + dt.timedelta(minutes=int(rng.integers(10, 600)))
        events.append((moment, 3, f"{sender[i]} bergabung menggunakan tautan undangan grup ini"))
    last_day = boundaries[-1]
    # Participants post from the day after the group opens, once everyone is in.
    posting_from = [boundaries[0] + dt.timedelta(1), *boundaries[1:]]
    posting = in_group if spec.chat != "facilitators_only" else np.zeros(len(people), bool)
    for i in np.flatnonzero(posting):
        for j in range(messages.shape[1]):
            for _ in range(messages[i, j]):
                moment = _moment(rng, posting_from[j], posting_from[j + 1])
                roll = rng.random()
                if roll < 0.15:
                    body = "<Media tidak disertakan>"
                elif roll < 0.17:
                    body = "Pesan ini telah dihapus"
                elif roll < 0.25:
                    body = f"{rng.choice(PHRASES)}\n{rng.choice(PHRASES)}"
                else:
                    body = str(rng.choice(PHRASES))
                events.append((moment, 5, f"{sender[i]}: {body}"))
        # Some who stop coming also leave the group: a dropout signal the export keeps.
        leaves = (not enrolled[i] and rng.random() < 0.3) or (dropped_after[i] and rng.random() < 0.4)
        if leaves:
            # after the first session they miss, so the interval counts stay as drawn
            after = boundaries[int(dropped_after[i]) + 1] if dropped_after[i] else boundaries[1]
            events.append((_moment(rng, after, last_day), 6, f"{sender[i]} keluar"))
    for day in pd.date_range(spec.group_start, last_day, freq="D"):
        for _ in range(int(rng.poisson(4.0))):
            who = spec.facilitators[int(rng.integers(len(spec.facilitators)))]
            moment = _moment(rng, day.date(), day.date() + dt.timedelta(1))
            events.append((moment, 4, f"{who}: {rng.choice(FACILITATOR_PHRASES)}"))
    events.sort(key=lambda e: (e[0], e[1]))
    # A message posted after its author left would be impossible: drop such draws.
    left_at = {e[2].removesuffix(" keluar"): e[0] for e in events if e[2].endswith(" keluar")}
    lines = []
    for moment, _, body in events:
        author = body.split(": ", 1)[0] if ": " in body else None
        if author in left_at and moment > left_at[author]:
            continue
        lines.append(f"{moment:%d/%m/%y %H.%M} - {body}")
    return "\n".join(lines) + "\n", sender


def _roster(spec, people, rng) -> pd.DataFrame:
    s1 = spec.session_dates[0]
    ages = []
    for age in people["age"]:
        roll = rng.random()
        ages.append(str(s1.year - age) if roll < 0.08 else f"{age} tahun" if roll < 0.2 else str(age))
    submitted = sorted(_moment(rng, spec.group_start - dt.timedelta(14), spec.group_start)
                       for _ in range(len(people)))
    order = rng.permutation(len(people))
    roster = pd.DataFrame({
        "Cap waktu": [f"{m:%d/%m/%Y %H:%M:%S}" for m in submitted],
        "Nama Lengkap": people["name"].to_numpy()[order],
        "No. HP / WhatsApp": [_spell_phone(p, rng) for p in people["phone"].to_numpy()[order]],
        "Usia (tahun)": [""] * len(order) if spec.ages_missing else np.array(ages)[order],
        "Jenis Kelamin": [rng.choice(GENDER_SPELLINGS[g]) for g in people["gender"].to_numpy()[order]],
        "Sektor Pekerjaan Sebelumnya": [rng.choice(SECTORS[s][1])
                                        for s in people["sector"].to_numpy()[order]],
        "Federasi Serikat Pekerja": [rng.choice(FEDERATION_BY_SECTOR[s])
                                     for s in people["sector"].to_numpy()[order]],
        "Kabupaten/Kota Domisili": people["district"].to_numpy()[order],
        "Apakah Anda penyandang disabilitas?": np.where(people["disability"].to_numpy()[order],
                                                       "Ya", "Tidak"),
        "Status Pekerjaan": np.where(people["employment_status"].to_numpy()[order] == "laid_off",
                                     "Sudah di-PHK", "Terancam PHK"),
    })
    # Someone fills in the form twice, days later, spelling the phone another way.
    twice = roster.iloc[rng.choice(len(roster), size=spec.duplicate_registrations, replace=False)]
    twice = twice.assign(**{"Cap waktu": f"{spec.group_start - dt.timedelta(1):%d/%m/%Y} 19:02:11"})
    twice["No. HP / WhatsApp"] = [_spell_phone(normalise_phone(p), rng) for p in twice["No. HP / WhatsApp"]]
    return pd.concat([roster, twice], ignore_index=True)


def _attendance(spec, people, attended, rng) -> pd.DataFrame:
    table = {"Nama": people["name"], "No HP": [_spell_phone(p, rng) for p in people["phone"]]}
    for t, day in enumerate(spec.session_dates, start=1):
        table[f"Sesi {t} ({day:%d/%m})"] = [rng.choice(ATTENDED) if a else rng.choice(ABSENT)
                                            for a in attended[:, t - 1]]
    return pd.DataFrame(table).sample(frac=1, random_state=int(rng.integers(2**31)))


def _followup(people, enrolled, attended, rng) -> pd.DataFrame:
    completed = attended[:, -1]
    rows = np.flatnonzero(enrolled)
    bpjstk = rng.random(len(rows)) < np.where(completed[rows], 0.45, 0.2)
    active = rng.random(len(rows)) < np.where(completed[rows], 0.5, 0.1)
    return pd.DataFrame({
        "No HP": [_spell_phone(p, rng) for p in people["phone"].to_numpy()[rows]],
        "Terdaftar BPJSTK": np.where(bpjstk, rng.choice(["Ya", "Sudah"], len(rows)),
                                     rng.choice(["Tidak", "Belum"], len(rows))),
        "Aktif sebagai reseller Evermos": np.where(active, "Ya", "Tidak"),
    })


def _attributes(people: pd.DataFrame, index: np.ndarray) -> dict:
    return {"age": pd.array(people["age"].to_numpy()[index], dtype="Int64"),
            "sector": people["sector"].to_numpy()[index],
            "gender": people["gender"].to_numpy()[index],
            "disability": people["disability"].to_numpy()[index],
            "employment_status": people["employment_status"].to_numpy()[index]}


def simulate_person_period(spec: CohortSpec, rng: np.random.Generator) -> pd.DataFrame:
    """The generator's dropout process without writing files: the person-period table the
    pipeline would build (no names, no chat), model-ready, for simulation studies and power."""
    people = _people(spec, rng, None)
    enrolled, attended, messages, dropped_after, _ = _attendance_and_activity(spec, people, rng)
    rows = []
    last = len(spec.session_dates)
    for t in range(2, last + 1):
        at_risk = enrolled & ((dropped_after == 0) | (dropped_after >= t - 1))
        index = np.flatnonzero(at_risk)
        rows.append(pd.DataFrame({
            "participant_id": index, "session": t,
            "dropout": dropped_after[index] == t - 1,
            "messages_before_session": messages[index, t - 1], **_attributes(people, index)}))
    return features.model_ready(features.derived_columns(pd.concat(rows, ignore_index=True)))


def simulate_participants(spec: CohortSpec, rng: np.random.Generator) -> pd.DataFrame:
    """One row per enrolled participant, model-ready, as the participant-level model sees them."""
    people = _people(spec, rng, None)
    enrolled, attended, messages, _, _ = _attendance_and_activity(spec, people, rng)
    index = np.flatnonzero(enrolled)
    table = pd.DataFrame({
        "participant_id": index, "enrolled": True, "dropout": ~attended[enrolled, -1],
        "completed": attended[enrolled, -1],
        "messages_before_session2": messages[enrolled, :2].sum(axis=1),
        **_attributes(people, index)})
    return features.participant_frame(features.derived_columns(table))


def generate_cohort(spec: CohortSpec, out_dir: str | Path) -> Path:
    """Write a complete raw cohort folder for `spec` under out_dir/<id>/ and return it."""
    rng = np.random.default_rng(spec.seed)
    fake = Faker("id_ID")
    fake.seed_instance(spec.seed)
    people = _people(spec, rng, fake)
    enrolled, attended, messages, dropped_after, boundaries = _attendance_and_activity(
        spec, people, rng)
    folder = Path(out_dir) / spec.id
    (folder / "whatsapp").mkdir(parents=True, exist_ok=True)
    cohort = {
        "id": spec.id,
        "synthetic": True,
        "title": spec.title,
        "place": spec.place,
        "language": "id",
        "sessions": [{"number": i, "date": d.isoformat()}
                     for i, d in enumerate(spec.session_dates, start=1)],
        "facilitators": spec.facilitators,
        "whatsapp": {"date_order": "day_first"},
    }
    header = (f"# SYNTHETIC DATA made by analysis.synthetic (seed {spec.seed}): no real person is in this\n"
              "# folder. Regenerate with `make data`.\n")
    (folder / "cohort.yml").write_text(header + yaml.safe_dump(cohort, allow_unicode=True,
                                                               sort_keys=False), encoding="utf-8")
    _roster(spec, people, rng).to_csv(folder / "roster.csv", index=False)
    _attendance(spec, people, attended, rng).to_csv(folder / "attendance.csv", index=False)
    followup = _followup(people, enrolled, attended, rng)
    if spec.followup == "blank":
        followup.iloc[:, 1:] = ""
    if spec.followup != "none":
        followup.to_csv(folder / "followup.csv", index=False)
    chat, shown_as = _chat_lines(spec, people, enrolled, messages, dropped_after, boundaries, rng)
    if spec.chat != "none":
        (folder / "whatsapp" / "chat.txt").write_text(chat, encoding="utf-8")
    else:
        (folder / "whatsapp").rmdir()
    # Staff resolved some of the nicknames no rule can link ("Sari Sukabumi") by hand.
    nicknamed = np.flatnonzero(people["saved_contact"] & people["nickname"] &
                               pd.Series(shown_as).str.endswith(spec.place).to_numpy())
    resolved = nicknamed[: len(nicknamed) // 2]
    if len(resolved):
        pd.DataFrame({"Nama di WhatsApp": shown_as[resolved],
                      "No HP peserta": [_spell_phone(p, rng) for p in people["phone"].iloc[resolved]]}
                     ).to_csv(folder / "linkage_overrides.csv", index=False)
    truth = {
        "seed": spec.seed,
        "effects": {k: v for k, v in spec.effects.items() if k != "intercept_by_session"},
        "intercept_by_session": {str(k): v for k, v in spec.effects["intercept_by_session"].items()
                                 if k <= len(spec.session_dates)},
        "registered": int(len(people)),
        "attended_by_session": [int(c) for c in attended.sum(axis=0)],
        "dropouts": int((enrolled & ~attended[:, -1]).sum()),
    }
    (folder / "synthetic_truth.json").write_text(json.dumps(truth, indent=2) + "\n",
                                                 encoding="utf-8")
    return folder


def scale_spec(participants: int, messages: int | None = None, cohort_id: str | None = None,
               seed: int = 10_000) -> CohortSpec:
    """A cohort of any size for scale tests: `participants` at session 1 (one in eleven
    registrants a no-show, as in the demos), dropout drawn from the true hazard, and about
    `messages` participant messages in the chat (None: the demos' rate)."""
    if participants < 5:
        raise ValueError(f"--participants {participants}: expected at least 5")
    spec = dataclasses.replace(
        SUKABUMI, id=cohort_id or f"scale-{participants}", seed=seed,
        n_registered=participants + max(1, participants // 10), n_enrolled=participants,
        dropouts_at=None, intermittent_at=None,
        title={"id": f"Kohort skala: {participants:,} peserta (DATA SINTETIS)".replace(",", "."),
               "en": f"Scale cohort: {participants:,} participants (SYNTHETIC DATA)"})
    if messages is None:
        return spec
    if messages < 0:
        raise ValueError(f"--messages {messages}: expected a number of messages, 0 or more")
    # The rate is linear in message_scale: draw once at 1, then scale to the number asked for.
    rng = np.random.default_rng(spec.seed)
    fake = Faker("id_ID")
    fake.seed_instance(spec.seed)
    people = _people(spec, rng, fake)
    drawn = _attendance_and_activity(spec, people, rng)[2].sum()
    return dataclasses.replace(spec, message_scale=messages / max(int(drawn), 1))
