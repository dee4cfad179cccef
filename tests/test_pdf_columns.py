"""PDF tables read by their columns: the pages are the generator's saved pages printed by Chromium and by
LibreOffice (the real programs), then read back.

A table wider than the paper is cut at the paper's edge (Chromium at its printable area, LibreOffice on both
sides): the cells cut off must come out flagged, never shifted into their neighbours' places. A page that fits
the paper must read whole, blank cells included (a header row drawn without a top ruling, a column of blanks,
LibreOffice's thin rows of empty cells). Each print takes a few seconds: one page per case.
"""
from __future__ import annotations

import random

import pytest

from xxgk import schema
from xxgk.evaluate import evaluate
from xxgk.generate import gold_of, random_record, render_report
from xxgk.generate.forms import draw_page_style
from xxgk.generate.tools import PDF_CHROMIUM, PDF_LIBREOFFICE, make_files
from xxgk.pipeline import extract_file

SURE = 0.9


def _record(seed: int) -> dict:
    """A 2021 record whose table 3 holds cases in several columns (so that a cut column is not all zeros) and
    whose table 4 holds cases in every group."""
    for k in range(500):
        record = random_record("2021", random.Random(f"test-pdf-columns:{seed}:{k}"))
        f = record["fields"]
        if f["requests.total.total"] >= 5 and sum(f[f"requests.total.{c}"] > 0
                                                  for c in schema.APPLICANT_COLUMNS[:-1]) >= 2:
            groups = {"review": [2, 1, 0, 1, 4], "litigation_direct": [1, 0, 0, 2, 3],
                      "litigation_after_review": [0, 0, 1, 0, 1]}
            for group, values in groups.items():
                f.update(zip((f"appeals.{group}.{c}" for c in schema.APPEAL_COLUMNS), values))
            return record
    raise AssertionError("no record of the wanted shape")


def _printed(tmp_path, kind: str, name: str, record: dict, **habits) -> dict:
    rng = random.Random(f"test-pdf-columns-page:{name}")
    style = draw_page_style(rng, charset="utf-8", **habits)
    page = tmp_path / f"{name}.html"
    page.write_text(render_report(record, "html", rng, noise=0.0, page=style).text, encoding="utf-8")
    pdf = make_files({name: page}, tmp_path, {kind})[kind][name]
    return extract_file(pdf)


def _scored(record: dict, got: dict) -> dict:
    return evaluate({"r": gold_of(record)}, {"r": got})


CASES = {
    # name: (producer, page habits)
    "chromium-wide-template": (PDF_CHROMIUM, dict(wide=True, zeros="printed", appeals_layout="template",
                                                  shell="site", spans="run")),
    "chromium-wide-blank": (PDF_CHROMIUM, dict(wide=True, zeros="blank", appeals_layout="template",
                                               shell="word", spans="run")),
    "libreoffice-wide": (PDF_LIBREOFFICE, dict(wide=True, zeros="printed", appeals_layout="split",
                                               shell="site", spans="run")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_table_cut_at_the_papers_edge_is_flagged_never_shifted(tmp_path, case):
    kind, habits = CASES[case]
    record = _record(1)
    got = _printed(tmp_path, kind, case, record, **habits)
    result = _scored(record, got)
    silent = [(w["key"], w["gold"], w["read"]) for w in result["wrong"] if not w["flagged"]]
    assert silent == []
    # what the page shows is read: the first applicant column of table 3, every row
    first = [k for k in record["fields"] if k.startswith("requests.") and k.endswith(".natural_person")]
    assert [k for k in first if got["fields"][k] != record["fields"][k]] == []


FITTING = {
    # a 3x5 table 4 whose cells are all blank, its header row without a top ruling (Chromium)
    "chromium-grid-blank": (PDF_CHROMIUM, dict(wide=False, zeros="blank", appeals_layout="grid_3x5",
                                               shell="site", spans="run", cell_paragraphs=False)),
    # small tables whose rows of blank cells LibreOffice draws 4.7 pt high
    "libreoffice-split-blank": (PDF_LIBREOFFICE, dict(wide=False, zeros="blank_all", appeals_layout="split",
                                                      shell="site", spans="run", blank="o:p")),
}


@pytest.mark.parametrize("case", list(FITTING))
def test_a_table_that_fits_the_paper_is_read_whole_blank_cells_included(tmp_path, case):
    kind, habits = FITTING[case]
    record = _record(2)
    for group in schema.APPEAL_GROUPS:       # table 4 all blank: its rows are rows of blank cells only
        record["fields"].update({f"appeals.{group}.{c}": 0 for c in schema.APPEAL_COLUMNS})
    got = _printed(tmp_path, kind, case, record, **habits)
    result = _scored(record, got)
    assert [(w["key"], w["gold"], w["read"]) for w in result["wrong"]] == []
