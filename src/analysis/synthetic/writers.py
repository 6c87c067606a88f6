"""The generator's raw files, as union staff send them: roster, attendance, follow-up, the chat.

Why a module of its own: what changes here is how the files look (a column header, a spelling,
a phone written with dashes), never who drops out (process) or the settings (specs). It draws
the people and their dropouts from process, then writes them messily, so that the pipeline's
reading is tested on files like real ones. The WhatsApp lines themselves are written by
chat_formats, the one writer of them. Everything is deterministic from the cohort's seed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from faker import Faker

from analysis.ingest.identity import normalise_phone
from analysis.synthetic.chat_formats import (
    ENCRYPTION_TAP_FOR_MORE,
    ExportFormat,
    display_phone,
    render_export,
)
from analysis.synthetic.process import (
    STOP_REASON_STREAM,
    draw_attendance_and_activity,
    draw_people,
    draw_stop_reasons,
)
from analysis.synthetic.specs import (
    ABSENT,
    ATTENDED,
    FACILITATOR_PHRASES,
    FEDERATION_BY_SECTOR,
    GENDER_SPELLINGS,
    PHRASES,
    SECTORS,
    STOP_REASONS,
    SUKABUMI,
    CohortSpec,
)

CHAT_FORMAT = ExportFormat("android", "id", 24, "%d/%m/%y")  # an Indonesian Android phone


def _spell_phone(e164: str, rng) -> str:
    national = "0" + e164.removeprefix("+62")
    style = rng.integers(5)
    if style == 0:
        return f"{national[:4]}-{national[4:8]}-{national[8:]}"
    if style == 1:
        return display_phone(e164).replace("-", " ")
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


def _system(moment, event, actor=None, target=None) -> tuple:
    """A system line as chat_formats.render_export takes it."""
    return (moment, "system", None, None, event, actor, target)


def _post(moment, kind, sender, text=None) -> tuple:
    """A message (text, media or deleted) as chat_formats.render_export takes it."""
    return (moment, kind, sender, text, None, None, None)


def _chat(spec, people, enrolled, messages, dropped_after, boundaries, rng):
    """The group's WhatsApp export and how each person is shown in it (name, nickname, number)."""
    nicknames = [f"{rng.choice(['Bu', 'Pak', 'Kak'])} {name.split()[0]}" if rng.random() < 0.5
                 else f"{name.split()[0]} {spec.place}" for name in people["name"]]
    shown_name = np.where(people["nickname"], nicknames, people["name"])
    sender = np.where(people["saved_contact"], shown_name, people["phone"].map(display_phone))
    if spec.chat == "unlinked":  # saved under handles no linkage rule can resolve
        sender = np.array([f"Anggota Grup {i + 1}" for i in range(len(people))])
    group = f"Reseller Digital Promise {spec.place}"
    start = dt.datetime.combine(spec.group_start, dt.time(10, 0))
    lead = spec.facilitators[0]
    # (moment, order among lines of the same minute, the line as render_export takes it)
    events = [(start, 0, _system(start, "encryption")),
              (start, 1, _system(start, "created", lead)),
              (start, 2, _system(start, "added", lead, spec.facilitators[1]))]
    in_group = rng.random(len(people)) < np.where(enrolled, 1.0, 0.7)
    added = in_group & (rng.random(len(people)) < 0.6)
    for i in np.flatnonzero(added):
        moment = start + dt.timedelta(minutes=5)
        events.append((moment, 3, _system(moment, "added", lead, sender[i])))
    for i in np.flatnonzero(in_group & ~added):  # the invite link goes out on the first day
        moment = start + dt.timedelta(minutes=int(rng.integers(10, 600)))
        events.append((moment, 3, _system(moment, "joined", sender[i])))
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
                    post = _post(moment, "media", sender[i])
                elif roll < 0.17:
                    post = _post(moment, "deleted", sender[i])
                elif roll < 0.25:
                    post = _post(moment, "text", sender[i],
                                 f"{rng.choice(PHRASES)}\n{rng.choice(PHRASES)}")
                else:
                    post = _post(moment, "text", sender[i], str(rng.choice(PHRASES)))
                events.append((moment, 5, post))
        # Some who stop coming also leave the group: a dropout signal the export keeps.
        leaves = (not enrolled[i] and rng.random() < 0.3) or (dropped_after[i] and rng.random() < 0.4)
        if leaves:
            # after the first session they miss, so the interval counts stay as drawn (and
            # nobody has left the group before a session they are still at risk for)
            after = boundaries[int(dropped_after[i]) + 1] if dropped_after[i] else boundaries[1]
            moment = _moment(rng, after, last_day)
            events.append((moment, 6, _system(moment, "left", sender[i])))
    for day in pd.date_range(spec.group_start, last_day, freq="D"):
        for _ in range(int(rng.poisson(4.0))):
            who = spec.facilitators[int(rng.integers(len(spec.facilitators)))]
            moment = _moment(rng, day.date(), day.date() + dt.timedelta(1))
            events.append((moment, 4, _post(moment, "text", who, str(rng.choice(FACILITATOR_PHRASES)))))
    events.sort(key=lambda e: (e[0], e[1]))
    # A message posted after its author left would be impossible: drop such draws.
    left_at = {line[5]: moment for moment, _, line in events
               if line[1] == "system" and line[4] == "left"}
    kept = [line for moment, _, line in events
            if line[1] == "system" or line[2] not in left_at or moment <= left_at[line[2]]]
    return render_export(kept, CHAT_FORMAT, group, wording=ENCRYPTION_TAP_FOR_MORE), sender


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


