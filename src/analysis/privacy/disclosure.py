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

The audit is exact and quick: every solution found is kept (`Moves`: a cell one changes has
two values, no program needed), linear algebra fixes what it can without a program
(`_surely_pinned`), and a program asks for any solution below or above a cell's value
(`_one_value`), not for its smallest and largest. `protect` hides the same cells as with one
program per bound, in about a tenth of the time. Across reports: `analysis.privacy.joint`.

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

    tied = []
    for relation in table.relations:
        names = [n for n in relation if n in parent]
        if names:
            tied.append((relation, names))
        for other in names[1:]:
            parent[find(other)] = find(names[0])
    groups: dict[str, list[str]] = {}
    for name in unknown:
        groups.setdefault(find(name), []).append(name)
    relations: dict[str, list] = {}
    for relation, names in tied:
        relations.setdefault(find(names[0]), []).append(relation)
    return [(sorted(names), relations.get(root, [])) for root, names in sorted(groups.items())]


PROGRAMS_KEPT = 16


class Moves:
    """The solutions found so far, kept as moves: a solution minus the true counts, split into
    pieces linked by relations. Each piece satisfies every relation on its own (a relation's
    changed cells are all in one piece), so it is a second solution of every program in which
    all its cells are unknown: a cell one piece changes has two possible values there, and no
    integer program is needed to say so. Hiding more never makes a piece invalid; showing a
    cell again drops the pieces that change it."""

    def __init__(self, table: Table):
        self.table = table
        self.pieces: list[frozenset[str]] = []  # the cells each piece changes
        self._of_cell: dict[str, list[int]] = {}
        self._relations_of: dict[str, list[dict]] = {}
        self.sure: dict[tuple, set[str]] = {}  # _surely_pinned of a group of cells
        self._programs: dict[tuple, tuple] = {}  # the latest programs built (`program`)
        for relation in table.relations:
            for name in relation:
                self._relations_of.setdefault(name, []).append(relation)

    def add(self, names: list[str], x, exact: bool = False) -> None:
        """A solution of the program over `names` (the true value for every other cell).
        `exact`: the caller checked that it solves the program exactly, in whole numbers."""
        truth = np.array([self.table.cells[n].value for n in names], dtype=float)
        steps = np.rint(np.asarray(x, dtype=float)) - truth
        delta = {names[i]: int(steps[i]) for i in np.flatnonzero(steps)}
        while delta:
            start = next(iter(delta))
            piece, todo = {start: delta.pop(start)}, [start]
            while todo:
                for relation in self._relations_of.get(todo.pop(), ()):
                    for other in relation:
                        if other in delta:
                            piece[other] = delta.pop(other)
                            todo.append(other)
            if not exact and not self._holds(piece):
                continue  # a solver's rounding gone wrong: kept only when exact
            for name in piece:
                self._of_cell.setdefault(name, []).append(len(self.pieces))
            self.pieces.append(frozenset(piece))

    def program(self, hidden: list[str], relations: list[dict], bound: int = NO_BOUND):
        """`_program`, kept for the next question about the same cells (the last few)."""
        key = (tuple(hidden), bound)
        if key not in self._programs:
            if len(self._programs) >= PROGRAMS_KEPT:
                del self._programs[next(iter(self._programs))]
            self._programs[key] = _program(self.table, hidden, relations, bound)
        return self._programs[key]

    def _holds(self, piece: dict[str, int]) -> bool:
        """Every relation holds, exactly, and no count goes below 0."""
        if any(self.table.cells[n].value + step < 0 for n, step in piece.items()):
            return False
        touched = {id(r): r for n in piece for r in self._relations_of.get(n, ())}
        return all(sum(coef * piece.get(n, 0) for n, coef in r.items()) == 0
                   for r in touched.values())

    def moves(self, name: str, unknown, memo: dict | None = None) -> bool:
        """True when a piece changes `name` and every cell it changes is in `unknown`
        (`memo`: what was found for each piece with this same `unknown`)."""
        for k in self._of_cell.get(name, ()):
            if memo is None:
                if self.pieces[k] <= unknown:
                    return True
                continue
            if k not in memo:
                memo[k] = self.pieces[k] <= unknown
            if memo[k]:
                return True
        return False


def _exact(program: dict, x) -> np.ndarray | None:
    """A solver's solution rounded to whole numbers, if it still solves the program exactly."""
    if x is None:
        return None
    rounded = np.rint(x)
    bounds = program["bounds"]
    if (rounded < bounds.lb).any() or (rounded > bounds.ub).any():
        return None
    for constraint in program["constraints"]:
        if not np.array_equal(constraint.A @ rounded, constraint.lb):
            return None
    return rounded


