"""The flattenings real scrapes produce (``FORMS``): each renders a document's blocks as text or HTML."""
from __future__ import annotations

import html
import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields, replace

from .document import APPEALS_LAYOUTS, ZERO_HABITS, Block, Cell, Document, Table, build_blocks, placed_rows
from .noise import MSO_STYLE, page_marker

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
    page: dict | None = None                           # the html form's PageStyle, as a dict


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


# ------------------------------------------------------------------------------------------------ saved pages


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


def _form_simple_html(doc: Document, blocks: list[Block]) -> tuple[str, str]:
    """The saved page as first written: plain markup, every cell one paragraph and one span."""
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


@dataclass(frozen=True)
class PageStyle:
    """The habits of whatever made a saved page's markup; each field is drawn per report unless fixed.

    ``shell``: a Word document saved as a web page ("word", Word's head, styles and ``@page`` A4 size) or that
    markup pasted into a government site's article ("site", navigation and footer around it, the head stripped).
    ``spans``: one ``<span>`` per cell text ("run"), per script run and word ("word"), or per character ("char",
    as WPS and edited documents print it). ``cell_paragraphs``: a cell's text inside ``<p class=MsoNormal>`` as
    Word writes it, or bare as a site's editor leaves it (lynx aligns only the bare tables). ``blank``: how an
    empty cell is written. ``wide``: fixed widths that make tables 3 and 4 wider than an A4 page.
    ``misaligned_row``: Word's invisible ``<![if !supportMisalignedColumns]>`` row of empty cells under a
    table whose merged cells do not line up. ``label_breaks``: the share of long table labels the author broke
    by hand (Enter in a narrow column), written as ``line_break`` says: "br" (a line break) or "p" (a second
    paragraph in the cell). ``zeros``: one of ``ZERO_HABITS`` (None: drawn from the noise). ``appeals_layout``:
    one of ``APPEALS_LAYOUTS``.
    """
    shell: str = "word"
    spans: str = "run"
    cell_paragraphs: bool = True
    blank: str = "o:p nbsp"
    wide: bool = False
    misaligned_row: bool = False
    label_breaks: float = 0.0
    line_break: str = "br"
    zeros: str | None = "printed"
    appeals_layout: str = "template"
    charset: str = "utf-8"


PAGE_SHELLS = ("word", "site")
SPAN_STYLES = ("run", "word", "char")
# How an empty cell is written: Word's empty paragraph, a site editor's bare no-break space, or nothing at all.
BLANK_CELLS = {"o:p nbsp": "<span lang=EN-US><o:p>&nbsp;</o:p></span>", "o:p": "<span lang=EN-US><o:p></o:p></span>",
               "nbsp": "&nbsp;", "empty": ""}
A4_TEXT_WIDTH_PT = 415.3      # an A4 page (595.3 pt) less Word's default 90 pt margins: the width tables fit in
WIDE_TABLE_PT = (600.0, 760.0)  # a wide table's width: past the text width and past the paper itself (595.3 pt)
# Relative width of each grid column, by table and width (label columns wider than value columns).
_COLUMN_WEIGHTS = {("disclosure", 4): [3, 2, 2, 2], ("requests", 10): [1, 1.3, 4] + [1.4] * 7,
                   ("appeals", 15): [1] * 15, ("appeals", 7): [1.2, 2.4] + [1.2] * 5,
                   ("appeals", 6): [3] + [1.2] * 5, ("appeals", 5): [1] * 5}


