"""Disclosure control across every report a reader can hold: all cohort reports, the pooled
report and every earlier pooled release, protected as one table of counts.

Each cohort report is protected on its own (`hidden_cells`, below: its table, and then, by the
same machinery with no pooled report, the groups it merged into "other", which another
breakdown's rows can pin: federation FSP TSK = the garment and footwear people, so FSP TSK's
completers minus garment's are footwear's). A reader who holds them all
and the pooled report has more to work with: (a) a pooled count (completion by age class
"40-49 / dropouts" over every cohort) minus the counts the other cohorts' reports show gives a
cohort's hidden count; (b) a later pooled release minus an earlier one is the cohorts added in
between, and what a release showed is known forever. So the joint table holds, with every
relation a reader can use:

- every cohort's table (`counts.cohort_table`), each cell named by its cohort:
  `demo-2023-08-jakarta:retention/age_class/40_49/dropouts`;
- the pooled report's table (`pooled:retention/age_class/40_49/dropouts`), built by the same
  `cohort_table` from the pooled counts (`pooled_counts`), so its rows and columns add up like a
  cohort's, plus one relation per shown pooled count: it is the sum of the cohorts' same counts;
- every earlier pooled release (`pooled-1:...`, from its record, `releases`): each count it
  showed is a known number, fixed (public: it cannot be hidden again), and the sum of the same
  counts of the cohorts it covered.

**Groups are pooled before they are merged.** Each report merges groups of fewer than
`min_cell` people into "other" by its own counts (`counts.merge_small_groups`), so a cohort's
"other" sector is not the pooled report's "other", and a group small in every cohort is shown
in the pooled report. The pooled counts are therefore defined on the groups as cleaning coded
them (unmerged): pooled "retail" is the sum of every cohort's retail people, whether the cohort
shows retail as a row or inside its "other". For this each cohort gets, next to its report's
cells, a count per unmerged group its report does not show as a row of its own
(`<cohort>:groups/sector/retail_hospitality/n`, never printed: implied, unknown to a reader),
tied to the report by "other = the groups merged into it"; the pooled report's own merge then
decides its rows, and a pooled "other" is the sum of the unmerged groups it holds. A shared
merge (one "other" for all reports) would instead change every cohort report whenever a cohort
is added, and still could not stop a group being shown in one report and merged in another.
Which groups a report merged is published ("other: footwear, retail"; a reader is assumed to
know it also when one group alone was merged), so a group a cohort does not have counts as a
known 0, and groups of one breakdown that hold exactly the people of
groups of another are tied at the unmerged level too (the age classes add up to the age
groups). A small unmerged count (1 to `min_cell` - 1 people) is protected like any small
implied count: no report may pin it.

**Protection** (`protect_jointly`): today's protection of each cohort report is the floor (a
cohort report hides at least what it hides alone; `Cohort.hidden` takes it from results.json);
the pooled report's small counts are hidden; then, while some hidden count (or small implied
one) of any report has a single possible value given everything all reports and releases show,
the cheapest set of counts to hide more that gives it a second value is found by one integer
program (the price of a count: its value plus one; totals and zeros dear, named groups a
little dearer than "other": the existing rules), first among the target's own report and the
pooled report, then among all. Counts hidden beyond the floor that turn out not to be needed
are shown again. Public funnel counts and whatever earlier releases showed are never hidden.

**Scale.** Pooled relations tie the cohorts' unknown cells into a few large groups (at 50
cohorts of 50 people, about 3,800 unknown cells in one), where an integer program per hidden
count and bound, as `protect` does per table, would take many minutes. So the audit
(`_Solver.pinned`): every solution found is kept as moves (`disclosure.Moves`): a count one of
them changes has two values, no program needed, and hiding more never undoes that; a few
programs pushed every way at once (`disclosure._spray`, random objectives) move most counts of
a group in one go; a count still unproven is given a second value by a program over the cells
near it only (6 relations away; the rest keep their values), and only then over its whole
group, as a search for any solution below or above its value (`disclosure._one_value`), not
an optimisation. The counts to hide more are chosen near the target first too, then over its
whole group; a count is shown again only after the counts it was hidden for are checked
first. Each answer is exact (a found solution, or a program with none), so the result does
not depend on which shortcut gave it. `benchmarks/bench_joint_disclosure.py` prints the
figures (50 cohorts: about 10 s here, with each cohort's own protection from its
results.json).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis import codebook
from analysis.privacy import disclosure
from analysis.privacy.counts import cohort_table, merge_small_groups
from analysis.privacy.disclosure import NO_BOUND, RESIDUAL_GROUPS, Moves, Table

if TYPE_CHECKING:
    from analysis.privacy.releases import Release

SEP = ":"
POOLED = "pooled"
COUNTS = ("n", "completed", "dropouts")
TOTAL_PRICE = 1000   # a row or table total: hidden only when inner cells cannot do
ZERO_PRICE = 1000    # zeros are shown unless hiding one is the only way
NAMED_PRICE = 5      # a named group (garment) tells more than the residual "other"
QUESTION_PRICE = 500  # a breakdown the evaluation's questions are about (`hidden_last`):
                      # its inner counts go after every other breakdown's, before any total


class DisclosureError(RuntimeError):
    """A count that no choice of counts to hide can protect, with the reason."""


@dataclass
class Cohort:
    """One cohort report as the joint protection reads it."""
    id: str
    results: dict
    participants: pd.DataFrame
    hidden: list[str] | None = None  # its report's own protection (results.json); None: computed


@dataclass
class JointTable:
    table: Table                       # every report's cells, named <report>:<cell>
    own: dict[str, Table]              # each report's own table (cohort ids and POOLED)
    pooled: dict                       # the pooled report's counts (pooled_counts)
    min_cells: dict[str, int]          # each report's threshold for a small count
    releases: list = field(default_factory=list)
    hidden_last: frozenset = frozenset()  # breakdowns hidden last (the cohorts' parameters)
    # counts the reports that may not hide more (`protect_jointly`'s hide_in) give away on
    # their own: nothing the others hide can protect them (the console and results.json say so)
    given_away: list[str] = field(default_factory=list)


def cell(report: str, name: str) -> str:
    return f"{report}{SEP}{name}"


def report_of(name: str) -> str:
    return name.split(SEP, 1)[0]


def inner(name: str) -> str:
    return name.split(SEP, 1)[1]


def stacked(cohorts: list[Cohort]) -> pd.DataFrame:
    """Every cohort's participants in one frame (a `cohort` column, a fresh index)."""
    return pd.concat([c.participants.assign(cohort=c.id) for c in cohorts], ignore_index=True)


