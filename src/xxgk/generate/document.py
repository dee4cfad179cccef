"""A generated report as a document: its tables (merged cells placed), its prose, its blocks in reading
order, with the noise real scrapes carry."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import schema
from .noise import LabelNoise, fullwidth, site_footer, site_header
from .records import APPLICANTS, HYBRID_OTHER, _short_issuer

# ------------------------------------------------------------------------------------------------ tables


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    key: str | None = None      # value cells: the field key (or the hybrid's requests.other.<column>)
    blank: bool = False         # printed blank where the form can show a blank
    zero: str = "0"             # what a form that cannot show a blank prints instead


@dataclass
class Table:
    name: str
    width: int
    rows: list[list[Cell]]
    row_names: list[str | None]  # the schema row (``requests.granted``) of each grid row that holds values
    caption: str | None = None   # a line printed just above the table (the group of one of table 4's small tables)


@dataclass
class Placed:
    cell: Cell
    column: int
    placeholder: bool           # a continuation of a cell merged down from an earlier row


def placed_rows(table: Table) -> list[list[Placed]]:
    """Each grid row's cells with their column, plus a placeholder wherever a cell from above covers it."""
    taken: set[tuple[int, int]] = set()
    rows: list[list[Placed]] = [[] for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            taken.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            rows[r].append(Placed(cell, c, False))
            for below in range(r + 1, min(r + cell.rowspan, len(rows))):
                rows[below].append(Placed(cell, c, True))
            c += cell.colspan
    return [sorted(row, key=lambda p: p.column) for row in rows]


# How a source prints a zero: drawn from the noise level (None), every zero printed, every zero of tables 3 and 4
# left blank, or every zero of all three tables left blank. Real sources keep one habit through a report.
ZERO_HABITS = ("printed", "blank", "blank_all")
# Table 4 as the template draws it (one row of 15 values under a three-row header), as 3 rows x 5 columns with
# the groups down the side, or as three small tables, one per group.
APPEALS_LAYOUTS = ("template", "grid_3x5", "split")


class Document:
    """One report being printed: its record, its habits (label noise, value style) and the noise it used."""

    def __init__(self, record: dict, rng: random.Random, noise: float, garble: float = 0.0,
                 zeros: str | None = None):
        self.record, self.rng, self.level = record, rng, noise
        self.template = schema.template(record["template"])
        self.labels = LabelNoise(rng, noise, garble)
        self.kinds: set[str] = set()

        def chance(weight: float) -> bool:
            return rng.random() < min(0.95, noise * weight)

        self.blank_zero_rate = rng.uniform(0.6, 1.0) if chance(0.6) else 0.0
        self.zero_mark = rng.choice(["—", "-", "/", "无"]) if chance(0.15) else None
        self.fullwidth_rate = 0.5 if chance(0.25) else 0.0
        self.plus = chance(1.0)
        self.money = rng.choice(["wan_suffix", "yuan", "wan_header"]) if chance(1.5) else "plain"
        self.printed_blank = set(record.get("printed_blank", ()))
        # A source's zero habit, when asked for, overrides the drawn one without drawing (the other forms' draws
        # stay as they were).
        if zeros is not None and zeros not in ZERO_HABITS:
            raise ValueError(f"unknown zero habit {zeros!r}; expected one of {ZERO_HABITS}")
        self.zeros = zeros
        if zeros == "printed":
            self.blank_zero_rate = 0.0
        elif zeros in ("blank", "blank_all"):
            self.blank_zero_rate = 1.0

    def use(self, kind: str) -> None:
        self.kinds.add(kind)

    def lab(self, text: str, **kw) -> str:
        return self.labels.label(text, **kw)

    # -- values ------------------------------------------------------------------------------------------
    def value(self, key: str, value, table: str) -> Cell:
        column = key.rsplit(".", 1)[1]
        blank = key in self.printed_blank
        blank_here = table != "disclosure" or self.zeros == "blank_all"
        if value == 0 and blank_here and self.blank_zero_rate and self.rng.random() < self.blank_zero_rate:
            blank = True
            self.use("blank_zeros")
        text = self._number(column, value)
        if value == 0 and self.zero_mark and table != "requests" and self.rng.random() < 0.5:
            text = self.zero_mark
            self.use("zero_marks")
        if self.fullwidth_rate and self.rng.random() < self.fullwidth_rate:
            text = fullwidth(text)
            self.use("fullwidth_digits")
        return Cell(text, key=key, blank=blank, zero=self._number(column, 0))

    def _number(self, column: str, value) -> str:
        if column == "amount_wan":
            return self._money_text(value)
        if column == "change" and value > 0 and self.plus:
            self.use("plus_sign")
            return f"+{value}"
        return str(value)

    def _money_text(self, value) -> str:
        wan = Decimal(str(value))
        if self.money == "yuan":
            self.use("money_units")
            return f"{int(wan * 10000)}元"
        if self.money == "wan_suffix":
            self.use("money_units")
            return f"{wan}万元"
        return str(wan)

    def money_head(self, label: str) -> str:
        base = label.split("（")[0]
        if self.money == "wan_header":
            self.use("money_units")
            return base + self.rng.choice(["（单位：万元，保留4位小数）", "（万元）", "(万元)"])
        if self.money in ("yuan", "wan_suffix"):
            return base
        return label

    # -- the three tables -------------------------------------------------------------------------------
    def disclosure_table(self) -> Table:
        f = self.record["fields"]
        rows, names = [], []
        sections: dict[str, list[schema.RowSpec]] = {}
        for spec in self.template.rows_of("disclosure"):
            sections.setdefault(spec.label.split(" ")[0], []).append(spec)
        for section, specs in sections.items():
            columns = specs[0].columns
            spans = {1: [3], 2: [1, 2], 3: [1, 1, 1]}[len(columns)]
            heads = []
            for c in columns:
                head = self.template.field(specs[0].key(c)).column_label
                heads.append(self.money_head(head) if c == "amount_wan" else head)
            rows.append([Cell(self.lab(section, breakable=False), colspan=4)])
            rows.append([Cell(self.lab("信息内容"))] + [Cell(self.lab(h), colspan=s) for h, s in zip(heads, spans)])
            names += [None, None]
            for spec in specs:
                cells = [Cell(self.lab(spec.label.split(" ")[-1]))]
                for c, s in zip(columns, spans):
                    cell = self.value(spec.key(c), f[spec.key(c)], "disclosure")
                    cell.colspan = s
                    cells.append(cell)
                rows.append(cells)
                names.append(spec.category)
        return Table("disclosure", 4, rows, names)

    def request_rows(self) -> list[tuple[str, list[str], list[tuple[str, object]]]]:
        """(row name, label parts, [(key, value)]) of table 3, the hybrid's single （六） row included."""
        f = self.record["fields"]
        other = self.record.get("hybrid_other")
        out = []
        for spec in self.template.rows_of("requests"):
            if other and spec.row in schema.OTHER_SPLIT_ROWS:
                if spec.row == schema.OTHER_SPLIT_ROWS[0]:
                    label = schema.template("2019").row(HYBRID_OTHER).label
                    out.append((HYBRID_OTHER, [label], [(f"{HYBRID_OTHER}.{c}", other[c]) for c in APPLICANTS]))
                continue
            out.append((spec.category, spec.label.split(" "), [(k, f[k]) for k in spec.keys]))
        return out

    def requests_table(self) -> Table:
        lab, rng = self.lab, self.rng
        rows: list[list[Cell]] = []
        heads = [self.template.field(f"requests.new.{c}").column_label for c in APPLICANTS]
        style = rng.choice(["note", "note", "applicant", "short"])
        if style == "short":
            rows.append([Cell("", colspan=3, rowspan=2), Cell(lab(heads[0]), rowspan=2),
                         Cell(lab("法人或其他组织"), colspan=5), Cell(lab(heads[-1]), rowspan=2)])
        else:
            note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" if style == "note" else ""
            rows.append([Cell(lab(note, breakable=False) if note else "", colspan=3, rowspan=3),
                         Cell(lab("申请人情况"), colspan=7)])
            rows.append([Cell(lab(heads[0]), rowspan=2), Cell(lab("法人或其他组织"), colspan=5),
                         Cell(lab(heads[-1]), rowspan=2)])
        rows.append([Cell(lab(h)) for h in heads[1:-1]])
        names: list[str | None] = [None] * len(rows)
        body = self.request_rows()
        # 三、本年度办理结果 is merged down over every outcome row and the （七）总计 row.
        first = next(i for i, (_, parts, _) in enumerate(body) if parts[0].startswith("三、"))
        last = [name for name, _, _ in body].index(f"requests.{schema.REQUEST_TOTAL_ROW}")
        group_sizes: dict[str, int] = {}
        for i, (_, parts, _) in enumerate(body):
            if len(parts) == 2 and i != first:
                group_sizes[parts[0]] = group_sizes.get(parts[0], 0) + 1
        seen_groups: set[str] = set()
        for i, (name, parts, values) in enumerate(body):
            cells: list[Cell] = []
            if i == first:
                cells.append(Cell(lab(parts[0]), rowspan=last - first + 1))
                parts = parts[1:]
            in_block = first <= i <= last
            if len(parts) == 2:
                if parts[0] not in seen_groups:
                    seen_groups.add(parts[0])
                    cells.append(Cell(lab(parts[0]), rowspan=group_sizes[parts[0]]))
                cells.append(Cell(lab(parts[1])))
            else:
                cells.append(Cell(lab(parts[0]), colspan=2 if in_block else 3))
            cells += [self.value(k, v, "requests") for k, v in values]
            rows.append(cells)
            names.append(name)
        return Table("requests", 10, rows, names)

    def appeals_table(self) -> Table:
        lab, f = self.lab, self.record["fields"]
        specs = self.template.rows_of("appeals")
        heads = [self.template.field(specs[0].key(c)).column_label for c in schema.APPEAL_COLUMNS]
        review, direct, after = (s.label.split(" ") for s in specs)
        rows = [
            [Cell(lab(review[0]), colspan=5), Cell(lab(direct[0]), colspan=10)],
            [Cell(lab(h), rowspan=2) for h in heads]
            + [Cell(lab(direct[1]), colspan=5), Cell(lab(after[1]), colspan=5)],
            [Cell(lab(h)) for h in heads] + [Cell(lab(h)) for h in heads],
            [self.value(k, f[k], "appeals") for s in specs for k in s.keys],
        ]
        return Table("appeals", 15, rows, [None, None, None, "appeals"])

    def appeals_tables(self, layout: str = "template") -> list[Table]:
        """Table 4 in one of ``APPEALS_LAYOUTS``: one table, or three small ones (``split``)."""
        if layout == "template":
            return [self.appeals_table()]
        if layout not in APPEALS_LAYOUTS:
            raise ValueError(f"unknown table-4 layout {layout!r}; expected one of {APPEALS_LAYOUTS}")
        lab, f, rng = self.lab, self.record["fields"], self.rng
        specs = self.template.rows_of("appeals")
        heads = [self.template.field(specs[0].key(c)).column_label for c in schema.APPEAL_COLUMNS]
        review, direct, after = (s.label.split(" ") for s in specs)
        if layout == "grid_3x5":
            # The groups down the side: 行政诉讼 merged over its two kinds of suit, or each suit named alone.
            grouped = rng.random() < 0.6
            corner = rng.choice(["", "", "类别", "项目"])
            if grouped:
                rows = [[Cell(lab(corner) if corner else "", colspan=2)] + [Cell(lab(h)) for h in heads],
                        [Cell(lab(review[0]), colspan=2)],
                        [Cell(lab(direct[0]), rowspan=2), Cell(lab(direct[1]))],
                        [Cell(lab(after[1]))]]
            else:
                suit = rng.choice(["{0}（{1}）", "{1}", "{0}{1}"])
                rows = [[Cell(lab(corner) if corner else "")] + [Cell(lab(h)) for h in heads],
                        [Cell(lab(review[0]))],
                        [Cell(lab(suit.format(*direct)))],
                        [Cell(lab(suit.format(*after)))]]
            for row, spec in zip(rows[1:], specs):
                row += [self.value(k, f[k], "appeals") for k in spec.keys]
            return [Table("appeals", 7 if grouped else 6, rows, [None] + [s.category for s in specs])]
        # split: each group its own table, named in a merged first row or in a line above the table.
        in_caption = rng.random() < 0.5
        tables = []
        for spec, parts in zip(specs, (review, direct, after)):
            name = "".join(parts) if len(parts) == 1 else rng.choice(["{0}（{1}）", "{0}—{1}", "{1}"]).format(*parts)
            rows = [[Cell(lab(h)) for h in heads], [self.value(k, f[k], "appeals") for k in spec.keys]]
            names: list[str | None] = [None, spec.category]
            if not in_caption:
                rows.insert(0, [Cell(lab(name), colspan=5)])
                names.insert(0, None)
            tables.append(Table("appeals", 5, rows, names, caption=lab(name) if in_caption else None))
        return tables

# ------------------------------------------------------------------------------------------------ prose


def _pub_date(year: int, rng: random.Random) -> tuple[int, int, int]:
    month = rng.choices([1, 2, 3], [70, 20, 10])[0]
    return year + 1, month, rng.randint(5, 28 if month == 2 else 31)


def _applicant_sum(f: dict, row: str) -> int:
    return sum(f.get(f"requests.{row}.{c}") or 0 for c in APPLICANTS[:-1])


def _self_reference(issuer: str) -> str:
    """How a body names itself in its report: 我区 for a district government, 我局 for a bureau, …"""
    for ending, name in (("街道办事处", "我街道"), ("镇人民政府", "我镇"), ("乡人民政府", "我乡"), ("办公室", "我办"),
                         ("局", "我局"), ("委员会", "我委")):
        if issuer.endswith(ending):
            return name
    if issuer.endswith("人民政府") and issuer[-5] in "市县区":
        return "我" + issuer[-5]
    return "我单位"


def _place(issuer: str) -> str:
    """The first administrative unit an issuer names (宁波市 of 宁波市鄞州区人民政府办公室)."""
    m = re.match(r"^(.+?(?:实验区|市|县|区))", issuer)
    return m.group(1) if m else issuer


def _prose(doc: Document) -> dict[str, list[str]]:
    """Narrative paragraphs of sections 一, 五, 六 whose numbers agree with the tables."""
    rec, rng = doc.record, doc.rng
    f, year, issuer = rec["fields"], rec["year"], rec["issuer"]
    self_name = rng.choice([_self_reference(issuer), _self_reference(issuer), "本机关", issuer])
    new, carried, forward = (_applicant_sum(f, r) for r in ("new", "carried_over", "carried_forward"))
    org = new - (f["requests.new.natural_person"] or 0)
    granted, partial = _applicant_sum(f, "granted"), _applicant_sum(f, "partially_granted")
    unavailable = sum(_applicant_sum(f, r) for r in ("unavailable_not_held", "unavailable_needs_creation",
                                                     "unavailable_unclear"))
    rejected = sum(_applicant_sum(f, r) for r in ("rejected_complaint", "rejected_duplicate", "rejected_publication",
                                                  "rejected_excessive", "rejected_confirmation"))
    review = f["appeals.review.total"]
    suits = f["appeals.litigation_direct.total"] + f["appeals.litigation_after_review.total"]
    active = rng.randint(40, 30000)
    opening = rng.choice([
        f"{year}年，{self_name}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        f"紧紧围绕中心工作，扎实推进政府信息公开工作，进一步提升了政府工作透明度。",
        f"{year}年，在上级政务公开主管部门的指导下，{self_name}认真贯彻执行《条例》各项规定，完善工作机制，"
        f"政府信息公开工作取得了新成效。",
        f"{year}年，{self_name}以习近平新时代中国特色社会主义思想为指导，持续深化政务公开，"
        f"着力提升政务公开质量，切实保障人民群众的知情权、参与权、表达权和监督权。",
    ])
    if doc.template.name == "2021":
        documents = f["disclosure.normative_documents.issued"]
        doc_sentence = f"制发行政规范性文件{documents}件，" if documents else ""
    else:
        documents = f["disclosure.normative_documents.made"]
        doc_sentence = f"新制作规范性文件{documents}件，" if documents else ""
    active_p = (f"（一）主动公开。全年通过政府门户网站、政务新媒体等渠道主动公开政府信息{active}条，{doc_sentence}"
                f"发布政策解读{rng.randint(0, 60)}篇，回应社会关切{rng.randint(0, 40)}次。")
    if new + carried == 0:
        request_p = f"（二）依申请公开。{year}年度，{self_name}未收到政府信息公开申请。"
    else:
        parts = [f"（二）依申请公开。{year}年共收到政府信息公开申请{new}件"]
        if org and rng.random() < 0.6:
            parts.append(f"，其中自然人申请{new - org}件，法人或其他组织申请{org}件")
        if carried:
            parts.append(f"，上年结转{carried}件")
        outcome = [(granted, "予以公开"), (partial, "部分公开"), (unavailable, "无法提供"), (rejected, "不予处理")]
        said = "、".join(f"{label}{n}件" for n, label in outcome if n)
        parts.append(f"。已按时答复办结，其中{said}" if said else "。均已按时答复")
        if forward:
            parts.append(f"；结转下年度继续办理{forward}件")
        request_p = "".join(parts) + "。"
    if review or suits:
        appeal_p = (f"（三）监督保障。全年因政府信息公开被申请行政复议{review}件、提起行政诉讼{suits}件，"
                    f"均依法依规妥善处理。")
    else:
        appeal_p = "（三）监督保障。全年未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    manage_p = rng.choice([
        "（四）政府信息管理。严格落实信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”原则，规范信息发布流程。",
        f"（四）平台建设。持续优化政府门户网站栏目设置，全年网站访问量{rng.randint(10000, 900000)}人次，"
        f"开展业务培训{rng.randint(1, 6)}次。",
    ])
    contact = issuer if issuer.endswith("办公室") else issuer + "办公室"
    notice = "国办公开办函〔2019〕60号" if doc.template.name == "2019" else "国办公开办函〔2021〕30号"
    basis = rng.choice(["", f"和《中华人民共和国政府信息公开工作年度报告格式》（{notice}）"])
    intro = (f"本报告根据《中华人民共和国政府信息公开条例》{basis}要求编制。"
             f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
             f"如对本报告有疑问，请与{contact}联系（电话：0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}）。")
    problems = rng.choice([
        f"{year}年，{self_name}政府信息公开工作取得了一定成效，但仍存在一些不足：信息公开的深度和广度有待加强，"
        f"政策解读形式较为单一。下一步，将进一步加强业务培训，拓宽公开渠道，提升公开质量。",
        "一是主动公开的及时性有待提高；二是依申请公开答复的规范化水平需进一步提升。下一步将加强队伍建设，"
        "完善工作制度，推动政府信息公开工作再上新台阶。",
    ])
    fee = rng.choice(["无。", "无其他需要报告的事项。", f"{self_name}{year}年度未收取政府信息公开信息处理费。",
                      "按照《政府信息公开信息处理费管理办法》，本年度共收取信息处理费0元。"])
    return {"intro": [intro], "overview": [opening, active_p, request_p, appeal_p, manage_p],
            "problems": [problems], "other": [fee]}

