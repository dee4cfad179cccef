"""The notebooks run top to bottom, their plots render, and they are kept in git without outputs.

Every plot is also read as a reader would: no legend may cover a bar, a line, a point or a label of the
data, and every plot must say whether it shows real or generated reports (its title, or each series of its
legend, or each label of its category axis names one of the two) — the notebooks never sum them together.
The check runs inside the kernel, on each figure a plot cell draws, before the cell's figures are closed.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

# Run in the kernel first: the checks each plot cell ends with.
FIGURE_CHECKS = r'''
import numpy as _np
from matplotlib.transforms import Bbox as _Bbox

_POPULATIONS = {"real": ("真实", "real"), "generated": ("生成", "generated")}


def _names_one(text):
    named = {p for p, words in _POPULATIONS.items() if any(w in text for w in words)}
    return len(named) == 1


def _data_boxes(ax, renderer):
    """Display boxes of what an axes shows: bars and patches, points along lines, scatter points, texts."""
    clip = ax.get_window_extent(renderer)
    for patch in ax.patches:
        box = patch.get_window_extent(renderer)
        if box.width > 0.5 and box.height > 0.5:
            inside = _Bbox.intersection(box, clip)
            if inside is not None:
                yield "bar", inside
    for line in ax.lines:
        points = line.get_transform().transform(_np.asarray(line.get_xydata(), dtype=float))
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
            for t in _np.linspace(0, 1, 40):
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                if _np.isfinite(x) and _np.isfinite(y) and clip.contains(x, y):
                    yield "line", _Bbox.from_bounds(x, y, 0, 0)
    for collection in ax.collections:
        for x, y in collection.get_offset_transform().transform(collection.get_offsets()):
            if clip.contains(x, y):
                yield "point", _Bbox.from_bounds(x, y, 0, 0)
    for text in ax.texts:
        yield "text", text.get_window_extent(renderer)


def _check_figure(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None] + list(fig.legends)
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            for what, data in _data_boxes(ax, renderer):
                hidden = box.overlaps(data) if data.width or data.height else box.contains(data.x0, data.y0)
                assert not hidden, f"a legend covers a {what} of '{ax.get_title()}'"
    for ax in fig.axes:
        if not (ax.patches or ax.lines or ax.collections):
            continue
        legend = ax.get_legend()
        entries = [t.get_text() for t in legend.get_texts()] if legend else []
        categories = [[t.get_text() for t in labels if t.get_text()]
                      for labels in (ax.get_yticklabels(), ax.get_xticklabels())]
        assert (_names_one(ax.get_title()) or (entries and all(map(_names_one, entries)))
                or any(ticks and all(map(_names_one, ticks)) for ticks in categories)), \
            f"'{ax.get_title()}' does not say whether it shows real or generated reports"


def _check_figures():
    import matplotlib.pyplot as plt
    for number in plt.get_fignums():
        _check_figure(plt.figure(number))
'''


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"dataset", "evaluate_your_own"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{path.name}: outputs stored in git; clear them (e.g. nbstripout) before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_every_plot_renders_readably(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    plots = [c for c in nb.cells if "plot" in c.metadata.get("tags", [])]
    assert len(plots) >= 3
    for cell in plots:
        cell.source += "\n_check_figures()"
    nb.cells.insert(0, nbformat.v4.new_code_cell(FIGURE_CHECKS))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"]
    for cell in plots:
        images = [o for o in cell.outputs if o.output_type == "display_data" and "image/png" in o.get("data", {})]
        assert images, f"{path.name}: no plot rendered by\n{cell.source[:200]}"
        assert all(len(o.data["image/png"]) > 2000 for o in images)   # base64 of a real figure, not an empty one
