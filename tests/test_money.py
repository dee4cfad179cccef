"""Money is plausible or flagged (issue 20): 元 anywhere near the figure converts it to 万元; a 万元 figure that only
makes sense in another unit is flagged, never rescaled."""
from __future__ import annotations

import random

import pytest

from xxgk.evaluate import CONFIDENT
from xxgk.generate import gold_of, random_record, render_report
from xxgk.pipeline import extract_text

KEY = "disclosure.procurement.amount_wan"


def _report(form: str, amount, projects: int = 44, seed: int = 3):
    """A 2019 report whose procurement row prints ``amount`` (as given, any unit) for ``projects`` purchases."""
    rng = random.Random(f"money-test:{seed}")
    record = random_record("2019", rng)
    record["fields"]["disclosure.procurement.projects"] = projects
    record["fields"][KEY] = 12345.67
    text = render_report(record, form, rng, noise=0.0).text
    assert "12345.67" in text
    return text.replace("12345.67", str(amount)), gold_of(record)


@pytest.mark.parametrize("form, printed", [(form, "2505310\n元") for form in ("cells_tabbed", "cells_blank_separated",
                                                                          "cells_plain", "tab_rows", "pdf_scrambled")]
                         + [(form, "2505310 元") for form in ("one_line_spaced", "one_line_glued")])
def test_yuan_on_the_next_line_or_after_a_space_is_the_figures_own(form, printed):
    text, _ = _report(form, printed)
    record = extract_text(text, f"{form}.txt")
    assert record["fields"][KEY] == pytest.approx(250.531)
    assert record["cells"][KEY]["confidence"] >= CONFIDENT


def test_a_unit_line_above_the_table_converts_and_flags():
    text, _ = _report("tab_rows", "2505310")
    text = text.replace("第二十条第（一）项", "单位：元\n第二十条第（一）项", 1)
    record = extract_text(text, "unit-line.txt")
    assert record["fields"][KEY] == pytest.approx(250.531)
    assert record["cells"][KEY]["confidence"] < CONFIDENT


@pytest.mark.parametrize("printed, projects", [("2505310", 44), ("3000000", 300)])
def test_a_wan_figure_that_only_fits_as_yuan_is_flagged_not_rescaled(printed, projects):
    text, _ = _report("tab_rows", printed, projects)
    record = extract_text(text, "implausible.txt")
    cell = record["cells"][KEY]
    assert record["fields"][KEY] == int(printed)          # the document's number, as printed
    assert cell["confidence"] < CONFIDENT
    assert "if the figure is in 元" in cell["note"]


def test_ordinary_money_stays_sure():
    text, _ = _report("tab_rows", "2505.31", 44)
    record = extract_text(text, "ordinary.txt")
    assert record["fields"][KEY] == pytest.approx(2505.31)
    assert record["cells"][KEY]["confidence"] >= CONFIDENT
