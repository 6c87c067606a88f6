"""Disclosure control across every report a reader can hold (analysis.privacy.joint): the cohort
reports, the pooled report and the earlier pooled releases, attacked all at once.

The attacker is the exact integer program (`disclosure.value_ranges`) over the joint table:
every count any report or release shows is a known number, every hidden count an unknown whole
number from 0 up; one possible value is a failure. Each attack is first shown to work against
the protection of each report on its own (today's rule: `disclosure.protect` per table), so
the tests can fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.privacy import disclosure, joint, releases
from analysis.privacy.counts import merge_small_groups
from analysis.privacy.joint import POOLED, Cohort, cell, hidden_cells
from analysis.privacy.releases import ReleaseMismatch, read_releases, release_of, write_release

MIN_CELL = 5


def tiny(cohort: str, rows: dict[str, tuple[int, int]]) -> Cohort:
    """A cohort with one breakdown (sector): group -> (participants, completed)."""
    people = pd.DataFrame([{"enrolled": True, "completed": i < done, "dropout": i >= done,
                            "sector": sector}
                           for sector, (n, done) in rows.items() for i in range(n)])
    merged = merge_small_groups(people["sector"], MIN_CELL)
    groups = []
    for group in sorted(set(merged)):
        members = people[merged == group]
        groups.append({"group": group, "n": len(members),
                       "completed": int(members["completed"].sum()),
                       "dropouts": int(members["dropout"].sum())})
    results = {"parameters": {"min_cell": MIN_CELL},
               "funnel": {"enrolled": len(people), "completed": int(people["completed"].sum()),
                          "dropouts": int(people["dropout"].sum()), "dropouts_after_session": {}},
               "retention": {"sector": {"groups": groups}}, "retention_curves": {},
               "followup": {}, "missingness": {}, "models": {"participant": {}}}
    return Cohort(cohort, results, people)


def each_alone(table: joint.JointTable) -> dict[str, list[str]]:
    """Today's rule: every report protected on its own table."""
    return {report: disclosure.protect(own, table.min_cells[report])
            for report, own in table.own.items()}


def pinned(table: joint.JointTable, hidden: dict[str, list[str]], targets=None) -> dict:
    """The attacker over all reports at once: every hidden count (and every small implied one)
    with a single possible value, by the exact integer program."""
    names = {cell(report, n) for report, ns in hidden.items() for n in ns}
    cells = table.table.cells
    unknown = {n for n, c in cells.items() if not c.public and (n in names or not c.shown)}
    if targets is None:
        targets = {n for n in unknown if cells[n].shown
                   or 0 < cells[n].value < table.min_cells.get(joint.report_of(n), MIN_CELL)}
    ranges = disclosure.value_ranges(table.table, unknown, targets)
    return {n: r for n, r in ranges.items() if r[0] is not None and r[0] == r[1]}


def given_away_anyway(table: joint.JointTable, hidden: dict, cohorts) -> None:
    """With only the pooled report allowed to hide more: nothing is pinned but the counts
    `given_away` names, and each of those is pinned even if the pooled report hid every count
    it could (the cohort reports give them away on their own; the pooled report adds nothing)."""
    found = pinned(table, hidden)
    assert set(found) <= set(table.given_away)
    everything = [n for n, c in table.own[POOLED].cells.items() if c.shown and not c.public]
    nothing_pooled = pinned(table, {**{c.id: c.hidden for c in cohorts}, POOLED: everything},
                            set(table.given_away))
    assert set(nothing_pooled) == set(table.given_away)


# --- attack (a): a pooled count minus the other cohorts' counts ---------------------------------

def test_a_pooled_count_minus_the_other_cohorts_counts_gives_nothing_away():
    # Cohort a hides its 2 garment dropouts (and the rest of its 2 x 2 table); cohort b shows
    # its 8; a pooled table shows 10: 10 - 8 = 2.
    a = tiny("a", {"garment_textile": (12, 10), "food_processing": (10, 5)})
    b = tiny("b", {"garment_textile": (20, 12), "food_processing": (15, 9)})
    table = joint.joint_table([a, b], MIN_CELL)
    target = cell("a", "retention/sector/garment_textile/dropouts")
    alone = each_alone(table)
    assert "retention/sector/garment_textile/dropouts" in alone["a"] and not alone[POOLED]
    assert pinned(table, alone, {target}) == {target: (2, 2)}  # the attack works today
    hidden = joint.protect_jointly([a, b], MIN_CELL)
    assert pinned(table, hidden) == {}
    assert set(hidden["a"]) >= set(alone["a"]) and set(hidden["b"]) >= set(alone["b"])
    low, high = disclosure.value_ranges(table.table, _unknown(table, hidden), {target})[target]
    assert low < 2 < high


