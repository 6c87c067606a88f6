"""Where a report came from: code version, packages, parameters."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

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
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    return {"git_commit": git_commit(project_root), "python": platform.python_version(),
            "packages": packages, "parameters": parameters}