def _followup(spec, people, enrolled, attended, rng) -> pd.DataFrame:
    completed = attended[:, -1]
    rows = np.flatnonzero(enrolled)
    bpjstk = rng.random(len(rows)) < np.where(completed[rows], 0.45, 0.2)
    active = rng.random(len(rows)) < np.where(completed[rows], 0.5, 0.1)
    # why dropouts stopped: drawn and spelt from a stream of their own, so that every other
    # cell (and every later draw of `rng`) is what it was before the column was added
    reasons_rng = np.random.default_rng([spec.seed, STOP_REASON_STREAM])
    reasons = draw_stop_reasons(spec, ~completed[rows], reasons_rng)
    return pd.DataFrame({
        "No HP": [_spell_phone(p, rng) for p in people["phone"].to_numpy()[rows]],
        "Terdaftar BPJSTK": np.where(bpjstk, rng.choice(["Ya", "Sudah"], len(rows)),
                                     rng.choice(["Tidak", "Belum"], len(rows))),
        "Aktif sebagai reseller Evermos": np.where(active, "Ya", "Tidak"),
        "Alasan berhenti": ["" if code is None else
                            str(reasons_rng.choice(STOP_REASONS.get(code, (0, [code]))[1]))
                            for code in reasons],
    })


def generate_cohort(spec: CohortSpec, out_dir: str | Path) -> Path:
    """Write a complete raw cohort folder for `spec` under out_dir/<id>/ and return it."""
    rng = np.random.default_rng(spec.seed)
    fake = Faker("id_ID")
    fake.seed_instance(spec.seed)
    people = draw_people(spec, rng, fake)
    enrolled, attended, messages, dropped_after, boundaries = draw_attendance_and_activity(
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
    followup = _followup(spec, people, enrolled, attended, rng)
    if spec.followup == "blank":
        followup.iloc[:, 1:] = ""
    if spec.followup != "none":
        followup.to_csv(folder / "followup.csv", index=False)
    chat, shown_as = _chat(spec, people, enrolled, messages, dropped_after, boundaries, rng)
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
    people = draw_people(spec, rng, fake)
    drawn = draw_attendance_and_activity(spec, people, rng)[2].sum()
    return dataclasses.replace(spec, message_scale=messages / max(int(drawn), 1))
