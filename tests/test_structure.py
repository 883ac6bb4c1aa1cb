"""The package's shape, as ARCHITECTURE.md states it: no import cycles, modules short enough to
read in one sitting, functions short enough to hold in one's head.

A function may run longer than FUNCTION_LINES when the line before its ``def`` (or a decorator)
is a comment that starts with ``# long:`` and says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

MODULE_LINES = 400
FUNCTION_LINES = 60
PACKAGE = ROOT / "migrator"
RULES = ROOT / "rules"


def _module_name(path: Path) -> str:
    if path.is_relative_to(RULES):
        return "migrator.rules." + path.stem
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *RULES.glob("*.py")])


def _imports(path: Path) -> set[str]:
    """Modules of the package imported at module level (imports inside functions are lazy on
    purpose: check never loads fix code, and they cannot form a cycle at import time)."""
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    body = list(tree.body)
    for node in body:
        if isinstance(node, ast.If):  # if TYPE_CHECKING: ... is not an import at run time
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("migrator"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if any(_module_name(p) == sub for p in _sources()) else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("migrator"))
    return out


def test_no_import_cycles():
    graph = {_module_name(p): _imports(p) for p in _sources()}
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for dep in sorted(graph.get(m, ())):
            if dep not in graph or dep == m:
                continue
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep] if dep in stack else [m, dep])
            elif dep not in state:
                visit(dep, stack + [dep])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    # a package's __init__ importing its own submodules is not a cycle worth failing on
    cycles = [c for c in cycles if not all(x.startswith(c[0]) for x in c)]
    assert not cycles, cycles


def test_modules_are_short():
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in _sources()
            if (n := len(p.read_text().splitlines())) > MODULE_LINES]
    assert not long, long


def test_functions_are_short_or_say_why():
    long = []
    for p in _sources():
        lines = p.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                reason = lines[first - 2].strip().startswith("# long:") if first >= 2 else False
                if n > FUNCTION_LINES and not reason:
                    long.append(f"{p.relative_to(ROOT)}:{node.lineno}: {node.name} is {n} lines")
    assert not long, "\n".join(long)
