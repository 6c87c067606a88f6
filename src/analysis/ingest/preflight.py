"""The pre-flight check: every problem of a cohort's raw files in one list, before building.

Staff fix a file once rather than once per error: unknown labels (with the closest known
spelling), unreadable ages, attendance rows not on the roster, phone numbers that are not
Indonesian numbers, a cohort.yml field missing. Errors stop the build; rows that cleaning
quarantines are listed as warnings (the build goes on without them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError, collecting
from analysis.ingest.quality import console_lines


@dataclass
class Preflight:
    errors: list[str]  # each must be fixed before anything is built
    warnings: list[str]  # what the build will leave out, grouped: one line per file and reason
    summary: list[str] = field(default_factory=list)  # the data-quality summary (quality.py)


def check_cohort(raw_dir: str | Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one raw cohort folder, each a line naming file, row and column."""
    found = preflight(raw_dir)
    return found.errors, found.warnings


def preflight(raw_dir: str | Path) -> Preflight:
    """Every problem of one raw cohort folder, and, when it reads without errors, the summary
    `make report` will print (a cohort `make check` passes is one `make report` builds: both
    read through the same code)."""
    from analysis.ingest.clean import read_cohort, sorted_problems
    from analysis.ingest.new_cohort import missing
    from analysis.ingest.roster import Ledger

    raw_dir = Path(raw_dir)
    # A folder `make cohort` started: what is still to do (unfilled fields, no roster, ...), alone.
    errors, notes = missing(raw_dir)
    if errors:
        return Preflight(errors, notes)
    ledger = Ledger()
    cleaned = None
    with collecting() as problems:
        try:
            cleaned = read_cohort(raw_dir, ledger)
        except InputError as error:  # one that stops the reading of its file (a missing column)
            problems.append(error)
    warnings = notes + _grouped_quarantine(raw_dir, ledger.quarantine)
    summary = []
    if cleaned is not None and not problems:
        summary, quality_warnings = console_lines(raw_dir.name, cleaned.quality["summary"])
        warnings += quality_warnings
        warnings += [f"{raw_dir / name}: not used (not a roster, attendance, follow-up, override "
                     "or WhatsApp export file)" for name in cleaned.cohort.found_files().unused]
    return Preflight(sorted_problems(problems), warnings, summary)


def _grouped_quarantine(raw_dir: Path, quarantine: list[dict]) -> list[str]:
    """One line per file and reason, listing the rows: 'roster.csv: 3 rows left out of the
    analysis, duplicate registration (first one kept): rows 12, 40, 51'."""
    groups: dict[tuple[str, str], list[int]] = {}
    for entry in quarantine:
        groups.setdefault((entry["file"], entry["reason"]), []).append(int(entry["row"]))
    lines = []
    for (file, reason), rows in groups.items():
        shown = ", ".join(map(str, rows[:20])) + (", …" if len(rows) > 20 else "")
        label = "row" if len(rows) == 1 else f"{len(rows)} rows"
        lines.append(f"{raw_dir / file}: {label} left out of the analysis, {reason}: "
                     f"{'row' if len(rows) == 1 else 'rows'} {shown}")
    return lines
