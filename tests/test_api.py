"""The public Python API: ``xxgk.__all__``, documented, loaded on first use, the same as the modules' own."""
from __future__ import annotations

import random
import subprocess
import sys

import pytest

import xxgk
from xxgk import pipeline
from xxgk.generate import gold_of, random_record, render


def test_every_public_name_is_there_and_documented():
    for name in xxgk.__all__:
        value = getattr(xxgk, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), f"xxgk.{name} has no docstring"
    assert set(xxgk.__all__) <= set(dir(xxgk))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="extract_everything"):
        xxgk.extract_everything


def test_the_api_extracts_as_the_pipeline_does():
    rng = random.Random(8)
    record = random_record("2019", rng)
    text = render(record, "tab_rows", rng, noise=0.0)
    got = xxgk.extract_text(text, "report.txt")
    assert got == pipeline.extract_text(text, "report.txt")
    assert got["fields"] == gold_of(record)["fields"]
    assert xxgk.extract_bytes(text.encode("gb18030"), "report.txt")["fields"] == got["fields"]
    rechecked = xxgk.check_record({k: got[k] for k in ("template", "year", "issuer", "fields")})
    assert rechecked["verdict"] == got["verdict"] == "consistent"
    assert xxgk.Options(label_stages="dictionary").transformer is False


def _imported_after(code: str) -> set[str]:
    heavy = ("numpy", "pyarrow", "pandas", "lxml", "xxgk.pipeline", "xxgk.labels", "xxgk.tables")
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_importing_the_package_or_the_command_line_loads_no_stage():
    # ``import xxgk`` and ``xxgk --version`` / ``--help`` stay cheap: the stages load when a name is first used.
    assert _imported_after("import xxgk; xxgk.__version__") == set()
    assert _imported_after("import xxgk.cli") == set()
    assert "xxgk.pipeline" in _imported_after("import xxgk; xxgk.extract_file")
