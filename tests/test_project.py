"""Standing rules of the repository: pinned environment, clean notebooks, only synthetic raw data."""

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata

import yaml

from conftest import PROJECT_ROOT

DEV_TOOLS = {"pytest", "pytest-xdist", "playwright", "ruff", "pdfua"}  # never what a report needs


def _canonical(name: str) -> str:
    """A distribution's name as PyPI compares them: case, '-', '_' and '.' folded."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[str]) -> set[str]:
    return {_canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group(0)) for r in requirements}


def _pyproject() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def _runtime() -> set[str]:
    return _names(_pyproject()["project"]["dependencies"])


def _dev() -> set[str]:
    return _names(_pyproject()["project"]["optional-dependencies"]["dev"])


def _lock() -> dict[str, str]:
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    return {_canonical(k): v for k, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_every_locked_requirement_is_pinned_exactly():
    lines = [line for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines and all("==" in line for line in lines)


def test_the_tests_and_the_linter_are_development_dependencies_only():
    assert DEV_TOOLS <= _dev()
    assert not _runtime() & _dev(), "a package is both a runtime and a dev dependency"


def test_the_lock_pins_every_direct_dependency_runtime_and_dev():
    """One lock for `make venv`: compiled with --extra dev, so the venv can run the tests."""
    missing = (_runtime() | _dev()) - set(_lock())
    assert not missing, f"in pyproject.toml but not in requirements.lock: {sorted(missing)}"


def test_environment_yml_names_the_direct_dependencies_at_the_locked_versions():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pinned = {_canonical(name): version for name, version in
              (d.split("=", 1) for d in env["dependencies"] if isinstance(d, str) and "=" in d)}
    # what conda-forge lacks comes from pip, pinned with ==
    pip = next((d["pip"] for d in env["dependencies"] if isinstance(d, dict)), [])
    pinned |= {_canonical(name): version.split("#")[0].strip() for name, version in
               (d.split("==", 1) for d in pip if "==" in d)}
    assert pinned.pop("python") == "3.11"
    runtime, dev = _runtime(), _dev()
    assert not runtime - set(pinned), f"runtime, not in environment.yml: {sorted(runtime - set(pinned))}"
    assert not dev - set(pinned), f"dev, not in environment.yml: {sorted(dev - set(pinned))}"
    extra = set(pinned) - runtime - dev
    assert not extra, f"in environment.yml, not in pyproject.toml: {sorted(extra)}"
    lock = _lock()
    disagree = {name: (version, lock.get(name)) for name, version in pinned.items()
                if lock.get(name) != version}
    assert not disagree, f"environment.yml vs requirements.lock: {disagree}"


def _third_party_imports(folder) -> dict[str, str]:
    """Top-level module -> a file importing it, for every import that is not the standard
    library's or the project's own (lazy imports inside functions included)."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top != "analysis":
                    found.setdefault(top, str(path.relative_to(PROJECT_ROOT)))
    return found


def test_the_package_declares_every_package_it_imports_as_a_runtime_dependency():
    """A package src/analysis imports but only gets through another one's dependencies breaks
    when that one drops it; a dev tool imported by the package breaks an install without tests."""
    distributions = metadata.packages_distributions()
    runtime = _runtime()
    undeclared = {}
    for module, where in _third_party_imports(PROJECT_ROOT / "src" / "analysis").items():
        names = {_canonical(d) for d in distributions.get(module, [])}
        if not names & runtime:
            undeclared[module] = (where, sorted(names) or "not installed")
    assert not undeclared, f"imported by src/analysis, not in [project] dependencies: {undeclared}"


def test_package_data_names_files_that_exist_and_covers_every_data_file():
    package = PROJECT_ROOT / "src" / "analysis"
    patterns = _pyproject()["tool"]["setuptools"]["package-data"]["analysis"]
    for pattern in patterns:
        assert [p for p in package.glob(pattern) if p.is_file()], f"package-data {pattern}: no file"
    data = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()
            and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    covered = {p.relative_to(package).as_posix() for pattern in patterns
               for p in package.glob(pattern)}
    assert data <= covered, f"not in package-data (an installed copy would lack them): " \
                            f"{sorted(data - covered)}"


def test_the_console_script_names_a_function_that_exists():
    for name, target in _pyproject()["project"]["scripts"].items():
        module, _, function = target.partition(":")
        path = PROJECT_ROOT / "src" / (module.replace(".", "/") + ".py")
        assert path.exists(), f"{name}: {module} has no file"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.FunctionDef) and n.name == function for n in tree.body), \
            f"{name}: {target} is not a function"


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


def test_every_raw_folder_gitignore_lets_in_is_synthetic():
    """The `!data/raw/<folder>/` lines of .gitignore: each a folder marked synthetic."""
    lines = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    folders = [m.group(1) for line in lines if (m := re.fullmatch(r"!data/raw/([^/]+)/", line))]
    assert folders
    for folder in folders:
        spec = yaml.safe_load((PROJECT_ROOT / "data" / "raw" / folder / "cohort.yml").read_text())
        assert spec.get("synthetic") is True, f".gitignore lets {folder} into git: not synthetic"
