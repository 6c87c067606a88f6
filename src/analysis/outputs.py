"""Writing outputs safely: whole files or nothing, and JSON that any reader accepts; reading
results.json back without importing the models (the report step does not fit anything)."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path


def atomic_write(path: str | Path, write) -> None:
    """Call write(tmp_path) on a temporary file beside `path`, then rename: never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*"):  # left by a run killed outright (KILL)
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are for sharing
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def json_ready(value):
    """JSON has no infinity: a non-finite estimate becomes null (the report says why). Floats
    keep 8 significant digits: more than any estimate from fifty people deserves, and no long
    digit runs for the leak check to mistake for a phone number."""
    if isinstance(value, float):
        return float(f"{value:.8g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    return value


def write_json(path: str | Path, data, sort_keys: bool = False) -> None:
    text = json.dumps(json_ready(data), indent=2, ensure_ascii=False, sort_keys=sort_keys) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def load_results(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
