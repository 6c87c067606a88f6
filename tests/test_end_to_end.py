"""The real notebooks, run by make (in a copy of the project, conftest) on a small generated
cohort, checked from the raw files; and the notebook runner's one-line errors."""

import json
import re
import shutil

import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import run_analysis as _run
from test_stop_reasons import stop_reasons_by_hand
from test_synthetic import attendance_by_session

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(built_cohort):
    """raw -> processed -> results -> reports, by `make report` in a copy of the project
    (conftest: built once per test run, shared with the other tests that read the reports)."""
    return built_cohort


def test_results_match_counts_taken_straight_from_the_raw_files(built):
    results = json.loads((built["reports"] / "results.json").read_text())
    funnel = results["funnel"]
    assert funnel["attended_by_session"] == attendance_by_session(built["raw"])
    roster = pd.read_csv(built["raw"] / "roster.csv", dtype=str)
    phones = roster["No. HP / WhatsApp"].str.replace(r"\D", "", regex=True).str[-9:]
    assert funnel["registered"] == phones.nunique()  # one person registered twice
    sheet = pd.read_csv(built["raw"] / "attendance.csv", dtype=str, keep_default_na=False)
    present = sheet.filter(like="Sesi").apply(lambda c: c.str.lower().isin(
        {"hadir", "h", "✓"}))
    first, last = present.iloc[:, 0], present.iloc[:, -1]
    assert funnel["enrolled"] == int(first.sum())
    assert funnel["completed"] == int((first & last).sum())
    assert funnel["dropouts"] == int((first & ~last).sum())
    assert funnel["no_shows"] == int((~present.any(axis=1)).sum())
    model = results["models"]["participant"]
    assert model["n_people"] == funnel["enrolled"] and model["events"] == funnel["dropouts"]
    # why people stopped, among the dropouts (tests/test_stop_reasons.py counts by hand)
    reasons, truth = results["stop_reasons"], stop_reasons_by_hand(built["raw"])
    assert {r["code"]: r["n"] for r in reasons["reasons"]} == truth["reasons"]
    assert (reasons["n_dropouts"], reasons["n_known"]) == (funnel["dropouts"], truth["n_known"])


def test_reports_exist_carry_the_title_and_show_no_code(built):
    title = {"id": "Kohort Uji Kecil (DATA SINTETIS)", "en": "Small Test Cohort (SYNTHETIC DATA)"}
    for lang, suffix in (("id", ""), ("en", ".en")):
        page = (built["reports"] / f"report{suffix}.html").read_text(encoding="utf-8")
        assert title[lang] in page
        text = re.sub(r"<[^>]+>", " ", re.sub(r"data:image/png;base64,[^\"]+", "", page))
        for code in ("import ", "show(", "sections.", "cohort_results", "Text(0.5", "<Axes",
                     "<Figure", "In [", "Traceback"):
            assert code not in text, (lang, code)
        pdf = PdfReader(built["reports"] / f"report{suffix}.pdf")
        pdf_text = " ".join(p.extract_text() for p in pdf.pages)
        assert len(pdf.pages) >= 5
        assert title[lang].split(" (")[0] in " ".join(pdf_text.split())
        assert "import " not in pdf_text and "show(" not in pdf_text


def test_report_numbers_come_from_results_json(built):
    results = json.loads((built["reports"] / "results.json").read_text())
    page = (built["reports"] / "report.html").read_text(encoding="utf-8")
    by_session = " → ".join(map(str, results["funnel"]["attended_by_session"]))
    assert by_session in page
    assert f"<strong>{results['funnel']['registered']}</strong> orang mendaftar" in page


def test_executed_notebooks_are_kept_as_the_audit_trail(built):
    names = sorted(p.name for p in (built["reports"] / "notebooks").iterdir())
    assert names == ["01_clean.ipynb", "02_dropout_model.ipynb", "03_report.en.ipynb",
                     "03_report.id.ipynb"]


