"""The ``claude_files_respx`` fixture and its marker (imports only pytest at top level)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator
from urllib.parse import urlsplit

import pytest

from pytest_claude_files._core.setting_parsers import SettingValueError
from pytest_claude_files._core.settings_table import SETTINGS, marker_args
from pytest_claude_files._plugin.extras import require

if TYPE_CHECKING:
    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._respx.router import ClaudeFilesRouter

MARKER = "claude_files_respx"
DOCS = "claude-files-fake docs respx"
DOCS_MARKER = f"{DOCS}#the-claude_files_respx-marker"

MARKER_ARGS: dict[str, str] = marker_args("respx")
"""The marker's arguments and doc lines: the rows of the settings table (``_core/settings_table.py``)."""


def configure(config: pytest.Config) -> None:
    """Register the marker (called from the plugin's ``pytest_configure``)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(base_url=, pass_through=, stateful=, real_sleep=, assert_all_called=, "
        f"assert_all_scripted_used=): "
        f"configure the claude_files_respx router; see {DOCS_MARKER}",
    )


def _fail(problem: str) -> Any:
    pytest.fail(f"@pytest.mark.{MARKER}: {problem}. See {DOCS_MARKER}", pytrace=False)


def respx_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The marker's arguments merged module -> class -> test, validated."""
    from pytest_claude_files._plugin.config import marker_read

    marker_read(request, MARKER)
    raw: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers(MARKER))):
        if mark.args:
            _fail(f"takes keyword arguments only, got {mark.args!r}")
        raw.update(mark.kwargs)
    known = marker_args("respx")
    unknown = sorted(set(raw) - set(known))
    if unknown:
        from pytest_claude_files._core.suggest import did_you_mean

        named = ", ".join(f"{name}{did_you_mean(name, known)}" for name in unknown)
        _fail(f"unknown argument(s) {named}; known arguments: {', '.join(known)}")
    out: dict[str, Any] = {}
    for setting in SETTINGS:  # each argument parsed by its row
        if setting.scope == "respx" and setting.name in raw:
            try:
                out[setting.name] = setting.parse(raw[setting.name], False)
            except SettingValueError as exc:
                _fail(f"{setting.name}: {exc}")
    from pytest_claude_files._http.routes import API_BASE_URL

    out.setdefault("base_url", API_BASE_URL)
    hosts = out.setdefault("pass_through", ())
    parts = urlsplit(out["base_url"])
    if parts.hostname in hosts:
        _fail(
            f"pass_through: {parts.hostname} is the API's host and never passes through "
            "(nothing may reach the real API); add routes for it instead"
        )
    return out


@pytest.fixture
def claude_files_respx(
    request: pytest.FixtureRequest, claude_files_handler: FilesHandler
) -> Generator[ClaudeFilesRouter, None, None]:
    """A ``respx.MockRouter`` for the Anthropic API, backed by ``claude_files``.

    Routes ``upload``, ``list``, ``retrieve_metadata``, ``download``, ``delete``; every
    ``anthropic`` client made while it is active (httpx or httpx2) goes through it.
    """
    settings = respx_settings(request)
    require("claude_files_respx", "respx", "httpx", "respx")
    from pytest_claude_files._respx.router import ClaudeFilesRouter, retry_delay
    from pytest_claude_files._sdk.compat import patch_retry_timeout

    router = ClaudeFilesRouter(claude_files_handler, **settings)
    from pytest_claude_files._plugin.cassettes import replay_handler

    replayer = replay_handler(request)
    if replayer is not None:  # --claude-files-backend=replay: the routes answer from the cassette
        router.serve_fake = replayer  # type: ignore[method-assign]
    with pytest.MonkeyPatch.context() as patch:
        patch_retry_timeout(patch, retry_delay(router))
        with router:
            yield router
    unused = router.unused_scripted() if router.assert_all_scripted_used else []
    if unused:
        listed = "\n  ".join(unused)
        pytest.fail(
            f"claude_files_respx: {len(unused)} scripted result(s) were never used:\n  {listed}\n"
            "(the code under test made fewer calls than scripted; if that is expected, opt out with "
            "@pytest.mark.claude_files_respx(assert_all_scripted_used=False) or "
            "claude_files_respx.assert_all_scripted_used = False)",
            pytrace=False,
        )
    if router.unhandled:
        listed = "\n  ".join(router.unhandled)
        pytest.fail(
            f"claude_files_respx: {len(router.unhandled)} request(s) had no route:\n  {listed}\n"
            "(clear claude_files_respx.unhandled in the test if that was expected)",
            pytrace=False,
        )
