"""`pip install xxgk` as a user gets it: the wheel built from these sources, installed with no index (no network)
into a clean venv, away from the repository, extracts the seed reports as well as the repository does, with
the label model from inside the package, its encoder built on first use, and no torch."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The core's dependencies as wheels, fetched once by scripts/setup.sh (pip download), so that this test needs
# no network.
WHEELHOUSE = ROOT / "build" / "wheelhouse"


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args[:4]}: {done.stderr[-3000:]}"
    return done


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def test_the_wheel_installs_offline_in_a_clean_venv_and_extracts_the_seeds(tmp_path):
    if not any(WHEELHOUSE.glob("*.whl")):
        if os.environ.get("CI"):
            pytest.fail(f"no wheels in {WHEELHOUSE}: scripts/setup.sh fetches them")
        pytest.skip(f"no wheels in {WHEELHOUSE} (run scripts/setup.sh)")
    _run(sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-deps",
         "--no-build-isolation", "-w", tmp_path / "dist", ROOT, timeout=300)
    wheel = next((tmp_path / "dist").glob("xxgk-*.whl"))

    venv = tmp_path / "venv"
    # Nothing from this environment leaks in: no PYTHONPATH, no pip configuration's extra indexes.
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "XXGK_CACHE": str(tmp_path / "cache"),
           "PIP_CONFIG_FILE": os.devnull, "LANG": "C.UTF-8"}
    started = time.perf_counter()
    _run(sys.executable, "-m", "venv", venv, timeout=300)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-index",
         "--find-links", WHEELHOUSE, wheel, env=env, timeout=1200)
    install_seconds = time.perf_counter() - started

    work = tmp_path / "work"          # a folder with the reports and their gold, and no repository around
    shutil.copytree(ROOT / "corpus" / "seeds", work / "seeds")
    where = _run(venv / "bin" / "python", "-c", "import xxgk.labels.files as f, importlib.util as u; "
                 "print(f.MODEL_DIR); print(u.find_spec('torch'))", env=env, cwd=work).stdout.split("\n")
    assert where[0].startswith(str(venv)) and (Path(where[0]) / "config.json").is_file()
    assert where[1] == "None"                                     # no torch to extract

    _run(venv / "bin" / "xxgk", "extract", "seeds/raw", "-o", "pred", env=env, cwd=work, timeout=900)
    scored = json.loads(_run(venv / "bin" / "xxgk", "eval", "seeds/gold", "pred", "--json", "-", env=env,
                             cwd=work).stdout)
    assert scored["predicted"] == 5 and scored["perfect"]["correct"] == 5, scored
    # A label only the transformer maps: its encoder is built on first use, from the installed wheels, and said.
    labelled = _run(venv / "bin" / "xxgk", "label", "--explain", "申请人逾期未缴费机关不再处理", env=env, cwd=work,
                    timeout=900)
    assert labelled.stdout.strip().split("\t")[0::2] == ["requests.other_unpaid_fee", "model"]
    assert "building the label classifier's encoder once" in labelled.stderr
    print(f"core install: {install_seconds:.0f} s, venv {_size_mb(venv):.0f} MB, "
          f"label runtime {_size_mb(tmp_path / 'cache'):.0f} MB")
