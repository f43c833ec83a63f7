"""The public API covers what the docs use; the docs import no private module; renamed
errors keep their old names for one release, with a DeprecationWarning."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

import pytest_claude_files

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PRIVATE_IMPORT = re.compile(r"\bpytest_claude_files(?:\.[A-Za-z]\w*)*\._[a-z]")
"""A dotted path through a private module: ``pytest_claude_files._core.ids``, ``...server._app``."""


def private_imports(text: str) -> list[str]:
    """Lines of ``text`` that import (or call into) a private module of the package.

    mkdocstrings directives (``::: pytest_claude_files._core.files.FakeFiles``) document
    the classes where they live; they are not imports a reader copies.
    """
    return [
        line.strip() for line in text.splitlines()
        if not line.lstrip().startswith(":::") and PRIVATE_IMPORT.search(line)
    ]


def test_the_private_import_check_catches_what_it_should() -> None:
    assert private_imports("from pytest_claude_files._sdk.client import sdk_http_library")
    assert private_imports("    import pytest_claude_files._core.ids")
    assert private_imports("x = pytest_claude_files._core.ids.is_file_id('a')")
    assert not private_imports("from pytest_claude_files import is_file_id")
    assert not private_imports("::: pytest_claude_files._core.files.FakeFiles")


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_the_docs_import_no_private_module(page: Path) -> None:
    found = private_imports(page.read_text(encoding="utf-8"))
    assert not found, f"{page.name} imports private modules (export the names publicly): {found}"


@pytest.mark.parametrize("name", pytest_claude_files.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(pytest_claude_files, name) is not None


def test_the_types_for_annotating_fixtures_are_public() -> None:
    from pytest_claude_files import (
        Backend,
        ClaudeFilesConfig,
        ClaudeFilesRouter,
        ClaudeFilesServer,
        FakeFiles,
        FakeService,
        FileCleanup,
        ServerHandle,
    )

    assert FakeFiles is FakeService  # the root's old name, kept for the suites that construct it
    assert {c.__name__ for c in (Backend, ClaudeFilesConfig, ClaudeFilesRouter, ClaudeFilesServer,
                                  FakeService, FileCleanup, ServerHandle)} == {
        "Backend", "ClaudeFilesConfig", "ClaudeFilesRouter", "ClaudeFilesServer", "FakeService",
        "FileCleanup", "ServerHandle",
    }


def test_the_fixtures_are_typed() -> None:
    from pytest_claude_files import plugin

    source = Path(plugin.__file__).read_text(encoding="utf-8")
    assert "-> Generator[anthropic.Anthropic, None, None]:" in source
    assert "-> Generator[anthropic.AsyncAnthropic, None, None]:" in source
    assert not re.search(r"^def claude_files\w*\(.*\n?.*\) -> Any:", source, re.M)


@pytest.mark.parametrize(
    ("old", "new"), [("APIError", "FilesInternalError"), ("TimeoutError", "FilesTimeoutError")]
)
def test_the_first_error_names_say_the_new_one(old: str, new: str) -> None:
    from pytest_claude_files import errors

    with pytest.raises(AttributeError, match=f"pytest_claude_files.errors.{old} is now {new}"):
        getattr(errors, old)
    assert old not in errors.__all__ and new in errors.__all__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from pytest_claude_files.errors import FilesTimeoutError  # the new name warns nothing

        assert FilesTimeoutError.status == 504


@pytest.mark.parametrize("resource", ["messages", "batches", "sessions"])
def test_the_first_name_of_assert_all_scripted_used_says_the_new_one(resource: str) -> None:
    from pytest_claude_files import FakeService

    fake = FakeService()
    scripted = getattr(fake, resource)
    assert scripted.assert_all_scripted_used is True
    with pytest.raises(AttributeError, match=r"\.require_all_replies_used is now assert_all_scripted_used"):
        scripted.require_all_replies_used = False  # never a silent no-op
    with pytest.raises(AttributeError, match="is now assert_all_scripted_used"):
        _ = scripted.require_all_replies_used
    if resource == "batches":
        scripted.reply("req-1", "unused")
    else:
        scripted.reply("unused")
    assert any("never used" in p or "unused" in p for p in scripted.problems())
    scripted.assert_all_scripted_used = False  # the opt-out under its one name
    assert scripted.problems() == []
