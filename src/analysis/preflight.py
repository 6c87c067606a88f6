"""The pre-flight check: every problem of a cohort's raw files in one list, before building.

Staff fix a file once rather than once per error: unknown labels (with the closest known
spelling), unreadable ages, attendance rows not on the roster, phone numbers that are not
Indonesian numbers, a cohort.yml field missing. Errors stop the build; rows that cleaning
quarantines are listed as warnings (the build goes on without them).
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError, collecting


def check_cohort(raw_dir: str | Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one raw cohort folder, each a line naming file, row and column."""
    from .clean import read_cohort, sorted_problems
    from .roster import Ledger

    raw_dir = Path(raw_dir)
    ledger = Ledger()
    with collecting() as problems:
        try:
            read_cohort(raw_dir, ledger)
        except InputError as error:  # one that stops the reading of its file (a missing column)
            problems.append(error)
    warnings = [f"{raw_dir / entry['file']} row {entry['row']}: {entry['reason']} "
                "(left out of the analysis)" for entry in ledger.quarantine]
    return sorted_problems(problems), warnings
