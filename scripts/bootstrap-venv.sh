#!/usr/bin/env bash
# Create or refresh .venv from requirements.lock. uv when it can be had (about ten times faster
# than pip on this stack), plain pip otherwise; the lock pins the same versions either way.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
UV_VERSION=0.13.9

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if .venv/bin/python -m pip install --quiet "uv==$UV_VERSION" >/dev/null 2>&1; then
  .venv/bin/python -m uv pip sync --quiet --compile-bytecode --python .venv/bin/python requirements.lock
  .venv/bin/python -m uv pip install --quiet --python .venv/bin/python --no-deps -e .
else
  echo "bootstrap: uv not available, installing with pip (slower)" >&2
  .venv/bin/python -m pip install --quiet -r requirements.lock
  .venv/bin/python -m compileall -q .venv/lib >/dev/null || true
  .venv/bin/python -m pip install --quiet --no-deps -e .
fi
touch .venv/.installed
