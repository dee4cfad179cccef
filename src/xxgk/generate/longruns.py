"""Reports whose table rows ran together into long digit runs, for the digit splitting's worst case.

A one-line page of a random record whose counts are scaled up — every identity of the template is a sum, so
each still holds — with the values of each row of tables 3 and 4 printed without a space between them: rows of
60 to 100 digits that only the template's sums can cut. ``long_run_report`` gives the text, the record it
prints and the rows that ran together; the benchmark (``eval/bench_extract.py``) and the tests read them.
"""
from __future__ import annotations

import random

from .. import schema
from .forms import render
from .records import random_record


def long_run_report(rng: random.Random, digits: int = 100, template: str | None = None
                    ) -> tuple[str, dict, list[str]]:
    """(text, record, glued rows): the record's table 3 and table 4 counts scaled so that their longest row
    prints about ``digits`` digits, each row's values run together."""
    template = template or rng.choice(schema.TEMPLATES)
    record = random_record(template, rng)
    fields = record["fields"]
    tpl = schema.template(template)
    rows = {f"requests.{r.row}": list(r.keys) for r in tpl.rows_of("requests")}
    rows["appeals"] = [f"appeals.{g}.{c}" for g in schema.APPEAL_GROUPS for c in schema.APPEAL_COLUMNS]
    for table in ("requests", "appeals"):
        table_rows = [keys for name, keys in rows.items() if name.startswith(table)]
        factor = _scale(rng, [[fields[k] for k in keys] for keys in table_rows], digits)
        for keys in table_rows:
            for k in keys:
                fields[k] *= factor
    text = render(record, "one_line_spaced", rng, noise=0.0)
    glued = []
    for name, keys in rows.items():
        printed = " ".join(str(fields[k]) for k in keys)
        if len(keys) > 1 and f" {printed} " in text:
            text = text.replace(f" {printed} ", f" {printed.replace(' ', '')} ")
            glued.append(name)
    return text, record, glued


def _scale(rng: random.Random, rows: list[list[int]], digits: int) -> int:
    """A factor (odd, no trailing zero: its multiples keep every digit in play) with the most digits that
    keeps the longest row within ``digits`` digits."""
    best = 1
    for size in range(1, digits):
        factor = rng.randrange(10 ** (size - 1), 10 ** size) | 1
        if factor % 5 == 0:
            factor += 2
        if max(sum(len(str(v * factor)) for v in row) for row in rows) > digits:
            break
        best = factor
    return best
