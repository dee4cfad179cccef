"""Noise seen in scraped annual reports, for the generator: label noise (OCR slips, traditional characters,
numbering and punctuation variants, old wordings, labels broken or spaced), value noise (full-width digits,
padding) and page/site furniture.

Per-document habits (a numbering style, an old wording, half-width brackets) are drawn once per ``LabelNoise``
and applied to every occurrence of a label; slips (OCR, a line break, a stray space) are drawn per occurrence,
as they are in real scrapes.
"""
from __future__ import annotations

import random
import re

# OCR confusions between glyphs that occur in these labels (both directions where the slip is seen both ways).
OCR_SLIPS = {
    "沭": "沐", "己": "已", "已": "己", "未": "末", "末": "未", "入": "人", "人": "入", "曰": "日", "日": "曰",
    "戊": "戌", "0": "O", "申": "中", "理": "埋", "审": "宙", "决": "诀", "处": "外", "诉": "拆",
}

# Lookalike glyphs a poor scan or OCR engine substitutes in these labels, beyond the common slips above;
# ``garble`` draws from them (and drops characters) to make labels the dictionary alone cannot read.
LOOKALIKES = dict(zip(
    "政公开请申数量理处复诉讼议决定秘密家法规章性文件许可罚强制收费采购集中结转年度办其他总计然研构社会"
    "维持正果审查经起新上本外行施务项目无撤销告知确认出具补",
    "玫仝井倩中效最埋外夏沂松仪诀走泌蜜冢去现竟牲又仵浒司罪张剃牧贵釆沟隼申洁传午席力共池忠汁燃妍沟杜合"
    "准特止杲宙杳径赳亲土木处仃旅各顷日元敝消吿如角议山見朴"))

# Traditional forms of the simplified characters these labels and headings use.
_SIMPLIFIED = ("规范许对务项处罚强费采购数总额开决请结转办区计这属于国护权益类过执询关现补确访举"
               "报诉讼复应无当获缴纳业机构会织维纠审经议况发废效单万证节组实际为时间报门户网")
_TRADITIONAL = ("規範許對務項處罰強費採購數總額開決請結轉辦區計這屬於國護權益類過執詢關現補確訪舉"
                "報訴訟復應無當獲繳納業機構會織維糾審經議況發廢效單萬證節組實際為時間報門戶網")
TRADITIONAL = dict(zip(_SIMPLIFIED, _TRADITIONAL)) | {"稳": "穩", "动": "動", "条": "條", "责": "責", "级": "級"}

# Old or local wordings of official label bodies (numbering stripped), as printed by real reports.
WORDINGS = {
    "其他法律行政法规禁止公开": ["其他法律法规禁止公开", "其他法律、行政法规禁止公开"],
    "本机关不掌握相关政府信息": ["本机关不掌握相关信息", "不掌握相关信息", "本机关不掌握相关的政府信息"],
    "没有现成信息需要另行制作": ["没有现成信息需另行制作", "没有现成信息，需要另行制作"],
    "补正后申请内容仍不明确": ["补正后申请内容仍然不明确"],
    "危及“三安全一稳定”": ["危及\"三安全一稳定\"", "危及三安全一稳定", "危及“三安全一稳定"],
    "部分公开（区分处理的，只计这一情形，不计其他情形）": [
        "部分公开", "部分公开 (区分处理的, 只计这一情形, 不计其他情形)",
        "部分公开（区分处理的只计这一情形，不计其他情形）"],
    "要求行政机关确认或重新出具已获取信息": ["要求行政机关确认或者重新出具已获取信息"],
    "信访举报投诉类申请": ["信访、举报、投诉类申请"],
    "本年新收政府信息公开申请数量": ["本年新收政府信息公开申请", "本年新收申请数量"],
    "上年结转政府信息公开申请数量": ["上年结转政府信息公开申请", "上年结转申请数量"],
    "结转下年度继续办理": ["结转下年度继续办理的申请", "结转下年继续办理"],
    "本年度办理结果": ["本年度办理结果情况", "办理结果"],
    "行政规范性文件": ["规范性文件"],
    "本年处理决定数量": ["处理决定数量"],
    "处理决定数量": ["本年处理决定数量"],
    "上一年项目数量": ["上年项目数量", "上一年度项目数量"],
    "本年增/减": ["本年增（减）", "本年增减", "本年增/减数量"],
    "对外公开总数量": ["对外公开总数"],
    "本年新制作数量": ["本年制作数量"],
    "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": [
        "申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请"],
    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": [
        "申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请"],
    "其他对外管理服务事项": ["其他对外管理服务"],
}

_CN_NUM = "一二三四五六七八九十"
_NUMBERED = re.compile(r"^(?:（([一二三四五六七八九十]+)）|([一二三四五六七八九十]+)、|(\d+)\.)(.*)$", re.S)

