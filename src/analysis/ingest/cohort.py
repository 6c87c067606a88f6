"""A cohort's facts, read from data/raw/<cohort>/cohort.yml: the one source for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.errors import InputError
from analysis.ingest.chat_files import Found, find_exports
from analysis.ingest.dates import parse_date, parse_dates
from analysis.ingest.tables import find_table, sheet_of

REQUIRED = ("id", "title", "place", "sessions")
# A value `make cohort` leaves for staff to fill (analysis.ingest.new_cohort): "ISI: judul kohort / FILL
# IN: cohort title". Any string value starting with it (any case) is refused, naming its field.
PLACEHOLDER = "ISI:"
# The build warns when fewer participant messages than this share link to the roster, or when
# more raw rows than this share are quarantined (cohort.yml `quality:` overrides either).
QUALITY_DEFAULTS = {"min_linked_message_share": 0.9, "max_quarantined_share": 0.1}


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
    files: dict = field(default_factory=dict)  # cohort.yml `files:`: a table's file (and sheet)
    chat_date_order: str | None = None  # "day_first" | "month_first" | None (infer)
    analysis: dict = field(default_factory=dict)  # this cohort's notebook parameters (models)
    quality: dict = field(default_factory=dict)  # the data-quality warning thresholds
    extra: dict = field(default_factory=dict)

    @property
    def n_sessions(self) -> int:
        return len(self.session_dates)

    def table_file(self, table: str) -> Path | None:
        """The raw file of "roster", "attendance", "followup": named in `files:`, else the one
        `<table>.*` in the folder (None: there is none)."""
        return find_table(self.raw_dir, table, self.files.get(table))

    def table_sheet(self, table: str) -> str | None:
        return sheet_of(self.files.get(table))

    def found_files(self) -> Found:
        """The WhatsApp exports (txt or zipped, any name), the media beside them and the files
        nothing reads (analysis.ingest.chat_files)."""
        tables = [p for p in (self.table_file(t) for t in ("roster", "attendance", "followup"))
                  if p is not None] + [self.raw_dir / "linkage_overrides.csv"]
        return find_exports(self.raw_dir, tables)

    @property
    def chat_files(self) -> list:
        return self.found_files().exports

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
    """One date as people write it (2023-08-08, 8/8/2023, 8 Agustus 2023): analysis.ingest.dates."""
    return parse_date(value, file, where)


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
    unfilled, todo = [], [("", spec)]
    while todo:  # every value, depth first in file order: name each field still a placeholder
        where, value = todo.pop(0)
        if isinstance(value, dict):
            todo[:0] = [(f"{where}.{k}" if where else str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            todo[:0] = [(f"{where}.{i}", v) for i, v in enumerate(value, start=1)]
        elif isinstance(value, str) and value.strip().upper().startswith(PLACEHOLDER):
            unfilled.append(where)
    if unfilled:
        raise InputError(file, f"belum diisi / still to fill in: {', '.join(unfilled)} "
                         f"(ganti teks / replace the text \"{PLACEHOLDER} ...\")")
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
    # read together: one 15/08/2023 makes 08/09/2023 day-first (analysis.ingest.dates)
    dates = parse_dates([s.get("date") if isinstance(s, dict) else s for s in sessions], file,
                        [f"session {i}" for i in range(1, len(sessions) + 1)])
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
    unknown_tables = sorted(set(files) - {"roster", "attendance", "followup"}) \
        if isinstance(files, dict) else None
    if unknown_tables is None or unknown_tables:
        raise InputError(file, "files: expected a mapping of roster, attendance and followup to "
                         "file names (e.g. files: {roster: peserta.xlsx})"
                         + (f"; unknown: {', '.join(unknown_tables)}" if unknown_tables else ""))
    quality = {**QUALITY_DEFAULTS, **(spec.get("quality") or {})}
    for key, value in quality.items():
        if key not in QUALITY_DEFAULTS:
            raise InputError(file, f"quality.{key}: unknown setting; known: "
                             f"{', '.join(QUALITY_DEFAULTS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise InputError(file, f"quality.{key}: '{value}' is not a share between 0 and 1 "
                             f"(e.g. {QUALITY_DEFAULTS[key]})")
    analysis = spec.get("analysis") or {}
    if not isinstance(analysis, dict):
        raise InputError(file, "analysis must be a mapping of notebook parameters, e.g. "
                         "analysis: {participant_formula: \"dropout ~ age + C(federation)\"}")
    known = set(REQUIRED) | {"synthetic", "facilitators", "language", "whatsapp", "files",
                             "analysis", "quality"}
    return Cohort(
        id=str(spec["id"]),
        title={"id": str(title["id"]), "en": str(title["en"])},
        place=str(spec["place"]),
        session_dates=tuple(dates),
        raw_dir=raw_dir,
        synthetic=bool(spec.get("synthetic", False)),
        facilitators=tuple(str(f) for f in spec.get("facilitators") or ()),
        language=language,
        files=files,
        quality=quality,
        chat_date_order=order,
        analysis=analysis,
        extra={k: v for k, v in spec.items() if k not in known},
    )
