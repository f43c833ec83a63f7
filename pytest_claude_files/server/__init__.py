"""The emulator server: the fake Files API on a real port, for any HTTP client.

Start it from the command line (``claude-files-fake serve --port 0``), from a test
session (the ``claude_files_server`` fixture) or from Python::

    from pytest_claude_files.server._app import start_server

    with start_server(port=0) as server:
        client = anthropic.Anthropic(base_url=server.base_url, api_key="any-key")
        ...

The server is uvicorn running :class:`~pytest_claude_files.server._asgi.FilesASGIApp` over the
same ``FilesHandler`` as the in-process transports. Files are kept per API key
(:class:`Tenants`), so parallel workers sharing one server never see each other's files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_claude_files.server._app import ServerHandle, make_app, start_server
    from pytest_claude_files.server._asgi import DEFAULT_SPOOL_THRESHOLD, OPENAPI_PATH
    from pytest_claude_files.server._names import CONTROL_PREFIX
    from pytest_claude_files.server._persistence import PersistentFakeFiles, ServerError, load_seed_file
    from pytest_claude_files.server._tenants import Tenant, Tenants
    from pytest_claude_files.server.control_client import ControlAPIError, ControlClient

# Lazy names: ``pytest_claude_files.server.control_client`` (stdlib only) must load without
# the server (pydantic, uvicorn); a name is imported from its module on first use.
_LAZY = {
    "ServerHandle": "_app", "make_app": "_app", "start_server": "_app",
    "DEFAULT_SPOOL_THRESHOLD": "_asgi", "OPENAPI_PATH": "_asgi", "CONTROL_PREFIX": "_names",
    "PersistentFakeFiles": "_persistence", "ServerError": "_persistence", "load_seed_file": "_persistence",
    "Tenant": "_tenants", "Tenants": "_tenants",
    "ControlClient": "control_client", "ControlAPIError": "control_client",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "CONTROL_PREFIX",
    "DEFAULT_SPOOL_THRESHOLD",
    "OPENAPI_PATH",
    "ControlAPIError",
    "ControlClient",
    "PersistentFakeFiles",
    "ServerError",
    "ServerHandle",
    "Tenant",
    "Tenants",
    "load_seed_file",
    "make_app",
    "start_server",
]