def draw_page_style(rng: random.Random, **fixed) -> PageStyle:
    """A saved page's habits; ``fixed`` ones (field=value) are kept, the others drawn."""
    unknown = set(fixed) - {f.name for f in fields(PageStyle)}
    if unknown:
        raise ValueError(f"unknown page style fields {sorted(unknown)}")
    shell = rng.choice(PAGE_SHELLS)
    drawn = PageStyle(
        shell=shell,
        spans=rng.choices(SPAN_STYLES, [50, 35, 15])[0],
        # Word always wraps a cell's text in a paragraph; a site's editor often strips it.
        cell_paragraphs=shell == "word" or rng.random() < 0.5,
        blank=rng.choices(list(BLANK_CELLS), [50, 10, 30, 10] if shell == "site" else [85, 15, 0, 0])[0],
        wide=rng.random() < 0.35,
        misaligned_row=shell == "word" and rng.random() < 0.4,
        label_breaks=0.0 if rng.random() < 0.5 else round(rng.uniform(0.2, 0.6), 2),
        line_break=rng.choice(["br", "p"]),
        zeros=rng.choice(ZERO_HABITS),
        appeals_layout=rng.choice(APPEALS_LAYOUTS),
        charset="gbk" if rng.random() < 0.3 else "utf-8",
    )
    style = replace(drawn, **fixed)
    if style.zeros is not None and style.zeros not in ZERO_HABITS:
        raise ValueError(f"unknown zero habit {style.zeros!r}")
    if style.line_break not in ("br", "p"):
        raise ValueError(f"unknown line break {style.line_break!r}")
    if style.appeals_layout not in APPEALS_LAYOUTS:
        raise ValueError(f"unknown table-4 layout {style.appeals_layout!r}")
    return style


LONG_LABEL = 8                 # characters from which an author may break a table label by hand
_SCRIPT_RUN = re.compile(r"[0-9０-９A-Za-z.+\-%]+|[^0-9０-９A-Za-z.+\-%]+")
_LATIN = re.compile(r"[0-9０-９A-Za-z.+\-%]")
_CJK_SPAN = "<span style='font-size:{size};font-family:宋体;mso-ascii-font-family:\"Times New Roman\"'>{text}</span>"
_LATIN_SPAN = "<span lang=EN-US style='font-size:{size};font-family:\"Times New Roman\",serif'>{text}</span>"


def _spans(text: str, style: str, rng: random.Random, size: str = "10.5pt") -> str:
    """A text as Word's runs: one span, one per script run (split again where an edit would split it), or one
    per character. Spans follow each other without whitespace, as Word writes them."""
    if style == "run":
        runs = [text]
    elif style == "char":
        runs = list(text)
    else:
        runs = []
        for run in _SCRIPT_RUN.findall(text):
            while len(run) > 4 and not _LATIN.match(run) and rng.random() < 0.5:
                cut = rng.randint(2, min(4, len(run) - 1))
                runs.append(run[:cut])
                run = run[cut:]
            runs.append(run)
    return "".join((_LATIN_SPAN if _LATIN.match(run) else _CJK_SPAN).format(size=size, text=html.escape(run))
                   for run in runs)


def _column_widths(table: Table, style: PageStyle, rng: random.Random) -> list[float]:
    weights = _COLUMN_WEIGHTS.get((table.name, table.width), [1] * table.width)
    if style.wide and table.name != "disclosure":
        total = rng.uniform(*WIDE_TABLE_PT)
    else:
        total = A4_TEXT_WIDTH_PT - rng.choice([0, 0, 5.4, 10.8, 30])
    return [round(total * w / sum(weights), 1) for w in weights]


def _hand_broken(text: str, style: PageStyle, rng: random.Random) -> str:
    """A label as its author may have broken it in a narrow cell (the break is layout: the label is unchanged)."""
    if "\n" in text or len(text) < LONG_LABEL or not style.label_breaks or rng.random() >= style.label_breaks:
        return text
    cut = rng.randint(3, len(text) - 2)
    return text[:cut] + "\n" + text[cut:]


