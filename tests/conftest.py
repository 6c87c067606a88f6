import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from analysis import synthetic

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
    from analysis.clean import clean_cohort, write_outputs

    data = tmp_path_factory.mktemp("data")
    write_outputs(clean_cohort(small_cohort), data / "processed" / small_cohort.name,
                  data / "interim" / small_cohort.name)
    return data / "processed" / small_cohort.name
