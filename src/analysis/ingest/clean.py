"""Raw cohort folder -> pseudonymous processed tables, quality accounting and a PII quarantine.

PII stops here: names, phone numbers and message text go no further than data/interim/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import features
from analysis.errors import InputError, collecting, problems_found
from analysis.ingest import chat, roster, schema
from analysis.ingest import quality as data_quality
from analysis.ingest.cohort import Cohort, load_cohort
from analysis.ingest.identity import load_key, pseudonym
from analysis.ingest.linkage import link_senders, linkage_summary, read_overrides
from analysis.ingest.tables import file_sha256
from analysis.outputs import atomic_write, write_json


@dataclass
class CleanedCohort:
    cohort: Cohort
    participants: pd.DataFrame
    person_period: pd.DataFrame
    activity: pd.DataFrame
    responsiveness: pd.DataFrame
    quality: dict
    quarantine: pd.DataFrame  # PII
    unmatched_senders: pd.DataFrame  # PII
    chat_people: list[str]  # PII: every sender and every person joining or leaving, once


def _chat_exports(cohort: Cohort, found, ledger: roster.Ledger) -> list[pd.DataFrame]:
    """Each WhatsApp export parsed, its records counted in (one frame per export)."""
    frames = []
    for export in found.exports:
        label = export.label(cohort.raw_dir)
        frame = chat.parse_export(export, cohort.chat_date_order)
        frame["file"] = label
        ledger.count_in(label, len(frame))
        ledger.files[label]["merged"] = 0
        frames.append(frame)
    return frames


def _merged_chat(frames: list[pd.DataFrame], links: pd.DataFrame, ledger: roster.Ledger):
    """The exports as one chat, each message once: senders resolved to the people they were
    linked to first, so that two phones naming one sender differently still agree."""
    if not frames:  # the report says activity could not be measured
        return chat.no_records()
    person = links["phone_e164"].where(links["role"] == "participant",
                                       links["role"].where(links["role"] == "facilitator"))
    identity = dict(zip(links["sender"], person.fillna(links["sender"]), strict=True))
    records, repeats = chat.merge_exports(frames, identity)
    for file, n in repeats.groupby("file").size().items():
        ledger.files[file]["merged"] += int(n)
    for file, n in records.groupby("file").size().items():
        ledger.keep(file, int(n))
    return records


def clean_cohort(raw_dir: str | Path, response_window_hours: float = 24) -> CleanedCohort:
    """Raw folder -> cleaned tables. Every problem the raw files have is reported at once (one
    error, or all of them, each naming file, row and column), so staff fix a file only once.
    `response_window_hours`: a participant message is answered when a facilitator writes
    within this many hours after it."""
    with collecting() as problems:
        try:
            cleaned = read_cohort(raw_dir, response_window_hours=response_window_hours)
        except InputError as error:  # one that stops the reading of its file
            problems.append(error)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputError(raw_dir, f"{len(problems)} problems in the raw files:\n" + "\n".join(
            f"  {p}" for p in sorted_problems(problems)))
    return cleaned


def sorted_problems(problems: list[InputError]) -> list[str]:
    """Once each, by file, then row."""
    unique = {str(p): p for p in problems}.values()
    return [str(p) for p in sorted(unique, key=lambda p: (p.file, p.row or 0, p.line or 0,
                                                          p.column or ""))]


def read_cohort(raw_dir: str | Path, ledger: roster.Ledger | None = None,
                response_window_hours: float = 24) -> CleanedCohort | None:
    """The cleaning itself; outside `collecting()` the first problem raises. `ledger` lets a
    check read what was quarantined even when the cleaning could not finish."""
    cohort = load_cohort(raw_dir)
    try:
        key = load_key(cohort.synthetic)
    except KeyError as exc:
        raise InputError(cohort.raw_dir / "cohort.yml", exc.args[0]) from None
    ledger = ledger if ledger is not None else roster.Ledger()
    people = roster.clean_roster(cohort, ledger)
    attendance = roster.clean_attendance(cohort, people, ledger)
    followup = roster.clean_followup(cohort, people, ledger)
    found = cohort.found_files()
    frames = _chat_exports(cohort, found, ledger)
    if problems_found():  # a check collecting every problem: nothing sound to build on
        return None

    # Everyone every export names, linked once; then the exports merged through those links.
    every = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (
        frames[0] if frames else chat.no_records())
    names = chat.chat_people(every)
    del every
    overrides_file = cohort.raw_dir / "linkage_overrides.csv"
    overrides = read_overrides(overrides_file)
    if overrides_file.exists():
        ledger.count_in(overrides_file.name, len(overrides))
        ledger.keep(overrides_file.name, len(overrides))
    links = link_senders(names, people, cohort.facilitators, overrides)
    records = _merged_chat(frames, links, ledger)
    del frames
    membership = chat.membership_events(records)
    # what the features need of each message: when, what kind, who (no text: millions of
    # strings copied at every filter otherwise)
    posts = records.loc[records["kind"] != "system", ["timestamp", "kind", "sender"]]
    system_events = len(records) - len(posts)
    del records  # the texts: the largest table of a big cohort, not needed from here on
    by_sender = links.set_index("sender")
    posts = _with_sender_links(posts, "sender", by_sender)
    membership = membership.join(by_sender[["role", "phone_e164"]], on="person")

    if not response_window_hours > 0:
        raise InputError("01_clean.ipynb", f"response_window_hours = {response_window_hours}: "
                         "expected a number of hours above 0 (e.g. 24)")
    delays = features.response_delays(posts, response_window_hours)
    table = features.participants_table(people, attendance, followup, posts, membership,
                                        cohort.session_dates, delays)
    stop_reasons = data_quality.stop_reason_record(ledger.stop_reasons, followup, table)
    person_period = features.person_period_table(table, posts, membership, cohort.session_dates,
                                                 delays)
    ids = pd.Series({phone: pseudonym(phone, key) for phone in people["phone_e164"]}, dtype=str)
    by_sender["who"] = by_sender["phone_e164"].map(ids).fillna(by_sender["role"])
    posts = _with_sender_links(posts, "sender", by_sender[["who"]])
    participants = _pseudonymise(table, ids).sort_values("participant_id").reset_index(drop=True)
    person_period = _pseudonymise(person_period, ids).sort_values(
        ["participant_id", "session"]).reset_index(drop=True)
    activity = features.activity_table(posts).sort_values(["who", "date"]).reset_index(drop=True)
    responsiveness = features.weekly_responsiveness(delays, cohort.session_dates[0])
    schema.participants_schema(cohort.n_sessions).validate(participants)
    schema.PERSON_PERIOD.validate(person_period)
    ledger.check_balanced()

    unmatched = posts[posts["role"] == "unmatched"].groupby("sender").size().rename("messages")
    quality = {
        "cohort": cohort.id,
        "files": ledger.files,
        "raw_file_sha256": {str(p.relative_to(cohort.raw_dir)): file_sha256(p)
                            for p in sorted(cohort.raw_dir.rglob("*")) if p.is_file()
                            and p.name != "synthetic_truth.json"},
        "duplicates": ledger.duplicates,
        "linkage": linkage_summary(links),
        "responsiveness": {"window_hours": response_window_hours},
        "stop_reasons": stop_reasons,
        "chat": {
            "exports": len(found.exports),
            "media_files": found.media,
            "unused_files": len(found.unused),
            "messages": int(len(posts)),
            "system_events": system_events,
            "participant_messages": int((posts["role"] == "participant").sum()),
            "facilitator_messages": int((posts["role"] == "facilitator").sum()),
            "unmatched_messages": int((posts["role"] == "unmatched").sum()),
        },
    }
    quality["summary"] = data_quality.summary(quality, cohort.quality)
    return CleanedCohort(cohort, participants, person_period, activity, responsiveness, quality,
                         pd.DataFrame(ledger.quarantine), unmatched.reset_index(),
                         sorted(set(names.dropna())))


def _with_sender_links(frame: pd.DataFrame, on: str, by_sender: pd.DataFrame) -> pd.DataFrame:
    """`frame.join(by_sender, on=on)` for millions of messages from thousands of senders: each
    distinct sender looked up once, the columns spread by position."""
    codes, senders = pd.factorize(frame[on])  # -1: no sender, nothing to look up
    looked_up = by_sender.reindex(senders)
    return frame.assign(**{c: pd.Series(looked_up[c].array.take(codes, allow_fill=True),
                                        index=frame.index) for c in by_sender.columns})


def _pseudonymise(frame: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    result = frame.copy()
    result.insert(0, "participant_id", result.pop("phone_e164").map(ids))
    return result


def write_outputs(cleaned: CleanedCohort, processed_dir: Path, interim_dir: Path) -> None:
    processed_dir, interim_dir = Path(processed_dir), Path(interim_dir)
    tables = {"participants": cleaned.participants, "person_period": cleaned.person_period,
              "activity": cleaned.activity, "responsiveness": cleaned.responsiveness}
    for name, frame in tables.items():
        atomic_write(processed_dir / f"{name}.parquet",
                     lambda p, f=frame: f.to_parquet(p, index=False))
    write_json(processed_dir / "quality.json", cleaned.quality, sort_keys=True)
    write_json(processed_dir / "cohort.json", cleaned.cohort.public_metadata())
    # PII for a person to resolve by hand: gitignored, never shared.
    atomic_write(interim_dir / "quarantine.csv", lambda p: cleaned.quarantine.to_csv(p, index=False))
    atomic_write(interim_dir / "unmatched_senders.csv",
                 lambda p: cleaned.unmatched_senders.to_csv(p, index=False))
    # for the leak check, which would otherwise parse the whole chat again (privacy/leaks.py)
    atomic_write(interim_dir / chat.CHAT_PEOPLE,
                 lambda p: pd.DataFrame({"person": cleaned.chat_people}).to_csv(p, index=False))


def accounting_table(quality: dict) -> pd.DataFrame:
    """Rows in, kept and quarantined per raw file, with the identity checked per row."""
    table = pd.DataFrame([{"file": f, **{k: v for k, v in e.items() if k != "reasons"},
                           "reasons": "; ".join(f"{r}: {n}" for r, n in e["reasons"].items())}
                          for f, e in quality["files"].items()])
    table["balanced"] = table["rows_in"] == table["kept"] + table["quarantined"]
    return table
