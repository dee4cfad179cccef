"""Realistic test reports with known gold.

``random_record`` draws a gold record that keeps the template's arithmetic, ``break_record`` breaks it the way
real reports are broken, ``render`` prints it in one of the flattenings real scrapes produce (``FORMS``), and
``generate_set`` writes a corpus of raw texts, gold records and a manifest::

    python -m xxgk.generate OUTDIR -n 200 --seed 1

``records`` draws and breaks the gold, ``document`` lays it out as tables, prose and blocks with a scrape's
noise, ``forms`` flattens the blocks into each form; this module writes the sets.
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from .. import schema
from .document import HEADINGS, Document, build_blocks
from .forms import FORMS, Rendering, render, render_report
from .records import (BREAK_KINDS, HYBRID_OTHER, break_record, gold_of, random_issuer, random_record,
                      violated_rules)

__all__ = ["BREAK_KINDS", "FORMS", "HEADINGS", "HYBRID_OTHER", "Document", "Rendering", "break_record", "build_blocks",
           "generate_set", "gold_of", "lost_label_report", "main", "random_issuer", "random_record", "render", "render_report",
           "violated_rules"]

# ------------------------------------------------------------------------------------------------ corpus


def _encoding(rendering: Rendering, rng: random.Random, encodings: bool) -> str:
    if not encodings:
        return "utf-8"
    if rendering.charset == "gbk":
        return "gb18030" if rng.random() < 0.8 else "utf-8"
    return rng.choices(["utf-8", "gb18030", "utf-16"], [85, 10, 5])[0]


def generate_set(outdir: str | Path, n: int, seed: int = 0, *, forms=None, templates=None, noise: float = 0.3,
                 broken_share: float = 0.0, encodings: bool = False, hybrid_share: float = 0.1,
                 garble: float = 0.0) -> list[Path]:
    """Write ``n`` reports: ``raw/<name>.txt|.html``, ``gold/<name>.json`` and ``manifest.jsonl`` (each
    report's form, template, noise kinds and the labels it prints).

    ``templates`` may name "2019", "2021" and "hybrid"; by default 2019 and 2021 come about equally and a
    ``hybrid_share`` of the 2021 ones are hybrids. Forms are taken in turn, so every form appears once n >= 9.
    """
    forms = tuple(forms or FORMS)
    for form in forms:
        if form not in FORMS:
            raise ValueError(f"unknown form {form!r}")
    out = Path(outdir)
    (out / "raw").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    paths = []
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for i in range(n):
            rng = random.Random(f"xxgk-generate:{seed}:{i}")
            form = forms[i % len(forms)]
            choice = rng.choice(list(templates)) if templates else rng.choice(["2019", "2021"])
            hybrid = choice == "hybrid" or (not templates and choice == "2021" and rng.random() < hybrid_share)
            template = "2021" if choice == "hybrid" else choice
            record = random_record(template, rng, hybrid=hybrid)
            info = None
            if broken_share and rng.random() < broken_share:
                record, info = break_record(record, rng.choice(BREAK_KINDS), rng)
            rendering = render_report(record, form, rng, noise=noise, garble=garble)
            name = f"gen-{i:05d}-{form}"
            encoding = _encoding(rendering, rng, encodings)
            raw = out / "raw" / (name + (".html" if form == "html" else ".txt"))
            raw.write_bytes(rendering.text.encode(encoding))
            (out / "gold" / f"{name}.json").write_text(
                json.dumps(gold_of(record), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            manifest.write(json.dumps({
                "name": name, "file": f"raw/{raw.name}", "form": form, "template": template, "hybrid": hybrid,
                "year": record["year"], "issuer": record["issuer"], "broken": info["kind"] if info else None,
                "broken_info": info, "noise": rendering.noise, "glued_rows": rendering.glued_rows,
                "encoding": encoding, "declared_charset": rendering.charset if form == "html" else None,
                "hybrid_other": record.get("hybrid_other"), "labels": rendering.labels,
            }, ensure_ascii=False) + "\n")
            paths.append(raw)
    return paths


def printed_labels(outdir: str | Path) -> list[str]:
    """Every distinct label the reports of a generated set print, from its manifest (noise and line breaks
    inside kept: what the label classifier is asked to name)."""
    labels: dict[str, None] = {}
    with (Path(outdir) / "manifest.jsonl").open(encoding="utf-8") as manifest:
        for line in manifest:
            labels.update(dict.fromkeys(json.loads(line)["labels"]))
    return list(labels)


UNREADABLE = "■■■■"


def lost_label_report(seed: int, form: str, table: str = "disclosure",
                      row: str | None = None) -> tuple[str | None, dict]:
    """A noise-free report in ``form`` whose one row label of ``table`` (``row``, or one drawn) is unreadable
    (its values still printed), and its record; the text is None when that label is not printed whole in
    this form."""
    rng = random.Random(seed)
    template = rng.choice(["2019", "2021"])
    record = random_record(template, rng)
    rows = [r for r in schema.template(template).rows_of(table) if row is None or r.row == row]
    label = rng.choice(rows).label.split(" ")[-1]
    text = render(record, form, rng, noise=0.0)
    return (text.replace(label, UNREADABLE) if label in text else None), record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xxgk.generate", description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("-n", type=int, default=100, help="number of reports")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--forms", help=f"comma-separated subset of {','.join(FORMS)}")
    parser.add_argument("--templates", help="comma-separated subset of 2019,2021,hybrid")
    parser.add_argument("--noise", type=float, default=0.3)
    parser.add_argument("--broken-share", type=float, default=0.0)
    parser.add_argument("--garble", type=float, default=0.0, help="share of labels given hard OCR slips")
    parser.add_argument("--encodings", action="store_true", help="write a share in GB18030 and UTF-16")
    args = parser.parse_args(argv)
    paths = generate_set(args.outdir, args.n, args.seed, forms=args.forms.split(",") if args.forms else None,
                         templates=args.templates.split(",") if args.templates else None, noise=args.noise,
                         broken_share=args.broken_share, encodings=args.encodings, garble=args.garble)
    print(f"wrote {len(paths)} reports to {args.outdir}")
    return 0

