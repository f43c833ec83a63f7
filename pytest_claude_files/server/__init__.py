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

from pytest_claude_files.server._app import ServerHandle, make_app, start_server
from pytest_claude_files.server._asgi import DEFAULT_SPOOL_THRESHOLD, OPENAPI_PATH
from pytest_claude_files.server._control import CONTROL_PREFIX
from pytest_claude_files.server._persistence import PersistentFakeFiles, ServerError, load_seed_file
from pytest_claude_files.server._tenants import Tenant, Tenants

__all__ = [
    "CONTROL_PREFIX",
    "DEFAULT_SPOOL_THRESHOLD",
    "OPENAPI_PATH",
    "PersistentFakeFiles",
    "ServerError",
    "ServerHandle",
    "Tenant",
    "Tenants",
    "load_seed_file",
    "make_app",
    "start_server",
]
