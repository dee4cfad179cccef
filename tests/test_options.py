"""Options are passed in, not read from the environment below the command line: the library takes an
``Options`` value, and ``XXGK_LABEL_STAGES`` is turned into one at the command line's edge."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from xxgk.batch import extractor_id
from xxgk.cli import app
from xxgk.generate import generate_set
from xxgk.labels import reset_caches
from xxgk.options import DEFAULT_OPTIONS, Options
from xxgk.pipeline import extract_file


def test_label_stages_are_checked_when_the_options_are_made():
    with pytest.raises(ValueError, match="label stages"):
        Options(label_stages="transformer-only")
    assert (Options().transformer, Options(label_stages="ngrams").transformer) == (True, False)
    assert (Options(label_stages="ngrams").learned_labels, Options(label_stages="dictionary").learned_labels) == (
        True, False)


def test_nothing_reads_the_stage_switch_at_import():
    # The switch was read when label_stages was imported, and a bad value made every import fail.
    probe = "import xxgk.pipeline, xxgk.labels.stages, xxgk.tables.recover; print('imported')"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "XXGK_LABEL_STAGES": "nonsense"})
    assert done.returncode == 0 and done.stdout.strip() == "imported", done.stderr


@pytest.fixture(scope="module")
def garbled(tmp_path_factory):
    """Generated reports whose labels carry hard slips: the dictionary alone reads fewer cells of them."""
    out = tmp_path_factory.mktemp("garbled")
    generate_set(out, 12, seed=11, forms=["cells_tabbed", "one_line_spaced", "pdf_scrambled"], noise=0.5,
                 garble=0.6)
    return sorted((out / "raw").iterdir())


def test_the_command_line_turns_the_environment_into_options(garbled, tmp_path):
    reset_caches()
    by_dictionary = {p.stem: extract_file(p, Options(label_stages="dictionary"))["fields"] for p in garbled}
    every_stage = {p.stem: extract_file(p, DEFAULT_OPTIONS)["fields"] for p in garbled}
    assert by_dictionary != every_stage      # the switch matters on these reports
    runner = CliRunner()
    for stages, expected in (("dictionary", by_dictionary), ("all", every_stage)):
        out = tmp_path / stages
        done = runner.invoke(app, ["extract", *map(str, garbled), "-o", str(out), "-q"],
                             env={"XXGK_LABEL_STAGES": stages})
        assert done.exit_code == 0, done.output
        assert {p.stem: json.loads(p.read_text(encoding="utf-8"))["fields"] for p in out.glob("*.json")} == expected


def test_a_bad_stage_switch_is_refused_at_the_command_line(garbled, tmp_path):
    done = CliRunner().invoke(app, ["extract", str(garbled[0]), "-o", str(tmp_path)],
                              env={"XXGK_LABEL_STAGES": "nonsense"})
    assert done.exit_code == 2 and "XXGK_LABEL_STAGES must be all, ngrams or dictionary" in done.output
    assert not list(tmp_path.iterdir())


def test_a_batch_journal_keys_on_the_options():
    # A journal of records extracted with the dictionary alone is not reused for a run with every stage.
    assert extractor_id(Options(label_stages="dictionary")) != extractor_id(DEFAULT_OPTIONS)
    assert extractor_id() == extractor_id(DEFAULT_OPTIONS) and "label_stages" not in extractor_id()
    assert "label_stages=dictionary" in extractor_id(Options(label_stages="dictionary"))