# Ways each numbering class is printed (the official way first): chinese numeral in brackets, chinese numeral
# with 、, arabic with a dot. A class never takes another class's look, as no report confuses its own levels.
NUMBERING = {
    "paren": ["（{c}）", "({c})", "({c}) ", "（{c}）", ""],
    "comma": ["{c}、", "{c}.", "{c}．", ""],
    "arabic": ["{n}.", "{n}、", "{n}．", "{n}. ", "（{n}）", "({n})", ""],
}

_FULLWIDTH = str.maketrans("0123456789.+-", "０１２３４５６７８９．＋－")


def fullwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


def split_numbering(label: str) -> tuple[str, str, str]:
    """``（三）不予公开`` -> ("paren", "三", "不予公开"); unnumbered labels give ("", "", label)."""
    m = _NUMBERED.match(label)
    if not m:
        return "", "", label
    if m.group(1):
        return "paren", m.group(1), m.group(4)
    if m.group(2):
        return "comma", m.group(2), m.group(4)
    return "arabic", m.group(3), m.group(4)


def _arabic(numeral: str) -> str:
    return str(_CN_NUM.index(numeral) + 1) if numeral in _CN_NUM else numeral


class LabelNoise:
    """One document's label habits and slips. ``applied`` names every noise kind actually used; ``printed``
    holds every label as printed (what the label classifier is asked to name, line breaks inside kept)."""

    def __init__(self, rng: random.Random, level: float, garble: float = 0.0):
        self.rng = rng
        self.applied: set[str] = set()
        self.printed: list[str] = []
        self.garble = garble

        def chance(weight: float) -> bool:
            return rng.random() < min(0.95, level * weight)

        self.traditional = chance(0.2)
        self.half_brackets = chance(1.0)
        self.comma_swap = rng.choice(["、", ","]) if chance(0.4) else ""
        self.numbering = {cls: rng.choice(styles) for cls, styles in NUMBERING.items() if chance(1.0)}
        self.wording_rate = 0.5 if chance(1.5) else 0.0
        self.ocr_rate = 0.04 * min(level / 0.3, 3) if chance(0.8) else 0.0
        self.break_rate = 0.05 * min(level / 0.3, 3) if chance(1.5) else 0.0
        self.space_rate = 0.04 * min(level / 0.3, 3) if chance(0.8) else 0.0
        self.heading_style = rng.choice(["（{c}）", "{n}.", "{n}、", "", "{c}．"]) if chance(1.0) else None
        self._wording: dict[str, str] = {}

    # -- per-document habits -------------------------------------------------------------------------------
    def _reword(self, body: str) -> str:
        if body not in self._wording:
            options = WORDINGS.get(body)
            chosen = body
            if options and self.rng.random() < self.wording_rate:
                chosen = self.rng.choice(options)
            self._wording[body] = chosen
        if self._wording[body] != body:
            self.applied.add("old_wording")
        return self._wording[body]

    def _renumber(self, cls: str, numeral: str, body: str) -> str:
        original = NUMBERING[cls][0].format(c=numeral, n=numeral)
        style = self.numbering.get(cls)
        if style is None:
            return original + body
        prefix = style.format(c=numeral, n=_arabic(numeral))
        if prefix != original:
            self.applied.add("numbering")
        return prefix + body

    def _punctuate(self, text: str) -> str:
        out = text
        if self.half_brackets:
            out = out.replace("（", "(").replace("）", ")")
        if self.comma_swap:
            out = out.replace("，", self.comma_swap)
        if out != text:
            self.applied.add("punctuation")
        if self.traditional:
            converted = "".join(TRADITIONAL.get(ch, ch) for ch in out)
            if converted != out:
                self.applied.add("traditional")
            out = converted
        return out

    # -- per-occurrence slips ------------------------------------------------------------------------------
    def _slip(self, text: str, breakable: bool) -> str:
        rng = self.rng
        chars = list(text)
        if self.ocr_rate and rng.random() < self.ocr_rate * 3:
            spots = [i for i, ch in enumerate(chars) if ch in OCR_SLIPS]
            if spots:
                i = rng.choice(spots)
                chars[i] = OCR_SLIPS[chars[i]]
                self.applied.add("ocr")
        if self.garble and rng.random() < self.garble:
            self._garble(chars)
        text = "".join(chars)
        if self.space_rate and rng.random() < self.space_rate * 3 and len(text) >= 2:
            text = spaced(text, rng)
            self.applied.add("label_spaces")
        if breakable and self.break_rate and rng.random() < self.break_rate * 2 and len(text) >= 4:
            text = broken(text, rng)
            self.applied.add("label_break")
        return text

    def _garble(self, chars: list[str]) -> None:
        """One or two hard slips in a label's wording: a lookalike glyph, or a character lost."""
        for _ in range(self.rng.choice([1, 1, 2])):
            # 万 and 元 stay: losing one turns a 万元 header into a 元 one, a different document, not a slip
            spots = [i for i, ch in enumerate(chars) if _cjk(ch) and ch not in _CN_NUM and ch not in "万元"]
            if len(spots) < 4:
                return
            i = self.rng.choice(spots)
            if chars[i] in LOOKALIKES and self.rng.random() < 0.7:
                chars[i] = LOOKALIKES[chars[i]]
            else:
                del chars[i]
            self.applied.add("garbled")

    def label(self, text: str, *, breakable: bool = True) -> str:
        """A row or column label as this document prints it."""
        cls, numeral, body = split_numbering(text)
        body = self._reword(body)
        out = self._renumber(cls, numeral, body) if cls else body
        return self._printed(self._slip(self._punctuate(out), breakable))

    def heading(self, numeral: str, title: str) -> str:
        """A section heading ``二、主动公开政府信息情况`` in this document's numbering."""
        if self.heading_style is None:
            return self._printed(f"{numeral}、{title}")
        self.applied.add("heading_numbering")
        return self._printed(self._punctuate(self.heading_style.format(c=numeral, n=_arabic(numeral)) + title))

    def _printed(self, label: str) -> str:
        self.printed.append(label)
        return label


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def spaced(text: str, rng: random.Random) -> str:
    """Stray spaces inside a label: every character for short ones (``自 然 人``), one gap otherwise.

    Spaces fall only between two Chinese characters, never beside a numbering digit (``1 .属于``).
    """
    if len(text) <= 3 and all(map(_cjk, text)) and rng.random() < 0.6:
        return " ".join(text)
    gaps = [i for i in range(1, len(text)) if _cjk(text[i - 1]) and _cjk(text[i])]
    if not gaps:
        return text
    i = rng.choice(gaps)
    return text[:i] + " " + text[i:]


