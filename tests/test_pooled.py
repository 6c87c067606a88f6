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
    return dirs


def test_pooled_model_counts_every_cohorts_participants(processed):
    result = pooled.build_pooled_results(processed, FORMULA)
    enrolled = sum(c["enrolled"] for c in result["cohorts"])
    dropouts = sum(c["dropouts"] for c in result["cohorts"])
    assert result["model"]["n_people"] == enrolled and result["model"]["events"] == dropouts
    terms = [t["term"] for t in result["model"]["terms"]]
    assert "C(cohort)[T.small-12]" in terms and "age_40_plus" in terms


def test_heterogeneity_test_has_one_degree_of_freedom_per_effect_and_extra_cohort(processed):
    het = pooled.build_pooled_results(processed, FORMULA)["heterogeneity"]
    assert het["df"] == 3 * (len(processed) - 1)  # three effects, one extra cohort
    assert 0 <= het["p_value"] <= 1


def test_pooled_sections_render_in_both_languages(processed):
    result = pooled.build_pooled_results(processed, FORMULA)
    assert "Model gabungan" in planning_sections.pooled_model(result, "id")
    assert "Pooled model" in planning_sections.pooled_model(result, "en")
    assert "C(cohort)" not in planning_sections.pooled_model(result, "en")


def test_pooled_model_takes_any_formula(processed):
    result = pooled.build_pooled_results(processed, "dropout ~ C(gender) + age")
    assert result["model"]["formula"] == "dropout ~ C(cohort) + C(gender) + age"
    assert result["heterogeneity"]["effects"] == ["C(gender)", "age"]
    assert "Gender: Male (vs. Female)" in planning_sections.pooled_model(result, "en")


def test_pooled_cohorts_without_dropouts_get_a_sentence_not_a_stop(tmp_path):
    from analysis.ingest.clean import clean_cohort, write_outputs
    from analysis.synthetic.edge_cohorts import EDGE_COHORTS

    spec = EDGE_COHORTS["edge-no-dropouts"]
    raw = generate_cohort(spec, tmp_path / "raw")
    write_outputs(clean_cohort(raw), tmp_path / "processed" / spec.id, tmp_path / "interim")
    result = pooled.build_pooled_results([tmp_path / "processed" / spec.id], FORMULA)
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

    result = pooled.build_pooled_results(processed, FORMULA)
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
    result = pooled.build_pooled_results(processed, FORMULA)
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
