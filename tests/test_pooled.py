"""The pooled view: cohorts stacked with fixed effects, counts kept, heterogeneity tested."""

import dataclasses

import pytest

from analysis.ingest.clean import clean_cohort, write_outputs
from analysis.planning import pooled
from analysis.report import planning_sections
from analysis.runner import defaults
from analysis.synthetic.writers import generate_cohort
from conftest import SMALL

FORMULA = defaults("10_pooled.ipynb")["formula"]  # the pooled notebook's default
COHORT_DEFAULTS = defaults("02_dropout_model.ipynb")


def publish(processed_dir, reports_dir) -> None:
    """The cohort's results.json, as its report published it (what the pooled build reads)."""
    from analysis.models.results import build_results, load_processed, write_results

    data = load_processed(processed_dir)
    result = build_results(data, COHORT_DEFAULTS["participant_formula"],
                           COHORT_DEFAULTS["hazard_formula"], influence=False)
    write_results(result, reports_dir / data["cohort"]["id"] / "results.json")


def build(processed, formula=FORMULA, **options) -> dict:
    """The pooled results.json (the release record aside)."""
    return pooled.build_pooled_results(processed, formula, processed[0].parents[1] / "reports",
                                       **options)[0]


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("pooled")
    dirs = []
    for seed in (11, 12):
        spec = dataclasses.replace(SMALL, id=f"small-{seed}", seed=seed, n_registered=40,
                                   n_enrolled=36)
        raw = generate_cohort(spec, root / "raw")
        write_outputs(clean_cohort(raw), root / "processed" / spec.id, root / "interim" / spec.id)
        dirs.append(root / "processed" / spec.id)
        publish(dirs[-1], root / "reports")
    return dirs


def test_pooled_model_counts_every_cohorts_participants(processed):
    result = build(processed)
    enrolled = sum(c["enrolled"] for c in result["cohorts"])
    dropouts = sum(c["dropouts"] for c in result["cohorts"])
    assert result["model"]["n_people"] == enrolled and result["model"]["events"] == dropouts
    terms = [t["term"] for t in result["model"]["terms"]]
    assert "C(cohort)[T.small-12]" in terms and "age_40_plus" in terms


def test_heterogeneity_test_has_one_degree_of_freedom_per_effect_and_extra_cohort(processed):
    het = build(processed)["heterogeneity"]
    assert het["df"] == 3 * (len(processed) - 1)  # three effects, one extra cohort
    assert 0 <= het["p_value"] <= 1


def test_pooled_sections_render_in_both_languages(processed):
    result = build(processed)
    assert "Model gabungan" in planning_sections.pooled_model(result, "id")
    assert "Pooled model" in planning_sections.pooled_model(result, "en")
    assert "C(cohort)" not in planning_sections.pooled_model(result, "en")


def test_pooled_model_takes_any_formula(processed):
    result = build(processed, "dropout ~ C(gender) + age")
    assert result["model"]["formula"] == "dropout ~ C(cohort) + C(gender) + age"
    assert result["heterogeneity"]["effects"] == ["C(gender)", "age"]
    assert "Gender: Male (vs. Female)" in planning_sections.pooled_model(result, "en")


def test_pooled_cohorts_without_dropouts_get_a_sentence_not_a_stop(tmp_path):
    from analysis.ingest.clean import clean_cohort, write_outputs
    from analysis.synthetic.edge_cohorts import EDGE_COHORTS

    spec = EDGE_COHORTS["edge-no-dropouts"]
    raw = generate_cohort(spec, tmp_path / "raw")
    write_outputs(clean_cohort(raw), tmp_path / "processed" / spec.id, tmp_path / "interim")
    publish(tmp_path / "processed" / spec.id, tmp_path / "reports")
    result = build([tmp_path / "processed" / spec.id])
    assert result["model"]["fitted"] is False and result["heterogeneity"] is None
    assert "nobody dropped out" in planning_sections.pooled_model(result, "en")


def _notebook_showing(tmp_path, html_text: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html_text})]
    nb.cells = [cell]
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    return path


