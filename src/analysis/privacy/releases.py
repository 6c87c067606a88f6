"""The record of what each pooled release showed: read back on every later build, so that what
a release showed stays known to the joint protection (`joint.protect_jointly`) and a rebuild
cannot hide it again or show what it would give away.

**Where.** `data/releases/pooled-<n>.json`, one file per release, numbered from 1. Not under
`reports/`: that folder is rebuilt output, ignored by git and removed by `make clean`, and a
record lost there would let the next build forget what readers already hold. A release record
is an input of every later pooled build, like a cohort's raw files, and unlike them it is safe
to commit: it holds only numbers the release already published (the cohorts it covered, the
counts it showed with their values, which groups its "other" rows held), never a hidden count,
never a name or a phone number. One file per release and never rewritten: a release that was
sent is a fact; `write_release` refuses to change one (the same content again is a no-op).

**Format** (JSON, keys sorted, one release):

    {"format": 1, "release": 2, "report": "pooled", "min_cell": 5,
     "cohorts": ["demo-2023-08-jakarta", "demo-2023-09-sukabumi"],
     "groups": {"sector": {"other": ["footwear_leather", "other"]}},
     "shown": {"funnel/enrolled": 89, "retention/sector/garment_textile/n": 31, ...}}

`shown` names each count as the pooled report's results.json does (`analysis.privacy.cells`);
`groups` lists, for each merged group, the groups as cleaning coded them that it held.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.privacy.joint import POOLED, JointTable, pooled_groups

FORMAT = 1
RELEASES = Path("data") / "releases"
FILE = re.compile(r"^pooled-(?P<n>[1-9][0-9]*)\.json$")
KINDS = ("funnel", "retention", "followup", "stop_reasons", "curve")
KEYS = {"format", "release", "report", "min_cell", "cohorts", "groups", "shown"}


class ReleaseMismatch(ValueError):
    """A release record that the cohorts' data or the build no longer agree with."""


@dataclass(frozen=True)
class Release:
    number: int
    cohorts: tuple[str, ...]
    min_cell: int
    shown: dict[str, int]
    groups: dict[str, dict[str, list[str]]]

    @property
    def report(self) -> str:
        """Its cells' report name in the joint table: pooled-<n>."""
        return f"{POOLED}-{self.number}"

    def as_json(self) -> dict:
        return {"format": FORMAT, "release": self.number, "report": POOLED,
                "min_cell": self.min_cell, "cohorts": list(self.cohorts),
                "groups": self.groups, "shown": self.shown}


def release_of(number: int, joint: JointTable, hidden: dict[str, list[str]]) -> Release:
    """What the pooled report of `joint` shows once `hidden` (protect_jointly's answer) is
    hidden: every shown count of its table that is not hidden, with its value."""
    if number < 1:
        raise ValueError(f"release number {number}: releases are numbered from 1")
    own = joint.own[POOLED]
    gone = set(hidden.get(POOLED, []))
    shown = {name: c.value for name, c in sorted(own.cells.items())
             if c.shown and name not in gone and name.split("/")[0] in KINDS}
    return Release(number, tuple(joint.pooled["cohorts"]), int(joint.min_cells[POOLED]), shown,
                   pooled_groups(joint.pooled))


def path_of(number: int, folder: Path = RELEASES) -> Path:
    return Path(folder) / f"pooled-{number}.json"


def write_release(release: Release, folder: Path = RELEASES) -> Path:
    """Write the record (once: an existing record with other content is an error)."""
    path = path_of(release.number, folder)
    text = json.dumps(release.as_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return path
        raise ReleaseMismatch(f"{path} exists with other content: a release that was sent is "
                              "never rewritten (number the new one "
                              f"{next_number(folder)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def _parse(path: Path) -> Release:
    release = _from_json(json.loads(path.read_text(encoding="utf-8")), f"{path}:")
    number = int(FILE.match(path.name)["n"])
    if release.number != number:
        raise ReleaseMismatch(f"{path}: says release {release.number}, its name {number}")
    return release


def _from_json(data, where: str) -> Release:
    if not isinstance(data, dict) or set(data) != KEYS:
        raise ReleaseMismatch(f"{where} expected the keys {sorted(KEYS)}")
    if data["format"] != FORMAT or data["report"] != POOLED:
        raise ReleaseMismatch(f"{where} format {data['format']!r} of report {data['report']!r}; "
                              f"this build reads format {FORMAT} of '{POOLED}'")
    if isinstance(data["release"], bool) or not isinstance(data["release"], int):
        raise ReleaseMismatch(f"{where} `release` must be a whole number")
    shown = data["shown"]
    if not isinstance(shown, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 and
            isinstance(k, str) and k.split("/")[0] in KINDS for k, v in shown.items()):
        raise ReleaseMismatch(f"{where} `shown` must map count names ({', '.join(KINDS)}) to "
                              "whole numbers from 0")
    cohorts = data["cohorts"]
    if not isinstance(cohorts, list) or not cohorts or not all(
            isinstance(c, str) and c for c in cohorts):
        raise ReleaseMismatch(f"{where} `cohorts` must list the cohort ids it covered")
    groups = data["groups"]
    if not isinstance(groups, dict) or not all(
            isinstance(merged, dict) and all(
                isinstance(codes, list) and all(isinstance(c, str) for c in codes)
                for codes in merged.values()) for merged in groups.values()):
        raise ReleaseMismatch(f"{where} `groups` must map each variable to its merged groups "
                              "and the groups each held")
    if isinstance(data["min_cell"], bool) or not isinstance(data["min_cell"], int):
        raise ReleaseMismatch(f"{where} `min_cell` must be a whole number")
    return Release(data["release"], tuple(cohorts), data["min_cell"], dict(shown),
                   {v: {g: list(codes) for g, codes in merged.items()}
                    for v, merged in groups.items()})


def read_releases(folder: Path = RELEASES) -> list[Release]:
    """Every release recorded in `folder`, by number (none: an empty list). A gap in the
    numbers is an error: a record is missing, and with it what readers hold."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    paths = sorted((p for p in folder.iterdir() if FILE.match(p.name)),
                   key=lambda p: int(FILE.match(p.name)["n"]))
    releases = [_parse(p) for p in paths]
    numbers = [r.number for r in releases]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ReleaseMismatch(f"{folder}: releases {numbers}; a record is missing (numbers run "
                              "from 1 without gaps). Restore it from git before building")
    return releases


def next_number(folder: Path = RELEASES) -> int:
    return len(read_releases(folder)) + 1


def needs_release(releases: list[Release], cohorts: list[str]) -> bool:
    """A new pooled report is a new release unless it covers the same cohorts as the last
    (a rebuild of the same pooled report shows what that release showed)."""
    return not releases or set(releases[-1].cohorts) != set(cohorts)


def keep(candidate: Path, folder: Path = RELEASES) -> Path | None:
    """Record the release the pooled build proposed (`candidate`, its reports/pooled/
    release.json, written only when it covers new cohorts), once the report passed its checks.
    None when there is nothing to record. The candidate must be the next number: a stale one
    (another release was recorded since it was built) is refused."""
    candidate = Path(candidate)
    if not candidate.exists():
        return None
    release = _from_json(json.loads(candidate.read_text(encoding="utf-8")), f"{candidate}:")
    expected = next_number(folder)
    if release.number != expected and not path_of(release.number, folder).exists():
        raise ReleaseMismatch(f"{candidate}: proposes release {release.number}, the next is "
                              f"{expected}: rebuild the pooled report (make pooled)")
    return write_release(release, folder)
