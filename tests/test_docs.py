"""Every ```python block in README.md and docs/*.md runs as a pytest module and passes.

A block is a complete test file using the plugin's fixtures; it is written into a
``pytester`` directory and run there, so the docs cannot rot. Blocks that are not meant
to run use another fence (```bash, ```toml, ```text, or ```python-skip).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```python[ \t]*(?:title=\"?([\w./-]+)\"?)?[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def _blocks() -> list[tuple[str, str, str]]:
    found = []
    for path in DOC_FILES:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            ident = f"{path.relative_to(ROOT)}:{line}"
            found.append((ident, match.group(1) or "", match.group(2)))
    return found


BLOCKS = _blocks()


def test_the_docs_have_runnable_examples() -> None:
    assert len(BLOCKS) >= 3, "README and docs should show runnable examples"


@pytest.mark.parametrize(("source", "title", "code"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_docs_block_runs(pytester: pytest.Pytester, source: str, title: str, code: str) -> None:
    name = Path(title).name if title else "test_" + re.sub(r"\W", "_", source.rsplit(":", 1)[1])
    if not name.startswith("test_") and name != "conftest.py":
        name = "test_" + name
    pytester.makepyfile(**{Path(name).stem: code})
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    outcomes = result.parseoutcomes()
    # a module-level skip (pytest.importorskip) collects nothing: exit status 5, "1 skipped"
    skipped_module = result.ret == pytest.ExitCode.NO_TESTS_COLLECTED and outcomes.get("skipped", 0) >= 1
    assert result.ret == 0 or skipped_module, f"{source} failed:\n" + "\n".join(result.outlines[-40:])
    # a block may skip itself where an optional library is absent (httpx2 on anthropic < 1.0)
    assert outcomes.get("passed", 0) + outcomes.get("skipped", 0) >= 1, f"{source} ran no test"


REFERENCE = ROOT / "docs" / "reference.md"


def test_the_reference_documents_every_fixture_option_and_marker(pytester: pytest.Pytester) -> None:
    """What ``pytest --fixtures``, ``--help`` and ``--markers`` list is in docs/reference.md."""
    reference = REFERENCE.read_text(encoding="utf-8")
    pytester.makepyfile("def test_x(): pass")
    listed = "\n".join(
        pytester.runpytest(flag, "-p", "no:cacheprovider").stdout.str()
        for flag in ("--fixtures", "--help", "--markers")
    )
    fixtures = set(re.findall(r"^(claude_files\w*)(?: \[session scope\])? -- ", listed, re.M))
    options = set(re.findall(r"^\s+(--claude-files-[\w-]+)", listed, re.M))
    ini = set(re.findall(r"^\s+(claude_files_\w+) \(", listed, re.M))
    markers = set(re.findall(r"^@pytest\.mark\.(claude_files\w*)", listed, re.M))
    assert len(fixtures) >= 11 and len(options) >= 5 and len(ini) >= 12 and len(markers) >= 3
    for name in sorted(fixtures | ini | markers):
        assert f"`{name}`" in reference, f"{name} is not in docs/reference.md"
    for option in sorted(options):
        assert f"### `{option}`" in reference, f"{option} has no section in docs/reference.md"


def test_the_reference_documents_every_environment_variable_and_cli_flag() -> None:
    reference = REFERENCE.read_text(encoding="utf-8")
    from pytest_claude_files._core.settings_table import env_vars

    # every variable is a row of the settings table (tests/test_settings_table.py)
    variables = {s.env for s in env_vars() if s.env is not None}
    assert {"CLAUDE_FILES_BACKEND", "ANTHROPIC_API_KEY", "CLAUDE_FILES_SERVER_URL"} <= variables
    from pytest_claude_files.server._cli import build_parser

    flags = {
        option
        for action in build_parser()._subparsers._group_actions[0].choices["serve"]._actions  # type: ignore[union-attr]
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    assert len(flags) >= 12
    for name in sorted(variables | flags):
        assert f"`{name}`" in reference, f"{name} is not in docs/reference.md"
