"""The modules of `core` import in one direction: no two of them import each other, directly or around a circle.

Every `core/*.py` is parsed (not imported), and every import counts, also one inside a function: an import
deferred to call time still ties the two modules together.
"""

from __future__ import annotations

import ast

from conftest import ROOT

CORE = ROOT / "core"

#: Cycles that exist and are to be removed; each listed with why it is there. Nothing may be added.
KNOWN_CYCLES: set[frozenset[str]] = set()  # none: every table lives in core.tables, storage imports no logic above it


def core_imports() -> dict[str, set[str]]:
    """Module -> the `core` modules it imports (`from core import x`, `from core.x import y`, `import core.x`)."""
    modules = {path.stem for path in CORE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in sorted(CORE.glob("*.py")):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "core":
                    found |= {alias.name for alias in node.names if alias.name in modules}
                elif node.module.startswith("core."):
                    found.add(node.module.split(".")[1])
            elif isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("core.")}
        graph[path.stem] = (found & modules) - {path.stem}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan): each is at least one import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_cycle_around_three_modules() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = core_imports()
    assert "issues" in graph["store"]  # from core.issues import ...
    assert "reference" in graph["cells"]  # from core import config, fmt, reference, schemas
    assert "arahan" in graph["views"]  # from core import arahan, verifikasi inside a function (views.load)
    assert len(graph) == len(list(CORE.glob("*.py")))


def test_no_two_core_modules_import_each_other() -> None:
    found = set(cycles(core_imports()))
    assert found - KNOWN_CYCLES == set(), f"new import cycles in core: {sorted(map(sorted, found - KNOWN_CYCLES))}"
    assert KNOWN_CYCLES - found == set(), f"a known cycle is gone, remove it from KNOWN_CYCLES: {sorted(map(sorted, KNOWN_CYCLES - found))}"


def test_result_types_need_nothing_of_the_reader() -> None:
    """The split of the former 1,000-line `core/ingest.py`: `store` takes its types from `issues`, not from the reader."""
    graph = core_imports()
    assert graph["issues"] <= {"fmt"}
    assert not graph["store"] & {"ingest", "rows", "headers", "cells", "identify", "outliers"}