def test_pooled_cover_names_its_cohorts_not_session_dates(processed, tmp_path):
    from analysis.report.render import render_html

    result = build(processed)
    executed = _notebook_showing(tmp_path, planning_sections.pooled_summary(result, "en"))
    for lang, words in (("en", "Cohorts in this report:"), ("id", "Kohort dalam laporan ini:")):
        page = render_html(executed, result, lang)
        cover = page.split("</section>")[0]
        assert words in cover and SMALL.title[lang].split(" (")[0] in cover
        assert "Sesi pelatihan" not in cover and "Training sessions" not in cover
        assert '<meta name="viewport"' in page
        assert '<div class="table-scroll"><table class="report-table"' in page


def test_index_lists_cohorts_and_reports_across_cohorts_in_both_languages(processed):
    from analysis.report.render import render_index

    cohort = {"cohort": {"id": "small-11", "title": SMALL.title, "synthetic": True,
                         "session_dates": ["2024-03-05", "2024-03-19"]},
              "funnel": {"registered": 40, "attended_by_session": [36, 20], "dropouts": 16}}
    result = build(processed)
    files = {"report.html", "report.pdf", "report.en.html", "report.en.pdf"}
    page = render_index([cohort], [(result, files)], "2024-03-20")
    for folder in ("small-11", "pooled"):
        for name in sorted(files):
            assert f'href="{folder}/{name}"' in page
    assert "all cohorts pooled" in page and "gabungan semua kohort" in page
    assert page.count("DATA SINTETIS") == 1 and "(sintetis / synthetic)" not in page
    assert "Dibangun / Built: 2024-03-20" in page
    # a report across cohorts whose English files are missing is not linked in English
    page = render_index([cohort], [(result, {"report.html", "report.pdf"})], None)
    assert 'href="pooled/report.html"' in page and 'href="pooled/report.en.html"' not in page


# --- what the pooled report answers: every breakdown, protected with the cohort reports -------

def test_pooled_breakdowns_are_the_cohorts_summed_and_hide_what_the_reports_together_give(
        processed):
    from analysis.outputs import load_results

    result = build(processed)
    published = [load_results(d.parents[1] / "reports" / d.name / "results.json")
                 for d in processed]
    for variable in ("sector", "age_class", "federation", "district"):
        assert variable in result["retention"]
    assert result["funnel"]["enrolled"] == sum(r["funnel"]["enrolled"] for r in published)
    hidden = set(result["disclosure"]["hidden"])
    assert result["disclosure"]["protected_with"] == [d.name for d in processed]
    # every small pooled count is hidden; the cohorts' reports are not touched
    for block_name, block in result["retention"].items():
        for g in block["groups"]:
            for k in ("n", "completed", "dropouts"):
                if 0 < g[k] < result["parameters"]["min_cell"]:
                    assert f"retention/{block_name}/{g['group']}/{k}" in hidden
    assert_the_reports_together_pin_nothing(processed, published, result)


def assert_the_reports_together_pin_nothing(processed, published, result, releases=()):
    """The attacker over every report at once (the cohort reports as published, the pooled
    one as built, every earlier pooled release) pins no hidden count, and no small implied
    one, to a single value."""
    import pandas as pd

    from analysis.privacy import disclosure, joint

    hidden = set(result["disclosure"]["hidden"])
    cohorts = [joint.Cohort(d.name, r, pd.read_parquet(d / "participants.parquet"),
                            hidden=r["disclosure"]["hidden"])
               for d, r in zip(processed, published, strict=True)]
    table = joint.joint_table(cohorts, result["parameters"]["min_cell"], releases)
    names = ({joint.cell(c.id, n) for c in cohorts for n in c.hidden}
             | {joint.cell(joint.POOLED, n) for n in hidden})
    cells_ = table.table.cells
    unknown = {n for n, c in cells_.items() if not c.public and (n in names or not c.shown)}
    targets = {n for n in unknown if n.startswith("pooled:") and cells_[n].shown
               or 0 < cells_[n].value < 5 and not cells_[n].shown}
    without_pooled = {n for n, c in cells_.items() if not c.public and not n.startswith(
        "pooled:") and (n in names or not c.shown)} | {n for n in cells_ if n.startswith(
            "pooled:") and not cells_[n].public}
    given_away = {n for n, r in disclosure.value_ranges(table.table, without_pooled,
                                                         targets).items() if r[0] == r[1]}
    pinned = {n for n, r in disclosure.value_ranges(table.table, unknown, targets).items()
              if r[0] is not None and r[0] == r[1]}
    assert pinned <= given_away  # only what the cohort reports give away on their own
    # and of that, only what the published funnels alone fix (no secret: a curve's step of 0
    # after a session nobody left after, hidden with the rest of its curve)
    everything = {n for n, c in cells_.items() if not c.public}
    public = {n for n, r in disclosure.value_ranges(table.table, everything, pinned).items()
              if r[0] == r[1]}
    assert pinned == public and result["disclosure"]["given_away_by_cohort_reports"] == []
    return table


