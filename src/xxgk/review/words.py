"""The review page's words: Chinese for the record's codes, for the checks, and for what the extractor says.

The record speaks English to tools and logs (``verdict: inconsistent``, a cell's ``note``, a warning); the page
is read by people who read the reports, in Chinese. Codes have a fixed word each (``VERDICTS``, ``KINDS``,
``READERS``); a check is named by the template's own 勾稽关系 description (``schema.Rule.description``) and
the row or column it runs along; the extractor's messages are matched against ``MESSAGES``, one pattern per
message it writes, with the canonical keys in them given by their official labels. A message no pattern knows
is shown as it is (``translate`` says so), and ``tests/test_review.py`` extracts real and generated reports
of every layout and fails on any message left in English.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

from .. import schema

VERDICTS = {"consistent": "一致", "inconsistent": "不一致", "incomplete": "不完整"}
VERDICT_MEANINGS = {
    "consistent": "模板的勾稽关系全部成立，正文与表格不矛盾",
    "inconsistent": "有勾稽关系不成立，或正文与表格矛盾",
    "incomplete": "有格缺失或无法读取，部分勾稽关系无法核验",
}
KINDS = {"number": "数字", "zero": "零", "blank": "空白（按 0 计）", "na": "不适用符号（按 0 计）", "text": "文字",
         "missing": "缺失", "ambiguous": "无法确定"}
READERS = {"html": "网页", "text": "纯文本", "markdown": "Markdown 文本", "pdf": "PDF", "docx": "Word（DOCX）",
           "doc": "Word（DOC）", "ocr": "扫描件（OCR）"}
CHECK_KINDS = {"arithmetic": "勾稽关系", "prose": "正文与表格", "cross_year": "跨年度"}

# A canonical key (``requests.new.total``, a row pattern ``requests.rejected_*.total``), a rule
# (``requests.balance.total``) or a category (``requests.new``).
_NAME = re.compile(r"\b(?:disclosure|requests|appeals)\.[a-z_]+\*?(?:\.[a-z_]+)?\b")


# ---------------------------------------------------------------- keys by their official labels

def _spec(key: str, template: str):
    for name in (template, *schema.TEMPLATES):
        try:
            return schema.template(name).field(key)
        except KeyError:
            continue
    return None


def key_label(key: str, template: str = "2021") -> str:
    """「row label · column label」 of a canonical key (a row pattern like ``requests.rejected_*.total`` gives its
    group: 「（五）不予处理 · 总计」); the key itself when no template has it."""
    table, row, column = key.split(".")
    if row.endswith("*"):
        rows = [r for r in schema.template(template).rows_of(table) if r.row.startswith(row[:-1])]
        spec = _spec(rows[0].key(column), template) if rows else None
        return f"{spec.row_label.split(' ')[0]} · {spec.column_label}" if spec else key
    spec = _spec(key, template)
    if spec is None:
        return key
    return spec.row_label if spec.row_label == spec.column_label else f"{spec.row_label} · {spec.column_label}"


def category_label(category: str, template: str = "2021") -> str:
    """The official row label of a ``table.row`` category."""
    for name in (template, *schema.TEMPLATES):
        try:
            return schema.template(name).row(category).label
        except KeyError:
            continue
    return category


def labels_in(text: str, template: str = "2021") -> str:
    """TEXT with every canonical key, rule or ``table.row`` category in it given by its official words."""
    def word(m: re.Match) -> str:
        name = m.group(0)
        if name.count(".") == 1:
            return f"「{category_label(name, template)}」"
        label = key_label(name, template)
        if label != name:
            return f"「{label}」"
        return rule_title(name, template)
    return _NAME.sub(word, text)


def keys_text(keys: Iterable[str], template: str, most: int = 3) -> str:
    keys = list(keys)
    shown = "、".join(f"「{key_label(k, template)}」" for k in keys[:most])
    return shown + (f" 等 {len(keys)} 格" if len(keys) > most else "")


# ---------------------------------------------------------------- checks

def check_title(rule: str, cells: list[str], template: str, description: str = "") -> str:
    """An arithmetic check as the template states it: the row or column it runs along, then its 勾稽关系.

    ``requests.balance.natural_person`` → 「自然人」列：一、新收 + 二、上年结转 = （七）总计 + 四、结转下年度.
    """
    specs = [s for s in (_spec(k, template) for k in cells) if s is not None]
    scope = ""
    if specs and len({s.column for s in specs}) == 1 and len({s.row for s in specs}) > 1:
        scope = f"「{specs[0].column_label}」列"
    elif specs and len({s.row for s in specs}) == 1:
        scope = f"「{specs[0].row_label}」" + ("" if specs[0].table == "appeals" else "行")
    return f"{scope}：{description}" if scope and description else (description or scope or labels_in(rule))


def rule_title(name: str, template: str) -> str:
    """A rule of the template named by its 勾稽关系 and where it runs (``check_title``); the name if unknown."""
    for tpl in (template, *schema.TEMPLATES):
        rule = next((r for r in schema.template(tpl).rules if r.name == name), None)
        if rule is not None:
            return check_title(rule.name, list(rule.left + rule.right), template, rule.description)
    return name


def check_outcome(check: dict, template: str) -> str:
    """What an arithmetic check found, in words: both sides, or why it could not be checked."""
    if check.get("ok") is None:
        missing = check.get("missing") or []
        return f"无法核验：{len(missing)} 格缺失或无法读取（{keys_text(missing, template)}）" if missing else "无法核验"
    relation = "=" if check["ok"] else "≠"
    return f"左边合计 {_number(check['expected'])} {relation} 右边合计 {_number(check['printed'])}"


def _number(v) -> str:
    return "" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------- what the extractor says

Translation = Callable[[re.Match, str], str]


def _fixed(text: str) -> Translation:
    return lambda m, template: text


def _format(text: str, **words: dict[str, str]) -> Translation:
    """TEXT formatted with the match's groups: a group ``rule`` given by the rule's 勾稽关系, keys by their
    labels, words looked up in WORDS."""
    def translation(m: re.Match, template: str) -> str:
        groups = {name: labels_in(value or "", template) for name, value in m.groupdict().items()}
        if "rule" in groups:
            groups["rule"] = rule_title(m.group("rule"), template)
        for name, table in words.items():
            groups[name] = table.get(m.group(name) or "", m.group(name) or "")
        return text.format(**groups)
    return translation


# One pattern per message the extractor writes (cells' notes, checks' notes, warnings, repairs' reasons,
# why a file was skipped), matched whole.
MESSAGES: list[tuple[re.Pattern, Translation]] = [(re.compile(p), t) for p, t in [
    # cells (tables.recover, pipeline)
    (r"2019-style single （六）其他处理 row; kept in detail",
     _fixed("本报告表三用的是 2019 年版的单行「（六）其他处理」：此格由那一行代表")),
    (r"not found in the document", _fixed("文中没有找到")),
    (r"row not found", _fixed("没有找到这一行")),
    (r"beside a row not found or not read, and read against the table's order, past unreadable text, or with a "
     r"whole row on either side: the cells may be that row's",
     _fixed("紧挨着一行没有找到或没有读出的行，而且是逆着表格顺序、越过无法辨认的文字或在两边各有一整行的情况下读到的："
            "这些数可能属于那一行")),
    (r"row read several ways that agree on this cell", _fixed("这一行有几种读法，在这一格上一致")),
    (r"the row's cells could not be placed with confidence", _fixed("这一行的数无法确定各归哪一格")),
    (r"row has fewer cells than the template", _fixed("这一行的数比模板的格少")),
    (r"digits run together, split by the template's sums", _fixed("几个数连在一起，按模板的合计关系拆开")),
    (r"the column header says 元: (?P<raw>.+) 元 written as (?P<value>\S+) 万元",
     _format("表头单位是元：{raw} 元已记为 {value} 万元")),
    (r"the report's prose says (?P<said>\S+) where the table gives (?P<table>\S+): (?P<text>.*)",
     _format("正文说 {said}，表格为 {table}：{text}")),
    (r"the source's own error: (?P<rule>\S+) \(.+\) gives (?P<expected>\S+), the printed total is "
     r"(?P<printed>\S+); every other sum through its parts holds",
     _format("原表自身的错误：{rule}，分项算得 {expected}，印出的合计却是 {printed}；经过这些分项的其他各和都成立")),
    (r"(?P<rule>\S+) fails \(.+: (?P<expected>\S+) ≠ (?P<printed>\S+)\): this cell may be misread",
     _format("{rule} 不成立（{expected} ≠ {printed}）：这一格可能读错了")),
    (r"a number beside this row was not placed: '(?P<raw>.+)' \(line (?P<line>\d+)\)",
     _format("这一行旁边有一个数没有归入任何一格：第 {line} 行的「{raw}」")),
    (r"(?P<value>\S+) 万元 is more than one body spends or collects in a year: if the figure is in 元, it is "
     r"(?P<other>\S+) 万元",
     _format("{value} 万元超出一个机关一年的收支：如果这个数的单位是元，则为 {other} 万元")),
    (r"(?P<value>\S+) 万元 for (?P<n>\d+) purchases is (?P<each>\S+) 万元 each: if the figure is in 元, it is "
     r"(?P<other>\S+) 万元",
     _format("{n} 个采购项目共 {value} 万元，每项 {each} 万元：如果这个数的单位是元，则为 {other} 万元")),
    (r"(?P<value>\S+) 万元 for (?P<n>\d+) purchases is under 10 元 each: if the figure was in 万元 before a "
     r"conversion, it is (?P<other>\S+) 万元",
     _format("{n} 个采购项目共 {value} 万元，每项不足 10 元：如果换算前单位就是万元，则为 {other} 万元")),
    # cells placed by the template's sums (tables.arrange, tables.sequence)
    (r"the text leaves blank cells out and (?P<n>\d+) placements of the row's values fit the template's sums; "
     r"this is the most plausible \(where real reports most often have numbers\)",
     _format("原文不印空白格，这一行的数有 {n} 种放法都合乎模板的合计关系；这是最可能的一种（真实报告中最常有数的位置）")),
    (r"blank cells counted by the empty lines between the row's cells", _fixed("空白格按这一行各格之间的空行数出")),
    (r"nothing printed for this row in a text that leaves blank cells out",
     _fixed("原文不印空白格，这一行什么也没印")),
    (r"the text leaves blank cells out; one placement of the row's values fits the template's sums",
     _fixed("原文不印空白格；这一行的数只有一种放法合乎模板的合计关系")),
    (r"nothing printed for this row in a text that leaves blank cells out, and no total confirms it",
     _fixed("原文不印空白格，这一行什么也没印，也没有合计可以印证")),
    (r"row label read at (?P<confidence>\S+) only: the row's cells taken by their place between the rows read",
     _format("行名的把握只有 {confidence}：这一行的数是按它在已读出的行之间的位置取的")),
    (r"row label not read: the row's cells taken by their place between the rows read",
     _fixed("行名没有读出：这一行的数是按它在已读出的行之间的位置取的")),
    (r"a row beside it has values taken by their place alone: they may be this row's",
     _fixed("旁边一行的数只是按位置取的：它们也可能是这一行的")),
    (r"read in the template's order, the text printing the row labels apart from their numbers: every identity "
     r"of the table holds",
     _fixed("原文把行名和数分开印，按模板的顺序读出：表中每个等式都成立")),
    (r"the numbers read in the template's order fit the identities in more than one way",
     _fixed("按模板的顺序读，数有不止一种读法都合乎等式")),
    (r"read in the template's order after table 4's heading: its group totals hold",
     _fixed("按模板的顺序读出表四标题后的数：各组合计都成立")),
    (r"read in the template's order after table 4's heading: its group totals do not hold",
     _fixed("按模板的顺序读出表四标题后的数：各组合计不成立")),
    (r"table 4's numbers printed out of the template's order \(PDF text\), split into its groups by their totals "
     r"and named by the group labels before them",
     _fixed("表四的数没有按模板的顺序印出（PDF 文本）：按各组合计分组，并按其前面的组名定组")),
    (r"the splits disagree on this cell", _fixed("几种分组在这一格上不一致")),
    (r"the group total holds whichever of its columns each part stands in: the text's order alone placed it",
     _fixed("各分项无论落在哪一列，组合计都成立：只凭原文的顺序定列")),
    (r"a cell of line (?P<line>\d+) \((?P<text>.*)\) was read with confidence (?P<confidence>\S+): the places of "
     r"this line's cells are in doubt",
     _format("第 {line} 行有一格（{text}）读出的把握只有 {confidence}：这一行各格的位置存疑")),
    (r"nothing printed after table 4's header, in a text whose table 3 marks its blank cells: the table's cells "
     r"may stand elsewhere",
     _fixed("表四表头之后什么也没印，而原文表三标出了空白格：表四的数可能印在别处")),
    # checks (checks.arithmetic, checks.narrative, checks.crossyear)
    (r"not checkable: (?P<n>\d+) cell\(s\) missing or unreadable \((?P<keys>.*)\)",
     _format("无法核验：{n} 格缺失或无法读取（{keys}）")),
    (r"the table's cells are missing or unreadable", _fixed("表格中相应的格缺失或无法读取")),
    (r"the prose also states (?P<values>.+)", _format("正文还提到 {values}")),
    (r"agrees with the (?P<where>repaired )?table value of (?P<keys>.+)",
     _format("与表格中{keys}的{where}值一致", where={"repaired ": "修复后的", "": ""})),
    (r"the prose may count another scope \(全区, 本级…\) or say it loosely",
     _fixed("正文统计的可能是另一范围（全区、本级…），或只是约数")),
    (r"the prose and the table disagree", _fixed("正文与表格不一致")),
    (r"a cell is missing in one of the years", _fixed("其中一年缺少这一格")),
    # warnings (tables.recover, pipeline)
    (r"hybrid report: 2021 table 2 with the 2019 table 3's single （六）其他处理 row",
     _fixed("混合版报告：表二按 2021 年版，表三却是 2019 年版的单行「（六）其他处理」")),
    (r"row label (?P<label>.+) \(line (?P<line>\d+)\) read by the label (?P<reader>transformer|n-gram classifier) "
     r"as (?P<category>\S+)",
     _format("第 {line} 行的行名 {label} 由{reader}认作{category}",
             reader={"transformer": "标签模型", "n-gram classifier": "n 元分类器"})),
    (r"table (?P<name>\w+) \((?P<title>.+)\) not found", _format("没有找到表格「{title}」")),
    (r"year not found in the title or text", _fixed("标题和正文中都没有找到年度")),
    (r"issuer not found in the title", _fixed("标题中没有找到发布机关")),
    # repairs and their candidates (checks.arithmetic)
    (r"the two cells are printed in each other's place: exchanging them makes every identity hold",
     _fixed("两格印反了：互换后每个等式都成立")),
    (r"the only change of so few cells that makes every identity hold; at least two identities through each "
     r"changed cell agree on its value",
     _fixed("只有这样改动这几格才能使每个等式成立；经过每一改动格的至少两个等式给出同一个值")),
    (r"one identity alone fixes this value; another of its cells may be the wrong one",
     _fixed("只有一个等式定出这个值；印错的也可能是它的另一格")),
    (r"(?P<n>\d+) different corrections make every identity hold; the arithmetic cannot tell which cells are wrong",
     _format("有 {n} 种改法都能使每个等式成立：算术判断不了哪几格错了")),
    (r"no change of up to (?P<n>\d+) cells makes every identity hold \(several errors, or a misread table\)",
     _format("改动不超过 {n} 格都不能使每个等式成立（错误不止一处，或表格读错）")),
    (r"totals printed blank or 0 that the identities do not fix", _fixed("合计印为空白或 0，等式定不出它的值")),
    (r"printed (?P<how>blank|0) although its parts are printed; every identity through it gives (?P<value>\S+)",
     _format("分项都印了，合计却印为{how}；经过它的每个等式都给出 {value}", how={"blank": "空白", "0": "0"})),
    (r"unreadable as printed \(readings (?P<readings>.+)\); the identities through it give (?P<value>\S+)",
     _format("印出的无法辨认（可能的读法 {readings}）；经过它的等式给出 {value}")),
    (r"unreadable as printed; the identities through it give (?P<value>\S+)",
     _format("印出的无法辨认；经过它的等式给出 {value}")),
    (r"unreadable as printed; other identities fail, so they cannot fix it",
     _fixed("印出的无法辨认；其他等式不成立，定不出它")),
    (r"unreadable as printed, and the identities through it do not fix it beyond doubt",
     _fixed("印出的无法辨认，经过它的等式也不能确定它")),
    (r"the identities give (?P<value>\S+), which is none of the readings",
     _format("等式给出 {value}，但不是任何一种读法")),
    (r"digits ran together and no identity confirms the split \(a cell may be missing rather than glued to its "
     r"neighbour\)",
     _fixed("几个数连在一起，没有等式能证实这样拆分（也许是缺了一格，而不是和邻格连在一起）")),
    # files (readers, pipeline, review.catalog)
    (r"cannot open: (?P<why>.+)", _format("打不开：{why}")),
    (r"empty file", _fixed("空文件")),
    (r"binary input: (?P<why>.+)", _format("不是文本（二进制文件）：{why}")),
    (r"no table of a disclosure report found \(not a 政府信息公开工作年度报告, or its tables are missing\)",
     _fixed("没有找到年度报告的表格（不是政府信息公开工作年度报告，或缺少表格）")),
    (r"needs OCR: (?P<why>.+)", _format("需要 OCR（文字识别）：{why}")),
    (r"holds (?P<n>\d+) reports, one after the other: read each with xxgk.extract_reports \(the command line "
     r"writes NAME#1, NAME#2, …\)",
     _format("一个文件里有 {n} 份报告，前后相接：请用 xxgk.extract_reports 分别读取（命令行写出 NAME#1、NAME#2 …）")),
    (r"source (?P<path>.+) is outside the folders given on the command line: not read, shown or copied",
     _format("原文 {path} 不在命令行给出的文件夹内：不读取、不显示、不复制")),
    (r"a link to outside the folders given on the command line: not read",
     _fixed("指向命令行给出的文件夹之外的链接：不读取")),
]]


def _known(message: str, template: str) -> str | None:
    for pattern, translation in MESSAGES:
        m = pattern.fullmatch(message)
        if m:
            return translation(m, template)
    return None


def _joined(parts: list[str], template: str) -> list[str] | None:
    """Messages joined by ``; `` (a cell's notes), each possibly holding ``; `` itself."""
    if not parts:
        return []
    for end in range(1, len(parts) + 1):      # shortest first: a message's free text may hold "; " too
        head = _known("; ".join(parts[:end]), template)
        if head is not None:
            rest = _joined(parts[end:], template)
            if rest is not None:
                return [head, *rest]
    return None


def translate(message: str, template: str = "2021") -> tuple[str, bool]:
    """MESSAGE in Chinese, and whether it was known."""
    message = (message or "").strip()
    if not message:
        return "", True
    parts = _joined(message.split("; "), template)
    return ("；".join(parts), True) if parts is not None else (message, False)


def zh(message: str, template: str = "2021") -> str:
    return translate(message, template)[0]
