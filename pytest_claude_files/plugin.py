"""The pytest plugin (entry point ``pytest11: claude_files``).

Imports nothing heavy: the SDK, httpx, respx, hypothesis, faker and pydantic load only
when a test asks for one of the fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Generator, Optional

import pytest

from pytest_claude_files._plugin import config as _config
from pytest_claude_files._plugin import respx_fixtures as _respx_fixtures
from pytest_claude_files._plugin.faker_fixtures import (  # noqa: F401
    claude_files_faker,
    claude_files_seed,
    pytest_configure_claude_files_seed,
    pytest_report_header_claude_files_seed,
    pytest_runtest_makereport_claude_files_seed,
)
from pytest_claude_files._plugin.respx_fixtures import claude_files_respx  # noqa: F401
from pytest_claude_files._plugin.server_fixtures import ClaudeFilesServer, claude_files_server  # noqa: F401

ClaudeFilesConfig = _config.ClaudeFilesConfig
"""The settings in force for one test (what ``claude_files_config`` gives); for annotations."""

__all__ = ["ClaudeFilesConfig", "ClaudeFilesServer", "MarkerHasNoEffect"]

if TYPE_CHECKING:
    import anthropic

    from pytest_claude_files._core.service import FakeFiles
    from pytest_claude_files._http.handler import FilesHandler

# backends (fake, server, real) and auto-cleanup of live uploads; the fidelity suite's option
pytest_plugins = ("pytest_claude_files._plugin.live", "pytest_claude_files._plugin.contract",
                  "pytest_claude_files._plugin.cassettes", "pytest_claude_files._plugin.verdict")

MARKER = "claude_files"
GROUP = "claude-files"


def pytest_addoption(parser: pytest.Parser) -> None:
    _config.register(parser)  # every option and ini option, from the one table (_core/settings_table.py)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): configure the fake Claude Files API for a test "
        f"({', '.join(_config.MARKER_ARGS)}); see {_config.DOCS_MARKER}",
    )
    _respx_fixtures.configure(config)
    raw = _config.suite_raw(config)  # a bad value: a usage error naming its source
    parsed = _config.validate(raw, "ini options")
    config.stash[_config.INI_SETTINGS] = (raw, parsed)  # parsed once; fixtures merge markers over it
    _warn_misspelled_ini(config)


def _known_options() -> list[str]:
    from pytest_claude_files._core.settings_table import options

    return sorted(s.option for s in options() if s.option is not None)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """A misspelled ``--claude-files-...`` option: name the one that was meant (pytest's own
    error only says "unrecognized arguments")."""
    from pytest_claude_files._core.suggest import did_you_mean

    known = _known_options()
    for arg in args:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        if name.startswith(("--claude-files", "--claude_files")) and name not in known:
            raise pytest.UsageError(
                f"{name}: not an option of pytest-claude-files{did_you_mean(name, known)}. "
                f"Known: {', '.join(known)}. See claude-files-fake docs reference#command-line-options"
            )


def _known_ini_names() -> list[str]:
    from pytest_claude_files._core.settings_table import ini_options

    return sorted(s.ini for s in ini_options() if s.ini is not None)


def _ini_file_keys(path: Optional[Path]) -> list[str]:
    """The keys of the pytest section of the configuration file (read again: pytest 9 no
    longer exposes the raw keys)."""
    if path is None or not path.is_file():
        return []
    try:
        if path.suffix == ".toml":
            import importlib

            tomllib = importlib.import_module("tomllib")  # Python 3.11+; 3.10 skips the check
            with path.open("rb") as handle:
                table = tomllib.load(handle).get("tool", {}).get("pytest", {})
            section = table.get("ini_options", table)
            return [key for key in section if isinstance(key, str)]
        import iniconfig

        ini = iniconfig.IniConfig(str(path))
        for name in ("pytest", "tool:pytest"):
            if name in ini:
                return [key for key, _ in ini[name].items()]
    except Exception:  # an unreadable or odd file: pytest reports it itself
        return []
    return []


_MARKER_READERS = {
    MARKER: ("claude_files", "claude_files_config", "claude_files_handler", "claude_files_client",
             "claude_files_async_client", "claude_files_respx"),
    _respx_fixtures.MARKER: ("claude_files_respx",),
}


class MarkerHasNoEffect(pytest.PytestWarning):
    """A claude-files marker on a test that uses none of the fixtures it configures."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """After the call: warn of a marker on the test that no fixture of it read (e.g.
    ``@pytest.mark.claude_files`` on a test that only uses ``claude_files_server``)."""
    report = yield
    if call.when == "call":
        read = item.stash.get(_config.MARKERS_READ, set())
        for mark in getattr(item, "own_markers", ()):
            readers = _MARKER_READERS.get(mark.name)
            if readers is None or mark.name in read:
                continue
            server = (" claude_files_server is configured by the ini options (one server per session)."
                      if "claude_files_server" in getattr(item, "fixturenames", ()) else "")
            item.warn(MarkerHasNoEffect(
                f"@pytest.mark.{mark.name} has no effect on {item.name}: it configures "
                f"{', '.join(readers)}, and the test uses none of them.{server}"
            ))
    return report


def _warn_misspelled_ini(config: pytest.Config) -> None:
    """pytest warns of an unknown ini option; name the one that was meant."""
    from pytest_claude_files._core.suggest import did_you_mean

    known = _known_ini_names()
    for name in _ini_file_keys(config.inipath):
        if name in known:
            continue
        hint = did_you_mean(name, known)
        # ours by its prefix, or close enough to one of ours ("claude_file_backend", "claudefiles_...")
        if "claude" in name or ("files" in name and hint):
            config.issue_config_time_warning(
                pytest.PytestConfigWarning(
                    f"{name}: not an ini option of pytest-claude-files{hint}. "
                    f"Known: {', '.join(known)}. See {_config.DOCS_INI}"
                ),
                stacklevel=2,
            )


def pytest_report_header(config: pytest.Config) -> list[str]:
    """``claude-files: anthropic X.Y.Z; <the ini settings>`` (no SDK import: package metadata)."""
    from importlib import metadata

    try:
        sdk = f"anthropic {metadata.version('anthropic')}"
    except metadata.PackageNotFoundError:
        sdk = "anthropic not installed"
    return [f"claude-files: {sdk}; {_config.describe(_config.ini_settings(config)[1])}"]


def _merged_config(request: pytest.FixtureRequest) -> _config.ClaudeFilesConfig:
    _config.marker_read(request, MARKER)
    raw_ini, parsed = _config.ini_settings(request.config)
    markers = list(request.node.iter_markers(MARKER))
    if not markers:
        return parsed
    raw = dict(raw_ini)
    for mark in reversed(markers):  # module, then class, then the test itself
        if mark.args:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes keyword arguments only, got {mark.args!r}. "
                f"See {_config.DOCS_MARKER}",
                pytrace=False,
            )
        raw.update(mark.kwargs)
    try:
        return _config.validate(raw, f"@pytest.mark.{MARKER}")
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
def claude_files(
    request: pytest.FixtureRequest, claude_files_config: _config.ClaudeFilesConfig
) -> Generator[FakeFiles, None, None]:
    """A fresh in-memory Files API for this test (``FakeFiles``), its Messages side as ``.messages``.

    At teardown it gives the misuse notices that only the end of a test reveals (a listing
    that stopped at a page with more) and, under ``misuse_warnings="error"`` or
    ``-W error::...ClaudeFilesMisuseWarning``, fails the test with the notices. It also fails
    the test when the Messages script went wrong: a scripting mistake the fake answered 400
    for, or scripted replies no request used.
    """
    from pytest_claude_files._core.clock import FakeClock
    from pytest_claude_files._core.files import FakeFilesSettings
    from pytest_claude_files._core.service import FakeFiles

    cfg = claude_files_config
    clock = FakeClock(cfg.now, frozen=cfg.freeze_time)
    fake = FakeFiles(FakeFilesSettings(**cfg.settings_kwargs()), clock=clock)
    if cfg.cassette is not None:
        _seed_from_cassette(request, fake, cfg.cassette)
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
        pytest.fail("claude_files.messages: " + "\n".join(problems) + "\nSee claude-files-fake docs messages",
                    pytrace=False)
    for name, resource in fake.resources.items():  # Message Batches, Skills, ... (unused scripts)
        problems = resource.problems()
        if problems:
            listed = "\n".join(problems)
            pytest.fail(f"claude_files.{name}: {listed}\nSee claude-files-fake docs {name}", pytrace=False)


def _seed_from_cassette(request: pytest.FixtureRequest, fake: FakeFiles, cassette: str) -> None:
    """``@pytest.mark.claude_files(cassette=...)``: the files the cassette uploaded, recorded ids and all."""
    from pytest_claude_files._core.cassette import CassetteError

    path = Path(cassette).expanduser()
    if not path.is_absolute():
        path = Path(str(request.node.path)).parent / path
    try:
        fake.load_cassette(path)
    except CassetteError as exc:
        pytest.fail(f"@pytest.mark.{MARKER}(cassette={cassette!r}): {exc}. "
                    f"See claude-files-fake docs cassettes", pytrace=False)


@pytest.fixture
def claude_files_handler(claude_files: FakeFiles) -> Generator[FilesHandler, None, None]:
    """The HTTP handler serving ``claude_files`` (request -> response), for custom wiring.

    At teardown, fails the test with the traceback of any internal error of the fake
    (``claude_files_handler.internal_errors``): a bug answered with a 500 that the SDK
    would retry must not pass as a flaky API.
    """
    from pytest_claude_files._http.handler import FilesHandler, internal_errors_report

    handler = FilesHandler(claude_files)
    yield handler
    if handler.internal_errors:
        pytest.fail(internal_errors_report(handler.internal_errors, "claude_files"), pytrace=False)


def _client_kwargs(cfg: _config.ClaudeFilesConfig) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"api_key": cfg.client_key}
    if cfg.max_retries is not None:
        kwargs["max_retries"] = cfg.max_retries
    return kwargs


@pytest.fixture
def claude_files_client(
    request: pytest.FixtureRequest, claude_files_config: _config.ClaudeFilesConfig
) -> Generator[anthropic.Anthropic, None, None]:
    """An ``anthropic.Anthropic`` client bound to the chosen backend (default: the fake)."""
    from pytest_claude_files._plugin.live import backend_client

    cfg = claude_files_config
    client: anthropic.Anthropic = backend_client(request, cfg, _client_kwargs(cfg))
    yield client
    client.close()


@pytest.fixture
def claude_files_async_client(
    request: pytest.FixtureRequest, claude_files_config: _config.ClaudeFilesConfig
) -> Generator[anthropic.AsyncAnthropic, None, None]:
    """An ``anthropic.AsyncAnthropic`` client bound to the chosen backend (default: the fake);
    closed after the test."""
    from pytest_claude_files._plugin.live import backend_client
    from pytest_claude_files._sdk.client import close_async_client

    cfg = claude_files_config
    client: anthropic.AsyncAnthropic = backend_client(request, cfg, _client_kwargs(cfg), is_async=True)
    yield client
    close_async_client(client)
