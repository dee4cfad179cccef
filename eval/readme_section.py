"""Write a measured table into README.md between its ``<!-- name -->`` and ``<!-- /name -->`` markers."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def replace_section(name: str, table: str, readme: Path = README) -> None:
    text = readme.read_text(encoding="utf-8")
    new, count = re.subn(rf"(<!-- {re.escape(name)} -->\n).*?(<!-- /{re.escape(name)} -->)",
                         lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
    if count != 1:
        raise SystemExit(f"README.md has no {name} markers")
    readme.write_text(new, encoding="utf-8")
