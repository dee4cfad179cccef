"""The flattenings real scrapes produce (``FORMS``): each renders a document's blocks as text or HTML."""
from __future__ import annotations

import html
import random
import re
import unicodedata
from dataclasses import dataclass, field

from .noise import MSO_STYLE, page_marker
from .document import Block, Cell, Document, Table, build_blocks, placed_rows

# ------------------------------------------------------------------------------------------------ forms

FORMS = ("cells_tabbed", "cells_blank_separated", "cells_plain", "tab_rows", "one_line_spaced", "one_line_glued",
         "pdf_scrambled", "markdown", "html")


@dataclass
class Rendering:
    text: str
    form: str
    noise: list[str]
    glued_rows: list[str] = field(default_factory=list)
    charset: str = "utf-8"
    labels: list[str] = field(default_factory=list)    # every distinct label printed, in order


def _visible_text(cell: Cell) -> str:
    """A cell as a form that cannot show a blank prints it."""
    if cell.key is None:
        return cell.text
    return cell.zero if cell.blank else cell.text


def _padding(doc: Document, weight: float) -> str | None:
    """The space character (if any) this document pads its values with."""
    if doc.rng.random() >= min(0.9, doc.level * weight):
        return None
    doc.use("value_padding")
    return doc.rng.choice(["\u3000", "\xa0", " "])


def _pad(text: str, rng: random.Random, pad: str | None) -> str:
    if not pad or not text:
        return text
    side = rng.random()
    return pad + text if side < 0.4 else text + pad if side < 0.8 else text