def _in_order(blocks) -> list[str]:
    seen: dict[str, None] = {}
    for block in blocks:
        seen.update(dict.fromkeys(block))
    return list(seen)


def pooled_counts(cohorts: list[Cohort], min_cell: int) -> dict:
    """The pooled report's counts, in results.json's shape (what `cohort_table` reads): every
    cohort's enrolled people in one table, every breakdown the cohort reports hold (on the
    unmerged groups, then merged by the pooled counts, `merge_small_groups`), follow-up among
    completers and dropouts, reasons for stopping, and the retention curves of the breakdowns
    every cohort report draws when the cohorts have the same number of sessions (`_curves`).
    No risk quartiles, no table of missing values (the pooled report shows neither)."""
    people = stacked(cohorts)
    enrolled = people[people["enrolled"].astype(bool)]
    completed, dropout = enrolled["completed"].astype(bool), enrolled["dropout"].astype(bool)
    retention = {}
    done, dropped = completed.to_numpy(), dropout.to_numpy()
    for variable in _in_order(c.results["retention"] for c in cohorts):
        raw, merged = _codes(_values(enrolled, variable), min_cell)
        groups = []
        for group in codebook.group_order(variable, set(merged)):
            inside = merged == group
            groups.append({"group": group, "n": int(inside.sum()),
                           "completed": int((inside & done).sum()),
                           "dropouts": int((inside & dropped).sum()),
                           "completion_rate": float(done[inside].mean()),
                           "merged_from": sorted(set(raw[inside])) if group == "other" else None})
        retention[variable] = {"groups": groups}
    followup = {}
    for variable in _in_order(c.results.get("followup", {}) for c in cohorts):
        known = enrolled[variable].notna() if variable in enrolled else completed & False
        answer = enrolled[variable].fillna(False).astype(bool) if variable in enrolled else known
        rows = [{"group": group, "n": int((known & who).sum()),
                 "yes": int((known & who & answer).sum())}
                for group, who in (("completed", completed), ("dropout", dropout))]
        followup[variable] = {"n_known": int(known.sum()), "yes": int((known & answer).sum()),
                              "by_completion": {"groups": rows}}
    sessions = _sessions(cohorts)
    after = enrolled["dropout_after_session"].astype(float) if sessions else None
    return {
        "cohorts": [c.id for c in cohorts],
        "parameters": {"min_cell": min_cell},
        "sessions": sessions,
        "funnel": {"enrolled": int(len(enrolled)), "completed": int(completed.sum()),
                   "dropouts": int(dropout.sum()),
                   "dropouts_after_session": {str(s): int((dropout & (after == s)).sum())
                                              for s in range(1, (sessions or 1))}},
        "retention": retention, "retention_curves": _curves(cohorts, enrolled, sessions,
                                                            min_cell),
        "followup": followup,
        "stop_reasons": _pooled_stop_reasons(cohorts),
        "missingness": {}, "models": {"participant": {}},
    }


def _sessions(cohorts: list[Cohort]) -> int | None:
    """The number of sessions every cohort had (None: they differ, and a curve over cohorts of
    three and of four sessions would mix "stopped before the end" with "had no fourth")."""
    if any("dropout_after_session" not in c.participants for c in cohorts):
        return None  # (a table of counts without the sessions people left after)
    found = set()
    for c in cohorts:
        dates = c.results.get("cohort", {}).get("session_dates")
        found.add(len(dates) if dates is not None else
                  sum(str(k).startswith("attended_session_") for k in c.participants.columns))
    return found.pop() if len(found) == 1 else None


