#!/usr/bin/env bash
# Create or refresh .venv from requirements.lock: the runtime packages and the `dev` extra
# (pytest, playwright, ruff) at their exact versions, then this project (editable, no deps: the
# lock has them all). uv when it can be had (about ten times faster than pip on this stack),
# plain pip otherwise; the lock pins the same versions either way. Last, a check that the
# installed packages satisfy what pyproject.toml asks (a dependency added there but not locked).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
UV_VERSION=0.13.9

# Everything pyproject.toml asks for is installed at a version it accepts, or the lock is stale.
satisfied() {
  local report
  if ! report=$("$@" 2>&1); then
    echo "$report" >&2
    echo "bootstrap: requirements.lock does not satisfy pyproject.toml: compile it again" \
      "(the command is at the top of requirements.lock)" >&2
    return 1
  fi
}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if .venv/bin/python -m pip install --quiet "uv==$UV_VERSION" >/dev/null 2>&1; then
  .venv/bin/python -m uv pip sync --quiet --compile-bytecode --python .venv/bin/python requirements.lock
  .venv/bin/python -m uv pip install --quiet --python .venv/bin/python --no-deps -e .
  satisfied .venv/bin/python -m uv pip check --python .venv/bin/python
else
  echo "bootstrap: uv not available, installing with pip (slower)" >&2
  .venv/bin/python -m pip install --quiet -r requirements.lock
  .venv/bin/python -m compileall -q .venv/lib >/dev/null || true
  .venv/bin/python -m pip install --quiet --no-deps -e .
  satisfied .venv/bin/python -m pip check
fi
touch .venv/.installed
