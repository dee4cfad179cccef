"""The generator of test reports: gold records keep (or break, as asked) the template arithmetic, every form prints
every value, and corpora are written reproducibly."""
import html
import json
import random
import re
import unicodedata
from decimal import Decimal

import pytest
from lxml import etree

from xxgk import generate, schema
from xxgk.generate import noise

KINDS = [("2019", False), ("2021", False), ("2021", True)]


def _record(template, hybrid, seed, **kw):
    return generate.random_record(template, random.Random(seed), hybrid=hybrid, **kw)


def _digits(value) -> str:
    """The digits a printed value must show, whatever its unit: 331.34 -> 33134 (also in 3313400元)."""
    text = format(Decimal(str(abs(value))), "f")
    return text.replace(".", "").strip("0") or "0"


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", html.unescape(text))


_SIMPLIFY = {ord(t): s for s, t in noise.TRADITIONAL.items()}


def _simplified(text: str) -> str:
    return text.translate(_SIMPLIFY)


def test_traditional_map_pairs_every_character():
    assert len(noise._SIMPLIFIED) == len(noise._TRADITIONAL)
    assert noise.TRADITIONAL["规"] == "規" and noise.TRADITIONAL["网"] == "網"


# ---------------------------------------------------------------------------------------------------- records

@pytest.mark.parametrize("template,hybrid", KINDS)
def test_records_keep_every_rule_and_the_template_keys(template, hybrid):
    keys = list(schema.template(template).keys)
    for seed in range(60):
        rec = _record(template, hybrid, seed)
        assert list(rec["fields"]) == keys
        assert generate.violated_rules(rec) == []
        assert rec["template"] == template
        assert isinstance(rec["issuer"], str) and len(rec["issuer"]) >= 4
        for key, value in rec["fields"].items():
            if value is None:
                continue
            spec = schema.template(template).field(key)
            assert spec.is_signed or value >= 0, key
            if not spec.is_money:
                assert isinstance(value, int), key


def test_hybrid_gold_has_the_three_other_rows_null_and_keeps_the_single_row():
    rec = _record("2021", True, 3)
    split = [f"requests.{r}.{c}" for r in schema.OTHER_SPLIT_ROWS for c in schema.APPLICANT_COLUMNS]
    assert all(rec["fields"][k] is None for k in split)
    assert sum(v is None for v in rec["fields"].values()) == len(split)
    assert set(rec["hybrid_other"]) == set(schema.APPLICANT_COLUMNS)
    assert set(generate.gold_of(rec)) == {"template", "year", "issuer", "fields"}
    with pytest.raises(ValueError):
        _record("2019", True, 3)


def test_values_look_like_real_reports():
    records = [_record(t, h, seed) for seed in range(150) for t, h in KINDS]
    cells = [v for rec in records for k, v in rec["fields"].items() if k.startswith("requests.") and v is not None]
    assert sum(v == 0 for v in cells) / len(cells) > 0.6
    natural = sum(rec["fields"]["requests.new.natural_person"] for rec in records)
    assert natural > 0.6 * sum(rec["fields"]["requests.new.total"] for rec in records)
    assert any(rec["fields"]["requests.new.total"] >= 100 for rec in records)
    changes = [rec["fields"]["disclosure.licensing.change"] for rec in records if rec["template"] == "2019"]
    assert any(v < 0 for v in changes) and any(v > 0 for v in changes)
    money = [rec["fields"][k] for rec in records for k in rec["fields"] if k.endswith("amount_wan")]
    assert any(isinstance(v, float) and len(str(v).split(".")[1]) >= 3 for v in money)
    years = {t: {rec["year"] for rec in records if rec["template"] == t and "hybrid_other" not in rec}
             for t in ("2019", "2021")}
    assert {2019, 2020} <= years["2019"] <= {2019, 2020, 2021, 2022}
    assert years["2021"] <= set(range(2021, 2026)) and len(years["2021"]) >= 4
    appeals = [rec["fields"]["appeals.review.total"] for rec in records]
    assert sum(v == 0 for v in appeals) > len(appeals) / 2


