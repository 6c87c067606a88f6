"""Disclosure control: which counts a shared report hides, so that none can be worked out.

A count of fewer than `min_cell` people (but not zero) is hidden (primary suppression). Hiding
it is not enough when the report also shows the row's total, the column's total, a percentage or
another table that adds up to it: 7 participants, 5 completed, "dropped out: hidden" gives 2. So
more cells are hidden (complementary suppression) until no hidden count has a single possible
value given everything the report shows. The check plays the attacker: every count the report
shows is a known number, every hidden one an unknown whole number from 0 up (zeros are shown
unless hiding one is the only way to protect another count: "nobody at risk of layoff dropped
out" gives away "all 4 dropouts were laid off"), and for each hidden count a small integer
program finds its smallest and largest possible value; equal means disclosed.

Counts that the published funnel already determines (a table with one group repeats the cohort's
totals) are public, never hidden. The funnel itself (attendance per session, completers,
dropouts) is the programme's headline, published in full.

Cells are named by their place in results.json ("retention/sector/garment_textile/dropouts");
`protect` returns the names to hide, and the report shows each of them as one mark
(`report.HIDDEN_MARK`), so a reader cannot tell a small count from a complementary one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NO_BOUND = 10**7
RESIDUAL_GROUPS = ("other", "missing")  # hidden before named groups, shown again after them


@dataclass
class Cell:
    value: int
    shown: bool = True       # a number in a table; False: never printed, implied (e.g. "no")
    public: bool = False     # a published total (the funnel): known to everyone
    figure: str | None = None   # the figure (curve) the cell is drawn in, hidden as a whole
    total: bool = False      # a row or table total: hidden only when inner cells cannot do


@dataclass
class Table:
    """Counts and the linear relations between them (sum of coef * cell == 0)."""
    cells: dict[str, Cell] = field(default_factory=dict)
    relations: list[dict[str, int]] = field(default_factory=list)

    def add(self, name: str, value: int, **kind) -> str:
        self.cells[name] = Cell(int(value), **kind)
        return name

    def equal(self, total: str, parts: list[str]) -> None:
        """total == sum(parts)"""
        relation = {total: 1}
        for part in parts:
            relation[part] = relation.get(part, 0) - 1
        self.relations.append({k: v for k, v in relation.items() if v})


def _components(table: Table, unknown: set[str]) -> list[tuple[list[str], list[dict]]]:
    """Unknown cells linked by relations (known cells are numbers, they link nothing), each
    group with its relations: audited on its own."""
    parent = {name: name for name in unknown}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for relation in table.relations:
        names = [n for n in relation if n in unknown]
        for other in names[1:]:
            parent[find(other)] = find(names[0])
    groups: dict[str, list[str]] = {}
    for name in unknown:
        groups.setdefault(find(name), []).append(name)
    relations: dict[str, list] = {}
    for relation in table.relations:
        names = [n for n in relation if n in unknown]
        if names:
            relations.setdefault(find(names[0]), []).append(relation)
    return [(sorted(names), relations.get(root, [])) for root, names in sorted(groups.items())]


def value_ranges(table: Table, unknown: set[str], targets) -> dict[str, tuple]:
    """Smallest and largest value each target can take, knowing every cell not in `unknown`
    and the relations: an exact integer program per bound (the systems are small)."""
    ranges = {}
    for names, relations in _components(table, unknown):
        wanted = tuple(n for n in names if n in targets)
        if wanted:
            ranges.update(_solve(table, names, relations, wanted))
    return ranges


def _program(table: Table, hidden: list[str], relations: list[dict]):
    """The integer program of a group of unknown cells: equalities, whole numbers from 0."""
    from scipy.optimize import Bounds, LinearConstraint

    index = {n: i for i, n in enumerate(hidden)}
    rows, rhs = [], []
    for relation in relations:
        row = np.zeros(len(hidden))
        known = 0
        for name, coef in relation.items():
            if name in index:
                row[index[name]] += coef
            else:
                known += coef * table.cells[name].value
        if row.any():
            rows.append(row)
            rhs.append(-known)
    return {"constraints": [LinearConstraint(np.array(rows), rhs, rhs)] if rows else [],
            "bounds": Bounds(np.zeros(len(hidden)), np.full(len(hidden), NO_BOUND)),
            "integrality": np.ones(len(hidden))}, index


def _solve(table: Table, hidden: list[str], relations: list[dict], wanted) -> dict:
    """Smallest and largest value of each wanted cell."""
    from scipy.optimize import milp

    program, index = _program(table, hidden, relations)
    ranges = {}
    for name in wanted:
        if not any(name in r for r in relations):
            ranges[name] = (None, None)  # nothing ties it to any number shown
            continue
        c = np.zeros(len(hidden))
        c[index[name]] = 1
        lo, hi = milp(c, **program), milp(-c, **program)
        if lo.status != 0 or hi.status != 0:  # unbounded (not determined) or no solution
            ranges[name] = (None, None)
            continue
        ranges[name] = (round(lo.fun), round(-hi.fun))
    return ranges


def _first_pinned(table: Table, hidden: list[str], relations: list[dict], candidates) -> str | None:
    """The first candidate with one possible value. Every solution found on the way is kept:
    a cell that differs from its true value in any of them has two values, no program needed."""
    from scipy.optimize import milp

    program, index = _program(table, hidden, relations)
    true = np.array([table.cells[n].value for n in hidden], dtype=float)
    others: list[np.ndarray] = []
    for name in candidates:
        i = index[name]
        if not any(name in r for r in relations):
            continue
        if any(abs(x[i] - true[i]) > 0.5 for x in others):
            continue
        c = np.zeros(len(hidden))
        c[i] = 1
        pinned = True
        for sign in (1, -1):
            found = milp(sign * c, **program)
            if found.status != 0:  # unbounded: not pinned
                pinned = False
                break
            others.append(found.x)
            if abs(found.x[i] - true[i]) > 0.5:
                pinned = False
                break
        if pinned:
            return name
    return None


def _unknown(table: Table, hidden: set[str], public: set[str]) -> set[str]:
    return {n for n, c in table.cells.items() if n not in public and (n in hidden or not c.shown)}


def _first_exposed(table: Table, unknown: set[str], min_cell: int, cache: dict,
                   only: set[str] | None = None) -> str | None:
    """The first hidden count, or small implied count, that the shown ones pin to one value
    (None: every one has at least two possible values). `only`: look at these cells' groups."""
    for names, relations in _components(table, unknown):
        if only is not None and not only.intersection(names):
            continue
        key = ("first", tuple(names))
        if key not in cache:
            candidates = [n for n in names
                          if table.cells[n].shown or 0 < table.cells[n].value < min_cell]
            cache[key] = _first_pinned(table, names, relations, candidates)
        if cache[key] is not None:
            return cache[key]
    return None