def _word_cell(cell: Cell, width: float, style: PageStyle, rng: random.Random) -> str:
    attrs = f"width={round(width * 96 / 72)}"
    attrs += f" colspan={cell.colspan}" if cell.colspan > 1 else ""
    attrs += f" rowspan={cell.rowspan}" if cell.rowspan > 1 else ""
    css = (f"width:{width}pt;border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext .5pt;"
           f"mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt")
    blank = (cell.key is not None and cell.blank) or not cell.text
    if blank:
        lines = [BLANK_CELLS[style.blank]]
    elif cell.key is not None:
        # A number is typed in one go: one run, whatever the labels' habit (split digits, 9 and 5 for 95, would be
        # two cells to any reader).
        lines = [_spans(cell.text, "run", rng)]
    else:
        lines = [_spans(line, style.spans, rng) for line in _hand_broken(cell.text, style, rng).split("\n")]
    if style.cell_paragraphs:
        para = "<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>{}</p>"
        if style.line_break == "br":
            body = para.format("<br>\n".join(lines))
        else:
            body = "\n  ".join(para.format(line) for line in lines)
    else:
        body = "<br>".join(lines)
    return f"  <td {attrs} valign=center style='{css}'>\n  {body}\n  </td>"


def _word_table(table: Table, style: PageStyle, rng: random.Random) -> str:
    widths = _column_widths(table, style, rng)
    total = round(sum(widths), 1)
    rows = []
    for r, (row, placed) in enumerate(zip(table.rows, placed_rows(table))):
        own = [p for p in placed if not p.placeholder]
        cells = [_word_cell(p.cell, sum(widths[p.column:p.column + p.cell.colspan]), style, rng)
                 for p in own]
        rows.append(f" <tr style='mso-yfti-irow:{r};height:{rng.choice(['15.6', '20.25', '28.5'])}pt'>\n"
                    + "\n".join(cells) + "\n </tr>")
    if style.misaligned_row and any(c.colspan > 1 or c.rowspan > 1 for row in table.rows for c in row):
        rows.append(" <![if !supportMisalignedColumns]>\n <tr height=0>\n"
                    + "\n".join(f"  <td width={round(w * 96 / 72)} style='border:none'></td>" for w in widths)
                    + "\n </tr>\n <![endif]>")
    css = (f"width:{total}pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
           "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt")
    caption = ""
    if table.caption:
        caption = ("<p class=MsoNormal style='text-indent:21.0pt'><b>" + _spans(table.caption, "run", rng)
                   + "</b></p>\n")
    return (caption + f"<div align=center>\n<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
            f"width={round(total * 96 / 72)} style='{css}'>\n" + "\n".join(rows) + "\n</table>\n</div>")


def _word_para(text: str, style: PageStyle, rng: random.Random, *, css: str = "text-indent:32.0pt;line-height:28.0pt",
               bold: bool = False, size: str = "16.0pt") -> str:
    spans = _spans(text, "word" if style.spans == "char" else style.spans, rng, size=size)
    if bold:
        spans = f"<b>{spans}</b>"
    return f"<p class=MsoNormal style='{css};mso-line-height-rule:exactly'>{spans}<span lang=EN-US><o:p></o:p></span></p>"


_WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset={charset}">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>{author}</o:Author>
  <o:Pages>{pages}</o:Pages>
  <o:Version>16.00</o:Version>
 </o:DocumentProperties>
</xml><![endif]--><!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Normal</w:View>
  <w:Zoom>0</w:Zoom>
  <w:SpellingState>Clean</w:SpellingState>
  <w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
  <w:DisplayHorizontalDrawingGridEvery>0</w:DisplayHorizontalDrawingGridEvery>
  <w:DisplayVerticalDrawingGridEvery>2</w:DisplayVerticalDrawingGridEvery>
  <w:LidThemeOther>EN-US</w:LidThemeOther>
  <w:LidThemeAsian>ZH-CN</w:LidThemeAsian>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
	{{font-family:宋体;
	panose-1:2 1 6 0 3 1 1 1 1 1;
	mso-font-charset:134;}}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{mso-style-unhide:no;
	margin:0cm;
	text-align:justify;
	text-justify:inter-ideograph;
	font-size:10.5pt;
	font-family:"Calibri",sans-serif;}}
@page WordSection1
	{{size:595.3pt 841.9pt;
	margin:72.0pt 90.0pt 72.0pt 90.0pt;
	mso-header-margin:42.55pt;
	mso-footer-margin:49.6pt;
	layout-grid:15.6pt;}}
