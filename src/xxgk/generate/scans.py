"""Scanned reports with known gold: generated report pages printed by Chromium, rasterised and damaged as a
scanner and a photocopier damage them.

Each report is drawn (``random_record``), printed as a saved web page (the generator's ``html`` form) and turned
into a PDF by headless Chromium (``producers.chromium_pdf``); every page is rasterised at the scan's resolution
(100, 150 or 200 dpi), given the printer's margins, and damaged by one kind of damage (or all of them):

* ``tilt``    the sheet fed crooked, turned up to ±1°;
* ``blur``    out of focus, a Gaussian of 0.5–1.1 px at the scan's resolution;
* ``speckle`` dust and toner specks, dark dots of 1–2 px over 0.05–0.15 % of the page;
* ``jpeg``    compressed at quality 30–60;
* ``seal``    a red round seal (the issuer's name round a star) stamped over a table's corner;
* ``all``     every one of them at once; ``clean`` none.

The pages are written as an image-only PDF, a multi-page TIFF, or one long PNG or JPEG (the pages one under the
other, as sites post a report as a single image), with the gold record and a manifest line. Everything is
fixed by the seed: Chromium prints without its date header (the page is printed edge to edge and the margins
are added to the raster), so the same seed gives the same pixels.

    python -m xxgk.generate.scans OUTDIR -n 40 --seed 1
"""
from __future__ import annotations

import argparse
import io
import json
import math
import random
import tempfile
from pathlib import Path

from . import gold_of, random_record, render_report

DAMAGE_KINDS = ("clean", "tilt", "blur", "speckle", "jpeg", "seal", "all")
DPIS = (100, 150, 200)
FORMATS = ("pdf", "tiff", "png", "jpeg")
MAX_TILT = 1.0               # degrees
PAGE_MARGIN = 0.06           # share of the page's width left blank at each side by the printer
SEAL_DIAMETER_MM = 40        # an official seal (公章) is 40–42 mm across
SEAL_RED = (215, 35, 40)
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# Printed edge to edge: Chromium then leaves out its header (the print date) and footer (the file's URL).
PRINT_STYLE = "<style>@page { size: A4; margin: 0 }</style>"
UNRULED_STYLE = "<style>table, td, th { border: none !important }</style>"


def scan_profile(rng: random.Random, damage: str | None = None, dpi: int | None = None,
                 fmt: str | None = None) -> dict:
    """What is done to one report: resolution, damage kind and its strength, output format."""
    damage = damage or rng.choice(DAMAGE_KINDS)
    has = (lambda kind: damage in (kind, "all"))
    return {
        "dpi": dpi or rng.choice(DPIS),
        "damage": damage,
        "tilt": round(rng.uniform(-MAX_TILT, MAX_TILT), 2) if has("tilt") else 0.0,
        "blur": round(rng.uniform(0.5, 1.1), 2) if has("blur") else 0.0,
        "speckle": round(rng.uniform(0.0005, 0.0015), 4) if has("speckle") else 0.0,
        "jpeg": rng.randint(30, 60) if has("jpeg") else None,
        "seal": has("seal"),
        "format": fmt or rng.choice(FORMATS),
    }


def print_pdf(page_html: str, charset: str, pdf: Path, *, ruled: bool = True) -> Path:
    """The page printed to PDF by Chromium, edge to edge."""
    from .producers import chromium_pdf

    styles = PRINT_STYLE + ("" if ruled else UNRULED_STYLE)
    page_html = page_html.replace("</head>", styles + "\n</head>", 1)
    source = pdf.with_suffix(".html")
    source.write_bytes(page_html.encode("gb18030" if charset == "gbk" else "utf-8"))
    try:
        return chromium_pdf(source, pdf)
    finally:
        source.unlink(missing_ok=True)


