"""The package's imports run one way: each stage imports only its own layer and the layers below it,
nothing imports the command line, and no module imports itself back through others.

Every module of ``src/xxgk`` is parsed with ``ast``; imports inside functions count as much as those at the
top (an import circle kept quiet by a late import is still a circle).
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "xxgk"

# Bottom to top. A module's layer is that of its top-level name below ``xxgk`` (``xxgk.tables.recover`` is in
# ``tables``); ``xxgk`` itself is the package's ``__init__``, the public API, above everything.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("text", "schema", "datamodel", "options", "version", "extras", "blas"),   # the ground every stage stands on
    ("readers",),                                             # bytes -> text
    ("labels",),                                              # label strings -> categories
    ("checks",),                                              # the template's arithmetic, the prose, the years
    ("tables",),                                              # text -> table cells (the judge runs the checks)
    ("meta", "record"),                                       # year and issuer; the record
    ("pipeline",),                                            # the one place that names the order of the stages
    ("evaluate", "generate"),                                 # scoring; generated reports
    ("batch", "review", "training"),                          # what runs the pipeline over many reports
    ("cli",),                                                 # the command line, a thin layer
    ("xxgk",),                                                # the public API (xxgk/__init__.py)
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = ["xxgk", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules a module imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name.split(".")[0] == "xxgk")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "xxgk":
                continue
            for alias in node.names:
                # ``from . import narrative`` imports a module; ``from .datamodel import Cell`` a name of one
                out.add(f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source)
    return {m for m in out if m in known}


def layer_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "xxgk"


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) - {name} for name, path in known.items()}


def test_every_module_has_a_layer():
    assert {layer_of(name) for name in modules()} <= set(RANK)


def test_imports_point_down_the_stack_and_never_into_the_cli():
    wrong = []
    for name, targets in graph().items():
        for target in targets:
            mine, theirs = layer_of(name), layer_of(target)
            if RANK[theirs] > RANK[mine] or (theirs == "cli" and mine != "cli"):
                wrong.append(f"{name} imports {target} ({theirs} is above {mine})")
            elif RANK[theirs] == RANK[mine] and theirs != mine:
                wrong.append(f"{name} imports {target} (a neighbour stage, not one below)")
    assert not wrong, "\n".join(sorted(wrong))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle():
    assert cycles(graph()) == []


def test_the_checker_sees_a_circle_and_an_import_inside_a_function(tmp_path):
    # The checker itself: a late import that closes a circle is found.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from .tables import recover\n    import xxgk.cli\n", encoding="utf-8")
    known = {"xxgk.tables.recover": source, "xxgk.cli": source, "xxgk.readers.m": source}
    assert imported("xxgk.readers.m", source, known) == {"xxgk.cli"}  # .tables is xxgk.readers.tables there
    assert imported("xxgk.m", source, known) == {"xxgk.tables.recover", "xxgk.cli"}
