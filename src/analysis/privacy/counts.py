"""The cohort report's table of counts: every count of people it shows, broken down by
something about them, with the relations a reader can use to work one out from the others.
The solver (analysis.privacy.disclosure) decides from it which to hide; names come from
analysis.privacy.cells, the constructor the report uses too."""

from __future__ import annotations

import pandas as pd

from analysis import codebook
from analysis.privacy import cells
from analysis.privacy.disclosure import Table


def merge_small_groups(values: pd.Series, min_cell: int) -> pd.Series:
    """Group codes as text, 'missing' for blanks; a group with fewer than min_cell people joins
    'other' (unknown stays apart: it is not a group, and is shown as such). The rule of every
    breakdown: the descriptive tables (analysis.models.descriptive) and this table use it."""
    groups = values.astype(object).where(values.notna(), "missing").astype(str)
    groups = groups.replace(codebook.YES_NO)
    sizes = groups.value_counts()
    small = sizes[(sizes < min_cell) & (sizes.index != "missing")].index
    return groups.where(~groups.isin(small), "other")


def cohort_table(results: dict, participants: pd.DataFrame, min_cell: int) -> Table:
    """Every count of people the cohort report shows, broken down by something about them,
    with the relations a reader can use: rows and columns add up to the funnel's totals, a
    finer grouping adds up to a coarser one (age classes to age groups), the same people
    counted in two places (unknown age in the age tables and the missing-data table)."""
    table = Table()
    f = results["funnel"]
    enrolled = participants[participants["enrolled"]]
    totals = {k: table.add(cells.funnel(results, k), f[k], public=True)
              for k in cells.FUNNEL_COUNTS}
    outcome_of = {"n": None, "completed": enrolled["completed"].astype(bool),
                  "dropouts": enrolled["dropout"].astype(bool)}
    members: dict[tuple, frozenset] = {}  # (variable, group) -> participant index
    for variable, block in results["retention"].items():
        merged = merge_small_groups(enrolled[variable], min_cell)
        columns = {k: [] for k in cells.RETENTION_COUNTS}
        for g in block["groups"]:
            cell = {k: cells.retention(results, variable, g["group"], k) for k in columns}
            members[variable, g["group"]] = frozenset(enrolled.index[merged == g["group"]])
            for k in columns:
                columns[k].append(table.add(cell[k], g[k], total=k == "n"))
            table.equal(cell["n"], [cell["completed"], cell["dropouts"]])
        for k, total in (("n", "enrolled"), ("completed", "completed"),
                         ("dropouts", "dropouts")):
            if sum(table.cells[c].value for c in columns[k]) == f[total]:
                table.equal(totals[total], columns[k])
    _nesting(table, results, members, outcome_of)
    for variable, m in results.get("missingness", {}).items():
        name = table.add(cells.missing(results, variable), m["missing"])
        same = frozenset(enrolled.index[enrolled[variable].isna()]) if variable in enrolled else None
        for (by, group), people in members.items():
            if same is not None and people == same and m["missing"]:
                table.equal(name, [cells.retention(results, by, group, "n")])
                break
    _curves(table, results, enrolled, min_cell)
    _followup(table, results, f)
    _stop_reasons(table, results, f)
    _calibration(table, results["models"]["participant"])
    return table


def _calibration(table: Table, model: dict) -> None:
    """Observed dropouts by risk quartile: counts of people too (the percentage times n)."""
    groups = model.get("calibration") or []
    if not groups:
        return
    events = table.add(cells.calibration_total(model, "events"), model["events"], public=True)
    people = table.add(cells.calibration_total(model, "n"), model["n_people"], public=True)
    ns, ev, non = [], [], []
    for g in groups:
        observed = round(g["observed"] * g["n"])
        ns.append(table.add(cells.calibration(model, g["group"], "n"), g["n"], total=True))
        ev.append(table.add(cells.calibration(model, g["group"], "events"), observed))
        non.append(table.add(cells.calibration(model, g["group"], "non_events"),
                             g["n"] - observed, shown=False))
        table.equal(ns[-1], [ev[-1], non[-1]])
    if sum(table.cells[n].value for n in ns) == model["n_people"]:
        table.equal(people, ns)
    if sum(table.cells[e].value for e in ev) == model["events"]:
        table.equal(events, ev)