@pytest.fixture(scope="module")
def late_leavers(tmp_path_factory):
    """Three cohorts where many stop after session 2 too: pooled curve steps of 5 and more."""
    root = tmp_path_factory.mktemp("late")
    dirs = []
    for seed in (21, 22, 23):
        spec = dataclasses.replace(SMALL, id=f"late-{seed}", seed=seed, n_registered=44,
                                   n_enrolled=40, dropouts_at={2: 10, 3: 9})
        raw = generate_cohort(spec, root / "raw")
        write_outputs(clean_cohort(raw), root / "processed" / spec.id, root / "interim" / spec.id)
        dirs.append(root / "processed" / spec.id)
        publish(dirs[-1], root / "reports")
    return dirs


@pytest.mark.slow
def test_pooled_retention_curves_are_the_cohorts_people_counted_and_drawn_where_safe(
        late_leavers):
    import pandas as pd

    from analysis.outputs import load_results
    from analysis.report import figures

    result = build(late_leavers)
    people = pd.concat([pd.read_parquet(d / "participants.parquet") for d in late_leavers])
    people = people[people["enrolled"]]
    published = [load_results(d.parents[1] / "reports" / d.name / "results.json")
                 for d in late_leavers]
    assert result["cohort"]["sessions"] == 3
    assert result["funnel"]["dropouts_after_session"] == {  # the cohorts' funnels summed
        s: sum(r["funnel"]["dropouts_after_session"][s] for r in published) for s in ("1", "2")}
    assert int(result["funnel"]["dropouts_after_session"]["2"]) >= 25  # late leavers indeed
    curves = result["retention_curves"]["age_group"]["curves"]
    for group, points in curves.items():
        inside = people[people["age_group"] == group]
        assert points[0]["at_risk"] == len(inside)
        for point in points:  # gone before session s: stopped after an earlier session
            gone = int((inside["dropout"] & (inside["dropout_after_session"] < point["session"]))
                       .sum())
            assert point["retained"] * len(inside) == pytest.approx(len(inside) - gone)
    # the privacy layer's counting (it may not import models) is the cohort reports' Kaplan-Meier
    from analysis import models

    stacked = people.assign(enrolled=True)
    for variable, block in result["retention_curves"].items():
        km = models.retention_curves(stacked, variable, 3, result["parameters"]["min_cell"])
        assert list(block["curves"]) == list(km["curves"])
        for group, points in block["curves"].items():
            for ours, theirs in zip(points, km["curves"][group], strict=True):
                assert ours["at_risk"] == theirs["at_risk"]
                assert ours["retained"] == pytest.approx(theirs["retained"])
    assert figures.any_curve_drawn(result)  # 9 leave after session 2 in each cohort
    assert figures.pooled_group_retention(result, "en") is not None
    hidden = set(result["disclosure"]["hidden"])
    for variable in result["retention_curves"]:
        for group in figures.visible_curves(result, variable):
            steps = [f"curve/{variable}/{group}/{s}" for s in (1, 2)]
            assert not hidden.intersection(steps)
    table = assert_the_reports_together_pin_nothing(late_leavers, published, result)
    assert any(n.startswith("pooled:curve/") for n in table.table.cells)


