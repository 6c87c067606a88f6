#!/usr/bin/env bash
# The JupyterLab test drives Debian's Chromium with Playwright (nothing is downloaded at test
# time). Install it when it is missing and we may; otherwise say what to run.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq chromium
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo apt-get install -y -qq chromium
else
  echo "make test needs Debian's Chromium for the JupyterLab test: sudo apt-get install chromium" >&2
  exit 2
fi
