"""Rows whose blank cells left no mark, placed by the template's sums (``xxgk.tables.arrange``).

Every case is a generated saved page run through the real tool (BeautifulSoup, lynx), read by the extractor and
scored against the page's record: a cell is right, or flagged; never wrong and trusted.
"""
from __future__ import annotations

import random

import pytest

from xxgk import schema
from xxgk.evaluate import evaluate
from xxgk.generate import gold_of, random_record, render_report
from xxgk.generate.forms import draw_page_style
from xxgk.generate.tools import get_text, lynx
from xxgk.pipeline import extract_text
from xxgk.tables.arrange import (MOST_PLAUSIBLE, PLACED_BY_THE_SUMS, Placement, RowToPlace, blanks_by_gaps,
                                 row_placements, solve)
from xxgk.tables.tokens import tokenize

CONFIDENT = 0.9
# Habits that leave the table's words whole (a label per line), so that what is measured is the blank cells.
WHOLE_LABELS = dict(spans="run", label_breaks=0.0, wide=False, misaligned_row=False, appeals_layout="template",
                    charset="utf-8")


def _applicant_columns(record: dict) -> set[str]:
    """The applicant columns of table 3 that hold a number in some row."""
    return {c for c in schema.APPLICANT_COLUMNS[:-1]
            if any(v for k, v in record["fields"].items() if k.startswith("requests.") and k.endswith("." + c))}


def _record(template: str, columns: int, seed: str) -> dict:
    """A record whose table 3 has numbers in at least ``columns`` applicant columns (and table 4 some)."""
    for n in range(2000):
        record = random_record(template, random.Random(f"{seed}:{n}"))
        if len(_applicant_columns(record)) >= columns and record["fields"]["appeals.review.total"]:
            return record
    raise AssertionError("no record of the wanted shape")


def _page(record: dict, tmp_path, name: str, **habits):
    style = draw_page_style(random.Random(f"test-arrange:{name}"), **{**WHOLE_LABELS, **habits})
    path = tmp_path / f"{name}.html"
    path.write_text(render_report(record, "html", random.Random(name), noise=0.0, page=style).text, "utf-8")
    return path


def _scored(record: dict, text: str) -> tuple[dict, dict]:
    pred = extract_text(text, "case")
    return pred, evaluate({"case": gold_of(record)}, {"case": pred})


def _table3_cells(pred: dict) -> dict:
    return {k: c for k, c in pred["cells"].items() if k.startswith("requests.")}


def test_text_that_leaves_blank_cells_out_is_placed_by_the_sums(tmp_path):
    """BeautifulSoup's get_text(strip=True) of a page with blank cells for zero: each row prints its non-blank
    values only. Before, every such row of table 3 was unread; now each row's total is read, and every cell is
    right or flagged."""
    record = _record("2021", 3, "drop")
    text = get_text(_page(record, tmp_path, "drop", shell="site", cell_paragraphs=False, blank="nbsp",
                          zeros="blank"), strip=True)
    pred, result = _scored(record, text)
    assert result["silent_errors"] == 0
    fields = record["fields"]
    for row in schema.template("2021").rows_of("requests"):
        # the row total is the last value printed: in every placement that fits the sums
        cell = pred["cells"][row.key("total")]
        assert cell["value"] == fields[row.key("total")], row.row
        # sure, unless its row's label was read unsure (3.其他 names more than one row), or it printed nothing
        # beside such a row (whose values may be its)
        assert (cell["confidence"] >= CONFIDENT or "row label read at" in cell["note"]
                or "a row beside it has values taken by their place alone" in cell["note"]), row.row
    assert result["per_table"]["requests"]["accuracy"] >= 0.9


def test_a_placement_the_sums_leave_open_is_flagged_with_its_candidates(tmp_path):
    """When the identities admit several placements (the same numbers in two applicant columns), the cells that
    differ are ambiguous, flagged, with every value they take as candidates, and the value given is that of the
    most plausible placement (where real reports have numbers); nothing is read with confidence that differs
    between placements."""
    record = _record("2021", 3, "open")
    text = get_text(_page(record, tmp_path, "open", shell="site", cell_paragraphs=False, blank="nbsp",
                          zeros="blank"), strip=True)
    pred, result = _scored(record, text)
    ambiguous = {k: c for k, c in _table3_cells(pred).items() if c["kind"] == "ambiguous"}
    assert ambiguous, "three applicant columns in use leave some cell open"
    for key, cell in ambiguous.items():
        assert cell["confidence"] == MOST_PLAUSIBLE < CONFIDENT
        assert len(cell["candidates"]) >= 2 and cell["value"] in cell["candidates"]
        assert record["fields"][key] in cell["candidates"], key
    assert result["silent_errors"] == 0