def _unknown(table, hidden):
    names = {cell(report, n) for report, ns in hidden.items() for n in ns}
    return {n for n, c in table.table.cells.items()
            if not c.public and (n in names or not c.shown)}


def test_a_group_merged_in_one_cohort_and_shown_pooled_gives_nothing_away():
    # Cohort a has 2 people in retail and 3 in food processing, merged into its "other" row;
    # b shows its 10 retail people as a row; the pooled report shows 12 in retail: a's 2 are
    # worked out (an implied small count: no report prints it).
    a = tiny("a", {"garment_textile": (15, 9), "retail_hospitality": (2, 1),
                   "food_processing": (3, 2)})
    b = tiny("b", {"garment_textile": (14, 8), "retail_hospitality": (10, 5),
                   "food_processing": (8, 4)})
    table = joint.joint_table([a, b], MIN_CELL)
    raw = cell("a", "groups/sector/retail_hospitality/n")
    assert raw in table.table.cells and not table.table.cells[raw].shown
    assert [g["group"] for g in a.results["retention"]["sector"]["groups"]] == [
        "garment_textile", "other"]
    assert {g["group"] for g in table.pooled["retention"]["sector"]["groups"]} == {
        "garment_textile", "retail_hospitality", "food_processing"}
    alone = each_alone(table)
    assert pinned(table, alone, {raw}) == {raw: (2, 2)}
    hidden = joint.protect_jointly([a, b], MIN_CELL)
    assert pinned(table, hidden) == {}


# --- attack (b): a later pooled release minus an earlier one -----------------------------------

A = {"garment_textile": (12, 10), "food_processing": (10, 5)}
C = {"garment_textile": (11, 8), "food_processing": (9, 5)}
B = {"garment_textile": (12, 10), "food_processing": (10, 5)}


def first_release() -> releases.Release:
    """The pooled report of cohorts a and c, protected jointly: a and c hide their garment
    dropouts (2 and 3), each other's cover, so the release shows the sum, 5."""
    cohorts = [tiny("a", A), tiny("c", C)]
    table = joint.joint_table(cohorts, MIN_CELL)
    release = release_of(1, table, joint.protect_jointly(cohorts, MIN_CELL, joint=table))
    assert release.shown["retention/sector/garment_textile/dropouts"] == 5
    return release


def test_a_later_release_minus_an_earlier_one_gives_nothing_away():
    release = first_release()
    cohorts = [tiny("a", A), tiny("c", C), tiny("b", B)]
    target = cell("b", "retention/sector/garment_textile/dropouts")
    # without the record of release 1 each report alone leaves b's 2 open: 7 - a - c
    without = joint.joint_table(cohorts, MIN_CELL)
    assert not pinned(without, each_alone(without), {target})
    # with it, the pooled report of a, b and c (7) minus release 1 (5) gives b's 2
    table = joint.joint_table(cohorts, MIN_CELL, [release])
    alone = each_alone(table)
    assert not alone[POOLED]
    assert pinned(table, alone, {target}) == {target: (2, 2)}
    hidden = joint.protect_jointly(cohorts, MIN_CELL, [release])
    assert pinned(table, hidden) == {}
    assert "retention/sector/garment_textile/dropouts" in hidden[POOLED]


def test_what_a_release_showed_is_never_hidden_again_nor_undone_by_a_rebuild(tmp_path):
    release = first_release()
    folder = tmp_path / "releases"
    path = write_release(release, folder)
    assert path.name == "pooled-1.json"
    assert read_releases(folder) == [release]
    assert write_release(release, folder) == path  # the same record again: nothing changes
    # a rebuild of the same pooled report, reading the record, hides what release 1 hid
    cohorts = [tiny("a", A), tiny("c", C)]
    table = joint.joint_table(cohorts, MIN_CELL, read_releases(folder))
    again = joint.protect_jointly(cohorts, MIN_CELL, joint=table)
    assert release_of(1, table, again) == release
    assert not releases.needs_release(read_releases(folder), ["a", "c"])
    assert releases.needs_release(read_releases(folder), ["a", "b", "c"])
    # the record's cells are known numbers in the joint table, never unknown
    for name in release.shown:
        assert table.table.cells[cell(release.report, name)].public
    with pytest.raises(ReleaseMismatch, match="never rewritten"):
        write_release(releases.Release(1, ("a",), MIN_CELL, {"funnel/enrolled": 1}, {}), folder)


