"""Every module or file the docs and the code's comments name exists.

A reference is a path such as ``pytest_claude_files/_core/files.py``, ``_core/files.py``,
``server/_store.py``, ``tests/test_layers.py`` or ``bench/bench_server.py``. In the docs, a
``tests/...`` path inside a fenced code block is the reader's own test file (an example),
not ours, and is not checked; nor is a ``tests/...`` path in a test module (test data).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_claude_files"
FOLDERS = "_core|_http|_sdk|_respx|_live|_gen|_plugin|server|contract"
REFERENCE = re.compile(
    r"(?<![\w/.-])("
    r"(?:pytest_claude_files/)?(?:" + FOLDERS + r")/[\w/]*\w\.py"
    r"|pytest_claude_files/\w+\.py"
    r"|(?:tests|bench|examples)/[\w/]*\w\.py"
    r")\b"
)


def _sources() -> Iterator[Path]:
    yield from sorted((ROOT / "docs").rglob("*.md"))
    for extra in (ROOT / "README.md", ROOT / "bench" / "README.md"):
        if extra.exists():
            yield extra
    for base in ("pytest_claude_files", "tests", "bench"):
        yield from sorted(p for p in (ROOT / base).rglob("*.py") if p != Path(__file__).resolve())


def references(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, reference)`` of every path named in ``path`` that must exist."""
    in_code = False
    markdown = path.suffix == ".md"
    a_test = path.suffix == ".py" and path.parent.name == "tests"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if markdown and line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        for found in REFERENCE.finditer(line):
            ref = found.group(1)
            if ref.startswith("tests/") and ((markdown and in_code) or a_test):
                continue  # the reader's own test file in an example, or a test's data
            yield number, ref


def exists(ref: str) -> bool:
    if ref.startswith(("tests/", "bench/", "examples/", "pytest_claude_files/")):
        return (ROOT / ref).exists()
    return (PACKAGE / ref).exists()


def test_every_named_path_exists() -> None:
    missing = [f"{p.relative_to(ROOT)}:{n}: {ref}" for p in _sources() for n, ref in references(p)
               if not exists(ref)]
    assert not missing, "paths named in docs or comments that do not exist:\n" + "\n".join(missing)


def test_the_check_sees_each_kind_of_reference(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("See `_core/files.py`, pytest_claude_files/errors.py and tests/test_layers.py.\n"
                    "Also `_core/nowhere.py`.\n```python\n# tests/test_mine.py\n```\n", encoding="utf-8")
    refs = [ref for _, ref in references(page)]
    assert refs == ["_core/files.py", "pytest_claude_files/errors.py", "tests/test_layers.py",
                    "_core/nowhere.py"]
    assert [exists(r) for r in refs] == [True, True, True, False]


@pytest.mark.parametrize("module", ["_core/service.py", "_core/storage.py", "server/_store.py",
                                    "_http/handler.py", "_respx/effects.py"])
def test_architecture_names_the_modules_it_describes(module: str) -> None:
    assert module in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
