"""Backend selection (fake, server, real) and SDK clients for the live backends.

- ``fake`` (default): the in-memory fake; no key, no network.
- ``server``: the emulator server, through the ``claude_files_server`` fixture: one on
  loopback per test process, or the one ``CLAUDE_FILES_SERVER_URL`` names
  (``claude-files-fake serve``); its per-session key, or ``CLAUDE_FILES_SERVER_API_KEY``.
- ``real``: ``ANTHROPIC_BASE_URL`` (default ``https://api.anthropic.com``) with
  ``ANTHROPIC_API_KEY``. Without a key, tests that need it are skipped and the fixture
  clients send nothing; clients the tests build themselves are counted (:func:`count_sent`)
  so the summary can say whether anything reached the API.

Clients for ``server`` and ``real`` are the SDK's own ``DefaultHttpxClient`` with a
response event hook: an upload that answers 200 with a file id is recorded (ledger
append + fsync) before the SDK hands the result to the test, and so is every file a
Messages answer says the API made (code execution's output blocks, :mod:`._made`), as
its block arrives. Opt-in
(``--claude-files-record-all``), :func:`patch_transports` also records uploads made by any
other anthropic client in the process, by patching the SDK's HTTP library transports as
respx does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional
from urllib.parse import urlsplit

from pytest_claude_files._core.settings_table import SourceError, by_name, choices, parse_from, spelling
from pytest_claude_files._http.routes import API_BASE_URL, api_key_of
from pytest_claude_files._live.cleanup import CUT_ANSWER, Recorder, Secret
from pytest_claude_files._live.ledger import normalize_base_url
from pytest_claude_files._live.made import makes_files, watch_response

__all__ = [
    "BACKENDS",
    "DEFAULT_REAL_BASE_URL",
    "ENV_API_KEY",
    "ENV_BACKEND",
    "ENV_BASE_URL",
    "ENV_SERVER_KEY",
    "ENV_SERVER_URL",
    "INI_BACKEND",
    "OPTION_BACKEND",
    "Backend",
    "BackendError",
    "SentCount",
    "base_of",
    "choose_backend",
    "count_sent",
    "make_live_client",
    "observe",
    "origin",
    "patch_transports",
    "under",
]

BACKENDS = choices("backend")  # fake, server, real, replay: the row's parser
# the names, from the one table (_core/settings_table.py)
OPTION_BACKEND = spelling("backend", "option")
INI_BACKEND = spelling("backend", "ini")
ENV_BACKEND = spelling("backend", "env")
ENV_API_KEY = spelling("real_api_key", "env")
ENV_BASE_URL = spelling("real_base_url", "env")
ENV_SERVER_URL = spelling("server_url", "env")
ENV_SERVER_KEY = spelling("server_api_key", "env")
DEFAULT_REAL_BASE_URL = API_BASE_URL
REAL_API_HOSTS = frozenset({"api.anthropic.com"})
DOCS = "claude-files-fake docs real-backend"

_FILE_PATH = re.compile(r"^/v1/files/(?P<id>[^/]+)$")


class BackendError(ValueError):
    """A bad backend setting; the message names the setting and the fix."""


@dataclass(frozen=True)
class Backend:
    """The backend the session's clients talk to. Its text forms never show the key."""

    name: str
    source: str  # where the choice came from, for messages
    base_url: Optional[str] = None  # None: the in-process emulator, known once started
    key: Optional[Secret] = None
    ephemeral: bool = False  # an emulator that lives and dies with this process

    def __repr__(self) -> str:
        key = self.key.fingerprint if self.key else None
        return f"<claude-files backend {self.name} base_url={self.base_url!r} key={key}>"

    __str__ = __repr__

    @property
    def is_fake(self) -> bool:
        return self.name == "fake"

    @property
    def is_live(self) -> bool:
        """Whether requests go over the network (``server`` or ``real``; ``replay`` does not)."""
        return self.name in ("server", "real")

    @property
    def key_fingerprint(self) -> Optional[str]:
        return self.key.fingerprint if self.key else None

    @property
    def missing_key_reason(self) -> Optional[str]:
        if self.name == "real" and self.key is None:
            return (
                f"claude-files: the real backend needs {ENV_API_KEY}, which is not set; "
                f"skipped, nothing was sent (see {DOCS})"
            )
        return None

    def with_endpoint(self, base_url: str, key: Secret) -> Backend:
        return Backend(self.name, self.source, normalize_base_url(base_url), key, self.ephemeral)