def curve_variables(cohorts: list[Cohort]) -> list[str]:
    """The breakdowns the pooled report draws curves for: those every cohort report draws."""
    if (_sessions(cohorts) or 0) < 2:
        return []
    drawn = [list(c.results.get("retention_curves") or {}) for c in cohorts]
    return [v for v in _in_order(drawn) if all(v in d for d in drawn)]


def _curves(cohorts: list[Cohort], enrolled: pd.DataFrame, sessions: int | None,
            min_cell: int) -> dict:
    """Retention at each session by group over every cohort, in the cohort reports' shape
    (`models.retention_curves`): a dropout leaves after the session they last came to, a
    completer stays to the end, so the curve is the share not yet gone, step by step. No test:
    cohorts differ in how many drop out (the pooled tables carry none either)."""
    found = {}
    if not sessions:
        return found
    dropout = enrolled["dropout"].astype(bool).to_numpy()
    after = enrolled["dropout_after_session"].astype(float).to_numpy()  # NaN: completed
    for variable in curve_variables(cohorts):
        _, merged = _codes(_values(enrolled, variable), min_cell)
        curves = {}
        for group in codebook.group_order(variable, set(merged)):
            inside = merged == group
            n, points = int(inside.sum()), []
            for session in range(1, sessions + 1):
                gone = int((inside & dropout & (after < session)).sum())
                at_risk = int((inside & ~(dropout & (after < session - 1))).sum())
                points.append({"session": session, "retained": (n - gone) / n,
                               "at_risk": at_risk})
            curves[group] = points
        found[variable] = {"curves": curves,
                           "test": {"test": None, "statistic": None, "p_value": None}}
    return found


def _pooled_stop_reasons(cohorts: list[Cohort]) -> dict:
    """Why dropouts stopped, summed over the cohorts whose follow-up recorded reasons (the
    others' dropouts are in no count: `n_dropouts` is those cohorts' dropouts)."""
    given = [(c.id, c.results["stop_reasons"]) for c in cohorts
             if (c.results.get("stop_reasons") or {}).get("available")]
    if not given:
        return {"available": False, "unavailable_because": "no_reason_column", "n_dropouts": 0,
                "n_known": None, "n_unknown": None, "reasons": [], "cohorts": []}
    blocks = [b for _, b in given]
    codes = _in_order([r["code"] for r in b["reasons"]] for b in blocks)
    return {"available": True, "unavailable_because": None,
            "n_dropouts": sum(b["n_dropouts"] for b in blocks),
            "n_known": sum(b["n_known"] for b in blocks),
            "n_unknown": sum(b["n_unknown"] for b in blocks),
            "reasons": [{"code": code, "n": sum(r["n"] for b in blocks for r in b["reasons"]
                                                if r["code"] == code)} for code in codes],
            "cohorts": [cohort for cohort, _ in given]}

def pooled_groups(pooled: dict) -> dict[str, dict[str, list[str]]]:
    """The unmerged groups each merged group of a pooled report holds (only the groups that
    hold others than themselves): {"sector": {"other": ["footwear_leather", "other"]}}."""
    found: dict[str, dict[str, list[str]]] = {}
    for variable, block in pooled["retention"].items():
        for g in block["groups"]:
            if g.get("merged_from") and g["merged_from"] != [g["group"]]:
                found.setdefault(variable, {})[g["group"]] = list(g["merged_from"])
    return found


class _Builder:
    """The joint table as it is built: relations kept once."""

    def __init__(self):
        self.table = Table()
        self._seen: set[frozenset] = set()

    def copy(self, own: Table, report: str) -> None:
        for name, c in own.cells.items():  # a figure is its report's: drawn whole there
            figure = cell(report, c.figure) if c.figure else None
            self.table.cells[cell(report, name)] = dataclasses.replace(c, figure=figure)
        for relation in own.relations:
            self.relation({cell(report, n): v for n, v in relation.items()})

    def relation(self, relation: dict[str, int]) -> None:
        key = frozenset(relation.items())
        if relation and key not in self._seen:
            self._seen.add(key)
            self.table.relations.append(relation)

    def equal(self, total: str, parts: list[str]) -> None:
        relation = {total: 1}
        for part in parts:
            relation[part] = relation.get(part, 0) - 1
        self.relation({k: v for k, v in relation.items() if v})


def _codes(values: pd.Series, min_cell: int) -> tuple[np.ndarray, np.ndarray]:
    """The unmerged and the merged group of each person, by `merge_small_groups`' rule (a
    group of fewer than min_cell people, 'missing' apart, joins 'other')."""
    raw = merge_small_groups(values, 0).to_numpy(dtype=object)
    codes, sizes = np.unique(raw, return_counts=True)
    small = codes[(sizes < min_cell) & (codes != "missing")]
    merged = raw.copy()
    merged[np.isin(raw, small)] = "other"
    return raw, merged


def _values(enrolled: pd.DataFrame, variable: str) -> pd.Series:
    if variable in enrolled:
        return enrolled[variable]
    return pd.Series(None, index=enrolled.index, dtype=object)  # not recorded: unknown


