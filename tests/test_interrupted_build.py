"""A build stopped part-way (Ctrl-C, a CI timeout) leaves no temporary file and nothing that
looks finished, and the next `make report` gives exactly what an uninterrupted build gives."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def _project(root: Path, small_cohort: Path) -> Path:
    for name in ("Makefile", "notebooks", "src", "scripts", "requirements.lock",
                 "pyproject.toml", ".venv"):
        (root / name).symlink_to(PROJECT_ROOT / name)
    shutil.copytree(small_cohort, root / "data" / "raw" / small_cohort.name)
    return root


def _outputs(root: Path) -> dict[str, bytes]:
    """Every output, with the project's folder written as <root> (executed notebooks record
    the paths they were given)."""
    found = {}
    for top in ("reports", "data/processed"):
        for path in sorted((root / top).rglob("*")):
            if path.is_file():
                content = path.read_bytes().replace(str(root).encode(), b"<root>")
                found[str(path.relative_to(root))] = content
    return found


def _make(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "report"], cwd=root, capture_output=True, text=True)


@pytest.fixture(scope="module")
def reference(small_cohort, tmp_path_factory):
    root = _project(tmp_path_factory.mktemp("uninterrupted"), small_cohort)
    assert _make(root).returncode == 0
    return _outputs(root)


@pytest.mark.parametrize("moment", [
    "reports/*/notebooks",  # 01_clean started (its output folder made), cleaning under way
    "reports/*/notebooks/01_clean.ipynb",  # cleaning done: the models under way
    "reports/*/report.pdf",  # the Indonesian PDF written: the English report under way
])
def test_a_build_stopped_part_way_then_rerun_gives_the_same_outputs(reference, small_cohort,
                                                                   tmp_path, moment):
    root = _project(tmp_path, small_cohort)
    build = subprocess.Popen(["make", "report"], cwd=root, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(root.glob(moment)) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert list(root.glob(moment)), f"the build never reached {moment}"
    os.killpg(build.pid, signal.SIGTERM)  # what Ctrl-C or a timeout does to the whole build
    build.wait(timeout=60)
    time.sleep(0.5)
    partial = _outputs(root)
    leftovers = [p for p in partial if Path(p).name.startswith(".")]
    assert not leftovers, leftovers
    assert "reports/index.html" not in partial  # the build did not get that far
    for path, content in partial.items():  # whatever exists is whole, as a finished build has it
        if path.endswith(("results.json", ".parquet", "quality.json", ".pdf", ".html")):
            assert content == reference[path], path
    assert _make(root).returncode == 0
    assert _outputs(root) == reference
