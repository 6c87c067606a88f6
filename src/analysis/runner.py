"""Running a notebook as the build does: papermill, a quiet kernel, no clock times in the output.

Kept apart from the commands (analysis.commands) because what it does shapes every executed
notebook, so every stage's outputs depend on it; a command's printout does not.
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import InputError

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def execute(notebook: Path, output: Path, parameters: dict, settings: Path | None = None) -> None:
    """Execute a notebook with papermill; a failing cell raises PapermillExecutionError.

    The run writes to a temporary file that becomes the output only when every cell has run,
    with the run's clock times taken out, so an interrupted build leaves nothing that looks
    finished and the same inputs give the same executed notebook."""
    import papermill

    # a cohort's own choices (cohort.yml `analysis:`), overridden by the run's own (-p)
    parameters = {**(notebook_settings(notebook, settings) if settings else {}), **parameters}
    output.parent.mkdir(parents=True, exist_ok=True)
    running = output.with_name(f".{output.stem}.running{output.suffix}")
    try:
        papermill.execute_notebook(
            str(notebook), str(running), parameters=parameters, kernel_name="python3",
            cwd=str(Path(notebook).resolve().parent), progress_bar=False,
            request_save_on_cell_execute=False, kernel_manager_class=_quiet_kernel_manager())
        _without_clock_times(running, output)
    except BaseException:
        output.unlink(missing_ok=True)  # it may quote raw values: never leave it behind
        raise
    finally:
        running.unlink(missing_ok=True)


def _quiet_kernel_manager():
    """Kernels whose own stderr goes nowhere. What a cell prints reaches the executed notebook
    (ipykernel captures it), and a failing cell or a dead kernel reaches us as an exception;
    the process's stderr holds only zmq's noise when kernels stop under `make -j2` (an
    "Assertion failed" and a ZMQStream traceback, or a KeyboardInterrupt traceback), which
    staff would read as the build failing."""
    import subprocess

    from jupyter_client import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stderr"] = subprocess.DEVNULL
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


def _without_clock_times(executed: Path, output: Path) -> None:
    """The executed notebook as the audit trail, minus what changes from run to run (start and
    end times, durations, the injected cell's random id)."""
    import nbformat

    from analysis.outputs import atomic_write

    nb = nbformat.read(executed, as_version=4)
    for key in ("start_time", "end_time", "duration"):
        nb.metadata.get("papermill", {}).pop(key, None)
    nb.metadata.get("papermill", {})["output_path"] = str(output)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    atomic_write(output, lambda p: nbformat.write(nb, p))


def notebook_settings(notebook: Path, settings_file: Path) -> dict:
    """The `analysis` block of a cohort's metadata, limited to parameters the notebook has."""
    import json

    import papermill

    metadata = json.loads(settings_file.read_text(encoding="utf-8"))
    settings = metadata.get("analysis") or {}
    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(settings) - set(declared))
    if unknown:
        raise InputError(f"data/raw/{metadata.get('id', '<cohort>')}/cohort.yml",
                         f"analysis: unknown parameter(s) {', '.join(unknown)} for "
                         f"{notebook.name}; it takes {', '.join(sorted(declared))}")
    return settings


def defaults(notebook: str | Path) -> dict:
    """A notebook's parameters as its `parameters` cell sets them: the one home of defaults
    such as the formulas, read by the code that needs them (papermill.inspect_notebook)."""
    import ast

    import papermill

    path = Path(notebook)
    if not path.is_absolute() and not path.exists():
        path = NOTEBOOKS / path
    declared = papermill.inspect_notebook(str(path))
    return {name: ast.literal_eval(p["default"]) for name, p in declared.items()}
