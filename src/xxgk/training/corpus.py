"""The label classifier's corpus (``corpus/labels``): label families, mined variants, prose, noise, splits.

The corpus is built from the official labels of both templates, the hand-listed variants in ``variants.tsv``
(abbreviations, old wording, structural headings that are no category), variants mined from the real reports
in ``shared/``, and generated noise of every kind scraped reports show (OCR slips, traditional characters,
numbering, punctuation, split words, glued neighbour cells and page furniture). Negatives (``none``) are
narrative clauses cut from the reports' prose, numbers, dates and page furniture (``furniture.tsv``).

The held-out split is fixed: it has its own noise draws, whole variant families (``heldout`` rows of
the TSVs, the prose of held-out documents) never seen in training, and no string that training has.
"""
from __future__ import annotations

import csv
import difflib
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .. import schema
from ..text import nfkc

REPO = Path(__file__).resolve().parents[3]
CORPUS_DIR = REPO / "corpus" / "labels"
SHARED_DIR = REPO.parent / "shared"
HELDOUT_EVERY = 3  # every third real report (by name) gives held-out prose and mined variants
SEED = 20240611
NONE = "none"

CN_NUMBERS = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
NUMBERING = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[.．、)）]"
                       r"|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Family:
    """A base form of a label; every example is a noise draw of one family."""
    category: str
    text: str
    split: str   # train | heldout
    origin: str  # official | variant | mined | prose | fragment | furniture


