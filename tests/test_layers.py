"""Data flows one way: no subpackage of tutor imports one that (directly or not) imports it back, and the core
(run, judge, sandbox, checker, report, cases) never imports a widget or ipywidgets."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tutor"
CORE = ("tutor.run", "tutor.judge", "tutor.sandbox", "tutor.checker", "tutor.report", "tutor.cases",
        "tutor.exercises", "tutor.kernel_cells", "tutor.progress")


def _modules() -> dict[str, Path]:
    return {".".join(f.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): f
            for f in PACKAGE.rglob("*.py")}


def _imports(mod: str, path: Path, mods: dict[str, Path]) -> list[tuple[str, int]]:
    """The modules `mod` imports (`from . import lesson` is tutor.lesson, not the package), with the line."""
    base = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            parts = base.split(".")
            target = ".".join(parts[:len(parts) - node.level + 1] + [node.module or ""]).strip(".") \
                if node.level else node.module or ""
            out += [(f"{target}.{a.name}" if f"{target}.{a.name}" in mods else target, node.lineno)
                    for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
    return out


def _layer(mod: str) -> str:
    return ".".join(mod.split(".")[:2])


def _edges() -> dict[tuple[str, str], list[str]]:
    mods = _modules()
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for mod, path in mods.items():
        for target, line in _imports(mod, path, mods):
            if target.startswith("tutor.") and _layer(target) != _layer(mod):
                edges[(_layer(mod), _layer(target))].append(f"{mod}:{line}")
    return edges


def test_the_scan_sees_the_imports_it_must_judge():
    edges = _edges()
    assert ("tutor.checker", "tutor.judge") in edges  # a plain relative import
    assert ("tutor.magic", "tutor.widgets") in edges  # a lazy one, inside a function
    assert ("tutor.sandbox", "tutor.lesson") in edges  # `from tutor import lesson`: the module, not the package
    assert all(b != "tutor" for _, b in edges)  # every import resolved to a module of the package


def test_no_two_layers_import_each_other():
    edges = _edges()
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    cycles = [f"{a} -> {b} ({', '.join(edges[(a, b)][:3])}) and back" for a, b in edges if reaches(b, a)]
    assert not cycles, "\n".join(cycles)


def test_the_core_imports_no_widget():
    mods = _modules()
    bad = [f"{mod}:{line} imports {target}" for mod, path in mods.items() if mod.startswith(CORE)
           for target, line in _imports(mod, path, mods)
           if target.startswith(("tutor.widgets", "tutor.magic", "tutor.warm", "ipywidgets", "IPython.display"))]
    assert not bad, "\n".join(bad)