def _unmerged(build: _Builder, cohort: Cohort, variables: list[str], min_cell: int,
              curve_vars=(), sessions: int | None = None) -> dict:
    """A cohort's counts per unmerged group of every breakdown: the report's own cell where the
    report shows the group as a row, else an implied cell tied to the row that holds it. The
    groups of one breakdown that hold exactly the people of groups of another add up to them.
    For the breakdowns the pooled report draws curves of (`curve_vars`), the same for the
    dropouts after each session ("after_<s>", the curve's steps). Returns
    {(variable, group, count): joint cell name}."""
    people = cohort.participants
    enrolled = people[people["enrolled"].astype(bool).to_numpy()]
    outcome = {"n": np.ones(len(enrolled), dtype=bool),
               "completed": enrolled["completed"].astype(bool).to_numpy(),
               "dropouts": enrolled["dropout"].astype(bool).to_numpy()}
    table, where, members = build.table, {}, {}
    for variable in variables:
        raw, merged = _codes(_values(enrolled, variable), min_cell)
        block = cohort.results["retention"].get(variable)
        rows = {g["group"] for g in block["groups"]} if block else set()
        present = sorted(set(raw))
        for code in present:
            inside = raw == code
            members[variable, code] = frozenset(np.flatnonzero(inside).tolist())
            own_row = code in rows and bool(((merged == code) == inside).all())
            for k in COUNTS:
                name = cell(cohort.id, f"retention/{variable}/{code}/{k}")
                if not own_row:
                    name = cell(cohort.id, f"groups/{variable}/{code}/{k}")
                    table.add(name, int((inside & outcome[k]).sum()), shown=False)
                where[variable, code, k] = name
            if not own_row:
                build.equal(where[variable, code, "n"],
                            [where[variable, code, "completed"], where[variable, code, "dropouts"]])
        for group in sorted(rows):
            codes = sorted(set(raw[merged == group]))
            for k in COUNTS:
                row = cell(cohort.id, f"retention/{variable}/{group}/{k}")
                parts = [where[variable, code, k] for code in codes]
                if table.cells[row].value != sum(table.cells[p].value for p in parts):
                    raise ValueError(f"{cohort.id}: results.json's {variable} table does not "
                                     f"match its participants ({group}, {k}); rebuild it")
                if codes != [group]:
                    build.equal(row, parts)
        if not block:  # not in the report: its groups still add up to the funnel
            for k, total in zip(COUNTS, ("enrolled", "completed", "dropouts"), strict=True):
                build.equal(cell(cohort.id, f"funnel/{total}"),
                            [where[variable, code, k] for code in present])
    for coarse in members:
        for fine_variable in variables:
            if fine_variable == coarse[0]:
                continue
            inside = [key for key in members if key[0] == fine_variable
                      and members[key] <= members[coarse]]
            if len(inside) < 2 and not (len(inside) == 1 and coarse[0] < fine_variable):
                continue
            if sum(len(members[key]) for key in inside) != len(members[coarse]):
                continue  # the groups of one breakdown do not overlap: sizes say it
            for k in COUNTS:
                build.equal(where[(*coarse, k)], [where[(*key, k)] for key in inside])
    _steps(build, cohort, enrolled, curve_vars, sessions, min_cell, outcome["dropouts"], where)
    return where


def _steps(build: _Builder, cohort: Cohort, enrolled: pd.DataFrame, curve_vars, sessions,
           min_cell: int, dropout: np.ndarray, where: dict) -> None:
    """A cohort's dropouts after each session per unmerged group (what a pooled curve step
    sums): the report's own curve step where it draws the group's curve, else an implied
    count; a group's steps add up to its dropouts, and the groups' steps to the step of the
    curve that holds them."""
    if not curve_vars:
        return
    table = build.table
    after = enrolled["dropout_after_session"].astype(float).to_numpy()
    drawn = cohort.results.get("retention_curves") or {}
    for variable in curve_vars:
        raw, merged = _codes(_values(enrolled, variable), min_cell)
        curves = drawn.get(variable, {}).get("curves", {})
        for code in sorted(set(raw)):
            inside = raw == code
            own = code in curves and bool(((merged == code) == inside).all())
            steps = []
            for s in range(1, sessions):
                name = cell(cohort.id, f"curve/{variable}/{code}/{s}")
                if not own:
                    name = cell(cohort.id, f"groups/{variable}/{code}/after_{s}")
                    table.add(name, int((inside & dropout & (after == s)).sum()), shown=False)
                where[variable, code, f"after_{s}"] = name
                steps.append(name)
            build.equal(where[variable, code, "dropouts"], steps)
        for group in sorted(curves):
            codes = sorted(set(raw[merged == group]))
            if codes == [group]:
                continue
            for s in range(1, sessions):
                build.equal(cell(cohort.id, f"curve/{variable}/{group}/{s}"),
                            [where[variable, code, f"after_{s}"] for code in codes])