div.WordSection1
	{{page:WordSection1;}}
 /* Style Definitions */
 table.MsoNormalTable
	{{mso-style-name:普通表格;
	mso-tstyle-rowband-size:0;
	mso-tstyle-colband-size:0;
	mso-padding-alt:0cm 5.4pt 0cm 5.4pt;
	font-size:10.0pt;
	font-family:"Times New Roman",serif;}}
-->
</style>
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:15.6pt'>

"""


def _word_body(doc: Document, blocks: list[Block], style: PageStyle) -> list[str]:
    rng = doc.rng
    body: list[str] = []
    for block in blocks:
        if block.kind == "furniture":
            body.append('<div class="nav">' + "".join(f"<p>{html.escape(x)}</p>" for x in block.lines) + "</div>")
        elif block.kind == "title":
            center = "text-align:center;line-height:28.0pt"
            body.append(_word_para(block.lines[0], style, rng, css=center, bold=True, size="22.0pt"))
            body += [_word_para(x, style, rng, css=center) for x in block.lines[1:]]
        elif block.kind == "table":
            body.append(_word_table(block.table, style, rng))
        elif block.kind == "heading":
            body.append(_word_para(block.lines[0], style, rng, bold=True))
        elif block.kind == "sign":
            body += [_word_para(x, style, rng, css="text-align:right;line-height:28.0pt") for x in block.lines]
        else:
            body += [_word_para(x, style, rng) for x in block.lines]
    return body


def _form_html(doc: Document, blocks: list[Block], style: PageStyle) -> str:
    title = next((b.lines[0] for b in blocks if b.kind == "title"), "政府信息公开工作年度报告")
    body = _word_body(doc, blocks, style)
    if style.shell == "word":
        head = _WORD_HEAD.format(charset=style.charset, title=html.escape(title), author=doc.rng.choice(
            ["Administrator", "admin", "微软用户", "User", "lenovo"]), pages=doc.rng.randint(4, 9))
        return head + "\n\n".join(body) + "\n\n</div>\n\n</body>\n\n</html>\n"
    return ('<!DOCTYPE html>\n<html>\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={style.charset}">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            '<div class="main"><div class="article">\n<div class="TRS_Editor">\n' + "\n".join(body) +
            "\n</div>\n</div></div>\n</body>\n</html>\n")


def render_report(record: dict, form: str, rng: random.Random, *, noise: float = 0.3,
                  garble: float = 0.0, page: PageStyle | None = None) -> Rendering:
    """``render`` with what it did: the noise kinds used, the rows whose values run together, the charset.
    ``garble`` is the share of label occurrences given hard slips (lookalike glyphs, lost characters).

    The html form is the page a Word document saved or pasted to the web makes, with the habits of ``page``
    (``draw_page_style``; they are returned in ``Rendering.page``); without ``page`` it is the plain saved page
    the existing tests and evaluations were written against (every cell one paragraph and one span).
    """
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {FORMS}")
    word_page = form == "html" and page is not None
    doc = Document(record, rng, noise, garble, zeros=page.zeros if word_page else None)
    crawler = form != "html" and rng.random() < (0.8 if form.startswith("one_line") else 0.2)
    # Word and PDF files carry no site navigation; a saved site page always does.
    site = (page.shell == "site" if word_page else True) if form == "html" else \
        False if form in ("cells_tabbed", "pdf_scrambled") else None
    layout = page.appeals_layout if word_page else "template"
    blocks = build_blocks(doc, crawler=crawler, site=site, appeals_layout=layout)
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
    elif word_page:
        text, charset = _form_html(doc, blocks, page), page.charset
    else:
        text, charset = _form_simple_html(doc, blocks)
    kinds = sorted(doc.kinds | doc.labels.applied)
    return Rendering(text, form, kinds, glued_rows, charset, list(dict.fromkeys(doc.labels.printed)),
                     asdict(page) if word_page else None)


def render(record: dict, form: str, rng: random.Random, *, noise: float = 0.3, garble: float = 0.0,
           page: PageStyle | None = None) -> str:
    """The full text of a report printing ``record`` in ``form`` (one of ``FORMS``)."""
    return render_report(record, form, rng, noise=noise, garble=garble, page=page).text