def test_what_we_know_so_far_states_each_finding_with_its_people_cohorts_and_agreement(processed):
    result = build(processed)
    text = planning_sections.what_we_know(result, "en")
    assert "What we know so far" in text and "in 2 cohorts" in text
    assert text.count("from 72 participants in 2 cohorts") == 3  # 36 + 36, three effects
    assert "The cohorts do not clearly differ on it" in text or "The cohorts differ" in text
    assert "cohort fixed effects" in text
    for effect, found in result["agreement"].items():
        assert found["p_value"] is None or 0 <= found["p_value"] <= 1, effect
    assert "Yang sudah kita ketahui sejauh ini" in planning_sections.what_we_know(result, "id")


def test_with_enough_cohorts_a_model_with_cohorts_as_clusters_is_shown_beside(processed):
    result = build(processed, random_intercept_min_cohorts=2)
    gee = result["clustered_model"]
    assert gee["fitted"] and gee["clusters"] == 2 and gee["n_people"] == 72
    fixed = {r["term"]: r["estimate"] for r in result["model"]["terms"]}
    for row in gee["terms"]:
        if row["term"] in ("age_40_plus", "garment"):
            assert (row["estimate"] > 0) == (fixed[row["term"]] > 0)
    text = planning_sections.pooled_model(result, "en")
    assert "Model with cohorts as clusters (GEE)" in text
    assert "shown beside it as a check" in planning_sections.what_we_know(result, "en")
    assert build(processed)["clustered_model"] is None  # 2 cohorts < 8, the default
    with pytest.raises(Exception, match="at least 2 cohorts"):
        build(processed, random_intercept_min_cohorts=1)


def test_a_first_build_proposes_release_1_and_a_rebuild_of_the_same_cohorts_none(processed):
    from analysis.privacy.releases import _from_json

    result, record = pooled.build_pooled_results(processed, FORMULA,
                                                 processed[0].parents[1] / "reports")
    assert record["release"] == 1 and result["disclosure"]["release"] == 1
    release = _from_json(record, "test")
    hidden = set(result["disclosure"]["hidden"])
    assert not hidden & set(release.shown)
    again, none = pooled.build_pooled_results(processed, FORMULA,
                                              processed[0].parents[1] / "reports",
                                              releases=[release])
    assert none is None and again["disclosure"]["release"] == 1
    assert again["disclosure"]["hidden"] == result["disclosure"]["hidden"]


def test_the_gee_of_equal_cohorts_with_no_covariate_is_the_logit_of_the_overall_share():
    """Hand-worked: with an intercept only and equal cluster sizes, the exchangeable GEE's
    estimating equation is the sum of (y - p) over everyone, so p is the overall share."""
    import numpy as np
    import pandas as pd

    from analysis.models.clustered import cohort_gee

    dropouts = {"a": 4, "b": 6, "c": 10, "d": 8}  # of 20 each: 28 of 80
    frame = pd.DataFrame({"cohort": np.repeat(list(dropouts), 20),
                          "dropout": [int(i < k) for k in dropouts.values() for i in range(20)]})
    gee = cohort_gee(frame, "dropout ~ 1")
    assert gee["fitted"] and gee["clusters"] == 4 and gee["n_people"] == 80 and gee["events"] == 28
    assert gee["terms"][0]["estimate"] == pytest.approx(np.log(28 / 52), abs=1e-9)


def test_a_breakdown_to_hide_last_that_is_no_variable_is_named(processed):
    from analysis.models import ModelSpecError
    from analysis.models.results import build_results, load_processed

    with pytest.raises(ModelSpecError, match="hidden_last: unknown variable `sektor`"):
        build_results(load_processed(processed[0]), COHORT_DEFAULTS["participant_formula"],
                      COHORT_DEFAULTS["hazard_formula"], hidden_last=("sektor",))


def test_a_gee_the_data_cannot_support_is_a_reason_not_a_stop():
    import pandas as pd

    frame = pd.DataFrame({"cohort": ["a"] * 5 + ["b"] * 5, "dropout": [0] * 10,
                          "age_40_plus": [0, 1] * 5})
    gee = pooled._clustered(frame, "dropout ~ age_40_plus")
    assert gee["fitted"] is False and gee["reason"] and "dropout" in gee["message"]


