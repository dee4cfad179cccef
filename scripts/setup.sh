#!/usr/bin/env bash
# Set up everything xxgk needs on a fresh machine: the virtual environment, the package, the models.
# Idempotent: rerunning it only fills in what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
pip install -e ".[dev]"
echo "xxgk set up: $(.venv/bin/xxgk --version)"