def _form_cells_tabbed(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    pad = _padding(doc, 2.0)
    blank_styles = rng.sample(["\t", "\t\xa0", "\t\u3000", "\t "], k=rng.randint(1, 3))
    lines: list[str] = []
    for block in blocks:
        if block.kind == "table":
            for row in placed_rows(block.table):
                for p in row:
                    if p.placeholder:
                        lines.append("\t")
                    elif p.cell.key is not None and p.cell.blank:
                        lines.append(rng.choice(blank_styles))
                    elif p.cell.key is not None:
                        lines.append("\t" + _pad(p.cell.text, rng, pad))
                    else:
                        lines.append("\t" + p.cell.text)
                lines.append("")
            lines += ["", ""]
        elif block.kind == "para":
            lines += [rng.choice(["", "    "]) + text for text in block.lines]
        else:
            lines += block.lines
            if block.kind in ("title", "sign"):
                lines.append("")
    text = "\n".join(lines)
    if not text.startswith("标题") and rng.random() < min(0.5, doc.level):
        doc.use("docx_artifacts")      # Word's hidden bookmark, kept by some converters before the first line
        text = "[bookmark: _GoBack]" + text
    return text


def _visible_rows(table: Table) -> list[list[Cell]]:
    return [[p.cell for p in row if not p.placeholder and (p.cell.text or p.cell.key is not None)]
            for row in placed_rows(table)]


def _page_breaks(doc: Document, items: list, *, always: bool = False) -> list:
    """Page furniture dropped between items (lines or rows) as a printed page would leave it."""
    rng = doc.rng
    if not always and rng.random() >= min(0.9, doc.level * 0.6):
        return items
    doc.use("page_furniture")
    pages = rng.randint(3, 9)
    out, first = list(items), rng.randint(1, 3)
    running = f"{doc.record['issuer']}{doc.record['year']}年政府信息公开工作年度报告"
    spots = sorted(rng.sample(range(1, len(out)), k=min(len(out) - 1, rng.randint(1, 3))))
    for page, at in reversed(list(enumerate(spots, start=first))):
        furniture = [page_marker(page, pages, rng)]
        if rng.random() < 0.4:
            furniture.append(running)
        out[at:at] = furniture
    return out


def _form_cells_lines(doc: Document, blocks: list[Block], separator: str) -> str:
    """One cell per line (a cell's own line breaks kept), units separated by ``separator``."""
    units: list[str] = []
    for block in blocks:
        if block.kind == "table":
            rows = [[_visible_text(c) for c in row] for row in _visible_rows(block.table)]
            if block.table.name != "appeals":
                rows = [[x] if isinstance(x, str) else x for x in _page_breaks(doc, rows)]
            units += [cell for row in rows for cell in row]
        else:
            units += block.lines
    return separator.join(units)


def _form_tab_rows(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    fill_colspan, fill_rowspan = rng.random() < 0.7, rng.random() < 0.8
    trailing = rng.choice([0, 0, 1, 2])
    drop_lead = rng.uniform(0, 0.4) if rng.random() < min(0.9, doc.level * 2) else 0.0
    pad = _padding(doc, 0.5)
    paragraphs: list[str] = []
    for block in blocks:
        if block.kind != "table":
            paragraphs += block.lines
            continue
        rows = []
        for row in placed_rows(block.table):
            cells: list[str] = []
            for p in row:
                if p.placeholder:
                    cells += [""] * (fill_rowspan + (p.cell.colspan - 1) * fill_colspan)
                    continue
                blank = p.cell.key is not None and p.cell.blank
                cells.append("" if blank else _pad(p.cell.text, rng, pad) if p.cell.key else p.cell.text)
                cells += [""] * ((p.cell.colspan - 1) * fill_colspan)
            has_blank = any(p.cell.blank and p.cell.key for p in row)
            if not has_blank:
                if drop_lead and rng.random() < drop_lead:
                    while cells and cells[0] == "":
                        cells.pop(0)
                    doc.use("lost_leading_tabs")
                cells += [""] * trailing
            rows.append("\t".join(cells))
        paragraphs.append("\n".join(_page_breaks(doc, rows) if block.table.name == "requests" else rows))
    return "\n\n".join(paragraphs)


def _one_line_table(doc: Document, table: Table, glued: bool, glued_rows: list[str]) -> str:
    rng = doc.rng
    out: list[str] = []
    for row, name in zip(_visible_rows(table), table.row_names):
        labels = [c.text.replace("\n", " ") for c in row if c.key is None]
        values = [_visible_text(c).replace("\n", " ") for c in row if c.key is not None]
        if not values:
            out.append(_join(labels, rng, glued))
            continue
        if not glued:
            out.append(" ".join(labels + values))
            continue
        mode = rng.choices(["glued", "partial", "spaced"], [45, 25, 30])[0]
        body = _glue_values(values, mode, table.name, rng)
        if body.count(" ") < len(values) - 1:
            glued_rows.append(name or table.name)
        out.append(_join(labels, rng, glued) + rng.choice([" ", " ", ""]) + body if labels else body)
    return _join(out, rng, glued, glue_share=0.65)


def _join(pieces: list[str], rng: random.Random, glued: bool, glue_share: float = 0.3) -> str:
    """Pieces joined by single spaces, or in a glued dump by nothing at all for a share of the joints.

    A decimal is never glued to a piece opening with a digit (``41.99123.收到…``): no reader could split that.
    """
    text = pieces[0] if pieces else ""
    for piece in pieces[1:]:
        unsafe = piece[:1].isdigit() and re.search(r"\d\.\d+$", text)
        text += ("" if glued and not unsafe and rng.random() < glue_share else " ") + piece
    return text


def _glue_values(values: list[str], mode: str, table: str, rng: random.Random) -> str:
    """Values run together as a crawler prints them; spaced back wherever the run could be read two ways."""
    for attempt in (mode, "partial", "spaced"):
        if attempt == "glued":
            gaps = [""] * (len(values) - 1)
        elif attempt == "partial":
            gaps = [" " if len(a) > 1 or len(b) > 1 or rng.random() < 0.3 else "" for a, b in zip(values, values[1:])]
        else:
            gaps = [" "] * (len(values) - 1)
        text = values[0] + "".join(g + v for g, v in zip(gaps, values[1:]))
        if attempt == "spaced" or _readings(text, values, table) == 1:
            return text
    return text


_NUMBER = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?")
_MARKS = ("—", "/", "无", "-")


def _as_number(token: str) -> float | None:
    if token in _MARKS:
        return 0.0
    if not _NUMBER.fullmatch(token):
        return None
    return float(token.replace("万元", "").replace("元", ""))


def _row_holds(values: list[float], table: str) -> bool:
    if table == "requests":
        return sum(values[:-1]) == values[-1]
    if table == "appeals":
        return all(sum(values[g:g + 4]) == values[g + 4] for g in range(0, len(values), 5))
    return True


def _readings(text: str, printed: list[str], table: str) -> int:
    """How many ways (0, 1, 2 = more) a row's printed run splits into its cells, given the row's arithmetic."""
    tokens = unicodedata.normalize("NFKC", text).split()
    n = len(printed)
    target = [_as_number(unicodedata.normalize("NFKC", v)) or 0.0 for v in printed]
    checked = _row_holds(target, table)
    found = 0

    def walk(ti: int, pos: int, acc: list[float]) -> None:
        nonlocal found
        if found >= 2 or len(acc) > n:
            return
        if ti == len(tokens):
            if len(acc) == n and (not checked or _row_holds(acc, table)):
                found += 1
            return
        token = tokens[ti]
        if pos == len(token):
            walk(ti + 1, 0, acc)
            return
        for end in range(pos + 1, len(token) + 1):
            number = _as_number(token[pos:end])
            if number is not None:
                walk(ti, end, acc + [number])

    walk(0, 0, [])
    return found


def _form_one_line(doc: Document, blocks: list[Block], glued: bool) -> tuple[str, list[str]]:
    rng = doc.rng
    head: list[str] = []
    pieces: list[str] = []
    glued_rows: list[str] = []
    if rng.random() < min(0.6, doc.level):
        doc.use("office_style_junk")
        pieces.append(MSO_STYLE)
    for block in blocks:
        if block.kind == "meta" and block.lines[-1].startswith("===="):
            head += block.lines
        elif block.kind == "table":
            pieces.append(_one_line_table(doc, block.table, glued, glued_rows))
        else:
            pieces += [line.replace("\n", " ") for line in block.lines]
    return "\n".join(head + [_join(pieces, rng, glued)]), glued_rows


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _form_pdf(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    width = rng.randint(28, 42)
    chunks: list[list[str]] = []     # units a page break may fall between: a prose line, a table row
    for block in blocks:
        if block.kind == "para":
            chunks += [[line] for text in block.lines for line in _wrap(text, width)]
        elif block.kind == "table":
            chunks += _pdf_table(doc, block.table)
        else:
            chunks += [[line] for line in block.lines]
    chunks = [[c] if isinstance(c, str) else c for c in _page_breaks(doc, chunks, always=True)]
    return "\n".join(line for chunk in chunks for line in chunk)


def _pdf_table(doc: Document, table: Table) -> list[list[str]]:
    """Rows as PDF text extraction gives them: values before the label, or the label split around them."""
    rng = doc.rng
    out: list[list[str]] = []
    pending_groups: list[tuple[int, str]] = []    # (rows left before printing, label) of labels merged down
    for row in placed_rows(table):
        own = [p for p in row if not p.placeholder]
        labels = [p.cell for p in own if p.cell.key is None]
        values = [_visible_text(p.cell) for p in own if p.cell.key is not None]
        if not values:
            out.append([c.text for c in labels if c.text])
            continue
        groups = [c for c in labels if c.rowspan > 1]
        leaf = [c.text for c in labels if c.rowspan == 1]
        for g in groups:
            pending_groups.append((rng.randint(0, g.rowspan // 2), g.text))
        now = [label for wait, label in pending_groups if wait == 0]
        pending_groups = [(wait - 1, label) for wait, label in pending_groups if wait > 0]
        label = "".join(leaf)
        order = rng.random()
        if order < 0.45:
            lines = values + [label]
        elif order < 0.8 and len(label) > (width := rng.randint(5, 14)) + 1:
            # The label wraps at the cell's width and its first line sits above the row's values.
            lines = [label[:width]] + values + [label[width:]]
        else:
            lines = [label] + values
        out.append([line for line in lines + now if line])
    if pending_groups:
        out.append([label for _, label in pending_groups])
    return [chunk for chunk in out if chunk]


def _markdown_rows(doc: Document, table: Table) -> list[list[str]]:
    rng = doc.rng
    repeat = rng.random() < 0.3
    rows = []
    for row in placed_rows(table):
        cells: list[str] = []
        for p in row:
            text = "" if p.cell.key is not None and p.cell.blank else p.cell.text
            if p.placeholder:
                text = p.cell.text if repeat and p.cell.key is None else ""
            cells.append(text)
            cells += [text if repeat and p.cell.key is None else ""] * (p.cell.colspan - 1)
        rows.append(cells + [""] * (table.width - len(cells)))
    return rows


def _form_markdown(doc: Document, blocks: list[Block]) -> str:
    rng = doc.rng
    heading = rng.choice(["## {}", "**{}**", "{}", "### {}"])
    out: list[str] = []
    for block in blocks:
        if block.kind == "title":
            out.append("# " + block.lines[0])
            out += block.lines[1:]
        elif block.kind == "heading":
            out.append(heading.format(block.lines[0]))
        elif block.kind == "table":
            rows = _markdown_rows(doc, block.table)
            split_rows = rng.random() < min(0.9, doc.level * 1.5)
            lines = ["| " + " | ".join(c.replace("\n", "\n" if split_rows else "<br>") for c in r) + " |" for r in rows]
            if split_rows and any("\n" in line for line in lines):
                doc.use("markdown_split_row")
            rule = "|" + "---|" * block.table.width
            header = rng.choice(["empty", "none"]) if rng.random() < min(0.9, doc.level * 1.3) else "first"
            if header == "first":
                lines.insert(1, rule)
            elif header == "empty":
                lines[:0] = ["|" + " |" * block.table.width, rule]
            else:
                doc.use("markdown_header_lost")
            out.append("\n".join(lines))
        else:
            out += block.lines
    return "\n\n".join(out)


def _html_table(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = []
        for c in row:
            span = f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            span += f' rowspan="{c.rowspan}"' if c.rowspan > 1 else ""
            blank = (c.key is not None and c.blank) or not c.text
            text = "&nbsp;" if blank else html.escape(c.text).replace("\n", "<br/>")
            cells.append(f'<td{span} valign="center"><p class="MsoNormal" align="center"><span>{text}</span></p></td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n' + \
        "\n".join(rows) + "\n</tbody>\n</table>"


def _form_html(doc: Document, blocks: list[Block]) -> tuple[str, str]:
    rng = doc.rng
    charset = "gbk" if rng.random() < 0.3 else "utf-8"
    title = next((b.lines[0] for b in blocks if b.kind == "title"), "政府信息公开工作年度报告")
    body: list[str] = []
    for block in blocks:
        if block.kind == "furniture":
            body.append('<div class="nav">' + "".join(f"<p>{html.escape(x)}</p>" for x in block.lines) + "</div>")
        elif block.kind == "title":
            body.append(f"<h1>{html.escape(block.lines[0])}</h1>" +
                        "".join(f'<p align="center">{html.escape(x)}</p>' for x in block.lines[1:]))
        elif block.kind == "table":
            body.append(_html_table(block.table))
        elif block.kind == "heading":
            body.append(f"<p><strong>{html.escape(block.lines[0])}</strong></p>")
        else:
            body += [f'<p style="text-indent:2em">{html.escape(x)}</p>' for x in block.lines]
    page = ('<!DOCTYPE html>\n<html>\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            '<div class="main"><div class="article">\n<div class="TRS_Editor">\n' + "\n".join(body) +
            "\n</div>\n</div></div>\n</body>\n</html>\n")
    return page, charset


def render_report(record: dict, form: str, rng: random.Random, *, noise: float = 0.3,
                  garble: float = 0.0) -> Rendering:
    """``render`` with what it did: the noise kinds used, the rows whose values run together, the charset.
    ``garble`` is the share of label occurrences given hard slips (lookalike glyphs, lost characters)."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {FORMS}")
    doc = Document(record, rng, noise, garble)
    crawler = form != "html" and rng.random() < (0.8 if form.startswith("one_line") else 0.2)
    # Word and PDF files carry no site navigation; a saved page always does.
    site = True if form == "html" else False if form in ("cells_tabbed", "pdf_scrambled") else None
    blocks = build_blocks(doc, crawler=crawler, site=site)
    glued_rows: list[str] = []
    charset = "utf-8"
    if form == "cells_tabbed":
        text = _form_cells_tabbed(doc, blocks)
    elif form == "cells_blank_separated":
        text = _form_cells_lines(doc, blocks, "\n\n")
    elif form == "cells_plain":
        text = _form_cells_lines(doc, blocks, "\n")
    elif form == "tab_rows":
        text = _form_tab_rows(doc, blocks)
    elif form in ("one_line_spaced", "one_line_glued"):
        text, glued_rows = _form_one_line(doc, blocks, glued=form == "one_line_glued")
    elif form == "pdf_scrambled":
        text = _form_pdf(doc, blocks)
    elif form == "markdown":
        text = _form_markdown(doc, blocks)
    else:
        text, charset = _form_html(doc, blocks)
    kinds = sorted(doc.kinds | doc.labels.applied)
    return Rendering(text, form, kinds, glued_rows, charset, list(dict.fromkeys(doc.labels.printed)))


def render(record: dict, form: str, rng: random.Random, *, noise: float = 0.3, garble: float = 0.0) -> str:
    """The full text of a report printing ``record`` in ``form`` (one of ``FORMS``)."""
    return render_report(record, form, rng, noise=noise, garble=garble).text
