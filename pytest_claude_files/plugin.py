"""The pytest plugin (entry point ``pytest11: claude_files``).

Imports nothing heavy: the SDK, httpx, respx, hypothesis, faker and pydantic load only
when a test asks for one of the fixtures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator

import pytest

from pytest_claude_files._plugin import config as _config
from pytest_claude_files._plugin import respx_fixtures as _respx_fixtures
from pytest_claude_files._plugin.faker_fixtures import (  # noqa: F401
    claude_files_faker,
    claude_files_seed,
    pytest_addoption_claude_files_seed,
    pytest_configure_claude_files_seed,
    pytest_report_header_claude_files_seed,
    pytest_runtest_makereport_claude_files_seed,
)
from pytest_claude_files._plugin.respx_fixtures import claude_files_respx  # noqa: F401
from pytest_claude_files._plugin.server_fixtures import claude_files_server  # noqa: F401

if TYPE_CHECKING:
    from pytest_claude_files._core.files import FakeFiles
    from pytest_claude_files._http.handler import FilesHandler

# backends (fake, server, real) and auto-cleanup of live uploads; the fidelity suite's option
pytest_plugins = ("pytest_claude_files._plugin.live", "pytest_claude_files._plugin.contract")

MARKER = "claude_files"
GROUP = "claude-files"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "pytest-claude-files: a fake Claude Files API")
    parser.addini(
        _config.INI_API_KEYS, type="linelist", default=[],
        help="API keys the fake accepts (one a line); default: any non-empty key.",
    )
    parser.addini(
        _config.INI_STORAGE_QUOTA, default="",
        help="Organization storage of the fake, bytes or with a unit ('10MB'); default 1TB.",
    )
    parser.addini(
        _config.INI_MAX_FILE_SIZE, default="",
        help="Largest file the fake accepts, bytes or with a unit; default 500MB.",
    )
    parser.addini(
        _config.INI_RATE_LIMIT, default="",
        help="Requests per minute before the fake answers 429; default unlimited.",
    )
    parser.addini(
        _config.INI_MAX_RETRIES, default="",
        help="max_retries of the fixture clients; default the SDK's (2).",
    )
    for ini, text in _config.FIDELITY_INIS.items():
        parser.addini(ini, default="", help=text)
    del group  # options of the other parts register in their own modules


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): configure the fake Claude Files API for a test "
        f"({', '.join(_config.MARKER_ARGS)}); see {_config.DOCS_MARKER}",
    )
    _respx_fixtures.configure(config)
    try:
        _config.validate(_config.from_ini(config.getini), "ini options")
    except _config.ConfigError as exc:
        message = str(exc).replace("ini options: ", "", 1)
        name = message.split(":", 1)[0]
        raise pytest.UsageError(
            f"claude_files_{name} (ini option): {message.split(': ', 1)[-1]}. "
            f"Fix the value in your pytest configuration; see {_config.DOCS_INI}"
        ) from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    """``claude-files: anthropic X.Y.Z; <the ini settings>`` (no SDK import: package metadata)."""
    from importlib import metadata

    try:
        sdk = f"anthropic {metadata.version('anthropic')}"
    except metadata.PackageNotFoundError:
        sdk = "anthropic not installed"
    settings = _config.describe(_config.validate(_config.from_ini(config.getini), "ini options"))
    return [f"claude-files: {sdk}; {settings}"]


def _merged_config(request: pytest.FixtureRequest) -> _config.ClaudeFilesConfig:
    raw = _config.from_ini(request.config.getini)
    markers = list(request.node.iter_markers(MARKER))
    for mark in reversed(markers):  # module, then class, then the test itself
        if mark.args:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes keyword arguments only, got {mark.args!r}. "
                f"See {_config.DOCS_MARKER}",
                pytrace=False,
            )
        raw.update(mark.kwargs)
    where = f"@pytest.mark.{MARKER}" if markers else "ini options"
    try:
        return _config.validate(raw, where)
    except _config.ConfigError as exc:
        problem = str(exc)
    if _config.DOCS_MARKER not in problem:
        problem = f"{problem.rstrip('.')}. See {_config.DOCS_MARKER}"
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def claude_files_config(request: pytest.FixtureRequest) -> _config.ClaudeFilesConfig:
    """The settings in force for this test: ini options merged with the markers."""
    return _merged_config(request)


@pytest.fixture
def claude_files(claude_files_config: _config.ClaudeFilesConfig) -> Generator[FakeFiles, None, None]:
    """A fresh in-memory Files API for this test (``FakeFiles``), its Messages side as ``.messages``.

    At teardown it gives the misuse notices that only the end of a test reveals (a listing
    that stopped at a page with more) and, under ``misuse_warnings="error"`` or
    ``-W error::...ClaudeFilesMisuseWarning``, fails the test with the notices. It also fails
    the test when the Messages script went wrong: a scripting mistake the fake answered 400
    for, or scripted replies no request used.
    """
    from pytest_claude_files._core.clock import FakeClock
    from pytest_claude_files._core.files import FakeFiles, FakeFilesSettings

    cfg = claude_files_config
    clock = FakeClock(cfg.now, frozen=cfg.freeze_time)
    fake = FakeFiles(FakeFilesSettings(**cfg.settings_kwargs()), clock=clock)
    yield fake
    failures = fake.finish()
    if failures:
        listed = "\n".join(f"  {item}" for item in failures)
        pytest.fail(
            f"the fake Claude Files API saw client misuse (ClaudeFilesMisuseWarning, "
            f"misuse_warnings={cfg.misuse_warnings or 'warn'}):\n{listed}",
            pytrace=False,
        )
    problems = fake.messages.problems()
    if problems:
        pytest.fail("claude_files.messages: " + "\n".join(problems) + "\nSee docs/messages.md", pytrace=False)


@pytest.fixture
def claude_files_handler(claude_files: FakeFiles) -> FilesHandler:
    """The HTTP handler serving ``claude_files`` (request -> response), for custom wiring."""
    from pytest_claude_files._http.handler import FilesHandler

    return FilesHandler(claude_files)


def _client_kwargs(cfg: _config.ClaudeFilesConfig) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"api_key": cfg.client_key}
    if cfg.max_retries is not None:
        kwargs["max_retries"] = cfg.max_retries
    return kwargs


@pytest.fixture
def claude_files_client(
    request: pytest.FixtureRequest, claude_files_config: _config.ClaudeFilesConfig
) -> Generator[Any, None, None]:
    """An ``anthropic.Anthropic`` client bound to the chosen backend (default: the fake)."""
    from pytest_claude_files._plugin.live import backend_client

    cfg = claude_files_config
    client = backend_client(request, cfg, _client_kwargs(cfg))
    yield client
    client.close()


@pytest.fixture
def claude_files_async_client(
    request: pytest.FixtureRequest, claude_files_config: _config.ClaudeFilesConfig
) -> Any:
    """An ``anthropic.AsyncAnthropic`` client bound to the chosen backend (default: the fake)."""
    from pytest_claude_files._plugin.live import backend_client

    cfg = claude_files_config
    return backend_client(request, cfg, _client_kwargs(cfg), is_async=True)