def rasterise(pdf: Path, dpi: int):
    """Each page as an RGB array at ``dpi``, shrunk onto a sheet with the printer's margins."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    pages = []
    try:
        for page in document:
            image = page.render(scale=dpi / 72).to_numpy()[:, :, :3][:, :, ::-1]
            h, w = image.shape[:2]
            inner = cv2.resize(image, (round(w * (1 - 2 * PAGE_MARGIN)), round(h * (1 - 2 * PAGE_MARGIN))),
                               interpolation=cv2.INTER_AREA)
            sheet = np.full_like(image, 255)
            y, x = (h - inner.shape[0]) // 2, (w - inner.shape[1]) // 2
            sheet[y:y + inner.shape[0], x:x + inner.shape[1]] = inner
            pages.append(np.ascontiguousarray(sheet))
    finally:
        document.close()
    return pages


def damage_page(image, profile: dict, rng: random.Random, issuer: str, *, seal: bool = False):
    """One page damaged as ``profile`` says (the seal only where ``seal``: the page chosen for it)."""
    import cv2
    import numpy as np

    noise = np.random.default_rng(rng.getrandbits(32))
    image = image.copy()
    if seal:
        image = stamp_seal(image, profile["dpi"], rng, issuer)
    if profile["tilt"]:
        h, w = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), profile["tilt"], 1.0)
        image = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    if profile["blur"]:
        image = cv2.GaussianBlur(image, (0, 0), profile["blur"])
    if profile["speckle"]:
        h, w = image.shape[:2]
        count = int(h * w * profile["speckle"] / 4)
        ys, xs = noise.integers(0, h, count), noise.integers(0, w, count)
        sizes = noise.integers(1, 3, count)
        shades = noise.integers(0, 90, count)
        for y, x, s, shade in zip(ys, xs, sizes, shades):
            image[y:y + s, x:x + s] = shade
    # the scanner's sensor: a little noise on every pixel
    image = np.clip(image.astype(np.int16) + noise.normal(0, 4, image.shape[:2])[:, :, None].astype(np.int16),
                    0, 255).astype(np.uint8)
    if profile["jpeg"]:
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, profile["jpeg"]])
        image = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return image


def table_corners(image) -> list[tuple[int, int]]:
    """Corners of the ruled tables on a page, from its long dark rows (the rules), top-left and bottom-right."""
    import numpy as np

    dark = image.min(axis=2) < 128
    h, w = dark.shape
    rows = np.nonzero(dark.sum(axis=1) > 0.25 * w)[0]
    if len(rows) < 2:
        return []
    corners = []
    for y in (rows[0], rows[-1]):
        xs = np.nonzero(dark[y])[0]
        corners += [(int(xs[0]), int(y)), (int(xs[-1]), int(y))]
    return corners


def stamp_seal(image, dpi: int, rng: random.Random, issuer: str):
    """A red round seal printed over a corner of the page's table (multiplied in: black print shows through)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    corners = table_corners(image)
    if not corners:
        return image
    cx, cy = rng.choice(corners)
    diameter = int(SEAL_DIAMETER_MM / 25.4 * dpi)
    size = diameter + 8
    seal = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(seal)
    ring = max(2, diameter // 28)
    draw.ellipse((4, 4, 4 + diameter, 4 + diameter), outline=255, width=ring)
    centre = size / 2
    star = [(centre + diameter * (0.17 if k % 2 == 0 else 0.07) * math.sin(math.pi * k / 5),
             centre - diameter * (0.17 if k % 2 == 0 else 0.07) * math.cos(math.pi * k / 5)) for k in range(10)]
    draw.polygon(star, fill=255)
    try:
        font = ImageFont.truetype(FONT, max(8, diameter // 9))
    except OSError:
        font = ImageFont.load_default()
    text = issuer[:14]
    radius = diameter / 2 - ring - diameter // 11
    for k, ch in enumerate(text):
        angle = math.radians(-150 + 300 * (k + 0.5) / len(text))
        glyph = Image.new("L", (diameter // 8, diameter // 8), 0)
        ImageDraw.Draw(glyph).text((0, 0), ch, fill=255, font=font)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        x = centre + radius * math.sin(angle) - glyph.size[0] / 2
        y = centre - radius * math.cos(angle) - glyph.size[1] / 2
        seal.paste(255, (int(x), int(y)), glyph)
    alpha = np.asarray(seal.rotate(rng.uniform(-30, 30), resample=Image.BICUBIC), dtype=np.float32) / 255
    alpha *= rng.uniform(0.7, 0.95)                       # ink pressed unevenly
    x0, y0 = cx - size // 2 + rng.randint(-diameter // 5, diameter // 5), cy - size // 2
    out = image.astype(np.float32)
    h, w = image.shape[:2]
    ax0, ay0 = max(0, -x0), max(0, -y0)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(w, x0 + size - ax0), min(h, y0 + size - ay0)
    a = alpha[ay0:ay0 + y1 - y0, ax0:ax0 + x1 - x0, None]
    colour = np.array(SEAL_RED[::-1], dtype=np.float32) / 255        # BGR, as the pages are held
    out[y0:y1, x0:x1] *= 1 - a * (1 - colour)
    return out.astype(np.uint8)


def write_scan(pages, path: Path, profile: dict) -> Path:
    """The damaged pages in the profile's format; a PNG or JPEG holds the pages one under the other."""
    import numpy as np
    from PIL import Image

    images = [Image.fromarray(np.ascontiguousarray(p[:, :, ::-1])) for p in pages]
    dpi = (profile["dpi"], profile["dpi"])
    fmt = profile["format"]
    if fmt == "pdf":
        buffer = io.BytesIO()
        images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=profile["dpi"],
                       quality=profile["jpeg"] or 90)
        path.write_bytes(buffer.getvalue())
    elif fmt == "tiff":
        images[0].save(path, "TIFF", save_all=True, append_images=images[1:], dpi=dpi, compression="tiff_lzw")
    else:
        long_image = Image.new("RGB", (images[0].size[0], sum(i.size[1] for i in images)), "white")
        y = 0
        for image in images:
            long_image.paste(image, (0, y))
            y += image.size[1]
        if fmt == "png":
            long_image.save(path, "PNG", dpi=dpi)
        else:
            long_image.save(path, "JPEG", quality=profile["jpeg"] or 85, dpi=dpi)
    return path


def generate_scans(outdir: str | Path, n: int, seed: int = 0, *, templates=None, damages=None, dpis=None,
                   formats=None, ruled_share: float = 1.0, noise: float = 0.3) -> list[dict]:
    """Write ``n`` scanned reports under ``outdir``: ``scans/<name>.<ext>``, ``gold/<name>.json`` and
    ``manifest.jsonl``; returns the manifest's entries. Templates 2019, 2021 and hybrid come in turn, damage
    kinds and resolutions are drawn (or taken from ``damages`` / ``dpis`` in turn)."""
    out = Path(outdir)
    (out / "scans").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    kinds = tuple(templates or ("2019", "2021", "hybrid"))
    entries = []
    with tempfile.TemporaryDirectory(prefix="xxgk-scans-") as tmp, \
            (out / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for i in range(n):
            rng = random.Random(f"xxgk-scans:{seed}:{i}")
            kind = kinds[i % len(kinds)]
            record = random_record("2021" if kind == "hybrid" else kind, rng, hybrid=kind == "hybrid")
            profile = scan_profile(rng, damages[i % len(damages)] if damages else None,
                                   dpis[i % len(dpis)] if dpis else None,
                                   formats[i % len(formats)] if formats else None)
            profile["ruled"] = rng.random() < ruled_share
            rendering = render_report(record, "html", rng, noise=noise)
            name = f"scan-{i:04d}-{kind}-{profile['damage']}-{profile['dpi']}"
            pdf = print_pdf(rendering.text, rendering.charset, Path(tmp) / f"{name}.pdf", ruled=profile["ruled"])
            pages = rasterise(pdf, profile["dpi"])
            sealed = _page_for_seal(pages, rng) if profile["seal"] else None
            pages = [damage_page(p, profile, rng, record["issuer"], seal=k == sealed) for k, p in enumerate(pages)]
            suffix = {"jpeg": "jpg", "tiff": "tif"}.get(profile["format"], profile["format"])
            path = write_scan(pages, out / "scans" / f"{name}.{suffix}", profile)
            (out / "gold" / f"{name}.json").write_text(
                json.dumps(gold_of(record), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            entry = {"name": name, "file": f"scans/{path.name}", "template": record["template"],
                     "hybrid": kind == "hybrid", "pages": len(pages), "sealed_page": None if sealed is None
                     else sealed + 1, **profile}
            manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
            entries.append(entry)
    return entries


def _page_for_seal(pages, rng: random.Random) -> int | None:
    with_tables = [k for k, p in enumerate(pages) if table_corners(p)]
    return rng.choice(with_tables) if with_tables else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xxgk.generate.scans", description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--templates", help="comma-separated subset of 2019,2021,hybrid")
    parser.add_argument("--damages", help=f"comma-separated kinds taken in turn ({','.join(DAMAGE_KINDS)})")
    parser.add_argument("--dpis", help="comma-separated resolutions taken in turn (default: drawn from 100,150,200)")
    parser.add_argument("--formats", help=f"comma-separated formats taken in turn ({','.join(FORMATS)})")
    parser.add_argument("--unruled-share", type=float, default=0.0, help="share of reports printed without rules")
    args = parser.parse_args(argv)
    split = (lambda s: s.split(",") if s else None)
    entries = generate_scans(args.outdir, args.n, args.seed, templates=split(args.templates),
                             damages=split(args.damages), dpis=[int(d) for d in split(args.dpis) or []] or None,
                             formats=split(args.formats), ruled_share=1 - args.unruled_share)
    print(f"wrote {len(entries)} scanned reports to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
