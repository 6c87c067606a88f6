"""A cohort's facts, read from data/raw/<cohort>/cohort.yml: the one source for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import InputError

REQUIRED = ("id", "title", "place", "sessions")


@dataclass(frozen=True)
class Cohort:
    id: str
    title: dict[str, str]
    place: str
    session_dates: tuple[dt.date, ...]
    raw_dir: Path
    synthetic: bool = False
    facilitators: tuple[str, ...] = ()
    language: str = "id"
    roster_file: str = "roster.csv"
    attendance_file: str = "attendance.csv"
    followup_file: str | None = "followup.csv"
    chat_date_order: str | None = None  # "day_first" | "month_first" | None (infer)
    analysis: dict = field(default_factory=dict)  # this cohort's notebook parameters (models)
    extra: dict = field(default_factory=dict)

    @property
    def n_sessions(self) -> int:
        return len(self.session_dates)

    @property
    def chat_files(self) -> list[Path]:
        return sorted((self.raw_dir / "whatsapp").glob("*.txt"))

    def public_metadata(self) -> dict:
        """What may travel past cleaning: no staff names or phones."""
        return {
            "id": self.id,
            "title": dict(self.title),
            "place": self.place,
            "session_dates": [d.isoformat() for d in self.session_dates],
            "synthetic": self.synthetic,
            "language": self.language,
            "analysis": dict(self.analysis),
        }


def _date(value, file, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(file, f"{where}: '{value}' is not a date (expected YYYY-MM-DD)") from None


def load_cohort(raw_dir: str | Path) -> Cohort:
    raw_dir = Path(raw_dir)
    file = raw_dir / "cohort.yml"
    if not file.exists():
        raise InputError(file, "not found: every cohort folder needs a cohort.yml (see README)")
    try:
        spec = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(file, f"is not valid YAML ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(spec, dict):
        raise InputError(file, "must be a mapping of fields (id, title, place, sessions, ...)")
    missing = [k for k in REQUIRED if k not in spec]
    if missing:
        raise InputError(file, f"missing field(s): {', '.join(missing)}")
    if str(spec["id"]) != raw_dir.name:
        raise InputError(file, f"id '{spec['id']}' differs from the folder name '{raw_dir.name}'")
    title = spec["title"]
    if not (isinstance(title, dict) and {"id", "en"} <= set(title)):
        raise InputError(file, "title must give both languages: title: {id: ..., en: ...}")
    sessions = spec["sessions"]
    if not isinstance(sessions, list) or not sessions:
        raise InputError(file, "sessions must list the session dates (at least one)")
    dates = []
    for i, s in enumerate(sessions, start=1):
        value = s.get("date") if isinstance(s, dict) else s
        dates.append(_date(value, file, f"session {i}"))
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise InputError(file, "session dates must be distinct and in order")
    chat = spec.get("whatsapp") or {}
    order = chat.get("date_order")
    if order not in (None, "day_first", "month_first"):
        raise InputError(file, f"whatsapp.date_order '{order}': expected day_first or month_first")
    language = spec.get("language", "id")
    if language not in ("id", "en"):
        raise InputError(file, f"language '{language}': expected id or en")
    files = spec.get("files") or {}
    analysis = spec.get("analysis") or {}
    if not isinstance(analysis, dict):
        raise InputError(file, "analysis must be a mapping of notebook parameters, e.g. "
                         "analysis: {participant_formula: \"dropout ~ age + C(federation)\"}")
    known = set(REQUIRED) | {"synthetic", "facilitators", "language", "whatsapp", "files",
                             "analysis"}
    return Cohort(
        id=str(spec["id"]),
        title={"id": str(title["id"]), "en": str(title["en"])},
        place=str(spec["place"]),
        session_dates=tuple(dates),
        raw_dir=raw_dir,
        synthetic=bool(spec.get("synthetic", False)),
        facilitators=tuple(str(f) for f in spec.get("facilitators") or ()),
        language=language,
        roster_file=files.get("roster", "roster.csv"),
        attendance_file=files.get("attendance", "attendance.csv"),
        followup_file=files.get("followup", "followup.csv"),
        chat_date_order=order,
        analysis=analysis,
        extra={k: v for k, v in spec.items() if k not in known},
    )