def test_empty_lines_that_count_blank_cells_place_the_row(tmp_path):
    """lynx prints a page whose cells are paragraphs one cell per line, an empty line after each and one more per
    blank (&nbsp;) cell. The empty lines give every value its column: table 3 is read whole and sure, numbers in
    several applicant columns included."""
    record = _record("2019", 3, "lynx")
    text = lynx(_page(record, tmp_path, "lynx", shell="site", cell_paragraphs=True, blank="nbsp", zeros="blank"))
    assert "\n\n\n" in text        # the blank cells' empty lines
    pred, result = _scored(record, text)
    assert result["per_table"]["requests"]["accuracy"] == 1.0
    cells = _table3_cells(pred)
    assert all(c["confidence"] >= CONFIDENT and c["kind"] != "ambiguous" for c in cells.values())
    assert result["silent_errors"] == 0


def test_nbsp_lines_are_blank_cells(tmp_path):
    """BeautifulSoup's get_text() of a page whose blank cells hold &nbsp;: a line of no-break spaces per blank cell.
    Those lines are the blank cells: tables 3 and 4 read whole and sure (before: unread)."""
    record = _record("2021", 2, "nbsp")
    text = get_text(_page(record, tmp_path, "nbsp", shell="site", cell_paragraphs=True, blank="nbsp",
                          zeros="blank"), strip=False)
    assert "\n\xa0\n" in text
    pred, result = _scored(record, text)
    assert result["per_table"]["requests"]["accuracy"] == 1.0
    assert result["per_table"]["appeals"]["accuracy"] == 1.0
    assert result["silent_errors"] == 0 and result["flagged_errors"] == 0


def test_table2_row_short_of_values_is_flagged_unless_one_placement(tmp_path):
    """Table 2 has no identities: in a text that leaves blank cells out, a row with fewer values than columns is
    flagged (its numbers may sit in any of several columns); a row with as many values as columns is read."""
    record = _record("2019", 1, "table2")
    text = get_text(_page(record, tmp_path, "table2", shell="site", cell_paragraphs=False, blank="nbsp",
                          zeros="blank_all"), strip=True)
    pred, result = _scored(record, text)
    assert result["silent_errors"] == 0
    rows = schema.template("2019").rows_of("disclosure")
    empty = [not any(record["fields"][k] for k in row.keys) for row in rows]
    for k, row in enumerate(rows):
        values = [record["fields"][key] for key in row.keys]
        cells = [pred["cells"][key] for key in row.keys]
        if 0 < sum(v != 0 for v in values) < len(values) - 1 or (sum(v != 0 for v in values) == len(values) - 1
                                                                   and len(values) > 1):
            assert any(c["confidence"] < CONFIDENT for c in cells), row.row
        # A whole row is read, unless the row after it printed nothing: its values stand between the two labels,
        # and which row they are depends on the side the table is read from, which such a text does not show;
        # or unless it follows the row after one that printed nothing (行政许可 / 其他对外管理服务事项 / 73 10 / …
        # / 行政处罚 224 -24 200): the stacked labels' numbers may run on past the next label, and table 2 has no
        # sum to say where they end.
        if all(values) and not (k + 1 < len(rows) and empty[k + 1]) and not (k >= 2 and empty[k - 2]):
            assert all(c["confidence"] >= CONFIDENT for c in cells), row.row


# ------------------------------------------------------------------------------------------------ the solver


def _rows_of(tokens_by_row: dict[str, str], keys_of: dict[str, tuple], rules) -> list[RowToPlace]:
    rows = []
    for row, text in tokens_by_row.items():
        values = [t for t in tokenize(text) if t.kind == "value"]
        inside = [r for r in rules if set(r.left + r.right) <= set(keys_of[row])]
        identities = [(tuple(keys_of[row].index(k) for k in r.left), tuple(keys_of[row].index(k) for k in r.right),
                       0) for r in inside]
        rows.append(RowToPlace(row, keys_of[row], row_placements(values, keys_of[row], identities), identities))
    return rows


