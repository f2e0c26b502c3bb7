"""The layout is the data flow: core < index < ingest < assistant < evals.
No module imports from a layer above its own, no two modules import each
other (directly or round a loop), and no module is over 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

from core.settings import ROOT

LAYERS = {"core": 0, "index": 1, "ingest": 2, "assistant": 3, "evals": 4}
MAX_LINES = 300


def modules() -> dict[str, Path]:
    found = {}
    for top in LAYERS:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(path: Path, name: str) -> set[str]:
    """Project modules ``path`` imports, at any depth (functions included)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base])
            out.add(base.strip("."))
            out |= {f"{base}.{a.name}".strip(".") for a in node.names}
    return {m for m in out if m.split(".")[0] in LAYERS}


def graph() -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        edges[name] = {m for m in imports(path, name) if m in mods and m != name}
    return edges


def test_no_import_runs_upward() -> None:
    upward = [(a, b) for a, bs in graph().items() for b in bs
              if LAYERS[b.split(".")[0]] > LAYERS[a.split(".")[0]]]
    assert upward == []


def test_core_imports_nothing_but_core_and_index_only_core() -> None:
    for a, bs in graph().items():
        top = a.split(".")[0]
        if top in ("core", "index"):
            allowed = {"core"} if top == "core" else {"core", "index"}
            assert {b.split(".")[0] for b in bs} <= allowed, (a, bs)


def test_no_import_cycle() -> None:
    edges = graph()
    # A package's __init__ re-exporting its own modules is not a loop of the data flow.
    for name in edges:
        edges[name] = {b for b in edges[name] if not b.startswith(name + ".") and not name.startswith(b + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_module_is_over_300_lines() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