def test_no_roster_name_or_phone_reaches_processed_data_or_reports(built):
    assert _run("check-privacy", built["cohort"], "--data-dir", built["data"], "--reports-dir",
                built["reports"].parent).returncode == 0
    roster = pd.read_csv(built["raw"] / "roster.csv", dtype=str)
    leak = built["reports"] / "notebooks" / "leak.html"
    leak.write_text(f"<p>{roster['Nama Lengkap'].iloc[2]}</p>", encoding="utf-8")
    try:
        done = _run("check-privacy", built["cohort"], "--data-dir", built["data"],
                    "--reports-dir", built["reports"].parent)
    finally:
        leak.unlink()
    assert done.returncode == 2
    assert "leak.html contains a name from roster.csv row 4" in done.stderr
    assert roster["Nama Lengkap"].iloc[2] not in done.stderr


def test_bad_input_stops_the_build_with_one_line_and_no_traceback(small_cohort, tmp_path):
    raw = tmp_path / "data" / "raw" / small_cohort.name
    shutil.copytree(small_cohort, raw)
    roster = pd.read_csv(raw / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[2, "Sektor Pekerjaan Sebelumnya"] = "Garmenn"
    roster.to_csv(raw / "roster.csv", index=False)
    out = tmp_path / "01.ipynb"
    done = _run("run-notebook", "notebooks/01_clean.ipynb", out, "-p", "cohort", small_cohort.name,
                "-p", "data_dir", tmp_path / "data")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {raw / 'roster.csv'} row 4, column `Sektor Pekerjaan Sebelumnya`: 'Garmenn' is not "
        "a known sector label (codes: electronics_automotive, food_processing, footwear_leather, "
        "garment_textile, other, retail_hospitality); did you mean 'garmen'? Add the spelling to "
        "src/analysis/codebook.yml if it is right.")
    assert "Traceback" not in done.stderr and not out.exists()


