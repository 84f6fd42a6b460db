#!/usr/bin/env bash
# Sets up the real-browser test: Debian's headless Chromium and its driver (installed with
# apt-get when missing; runs as root) and a Python venv at $1 with scripts/requirements-browser.txt.
# Idempotent: a second run installs nothing new.
# Usage: scripts/browser-setup.sh VENV_DIR
set -euo pipefail
cd "$(dirname "$0")/.."

if (($# != 1)); then
    echo "usage: scripts/browser-setup.sh VENV_DIR" >&2
    exit 2
fi
venv="$1"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
if ((${#need_apt[@]})); then
    echo "browser-setup: apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-browser.txt

# Proves the stack: headless Chromium renders a data: URL and the packaged axe-core runs on it.
"$venv/bin/python" scripts/browser_test.py --self-check
echo "browser-setup: $(chromium --version 2>/dev/null), $(chromedriver --version 2>/dev/null | cut -d' ' -f1-2), venv $venv"
