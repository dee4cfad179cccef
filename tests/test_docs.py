"""The README is a front door that holds: small, its commands parse, its example runs and prints what it says,
and every relative link of the README and docs/ leads to a file of the repository."""
from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest
import typer

from xxgk.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCUMENTS = [README, ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
README_LIMIT = 10 * 1024      # bytes: the front door
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def code_blocks(path: Path, language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(path.read_text(encoding="utf-8")) if lang == language]


def xxgk_commands(path: Path) -> list[list[str]]:
    """``xxgk`` command lines of a document's shell blocks, as argument lists (comments dropped)."""
    out = []
    for block in code_blocks(path, "sh"):
        for line in block.splitlines():
            if line.split()[:1] and Path(line.split()[0]).name == "xxgk":
                out.append(shlex.split(line, comments=True)[1:])
    return out


def test_the_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < README_LIMIT
    assert ".venv/bin/python -m pytest" in text          # the test command CI runs (.ci/run)
    for section in ("## Install", "## Extract one report", "## Build a dataset", "## Review", "## Accuracy",
                    "## Limits", "## Documentation"):
        assert section in text


def test_every_readme_command_parses():
    commands = xxgk_commands(README)
    assert {words[0] for words in commands} >= {"extract", "eval", "check", "batch", "review"}
    group = typer.main.get_command(app)
    for words in commands:
        name, args = words[0], words[1:]
        command = group.get_command(None, name)
        assert command is not None, f"xxgk {name}: no such command"
        with command.make_context(name, list(args)):    # options and arguments as the command line reads them
            pass
        with pytest.raises(SystemExit) as done, contextlib.redirect_stdout(io.StringIO()):
            command.main([*args, "--help"], prog_name=f"xxgk {name}", standalone_mode=True)
        assert done.value.code == 0


def test_the_docs_name_only_commands_that_exist():
    group = typer.main.get_command(app)
    for path in DOCUMENTS:
        for words in xxgk_commands(path):
            assert words and group.get_command(None, words[0]) is not None, f"{path.name}: xxgk {words}"


def test_the_readme_example_runs_and_prints_what_it_says(monkeypatch):
    monkeypatch.chdir(ROOT)
    [example] = code_blocks(README, "python")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README.md", "exec"), {})
    said = [line.split("#", 1)[1].strip() for line in example.splitlines()
            if line.startswith("print(") and "#" in line]
    assert printed.getvalue().splitlines() == said


def test_every_relative_link_leads_to_a_file():
    broken = []
    for path in DOCUMENTS:
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (path.parent / target.split("#")[0]).exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert not broken


def test_the_link_check_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[there](there.md) [here](page.md) [web](https://example.org)", encoding="utf-8")
    targets = LINK.findall(page.read_text(encoding="utf-8"))
    assert [t for t in targets if not re.match(r"[a-z]+:", t) and not (tmp_path / t).exists()] == ["there.md"]
