"""The ``claude_files_server`` session fixture: the emulator on a free loopback port.

Top level imports only pytest and the standard library; uvicorn, pydantic and the SDK
load when a test first asks for the fixture.

Set ``CLAUDE_FILES_SERVER_URL`` to use a server you started yourself (a docker-compose
service, one server shared by every xdist worker) instead of starting one per session.
Each session gets its own random API key, so its files are its own on a shared server.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING, Any, Generator, Optional

import pytest

from pytest_claude_files._plugin.extras import require

if TYPE_CHECKING:
    from pytest_claude_files._core.files import FakeFiles
    from pytest_claude_files.server._app import ServerHandle
    from pytest_claude_files.server.control_client import ControlClient

__all__ = ["SERVER_URL_ENV", "ClaudeFilesServer", "claude_files_server"]

SERVER_URL_ENV = "CLAUDE_FILES_SERVER_URL"
"""Environment variable: the URL of a running server to use instead of starting one."""


class ClaudeFilesServer:
    """What ``claude_files_server`` yields: a running emulator and this session's key.

    - ``base_url``: give it to any client (``anthropic.Anthropic(base_url=...)``, the
      TypeScript SDK, curl);
    - ``api_key``: this session's key (its own space of files on the server);
    - ``control``: the control API client for that space (``reset()``, ``add_file()``,
      ``fail()``, ``drop()``, ``delay()``, ``request_counts()``, ``state()``...);
    - ``client()`` / ``async_client()``: SDK clients pointed at the server;
    - ``files``: the ``FakeFiles`` behind the key, when the server runs in this process.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        handle: Optional[ServerHandle] = None,
        *,
        max_retries: Optional[int] = None,
    ) -> None:
        from pytest_claude_files.server.control_client import ControlClient

        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.handle = handle
        self.max_retries = max_retries
        self.control: ControlClient = ControlClient(self.base_url, api_key)

    def __repr__(self) -> str:
        where = "in-process" if self.handle is not None else "external"
        return f"<ClaudeFilesServer {self.base_url} ({where})>"

    @property
    def files(self) -> FakeFiles:
        """The in-process ``FakeFiles`` of this session's key (not for an external server)."""
        if self.handle is None:
            raise RuntimeError(
                f"claude_files_server.files: the server at {self.base_url} runs in another "
                "process; use claude_files_server.control.state() instead."
            )
        return self.handle.files(self.api_key)

    def reset(self) -> None:
        """Forget this session's files, calls, counts and faults on the server."""
        self.control.reset()

    def _kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("api_key", self.api_key)
        if self.max_retries is not None:
            kwargs.setdefault("max_retries", self.max_retries)
        return kwargs

    def client(self, **kwargs: Any) -> Any:
        """An ``anthropic.Anthropic`` talking real HTTP to the server."""
        import anthropic

        return anthropic.Anthropic(**self._kwargs(kwargs))

    def async_client(self, **kwargs: Any) -> Any:
        """An ``anthropic.AsyncAnthropic`` talking real HTTP to the server."""
        import anthropic

        return anthropic.AsyncAnthropic(**self._kwargs(kwargs))


def _session_key(config: pytest.Config) -> str:
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    return f"sk-ant-fake-{worker}-{secrets.token_hex(8)}"


@pytest.fixture(scope="session")
def claude_files_server(pytestconfig: pytest.Config) -> Generator[ClaudeFilesServer, None, None]:
    """The emulator server on a free 127.0.0.1 port for this session (stopped at the end).

    Yields a :class:`ClaudeFilesServer` (``base_url``, ``api_key``, ``control``,
    ``client()``...). With ``CLAUDE_FILES_SERVER_URL`` set, uses that server instead.
    The ini options (``claude_files_api_keys``, ``claude_files_storage_quota``,
    ``claude_files_max_file_size``, ``claude_files_rate_limit``,
    ``claude_files_max_retries``) apply; with ``claude_files_api_keys`` set, the
    session uses the first key (and shares its space with other sessions using it).
    """
    from pytest_claude_files._core.files import FakeFilesSettings
    from pytest_claude_files._plugin import config as _config

    try:
        cfg = _config.validate(_config.from_ini(pytestconfig.getini), "ini options")
    except _config.ConfigError as exc:  # pytest_configure reports these first
        pytest.fail(f"claude_files_server: {exc}", pytrace=False)
    key = cfg.client_key or _session_key(pytestconfig)
    external = os.environ.get(SERVER_URL_ENV, "").strip()
    if external:
        yield ClaudeFilesServer(external, key, max_retries=cfg.max_retries)
        return
    require("claude_files_server", "server", "uvicorn")
    from pytest_claude_files.server import ServerError, start_server
    try:
        handle = start_server("127.0.0.1", 0, settings=FakeFilesSettings(**cfg.settings_kwargs()))
    except ServerError as exc:
        pytest.fail(f"claude_files_server: {exc}", pytrace=False)
    try:
        yield ClaudeFilesServer(handle.base_url, key, handle, max_retries=cfg.max_retries)
    finally:
        handle.stop()
