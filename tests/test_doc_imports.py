"""Every import the README and the docs show works (code blocks, skipped ones too, and
inline code), and every public dotted name they write (``pytest_claude_files.x.Name``)
resolves."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
_FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```", re.S | re.M)
_INLINE_IMPORT = re.compile(
    r"`((?:from\s+pytest_claude_files[\w.]*\s+import\s+[\w ,]+)|(?:import\s+pytest_claude_files[\w.]*))`")
_DOTTED = re.compile(r"`(pytest_claude_files(?:\.[A-Za-z]\w*)+)`")
REMOVED = {"pytest_claude_files.errors.APIError"}
"""Names the docs mention as gone (the changelog and the reference say what replaced them)."""


def _statements(text: str) -> list[str]:
    """The ``import`` statements of Python code: one per statement, parentheses joined."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if re.match(r"^(from\s+\S+\s+import\s|import\s)", line) and "pytest_claude_files" in line:
            statement = line
            while statement.count("(") > statement.count(")") and i + 1 < len(lines):
                i += 1
                statement += " " + lines[i].strip()
            out.append(statement.split("#", 1)[0].strip())
        i += 1
    return out


def imports_of(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    found = []
    for lang, body in _FENCE.findall(text):
        if lang.startswith(("python", "py", "pycon")) or lang == "":
            found.extend(_statements(body))
    found.extend(m.group(1) for m in _INLINE_IMPORT.finditer(text))
    return list(dict.fromkeys(found))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_import_shown_works(page: Path) -> None:
    failed = []
    for statement in imports_of(page):
        try:
            exec(compile(statement, f"<{page.name}>", "exec"), {})
        except Exception as exc:
            failed.append(f"{statement}: {type(exc).__name__}: {exc}")
    assert not failed, f"{page.name}: imports that fail:\n" + "\n".join(failed)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_public_dotted_name_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    names = dict.fromkeys(m.group(1) for m in _DOTTED.finditer(text))
    bad = [name for name in names if name not in REMOVED and not _resolves(name)]
    assert not bad, f"{page.name}: names that do not resolve: {bad}"


def test_the_check_catches_a_bad_import(tmp_path: Path) -> None:
    page = tmp_path / "x.md"
    page.write_text("```python\nfrom pytest_claude_files.server import (\n    NoSuchName,\n)\n```\n"
                    "and `from pytest_claude_files import Nope`\n")
    assert imports_of(page) == ["from pytest_claude_files.server import ( NoSuchName, )",
                                "from pytest_claude_files import Nope"]
    assert not _resolves("pytest_claude_files.server.NoSuchName")