def value_ranges(table: Table, unknown: set[str], targets) -> dict[str, tuple]:
    """Smallest and largest value each target can take, knowing every cell not in `unknown`
    and the relations: an exact integer program per bound (the systems are small)."""
    ranges = {}
    for names, relations in _components(table, unknown):
        wanted = tuple(n for n in names if n in targets)
        if wanted:
            ranges.update(_solve(table, names, relations, wanted))
    return ranges


def _program(table: Table, hidden: list[str], relations: list[dict], bound: int = NO_BOUND):
    """The integer program of a group of unknown cells: equalities, whole numbers from 0."""
    from scipy.optimize import Bounds, LinearConstraint
    from scipy.sparse import csr_array

    index = {n: i for i, n in enumerate(hidden)}
    rows, cols, data, rhs = [], [], [], []
    for relation in relations:
        known, row = 0, {}
        for name, coef in relation.items():
            if name in index:
                row[index[name]] = row.get(index[name], 0) + coef
            else:
                known += coef * table.cells[name].value
        row = {i: c for i, c in row.items() if c}
        if row:
            for i, c in row.items():
                rows.append(len(rhs))
                cols.append(i)
                data.append(c)
            rhs.append(-known)
    matrix = csr_array((np.array(data, dtype=float), (rows, cols)), shape=(len(rhs), len(hidden)))
    return {"constraints": [LinearConstraint(matrix, rhs, rhs)] if rhs else [],
            "bounds": Bounds(np.zeros(len(hidden)), np.full(len(hidden), bound)),
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


SURE_MAX = 80  # above this many unknown cells the linear algebra costs more than it saves


def _surely_pinned(table: Table, hidden: list[str], relations: list[dict]) -> set[str]:
    """Unknown cells that surely have one possible value, found without an integer program: a
    relation whose unknown cells all count the same way and add up to 0 makes each of them 0
    (counts are not negative); then a cell the relations alone fix, over the real numbers, is
    fixed over whole numbers too. Repeated until nothing more is found. Cells not found here
    may still be pinned (the integer program decides); every cell found here is."""
    if len(hidden) > SURE_MAX or not relations:
        return set()
    index = {n: i for i, n in enumerate(hidden)}
    matrix = np.zeros((len(relations), len(hidden)))
    rhs = np.zeros(len(relations))  # matrix @ x == rhs for the unknown cells x
    for r, relation in enumerate(relations):
        for name, coef in relation.items():
            if name in index:
                matrix[r, index[name]] += coef
            else:
                rhs[r] -= coef * table.cells[name].value
    truth = np.array([table.cells[n].value for n in hidden], dtype=float)
    open_ = np.ones(len(hidden), dtype=bool)   # not fixed yet
    fixed = np.zeros(len(hidden))               # the value of the fixed ones
    while True:
        zeros = np.zeros(len(hidden), dtype=bool)
        while True:  # a relation of same-signed open cells adding up to 0: all of them 0
            live = open_ & ~zeros
            rest = rhs - matrix[:, ~live] @ fixed[~live]
            positive = ((matrix > 0) & live).any(axis=1)
            negative = ((matrix < 0) & live).any(axis=1)
            rows = (positive ^ negative) & (rest == 0)
            new = live & (matrix[rows] != 0).any(axis=0)
            if not new.any():
                break
            zeros |= new
        open_ &= ~zeros
        fixed[zeros] = 0
        if not open_.any():
            break
        sub = matrix[:, open_]
        sub = sub[(sub != 0).any(axis=1)]
        if len(sub):
            _, singular, vh = np.linalg.svd(sub)
            rank = int((singular > 1e-9 * max(1.0, singular[0])).sum())
            free = (np.abs(vh[rank:]) > 1e-8).any(axis=0)
        else:
            free = np.ones(open_.sum(), dtype=bool)
        determined = np.flatnonzero(open_)[~free]
        if not len(determined) and not zeros.any():
            break
        open_[determined] = False
        fixed[determined] = truth[determined]
    return {hidden[i] for i in np.flatnonzero(~open_)}


SPRAY_MIN = 6  # fewer unproven candidates than this: one program each, no spraying


def _spray(table: Table, hidden: list[str], relations: list[dict], candidates, moves: Moves,
           bound: int) -> None:
    """Solutions pushed every way at once: each program pulls every candidate no piece moves
    yet up or down at random (whole numbers from 0 to `bound`), and a solution usually moves
    most of them. Stops when one solves few more. Only adds pieces: it decides nothing."""
    from scipy.optimize import milp

    inside, memo = set(hidden), {}
    left = [n for n in candidates if not moves.moves(n, inside, memo)]
    if len(left) < SPRAY_MIN:
        return
    program, index = moves.program(hidden, relations, bound)
    rng = np.random.default_rng(len(hidden))  # the same program, the same solutions
    while len(left) >= SPRAY_MIN:
        c = np.zeros(len(hidden))
        c[[index[n] for n in left]] = rng.choice([-1.0, 1.0], size=len(left))
        solution = _exact(program, milp(c, **program).x)
        if solution is None:
            return
        moves.add(hidden, solution, exact=True)
        now = [n for n in left if not moves.moves(n, inside, memo)]
        if len(now) > 0.8 * len(left):
            return
        left = now


def _one_value(program: dict, i: int, value: int, moves: Moves, hidden: list[str]) -> bool:
    """True when no whole-number solution gives cell i another value than its own: one search
    for a solution below it, one above (any solution will do; the first found is kept)."""
    from scipy.optimize import Bounds, milp

    bounds = program["bounds"]
    for below in (True, False):
        lower, upper = bounds.lb.copy(), bounds.ub.copy()
        if below:
            upper[i] = value - 1
        else:
            lower[i] = value + 1
        if lower[i] > upper[i]:
            continue
        found = milp(np.zeros(len(lower)), constraints=program["constraints"],
                     bounds=Bounds(lower, upper), integrality=program["integrality"])
        if found.status == 2:  # no such solution
            continue
        if found.status != 0:  # undecided: never taken for "not pinned"
            raise RuntimeError(f"disclosure control: the integer program failed ({found.message})")
        exact = _exact({**program, "bounds": Bounds(lower, upper)}, found.x)
        if exact is not None:
            moves.add(hidden, exact, exact=True)
        return False
    return True


def _first_pinned(table: Table, hidden: list[str], relations: list[dict], candidates,
                  moves: Moves | None = None, first: bool = True, spray: int | None = None):
    """The first candidate with one possible value (`first=False`: every such candidate).
    Every solution found on the way is kept (`moves`): a cell that differs from its true value
    in any of them has two values, no program needed; a cell that `_surely_pinned` finds needs
    none either. `spray`: first look for solutions that move many candidates at once
    (`_spray`, counts up to this bound)."""
    moves = moves if moves is not None else Moves(table)
    inside, memo = set(hidden), {}
    tied = set().union(*relations) if relations else set()
    program = index = surely = None
    found = []
    if spray:
        _spray(table, hidden, relations, [n for n in candidates if n in tied], moves, spray)
    for name in candidates:
        if name not in tied or moves.moves(name, inside, memo):
            continue
        if surely is None:
            key = tuple(hidden)
            if key not in moves.sure:
                moves.sure[key] = _surely_pinned(table, hidden, relations)
            surely = moves.sure[key]
        pinned = True
        if name not in surely:
            if program is None:
                program, index = moves.program(hidden, relations)
            pinned = _one_value(program, index[name], table.cells[name].value, moves, hidden)
        if pinned:
            if first:
                return name
            found.append(name)
    return None if first else found


def _unknown(table: Table, hidden: set[str], public: set[str]) -> set[str]:
    return {n for n, c in table.cells.items() if n not in public and (n in hidden or not c.shown)}


def _first_exposed(table: Table, unknown: set[str], min_cell: int, cache: dict,
                   only: set[str] | None = None, moves: Moves | None = None) -> str | None:
    """The first hidden count, or small implied count, that the shown ones pin to one value
    (None: every one has at least two possible values). `only`: look at these cells' groups."""
    for names, relations in _components(table, unknown):
        if only is not None and not only.intersection(names):
            continue
        key = ("first", tuple(names))
        if key not in cache:
            candidates = [n for n in names
                          if table.cells[n].shown or 0 < table.cells[n].value < min_cell]
            cache[key] = _first_pinned(table, names, relations, candidates, moves)
        if cache[key] is not None:
            return cache[key]
    return None


def _component_of(table: Table, unknown: set[str], target: str,
                  relations_of: dict[str, list[int]]) -> tuple[list[str], list[dict]]:
    """The unknown cells linked to `target` by relations, with their relations (what
    `_components` gives for the target's group, without the others)."""
    names, todo, linked = {target}, [target], set()
    while todo:
        for k in relations_of.get(todo.pop(), ()):
            if k not in linked:
                linked.add(k)
                for other in table.relations[k]:
                    if other in unknown and other not in names:
                        names.add(other)
                        todo.append(other)
    return sorted(names), [table.relations[k] for k in sorted(linked)]


def _relations_of(table: Table) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for k, relation in enumerate(table.relations):
        for name in relation:
            index.setdefault(name, []).append(k)
    return index


def _pinned(table: Table, unknown: set[str], target: str, cache: dict,
            moves: Moves | None = None, relations_of: dict | None = None) -> bool:
    if target not in unknown:
        return False
    names, relations = _component_of(table, unknown, target,
                                     relations_of if relations_of is not None
                                     else _relations_of(table))
    key = ("one", tuple(names), target)
    if key not in cache:
        cache[key] = _first_pinned(table, names, relations, [target], moves) is not None
    return cache[key]


def _public_by_totals(table: Table, moves: Moves | None = None) -> set[str]:
    """Cells the published totals alone determine (everything else unknown)."""
    unknown = {n for n, c in table.cells.items() if not c.public}
    moves = moves if moves is not None else Moves(table)
    determined = set()
    for names, relations in _components(table, unknown):
        determined.update(_first_pinned(table, names, relations, names, moves, first=False))
    return determined | {n for n, c in table.cells.items() if c.public}


def breakdown_of(name: str) -> str | None:
    """The breakdown (variable) a count is a row of: sector for
    "retention/sector/garment_textile/n" (also named by its report, "<report>:retention/…"),
    its implied unmerged groups and its curve's steps."""
    parts = name.rsplit(":", 1)[-1].split("/")
    return parts[1] if parts[0] in ("retention", "groups", "curve") and len(parts) > 2 else None


def protect(table: Table, min_cell: int, hidden_last=()) -> list[str]:
    """The cells to hide: primary (0 < count < min_cell) plus complementary, chosen greedily
    (the smallest count that shares a relation with an exposed cell, ties by name; counts of
    the breakdowns in `hidden_last` after the others, totals last), until no hidden or small
    implied count has a single possible value. A figure (a retention curve) is drawn whole or
    not at all."""
    return protect_with_public(table, min_cell, hidden_last)[0]


def protect_with_public(table: Table, min_cell: int,
                        hidden_last=()) -> tuple[list[str], set[str]]:
    """`protect`, and the cells the published totals determine (never hidden)."""
    public = _public_by_totals(table)
    hidden = {n for n, c in table.cells.items()
              if c.shown and n not in public and 0 < c.value < min_cell}
    cache: dict = {}
    moves = Moves(table)  # every solution found, for every later question
    relations_of = _relations_of(table)
    steps = _figure_steps(table)
    latent = {n for n, c in table.cells.items() if not c.shown} - public

    def unknown_of(hidden):  # _unknown(table, hidden, public)
        return (hidden - public) | latent

    def whole(hidden):
        return _whole_figures(table, hidden, steps)

    def named(name):  # a named group (garment) tells more than the residual "other"
        return not any(f"/{g}/" in name for g in RESIDUAL_GROUPS)

    def cost(name):  # hide counts inside a table before the totals readers rely on
        return (table.cells[name].total, breakdown_of(name) in hidden_last, named(name),
                table.cells[name].value, name)

    neighbours: dict[str, set[str]] = {n: set() for n in table.cells}
    for relation in table.relations:
        for name in relation:
            neighbours[name] |= set(relation)
    primary = set(hidden)
    while True:
        hidden = whole(hidden)
        target = _first_exposed(table, unknown_of(hidden), min_cell, cache,
                                moves=moves)
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
            trial = whole(hidden | {candidate})
            if not _pinned(table, unknown_of(trial), target, cache, moves,
                           relations_of):
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
            if _first_exposed(table, unknown_of(trial), min_cell, cache,
                              only=look, moves=moves) is None:
                hidden = trial
                break
    return sorted(hidden), public


def _figure_steps(table: Table) -> dict[str, list[str]]:
    steps: dict[str, list[str]] = {}
    for name, c in table.cells.items():
        if c.figure:
            steps.setdefault(c.figure, []).append(name)
    return steps


def _whole_figures(table: Table, hidden: set[str], steps: dict | None = None) -> set[str]:
    """A curve with one hidden step is not drawn: all its steps are hidden (`steps`: each
    figure's cells, `_figure_steps`)."""
    gone = {table.cells[n].figure for n in hidden if table.cells[n].figure}
    if not gone:
        return set(hidden)
    steps = steps if steps is not None else _figure_steps(table)
    return set(hidden).union(*(steps[f] for f in gone))