def _sum_over(name: str, cohorts, groups: dict, where: dict, table: Table) -> list[str] | None:
    """The cohorts' cells whose sum a pooled count is (None: not a sum of cohort counts, e.g.
    a pooled model's own numbers). A cohort without the count adds a known 0."""
    kind = name.split("/")[0]
    if kind == "retention":
        _, variable, group, count = name.split("/")
        codes = groups.get(variable, {}).get(group, [group])
        return [where[c][variable, code, count] for c in cohorts for code in codes
                if (variable, code, count) in where[c]]
    if kind == "curve":
        _, variable, group, session = name.split("/")
        codes = groups.get(variable, {}).get(group, [group])
        key = f"after_{session}"
        return [where[c][variable, code, key] for c in cohorts for code in codes
                if (variable, code, key) in where[c]]
    if kind in ("followup", "stop_reasons", "funnel"):
        return [cell(c, name) for c in cohorts if cell(c, name) in table.cells]
    return None


def joint_table(cohorts: list[Cohort], min_cell: int, releases=(),
                with_pooled: bool = True) -> JointTable:
    """Every cohort's table, the pooled report's and every earlier release's counts in one
    table, with the relations that tie them (the module docstring says which).
    `with_pooled=False`: the cohorts' reports alone, each with its implied unmerged groups
    (what `hidden_cells` protects one cohort report with)."""
    ids = [c.id for c in cohorts]
    if not ids:
        raise ValueError("no cohorts to protect together")
    if len(set(ids)) != len(ids) or any(SEP in i or i.startswith(POOLED) for i in ids):
        raise ValueError(f"cohort ids must be distinct, without '{SEP}', not '{POOLED}…': {ids}")
    build = _Builder()
    own, min_cells, where = {}, {}, {}
    pooled = pooled_counts(cohorts, min_cell)
    variables, curves = list(pooled["retention"]), list(pooled["retention_curves"])
    for c in cohorts:
        min_cells[c.id] = int(c.results.get("parameters", {}).get("min_cell", min_cell))
        own[c.id] = cohort_table(c.results, c.participants, min_cells[c.id])
        build.copy(own[c.id], c.id)
        where[c.id] = _unmerged(build, c, variables, min_cells[c.id], curves, pooled["sessions"])
    last = frozenset(v for c in cohorts
                     for v in c.results.get("parameters", {}).get("hidden_last", ()))
    if not with_pooled:
        return JointTable(build.table, own, pooled, min_cells, hidden_last=last)
    own[POOLED] = cohort_table(pooled, stacked(cohorts), min_cell)
    min_cells[POOLED] = min_cell
    build.copy(own[POOLED], POOLED)
    table = build.table
    groups = pooled_groups(pooled)
    for name, c in own[POOLED].cells.items():
        parts = _sum_over(name, ids, groups, where, table)
        if parts is None or not c.shown:
            continue  # an implied pooled count follows from the shown ones it adds up to
        if sum(table.cells[p].value for p in parts) != c.value:
            raise ValueError(f"pooled {name} = {c.value} is not the sum of the cohorts' counts")
        build.equal(cell(POOLED, name), parts)
    for release in releases:
        _add_release(build, release, ids, where)
    return JointTable(table, own, pooled, min_cells, list(releases), hidden_last=last)


def _add_release(build: _Builder, release: Release, ids: list[str], where: dict) -> None:
    from analysis.privacy.releases import ReleaseMismatch

    gone = sorted(set(release.cohorts) - set(ids))
    if gone:
        raise ReleaseMismatch(f"pooled release {release.number} covered {', '.join(gone)}, not "
                              "among the cohorts now: what it showed is known forever, so every "
                              "cohort it covered must stay in the pooled build")
    for name, value in sorted(release.shown.items()):
        parts = _sum_over(name, list(release.cohorts), release.groups, where, build.table)
        if parts is None:
            continue
        now = sum(build.table.cells[p].value for p in parts)
        if now != value:
            raise ReleaseMismatch(
                f"pooled release {release.number} showed {name} = {value}; the cohorts it "
                f"covered now give {now}. A cohort's data changed after the release: what it "
                "showed is known forever, so the joint protection cannot be worked out from the "
                "changed data (restore the cohort's data, or decide by hand)")
        build.table.add(cell(release.report, name), value, public=True)
        build.equal(cell(release.report, name), parts)


# --- protection --------------------------------------------------------------------------

def _price(joint: JointTable, name: str) -> float:
    c = joint.table.cells[name]
    named = not any(f"/{g}/" in name for g in RESIDUAL_GROUPS)
    return (1 + c.value + TOTAL_PRICE * c.total + ZERO_PRICE * (c.value == 0)
            + NAMED_PRICE * named + QUESTION_PRICE * (disclosure.breakdown_of(name) in joint.hidden_last))


def _caps(joint: JointTable) -> dict[str, int]:
    """A count of a report is at most its enrolled people."""
    caps = {report: joint.table.cells[cell(report, "funnel/enrolled")].value
            for report in joint.own}
    return caps