def test_the_record_holds_only_what_the_release_showed(tmp_path):
    cohorts = [tiny("a", A), tiny("c", C)]
    table = joint.joint_table(cohorts, MIN_CELL)
    hidden = joint.protect_jointly(cohorts, MIN_CELL, joint=table)
    hidden[POOLED] = ["retention/sector/food_processing/dropouts"]  # as if the pooled hid one
    release = release_of(1, table, hidden)
    data = json.loads(write_release(release, tmp_path).read_text(encoding="utf-8"))
    assert set(data) == {"format", "release", "report", "min_cell", "cohorts", "groups", "shown"}
    assert data["cohorts"] == ["a", "c"]
    assert "retention/sector/food_processing/dropouts" not in data["shown"]
    own = table.own[POOLED].cells
    assert data["shown"] == {n: own[n].value for n in data["shown"]}
    assert all(own[n].shown for n in data["shown"])


def test_a_release_the_cohorts_no_longer_agree_with_is_refused(tmp_path):
    release = first_release()
    changed = tiny("a", {"garment_textile": (12, 9), "food_processing": (10, 5)})
    with pytest.raises(ReleaseMismatch, match="changed after the release"):
        joint.joint_table([changed, tiny("c", C), tiny("b", B)], MIN_CELL, [release])
    with pytest.raises(ReleaseMismatch, match="not among the cohorts"):
        joint.joint_table([tiny("a", A), tiny("b", B)], MIN_CELL, [release])
    folder = tmp_path / "releases"
    write_release(release, folder)
    (folder / "pooled-3.json").write_text(
        (folder / "pooled-1.json").read_text(encoding="utf-8").replace('"release": 1',
                                                                       '"release": 3'))
    with pytest.raises(ReleaseMismatch, match="a record is missing"):
        read_releases(folder)


def test_a_release_that_gave_a_count_away_is_an_error_not_a_hidden_count():
    # a record (not made by protect_jointly) that showed a's 2 garment dropouts, which a's own
    # report hides: no count can be hidden now to protect them, and the build says so
    a = tiny("a", A)
    shown = {"funnel/enrolled": 22, "retention/sector/garment_textile/dropouts": 2}
    release = releases.Release(1, ("a",), MIN_CELL, shown, {})
    with pytest.raises(joint.DisclosureError, match="earlier releases alone determine it"):
        joint.protect_jointly([a, tiny("b", B)], MIN_CELL, [release])


# --- the real breakdowns, synthetic participants -----------------------------------------------

def made_up(k: int) -> list[Cohort]:
    from analysis.synthetic import frames

    return [Cohort(i, counts, people) for i, counts, people in frames.cohorts(k, 50, seed=3)]


@pytest.fixture(scope="module")
def synthetic():
    return made_up(4)


def test_pooled_counts_are_the_descriptive_tables_of_all_cohorts_stacked():
    from analysis import models

    cohorts = made_up(2)
    pooled = joint.pooled_counts(cohorts, MIN_CELL)
    people = joint.stacked(cohorts)
    for variable, block in pooled["retention"].items():
        expected = models.retention_by(people, variable, MIN_CELL)
        assert [{k: g[k] for k in ("group", "n", "completed", "dropouts", "merged_from")}
                for g in block["groups"]] == [
            {k: g[k] for k in ("group", "n", "completed", "dropouts", "merged_from")}
            for g in expected]
    assert pooled["funnel"]["enrolled"] == sum(c.results["funnel"]["enrolled"] for c in cohorts)
    for variable, block in pooled["followup"].items():
        assert block["n_known"] == sum(c.results["followup"][variable]["n_known"]
                                       for c in cohorts)


