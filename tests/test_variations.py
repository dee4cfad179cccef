"""The extractor on generated reports: every flattening, both templates, hybrids, label noise, broken arithmetic.

The generator (``xxgk.generate``) renders random but arithmetic-consistent records; the gold is what each
rendering prints. The bar: no silent error anywhere (a wrong value must carry its own flag), and field
accuracy close to perfect in every form.
"""
from __future__ import annotations

import pytest

from xxgk.evaluate import evaluate, load_records
from xxgk.extract import extract_file
from xxgk.generate import FORMS, generate_set, lost_label_report

REPORTS_PER_FORM = 12


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = {}
    root = tmp_path_factory.mktemp("variations")
    for form in FORMS:
        folder = root / form
        generate_set(folder, REPORTS_PER_FORM, seed=7, forms=[form], noise=0.3, broken_share=0.25)
        pred = {p.stem: extract_file(p) for p in sorted((folder / "raw").iterdir())}
        out[form] = evaluate(load_records(folder / "gold"), pred)
    noisy = root / "noisy"
    generate_set(noisy, 2 * len(FORMS), seed=11, noise=0.9, broken_share=0.25, encodings=True)
    pred = {p.stem: extract_file(p) for p in sorted((noisy / "raw").iterdir())}
    out["noisy"] = evaluate(load_records(noisy / "gold"), pred)
    return out


@pytest.mark.parametrize("form", [*FORMS, "noisy"])
def test_generated_form_reads_back(scored, form):
    result = scored[form]
    assert result["fields"]["accuracy"] >= (0.99 if form == "noisy" else 0.995), result["fields"]
    assert result["template"]["accuracy"] == 1.0
    assert result["year"]["accuracy"] == 1.0 and result["issuer"]["accuracy"] == 1.0


def test_no_silent_errors_anywhere(scored):
    silent = [w for r in scored.values() for w in r["wrong"] if not w["flagged"]]
    assert silent == []


@pytest.mark.parametrize("form", [f for f in FORMS if f != "html"])
def test_a_row_whose_label_is_lost_never_leaves_its_values_silently_on_a_neighbour(form):
    from xxgk.extract import extract_text

    silent, tried = [], 0
    for seed in range(40):
        text, record = lost_label_report(seed, form)
        if text is None:
            continue
        tried += 1
        got = extract_text(text, f"lost-label-{seed}")
        for key, value in record["fields"].items():
            cell = got["cells"][key]
            if (key.startswith("disclosure.") and got["fields"][key] != value
                    and cell["kind"] not in ("missing", "ambiguous") and cell["confidence"] >= 0.9):
                silent.append((seed, key, value, got["fields"][key]))
    assert tried >= 30
    assert not silent, silent
