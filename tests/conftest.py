import dataclasses
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.synthetic import cohorts as synthetic

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# A small cohort for fast tests: same generator, fewer people, its own seed.
SMALL = dataclasses.replace(
    synthetic.SUKABUMI, id="test-small", n_registered=30, n_enrolled=26, seed=11,
    title={"id": "Kohort Uji Kecil (DATA SINTETIS)", "en": "Small Test Cohort (SYNTHETIC DATA)"},
    session_dates=[dt.date(2024, 3, 5), dt.date(2024, 3, 12), dt.date(2024, 3, 19)],
    group_start=dt.date(2024, 2, 27),
)


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory) -> Path:
    """A generated raw cohort folder, made once per test run (read-only: copy before editing)."""
    return synthetic.generate_cohort(SMALL, tmp_path_factory.mktemp("raw"))


@pytest.fixture
def cohort_copy(small_cohort, tmp_path) -> Path:
    """A private copy of the small cohort that a test may damage."""
    import shutil

    target = tmp_path / "raw" / small_cohort.name
    shutil.copytree(small_cohort, target)
    return target


@pytest.fixture(scope="session")
def small_processed(small_cohort, tmp_path_factory) -> Path:
    """The small cohort cleaned: data/processed/<id>/ as 02_dropout_model reads it."""
    from analysis.ingest.clean import clean_cohort, write_outputs

    data = tmp_path_factory.mktemp("data")
    write_outputs(clean_cohort(small_cohort), data / "processed" / small_cohort.name,
                  data / "interim" / small_cohort.name)
    return data / "processed" / small_cohort.name


def run_analysis(*args) -> subprocess.CompletedProcess:
    """`python -m analysis ...` from the project folder, as the Makefile runs it."""
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True)


def report_steps(cohort, reports) -> list[tuple]:
    """03_report in both languages and their renders, as the Makefile runs them."""
    steps = []
    for lang in ("id", "en"):
        steps += [("run-notebook", "notebooks/03_report.ipynb",
                   reports / cohort / f"notebooks/03_report.{lang}.ipynb", "-p", "cohort", cohort,
                   "-p", "reports_dir", reports, "-p", "lang", lang, "-p", "project_root",
                   PROJECT_ROOT),
                  ("render", cohort, "--lang", lang, "--reports-dir", reports)]
    return steps


def run_steps(steps) -> None:
    for step in steps:
        done = run_analysis(*step)
        assert done.returncode == 0, f"{step[0]} {step[1]}: {done.stderr}"


@pytest.fixture(scope="session")
def built_cohort(small_cohort, tmp_path_factory) -> dict:
    """The small cohort built raw -> processed -> results -> reports (both languages, HTML and
    PDF) -> privacy check, exactly as the Makefile runs it; once per test run, for every test
    that reads a built report (read-only)."""
    root = tmp_path_factory.mktemp("project")
    data, reports = root / "data", root / "reports"
    shutil.copytree(small_cohort, data / "raw" / small_cohort.name)
    cohort = small_cohort.name
    steps = [
        ("run-notebook", "notebooks/01_clean.ipynb", reports / cohort / "notebooks/01_clean.ipynb",
         "-p", "cohort", cohort, "-p", "data_dir", data),
        ("run-notebook", "notebooks/02_dropout_model.ipynb",
         reports / cohort / "notebooks/02_dropout_model.ipynb", "-p", "cohort", cohort,
         "-p", "data_dir", data, "-p", "reports_dir", reports),
    ]
    steps += report_steps(cohort, reports)
    steps.append(("check-privacy", cohort, "--data-dir", data, "--reports-dir", reports))
    run_steps(steps)
    return {"cohort": cohort, "raw": data / "raw" / cohort, "data": data,
            "reports": reports / cohort}


@pytest.fixture(scope="session")
def jakarta_raw(tmp_path_factory) -> Path:
    """The Jakarta demo's raw folder, generated once per test run (read-only: deliver or copy
    it before editing)."""
    return synthetic.generate_cohort(synthetic.JAKARTA, tmp_path_factory.mktemp("jakarta"))


@pytest.fixture(scope="session")
def jakarta_cleaned(jakarta_raw):
    """The clean Jakarta demo cleaned once: the numbers every delivery of it must give."""
    from analysis.ingest.clean import clean_cohort

    return clean_cohort(jakarta_raw)
