"""Saved web pages to text (part of stage 1): block elements become lines, table rows become tab rows.

Rows keep every cell the page has, `&nbsp;` cells included, so the table recovery sees blanks where the
page shows them; merged cells are left as the page spans them, which the recovery handles as it does
for tab-row scrapes.
"""
from __future__ import annotations

import lxml.html

BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "title", "tr", "table"}
SKIP = {"script", "style", "noscript", "head", "nav", "footer"}


def html_to_text(markup: str) -> str:
    try:
        root = lxml.html.fromstring(markup)
    except (ValueError, lxml.etree.ParserError):
        return markup
    title = root.findtext(".//title") or ""
    lines: list[str] = [title.strip()] if title.strip() else []
    buffer: list[str] = []

    def flush():
        text = "".join(buffer).strip()
        if text:
            lines.append(text)
        buffer.clear()

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in SKIP:
            return
        if tag == "tr":
            flush()
            cells = [" ".join(c.text_content().split()) for c in el if isinstance(c.tag, str) and c.tag in ("td", "th")]
            # Nested layout tables repeat their inner rows inside an outer cell; keep only innermost rows.
            if not el.xpath(".//table"):
                lines.append("\t".join(cells))
            else:
                for child in el:
                    walk(child)
            return
        if tag in BLOCKS:
            flush()
        if el.text and tag not in ("table", "tbody", "thead"):
            buffer.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buffer.append(child.tail)
        if tag in BLOCKS:
            flush()

    body = root.find(".//body")
    walk(body if body is not None else root)
    flush()
    return "\n".join(lines)
