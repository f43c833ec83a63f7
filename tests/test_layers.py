"""The layers contract (docs/architecture.md): what may import what inside the package.

Every import counts: module level, inside functions, under ``if TYPE_CHECKING:``, and the
lazy string table of ``pytest_claude_files/__init__.py``.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = "pytest_claude_files"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

MAX_LINES = 600

# `_core` is the service: no HTTP, no pytest, nothing above it. It may use the standard
# library, pydantic (its models), and these modules of the package.
CORE_ALLOWED_INTERNAL = {f"{PACKAGE}._core", f"{PACKAGE}.errors", f"{PACKAGE}.models"}
CORE_ALLOWED_EXTERNAL = {"pydantic", "typing_extensions"}

# Only the pytest entry point may reach the pytest glue.
PLUGIN_IMPORTERS = {f"{PACKAGE}.plugin", f"{PACKAGE}._plugin"}

# The layers, bottom to top: a module may import its own layer and those below, never above.
# Keyed by the first name under the package ("" is the package itself, its lazy face).
RANKS = {
    "errors": 0, "models": 0, "_version": 0,          # the vocabulary (stdlib + pydantic)
    "_core": 1,                                       # the service: no HTTP, no pytest
    "_http": 2,                                       # the one handler, routes, wire types
    "_sdk": 3, "_respx": 3, "server": 3, "_live": 3, "_gen": 3, "_mock": 3,  # adapters
    "": 4, "scenarios": 4, "strategies": 4, "stateful": 4, "faker_provider": 4, "__main__": 4,  # public
    "_plugin": 5, "plugin": 5, "contract": 5,         # pytest glue and the contract suite
}
LAYER_NAMES = ["errors/models", "_core", "_http", "adapters", "public modules", "pytest glue"]

# Name-mangled attributes of other classes: `obj._Class__name`.
MANGLED = re.compile(r"\b_[A-Z][A-Za-z0-9]*__[a-z_]\w*")


def _module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(root: Path = ROOT) -> dict[str, Path]:
    return {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Every module `module` imports, resolved to the nearest module of the package or a
    top-level external name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node, is_package)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.add(full if full in known else base)
        elif isinstance(node, ast.Call):
            # importlib.import_module("pytest_claude_files.x")
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr == "import_module"
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Dict) and module == PACKAGE:
            # the lazy table of the package's __init__: {"Name": "pytest_claude_files.x"}
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) \
                        and value.value.startswith(PACKAGE + "."):
                    names.add(value.value)
    return names


def _nearest(name: str, known: set[str]) -> str | None:
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the package modules it imports (packages' __init__ included)."""
    modules = _modules(root)
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        edges = set()
        for name in _imports(module, path, known):
            if not name.startswith(PACKAGE):
                continue
            target = _nearest(name, known)
            if target is not None and target != module:
                edges.add(target)
        graph[module] = edges
    return graph