def choose_backend(
    option: Optional[str], ini: Optional[str], environ: Mapping[str, str] = os.environ
) -> Backend:
    """The backend asked for: command line, then ``CLAUDE_FILES_BACKEND``, then the ini option."""
    if option:
        value, source, kind = option, f"{OPTION_BACKEND}={option}", "option"
    elif environ.get(ENV_BACKEND, "").strip():
        value, source, kind = environ[ENV_BACKEND], f"{ENV_BACKEND}={environ[ENV_BACKEND]}", "env"
    elif ini and ini.strip():
        value, source, kind = ini, f"{INI_BACKEND} = {ini} (ini option)", "ini"
    else:
        value, source, kind = "fake", "default", "option"
    try:
        name = str(parse_from(by_name("backend"), kind, value))  # the row's parser and usage error
    except SourceError as exc:
        raise BackendError(str(exc)) from None
    if name in ("fake", "replay"):  # replay: answers from cassettes (claude-files-fake docs cassettes)
        return Backend(name, source)
    if name == "real":
        key = environ.get(ENV_API_KEY, "").strip()
        base = environ.get(ENV_BASE_URL, "").strip() or DEFAULT_REAL_BASE_URL
        _check_url(base, ENV_BASE_URL)
        return Backend("real", source, normalize_base_url(base), Secret(key) if key else None)
    key = environ.get(ENV_SERVER_KEY, "").strip()
    url = environ.get(ENV_SERVER_URL, "").strip()
    if url:
        _check_url(url, ENV_SERVER_URL)
        host = (urlsplit(url).hostname or "").lower()
        if host in REAL_API_HOSTS:
            raise BackendError(
                f"{ENV_SERVER_URL}={url}: that is the real API, not the emulator. Use "
                f"{OPTION_BACKEND}=real to talk to the real API, or point {ENV_SERVER_URL} at "
                f"an emulator (claude-files-fake serve). See {DOCS}"
            )
    # Without both a URL and a fixed key, the claude_files_server fixture supplies them at
    # run time (an in-process emulator and/or a per-session key): nothing a later session
    # could sweep, hence ``ephemeral``.
    return Backend(
        "server", source, normalize_base_url(url) if url else None, Secret(key) if key else None,
        ephemeral=not (url and key),
    )