@pytest.mark.slow
def test_every_report_and_an_earlier_release_attacked_at_once(synthetic):
    """Four cohorts with every breakdown, curves, follow-up and risk quartiles, the pooled
    report, and the pooled release made before the fourth cohort: the exact integer program
    pins no hidden count of any report (nor any small implied one); every cohort report hides
    at least what it hides alone."""
    earlier = synthetic[:3]
    first = joint.joint_table(earlier, MIN_CELL)
    release = release_of(1, first, joint.protect_jointly(earlier, MIN_CELL, joint=first))
    table = joint.joint_table(synthetic, MIN_CELL, [release])
    hidden = joint.protect_jointly(synthetic, MIN_CELL, joint=table)
    assert pinned(table, hidden) == {}
    for c in synthetic:
        alone = hidden_cells(c.results, c.participants, MIN_CELL)
        assert set(alone) <= set(hidden[c.id]), c.id  # only ever stricter than today
        primary = {n for n, x in table.own[c.id].cells.items() if x.shown and not x.public
                   and 0 < x.value < MIN_CELL}
        assert primary - disclosure._public_by_totals(table.own[c.id]) <= set(hidden[c.id])
    pooled = table.own[POOLED].cells
    assert {n for n, x in pooled.items() if x.shown and 0 < x.value < MIN_CELL} <= set(
        hidden[POOLED])
    # and the attack this guards against is there: each report alone leaves counts pinned
    assert pinned(table, each_alone(table))


@pytest.mark.slow
def test_a_cohort_report_only_ever_hides_more_than_it_does_alone(synthetic):
    cohorts = [Cohort(c.id, c.results, c.participants) for c in synthetic[:2]]
    hidden = joint.protect_jointly(cohorts, MIN_CELL)
    for c in cohorts:
        assert set(hidden_cells(c.results, c.participants, MIN_CELL)) <= set(hidden[c.id])
    # the floor can come from results.json instead (what the cohort build recorded)
    recorded = [Cohort(c.id, c.results, c.participants, hidden=hidden_cells(
        c.results, c.participants, MIN_CELL)) for c in cohorts]
    assert joint.protect_jointly(recorded, MIN_CELL) == hidden


@pytest.mark.slow
def test_the_demo_cohorts_and_their_pooled_report_give_nothing_away(tmp_path):
    """The shipped demos, cleaned and modelled as the pipeline does (their results.json's own
    protection as the floor): each report alone leaves counts that the reports together pin;
    the joint protection leaves none."""
    from analysis.ingest.clean import clean_cohort, write_outputs
    from analysis.models.results import build_results, load_processed

    root = Path(__file__).resolve().parents[1]
    from analysis.synthetic.specs import DEMO_COHORTS

    cohorts = []
    for cohort in (spec.id for spec in DEMO_COHORTS):
        processed = tmp_path / "processed" / cohort
        write_outputs(clean_cohort(root / "data" / "raw" / cohort), processed,
                      tmp_path / "interim" / cohort)
        data = load_processed(processed)
        results = build_results(data, "dropout ~ age_40_plus + garment + "
                                "log_messages_before_session2",
                                "dropout ~ C(session) + age_40_plus + garment", influence=False)
        cohorts.append(Cohort(cohort, results, data["participants"],
                              hidden=results["disclosure"]["hidden"]))
    table = joint.joint_table(cohorts, MIN_CELL)
    assert pinned(table, each_alone(table))
    hidden = joint.protect_jointly(cohorts, MIN_CELL, joint=table)
    assert pinned(table, hidden) == {}
    for c in cohorts:
        assert set(c.hidden) <= set(hidden[c.id])
    only_pooled = joint.protect_jointly(cohorts, MIN_CELL, joint=table, hide_in={POOLED})
    for c in cohorts:
        assert sorted(only_pooled[c.id]) == sorted(c.hidden)
    given_away_anyway(table, only_pooled, cohorts)
    assert table.given_away == []  # each report's own protection covers its merged groups


@pytest.mark.slow
def test_hiding_only_in_the_pooled_report_protects_as_well(synthetic):
    """What the pipeline runs (`hide_in={POOLED}`): the cohort reports stay exactly as they
    were sent, and the pooled report alone hides what the reports together would give away."""
    earlier = synthetic[:3]
    first = joint.joint_table(earlier, MIN_CELL)
    release = release_of(1, first, joint.protect_jointly(earlier, MIN_CELL, joint=first,
                                                         hide_in={POOLED}))
    cohorts = [Cohort(c.id, c.results, c.participants,
                      hidden=hidden_cells(c.results, c.participants, MIN_CELL)) for c in synthetic]
    table = joint.joint_table(cohorts, MIN_CELL, [release])
    hidden = joint.protect_jointly(cohorts, MIN_CELL, [release], joint=table, hide_in={POOLED})
    for c in cohorts:
        assert sorted(hidden[c.id]) == sorted(c.hidden), c.id
    given_away_anyway(table, hidden, cohorts)
    assert table.given_away == []
    assert pinned(table, {**{c.id: c.hidden for c in cohorts}, POOLED: []})  # the attack


