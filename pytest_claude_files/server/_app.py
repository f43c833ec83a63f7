"""The emulator's ASGI app and server process: :func:`make_app`, :func:`start_server` and
:class:`ServerHandle` (how to use them: the docstring of ``pytest_claude_files.server``)."""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from typing import Any, Iterable, Mapping, Optional, Sequence

from pytest_claude_files._core.files import FakeFilesSettings
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._core.settings_table import spelling
from pytest_claude_files.server._asgi import DEFAULT_READ_TIMEOUT, DEFAULT_SPOOL_THRESHOLD, FilesASGIApp
from pytest_claude_files.server._control import ControlAPI
from pytest_claude_files.server._persistence import ServerError, load_seed_file
from pytest_claude_files.server._tenants import Tenants
from pytest_claude_files.server.control_client import ControlClient

CONTROL_TOKEN_ENV = spelling("control_token", "env")  # from the one table (_core/settings_table.py)
"""The environment variable read for the control API's admin token when none is given."""


# -- the app and the server ---------------------------------------------------------
def make_app(
    *,
    settings: Optional[FakeFilesSettings] = None,
    api_keys: Optional[Iterable[str]] = None,
    shared: bool = False,
    control_api: bool = True,
    data_dir: Optional[os.PathLike[str] | str] = None,
    seeds: Sequence[Mapping[str, Any]] = (),
    spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    spool_dir: Optional[str] = None,
    control_token: Optional[str] = None,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> FilesASGIApp:
    """The ASGI app of the emulator (serve it with any ASGI server).

    ``control_token``: the admin token of cross-tenant control operations (default: the
    ``CLAUDE_FILES_CONTROL_TOKEN`` environment variable; none: they are refused).
    """
    base = settings or FakeFilesSettings()
    if api_keys is not None:
        from dataclasses import replace

        base = replace(base, api_keys=frozenset(api_keys))
    if control_token is None:
        control_token = os.environ.get(CONTROL_TOKEN_ENV) or None
    tenants = Tenants(base, shared=shared, data_dir=data_dir, seeds=seeds, control_token=control_token)
    control = ControlAPI(tenants) if control_api else None
    return FilesASGIApp(tenants, control=control, spool_threshold=spool_threshold, spool_dir=spool_dir,
                        read_timeout=read_timeout)


def allow_host(app: FilesASGIApp, host: str) -> None:
    """Let the control API answer requests for ``host``, the name the server was bound to
    (IP addresses and ``localhost`` always pass its ``Host`` check)."""
    if app.control is not None and host:
        name = host.lower().rstrip(".").strip("[]")
        app.control.allowed_hosts.add("*" if name in ("0.0.0.0", "::", "") else name)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port=0``: a free one); clear errors."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServerError(f"--host {host}: cannot resolve it ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServerError(
                f"cannot listen on {host}:{port}: the port is already in use "
                "(pick another with --port, or --port 0 for a free one)"
            ) from None
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


MAX_HEAD_BYTES = 128 * 1024
"""Largest request line plus headers (bytes) the HTTP parser accepts before a 414/400 envelope."""
TIMEOUT_KEEP_ALIVE = 30
"""Seconds an idle kept-alive connection stays open."""


def uvicorn_config(app: Any, log_level: str = "warning") -> Any:
    """uvicorn's settings: the bounded HTTP/1.1 protocol, the app's ``read_timeout`` as the
    deadline for request headers (any other ASGI app, e.g. a benchmark's peer: the default)."""
    import uvicorn

    from pytest_claude_files.server._protocol import BoundedH11Protocol

    config = uvicorn.Config(
        app, log_level=log_level, access_log=log_level in ("debug", "trace"),
        lifespan="on", timeout_keep_alive=TIMEOUT_KEEP_ALIVE, server_header=False, date_header=True,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        http=BoundedH11Protocol.bounded(getattr(app, "read_timeout", DEFAULT_READ_TIMEOUT)),
    )
    return config


class ServerHandle:
    """A running emulator server: ``base_url``, ``control``, ``files(api_key)``, ``stop()``.

    A context manager: leaving the ``with`` block stops the server.
    """

    def __init__(self, app: FilesASGIApp, sock: socket.socket, server: Any, thread: threading.Thread) -> None:
        self.app = app
        self._sock = sock
        self._server = server
        self._thread = thread
        self.base_url = url_of(sock)
        self.host, self.port = sock.getsockname()[:2]

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ServerHandle {self.base_url} {state}>"

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def tenants(self) -> Tenants:
        return self.app.tenants

    def files(self, api_key: str) -> FakeFiles:
        """The ``FakeFiles`` behind ``api_key`` (in-process inspection and seeding)."""
        return self.app.tenants.get(api_key).files

    def control(self, api_key: Optional[str] = None, *, control_token: Optional[str] = None) -> ControlClient:
        """A control API client acting on ``api_key``'s tenant (``control_token``: the admin token)."""
        return ControlClient(self.base_url, api_key, control_token=control_token)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (idempotent); waits for open requests up to ``timeout`` seconds."""
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._sock.close()
        self.app.tenants.close()  # another server may use the data directory now

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    settings: Optional[FakeFilesSettings] = None,
    api_keys: Optional[Iterable[str]] = None,
    shared: bool = False,
    control_api: bool = True,
    data_dir: Optional[os.PathLike[str] | str] = None,
    seeds: Sequence[Mapping[str, Any]] = (),
    seed_file: Optional[os.PathLike[str] | str] = None,
    spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    log_level: str = "warning",
    startup_timeout: float = 10.0,
    control_token: Optional[str] = None,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> ServerHandle:
    """Start the emulator in a background thread; returns once it accepts connections.

    ``port=0`` picks a free port (see ``handle.base_url``). Raises :class:`ServerError`
    with a clear message when it cannot start. ``control_token`` is the admin token of
    cross-tenant control operations (``reset(all_tenants=True)``); ``read_timeout`` the
    seconds a client may take to send its headers or the next piece of its body.
    """
    import uvicorn

    all_seeds = [*seeds, *(load_seed_file(seed_file) if seed_file is not None else ())]
    app = make_app(settings=settings, api_keys=api_keys, shared=shared, control_api=control_api,
                   data_dir=data_dir, seeds=all_seeds, spool_threshold=spool_threshold,
                   control_token=control_token, read_timeout=read_timeout)
    sock = bind_socket(host, port)
    allow_host(app, host)
    server = uvicorn.Server(uvicorn_config(app, log_level))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"claude-files-fake:{url_of(sock)}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            url = url_of(sock)  # before the close: a closed socket has no address
            sock.close()
            raise ServerError(f"the server on {url} did not start")
        time.sleep(0.005)
    return ServerHandle(app, sock, server, thread)
