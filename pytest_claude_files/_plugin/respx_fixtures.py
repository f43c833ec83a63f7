"""The ``claude_files_respx`` fixture and its marker (imports only pytest at top level)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator
from urllib.parse import urlsplit

import pytest

from pytest_claude_files._plugin.extras import require

if TYPE_CHECKING:
    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._respx.router import ClaudeFilesRouter

MARKER = "claude_files_respx"
DOCS = "claude-files-fake docs respx"
DOCS_MARKER = f"{DOCS}#the-claude_files_respx-marker"

MARKER_ARGS: dict[str, str] = {
    "base_url": "the API's URL the routes answer on; default https://api.anthropic.com",
    "pass_through": "other hosts allowed to reach the network: a list, '*.example.com' or '*'",
    "stateful": "back the Files routes with the fake (True, default); False: only scripted answers",
    "real_sleep": "really sleep for SDK retry waits and latency (default False: the fake clock moves)",
    "assert_all_called": "fail when a Files route was never called (respx's check); default False",
    "assert_all_scripted_used": "fail at teardown when a script()-ed result was never used; default True",
}
_BOOLS = ("stateful", "real_sleep", "assert_all_called", "assert_all_scripted_used")


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
    unknown = sorted(set(raw) - set(MARKER_ARGS))
    if unknown:
        from pytest_claude_files._core.suggest import did_you_mean

        named = ", ".join(f"{name}{did_you_mean(name, MARKER_ARGS)}" for name in unknown)
        _fail(f"unknown argument(s) {named}; known arguments: {', '.join(MARKER_ARGS)}")
    out: dict[str, Any] = {}
    for name in _BOOLS:
        if name in raw:
            if not isinstance(raw[name], bool):
                _fail(f"{name}: expected True or False, got {raw[name]!r}")
            out[name] = raw[name]
    from pytest_claude_files._http.routes import API_BASE_URL

    base_url = raw.get("base_url", API_BASE_URL)
    parts = urlsplit(base_url) if isinstance(base_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        _fail(f"base_url: expected a scheme and host such as 'https://api.anthropic.com', got {base_url!r}")
    assert parts is not None
    out["base_url"] = base_url
    hosts = raw.get("pass_through", ())
    if isinstance(hosts, str):
        hosts = [hosts]
    if not isinstance(hosts, (list, tuple, set, frozenset)) or not all(
        isinstance(h, str) and h for h in hosts
    ):
        _fail(f"pass_through: expected a host name or a list of them, got {raw.get('pass_through')!r}")
    if parts.hostname in hosts:
        _fail(
            f"pass_through: {parts.hostname} is the API's host and never passes through "
            "(nothing may reach the real API); add routes for it instead"
        )
    out["pass_through"] = tuple(hosts)
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