def key(text: str) -> str:
    """What two strings must differ in to count as different examples: not spacing or punctuation."""
    text = nfkc(text)
    return "".join(ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P"))

# --- label families ------------------------------------------------------------------------


def category_of_field(spec: schema.FieldSpec) -> tuple[str, str]:
    """The categories of a field's row label and column label."""
    row = f"appeals.{spec.row}" if spec.table == "appeals" else f"{spec.table}.{spec.row}"
    return row, f"column.{spec.column}"


def official_families() -> list[Family]:
    found: dict[tuple[str, str], None] = {}
    for name, cat in schema.categories().items():
        if name != NONE:
            found.update({(name, label): None for label in cat.labels})
    for tpl in schema.TEMPLATES:
        for spec in schema.template(tpl).fields:
            row_cat, col_cat = category_of_field(spec)
            found[(row_cat, spec.row_label)] = None
            found[(col_cat, spec.column_label)] = None
    return [Family(cat, text, "train", "official") for cat, text in found]


def read_tsv(name: str) -> list[dict]:
    with (CORPUS_DIR / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def variant_families() -> list[Family]:
    return [Family(r["category"], r["text"], r["split"], "variant") for r in read_tsv("variants.tsv")]


def parents_by_category() -> dict[str, list[str]]:
    """Structural headings that sit above a label and get glued onto it in flattened tables."""
    parents: dict[str, set[str]] = {}
    for tpl in schema.TEMPLATES:
        for spec in schema.template(tpl).fields:
            row_cat, _ = category_of_field(spec)
            head, _, _ = spec.row_label.rpartition(" ")
            if head:
                parents.setdefault(row_cat, set()).add(head)
            if spec.table == "disclosure":
                parents.setdefault(f"column.{spec.column}", set()).add("信息内容")
            if spec.table == "requests" and spec.column != "natural_person":
                parents.setdefault(f"column.{spec.column}", set()).add("法人或其他组织")
    parents.setdefault("column.natural_person", set()).add("申请人情况")
    return {cat: sorted(p) for cat, p in parents.items()}


# --- mining the real reports -----------------------------------------------------------------

def documents(shared: Path) -> dict[str, str]:
    paths = sorted((shared / "seeds").glob("*.txt")) + sorted((shared / "examples" / "raw").glob("*.txt"))
    return {p.name: p.read_text(encoding="utf-8", errors="replace") for p in paths}


def document_split(docs: dict[str, str], name: str) -> str:
    return "heldout" if sorted(docs).index(name) % HELDOUT_EVERY == HELDOUT_EVERY - 1 else "train"


def cells(text: str) -> list[str]:
    """Table-cell-like pieces: tab or wide-space separated, and the runs between numbers in one-line dumps."""
    out = []
    for line in text.splitlines():
        for cell in re.split(r"\t|\s{2,}", line):
            out.extend(p.strip() for p in re.split(r"(?:[-+]?\d+(?:\.\d+)?(?![.．、\d])\s*)+", cell))
    return [c for c in out if 2 <= len(c) <= 60 and CJK.search(c)]


def mine_variants(docs: dict[str, str], families: list[Family]) -> list[Family]:
    """Cells of real reports that resemble exactly one category's labels but are no known form."""
    forms: dict[str, str] = {key(f.text): f.category for f in families if f.category != NONE}
    mined: dict[tuple[str, str], str] = {}
    for name, text in docs.items():
        split = document_split(docs, name)
        for cell in cells(text):
            k = key(cell)
            if k in forms or len(k) > 40 or cell[0] in "件条项个，；。、" or re.search("[；。]", cell):
                continue
            best: dict[str, float] = {}
            for form, cat in forms.items():
                ratio = difflib.SequenceMatcher(None, k, form).ratio()
                best[cat] = max(best.get(cat, 0.0), ratio)
            ranked = sorted(best.items(), key=lambda kv: -kv[1])
            (cat, top), (_, second) = ranked[0], ranked[1]
            if top >= 0.8 and top - second >= 0.15:
                mined.setdefault((cat, cell), split)
    return [Family(cat, text, split, "mined") for (cat, text), split in mined.items()]


def prose_clauses(text: str) -> list[str]:
    """Narrative sentences and clauses (the reports' prose), cut at sentence and clause marks."""
    out = []
    for line in re.split(r"[\n\t]", text):
        if len(line.strip()) < 20:
            continue
        for sentence in re.split(r"(?<=[。！？；])", line):
            sentence = sentence.strip(" \t-")
            if len(sentence) >= 8:
                out.append(sentence[:120])
                out.extend(c for c in re.split(r"(?<=[，：])", sentence) if len(c) >= 8 and c != sentence)
    return out


def is_narrative(clause: str, label_forms: list[str]) -> bool:
    """Prose that does not just restate a label (``予以公开12件`` is dropped as ambiguous)."""
    residue = re.sub(r"[\d\s\W]", "", NUMBERING.sub("", clause))
    contained = [f for f in label_forms if f in residue]
    if sum(len(f) >= 4 for f in contained) >= 3:  # a flattened table row, not prose
        return False
    if any(residue.startswith(f) for f in contained if len(f) >= 4):  # a label with its row or section glued on
        return False
    longest = max(contained, key=len, default="")
    leftover = residue.replace(longest, "", 1) if longest else residue
    if len(leftover) < max(4, len(longest)):
        return False
    return all(difflib.SequenceMatcher(None, residue, f).ratio() < 0.7 for f in label_forms if len(f) >= 4)


def prose_families(docs: dict[str, str], families: list[Family]) -> list[Family]:
    forms = sorted({re.sub(r"[\d\s\W]", "", NUMBERING.sub("", f.text)) for f in families if f.category != NONE})
    forms = [f for f in forms if len(f) >= 2]
    seen, out = set(), []
    for name, text in docs.items():
        split = document_split(docs, name)
        for clause in prose_clauses(text):
            if clause not in seen and is_narrative(clause, forms):
                seen.add(clause)
                out.append(Family(NONE, clause, split, "prose"))
    return out + prose_fragments([f for f in out if f.split == "train"], forms)


def prose_fragments(clauses: list[Family], forms: list[str], seed: int = SEED) -> list[Family]:
    """Short pieces of training prose: its phrases (cut at 、，“” and the like) and windows of 5–14
    characters. A PDF line cut out of a paragraph looks like this, and whole clauses alone taught the
    model that anything short and official-sounding (谁公开、谁审查) is a label."""
    rng = random.Random(seed)
    seen, out = set(), []
    for clause in clauses:
        residue = clause.text.strip()
        pieces = [p.strip() for p in re.split(r"[、，,。；：:“”\"（）()]", residue) if len(p.strip()) >= 4]
        for _ in range(2):
            if len(residue) > 8:
                size = rng.randint(5, min(14, len(residue) - 1))
                start = rng.randrange(len(residue) - size + 1)
                pieces.append(residue[start:start + size].strip())
        for piece in pieces:
            if piece not in seen and len(piece) >= 4 and is_narrative(piece, forms) and not shares_wording(piece, forms):
                seen.add(piece)
                out.append(Family(NONE, piece, "train", "fragment"))
    return out


def shares_wording(piece: str, forms: list[str], run: int = 3) -> bool:
    """True when a piece has three characters in a row of some label (申请内容不明确 inside a sentence): a
    fragment that short would teach the model that the label's own words are prose."""
    residue = re.sub(r"[\d\s\W]", "", piece)
    grams = {residue[i:i + run] for i in range(len(residue) - run + 1)}
    return any(form[i:i + run] in grams for form in forms for i in range(len(form) - run + 1))


# --- noise ---------------------------------------------------------------------------------------

FILLER_WORDS = ("仍", "的", "相关", "其", "所", "了", "本", "仍然", "有关")
PUNCT_SWAPS = {"，": ",、 ", "、": ",，.", "（": "( ", "）": ") ", "(": "（", ")": "）", "“": "\"「", "”": "\"」",
               "：": ":", "；": ";", "/": "／、", ".": "．、", "。": "."}
KANGXI = dict(zip("一二人入八十大文方日月自行", "⼀⼆⼈⼊⼋⼗⼤⽂⽅⽇⽉⾃⾏"))
PLACES = ("汉中市南郑区", "邓州市", "紫阳县", "鄞州区", "南充市顺庆区", "平潭综合实验区", "杭州市西湖区", "成都市",
          "长沙县", "佛山市南海区", "洛阳市", "黔东南州", "延边州", "昆山市", "宜昌市夷陵区", "和田地区")
OFFICES = ("人民政府", "人民政府办公室", "公安局", "教育局", "财政局", "自然资源局", "生态环境局", "交通运输局",
           "卫生健康委员会", "市场监督管理局", "住房和城乡建设局", "人力资源和社会保障局", "统计局", "街道办事处")
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新"


class Noise:
    """Draws the distortions scraped reports show; every draw is seeded by the corpus builder."""

    def __init__(self, rng: random.Random, confusions: dict[str, str], furniture: list[str],
                 parents: dict[str, list[str]]):
        import opencc  # needed only to build the corpus
        self.rng = rng
        self.confusions = confusions
        self.furniture = furniture
        self.parents = parents
        self.to_traditional = opencc.OpenCC("s2t").convert

    # page furniture and numbers, also the material of negatives
    def number(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.5:
            return str(r.choice([0, 0, 1, 2, 3, 5, 8, 12, 14, 20, 35, 61, 118, 403, 2418, 10624]))
        if kind < 0.7:
            return f"{r.randint(0, 30000)}.{r.randint(0, 99):02d}"
        return str(r.randint(0, 99999))

    def numbers(self) -> str:
        cells = [self.number() if self.rng.random() < 0.4 else "0" for _ in range(self.rng.randint(2, 7))]
        return self.rng.choice([" ", "", "\t", "  "]).join(cells)

    def fill(self, template: str) -> str:
        r = self.rng
        year = r.randint(2019, 2025)
        org = r.choice(PLACES) + r.choice(OFFICES)
        values = {
            "page": r.randint(1, 30), "pages": r.randint(5, 40), "year": year, "org": org,
            "prov": r.choice(PROVINCES), "digits": r.randint(10**9, 10**14), "n": r.randint(1, 999),
            "date": f"{year}年{r.randint(1, 12)}月{r.randint(1, 28)}日",
            "isodate": f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
            "time": f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
            "url": f"http{'s' * r.randint(0, 1)}://www.{r.choice(['nanzheng', 'dengzhou', 'pingtan', 'zjyz'])}"
                   f".gov.cn/{r.choice(['zwgk', 'xxgk', 'zfxxgk/nb'])}/{r.randint(1000, 99999)}.htm",
            "email": f"{r.choice(['nz', 'gov', 'xxgk', 'ptga'])}{r.randint(0, 9999)}@{r.choice(['163.com', 'qq.com'])}",
            "phone": f"0{r.randint(100, 999)}-{r.randint(1000000, 99999999)}",
            "note": r.choice(["本表数据统计截至12月31日", "表中数据为本机关数据", "空白单元格表示0"]),
            "number": self.number(), "numbers": self.numbers(), "percent": f"{r.randint(0, 100)}%",
            "money": f"{self.number()}{r.choice(['万元', '元', ''])}", "signed": f"{r.choice('+-')}{r.randint(1, 500)}",
        }
        return template.format(**values)

    def page_furniture(self) -> str:
        return self.fill(self.rng.choice(self.furniture))

    # the distortions
    def ocr(self, text: str) -> str:
        spots = [i for i, ch in enumerate(text) if ch in self.confusions]
        if not spots:
            return text
        chars = list(text)
        slips = 1 if len(CJK.findall(text)) < 12 else self.rng.randint(1, 2)  # a page of OCR is mostly right
        for i in self.rng.sample(spots, min(len(spots), slips)):
            chars[i] = self.rng.choice(self.confusions[chars[i]])
        return "".join(chars)

    def traditional(self, text: str) -> str:
        return self.to_traditional(text)

    def renumber(self, text: str, category: str = NONE) -> str:
        r = self.rng
        body = NUMBERING.sub("", text)
        if body == text and r.random() < 0.5:
            return text
        if body == text and category.startswith("column."):  # column headers carry no numbering
            return text
        choice = r.random()
        if choice < 0.4:
            return body
        n = r.randint(1, 8)
        cn = CN_NUMBERS[n - 1]
        style = r.choice(["{n}.", "{n}、", "（{n}）", "({n})", "{n}）", "{n}．", "{c}、", "（{c}）", "({c})", "{c}.",
                          "{circ}", "{n}. ", "{c}、 "])
        return style.format(n=n, c=cn, circ=CIRCLED[n - 1]) + body

    def punctuation(self, text: str) -> str:
        r = self.rng
        if r.random() < 0.25:
            return re.sub(r"[，、。：；“”\"（）()]", "", text)
        return "".join(r.choice(PUNCT_SWAPS[ch]) if ch in PUNCT_SWAPS and r.random() < 0.7 else ch for ch in text)

    def split_words(self, text: str) -> str:
        r = self.rng
        if len(text) < 3:
            return text
        if len(text) <= 8 and r.random() < 0.3:  # a narrow cell spreads its characters out
            return " ".join(text)
        cut = r.randint(1, len(text) - 1)
        return text[:cut] + r.choice([" ", "\n", "  ", "\t", " \n"]) + text[cut:]

    def typo(self, text: str) -> str:
        r = self.rng
        if len(text) < 6:
            return text
        i = r.randrange(1, len(text) - 1)
        op = r.random()
        if op < 0.4:
            return text[:i] + text[i + 1:]
        if op < 0.7:
            return text[:i] + text[i] + text[i:]
        return text[:i - 1] + text[i] + text[i - 1] + text[i + 1:]

    def abbreviate(self, text: str) -> str:
        """Drop leading or trailing words, or a filler word inside, as people shorten labels
        (要求提供公开出版物 -> 公开出版物, 现行有效件数 -> 现行有效, 本机关不掌握相关政府信息 -> 不掌握政府信息)."""
        import jieba
        jieba.setLogLevel(60)
        numbering = NUMBERING.match(text)
        head, body = (numbering.group(0), text[numbering.end():]) if numbering else ("", text)
        words = jieba.lcut(body)
        if len(body) < 5 or len(words) < 2 or " " in body:  # short labels are abbreviations already
            return text
        for _ in range(3):
            cut = self.rng.randint(1, 2)
            choice = self.rng.random()
            if choice < 0.4:
                kept = words[cut:]
            elif choice < 0.7:
                kept = words[:-cut]
            else:
                fillers = [i for i, w in enumerate(words) if w in FILLER_WORDS]
                kept = words[cut:] if not fillers else [w for i, w in enumerate(words) if i != self.rng.choice(fillers)]
                if fillers and self.rng.random() < 0.5:
                    kept = kept[1:]
            short = "".join(kept)
            if len(short) >= max(4, 0.45 * len(body)) and short != body:
                return (head if self.rng.random() < 0.5 else "") + short
        return text

    def truncate(self, text: str) -> str:
        if len(text) < 10 or " " in text:  # a cut parent+child label could lose the child
            return text
        return text[:self.rng.randint(int(len(text) * 0.75), len(text) - 1)]

    def width(self, text: str) -> str:
        out = []
        for ch in text:
            if ch in KANGXI and self.rng.random() < 0.5:
                ch = KANGXI[ch]
            elif "!" <= ch <= "~" and self.rng.random() < 0.5:
                ch = chr(ord(ch) + 0xFEE0)
            out.append(ch)
        return "".join(out)

    def glue_numbers(self, text: str) -> str:
        r = self.rng
        sep = r.choice(["", " ", "\t", "  "])
        return text + sep + self.numbers() if r.random() < 0.7 else self.numbers() + sep + text

    def glue_furniture(self, text: str) -> str:
        sep = self.rng.choice(["", " ", "\n", "  "])
        furniture = self.page_furniture()
        return text + sep + furniture if self.rng.random() < 0.5 else furniture + sep + text

    def glue_parent(self, text: str, category: str) -> str:
        parents = self.parents.get(category)
        if not parents or any(key(p) in key(text) for p in parents):
            return text
        return self.rng.choice(parents) + self.rng.choice(["", " ", "\t", "\n"]) + text

    def draw(self, text: str, category: str) -> tuple[str, str]:
        """One to three distortions, applied in reading order: the label's own wording is distorted
        before anything is glued on, so a cut never removes the label and leaves only the glue.
        Returns the drawn text and its core (the label's own wording as distorted, nothing glued)."""
        ops = {partial(self.renumber, category=category): 2, self.abbreviate: 2, self.truncate: 1, self.typo: 1, self.ocr: 3,
               self.punctuation: 2, self.split_words: 2, partial(self.glue_parent, category=category): 1,
               self.glue_numbers: 2, self.glue_furniture: 1, self.traditional: 1, self.width: 1}
        if category == NONE:  # negatives get only what keeps them negative
            ops = {op: w for op, w in ops.items() if op not in (self.glue_numbers, self.glue_furniture, self.abbreviate)
                   and not isinstance(op, partial)}
        order = list(ops)
        picked = set(self.rng.choices(order, list(ops.values()), k=self.rng.choice([1, 1, 2, 2, 3])))
        core = text
        for op in order:
            if op in picked:
                text = op(text)
            if op == self.split_words:
                core = text
        return text.strip() or text, core


# --- the corpus --------------------------------------------------------------------------------

PER_CATEGORY_TRAIN = 280       # examples per category drawn from its training families
MIN_DRAWS = 20                 # per training family, however many families its category has
PER_CATEGORY_FRESH = 30        # calibration and held-out: fresh noise draws of training families, per category
PER_HELDOUT_FAMILY = 20        # held-out: noise draws of each held-out family
FURNITURE_DRAWS = {"train": 30, "heldout": 15, "fresh": 4}
SPLITS = ("train", "calibration", "heldout")


def furniture_families() -> list[Family]:
    return [Family(NONE, r["template"], r["split"], "furniture") for r in read_tsv("furniture.tsv")]


def all_families(shared: Path | None) -> list[Family]:
    families = official_families() + variant_families()
    if shared and shared.is_dir():
        docs = documents(shared)
        families += mine_variants(docs, families) + prose_families(docs, families)
    return families + furniture_families()


def plan(families: list[Family], split: str) -> list[tuple[Family, int, bool]]:
    """(family, number of noise draws, whether the clean base form is included) for one split.

    ``train`` draws from training families; ``calibration`` and ``heldout`` take fresh draws of them,
    and ``heldout`` adds every held-out family (variants, prose of held-out documents, furniture).
    """
    by_cat: dict[str, list[Family]] = {}
    for f in families:
        by_cat.setdefault(f.category, []).append(f)
    out = []
    for fams in by_cat.values():
        labels = [f for f in fams if f.split == "train" and f.origin not in ("prose", "fragment", "furniture")]
        prose = [f for f in fams if f.split == "train" and f.origin in ("prose", "fragment")]
        furniture = [f for f in fams if f.split == "train" and f.origin == "furniture"]
        if split == "train":
            out += [(f, max(-(-PER_CATEGORY_TRAIN // len(labels)), MIN_DRAWS), True) for f in labels]
            out += [(f, 1, True) for f in prose] + [(f, FURNITURE_DRAWS["train"], False) for f in furniture]
            continue
        out += [(f, -(-PER_CATEGORY_FRESH // len(labels)), False) for f in labels]
        out += [(f, FURNITURE_DRAWS["fresh"], False) for f in furniture]
        if split == "calibration":
            out += [(f, 1, False) for f in prose]
            continue
        for f in fams:
            if f.split == "heldout":
                n = {"prose": 1, "furniture": FURNITURE_DRAWS["heldout"]}.get(f.origin, PER_HELDOUT_FAMILY)
                out.append((f, n, f.origin != "furniture"))
    return out


def draw_split(families: list[Family], noise: Noise, split: str) -> list[dict]:
    out = []
    for fam, n, with_base in plan(families, split):
        kind = "heldout-family" if fam.split == "heldout" else ("train" if split == "train" else "fresh-draw")
        drawn = [(fam.text, fam.text)] if with_base else []
        for _ in range(n):
            if fam.origin == "furniture":
                base = noise.fill(fam.text)
                drawn.append(noise.draw(base, fam.category) if noise.rng.random() < 0.5 else (base, base))
            else:
                drawn.append(noise.draw(fam.text, fam.category))
        out += [{"text": t, "core": c, "category": fam.category, "origin": fam.origin, "kind": kind} for t, c in drawn]
    return out


def deduplicate(splits: dict[str, list[dict]], owners: dict[str, str]) -> dict[str, list[dict]]:
    """Drop draws whose own wording became another category's label or is drawn for two categories
    (``项目数量`` from both 上一年项目数量 and 采购项目数量), repeats, and anything an earlier split has."""
    claims: dict[str, set[str]] = {}
    for examples in splits.values():
        for ex in examples:
            claims.setdefault(key(ex["core"]), set()).add(ex["category"])
    seen: set[str] = set()
    out = {}
    for split, examples in splits.items():
        kept = []
        for ex in examples:
            k, core = key(ex["text"]), key(ex.pop("core"))
            if k and k not in seen and owners.get(core, ex["category"]) == ex["category"] and len(claims[core]) == 1:
                seen.add(k)
                kept.append(ex)
        out[split] = kept
    return out


def build_corpus(shared: Path | None = SHARED_DIR, out: Path = CORPUS_DIR, seed: int = SEED) -> dict[str, list[dict]]:
    families = all_families(shared)
    owners: dict[str, str] = {}
    for f in families:
        if f.origin in ("official", "variant"):
            if owners.setdefault(key(f.text), f.category) != f.category:
                raise ValueError(f"{f.text!r} is listed under {owners[key(f.text)]} and {f.category}")
    confusions = {r["char"]: [c for c in r["confusables"].split() if c != r["char"]] for r in read_tsv("ocr_confusions.tsv")}
    confusions = {ch: cs for ch, cs in confusions.items() if cs}
    furniture = [f.text for f in families if f.origin == "furniture" and f.split == "train"]
    drawn = {split: draw_split(families, Noise(random.Random(seed + offset), confusions, furniture,
                                               parents_by_category()), split)
             for offset, split in enumerate(SPLITS)}
    splits = deduplicate(drawn, owners)
    out.mkdir(parents=True, exist_ok=True)
    for split, examples in splits.items():
        with (out / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(ex, ensure_ascii=False) + "\n" for ex in examples)
    return splits


def load_split(split: str, corpus: Path = CORPUS_DIR) -> list[dict]:
    with (corpus / f"{split}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]
