"""The editions of a report: the one every reader gets, and the evaluation team's.

- **public** (`reports/<cohort>/report*`): what programme staff email to unions, ILO and the
  funder. Disclosure control (analysis.privacy.disclosure) hides small counts, and the counts
  that would give them away, as the mark x.
- **team** (`make team`, `reports/<cohort>/team/report*`): every count shown, for the evaluation
  team (ILO, Evermos) only. It says so on the cover and at the top of every PDF page, is never
  linked from reports/index.html, and is leak-checked like the public report (no roster name or
  phone, in any edition).

One call, `for_edition`, turns a results dict into what an edition shows, for the cohort report
(notebook 03 and `analysis render`) and for any report built from results with a `disclosure`
block. Everything else (sections, figures, tables, the PDF's tags) is the same render path.
"""

from __future__ import annotations

from pathlib import Path

from analysis.report.catalogue import t

EDITIONS = ("public", "team")
PUBLIC, TEAM = EDITIONS
TEAM_FOLDER = "team"  # reports/<cohort>/team/: never linked from the index


def _check(edition: str) -> None:
    if edition not in EDITIONS:
        raise ValueError(f"unknown report edition {edition!r}; expected one of "
                         f"{', '.join(EDITIONS)}")


def for_edition(results: dict, edition: str = PUBLIC) -> dict:
    """The results an edition shows. public: `results` itself, unchanged. team: a copy with
    nothing hidden (`disclosure.hidden` empty; the public edition's hidden counts kept as
    `disclosure.hidden_in_public`, so a section can say what the shared report hides) and
    `edition: "team"`, the flag the cover, the page furniture and any section read."""
    _check(edition)
    if edition == PUBLIC:
        return results
    control = dict(results.get("disclosure") or {})
    control["hidden_in_public"] = list(control.get("hidden", []))
    control["hidden"] = []
    return {**results, "disclosure": control, "edition": TEAM}


def edition_of(results: dict) -> str:
    """The edition a results dict was prepared for (for_edition); public when unmarked."""
    edition = (results or {}).get("edition", PUBLIC)
    _check(edition)
    return edition


def is_team(results: dict) -> bool:
    return edition_of(results) == TEAM


def restricted_line(lang: str) -> str:
    """The line every page of the team edition carries, in the report's language."""
    return t("team_restricted", lang)


def folder(report_folder: str | Path, edition: str = PUBLIC) -> Path:
    """Where an edition of a report is written: the report's own folder (reports/<cohort>/) for
    the public edition, its team/ subfolder for the team's (results.json stays in the former)."""
    _check(edition)
    report_folder = Path(report_folder)
    return report_folder if edition == PUBLIC else report_folder / TEAM_FOLDER