# ------------------------------------------------------------------------------------------------ document


@dataclass
class Block:
    kind: str                    # title | meta | heading | para | table | furniture | sign
    lines: list[str] = field(default_factory=list)
    table: Table | None = None


_HALF_WIDTH = str.maketrans({"，": ",", "（": "(", "）": ")", "：": ":", "；": ";"})
HEADINGS = (("一", "总体情况"), ("二", "主动公开政府信息情况"), ("三", "收到和处理政府信息公开申请情况"),
            ("四", "政府信息公开行政复议、行政诉讼情况"), ("五", "存在的主要问题及改进情况"),
            ("六", "其他需要报告的事项"))


def _title_lines(doc: Document, style: str) -> list[str]:
    rec, rng = doc.record, doc.rng
    issuer, year = rec["issuer"], rec["year"]
    short = _short_issuer(issuer)
    if style == "short_annual" and short:
        return [f"{short}政府信息公开工作年度报告", rng.choice([f"({year}年度)", f"（{year}年度）"])]
    if style == "short" and short:
        return [f"{short}{year}年政府信息公开工作年度报告"]
    if style == "generic":
        y, m, d = (year, 12, 31) if rng.random() < 0.4 else _pub_date(year, rng)
        return ["政府信息公开工作年度报告", issuer, f"{y}年{m}月{d}日"]
    if style == "year_first":
        return [f"{year}年{issuer}政府信息公开工作年度报告"]
    return [f"{issuer}{year}年" + rng.choice(["", "度"]) + "政府信息公开工作年度报告"]