def test_year_and_issuer_can_be_fixed():
    rec = _record("2021", False, 1, year=2023, issuer="紫阳县人民政府")
    assert (rec["year"], rec["issuer"]) == (2023, "紫阳县人民政府")


# ---------------------------------------------------------------------------------------------------- breaking

@pytest.mark.parametrize("kind", generate.BREAK_KINDS)
@pytest.mark.parametrize("template,hybrid", KINDS)
def test_broken_records_break_the_rule_they_say(kind, template, hybrid):
    for seed in range(25):
        rec = _record(template, hybrid, seed)
        broken, info = generate.break_record(rec, kind, random.Random(seed))
        violated = set(generate.violated_rules(broken))
        assert info["kind"] == kind and info["rules"] and set(info["rules"]) <= violated
        assert list(broken["fields"]) == list(rec["fields"])
        assert generate.violated_rules(rec) == []          # the input is left alone
        fields = broken["fields"]
        if kind == "total_row_zero":
            assert all(fields[f"requests.total.{c}"] == 0 for c in schema.APPLICANT_COLUMNS)
        elif kind == "blank_total_column":
            totals = [k for k in fields if k.startswith("requests.") and k.endswith(".total") and fields[k] is not None]
            assert all(fields[k] == 0 for k in totals)
            assert set(totals) <= set(broken["printed_blank"])
        elif kind == "wrong_total":
            (key,) = info["cells"]
            assert key.endswith(".total") or key.startswith("requests.total.")
            assert fields[key] != info["original"][key]
            assert 1 <= abs(fields[key] - info["original"][key]) <= 10
        else:
            a, b = info["cells"]
            assert a.rsplit(".", 1)[0] == b.rsplit(".", 1)[0]
            assert fields[a] == info["original"][b] != info["original"][a] == fields[b]


def test_unknown_break_kind_is_refused():
    with pytest.raises(ValueError):
        generate.break_record(_record("2019", False, 0), "shuffled", random.Random(0))

# ---------------------------------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("form", generate.FORMS)
def test_every_form_prints_every_value_for_both_templates(form):
    for seed, (template, hybrid) in enumerate(KINDS * 3):
        rec = _record(template, hybrid, seed)
        if seed % 2:
            rec, _ = generate.break_record(rec, generate.BREAK_KINDS[seed % 4], random.Random(seed))
        text = _plain(generate.render(rec, form, random.Random(seed), noise=0.5))
        runs = re.sub(r"[\s.]+", "", text)
        assert str(rec["year"]) in text
        for key, value in rec["fields"].items():
            if value:
                assert _digits(value) in runs, (form, key, value)
        for heading in ("主动公开政府信息情况", "收到和处理政府信息公开申请情况"):
            assert heading in _simplified(text)


def _value_lines_after(lines: list[str], label: str, n: int) -> list[str]:
    at = lines.index(label)
    return lines[at + 1:at + 1 + n]


@pytest.mark.parametrize("template,hybrid", KINDS)
def test_noise_free_cell_forms_read_back_to_the_gold(template, hybrid):
    """Without noise a cell-per-line rendering holds each table-3 row's values right after its label."""
    rec, _ = generate.break_record(_record(template, hybrid, 11), "blank_total_column", random.Random(1))
    rows = [(r.label.split(" ")[-1], [rec["fields"][k] for k in r.keys])
            for r in schema.template(template).rows_of("requests") if rec["fields"][r.keys[0]] is not None]
    for form, prefix in (("cells_tabbed", "\t"), ("cells_blank_separated", ""), ("cells_plain", "")):
        text = generate.render(rec, form, random.Random(2), noise=0.0)
        lines = [line for line in text.split("\n") if line] if form == "cells_blank_separated" else text.split("\n")
        for label, gold in rows:
            printed = [v.strip() or "0" for v in _value_lines_after(lines, prefix + label, 7)]
            assert [int(v) for v in printed] == gold, (form, label)
        if form == "cells_tabbed":     # the blank total column is printed blank where the form can show it
            total = _value_lines_after(lines, prefix + rows[0][0], 7)[-1]
            assert total.strip() == ""


