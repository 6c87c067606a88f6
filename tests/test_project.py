"""Standing rules of the repository: pinned environment, clean notebooks, only synthetic raw data."""

import json
import re
import subprocess
import tomllib

import yaml

from conftest import PROJECT_ROOT


def _lock() -> dict[str, str]:
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    return {k.lower(): v for k, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_every_locked_requirement_is_pinned_exactly():
    lines = [line for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert all("==" in line for line in lines)


def test_environment_yml_names_the_same_packages_and_versions_as_the_lock():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pinned = dict(d.split("=", 1) for d in env["dependencies"] if isinstance(d, str) and "=" in d)
    direct = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert pinned.pop("python") == "3.11"
    assert set(pinned) == {d.lower() for d in direct}, "environment.yml and pyproject.toml differ"
    lock = _lock()
    disagree = {name: (version, lock.get(name)) for name, version in pinned.items()
                if lock.get(name) != version}
    assert not disagree, f"environment.yml vs requirements.lock: {disagree}"


def _tracked(pattern: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", pattern], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, check=True).stdout
    return out.split()


def test_committed_notebooks_carry_no_outputs():
    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_parameters_cell_comes_right_after_the_imports():
    for path in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        assert "import" in "".join(code[0]["source"]), path.name
        assert "parameters" in code[1]["metadata"].get("tags", []), path.name


def test_only_synthetic_cohorts_are_committed():
    folders = {p.split("/")[2] for p in _tracked("data/raw") if p.count("/") >= 3}
    assert folders, "the demo cohorts should be committed"
    for folder in folders:
        spec = yaml.safe_load((PROJECT_ROOT / "data" / "raw" / folder / "cohort.yml").read_text())
        assert spec.get("synthetic") is True, f"{folder} is not marked synthetic but is in git"


def test_outputs_and_pii_folders_are_ignored():
    ignored = subprocess.run(
        ["git", "check-ignore", "data/interim/x/quarantine.csv", "data/processed/x/a.parquet",
         "reports/x/report.pdf", "data/raw/real-cohort/roster.csv", ".venv/bin/python"],
        cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.split()
    assert len(ignored) == 5


