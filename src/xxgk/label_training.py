"""Training data and training for the transformer stage of the label classifier.

The corpus (``corpus/labels``) is built from the official labels of both templates, the hand-listed
variants in ``variants.tsv`` (abbreviations, old wording, structural headings that are no category),
variants mined from the real reports in ``shared/``, and generated noise of every kind scraped
reports show (OCR slips, traditional characters, numbering, punctuation, split words, glued
neighbour cells and page furniture). Negatives (``none``) are narrative clauses cut from the
reports' prose, numbers, dates and page furniture (``furniture.tsv``).

The held-out split is fixed: it has its own noise draws, whole variant families (``heldout`` rows of
the TSVs, the prose of held-out documents) never seen in training, and no string that training has.

``python -m xxgk.label_training`` (or ``xxgk train-labels``) rebuilds the corpus when missing and trains.
"""
from __future__ import annotations

import csv
import difflib
import json
import random
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from xxgk import schema

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO / "corpus" / "labels"
MODEL_DIR = REPO / "models" / "labels"
SHARED_DIR = REPO.parent / "shared"
HELDOUT_DOCS = ("004_", "188_")  # their prose and mined variants are held out
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
    origin: str  # official | variant | mined | prose | furniture


def key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


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
        split = "heldout" if name.startswith(HELDOUT_DOCS) else "train"
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
    for line in text.splitlines():
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
    residue = re.sub(r"[\d\s\W]", "", clause)
    contained = [f for f in label_forms if f in residue]
    if sum(len(f) >= 4 for f in contained) >= 3:  # a flattened table row, not prose
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
        split = "heldout" if name.startswith(HELDOUT_DOCS) else "train"
        for clause in prose_clauses(text):
            if clause not in seen and is_narrative(clause, forms):
                seen.add(clause)
                out.append(Family(NONE, clause, split, "prose"))
    return out
