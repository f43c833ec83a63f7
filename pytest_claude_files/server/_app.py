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

import errno
import hashlib
import json
import mmap
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import Content, FakeFiles, FakeFilesSettings
from pytest_claude_files._http.handler import FilesHandler, api_key_of
from pytest_claude_files.models import FileMetadata
from pytest_claude_files.server._asgi import DEFAULT_SPOOL_THRESHOLD, OPENAPI_PATH, FilesASGIApp
from pytest_claude_files.server._control import (
    CONTROL_PREFIX,
    ControlAPI,
    ControlClient,
    Fault,
    FaultSchedule,
)

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

SHARED_LABEL = "shared"
CALLS_KEPT = 10_000
"""Recorded calls kept per tenant (the oldest are dropped), so a long run stays small."""


class ServerError(Exception):
    """The server could not start (port in use, bad seed file, bad data dir...)."""


def tenant_label(api_key: str) -> str:
    """A stable, non-reversible name for a key's space (keys are never stored or shown)."""
    return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


# -- persistence --------------------------------------------------------------------
class PersistentFakeFiles(FakeFiles):
    """A ``FakeFiles`` that keeps each file in ``directory`` (``<id>.json`` + ``<id>.bin``).

    Loaded at creation; contents are memory-mapped from disk, not read into RAM.
    """

    def __init__(self, directory: Path, settings: FakeFilesSettings, *, clock: FakeClock) -> None:
        super().__init__(settings, clock=clock)
        self.directory = directory
        self._loading = False
        directory.mkdir(parents=True, exist_ok=True)
        self._load()

    @property
    def is_new(self) -> bool:
        return not any(self.directory.glob("*.json"))

    def _load(self) -> None:
        self._loading = True
        try:
            for meta_path in sorted(self.directory.glob("file_*.json")):
                try:
                    meta = FileMetadata.model_validate_json(meta_path.read_bytes())
                except ValueError as exc:
                    reason = exc.__class__.__name__
                    raise ServerError(f"{meta_path}: unreadable metadata ({reason})") from None
                content = _map_file(meta_path.with_suffix(".bin"))
                super().add_file(
                    meta.filename, content, mime_type=meta.mime_type, downloadable=meta.downloadable,
                    scope_id=None if meta.scope is None else meta.scope.id,
                    created_at=meta.created_at, expires_at=meta.expires_at, file_id=meta.id,
                )
            self.calls.clear()
        finally:
            self._loading = False

    def _save(self, meta: FileMetadata, content: Content) -> None:
        if self._loading:
            return
        base = self.directory / meta.id
        tmp = base.with_suffix(".bin.tmp")
        with open(tmp, "wb") as out:
            view = memoryview(content)
            for start in range(0, view.nbytes, 1 << 20):
                out.write(view[start:start + (1 << 20)])
        os.replace(tmp, base.with_suffix(".bin"))
        base.with_suffix(".json").write_text(meta.model_dump_json())

    def upload(self, content: Content, filename: Optional[str], **kwargs: Any) -> FileMetadata:
        meta = super().upload(content, filename, **kwargs)
        self._save(meta, content)
        return meta

    def add_file(self, filename: str, content: Content | str = b"", **kwargs: Any) -> FileMetadata:
        meta = super().add_file(filename, content, **kwargs)
        self._save(meta, content.encode() if isinstance(content, str) else content)
        return meta

    def delete(self, file_id: str) -> Any:
        deleted = super().delete(file_id)
        for suffix in (".json", ".bin"):
            (self.directory / file_id).with_suffix(suffix).unlink(missing_ok=True)
        return deleted

    def reset(self) -> None:
        super().reset()
        for path in self.directory.glob("file_*"):
            path.unlink(missing_ok=True)


def _map_file(path: Path) -> Content:
    size = path.stat().st_size
    if size == 0:
        return b""
    with open(path, "rb") as handle:
        return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))


