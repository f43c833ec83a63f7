"""pytest-claude-files: test code that uses Claude's Files API without a network.

The names below load lazily, so importing the plugin costs nothing until a test uses it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "Backend",
    "ClaudeFilesConfig",
    "ClaudeFilesRouter",
    "ClaudeFilesServer",
    "ControlClient",
    "FakeClock",
    "FakeFiles",
    "FakeFilesSettings",
    "FakeService",
    "FileCleanup",
    "FilesHandler",
    "HTTPRequest",
    "HTTPResponse",
    "HTTPX2Mocker",
    "ServerHandle",
    "When",
    "check_filename",
    "error_response",
    "is_file_id",
    "make_sdk_client",
    "make_transport",
    "mock_claude_files",
    "sdk_http_library",
    "start_server",
]
from pytest_claude_files._version import __version__ as __version__

_LAZY = {
    "FakeFiles": "pytest_claude_files._core.service",
    "FakeService": "pytest_claude_files._core.service",
    "FakeFilesSettings": "pytest_claude_files._core.files",
    "FakeClock": "pytest_claude_files._core.clock",
    "FilesHandler": "pytest_claude_files._http.handler",
    "HTTPRequest": "pytest_claude_files._http.handler",
    "HTTPResponse": "pytest_claude_files._http.handler",
    "error_response": "pytest_claude_files._http.handler",
    "make_transport": "pytest_claude_files._sdk.transports",
    "make_sdk_client": "pytest_claude_files._sdk.client",
    "ClaudeFilesRouter": "pytest_claude_files._respx.router",
    "HTTPX2Mocker": "pytest_claude_files._respx.httpx2",
    "start_server": "pytest_claude_files.server._app",
    "ServerHandle": "pytest_claude_files.server._app",
    "ClaudeFilesServer": "pytest_claude_files._live.server_session",
    "ClaudeFilesConfig": "pytest_claude_files._core.config",
    "ControlClient": "pytest_claude_files.server.control_client",
    "Backend": "pytest_claude_files._live.backends",
    "FileCleanup": "pytest_claude_files._live.state",
    "check_filename": "pytest_claude_files._core.naming",
    "is_file_id": "pytest_claude_files._core.ids",
    "sdk_http_library": "pytest_claude_files._sdk.client",
    "mock_claude_files": "pytest_claude_files._mock",
    "When": "pytest_claude_files._core.replies",
}

if TYPE_CHECKING:
    from pytest_claude_files._core.clock import FakeClock
    from pytest_claude_files._core.config import ClaudeFilesConfig
    from pytest_claude_files._core.files import FakeFilesSettings
    from pytest_claude_files._core.ids import is_file_id
    from pytest_claude_files._core.naming import check_filename
    from pytest_claude_files._core.replies import When
    from pytest_claude_files._core.service import FakeFiles, FakeService
    from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse, error_response
    from pytest_claude_files._live.backends import Backend
    from pytest_claude_files._live.server_session import ClaudeFilesServer
    from pytest_claude_files._live.state import FileCleanup
    from pytest_claude_files._mock import mock_claude_files
    from pytest_claude_files._respx.httpx2 import HTTPX2Mocker
    from pytest_claude_files._respx.router import ClaudeFilesRouter
    from pytest_claude_files._sdk.client import make_sdk_client, sdk_http_library
    from pytest_claude_files._sdk.transports import make_transport
    from pytest_claude_files.server._app import ServerHandle, start_server
    from pytest_claude_files.server.control_client import ControlClient


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_claude_files' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
