"""Where a report's numbers came from: code version, Python, packages, the fit's parameters.

02_dropout_model collects it when it fits the models and writes it into results.json
(`provenance`), so the report shows the environment that computed its numbers, not the one
that rendered them. Nothing in it changes from run to run on the same checkout (no clock
times), so the same processed data still give a byte-identical results.json.
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

# The checkout that holds this package (editable install: src/analysis -> the project's root).
CHECKOUT = Path(__file__).resolve().parents[2]
PACKAGES = ("pandas", "numpy", "statsmodels", "scipy", "matplotlib", "papermill", "nbconvert",
            "weasyprint", "pandera", "pyarrow")


def git_commit(project_root: str | Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(project_root), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(project_root), "status", "--porcelain",
                                "--untracked-files=no", "--", "src", "notebooks"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out + (" (+ uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"


def collect(project_root: str | Path, parameters: dict) -> dict:
    """git commit of `project_root`, the Python version, PACKAGES' versions, `parameters`."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    return {"git_commit": git_commit(project_root), "python": platform.python_version(),
            "packages": packages, "parameters": parameters}