def test_the_column_sums_decide_what_the_rows_alone_do_not():
    """Table 4 as one row of values: 3 3 alone could be any group's; with the group totals, 5 1 4 … must be where
    their sums put them. And a row whose numbers fit no placement has none: no solution, nothing guessed."""
    spec = schema.template("2021")
    keys = tuple(f"appeals.{g}.{c}" for g in schema.APPEAL_GROUPS for c in schema.APPEAL_COLUMNS)
    rules = [r for r in spec.rules if r.name.startswith("appeals.")]
    [row] = _rows_of({"all": "2 1 3 4 4"}, {"all": keys}, rules)
    solution = solve([row], rules)
    placed = {p.numbers for p in solution.supported["all"]}
    # 2 1 3 must be one group (2+1 = 3), 4 4 another, in that order: 3 groups choose 2, and 4 columns choose 2
    # and 1 for the parts
    assert all(sum(n[:4]) == n[4] and sum(n[5:9]) == n[9] and sum(n[10:14]) == n[14] for n in placed)
    assert len({n[4::5] for n in placed}) == 3
    [impossible] = _rows_of({"all": "2 1 4"}, {"all": keys}, rules)
    assert impossible.placements == [] and solve([impossible], rules) is None


def test_empty_lines_counted_only_when_they_account_for_every_row():
    """One empty line after each cell and one more per blank cell (lynx): the counts fit every row; text whose
    lines hold one cell each with nothing between (BeautifulSoup strip) fits none, so blanks stay unknown."""
    spans = {"a": tokenize("5\n\n\n5\n\n"), "b": tokenize("2\n\n1\n\n\n3\n\n")}
    widths = {"a": 3, "b": 4}
    assert blanks_by_gaps(spans, widths, "b") == {"a": (0, 1, 0), "b": (0, 0, 1, 0)}
    packed = {"a": tokenize("5\n5"), "b": tokenize("2\n1\n3")}
    assert blanks_by_gaps(packed, widths, "b") is None


def test_most_plausible_placement_puts_a_lone_applicant_in_the_natural_person_column():
    keys = tuple(f"requests.granted.{c}" for c in schema.APPLICANT_COLUMNS)
    rules = [r for r in schema.template("2021").rules if r.name == "requests.row_total.granted"]
    [row] = _rows_of({"granted": "14 14"}, {"granted": keys}, rules)
    solution = solve([row], rules)
    assert len(solution.supported["granted"]) == 6
    best: Placement = solution.best["granted"]
    assert best.numbers == (14, 0, 0, 0, 0, 0, 14)


@pytest.mark.parametrize("line, kind", [("\xa0", "blank"), (" \xa0 ", "blank"), ("", "break"), ("   ", "break")])
def test_a_line_of_no_break_spaces_is_a_blank_cell(line, kind):
    tokens = tokenize(f"规章\n{line}\n3")
    assert [t.kind for t in tokens] == ["label", kind, "value"]


def test_digits_of_a_web_address_and_a_lone_numbering_are_no_cells():
    tokens = tokenize("file:///tmp/page/rf030-2019-template-blank.html 2/4\n3.\n“\n危及三安全一稳定\n）无 2.没有现成信息需")
    assert [t.kind for t in tokens] == ["label"] * len(tokens)
    assert PLACED_BY_THE_SUMS >= CONFIDENT > MOST_PLAUSIBLE


def test_labels_printed_one_character_per_line_are_read(tmp_path):
    """A page whose editor wrapped every character of the labels in a span of its own: BeautifulSoup's
    get_text("\\n", strip=True) prints each character on a line (1 / . / 属 / 于 / 国 …). The runs are put back
    together into the labels they spell: tables 2 and 3 are read (before: unread)."""
    record = _record("2021", 1, "chars")
    text = get_text(_page(record, tmp_path, "chars", shell="word", cell_paragraphs=True, blank="o:p nbsp",
                          zeros="printed", spans="char"), strip=True)
    assert "\n规\n章\n" in text
    pred, result = _scored(record, text)
    assert result["per_table"]["disclosure"]["accuracy"] == 1.0
    assert result["per_table"]["requests"]["accuracy"] == 1.0
    assert result["silent_errors"] == 0


def test_a_run_of_characters_is_cut_at_the_labels_it_spells():
    lines = "第\n二\n十\n条\n第\n（\n五\n）\n项\n信\n息\n内\n容\n行\n政\n许\n可\n0\n1\n.\n属\n于\n国\n家\n秘\n密\n2\n2"
    tokens = tokenize(lines)
    assert [(t.kind, t.text) for t in tokens] == [
        ("label", "第二十条第（五）项"), ("label", "信息内容"), ("label", "行政许可"), ("value", "0"),
        ("label", "1.属于国家秘密"), ("value", "2"), ("value", "2")]
    assert [t.line for t in tokens][:4] == [1, 10, 14, 18]


def test_blank_marks_one_per_line_stay_cells_beside_a_label_spelled_out():
    tokens = tokenize("规章\n无\n无\n无\n无\n无\n（\n四\n）\n无\n法\n提\n供\n3")
    assert [(t.kind, t.text) for t in tokens] == [("label", "规章")] + [("value", "无")] * 5 + [
        ("label", "（四）无法提供"), ("value", "3")]
