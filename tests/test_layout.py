"""The package's layout rules, read from the source: small modules, no import cycle, and analyses that never
ask which backend they got. docs/decisions.md ("Map") says why."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tokviz"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """Every tokviz module `name` imports, at the top or inside a function (run when called), but not in an
    `if TYPE_CHECKING:` block (never run). `from . import x` counts as importing module x when it is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST):
        if _type_checking_only(node):
            return
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported_modules(name, path, known) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that returns to its start), or None. Edges into a package's own
    __init__ from below it are the package being loaded, not a cycle of modules, so they are skipped."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def edges(name: str):
        return [m for m in graph[name] if not name.startswith(m + ".")]

    def walk(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for nxt in edges(name):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[name] = 2
        return None

    for name in graph:
        if name not in state and (cycle := walk(name)):
            return cycle
    return None


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_no_import_cycle_lazy_imports_included():
    assert find_cycle(import_graph()) is None


def test_the_checks_see_lazy_imports_and_skip_type_checking_ones(tmp_path):
    graph = {"tokviz.a": {"tokviz.b"}, "tokviz.b": {"tokviz.c"}, "tokviz.c": {"tokviz.a"}, "tokviz": set()}
    assert find_cycle(graph) == ["tokviz.a", "tokviz.b", "tokviz.c", "tokviz.a"]
    known = {"tokviz.a", "tokviz.b"}
    module = tmp_path / "a.py"
    module.write_text("def f():\n    from . import b\n")
    assert imported_modules("tokviz.a", module, known) == {"tokviz.b"}
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import b\n")
    assert imported_modules("tokviz.a", module, known) == set()


def test_only_backends_ask_which_model_they_got():
    pattern = re.compile(r"isinstance\([^)]*\b(ServedModel|LanguageModel)\b")
    offenders = [name for name, path in modules().items()
                 if not name.startswith("tokviz.backends.") and pattern.search(path.read_text())]
    assert offenders == []


def test_analyses_core_and_widgets_reach_backends_only_through_the_protocol():
    graph = import_graph()
    layered = ("tokviz.analysis", "tokviz.core", "tokviz.widgets")
    reaching = {name: sorted(m for m in deps if m.startswith("tokviz.backends") and m not in (
        "tokviz.backends", "tokviz.backends.protocol"))
        for name, deps in graph.items() if name.startswith(layered)}
    assert {name: deps for name, deps in reaching.items() if deps} == {}
