"""Every number a report's sentence states comes from the run: change a parameter, and the words
say the new value (a report that says "at least 10 events per parameter" when the researcher set
5 contradicts itself). Each parameter named in a sentence is changed here and the report read.

The builds of results.json with a parameter changed are `slow` (a few seconds each: `make test`
runs them, `make test-fast` the defaults, the caution and the power report's words); the last
test changes them in a cohort.yml and reads the report `make report` built."""

from __future__ import annotations

import html
import re

import pytest

from analysis import features, runner
from analysis.ingest.clean import clean_cohort, write_outputs
from analysis.models.results import build_results, fit_model, load_processed
from analysis.planning import power
from analysis.report import planning_sections, sections
from conftest import SMALL

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

# notebook 02's defaults, the one home of them (the formulas included)
MODEL_DEFAULTS = {k: v for k, v in runner.defaults("02_dropout_model.ipynb").items()
                  if k not in ("cohort", "data_dir", "reports_dir")}


def words(page: str) -> str:
    """A section's text as a reader reads it: no tags, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def report_text(results: dict, lang: str) -> str:
    attendance_text, attendance_table = sections.attendance(results, lang)
    return words(" ".join([sections.summary(results, lang), attendance_text, attendance_table,
                           sections.profile(results, lang), sections.activity(results, lang),
                           sections.responsiveness(results, lang),
                           sections.models(results, lang), sections.followup(results, lang),
                           sections.missing_data(results, lang)]))


@pytest.fixture(scope="module")
def jakarta_processed(jakarta_raw, tmp_path_factory):
    folder = tmp_path_factory.mktemp("jakarta-processed")
    write_outputs(clean_cohort(jakarta_raw), folder / "processed", folder / "interim")
    return load_processed(folder / "processed")


def results_with(processed, **changes) -> dict:
    """results.json with notebook 02's defaults but `changes`; two tables and one curve only,
    and no influence refits, unless asked (a few seconds instead of ten)."""
    quick = {"influence": False, "groupings": ("age_group", "federation"),
             "curves_by": ("age_group",)}
    return build_results(processed, **{**MODEL_DEFAULTS, **quick, **changes})


@pytest.fixture(scope="module")
def default_results(jakarta_processed):
    return results_with(jakarta_processed)


def test_the_defaults_are_notebook_02s_and_say_ten_events(default_results):
    """The Jakarta demo has 6.33 events per parameter: under the default 10, so Firth."""
    assert MODEL_DEFAULTS["epv_for_ml"] == 10
    results = default_results
    assert results["models"]["participant"]["events_per_parameter"] == pytest.approx(6.33)
    en = report_text(results, "en")
    assert "fewer than 10 events per parameter" in en
    assert "kurang dari 10" in report_text(results, "id")


@pytest.mark.slow
@pytest.mark.parametrize("epv, method, en_says, id_says", [
    (5, "maximum likelihood", "Maximum likelihood is used: there are at least 5 events per "
     "parameter", "ada sedikitnya 5 peristiwa per parameter"),
    (7.5, "firth", "fewer than 7.5 events per parameter", "kurang dari 7,5"),
])
def test_events_per_parameter_threshold_is_the_one_set(jakarta_processed, epv, method, en_says,
                                                       id_says):
    results = results_with(jakarta_processed, epv_for_ml=epv)
    assert results["models"]["participant"]["method"] == method
    assert results["models"]["participant"]["epv_for_ml"] == epv
    en, idn = report_text(results, "en"), report_text(results, "id")
    assert en_says in en and id_says in idn
    assert "10 events" not in en and "10 peristiwa" not in idn


def test_maximum_likelihood_chosen_below_the_threshold_warns_with_the_threshold(
        jakarta_processed):
    """Maximum likelihood by the researcher's choice, with fewer events per parameter than
    the threshold set: the caution names that threshold, whatever it is."""
    frame = features.participant_frame(jakarta_processed["participants"])
    for epv in (7, 40):
        _, model = fit_model(frame, MODEL_DEFAULTS["participant_formula"],
                             "participant_formula", method="maximum likelihood",
                             epv_for_ml=epv)
        assert model["epv_for_ml"] == epv and model["method_reason"] == "chosen"
        en = words(sections._model_notes(model, "en"))
        assert f"Caution: with fewer than {epv} events per parameter" in en
        assert f"kurang dari {epv} peristiwa" in words(sections._model_notes(model, "id"))
    _, enough = fit_model(frame, MODEL_DEFAULTS["participant_formula"], "participant_formula",
                          method="maximum likelihood", epv_for_ml=6)
    assert "Caution" not in sections._model_notes(enough, "en")  # 6.33 is not fewer than 6


@pytest.mark.slow
def test_monte_carlo_tables_are_the_number_drawn(jakarta_processed):
    # min_cell = 1: nothing hidden, so every table's p-value (and its test's name) is shown
    default = results_with(jakarta_processed, min_cell=1)
    fewer = results_with(jakarta_processed, min_cell=1, monte_carlo_tables=999)
    tested = [v["test"] for v in fewer["retention"].values()
              if v["test"]["test"] == "Fisher-Freeman-Halton"]
    assert tested and all(test["resamples"] == 999 for test in tested)
    shown = [words(sections.profile(r, "en")) for r in (default, fewer)]
    assert "9,999 tables" in shown[0] and "999 tables" in shown[1]
    assert "9,999" not in shown[1]
    assert "9.999 tabel" in words(sections.profile(default, "id"))


def test_too_few_monte_carlo_tables_are_refused(jakarta_processed):
    with pytest.raises(Exception, match="monte_carlo_tables = 10: expected a whole number"):
        results_with(jakarta_processed, monte_carlo_tables=10)


@pytest.mark.slow
def test_min_cell_is_the_one_set(jakarta_processed):
    results = results_with(jakarta_processed, min_cell=3)
    en = words(sections.profile(results, "en"))
    assert "Groups with fewer than 3 participants are merged" in en
    assert "fewer than 5" not in en


@pytest.mark.slow
def test_mice_threshold_is_the_one_set(jakarta_processed, default_results):
    results = results_with(jakarta_processed, mice_threshold=0.125)
    assert "when more than 12.5% of a model variable is missing" in words(
        sections.missing_data(results, "en"))
    assert "bila lebih dari 12,5% data" in words(sections.missing_data(results, "id"))
    assert "more than 5% of" in words(sections.missing_data(default_results, "en"))


@pytest.mark.slow
def test_one_step_influence_names_the_size_set(jakarta_processed):
    """48 people: exact refits under the default 500, the one-step approximation above 20."""
    results = results_with(jakarta_processed, influence=True, influence_exact_max=20)
    assert "With more than 20 participants, the change without each participant" in \
        words(sections.models(results, "en"))
    assert "Dengan lebih dari 20 peserta" in words(sections.models(results, "id"))


@pytest.mark.slow
def test_the_response_window_is_the_one_the_cleaning_used(jakarta_raw, tmp_path):
    write_outputs(clean_cohort(jakarta_raw, response_window_hours=12), tmp_path / "p",
                  tmp_path / "i")
    results = results_with(load_processed(tmp_path / "p"))
    assert results["responsiveness"]["window_hours"] == 12
    en = words(sections.responsiveness(results, "en"))
    assert "followed by a facilitator message within 12 hours" in en and "24 hours" not in en


def test_the_power_report_states_its_significance_level_and_target():
    curve = power.power_curve([30, 60], 4, MODEL_DEFAULTS["participant_formula"],
                              {"age_40_plus": 3.0}, seed=1, significance=0.1)
    planning = power.planning_results(curve, MODEL_DEFAULTS["participant_formula"], 0.9,
                                      significance=0.1)
    en = words(planning_sections.power(planning, "en"))
    assert "(likelihood-ratio test, p < 0.1)" in en and "0.05" not in en
    assert "For 90% power" in en
    assert planning_sections.power_caption(planning, "en").endswith("dashed line = 90%.")
    assert "p < 0,1)" in words(planning_sections.power(planning, "id"))


@pytest.mark.slow
def test_a_stricter_significance_level_detects_less_often():
    formula = MODEL_DEFAULTS["participant_formula"]
    loose, strict = (power.power_curve([60], 20, formula, {"age_40_plus": 3.0}, seed=3,
                                       significance=level)["power"].iloc[0]
                     for level in (0.2, 0.001))
    assert loose > strict


@pytest.mark.e2e
def test_a_cohort_yml_analysis_block_is_what_the_built_report_says(make_project, small_cohort):
    """As a researcher changes them for one cohort: cohort.yml's `analysis:` block, then make."""
    project = make_project([small_cohort], name="words-project")
    spec = project.raw / SMALL.id / "cohort.yml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\nanalysis:\n  epv_for_ml: 2\n"
                    "  monte_carlo_tables: 499\n  mice_threshold: 0.2\n  min_cell: 3\n",
                    encoding="utf-8")
    project.build("report", f"COHORT={SMALL.id}")
    en = words((project.reports / SMALL.id / "report.en.html").read_text(encoding="utf-8"))
    idn = words((project.reports / SMALL.id / "report.html").read_text(encoding="utf-8"))
    assert "at least 2 events per parameter" in en or "fewer than 2 events per parameter" in en
    assert "10 events" not in en and "10 peristiwa" not in idn
    assert "more than 20% of a model variable" in en and "lebih dari 20% data" in idn
    assert "fewer than 3 participants are merged" in en
    if "Monte Carlo" in en:
        assert "499 tables" in en and "9,999" not in en
