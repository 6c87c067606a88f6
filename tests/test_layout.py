"""The tree shows the stages, and data flows one way: these tests state the rules and fail on a
breach (an import that reaches back upstream, a stage the Makefile does not rebuild on)."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT_ROOT / "src" / "analysis"
STAGES = ("ingest", "models", "privacy", "report", "planning", "synthetic")
SHARED = "shared"  # the modules at the top of src/analysis: codebook, features, errors, ...

# What each stage may import (besides itself and the shared modules). Raw -> processed (ingest)
# -> results (models) -> reports (report); privacy reads raw rosters to check every output, and
# protects small counts for models and report; planning works across and ahead of cohorts;
# synthetic makes up data and is imported at run time only by planning (simulations) and by the
# commands that generate cohorts.
MAY_IMPORT = {
    SHARED: set(),
    "ingest": set(),
    "privacy": {"ingest"},
    "models": {"privacy"},
    "report": {"privacy"},
    "planning": {"models", "report", "privacy", "synthetic"},
    "synthetic": {"ingest", "models"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _stage(module: str) -> str:
    head = module.split(".")[0]
    return head if head in STAGES else (module if module in ("commands",) else SHARED)


def _imports_of(path: Path) -> set[str]:
    """The analysis modules a file imports, at any place in it (lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "analysis":
                found |= {a.name for a in node.names}
            elif node.module.startswith("analysis."):
                found.add(node.module.removeprefix("analysis."))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; write `from analysis.… import …`")
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("analysis.") for a in node.names
                      if a.name.startswith("analysis.")}
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def breaches(may_import: dict[str, set[str]]) -> list[str]:
    found = []
    for module, path in _modules().items():
        stage = _stage(module)
        if stage == "commands" or module == "__main__":
            continue  # the commands run every stage
        allowed = {stage, SHARED} | may_import[stage]
        for imported in sorted(_imports_of(path)):
            target = _stage(imported)
            if target not in allowed:
                found.append(f"{module} ({stage}) imports {imported} ({target})")
    return found


def test_data_flows_one_way():
    assert breaches(MAY_IMPORT) == []


def test_the_flow_rules_catch_a_breach():
    """Without the report stage's right to use privacy, its imports of privacy.cells breach."""
    stricter = {**MAY_IMPORT, "report": set()}
    assert any(b.startswith("report.") and "(privacy)" in b for b in breaches(stricter))


def test_no_stage_imports_the_commands():
    for module, path in _modules().items():
        if module not in ("commands", "__main__"):
            assert "commands" not in _imports_of(path), module


def test_every_module_is_in_a_stage_folder_or_shared():
    shared = sorted(m for m in _modules() if _stage(m) == SHARED and "." not in m)
    assert shared == ["", "__main__", "codebook", "errors", "features", "outputs", "provenance",
                      "runner", "terms"], "a new top-level module: put it in its stage's folder"


def _make_list(variable: str) -> set[str]:
    done = subprocess.run(["make", "-s", "--no-print-directory", f"print-{variable}"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return {p.removeprefix("src/analysis/") for p in done.stdout.split()}


def _reach(entry: str) -> set[str]:
    """Every analysis module an entry module needs, following imports."""
    modules = _modules()
    seen, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        todo.extend(_imports_of(modules[name]))
        todo.extend(p for p in modules if p and name and p == name.rpartition(".")[0])
    return seen


@pytest.mark.parametrize("variable, entries", [
    ("CLEAN_SRC", ["ingest.clean", "runner"]), ("MODEL_SRC", ["models.results", "runner"]),
    ("REPORT_SRC", ["report.sections", "report.figures", "report.render", "provenance", "runner"]),
    ("PRIVACY_SRC", ["privacy.leaks"]),
    ("PLANNING_SRC", ["planning.pooled", "report.planning_sections"]),
])
def test_each_makefile_stage_depends_on_the_folders_it_imports(variable, entries):
    listed = _make_list(variable)
    needed = set().union(*(_reach(e) for e in entries))
    files = {str(_modules()[m].relative_to(PACKAGE)) for m in needed}
    if "codebook.py" in files:
        files.add("codebook.yml")
    if "report/catalogue.py" in files:
        files.add("report/strings.yml")
    assert files <= listed, f"{variable} misses {sorted(files - listed)}"
    folders = {f.split("/")[0] for f in listed if "/" in f}
    assert folders == {f.split("/")[0] for f in files if "/" in f}, \
        f"{variable} lists folders its stage does not import"
    assert "commands.py" not in listed, "a command's printout must not rebuild outputs"