def _numbers_after(pieces: list[str], label: str, n: int) -> list[int]:
    at = next(i for i, piece in enumerate(pieces) if piece.strip() == label)
    return [int(p) for p in (p.strip() for p in pieces[at + 1:]) if p.isdigit()][:n]


@pytest.mark.parametrize("template,hybrid", KINDS)
def test_noise_free_row_forms_read_back_to_the_gold(template, hybrid):
    """Without noise, the values following a table-3 row's label in a row-wise rendering are the gold's."""
    rec = _record(template, hybrid, 21)
    rows = [(r.label.split(" ")[-1], [rec["fields"][k] for k in r.keys])
            for r in schema.template(template).rows_of("requests") if rec["fields"][r.keys[0]] is not None]
    if hybrid:
        rows.append(("（六）其他处理", [rec["hybrid_other"][c] for c in schema.APPLICANT_COLUMNS]))
    for seed in range(4):
        texts = {form: generate.render(rec, form, random.Random(seed), noise=0.0)
                 for form in ("tab_rows", "markdown", "one_line_spaced")}
        pieces = {"tab_rows": re.split(r"[\t\n]", texts["tab_rows"]),
                  "markdown": re.split(r"[|\n]", texts["markdown"]),
                  "one_line_spaced": texts["one_line_spaced"].replace("\n", " ").split(" ")}
        for form, parts in pieces.items():
            for label, gold in rows:
                assert _numbers_after(parts, label, 7) == gold, (form, label)


@pytest.mark.parametrize("template,hybrid", KINDS)
def test_html_tables_have_the_official_grid(template, hybrid):
    rec = _record(template, hybrid, 5)
    page = generate.render(rec, "html", random.Random(5), noise=0.4)
    tables = etree.HTML(page).findall(".//table")
    assert len(tables) == 3
    for table, width in zip(tables, (4, 10, 15)):
        taken: set[tuple[int, int]] = set()
        for r, tr in enumerate(table.iter("tr")):
            c = 0
            for td in tr.findall("td"):
                while (r, c) in taken:
                    c += 1
                rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
                taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
                c += cs
            assert max(col for row, col in taken if row == r) == width - 1
    values = ["".join(td.itertext()).strip() for td in tables[2].findall(".//tr")[-1].findall("td")]
    expected = [rec["fields"][k] for s in schema.template(template).rows_of("appeals") for k in s.keys]
    assert [int(_plain(v).strip() or 0) if _plain(v).strip() not in generate.forms._MARKS else 0 for v in values] == expected


def test_cells_tabbed_looks_like_the_scraped_word_tables():
    rec = _record("2019", False, 4)
    text = generate.render(rec, "cells_tabbed", random.Random(4), noise=0.0)
    assert "\n\t\n\t\n\t2.其他法律行政法规禁止公开\n" in text          # merged-cell placeholders before a sub-row
    assert "\n\t\n\t\n\t\n\t\n\t\n\t结果维持\n" in text                    # table 4's third header row
    assert "\n\n\t规章\n\t0\n\t0\n\t0\n\n" in text or "\t规章\n" in text


def test_one_line_forms_are_one_line_after_the_crawler_header():
    for seed in range(12):
        rec = _record("2021", False, seed)
        for form in ("one_line_spaced", "one_line_glued"):
            text = generate.render(rec, form, random.Random(seed))
            body = text.split("==================== 正文 ====================\n")[-1]
            assert "\n" not in body and "行政复议" in _simplified(body)