def _near(table: Table, movable: set[str], target: str, relations_of: dict,
          depth: int | None, most: int | None = None) -> tuple[list[str], list[dict]]:
    """The movable cells at most `depth` relations away from `target` (None: all linked to
    it), with every relation that touches them; `most`: no further ring once this many."""
    if depth is None:
        return disclosure._component_of(table, movable, target, relations_of)
    names, ring, linked = {target}, [target], set()
    for _ in range(depth):
        if most is not None and len(names) >= most:
            break
        outer = []
        for name in ring:
            for k in relations_of.get(name, ()):
                linked.add(k)
                for other in table.relations[k]:
                    if other in movable and other not in names:
                        names.add(other)
                        outer.append(other)
        ring = outer
    for name in ring:
        linked.update(relations_of.get(name, ()))
    return sorted(names), [table.relations[k] for k in sorted(linked)]


def _complement(joint: JointTable, unknown: set[str], target: str, allowed: set[str],
                relations_of: dict, moves: Moves, depth: int | None = None,
                step: int | None = None) -> set[str] | None:
    """The cheapest counts to hide (from `allowed`) that give `target` a second possible value:
    one integer program over the cells near the target (`depth` relations away; None: its
    whole group), a move d (a second solution minus the true counts) with d[target] != 0, each
    allowed count that moves paid for (a curve as a whole); cells further away keep their
    values; `step`: an allowed count moves by at most this much (None: as far as it can).
    None when none of `allowed` can do it so."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array

    table, caps = joint.table, _caps(joint)
    names, relations = _near(table, unknown | allowed, target, relations_of, depth)
    index = {n: i for i, n in enumerate(names)}
    truth = np.array([table.cells[n].value for n in names], dtype=float)
    cap = np.array([max(caps.get(report_of(n), NO_BOUND), table.cells[n].value)
                    for n in names], dtype=float)
    priced = [n for n in names if n in allowed]
    if not priced:
        return None
    figure_of = {n: table.cells[n].figure or n for n in priced}
    payers = sorted(set(figure_of.values()))
    pay = {p: i for i, p in enumerate(payers)}
    price = np.zeros(len(payers))
    for n in priced:
        price[pay[figure_of[n]]] += _price(joint, n)
    size = len(names) + len(payers)
    rows, cols, data, lower, upper = [], [], [], [], []

    def add_row(entries, lo, hi):
        for i, v in entries:
            rows.append(len(lower))
            cols.append(i)
            data.append(v)
        lower.append(lo)
        upper.append(hi)

    for relation in relations:
        entries = [(index[n], v) for n, v in relation.items() if n in index]
        if entries:
            add_row(entries, 0, 0)
    for n in priced:  # -truth * y <= d <= (cap - truth) * y, each side at most `step`
        i, j = index[n], len(names) + pay[figure_of[n]]
        down, up = truth[i], cap[i] - truth[i]
        if step is not None:
            down, up = min(down, step), min(up, step)
        add_row([(i, 1), (j, down)], 0, np.inf)
        add_row([(i, 1), (j, -up)], -np.inf, 0)
    matrix = csr_array((np.array(data, dtype=float), (rows, cols)), shape=(len(lower), size))
    constraints = [LinearConstraint(matrix, lower, upper)]
    objective = np.concatenate([np.zeros(len(names)), price])
    best = None
    t = index[target]
    for direction in (1, -1):
        lo = np.concatenate([-truth, np.zeros(len(payers))])
        hi = np.concatenate([cap - truth, np.ones(len(payers))])
        if direction == 1:
            lo[t] = 1
        else:
            hi[t] = -1
        if lo[t] > hi[t]:
            continue
        found = milp(objective, constraints=constraints, bounds=Bounds(lo, hi),
                     integrality=np.ones(size), options={"mip_rel_gap": 0.02})
        if found.x is None:
            continue
        if best is None or found.fun < best.fun - 1e-9:
            best = found
    if best is None:
        return None
    move = np.round(best.x[:len(names)])
    moves.add(names, truth + move)
    hide = {n for n in priced if best.x[len(names) + pay[figure_of[n]]] > 0.5}
    return hide


LOCAL = 150       # above this many unknown cells in a group, try the cells near a count first
LOCAL_DEPTH = 6   # near: this many relations away
STEP = 10         # a count hidden more moves by at most this much in the first tries


class _Solver:
    """The joint table's audit: which targets (hidden counts, small implied ones) the shown
    counts pin, remembering every solution found (`Moves`), and the counts to hide more."""

    def __init__(self, joint: JointTable, public: set[str], small: set[str]):
        self.joint, self.table = joint, joint.table
        self.public, self.small = public, small
        self.moves = Moves(self.table)
        self.relations_of = disclosure._relations_of(self.table)
        self.latent = {n for n, c in self.table.cells.items() if not c.shown}
        self.steps = disclosure._figure_steps(self.table)
        self.bound = max(_caps(joint).values())

    def unknown(self, hidden: set[str]) -> set[str]:
        return (hidden | self.latent) - self.public

    def targets(self, hidden: set[str]) -> set[str]:
        return (hidden | self.small) - self.public

    def whole(self, hidden: set[str]) -> set[str]:
        return disclosure._whole_figures(self.table, hidden, self.steps)

    def _nearby(self, unknown: set[str], name: str) -> str | None:
        """What the cells near `name` (`LOCAL_DEPTH` relations away, about `LOCAL` of them)
        alone tell: "free" when a second value changes only them (a solution of the whole
        table: the others keep their values); "pinned" when even with every relation that
        reaches further dropped it has one value (fewer relations, more solutions: pinned
        there, pinned in the whole table); None when only the whole group can tell."""
        table = self.table
        names, relations = _near(table, unknown, name, self.relations_of, LOCAL_DEPTH, LOCAL)
        program, index = disclosure._program(table, names, relations)
        if not disclosure._one_value(program, index[name], table.cells[name].value,
                                     self.moves, names):
            return "free"
        inside = set(names)
        closed = [r for r in relations if all(n in inside or n not in unknown for n in r)]
        alone = Table(table.cells, closed)  # its solutions are not the table's: moves apart
        if disclosure._first_pinned(alone, names, closed, [name], Moves(alone)) is not None:
            return "pinned"
        return None

    def pinned(self, unknown: set[str], targets, first: bool = False, near=None) -> list[str]:
        """The targets with a single possible value (`first`: stop at the first one; `near`:
        only the groups of cells that hold one of these)."""
        found = []
        groups = (disclosure._components(self.table, unknown) if near is None else
                  self._groups_of(unknown, near))
        for names, relations in groups:
            wanted = [n for n in names if n in targets]
            if not wanted:
                continue
            inside, memo = set(names), {}
            spray = self.bound
            if len(names) > LOCAL:
                disclosure._spray(self.table, names, relations, wanted, self.moves, self.bound)
                rest = []
                for n in wanted:
                    if self.moves.moves(n, inside, memo):
                        continue
                    verdict = self._nearby(unknown, n)
                    if verdict == "pinned":
                        if first:
                            return [n]
                        found.append(n)
                    elif verdict is None:
                        rest.append(n)
                wanted, spray = rest, None
            hit = disclosure._first_pinned(self.table, names, relations, wanted, self.moves,
                                           first=first, spray=spray)
            if first and hit is not None:
                return [hit]
            if not first:
                found += hit
        return sorted(found)

    def _groups_of(self, unknown: set[str], near: set[str]):
        seen: set[str] = set()
        for start in sorted(near & unknown):
            if start not in seen:
                names, relations = disclosure._component_of(self.table, unknown, start,
                                                            self.relations_of)
                seen.update(names)
                yield names, relations

    def is_pinned(self, unknown: set[str], target: str) -> bool:
        names, relations = disclosure._component_of(self.table, unknown, target,
                                                    self.relations_of)
        if self.moves.moves(target, set(names)):
            return False
        if len(names) > LOCAL:
            verdict = self._nearby(unknown, target)
            if verdict is not None:
                return verdict == "pinned"
        return disclosure._first_pinned(self.table, names, relations, [target],
                                        self.moves) is not None

    def complement(self, unknown: set[str], target: str, allowed: set[str]) -> set[str] | None:
        """Near the target with small moves first (quick, and numerically tame programs),
        then over its whole group, then with moves as large as the counts allow."""
        for depth, step in ((LOCAL_DEPTH, STEP), (None, STEP), (None, None)):
            extra = _complement(self.joint, unknown, target, allowed, self.relations_of,
                                self.moves, depth, step)
            if extra is not None:
                return extra
        return None


def protect_jointly(cohorts: list[Cohort], min_cell: int = 5, releases=(),
                    joint: JointTable | None = None, show_again: bool = True,
                    hide_in: set[str] | None = None) -> dict[str, list[str]]:
    """The counts each report hides (by report: every cohort id and POOLED; names as the
    report writes them), so that a reader holding every report and every earlier release pins
    no hidden count, and no small implied one, to a single value. Each cohort report hides at
    least what its own protection hides (`Cohort.hidden`, or `hidden_cells` computed);
    the pooled report hides its small counts. `hide_in`: the reports that may hide more than
    that (None: all). The pipeline passes {POOLED}: a cohort report, once sent, never changes
    when a later cohort is added; hiding in the pooled report alone always suffices, since a
    pooled report that showed nothing beyond the funnel would add nothing to the cohort
    reports and earlier releases, which were protected together before."""
    joint = joint or joint_table(cohorts, min_cell, releases)
    table = joint.table
    public = {n for n, c in table.cells.items() if c.public}
    hidden: set[str] = set()
    bound = max(_caps(joint).values())
    for c in cohorts:
        own = joint.own[c.id]
        if c.hidden is None and POOLED not in joint.own:  # `hidden_cells`: its own table first
            floor, own_public = disclosure.protect_with_public(own, joint.min_cells[c.id],
                                                               joint.hidden_last)
        else:
            floor = c.hidden
            if floor is None:  # what its report hides (`hidden_cells`), as results.json has it
                floor = hidden_cells(c.results, c.participants, joint.min_cells[c.id], c.id)
            own_public = _determined(own, joint.min_cells[c.id], bound, also=floor)
        hidden |= {cell(c.id, n) for n in floor}
        public |= {cell(c.id, n) for n in own_public}
    own = joint.own.get(POOLED)
    if own is not None:
        public |= {cell(POOLED, n) for n in _determined(own, min_cell, bound, also=own.cells)}
        hidden |= {cell(POOLED, n) for n, c in own.cells.items()
                   if c.shown and 0 < c.value < min_cell} - public
    small = {n for n, c in table.cells.items() if not c.shown and n not in public
             and 0 < c.value < joint.min_cells.get(report_of(n), min_cell)}
    solver = _Solver(joint, public, small)
    hidden = solver.whole(hidden)
    floor = set(hidden)  # today's cohort protection and the pooled small counts: never shown
    by_report: dict[str, set[str]] = {}
    for n, c in table.cells.items():
        if c.shown and not c.public:
            by_report.setdefault(report_of(n), set()).add(n)
    reasons: dict[str, set[str]] = {}  # a count hidden more -> the counts it protects
    while True:
        pinned = solver.pinned(solver.unknown(hidden), solver.targets(hidden))
        if not pinned:
            break
        for target in pinned:
            unknown = solver.unknown(hidden)
            if target not in unknown or not solver.is_pinned(unknown, target):
                continue
            extra = None
            tiers = [{report_of(target), POOLED}, set(by_report)]
            if hide_in is not None:
                tiers = [tier & set(hide_in) for tier in tiers]
            for tier in tiers:
                allowed = set().union(*(by_report.get(r, set()) for r in tier))
                extra = solver.complement(unknown, target, allowed - hidden - public)
                if extra is not None:
                    break
            if extra is None and hide_in is not None and report_of(target) not in hide_in:
                # the reports that may not change pin it without the others: already out
                joint.given_away.append(target)
                public.add(target)
                continue
            if extra is None:  # the public counts alone fix it: hiding it protects nothing
                if target in floor or target in small:
                    raise DisclosureError(
                        f"{target}: the published funnels and the earlier releases alone "
                        "determine it, so no count can be hidden to protect it (a cohort's data "
                        "changed after a release, or a release was not protected jointly)")
                public.add(target)
                if not table.cells[target].figure:
                    hidden.discard(target)
                continue
            for n in extra:
                reasons.setdefault(n, set()).add(target)
            hidden = solver.whole(hidden | extra)
    if show_again:
        hidden = _show_again(solver, hidden, floor, reasons)
    result = {report: [] for report in joint.own}
    for n in sorted(hidden):
        if table.cells[n].shown and report_of(n) in result:
            result[report_of(n)].append(inner(n))
    return result


def hidden_cells(results: dict, participants: pd.DataFrame, min_cell: int,
                 cohort_id: str = "cohort") -> list[str]:
    """The counts one cohort report hides: its own table's protection (`disclosure.protect`)
    and then, as in the joint protection, its implied unmerged groups too. A group merged into
    "other" can still be pinned by another breakdown (federation FSP TSK = the garment and
    footwear people: FSP TSK completed - garment completed = footwear completed), which the
    report's own table, holding only the rows it shows, cannot see."""
    alone = Cohort(cohort_id, results, participants)
    table = joint_table([alone], min_cell, with_pooled=False)
    return protect_jointly([alone], min_cell, joint=table)[cohort_id]