@pytest.mark.slow
@pytest.mark.parametrize("edge", ["edge-five-people", "edge-no-chat", "edge-two-sessions",
                                  "edge-ages-missing"])
def test_an_unhappy_cohort_pools_with_the_others_and_gives_nothing_away(processed, edge,
                                                                        tmp_path):
    """Five people, no chat export, a cohort of two sessions (no curve across cohorts of
    different lengths), every age missing: pooled with the two small cohorts, the build runs,
    counts every participant, says what it cannot draw, and the reports together pin nothing."""
    import shutil

    from analysis.outputs import load_results
    from analysis.synthetic.edge_cohorts import EDGE_COHORTS

    spec = EDGE_COHORTS[edge]
    raw = generate_cohort(spec, tmp_path / "raw")
    dirs = []
    for d in processed:
        shutil.copytree(d, tmp_path / "processed" / d.name)
        shutil.copytree(d.parents[1] / "reports" / d.name, tmp_path / "reports" / d.name)
        dirs.append(tmp_path / "processed" / d.name)
    write_outputs(clean_cohort(raw), tmp_path / "processed" / spec.id, tmp_path / "interim")
    publish(tmp_path / "processed" / spec.id, tmp_path / "reports")
    dirs.append(tmp_path / "processed" / spec.id)
    result = build(dirs)
    published = [load_results(tmp_path / "reports" / d.name / "results.json") for d in dirs]
    assert result["funnel"]["enrolled"] == sum(r["funnel"]["enrolled"] for r in published)
    assert result["model"]["fitted"] and result["model"]["n_people"] == sum(
        r["funnel"]["enrolled"] for r in published) - (edge == "edge-ages-missing") * published[
            -1]["funnel"]["enrolled"]  # a complete-case model: no age, not in it
    if edge == "edge-two-sessions":
        assert result["retention_curves"] == {} and result["cohort"]["sessions"] is None
        assert "same number of sessions (2, 3)" in planning_sections.pooled_curves_note(
            result, "en")
    for lang in ("id", "en"):
        for section in (planning_sections.what_we_know, planning_sections.pooled_breakdowns,
                        planning_sections.pooled_curves_note):
            section(result, lang)
    assert_the_reports_together_pin_nothing(dirs, published, result)


@pytest.mark.e2e
def test_make_pooled_records_a_release_per_new_cohort_set_and_protects_against_it(
        make_project, tmp_path):
    """As staff run it: `make report pooled` on two cohorts records release 1; a rebuild adds
    none; a third cohort's build records release 2, protected against release 1 (what it
    showed stays shown, and the difference of the two gives no hidden count away)."""
    import json
    import shutil

    from analysis.privacy import releases

    raw = [generate_cohort(dataclasses.replace(SMALL, id=f"rel-{seed}", seed=seed), tmp_path)
           for seed in (31, 32, 33)]
    project = make_project(raw[:2], name="releases")
    project.build("-j2", "report", "pooled")
    folder = project.data / "releases"
    assert sorted(p.name for p in folder.glob("*.json")) == ["pooled-1.json"]
    again = project.build("pooled")  # nothing changed: nothing to build, nothing recorded
    assert sorted(p.name for p in folder.glob("*.json")) == ["pooled-1.json"]
    assert "error" not in again.stderr.lower()
    shutil.copytree(raw[2], project.raw / raw[2].name)
    done = project.build("-j2", "report", "pooled")
    assert "pooled-2.json" in done.stdout
    first, second = releases.read_releases(folder)
    assert first.cohorts == ("rel-31", "rel-32") and len(second.cohorts) == 3
    result = json.loads((project.reports / "pooled" / "results.json").read_text())
    assert result["disclosure"]["earlier_releases"] == [1] and result["disclosure"]["release"] == 2
    # release 2 minus release 1, with every cohort report, gives no hidden count away
    from analysis.outputs import load_results

    processed = [project.data / "processed" / c for c in second.cohorts]
    published = [load_results(project.reports / c / "results.json") for c in second.cohorts]
    table = assert_the_reports_together_pin_nothing(processed, published, result, [first])
    assert any(n.startswith(f"{first.report}:") for n in table.table.cells)