def _pinned(table: Table, unknown: set[str], target: str, cache: dict) -> bool:
    for names, relations in _components(table, unknown):
        if target in names:
            key = ("one", tuple(names), target)
            if key not in cache:
                cache[key] = _first_pinned(table, names, relations, [target]) is not None
            return cache[key]
    return False


def _public_by_totals(table: Table) -> set[str]:
    """Cells the published totals alone determine (everything else unknown)."""
    unknown = {n for n, c in table.cells.items() if not c.public}
    ranges = value_ranges(table, unknown, unknown)
    return {n for n, (lo, hi) in ranges.items() if lo is not None and lo == hi} | {
        n for n, c in table.cells.items() if c.public}


def protect(table: Table, min_cell: int) -> list[str]:
    """The cells to hide: primary (0 < count < min_cell) plus complementary, chosen greedily
    (the smallest count that shares a relation with an exposed cell, ties by name), until
    no hidden or small implied count has a single possible value. A figure (a retention
    curve) is drawn whole or not at all."""
    public = _public_by_totals(table)
    hidden = {n for n, c in table.cells.items()
              if c.shown and n not in public and 0 < c.value < min_cell}
    cache: dict = {}

    def named(name):  # a named group (garment) tells more than the residual "other"
        return not any(f"/{g}/" in name for g in RESIDUAL_GROUPS)

    def cost(name):  # hide counts inside a table before the totals readers rely on
        return (table.cells[name].total, named(name), table.cells[name].value, name)

    neighbours: dict[str, set[str]] = {n: set() for n in table.cells}
    for relation in table.relations:
        for name in relation:
            neighbours[name] |= set(relation)
    primary = set(hidden)
    while True:
        hidden = _whole_figures(table, hidden)
        target = _first_exposed(table, _unknown(table, hidden, public), min_cell, cache)
        if target is None:
            break
        near = neighbours[target]
        linked = near.union(*(neighbours[h] for h in hidden))
        candidates = sorted(
            (n for n in linked if n not in hidden and n not in public
             and table.cells[n].shown),
            key=lambda n: (n not in near, *cost(n)))
        if not candidates:
            raise RuntimeError(f"disclosure control: cannot protect {target}")
        for candidate in candidates:
            trial = _whole_figures(table, hidden | {candidate})
            if not _pinned(table, _unknown(table, trial, public), target, cache):
                hidden = trial
                break
        else:  # no one cell is enough: hide the cheapest inner count and look again
            hidden = hidden | {min(candidates, key=cost)}
    # the greedy choice can hide more than it needs: show again, dearest first, what can be
    # (one count, or with the other hidden counts of a relation it is in: a row's two cells)
    # Small tables first (age under/over 40: the unions' question), larger counts first.
    def table_of(name):
        return name.rsplit("/", 2)[0]

    sizes = {}
    for n in table.cells:
        sizes[table_of(n)] = sizes.get(table_of(n), 0) + 1
    for name in sorted(hidden - primary, key=lambda n: (sizes[table_of(n)], not named(n),
                                                        -table.cells[n].value, n)):
        if name not in hidden or table.cells[name].figure:
            continue
        tries = [{name}] + [{name} | (set(r) & hidden - primary) for r in table.relations
                            if name in r]
        tries.append({n for n in hidden - primary if table_of(n) == table_of(name)})
        for shown_again in tries:
            if any(table.cells[n].figure for n in shown_again):
                continue
            trial = hidden - shown_again
            look = set(shown_again).union(*(neighbours[n] for n in shown_again))
            if _first_exposed(table, _unknown(table, trial, public), min_cell, cache,
                              only=look) is None:
                hidden = trial
                break
    return sorted(hidden)


def _whole_figures(table: Table, hidden: set[str]) -> set[str]:
    """A curve with one hidden step is not drawn: all its steps are hidden."""
    gone = {table.cells[n].figure for n in hidden if table.cells[n].figure}
    return hidden | {n for n, c in table.cells.items() if c.figure in gone}