def _determined(own: Table, min_cell: int, bound: int, also=()) -> set[str]:
    """The public cells of a report's table and the small counts (0 < count < min_cell), and
    the counts in `also` (what the report hides), its published totals alone determine: never
    hidden, never protected (`protect` computes the same for every cell; only these matter
    here: a hidden curve step the funnel fixes is no secret to keep)."""
    unknown = {n for n, c in own.cells.items() if not c.public}
    also = set(also)
    small = {n for n in unknown if 0 < own.cells[n].value < min_cell or n in also}
    moves, found = Moves(own), set()
    for names, relations in disclosure._components(own, unknown):
        wanted = [n for n in names if n in small]
        if wanted:
            found.update(disclosure._first_pinned(own, names, relations, wanted, moves,
                                                  first=False, spray=bound))
    return found | (set(own.cells) - unknown)


def _show_again(solver: _Solver, hidden: set[str], floor: set[str],
                reasons: dict[str, set[str]]) -> set[str]:
    """Show again, dearest first, each count hidden beyond the floor that no hidden or small
    count needs (a curve as a whole): first the counts it was hidden for, then every group of
    cells it touches, must keep a second value without it."""
    table = solver.table
    done: set[str] = set()
    for name in sorted(hidden - floor, key=lambda n: (-_price(solver.joint, n), n)):
        if name not in hidden or name in done:
            continue
        figure = table.cells[name].figure
        group = {n for n in hidden if figure and table.cells[n].figure == figure} or {name}
        done |= group
        if group & floor:
            continue
        trial = hidden - group
        unknown, targets = solver.unknown(trial), solver.targets(trial)
        protected = sorted(set().union(*(reasons.get(n, set()) for n in group)) & targets)
        if any(solver.is_pinned(unknown, t) for t in protected):
            continue
        near = {other for n in group for k in solver.relations_of.get(n, ())
                for other in table.relations[k]}
        if not solver.pinned(unknown, targets, first=True, near=near):
            hidden = trial
    return hidden
