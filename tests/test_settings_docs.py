"""docs/reference.md's tables of settings are what ``_core/settings_docs.py`` writes from the
settings table; a row changed without re-running it fails here, with the command to run."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_claude_files._core import settings_docs, settings_table
from pytest_claude_files._core.settings_table import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference.md"


def test_the_reference_tables_are_the_generated_ones() -> None:
    page = REFERENCE.read_text(encoding="utf-8")
    if settings_docs.render(page) != page:
        pytest.fail(f"docs/reference.md's settings tables differ from the settings table; run: "
                    f"{settings_docs.COMMAND}", pytrace=False)


def test_every_table_is_in_the_page_between_its_markers() -> None:
    page = REFERENCE.read_text(encoding="utf-8")
    for name, text in settings_docs.tables().items():
        assert f"<!-- settings:{name} -->\n{text}\n<!-- /settings:{name} -->" in page


def test_a_changed_row_makes_the_page_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    page = REFERENCE.read_text(encoding="utf-8")
    first = SETTINGS[0]
    changed = dataclasses.replace(first, doc="a new meaning")
    monkeypatch.setattr(settings_table, "SETTINGS", (changed, *SETTINGS[1:]))
    new = settings_docs.render(page)
    assert new != page
    assert "| `api_keys` | list of `str` (or one `str`) | any non-empty key | a new meaning |" in new
    assert "| `claude_files_api_keys` | keys, one a line | any non-empty key | a new meaning |" in new


def test_a_page_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="no <!-- settings:marker -->"):
        settings_docs.render("# Reference\n")


def test_the_script_checks_and_writes(tmp_path: Path) -> None:
    page = tmp_path / "reference.md"
    stale = REFERENCE.read_text(encoding="utf-8").replace("| `api_key` | `str` |", "| `api_key` | `bytes` |")
    page.write_text(stale, encoding="utf-8")
    command = [sys.executable, "-m", "pytest_claude_files._core.settings_docs", "--page", str(page)]
    check = subprocess.run([*command, "--check"], capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 1
    assert f"run: {settings_docs.COMMAND}" in check.stderr
    write = subprocess.run([*command, "--write"], capture_output=True, text=True, cwd=ROOT)
    assert write.returncode == 0, write.stderr
    assert page.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")
    assert subprocess.run([*command, "--check"], capture_output=True, cwd=ROOT).returncode == 0


def test_the_repository_script_checks_the_page() -> None:
    script = subprocess.run([sys.executable, str(ROOT / "tests" / "gen_reference.py"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert script.returncode == 0, script.stderr