def _nesting(table: Table, results: dict, members: dict, outcome_of: dict) -> None:
    """A group of one table that is exactly some groups of another adds up to them."""
    by_variable: dict[str, list[tuple]] = {}
    for key in members:
        by_variable.setdefault(key[0], []).append(key)
    for coarse_var, coarse_groups in by_variable.items():
        for fine_var, fine_groups in by_variable.items():
            if fine_var == coarse_var:
                continue
            for coarse in coarse_groups:
                inside = [g for g in fine_groups if members[g] <= members[coarse]]
                if len(inside) < 2 and not (len(inside) == 1 and coarse_var < fine_var):
                    continue  # one-to-one equalities once per pair
                if frozenset().union(*(members[g] for g in inside)) != members[coarse]:
                    continue
                for k in outcome_of:
                    table.equal(cells.retention(results, *coarse, k),
                                [cells.retention(results, *g, k) for g in inside])


def _curves(table: Table, results: dict, enrolled, min_cell: int) -> None:
    """A Kaplan-Meier curve shows, per session, how many of its group dropped out there."""
    f = results["funnel"]
    for variable, block in results.get("retention_curves", {}).items():
        by_session: dict[str, list[str]] = {}
        tabled = {g["group"] for g in results["retention"].get(variable, {}).get("groups", [])}
        for group, points in block["curves"].items():
            steps = []
            retained_before = points[0]["at_risk"]
            for earlier, point in zip(points, points[1:], strict=False):
                # dropouts after session s = the fall in the number retained at s + 1
                retained = round(point["retained"] * points[0]["at_risk"])
                name = table.add(cells.curve_step(results, variable, group, earlier["session"]),
                                 retained_before - retained,
                                 figure=cells.curve(results, variable, group))
                retained_before = retained
                steps.append(name)
                by_session.setdefault(str(earlier["session"]), []).append(name)
            if group in tabled:
                table.equal(cells.retention(results, variable, group, "dropouts"), steps)
        for session, steps in by_session.items():
            total = f["dropouts_after_session"].get(session)
            if total is not None and sum(table.cells[s].value for s in steps) == total:
                name = table.add(cells.funnel_dropouts_after(results, session), total,
                                 public=True)
                table.equal(name, steps)


def _followup(table: Table, results: dict, f: dict) -> None:
    """Follow-up (BPJSTK, reseller) among completers and dropouts whose answer is known."""
    for variable, block in results["followup"].items():
        groups = block.get("by_completion", {}).get("groups", [])
        if not block["n_known"]:
            continue
        cell = {k: cells.followup(results, variable, k) for k in cells.FOLLOWUP_COUNTS}
        n_known = table.add(cell["n_known"], block["n_known"], total=True)
        yes = table.add(cell["yes"], block["yes"], total=True)
        no = table.add(cell["no"], block["n_known"] - block["yes"], shown=False)
        table.equal(n_known, [yes, no])
        if block["n_known"] == f["enrolled"]:
            table.equal(cells.funnel(results, "enrolled"), [n_known])
        ns, yeses, nos = [], [], []
        for g in groups:
            row = {k: cells.followup(results, variable, k, g["group"])
                   for k in cells.FOLLOWUP_GROUP_COUNTS}
            ns.append(table.add(row["n"], g["n"], total=True))
            yeses.append(table.add(row["yes"], g["yes"]))
            nos.append(table.add(row["no"], g["n"] - g["yes"], shown=False))
            table.equal(ns[-1], [yeses[-1], nos[-1]])
            total = "completed" if g["group"] == "completed" else "dropouts"
            if block["n_known"] == f["enrolled"]:
                table.equal(cells.funnel(results, total), [ns[-1]])
        if groups:
            table.equal(n_known, ns)
            table.equal(yes, yeses)
            table.equal(no, nos)


def _stop_reasons(table: Table, results: dict, f: dict) -> None:
    """Why dropouts stopped: the reasons add up to those who gave one, and those who gave one
    and those who did not to the funnel's dropouts (published)."""
    block = results.get("stop_reasons") or {}
    if not block.get("available") or not block["n_dropouts"]:
        return
    n_known = table.add(cells.stop_reasons_total(results, "n_known"), block["n_known"],
                        total=True)
    n_unknown = table.add(cells.stop_reasons_total(results, "n_unknown"), block["n_unknown"])
    table.equal(n_known, [table.add(cells.stop_reason(results, r["code"]), r["n"])
                          for r in block["reasons"]])
    if block["n_dropouts"] == f["dropouts"]:
        table.equal(cells.funnel(results, "dropouts"), [n_known, n_unknown])