def _check_url(url: str, name: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendError(
            f"{name}={url!r}: expected an http(s) URL such as https://api.anthropic.com or "
            f"http://127.0.0.1:8000. See {DOCS}"
        )


# -- observing responses ------------------------------------------------------------------


def _key_of(headers: Any) -> Optional[str]:
    return api_key_of(headers) or None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: Any) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a URL (a string or an httpx URL), default ports filled in."""
    parts = urlsplit(str(url))
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None:
        port = _DEFAULT_PORTS.get(scheme, -1)
    return (scheme, (parts.hostname or "").lower(), port)


def under(url: Any, base_url: str) -> Optional[str]:
    """The path of ``url`` below ``base_url`` (``"/v1/files"``), or ``None`` when ``url`` is not
    on the same origin (scheme, host and port: ``:4713`` is not ``:47130``) under its path."""
    if origin(url) != origin(base_url):
        return None
    base_path = urlsplit(base_url).path.rstrip("/")
    path = urlsplit(str(url)).path
    if base_path and not (path == base_path or path.startswith(base_path + "/")):
        return None
    return path[len(base_path):]


def is_upload(url: Any, base_url: str) -> bool:
    """Whether ``url`` is the upload endpoint (``POST {base_url}/v1/files``)."""
    rest = under(url, base_url)
    return rest is not None and rest.rstrip("/") == "/v1/files"


def base_of(url: Any) -> Optional[str]:
    """The base URL a Files API request went to (``https://h/p/v1/files/x`` -> ``https://h/p``)."""
    parts = urlsplit(str(url))
    path = parts.path.rstrip("/")
    index = path.rfind("/v1/files")
    if index < 0 or not parts.scheme or not parts.netloc:
        return None
    return normalize_base_url(f"{parts.scheme}://{parts.netloc}{path[:index]}")


def observe(
    recorder: Recorder,
    method: str,
    url: Any,
    status: int,
    body: Callable[[], bytes],
    base_url: str,
    key: Secret,
) -> None:
    """Record an answered upload or delete seen on ``base_url`` (a request URL and status in)."""
    rest = under(url, base_url)
    if rest is None:
        return
    rest = rest.rstrip("/")
    if method == "POST" and status == 200 and rest == "/v1/files":
        import json

        try:
            data = json.loads(body())
        except ValueError:
            recorder.upload_lost(None, base_url, "the upload answered 200 but its body is not JSON")
            return
        if isinstance(data, dict) and isinstance(data.get("id"), str) and data.get("type", "file") == "file":
            recorder.record_upload(data["id"], base_url, key)
    elif method == "DELETE" and status in (200, 404):
        match = _FILE_PATH.match(rest)
        if match:
            recorder.record_gone(match["id"], base_url, "test" if status == 200 else "already-gone")


def watch_made(recorder: Recorder, request: Any, response: Any, base_url: str, key: Secret) -> None:
    """Record the files the API made in reply to ``request`` (code execution's output files)
    as their blocks arrive in ``response`` (a 200 to ``POST /v1/messages``, JSON or SSE)."""
    if response.status_code != 200:
        return
    rest = under(request.url, base_url)
    if rest is None or not makes_files(request.method, rest):
        return

    def made(file_id: str) -> None:
        recorder.record_made(file_id, base_url, key)

    watch_response(response, made)


def _target(request: Any, base_url: str, key: Secret) -> tuple[Optional[str], Secret]:
    """Where a fixture client's request went, and with which key: the backend's, or the base
    URL and key a test chose with ``with_options(base_url=..., api_key=...)``."""
    sent = _key_of(request.headers)
    if sent is not None and sent != key.reveal():
        key = Secret(sent)
    if under(request.url, base_url) is not None:
        return base_url, key
    return base_of(request.url), key


def _read_upload_answer(recorder: Recorder, request: Any, base: str, read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except Exception:  # the server answered 200 (so it stored the file) but the body broke off
        recorder.upload_lost(request, base, CUT_ANSWER)
        raise


def _hooks(
    recorder: Recorder, base_url: str, key: Secret
) -> tuple[Callable[[Any], None], Callable[[Any], Any], Callable[[Any], None], Callable[[Any], Any]]:
    def on_request(request: Any) -> None:
        if request.method == "POST":
            base, _ = _target(request, base_url, key)
            if base is not None and is_upload(request.url, base):
                recorder.upload_sent(request, base)

    async def on_async_request(request: Any) -> None:
        on_request(request)

    def on_response(response: Any) -> None:
        request = response.request
        if request.method not in ("POST", "DELETE"):
            return
        base, used = _target(request, base_url, key)
        if base is None:
            return
        watch_made(recorder, request, response, base, used)

        def body() -> bytes:
            def read() -> bytes:
                response.read()
                return bytes(response.content)

            return _read_upload_answer(recorder, request, base, read)

        observe(recorder, request.method, request.url, response.status_code, body, base, used)
        recorder.upload_answered(request)

    async def on_async_response(response: Any) -> None:
        request = response.request
        if request.method not in ("POST", "DELETE"):
            return
        base, used = _target(request, base_url, key)
        if base is None:
            return
        watch_made(recorder, request, response, base, used)
        if request.method == "POST" and response.status_code == 200 and is_upload(request.url, base):
            try:
                await response.aread()  # a small JSON body; other POSTs (streams) are left alone
            except Exception:
                recorder.upload_lost(request, base, CUT_ANSWER)
                raise
        observe(recorder, request.method, request.url, response.status_code,
                lambda: bytes(response.content), base, used)
        recorder.upload_answered(request)

    return on_request, on_async_request, on_response, on_async_response


_SSL_CONTEXT: list[Any] = []


def _ssl_context(base_url: str) -> Any:
    """One TLS context per process (building one costs ~50 ms: every test makes a client)."""
    del base_url  # httpx builds the context for http:// URLs too
    if not _SSL_CONTEXT:
        from pytest_claude_files._sdk.client import sdk_http_library

        create = getattr(sdk_http_library(), "create_ssl_context", None)
        _SSL_CONTEXT.append(create() if create is not None else None)
    return _SSL_CONTEXT[0]


def make_live_client(
    base_url: str, key: Secret, recorder: Optional[Recorder], *, is_async: bool = False,
    recording: Any = None, **kwargs: Any
) -> Any:
    """An ``anthropic`` client for a live backend whose uploads are recorded in ``recorder``
    (and, given a ``_live.cassette.Recording``, whose exchanges are written to a cassette)."""
    import anthropic

    from pytest_claude_files._sdk.client import sdk_http_library

    http_kwargs: dict[str, Any] = {}
    context = _ssl_context(base_url)
    if context is not None:
        http_kwargs["verify"] = context
    if recorder is not None:
        on_request, on_async_request, on_response, on_async_response = _hooks(recorder, base_url, key)
        http_kwargs["event_hooks"] = {
            "request": [on_async_request if is_async else on_request],
            "response": [on_async_response if is_async else on_response],
        }
    if is_async:
        # no kept-alive connections: nothing is left bound to the test's event loop
        http_kwargs["limits"] = sdk_http_library().Limits(max_connections=100, max_keepalive_connections=0)
    if recording is not None:
        from pytest_claude_files._live.replay import recording_transport

        lib = sdk_http_library()
        transport_kwargs = {k: http_kwargs.pop(k) for k in ("verify", "limits") if k in http_kwargs}
        inner = (lib.AsyncHTTPTransport if is_async else lib.HTTPTransport)(**transport_kwargs)
        http_kwargs["transport"] = recording_transport(lib, inner, recording, base_url)
    if is_async:
        return anthropic.AsyncAnthropic(
            api_key=key.reveal(), base_url=base_url,
            http_client=anthropic.DefaultAsyncHttpxClient(**http_kwargs), **kwargs,
        )
    return anthropic.Anthropic(
        api_key=key.reveal(), base_url=base_url,
        http_client=anthropic.DefaultHttpxClient(**http_kwargs), **kwargs,
    )


# -- process-wide recording (opt-in) -----------------------------------------------------------


def patch_transports(recorder: Recorder, base_url: str) -> Callable[[], None]:
    """Record uploads to ``base_url`` made by any anthropic client in the process.

    Patches ``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request``
    of the SDK's HTTP library (as respx does) and returns the function that undoes it.
    Only requests that carry ``anthropic-version`` and go to ``base_url`` are looked at;
    the key is taken from the request (kept in memory, fingerprinted in the ledger).
    """
    from pytest_claude_files._sdk.client import sdk_http_library

    lib = sdk_http_library()
    base = normalize_base_url(base_url)
    sync_orig = lib.HTTPTransport.handle_request
    async_orig = lib.AsyncHTTPTransport.handle_async_request
    never_sent = tuple(getattr(lib, n) for n in ("ConnectError", "ConnectTimeout") if hasattr(lib, n))

    def relevant(request: Any) -> Optional[Secret]:
        if request.method not in ("POST", "DELETE") or "anthropic-version" not in request.headers:
            return None
        if under(request.url, base) is None:  # exact origin: another service's key stays with it
            return None
        key = _key_of(request.headers)
        return Secret(key) if key else None

    def lost(request: Any, exc: BaseException) -> None:
        # a fixture client's upload is tracked by its own hooks; a refused connection sent nothing
        if (request.method == "POST" and is_upload(request.url, base) and not recorder.is_tracked(request)
                and not isinstance(exc, never_sent) and relevant(request) is not None):
            recorder.upload_lost(request, base)

    def handle_request(self: Any, request: Any) -> Any:
        try:
            response = sync_orig(self, request)
        except Exception as exc:
            lost(request, exc)
            raise
        key = relevant(request)
        if key is not None:
            watch_made(recorder, request, response, base, key)

            def body() -> bytes:
                def read() -> bytes:
                    return bytes(response.read())

                return _read_upload_answer(recorder, request, base, read)

            observe(recorder, request.method, request.url, response.status_code, body, base, key)
        return response

    async def handle_async_request(self: Any, request: Any) -> Any:
        try:
            response = await async_orig(self, request)
        except Exception as exc:
            lost(request, exc)
            raise
        key = relevant(request)
        if key is not None:
            watch_made(recorder, request, response, base, key)
            if request.method == "POST" and response.status_code == 200 and is_upload(request.url, base):
                try:
                    await response.aread()
                except Exception:
                    recorder.upload_lost(request, base, CUT_ANSWER)
                    raise
            observe(recorder, request.method, request.url, response.status_code,
                    lambda: bytes(response.content), base, key)
        return response

    lib.HTTPTransport.handle_request = handle_request
    lib.AsyncHTTPTransport.handle_async_request = handle_async_request

    def undo() -> None:
        lib.HTTPTransport.handle_request = sync_orig
        lib.AsyncHTTPTransport.handle_async_request = async_orig

    return undo


@dataclass
class SentCount:
    """Requests that clients of the process sent to a base URL (tests' own clients included)."""

    base_url: str
    requests: int = 0
    tests: list[str] = field(default_factory=list)  # the tests they were sent from, first seen first


def count_sent(
    base_url: str, current_test: Callable[[], Optional[str]]
) -> tuple[SentCount, Callable[[], None]]:
    """Count every request any anthropic client of the process tries to send to ``base_url``
    (patching the SDK's HTTP library transports as :func:`patch_transports` does); returns the
    count and the function that undoes the patch. A request counts once it is handed to the
    transport, whether or not an answer came (a refused connection still tried)."""
    from pytest_claude_files._sdk.client import sdk_http_library

    lib = sdk_http_library()
    base = normalize_base_url(base_url)
    count = SentCount(base)
    sync_orig = lib.HTTPTransport.handle_request
    async_orig = lib.AsyncHTTPTransport.handle_async_request

    def seen(request: Any) -> None:
        if under(request.url, base) is not None:
            count.requests += 1
            test = current_test()
            if test and test not in count.tests:
                count.tests.append(test)

    def handle_request(self: Any, request: Any) -> Any:
        seen(request)
        return sync_orig(self, request)

    async def handle_async_request(self: Any, request: Any) -> Any:
        seen(request)
        return await async_orig(self, request)

    lib.HTTPTransport.handle_request = handle_request
    lib.AsyncHTTPTransport.handle_async_request = handle_async_request

    def undo() -> None:
        lib.HTTPTransport.handle_request = sync_orig
        lib.AsyncHTTPTransport.handle_async_request = async_orig

    return count, undo