def build_blocks(doc: Document, *, crawler: bool, site: bool | None = None,
                 appeals_layout: str = "template") -> list[Block]:
    """The report as blocks; ``site`` forces web-page furniture on (True) or off (False), else it is noise;
    table 4 is laid out as ``appeals_layout`` says (one of ``APPEALS_LAYOUTS``)."""
    rec, rng = doc.record, doc.rng
    y, m, d = _pub_date(rec["year"], rng)
    stamp = f"{y}-{m:02d}-{d:02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    style = rng.choices(["plain", "short", "short_annual", "generic", "year_first"], [45, 15, 10, 15, 15])[0]
    title = _title_lines(doc, "plain" if crawler else style)
    blocks = []
    if crawler:
        blocks.append(Block("meta", [f"标题: {title[0]}", f"发布时间: {stamp}", "文号: ", f"发布机构: {rec['issuer']}",
                                     "栏目: 政府信息公开年报",
                                     f"原文链接: https://www.example.gov.cn/zwgk/zfxxgk/ndbg/{y}{m:02d}/"
                                     f"t{y}{m:02d}{d:02d}_{rng.randint(10000, 99999)}.htm",
                                     f"本地目录: zwgk/zfxxgk/ndbg/{y}{m:02d}/{title[0]}",
                                     "页面链接与图片详见 links.tsv(同目录)",
                                     "==================== 正文 ===================="]))
    if site or (site is None and rng.random() < min(0.9, doc.level * 1.2)):
        doc.use("site_furniture")
        site_name = _place(rec["issuer"]) + rng.choice(["人民政府网", "人民政府门户网站", "政府网"])
        blocks.append(Block("furniture", site_header(site_name, rng)))
    if not crawler or rng.random() < 0.5:
        blocks.append(Block("title", title))
    if rng.random() < 0.3:
        blocks.append(Block("meta", [f"发布时间:{stamp}"]))
    prose = _prose(doc)
    if style == "generic" or rng.random() < 0.5:
        blocks.append(Block("para", prose["intro"]))
    tables = {"二": [doc.disclosure_table()], "三": [doc.requests_table()], "四": doc.appeals_tables(appeals_layout)}
    for numeral, title_text in HEADINGS:
        blocks.append(Block("heading", [doc.labels.heading(numeral, title_text)]))
        if numeral == "一":
            blocks.append(Block("para", prose["overview"]))
        elif numeral in tables:
            blocks += [Block("table", table=table) for table in tables[numeral]]
        else:
            blocks.append(Block("para", prose["problems" if numeral == "五" else "other"]))
    if doc.labels.half_brackets and doc.labels.comma_swap == ",":
        for block in blocks:
            if block.kind == "para":
                block.lines = [line.translate(_HALF_WIDTH) for line in block.lines]
    signer = rec["issuer"]
    if rng.random() < 0.3 and not signer.endswith("办公室"):
        signer += rng.choice(["办公室", "政务公开办公室"])
    blocks.append(Block("sign", [signer, f"{y}年{m}月{d}日"]))
    if "site_furniture" in doc.kinds:
        blocks.append(Block("furniture", site_footer(rec["issuer"], rng)))
    return blocks
