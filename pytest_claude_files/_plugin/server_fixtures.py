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
from typing import Generator

import pytest

from pytest_claude_files._core.settings_table import spelling
from pytest_claude_files._live.server_session import ClaudeFilesServer
from pytest_claude_files._plugin.extras import require

__all__ = ["SERVER_URL_ENV", "ClaudeFilesServer", "claude_files_server"]

SERVER_URL_ENV = spelling("server_url", "env")  # from the one table (_core/settings_table.py)
"""Environment variable: the URL of a running server to use instead of starting one."""


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
        cfg = _config.ini_settings(pytestconfig)[1]
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
    server = ClaudeFilesServer(handle.base_url, key, handle, max_retries=cfg.max_retries)
    try:
        yield server
    finally:
        handle.stop()
    errors = server.internal_errors()
    if errors:
        from pytest_claude_files._http.handler import internal_errors_report

        pytest.fail(internal_errors_report(errors, "claude_files_server"), pytrace=False)