def test_glued_rows_are_spaced_back_where_two_readings_exist():
    assert generate.forms._readings("10 0 0 0 01", ["1", "0", "0", "0", "0", "0", "1"], "requests") == 1
    assert generate.forms._readings("3000003", ["3", "0", "0", "0", "0", "0", "3"], "requests") == 1
    assert generate.forms._readings("12311", ["12", "3", "11"], "disclosure") == 2
    assert generate.forms._readings("734281.8773", ["73", "4281.8773"], "disclosure") == 2
    manifest_rows = []
    for seed in range(30):
        rendering = generate.render_report(_record("2019", False, seed), "one_line_glued", random.Random(seed))
        manifest_rows += rendering.glued_rows
    assert any(r.startswith("requests.") for r in manifest_rows)


def test_noise_free_rendering_uses_no_noise_and_noisy_renderings_record_theirs():
    rec = _record("2019", False, 8)
    for form in generate.FORMS:
        kinds = generate.render_report(rec, form, random.Random(1), noise=0.0).noise
        assert set(kinds) <= {"page_furniture", "site_furniture"}, form
    seen = set()
    for seed in range(60):
        rec = _record(*KINDS[seed % 3], seed)
        seen |= set(generate.render_report(rec, generate.FORMS[seed % 9], random.Random(seed), noise=0.8).noise)
    assert {"ocr", "traditional", "numbering", "punctuation", "label_break", "old_wording", "label_spaces",
            "fullwidth_digits", "plus_sign", "money_units", "heading_numbering", "page_furniture"} <= seen


def test_money_prints_in_wan_or_yuan_without_losing_the_value():
    rec = _record("2019", False, 2)
    doc = generate.Document(rec, random.Random(0), 0.0)
    doc.money = "yuan"
    assert doc.value("disclosure.procurement.amount_wan", 25.1, "disclosure").text == "251000元"
    doc.money = "wan_suffix"
    assert doc.value("disclosure.procurement.amount_wan", 331.34, "disclosure").text == "331.34万元"
    doc.money = "plain"
    assert doc.value("disclosure.procurement.amount_wan", 4281.8773, "disclosure").text == "4281.8773"


def test_render_refuses_unknown_forms():
    with pytest.raises(ValueError):
        generate.render(_record("2019", False, 0), "docx", random.Random(0))

# ---------------------------------------------------------------------------------------------------- corpus


def test_generate_set_writes_matching_raw_and_gold_and_is_deterministic(tmp_path):
    paths = generate.generate_set(tmp_path / "a", 20, seed=7, broken_share=0.3, encodings=True)
    again = generate.generate_set(tmp_path / "b", 20, seed=7, broken_share=0.3, encodings=True)
    other = generate.generate_set(tmp_path / "c", 20, seed=8, broken_share=0.3, encodings=True)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in paths] != [p.read_bytes() for p in other]
    manifest = [json.loads(line) for line in (tmp_path / "a" / "manifest.jsonl").read_text("utf-8").splitlines()]
    assert [m["name"] for m in manifest] == [p.stem for p in paths]
    assert {m["form"] for m in manifest} == set(generate.FORMS)
    for entry, path in zip(manifest, paths):
        assert re.fullmatch(r"gen-\d{5}-" + entry["form"], path.stem)
        assert path.suffix == (".html" if entry["form"] == "html" else ".txt")
        gold = json.loads((tmp_path / "a" / "gold" / f"{path.stem}.json").read_text("utf-8"))
        assert set(gold) == {"template", "year", "issuer", "fields"}
        assert list(gold["fields"]) == list(schema.template(gold["template"]).keys)
        text = path.read_bytes().decode(entry["encoding"])
        assert gold["issuer"][:2] in text
        if entry["broken"]:
            assert set(entry["broken_info"]["rules"]) <= set(generate.violated_rules(
                {**gold, "hybrid_other": entry["hybrid_other"]}))
        else:
            assert generate.violated_rules({**gold, "hybrid_other": entry["hybrid_other"]}) == []