def external_imports(module: str) -> set[str]:
    modules = _modules()
    return {n.split(".")[0] for n in _imports(module, modules[module], set(modules))
            if n and not n.startswith(PACKAGE)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path [a, b, ..., a], or None. Importing a submodule runs its
    package's __init__, but the package's own __init__ importing its submodules is not a
    cycle with them, so edges from a submodule to its parent package are left out."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = grey
        stack.append(node)
        for nxt in sorted(graph[node]):
            if node.startswith(nxt + "."):
                continue
            if colour[nxt] == grey:
                return [*stack[stack.index(nxt):], nxt]
            if colour[nxt] == white:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = black
        return None

    for start in sorted(graph):
        if colour[start] == white:
            found = visit(start)
            if found:
                return found
    return None


def rank(module: str) -> int:
    """The layer of a module of the package (see :data:`RANKS`)."""
    top = module[len(PACKAGE) + 1:].split(".")[0] if module != PACKAGE else ""
    if top not in RANKS:
        raise AssertionError(f"{module}: no layer in RANKS for {top!r}; add it")
    return RANKS[top]


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import that points up a layer, as ``a (layer) -> b (layer)``."""
    return [f"{m} ({LAYER_NAMES[rank(m)]}) -> {t} ({LAYER_NAMES[rank(t)]})"
            for m, targets in sorted(graph.items()) for t in sorted(targets) if rank(t) > rank(m)]


def test_imports_only_point_down() -> None:
    bad = upward_imports(import_graph())
    assert not bad, "imports that point up a layer (docs/architecture.md):\n" + "\n".join(bad)


def test_every_module_has_a_layer() -> None:
    for module in import_graph():
        rank(module)


def test_an_upward_import_is_found_in_a_fake_graph() -> None:
    graph = {f"{PACKAGE}._core.files": {f"{PACKAGE}._http.handler", f"{PACKAGE}.errors"},
             f"{PACKAGE}._http.handler": {f"{PACKAGE}._core.files"},
             f"{PACKAGE}.errors": set()}
    assert upward_imports(graph) == [
        f"{PACKAGE}._core.files (_core) -> {PACKAGE}._http.handler (_http)"]


def test_an_upward_import_planted_in_a_copy_of_the_package_is_found(tmp_path: Path) -> None:
    copy = tmp_path / PACKAGE
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert upward_imports(import_graph(copy)) == []
    (copy / "_core" / "planted.py").write_text(
        "def later():\n    from pytest_claude_files import scenarios\n    return scenarios\n")
    assert upward_imports(import_graph(copy)) == [
        f"{PACKAGE}._core.planted (_core) -> {PACKAGE}.scenarios (public modules)"]


@pytest.mark.parametrize(("module", "absent"), [
    ("_core.files", ("pytest",)),
    ("_core.service", ("pytest",)),
    ("server._app", ("pytest",)),
    ("server.control_client", ("pytest", "pydantic")),
])
def test_what_a_module_loads(module: str, absent: tuple[str, ...]) -> None:
    code = (f"import sys, {PACKAGE}.{module}\n"
            f"print(sorted(m for m in {absent!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT.parent).stdout.strip()
    assert out == "[]", f"importing {PACKAGE}.{module} loads {out}"


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    # a module-level, a TYPE_CHECKING and the lazy-table import of the package
    assert f"{PACKAGE}._core.files" in graph[PACKAGE]
    assert any(m.startswith(f"{PACKAGE}._plugin") for m in graph[f"{PACKAGE}.plugin"])
    assert len(graph) > 40


def test_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle (type-only and function-level imports count): " + " -> ".join(
        cycle or [])


def test_find_cycle_reports_the_path() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_core_imports_nothing_above_it() -> None:
    graph = import_graph()
    core = [m for m in graph if m.startswith(f"{PACKAGE}._core")]
    assert core
    bad = {}
    for module in core:
        internal = {t for t in graph[module]
                    if not any(t == a or t.startswith(a + ".") for a in CORE_ALLOWED_INTERNAL)
                    and t != PACKAGE}
        external = {e for e in external_imports(module)
                    if e not in CORE_ALLOWED_EXTERNAL and e not in _stdlib()}
        if internal or external:
            bad[module] = sorted(internal | external)
    assert not bad, f"_core may import only the stdlib, pydantic, _core, errors and models: {bad}"


def test_only_plugin_imports_the_pytest_glue() -> None:
    graph = import_graph()
    bad = {m: sorted(t for t in targets if t.startswith(f"{PACKAGE}._plugin"))
           for m, targets in graph.items()
           if not any(m == p or m.startswith(p + ".") for p in PLUGIN_IMPORTERS)}
    bad = {m: t for m, t in bad.items() if t}
    assert not bad, f"only {PACKAGE}.plugin may import {PACKAGE}._plugin: {bad}"


@pytest.mark.parametrize("path", sorted(ROOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_size(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (limit {MAX_LINES})"


def test_no_name_mangled_access() -> None:
    hits = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
            for p in sorted(ROOT.rglob("*.py"))
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if MANGLED.search(line)]
    assert not hits, "name-mangled access to another class:\n" + "\n".join(hits)


def _stdlib() -> frozenset[str]:
    import sys

    return frozenset(sys.stdlib_module_names) | {"__future__"}