def test_what_the_kernel_process_writes_to_stderr_does_not_reach_staff(tmp_path):
    """zmq's shutdown noise under make -j2 comes from the kernel process itself, below Python's
    logging: the kernel's stderr goes nowhere, while what a cell prints stays in the notebook."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import os, sys\n"
                                  "os.write(2, b'Traceback (most recent call last): zmq noise')\n"
                                  "print('seen', file=sys.stderr)")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    source, out = tmp_path / "n.ipynb", tmp_path / "out.ipynb"
    nbformat.write(notebook, source)
    done = _run("run-notebook", source, out, "-p", "x", "2")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "zmq noise" not in done.stderr
    outputs = nbformat.read(out, as_version=4).cells[-1].outputs
    assert [o.get("text") for o in outputs] == ["seen\n"]


def test_default_report_answers_the_programmes_questions(built):
    results = json.loads((built["reports"] / "results.json").read_text())
    assert {"age_class", "federation", "district", "disability", "gender"} <= set(
        results["retention"])
    assert results["followup"]["bpjstk_enrolled"]["by_completion"]["test"]["test"] == "Fisher exact"
    page = (built["reports"] / "report.html").read_text(encoding="utf-8")
    for caption in ("Kelas usia", "Federasi serikat pekerja", "Kabupaten/kota",
                    "Penyandang disabilitas", "Jenis kelamin", "Terdaftar BPJS Ketenagakerjaan",
                    "Tanggapan fasilitator"):
        assert f"<caption>{caption}" in page or f">{caption}<" in page, caption
    # small cells and their complements hidden: each marked in a table that still shows a count,
    # or the whole breakdown said in a sentence (this small cohort hides most: test_table_design)
    assert (re.search(r'<td[^>]*class="hidden-count"[^>]*>x</td>', page)
            or "terlalu sedikit orang per kelompok" in page)
    english = (built["reports"] / "report.en.html").read_text(encoding="utf-8")
    assert "Facilitator responsiveness" in english and "Age class" in english


RESEARCHER_FORMULA = "dropout ~ C(federation) + age + disability + np.log1p(messages_before_session2)"
RESEARCHER_HAZARD = "dropout ~ C(session) + C(gender) + answered_before_session"


OVERRIDDEN_HAZARD = "dropout ~ C(session)"


@pytest.fixture(scope="module")
def researchers_model(make_project, small_cohort, tmp_path_factory):
    """A cohort whose cohort.yml fixes both its models, built by `make report` in a copy of the
    project; then 02_dropout_model run again on the same settings (as the Makefile passes
    them) with the hazard model given with -p, which must win over cohort.yml."""
    project = make_project([small_cohort], name="researcher")
    cohort = small_cohort.name
    with (project.raw / cohort / "cohort.yml").open("a", encoding="utf-8") as spec:
        spec.write(f'analysis:\n  participant_formula: "{RESEARCHER_FORMULA}"\n'
                   f'  hazard_formula: "{RESEARCHER_HAZARD}"\n')
    project.build("report")
    elsewhere = tmp_path_factory.mktemp("researcher-override")
    done = project.run_analysis(
        "run-notebook", "notebooks/02_dropout_model.ipynb", elsewhere / "02.ipynb", "--settings",
        project.data / "processed" / cohort / "cohort.json", "-p", "cohort", cohort,
        "-p", "data_dir", project.data, "-p", "reports_dir", elsewhere,
        "-p", "hazard_formula", OVERRIDDEN_HAZARD)
    assert done.returncode == 0, done.stderr
    overridden = json.loads((elsewhere / cohort / "results.json").read_text())
    return {"data": project.data, "reports": project.reports / cohort, "cohort": cohort,
            "overridden": overridden}


def test_the_researchers_model_reaches_results_and_both_reports(researchers_model):
    results = json.loads((researchers_model["reports"] / "results.json").read_text())
    participant = results["models"]["participant"]
    assert participant["formula_requested"] == RESEARCHER_FORMULA  # from cohort.yml
    assert results["models"]["hazard_logit"]["formula_requested"] == RESEARCHER_HAZARD
    overridden = researchers_model["overridden"]["models"]  # -p wins over cohort.yml
    assert overridden["hazard_logit"]["formula_requested"] == OVERRIDDEN_HAZARD
    assert overridden["participant"]["formula_requested"] == RESEARCHER_FORMULA
    assert results["parameters"]["participant_formula"] == RESEARCHER_FORMULA
    shown = [t["term"] for t in participant["terms"][1:]]
    assert any(t.startswith("C(federation)[T.") for t in shown) and "age" in shown
    expected = {"en": ["Union federation: ", "Age (years)", "WhatsApp messages before session 2 "
                       "(per doubling of 1 + the count)", "95% CI",
                       "likelihood-ratio test per variable", RESEARCHER_FORMULA.split(" ~ ")[1],
                       "Gender: Male (vs. Female)"],
                "id": ["Federasi serikat pekerja: ", "Usia (tahun)", "IK 95%",
                       "uji rasio kemungkinan per variabel", "Jenis kelamin: Laki-laki"]}
    for lang, suffix in (("id", ""), ("en", ".en")):
        page = (researchers_model["reports"] / f"report{suffix}.html").read_text(encoding="utf-8")
        pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(
            researchers_model["reports"] / f"report{suffix}.pdf").pages)
        for text in expected[lang]:
            assert text.replace("&", "&amp;") in page, (lang, text)
        assert expected[lang][0].strip() in pdf, lang


def test_an_unknown_variable_stops_the_model_step_with_one_line(researchers_model, tmp_path):
    out = tmp_path / "02.ipynb"
    done = _run("run-notebook", "notebooks/02_dropout_model.ipynb", out, "-p", "cohort",
                researchers_model["cohort"], "-p", "data_dir", researchers_model["data"],
                "-p", "reports_dir", tmp_path, "-p", "participant_formula",
                "dropout ~ federaton + age")
    assert done.returncode == 2 and not out.exists()
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: participant_formula: unknown variable `federaton`")
    assert "Traceback" not in done.stderr


def test_an_unknown_setting_in_cohort_yml_is_named(researchers_model, tmp_path):
    settings = researchers_model["data"] / "processed" / researchers_model["cohort"] / "cohort.json"
    metadata = json.loads(settings.read_text())
    bad = tmp_path / "cohort.json"
    bad.write_text(json.dumps({**metadata, "analysis": {"participant_fromula": "dropout ~ age"}}))
    done = _run("run-notebook", "notebooks/02_dropout_model.ipynb", tmp_path / "02.ipynb",
                "--settings", bad)
    assert done.returncode == 2
    assert "analysis: unknown parameter(s) participant_fromula for 02_dropout_model.ipynb" in (
        done.stderr)