_PREFIX = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十\d]+[、.．])\s*")


def broken(text: str, rng: random.Random) -> str:
    """A line break inside a label, as a narrow table cell wraps it (``本年新\\n制作数量``, ``结果\\n维持``).

    The wrap never leaves a numbering alone on its line (``1.``), which no cell width produces.
    """
    first = len(_PREFIX.match(text).group(0)) + 1 if _PREFIX.match(text) else 1
    if len(text) - first < 2:
        return text
    cut = rng.choice([2, 3, len(text) // 2, len(text) - 1])
    cut = max(first + 1, min(cut, len(text) - 1))
    return text[:cut] + "\n" + text[cut:]


# -- page and site furniture ---------------------------------------------------------------------------------

def page_marker(page: int, pages: int, rng: random.Random) -> str:
    return rng.choice([f"-{page}-", f"— {page} —", f"- {page} -", f"第 {page} 页 共 {pages} 页",
                       f"第{page}页，共{pages}页", f"—{page}—"])


def site_header(site: str, rng: random.Random) -> list[str]:
    nav = rng.choice([
        ["首页", "政务公开", "政府信息公开", "政府信息公开年报"],
        ["首页", "信息公开", "法定主动公开内容", "政府信息公开工作年度报告"],
        ["网站首页", "政务公开", "年度报告"],
    ])
    sep = rng.choice([" > ", ">", " » ", " / "])
    lines = [site, "无障碍浏览 | 长者模式 | 简体 | 繁體", "首页 | 政务公开 | 政务服务 | 互动交流 | 走进" + site[:3]]
    lines = rng.sample(lines, k=rng.randint(1, len(lines)))
    lines.append(rng.choice(["当前位置：", "您当前的位置：", "当前位置: "]) + sep.join(nav))
    if rng.random() < 0.5:
        lines.append(rng.choice(["【字体：大 中 小】", "字号：大 中 小", "【打印】【关闭】"]))
    return lines


def site_footer(owner: str, rng: random.Random) -> list[str]:
    province = rng.choice("京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新")
    icp = f"{province}ICP备{rng.randint(10**7, 10**8 - 1)}号" + (f"-{rng.randint(1, 5)}" if rng.random() < 0.6 else "")
    lines = [
        rng.choice(["扫一扫在手机打开当前页", "【打印本页】 【关闭窗口】", "分享到：微信 微博 QQ空间"]),
        rng.choice(["联系我们 | 网站地图 | 网站声明", "关于我们 | 联系我们 | 隐私声明"]),
        f"版权所有：{owner}" + rng.choice(["", f"  主办单位：{owner}办公室"]),
        f"ICP备案：{icp}" if rng.random() < 0.5 else icp,
        f"网站标识码：{rng.randint(10**9, 10**10 - 1)}",
        f"{province}公网安备 {rng.randint(10**13, 10**14 - 1)}号",
    ]
    return [line for line in lines if rng.random() < 0.85]


MSO_STYLE = ("Normal 0 7.8 磅 0 2 false false false EN-US ZH-CN X-NONE /* Style Definitions */ "
             "table.MsoNormalTable {mso-style-name:普通表格; mso-tstyle-rowband-size:0; mso-tstyle-colband-size:0; "
             "mso-style-noshow:yes; mso-style-priority:99; mso-style-parent:\"\"; "
             "mso-padding-alt:0cm 5.4pt 0cm 5.4pt; mso-para-margin:0cm; mso-para-margin-bottom:.0001pt; "
             "mso-pagination:widow-orphan; font-size:10.0pt; font-family:\"Times New Roman\",\"serif\";}")
