"""pytest-claude-files: test code that uses Claude's Files API without a network.

The names below load lazily, so importing the plugin costs nothing until a test uses it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "ClaudeFilesRouter",
    "ClaudeFilesServer",
    "ControlClient",
    "FakeClock",
    "FakeFiles",
    "FakeFilesSettings",
    "FilesHandler",
    "HTTPRequest",
    "HTTPResponse",
    "HTTPX2Mocker",
    "ServerHandle",
    "error_response",
    "make_sdk_client",
    "make_transport",
    "start_server",
]
__version__ = "0.1.0"

_LAZY = {
    "FakeFiles": "._service",
    "FakeFilesSettings": "._service",
    "FakeClock": "._clock",
    "FilesHandler": "._http",
    "HTTPRequest": "._http",
    "HTTPResponse": "._http",
    "error_response": "._http",
    "make_transport": "._transports",
    "make_sdk_client": "._client",
    "ClaudeFilesRouter": "._respx",
    "HTTPX2Mocker": "._respx",
    "start_server": ".server",
    "ServerHandle": ".server",
    "ClaudeFilesServer": "._server_fixtures",
    "ControlClient": "._control",
}

if TYPE_CHECKING:
    from ._client import make_sdk_client
    from ._clock import FakeClock
    from ._control import ControlClient
    from ._http import FilesHandler, HTTPRequest, HTTPResponse, error_response
    from ._respx import ClaudeFilesRouter, HTTPX2Mocker
    from ._server_fixtures import ClaudeFilesServer
    from ._service import FakeFiles, FakeFilesSettings
    from ._transports import make_transport
    from .server import ServerHandle, start_server


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_claude_files' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