def test_generate_set_honours_forms_and_templates(tmp_path):
    generate.generate_set(tmp_path, 6, forms=["tab_rows"], templates=["hybrid"])
    manifest = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text("utf-8").splitlines()]
    assert {(m["form"], m["template"], m["hybrid"]) for m in manifest} == {("tab_rows", "2021", True)}
    with pytest.raises(ValueError):
        generate.generate_set(tmp_path, 1, forms=["fax"])


def test_cli_writes_a_corpus(tmp_path, capsys):
    assert generate.main([str(tmp_path), "-n", "3", "--seed", "2", "--forms", "markdown,html"]) == 0
    assert len(list((tmp_path / "gold").glob("*.json"))) == 3
    assert "3 reports" in capsys.readouterr().out


def test_label_slips_never_detach_a_numbering():
    rng = random.Random(0)
    for _ in range(200):
        for label in ("1.属于国家秘密", "（三）不予公开", "2、重复申请", "自然人", "结果维持"):
            for line in noise.broken(label, rng).split("\n"):
                assert not re.fullmatch(r"[（(]?[\d一二三四五六七八九十]+[）).、．]?", line), (label, line)
            assert not re.search(r"\d [.．、]|\d \S", noise.spaced(label, rng))


def test_garbled_labels_change_wording_only_and_leave_other_draws_alone():
    record = generate.random_record("2021", random.Random(5))
    plain = generate.render(record, "cells_plain", random.Random(9), noise=0.5)
    assert generate.render(record, "cells_plain", random.Random(9), noise=0.5, garble=0.0) == plain
    garbled = generate.render_report(record, "cells_plain", random.Random(9), noise=0.5, garble=1.0)
    assert "garbled" in garbled.noise and garbled.text != plain
    digits = re.compile(r"\d+(?:\.\d+)?")
    assert digits.findall(garbled.text.split("四、")[0])[-40:] == digits.findall(plain.split("四、")[0])[-40:]
    lines = [line for line in garbled.text.splitlines() if "万元" in line or "（元）" in line]
    assert not any("（元）" in line for line in lines)   # a slip never turns 万元 into 元


def test_garble_slips_are_lookalikes_or_lost_characters():
    label_noise = noise.LabelNoise(random.Random(2), 0.0, garble=1.0)
    for _ in range(50):
        slipped = label_noise.label("3.补正后申请内容仍不明确")
        body = slipped.split(".", 1)[-1]
        assert len(body) in (len("补正后申请内容仍不明确") - 2, len("补正后申请内容仍不明确") - 1,
                             len("补正后申请内容仍不明确"))
        assert body != "补正后申请内容仍不明确"
    assert noise.LOOKALIKES and all(a != b for a, b in noise.LOOKALIKES.items())


def test_manifest_lists_the_labels_each_report_prints(tmp_path):
    from xxgk.labels.dictionary import match_label, public_category
    cell_forms = ("cells_tabbed", "cells_blank_separated", "cells_plain", "tab_rows")
    generate.generate_set(tmp_path / "noisy", 16, seed=5, forms=cell_forms, noise=0.6, garble=0.3)
    for line in (tmp_path / "noisy" / "manifest.jsonl").read_text("utf-8").splitlines():
        entry = json.loads(line)
        text = (tmp_path / "noisy" / entry["file"]).read_text("utf-8")
        assert len(entry["labels"]) == len(set(entry["labels"])) > 60
        assert all(label and label in text for label in entry["labels"])   # as printed, line breaks and slips kept
    assert any("\n" in label for label in generate.printed_labels(tmp_path / "noisy"))
    generate.generate_set(tmp_path / "clean", 4, seed=5, forms=cell_forms, noise=0.0)
    clean = generate.printed_labels(tmp_path / "clean")
    # without noise every label is an official wording: the dictionary names each one exactly
    readings = [match_label(label) for label in clean]
    assert all(m.stage == "exact" for m in readings)
    assert {public_category(m.category).split(".")[0] for m in readings} >= {"disclosure", "requests", "appeals",
                                                                            "column", "section"}