# -- tenants ------------------------------------------------------------------------
@dataclass
class Tenant:
    """One API key's space: its fake, the handler over it, its faults and request counts."""

    label: str
    files: FakeFiles
    handler: FilesHandler
    seeds: Sequence[Mapping[str, Any]] = ()
    faults: FaultSchedule = field(default_factory=FaultSchedule)
    counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self, operation: Optional[str]) -> Optional[Fault]:
        """Count a request and take the fault that applies to it, if any."""
        with self._lock:
            self.counts[operation or "unknown"] += 1
            calls = self.files.calls
            if len(calls) >= CALLS_KEPT:
                del calls[: len(calls) - CALLS_KEPT // 2]
        return self.faults.take(operation)

    def request_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    def reset(self) -> None:
        """Back to the start: no files (but the seeds), no calls, no counts, no faults,
        and a clock that follows real time again."""
        self.files.reset()
        self.files.clock = FakeClock()
        self.faults.clear()
        with self._lock:
            self.counts.clear()
        self.apply_seeds()

    def apply_seeds(self) -> None:
        from pytest_claude_files.server._control import file_spec_kwargs

        for spec in self.seeds:
            self.files.add_file(**file_spec_kwargs(spec))
        self.files.calls.clear()


class Tenants:
    """The server's spaces: one :class:`Tenant` per API key (or one shared space).

    A request without a key, or with a key outside ``settings.api_keys``, goes to a
    tenant that holds nothing, whose handler answers 401 as the API does.
    """

    def __init__(
        self,
        settings: Optional[FakeFilesSettings] = None,
        *,
        shared: bool = False,
        data_dir: Optional[os.PathLike[str] | str] = None,
        seeds: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.settings = settings or FakeFilesSettings()
        self.shared = shared
        self.data_dir = None if data_dir is None else Path(data_dir)
        self.seeds = list(seeds)
        self._tenants: dict[str, Tenant] = {}
        self._by_key: dict[str, Tenant] = {}  # a cache: no hashing of the key per request
        self._lock = threading.Lock()
        self._outsider = self._make("outsider", persistent=False, seeded=False)
        if self.data_dir is not None:
            _check_data_dir(self.data_dir)
            # Bring back every space that was persisted (keys are not stored: labels are).
            root = self.data_dir / "tenants"
            for path in sorted(root.iterdir()) if root.is_dir() else ():
                if path.is_dir():
                    self._tenants[path.name] = self._make(path.name)

    def __len__(self) -> int:
        return len(self._tenants)

    def __iter__(self) -> Any:
        return iter(list(self._tenants.values()))

    def _make(self, label: str, *, persistent: bool = True, seeded: bool = True) -> Tenant:
        clock = FakeClock()
        fresh = True
        if persistent and self.data_dir is not None:
            files: FakeFiles = PersistentFakeFiles(
                self.data_dir / "tenants" / label, self.settings, clock=clock
            )
            fresh = len(files) == 0
        else:
            files = FakeFiles(self.settings, clock=clock)
        tenant = Tenant(label, files, FilesHandler(files), self.seeds if seeded else ())
        if fresh and seeded:
            tenant.apply_seeds()
        return tenant

    def get(self, api_key: str) -> Tenant:
        """The tenant of ``api_key`` (made on first use)."""
        cached = self._by_key.get(api_key)
        if cached is not None:
            return cached
        label = SHARED_LABEL if self.shared else tenant_label(api_key)
        tenant = self._tenants.get(label)
        if tenant is None:
            with self._lock:
                tenant = self._tenants.get(label)
                if tenant is None:
                    tenant = self._tenants[label] = self._make(label)
                if len(self._by_key) < 100_000:
                    self._by_key[api_key] = tenant
        return tenant

    def accepts(self, api_key: str) -> bool:
        keys = self.settings.api_keys
        return bool(api_key) and (keys is None or api_key in keys)

    def for_request(self, headers: Mapping[str, str]) -> Tenant:
        """The tenant a Files API request belongs to."""
        known = self._by_key.get(headers.get("x-api-key", ""))
        if known is not None:
            return known
        key = api_key_of(headers)
        if key and self.accepts(key):
            return self.get(key)
        return self._outsider

    def for_control(self, headers: Mapping[str, str]) -> Optional[Tenant]:
        """The tenant a control request acts on; ``None`` without an accepted key."""
        key = api_key_of(headers)
        if key and self.accepts(key):
            return self.get(key)
        if self.shared and not key:
            return self.get("")
        return None

    def reset_all(self) -> int:
        tenants = list(self._tenants.values())
        for tenant in tenants:
            tenant.reset()
        return len(tenants)


def _check_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ServerError(f"--data-dir {path}: not a writable directory ({exc.strerror})") from None


def load_seed_file(path: os.PathLike[str] | str) -> list[dict[str, Any]]:
    """File specs from a JSON Lines seed file (one file object a line; ``#`` comments).

    Each line: ``{"filename": "report.csv", "content": "a,b\\n", "downloadable": true}``
    (``content_base64`` for binary, ``content_file`` for a path relative to the seed file,
    ``mime_type``, ``scope_id``, ``created_at``, ``expires_at``). Errors name the line.
    """
    from pytest_claude_files.server._control import file_spec_kwargs

    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ServerError(f"seed file {source}: cannot read it ({reason})") from None
    specs: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{source}:{number}"
        try:
            spec = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ServerError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if isinstance(spec, dict) and "content_file" in spec:
            if "content" in spec or "content_base64" in spec:
                raise ServerError(f"{where}: give one of content, content_base64, content_file")
            target = source.parent / str(spec.pop("content_file"))
            try:
                spec["content_base64"] = _b64(target.read_bytes())
            except OSError as exc:
                raise ServerError(f"{where}: content_file {target}: {exc.strerror}") from None
        try:
            kwargs = file_spec_kwargs(spec, "file")
            probe = FakeFiles()
            probe.add_file(**kwargs)  # the filename, mime and size rules, checked now
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise ServerError(f"{where}: {message}") from None
        specs.append(spec)
    return specs


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


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
) -> FilesASGIApp:
    """The ASGI app of the emulator (serve it with any ASGI server)."""
    base = settings or FakeFilesSettings()
    if api_keys is not None:
        from dataclasses import replace

        base = replace(base, api_keys=frozenset(api_keys))
    tenants = Tenants(base, shared=shared, data_dir=data_dir, seeds=seeds)
    control = ControlAPI(tenants) if control_api else None
    return FilesASGIApp(tenants, control=control, spool_threshold=spool_threshold, spool_dir=spool_dir)


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


def uvicorn_config(app: FilesASGIApp, log_level: str = "warning") -> Any:
    import uvicorn

    return uvicorn.Config(
        app, log_level=log_level, access_log=log_level in ("debug", "trace"),
        lifespan="on", timeout_keep_alive=30, server_header=False, date_header=True,
        h11_max_incomplete_event_size=1024 * 1024,
    )


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

    def control(self, api_key: Optional[str] = None) -> ControlClient:
        """A control API client acting on ``api_key``'s tenant."""
        return ControlClient(self.base_url, api_key)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (idempotent); waits for open requests up to ``timeout`` seconds."""
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._sock.close()

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
) -> ServerHandle:
    """Start the emulator in a background thread; returns once it accepts connections.

    ``port=0`` picks a free port (see ``handle.base_url``). Raises :class:`ServerError`
    with a clear message when it cannot start.
    """
    import uvicorn

    all_seeds = [*seeds, *(load_seed_file(seed_file) if seed_file is not None else ())]
    app = make_app(settings=settings, api_keys=api_keys, shared=shared, control_api=control_api,
                   data_dir=data_dir, seeds=all_seeds, spool_threshold=spool_threshold)
    sock = bind_socket(host, port)
    server = uvicorn.Server(uvicorn_config(app, log_level))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"claude-files-fake:{url_of(sock)}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise ServerError(f"the server on {url_of(sock)} did not start")
        time.sleep(0.005)
    return ServerHandle(app, sock, server, thread)

