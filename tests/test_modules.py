"""The package's shape: no import cycles (imports inside functions count), and no module takes another's private
names (`from .x import _y`, or `x._y` on an imported module)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "qa_archive"
MODULES = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def imports(path: Path) -> tuple[set[str], list[str]]:
    """(package modules imported anywhere in the file, private names taken from them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, private, aliases = set(), [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 or (node.module or "").split(".")[0] == "qa_archive":
                base = node.module.split(".")[-1] if node.module and node.module != "qa_archive" else None
                if base is None:                      # `from . import analysis`
                    for a in node.names:
                        if a.name in MODULES:
                            found.add(a.name)
                            aliases[a.asname or a.name] = a.name
                        elif a.name.startswith("_") and not a.name.startswith("__"):
                            private.append(f"from . import {a.name}")
                else:
                    found.add(base)
                    private += [f"from .{base} import {a.name}" for a in node.names
                                if a.name.startswith("_") and not a.name.startswith("__")]
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "qa_archive" and len(parts) > 1:
                    found.add(parts[1])
                    if a.asname:
                        aliases[a.asname] = parts[1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            private.append(f"{node.value.id}.{node.attr}")
    return found & set(MODULES), private


GRAPH = {name: imports(path) for name, path in MODULES.items()}


def cycle() -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(GRAPH[m][0]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(GRAPH):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_package_has_no_import_cycle():
    assert cycle() is None, " -> ".join(cycle())


def test_no_module_takes_a_private_name_from_another():
    taken = {m: p for m, (_, p) in GRAPH.items() if p}
    assert taken == {}


def test_the_checker_sees_cycles_and_private_names(tmp_path):
    """The walker itself: an import inside a function and a private name are both found."""
    src = tmp_path / "x.py"
    src.write_text("def f():\n    from .search import _bounded\n    from . import index\n    index._clean()\n")
    found, private = imports(src)
    assert found == {"search", "index"}
    assert private == ["from .search import _bounded", "index._clean"]


def test_search_and_similar_are_siblings():
    """Both read a Generation and share query.py; similar does not depend on search."""
    assert "search" not in GRAPH["similar"][0]
    assert {"generation", "query"} <= GRAPH["similar"][0] and {"generation", "query"} <= GRAPH["search"][0]
    assert "ingest" not in GRAPH["index"][0] and "parse" not in GRAPH["index"][0]


def test_the_archive_facade_puts_search_and_similar_side_by_side():
    """search.py and similar.py are siblings: neither imports the other; archive.py is the one that uses both."""
    assert "similar" not in GRAPH["search"][0] and "search" not in GRAPH["similar"][0]
    assert {"search", "similar"} <= GRAPH["archive"][0]