# --- one cohort report alone: groups merged into "other" ----------------------------------------

def two_breakdowns(hidden_last=()) -> tuple[dict, pd.DataFrame]:
    """Jakarta's shape: federation FSP TSK holds exactly the garment (18, 7 completed) and
    footwear (2, 1 completed) people; footwear is merged into sector "other", so FSP TSK's row
    minus garment's gives footwear's counts (a group of 2) away."""
    rows = ([("garment_textile", "fsp_tsk", i < 7) for i in range(18)]
            + [("footwear_leather", "fsp_tsk", i < 1) for i in range(2)]
            + [("food_processing", "fsp_kep", i < 9) for i in range(14)]
            + [("retail_hospitality", "fsp_lem", i < 5) for i in range(10)]
            + [("retail_hospitality", "fsp_kep", i < 4) for i in range(7)]
            + [("other", "fsp_kep", i < 6) for i in range(10)])
    people = pd.DataFrame([{"enrolled": True, "completed": done, "dropout": not done,
                            "sector": s, "federation": f} for s, f, done in rows])
    retention = {}
    for variable in ("sector", "federation"):
        merged = merge_small_groups(people[variable], MIN_CELL)
        retention[variable] = {"groups": [
            {"group": g, "n": int((merged == g).sum()),
             "completed": int(people["completed"][merged == g].sum()),
             "dropouts": int(people["dropout"][merged == g].sum())}
            for g in sorted(set(merged))]}
    results = {"parameters": {"min_cell": MIN_CELL, "hidden_last": list(hidden_last)},
               "funnel": {"enrolled": len(people), "completed": int(people["completed"].sum()),
                          "dropouts": int(people["dropout"].sum()), "dropouts_after_session": {}},
               "retention": retention, "retention_curves": {}, "followup": {},
               "missingness": {}, "models": {"participant": {}}}
    return results, people


def test_a_cohort_report_alone_gives_no_merged_group_away():
    results, people = two_breakdowns()
    assert [g["group"] for g in results["retention"]["sector"]["groups"]] == [
        "food_processing", "garment_textile", "other", "retail_hospitality"]  # other: 2 + 10
    alone = Cohort("c", results, people)
    table = joint.joint_table([alone], MIN_CELL, with_pooled=False)
    footwear = cell("c", "groups/sector/footwear_leather/completed")
    own_table_only = {"c": disclosure.protect(table.own["c"], MIN_CELL)}
    assert own_table_only == {"c": []}  # no count it shows is small
    assert pinned(table, own_table_only, {footwear}) == {footwear: (1, 1)}  # 8 - 7
    hidden = {"c": hidden_cells(results, people, MIN_CELL, "c")}
    assert pinned(table, hidden) == {}
    assert set(own_table_only["c"]) <= set(hidden["c"])


def test_hidden_last_keeps_the_questions_breakdown_shown():
    """Protecting footwear needs FSP TSK's row or garment's hidden: with sector in
    `hidden_last` (the unions' garment question) it is FSP TSK's; without, the cheaper one."""
    for last, kept, hid in ((("sector",), "sector", "federation"),
                            (("federation",), "federation", "sector")):
        results, people = two_breakdowns(last)
        hidden = hidden_cells(results, people, MIN_CELL)
        row = {"sector": "garment_textile", "federation": "fsp_tsk"}
        assert not {f"retention/{kept}/{row[kept]}/{k}" for k in ("completed", "dropouts")} \
            & set(hidden), last
        assert {f"retention/{hid}/{row[hid]}/{k}" for k in ("completed", "dropouts")} \
            & set(hidden), last


def test_a_curve_is_its_own_reports_figure_in_the_joint_table():
    """Two cohorts' age-group curves share a name ("curve/age_group/40_plus"); hiding one
    cohort's curve whole must not hide the other's."""
    from analysis.privacy.disclosure import Table

    own = Table()
    own.add("curve/age_group/40_plus/1", 3, figure="curve/age_group/40_plus")
    build = joint._Builder()
    build.copy(own, "a")
    build.copy(own, "b")
    figures = {n: c.figure for n, c in build.table.cells.items()}
    assert figures == {"a:curve/age_group/40_plus/1": "a:curve/age_group/40_plus",
                       "b:curve/age_group/40_plus/1": "b:curve/age_group/40_plus"}
