"""A build stopped part-way (Ctrl-C, a CI timeout) leaves no temporary file and nothing that
looks finished, and the next `make report` gives exactly what an uninterrupted build gives.
Each build is a copy of the project with the small cohort alone in data/raw (conftest)."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


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


@pytest.fixture(scope="module")
def reference(make_project, small_cohort):
    project = make_project([small_cohort], name="uninterrupted")
    project.build("report")
    return _outputs(project.root)


@pytest.mark.parametrize("moment", [
    "reports/*/notebooks",  # 01_clean started (its output folder made), cleaning under way
    "reports/*/notebooks/01_clean.ipynb",  # cleaning done: the models under way
    "reports/*/report.pdf",  # the Indonesian PDF written: the English report under way
])
def test_a_build_stopped_part_way_then_rerun_gives_the_same_outputs(reference, small_cohort,
                                                                   make_project, moment):
    project = make_project([small_cohort], name="interrupted")
    root = project.root
    build = project.popen_make("report", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
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
    project.build("report")
    assert _outputs(root) == reference
