"""respx for the Files API: an httpx2 mocker for respx, and a router backed by the fake.

- :class:`HTTPX2Mocker` teaches respx to intercept ``httpx2`` (what ``anthropic`` >= 1.0
  is built on): it patches httpx2's default transports, converts each httpx2 request to
  an ``httpx.Request`` for respx's routes, and converts the answer back (responses,
  streams and exceptions). Importing this module registers it as ``using="httpx2"``.
- :class:`ClaudeFilesRouter` is a ``respx.MockRouter`` registered with respx's httpcore
  mocker (``httpx``) *and* the httpx2 mocker. Its five Files routes are named by SDK
  operation and answer with the fake through :class:`~pytest_claude_files._http.handler.FilesHandler`
  unless a scenario rule or a respx side effect answers first.

No API logic lives here: requests are converted and handed to the handler; scripted
errors become HTTP through ``_http.error_response``.
"""

from __future__ import annotations

import contextvars
import inspect
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Iterator, Optional, Sequence, Union
from urllib.parse import parse_qsl, urlsplit

import httpx
import respx
from respx.mocks import Mocker
from respx.models import AllMockedAssertionError, PassThrough, SideEffectError

from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse, dialect_of
from pytest_claude_files._http import routes as _routes
from pytest_claude_files._http.multipart import parse_multipart
from pytest_claude_files._sdk.transports import to_http_request
from pytest_claude_files.errors import FilesAPIError

httpx2: Any
try:  # httpx2 is only there with anthropic >= 1.0 (and Python >= 3.11)
    import httpx2
except ImportError:  # pragma: no cover - depends on the environment
    httpx2 = None

__all__ = [
    "DOCS",
    "CallContext",
    "ClaudeFilesRoute",
    "ClaudeFilesRouter",
    "Effect",
    "FilesCall",
    "HTTPX2Mocker",
    "Rule",
    "UnhandledRequestError",
]

DOCS = "claude-files-fake docs respx"
OPERATIONS = _routes.OPERATIONS
Effect = Callable[["CallContext"], Any]

_IS_ASYNC: contextvars.ContextVar[bool] = contextvars.ContextVar("claude_files_respx_async", default=False)


# ---------------------------------------------------------------------------------------
# httpx <-> httpx2 conversion
# ---------------------------------------------------------------------------------------
def _is_http_response(obj: Any) -> bool:
    """An ``HTTPResponse`` of the handler (by shape: a module re-imported by pytester's
    in-process runs makes a second ``HTTPResponse`` class)."""
    return isinstance(obj, HTTPResponse) or (
        type(obj).__name__ == "HTTPResponse" and hasattr(obj, "status") and hasattr(obj, "body")
    )


def _is_httpx2_response(obj: Any) -> bool:
    return httpx2 is not None and isinstance(obj, httpx2.Response)


def convert_exception(exc: BaseException, lib: Any, request: Any = None) -> BaseException:
    """``exc`` (an httpx or httpx2 error) as the same-named error of ``lib``; else ``exc``."""
    source = type(exc).__module__.split(".")[0]
    if source not in ("httpx", "httpx2") or source == lib.__name__:
        return exc
    target = getattr(lib, type(exc).__name__, None)
    if not (isinstance(target, type) and issubclass(target, Exception)):
        return exc
    message = str(exc)
    try:
        if issubclass(target, lib.RequestError):
            made: BaseException = target(message, request=request)  # type: ignore[call-arg]
            return made
        return target(message)
    except TypeError:  # pragma: no cover - an error class with another signature
        return exc


_STREAMS: dict[str, type] = {}


def _stream_class(lib: Any) -> type:
    """A byte stream of ``lib`` that relays another library's stream, errors converted."""
    cached = _STREAMS.get(lib.__name__)
    if cached is not None:
        return cached

    class RelayStream(lib.SyncByteStream, lib.AsyncByteStream):  # type: ignore[misc]
        def __init__(self, source: Any) -> None:
            self.source = source

        def __iter__(self) -> Iterator[bytes]:
            try:
                yield from self.source
            except Exception as exc:
                converted = convert_exception(exc, lib)
                if converted is exc:
                    raise
                raise converted from exc

        async def __aiter__(self) -> Any:
            try:
                if hasattr(self.source, "__aiter__"):
                    async for chunk in self.source:
                        yield chunk
                else:
                    for chunk in self.source:
                        yield chunk
            except Exception as exc:
                converted = convert_exception(exc, lib)
                if converted is exc:
                    raise
                raise converted from exc

        def close(self) -> None:
            closer = getattr(self.source, "close", None)
            if closer is not None:
                closer()

        async def aclose(self) -> None:
            closer = getattr(self.source, "aclose", None)
            if closer is not None:
                await closer()
            else:
                self.close()

    _STREAMS[lib.__name__] = RelayStream
    return RelayStream


def _response_body(response: Any) -> tuple[Optional[bytes], Any]:
    """``(content, None)`` when the response body is in memory, else ``(None, stream)``."""
    if hasattr(response, "_content"):
        return response.content, None
    stream = response.stream
    name = type(stream).__name__
    if name == "ByteStream":  # httpx/httpx2 in-memory stream
        return b"".join(stream), None
    return None, stream


def convert_response(response: Any, lib: Any, request: Any = None) -> Any:
    """An httpx or httpx2 ``Response`` as a ``Response`` of ``lib`` (same status, headers, body)."""
    if isinstance(response, lib.Response):
        if request is not None and response._request is None:
            response.request = request
        return response
    content, stream = _response_body(response)
    if content is not None:
        converted = _in_memory_response(
            lib, response.status_code, response.headers.multi_items(), content, request
        )
    else:
        converted = lib.Response(
            response.status_code,
            headers=response.headers.multi_items(),
            stream=_stream_class(lib)(stream),
            request=request,
        )
    http_version = response.extensions.get("http_version")
    if http_version is not None:
        converted.extensions["http_version"] = http_version
    return converted


def _in_memory_response(lib: Any, status: int, headers: Any, content: bytes, request: Any) -> Any:
    """A ``lib.Response`` already read (what ``Response(content=...)`` makes, without
    re-reading the body through the decoders: several times cheaper)."""
    response = lib.Response(status, headers=headers, stream=lib.ByteStream(content), request=request)
    response._content = content
    return response


def _httpx_from_http(response: HTTPResponse, request: Any) -> httpx.Response:
    body = response.body if isinstance(response.body, bytes) else bytes(response.body)
    headers = list(response.headers)
    if response.header("content-length") is None:
        headers.append(("content-length", str(len(body))))
    return _in_memory_response(httpx, response.status, headers, body, request)  # type: ignore[no-any-return]


def httpx2_request_to_httpx(request: Any) -> httpx.Request:
    """An httpx2 ``Request`` (body already read) as an ``httpx.Request`` for respx's routes."""
    return httpx.Request(
        request.method,
        str(request.url),
        headers=request.headers.multi_items(),
        content=request.content,
        extensions=dict(request.extensions),
    )


def to_httpx_result(result: Any, request: httpx.Request) -> Any:
    """Normalise a route result: httpx2 responses and ``HTTPResponse`` become ``httpx.Response``."""
    if _is_http_response(result):
        return _httpx_from_http(result, request)
    if _is_httpx2_response(result):
        return convert_response(result, httpx, request)
    return result


# ---------------------------------------------------------------------------------------
# the httpx2 mocker
# ---------------------------------------------------------------------------------------
def _raise_for(exc: BaseException, request: Any) -> None:
    converted = convert_exception(exc, httpx2, request)
    if converted is exc:
        raise exc
    raise converted from exc


class _HTTPX2MockerBase(Mocker):
    """Patches httpx2's default transports, so every ``httpx2`` client is intercepted."""

    targets = [
        "httpx2._transports.default.HTTPTransport",
        "httpx2._transports.default.AsyncHTTPTransport",
    ]
    target_methods = ["handle_request", "handle_async_request"]

    @classmethod
    def mock(cls, spec: Any) -> Any:
        if getattr(spec, "__name__", None) not in cls.target_methods:
            return spec  # prevent mocking a mock

        if inspect.iscoroutinefunction(spec):

            async def handle_async_request(self: Any, request: Any) -> Any:
                await request.aread()
                httpx_request = httpx2_request_to_httpx(request)
                try:
                    response = await cls.async_handler(httpx_request)  # type: ignore[no-untyped-call]
                except PassThrough:
                    return await spec(self, request)
                except AllMockedAssertionError:
                    raise
                except Exception as exc:
                    _raise_for(exc, request)
                return convert_response(response, httpx2, request)

            return handle_async_request

        def handle_request(self: Any, request: Any) -> Any:
            request.read()
            httpx_request = httpx2_request_to_httpx(request)
            try:
                response = cls.handler(httpx_request)  # type: ignore[no-untyped-call]
            except PassThrough:
                return spec(self, request)
            except AllMockedAssertionError:
                raise
            except Exception as exc:
                _raise_for(exc, request)
            return convert_response(response, httpx2, request)

        return handle_request


_REGISTRY: dict[str, Any] = getattr(Mocker, "_Mocker__registry", {})
if getattr(_REGISTRY.get("httpx2"), "claude_files", False):
    # left by an earlier import of this module (pytester's in-process runs unload modules):
    # it would convert to a stale httpx2 module
    _REGISTRY["httpx2"].stop(force=True)
    del _REGISTRY["httpx2"]

if "httpx2" in Mocker.registry:  # pragma: no cover - a future respx with its own
    HTTPX2Mocker: type = Mocker.registry["httpx2"]
else:

    class HTTPX2Mocker(_HTTPX2MockerBase):  # type: ignore[no-redef]
        """respx's mocker for httpx2: ``respx.mock(using="httpx2")``."""

        name = "httpx2"
        claude_files = True


# ---------------------------------------------------------------------------------------
# recorded calls, parsed
# ---------------------------------------------------------------------------------------
@dataclass
class FilesCall:
    """One request to a Files route, with the parameters the SDK sent, parsed."""

    operation: str
    request: httpx.Request
    response: Optional[httpx.Response]
    file_id: Optional[str]
    params: dict[str, Any]
    beta: bool
    retry_count: Optional[int]
    filename: Optional[str] = None
    size: Optional[int] = None
    content_type: Optional[str] = None
    form: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> Optional[int]:
        """The status answered, ``None`` when the call raised (a network fault)."""
        return None if self.response is None else self.response.status_code

    @property
    def dialect(self) -> str:
        return "beta" if self.beta else "ga"

    @property
    def limit(self) -> Optional[int]:
        value = self.params.get("limit")
        return value if isinstance(value, int) else None

    @classmethod
    def parse(cls, operation: str, request: httpx.Request, response: Optional[httpx.Response]) -> FilesCall:
        _, file_id = _routes.match(request.method, request.url.path)
        params: dict[str, Any] = {}
        for key, value in parse_qsl(request.url.query.decode("ascii", "replace"), keep_blank_values=True):
            if key in ("ids", "ids[]"):
                params.setdefault("ids", []).append(value)
            elif key == "limit":
                try:
                    params["limit"] = int(value)
                except ValueError:
                    params["limit"] = value
            else:
                params[key] = value
        headers = {k.lower(): v for k, v in request.headers.multi_items()}
        retry = headers.get("x-stainless-retry-count")
        call = cls(
            operation=operation,
            request=request,
            response=response,
            file_id=file_id,
            params=params,
            beta=dialect_of(headers) == "beta",
            retry_count=int(retry) if retry and retry.isdigit() else None,
        )
        if operation == "upload":
            try:
                parts = parse_multipart(request.headers.get("content-type"), request.content)
            except FilesAPIError:
                parts = []
            for part in parts:
                if part.name == "file":
                    call.filename = part.filename
                    call.size = len(part.data)
                    call.content_type = part.content_type
                else:
                    call.form[part.name] = bytes(part.data).decode("utf-8", "replace")
        return call


# ---------------------------------------------------------------------------------------
# scenario rules
# ---------------------------------------------------------------------------------------
class CallContext:
    """What a scenario effect sees of one request, and how it can answer."""

    def __init__(self, router: ClaudeFilesRouter, route: ClaudeFilesRoute, request: httpx.Request) -> None:
        self.router = router
        self.route = route
        self.operation: str = route.cf_operation or ""
        self.request = request
        self.is_async = _IS_ASYNC.get()
        self.delay = 0.0
        self._http_request: Optional[HTTPRequest] = None

    @property
    def http_request(self) -> HTTPRequest:
        if self._http_request is None:
            self._http_request = to_http_request(self.request, self.request.content)
        return self._http_request

    @property
    def files(self) -> Any:
        """The ``FakeFiles`` behind the routes."""
        return self.router.files_handler.files

    @property
    def clock(self) -> Any:
        return self.router.files_handler.files.clock

    @property
    def read_timeout(self) -> Optional[float]:
        timeout = self.request.extensions.get("timeout") or {}
        value = timeout.get("read")
        return float(value) if value is not None else None

    def call_fake(self, request: Optional[HTTPRequest] = None) -> HTTPResponse:
        """Serve the request (or a changed copy) with the fake, as the route would."""
        return self.router.serve_fake(request or self.http_request)

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` before answering: on the fake clock unless ``real_sleep``."""
        self.delay += seconds
        self.router.latencies.append(seconds)
        if not self.router.real_sleep:
            self.clock.advance(seconds)


class Rule:
    """A scenario effect on some operations, with when it fires. Made by ``router.inject``."""

    def __init__(
        self,
        operations: Optional[frozenset[str]],
        effect: Effect,
        *,
        times: Optional[int] = None,
        nth: Optional[int] = None,
        every: Optional[int] = None,
        probability: Optional[float] = None,
        seed: Optional[int] = None,
    ) -> None:
        chosen = [
            n
            for n, v in (("times", times), ("nth", nth), ("every", every), ("probability", probability))
            if v is not None
        ]
        if len(chosen) > 1:
            raise ValueError(f"give at most one of times, nth, every, probability; got {', '.join(chosen)}")
        for name, value in (("times", times), ("nth", nth), ("every", every)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
        if seed is not None and probability is None:
            raise ValueError("seed goes with probability=")
        self.operations = operations
        self.effect = effect
        self.times, self.nth, self.every, self.probability = times, nth, every, probability
        self._random = random.Random(seed)
        self.seen = 0
        self.fired = 0
        self.active = True
        self._lock = threading.Lock()

    def applies_to(self, operation: str) -> bool:
        return self.active and (self.operations is None or operation in self.operations)

    def should_fire(self) -> bool:
        with self._lock:
            self.seen += 1
            n = self.seen
            if self.times is not None:
                fire = self.fired < self.times
            elif self.nth is not None:
                fire = n == self.nth
            elif self.every is not None:
                fire = n % self.every == 0
            elif self.probability is not None:
                fire = self._random.random() < self.probability
            else:
                fire = True
            if fire:
                self.fired += 1
            return fire

    @property
    def used_up(self) -> bool:
        """True once a ``times=`` or ``nth=`` rule can no longer fire."""
        if self.times is not None:
            return self.fired >= self.times
        if self.nth is not None:
            return self.seen >= self.nth
        return False

    def remove(self) -> None:
        """Stop this rule; the operations fall back to what is left (the fake)."""
        self.active = False

    def __repr__(self) -> str:
        ops = "*" if self.operations is None else ",".join(sorted(self.operations))
        when = next(
            (
                f"{n}={v}"
                for n, v in (
                    ("times", self.times),
                    ("nth", self.nth),
                    ("every", self.every),
                    ("probability", self.probability),
                )
                if v is not None
            ),
            "always",
        )
        return f"<Rule {ops} {when} {getattr(self.effect, '__name__', self.effect)!r} fired={self.fired}>"


class UnhandledRequestError(AllMockedAssertionError):
    """A request that no route of ``claude_files_respx`` answers (and that may not pass)."""


# ---------------------------------------------------------------------------------------
# the route and the router
# ---------------------------------------------------------------------------------------
class ClaudeFilesRoute(respx.Route):
    """A respx ``Route`` that also accepts ``httpx2.Response`` results.

    The five Files routes are backed by the fake: with no side effect and no return value
    they answer with it, and a list of side effects falls back to it once used up.
    """

    cf_router: Optional[ClaudeFilesRouter] = None
    cf_operation: Optional[str] = None

    @property
    def return_value(self) -> Optional[httpx.Response]:
        return self._return_value

    @return_value.setter
    def return_value(self, return_value: Any) -> None:
        if _is_httpx2_response(return_value):
            return_value = convert_response(return_value, httpx)
        if return_value is not None and not isinstance(return_value, httpx.Response):
            raise TypeError(f"{return_value!r} is not an instance of httpx.Response or httpx2.Response")
        self.pass_through(False)
        self._return_value = return_value

    def __mod__(self, response: Any) -> ClaudeFilesRoute:
        if _is_httpx2_response(response):
            response = convert_response(response, httpx)
        return super().__mod__(response)  # type: ignore[return-value]

    def _next_side_effect(self) -> Any:
        try:
            effect = super()._next_side_effect()
        except StopIteration:
            if self.cf_router is None or self.cf_operation is None:
                raise
            self._side_effect = None  # used up: back to the fake
            return self.cf_router.fake_side_effect
        if (
            isinstance(effect, type)
            and issubclass(effect, Exception)
            and effect.__module__.startswith("httpx2")
        ):
            effect = effect("Mock Error")  # respx would call it without the message httpx2 needs
        if isinstance(effect, Exception):
            return convert_exception(effect, httpx)  # the httpx2 mocker converts back
        if _is_httpx2_response(effect):
            return convert_response(effect, httpx)
        if _is_http_response(effect):
            return _httpx_from_http(effect, None)  # type: ignore[arg-type]
        return effect

    def _call_side_effect(self, effect: Any, request: httpx.Request, **kwargs: Any) -> Any:
        argspec = inspect.getfullargspec(effect)
        if "route" in argspec.args or "route" in argspec.kwonlyargs:
            kwargs["route"] = self
        try:
            result = effect(request, **kwargs)
        except Exception as error:
            origin = convert_exception(error, httpx, request)
            raise SideEffectError(self, origin=origin) from error  # type: ignore[arg-type]
        if inspect.isawaitable(result):
            return _await_result(result, request)
        result = to_httpx_result(result, request)
        if result and not isinstance(result, (httpx.Response, httpx.Request)):
            raise TypeError(
                "Side effects must return an httpx.Response or httpx2.Response, "
                f"an httpx.Request for pass-through, or None for a non-match. Got {result!r}"
            )
        return result

    def resolve(self, request: httpx.Request, **kwargs: Any) -> Any:
        if self.cf_router is None or self.cf_operation is None:
            return super().resolve(request, **kwargs)
        return self.cf_router.resolve_files(self, request, kwargs)


async def _await_result(result: Awaitable[Any], request: httpx.Request) -> Any:
    return to_httpx_result(await result, request)


class ClaudeFilesRouter(respx.MockRouter):
    """The router of ``claude_files_respx``: respx's API, the fake behind the Files routes.

    ``router["list"]`` (and ``upload``, ``retrieve_metadata``, ``download``, ``delete``)
    are respx routes; ``router.inject(...)`` scripts errors, faults and latency;
    ``router.calls_of("list")`` gives the calls with their parameters parsed.
    """

    def __init__(
        self,
        handler: FilesHandler,
        *,
        base_url: str = "https://api.anthropic.com",
        pass_through: Iterable[str] = (),
        stateful: bool = True,
        real_sleep: bool = False,
        assert_all_called: bool = False,
        mockers: Sequence[str] = ("httpcore", "httpx2"),
    ) -> None:
        super().__init__(assert_all_called=assert_all_called, assert_all_mocked=True, base_url=base_url)
        parts = urlsplit(base_url)
        self.files_handler = handler
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname or ""
        self.pass_through_hosts = tuple(pass_through)
        self.stateful = stateful
        self.real_sleep = real_sleep
        self.rules: list[Rule] = []
        self.unhandled: list[str] = []
        self.latencies: list[float] = []
        self.retry_delays: list[float] = []
        self._scheme = parts.scheme
        self._port = (
            parts.port if parts.port not in (None, {"http": 80, "https": 443}.get(parts.scheme)) else None
        )
        self._files_routes: dict[str, ClaudeFilesRoute] = {}
        self._mocker_names = tuple(
            name for name in mockers if name in Mocker.registry and (name != "httpx2" or httpx2 is not None)
        )
        self._mockers: list[Any] = []
        for operation, method, pattern in _routes.ROUTE_TABLE:
            route = self.route(method=method, path__regex=pattern, name=operation)
            assert isinstance(route, ClaudeFilesRoute)
            route.cf_router = self
            route.cf_operation = operation
            self._files_routes[operation] = route

    # -- respx plumbing ---------------------------------------------------------------
    def add(self, route: respx.Route, *, name: Optional[str] = None) -> respx.Route:
        if not isinstance(route, ClaudeFilesRoute):
            route.__class__ = ClaudeFilesRoute  # same state; accepts httpx2 results too
        return super().add(route, name=name)

    def start(self) -> None:
        self.snapshot()
        self.Mocker = None
        for name in self._mocker_names:
            mocker = Mocker.registry[name]
            mocker.register(self)
            mocker.start()
            self._mockers.append(mocker)

    def stop(self, clear: bool = True, reset: bool = True, quiet: bool = False) -> None:
        unregistered = [mocker.unregister(self) for mocker in self._mockers]
        try:
            if any(unregistered) and not quiet and self._assert_all_called:
                self.assert_all_called()
        finally:
            if clear:
                self.rollback()
            if reset:
                self.reset()
            while self._mockers:
                self._mockers.pop().stop()

    def _fast_route(self, request: httpx.Request) -> Optional[ClaudeFilesRoute]:
        """The Files route a request goes to, found without respx's pattern scan.

        Only for an untouched Files route without a side effect (those keep respx's exact
        semantics): the Files routes come first and their patterns are disjoint, so the
        route found here is the one respx's scan would find.
        """
        url = request.url
        if url.host != self.host or url.scheme != self._scheme or url.port != self._port:
            return None
        operation, _ = _routes.match(request.method, url.path)
        if operation is None:
            return None
        route = self._files_routes[operation]
        if (
            route._side_effect is not None
            or route._pass_through
            or self.routes._names.get(operation) is not route
        ):
            return None
        return route

    def _context(self, route: ClaudeFilesRoute, request: httpx.Request) -> dict[str, Any]:
        if route.cf_operation in ("upload", "list"):
            return {}
        _, file_id = _routes.match(request.method, request.url.path)
        return {"file_id": file_id}

    def resolve(self, request: httpx.Request) -> Any:
        route = self._fast_route(request)
        if route is not None:
            with self.resolver(request) as resolved:
                resolved.route = route
                resolved.response = self.resolve_files(route, request, self._context(route, request))
            if isinstance(resolved.response.stream, httpx.ByteStream):
                resolved.response.read()
            return resolved
        try:
            return super().resolve(request)
        except UnhandledRequestError:
            raise
        except AllMockedAssertionError:
            self._unmatched(request)
            raise  # pragma: no cover - _unmatched always raises

    async def aresolve(self, request: httpx.Request) -> Any:
        token = _IS_ASYNC.set(True)
        try:
            route = self._fast_route(request)
            if route is not None:
                with self.resolver(request) as resolved:
                    resolved.route = route
                    prospect = self.resolve_files(route, request, self._context(route, request))
                    if inspect.isawaitable(prospect):
                        try:
                            prospect = await prospect
                        except Exception as error:
                            raise SideEffectError(route, origin=error) from error
                    resolved.response = prospect
                if isinstance(resolved.response.stream, httpx.ByteStream):
                    await resolved.response.aread()
                return resolved
            return await super().aresolve(request)
        except UnhandledRequestError:
            raise
        except AllMockedAssertionError:
            self._unmatched(request)
            raise  # pragma: no cover
        finally:
            _IS_ASYNC.reset(token)

    def _unmatched(self, request: httpx.Request) -> None:
        host = request.url.host
        if host != self.host and _host_allowed(host, self.pass_through_hosts):
            self.record(request, response=None, route=None)
            raise PassThrough(f"Request to {host} passes through", request=request, origin=None)  # type: ignore[arg-type]
        if self._another_router_has_it(request):
            raise AllMockedAssertionError(f"RESPX: {request!r} not mocked!")
        message = self._unhandled_message(request)
        self.unhandled.append(message)
        raise UnhandledRequestError(message)

    def _another_router_has_it(self, request: httpx.Request) -> bool:
        for mocker in self._mockers:
            for router in mocker.routers:
                if router is not self and any(route.pattern.match(request) for route in router.routes):
                    return True
        return False

    def _unhandled_message(self, request: httpx.Request, detail: str = "") -> str:
        method, path, host = request.method, request.url.path, request.url.host
        if host == self.host:
            helper = method.lower() if method in ("GET", "POST", "PUT", "PATCH", "DELETE") else "route"
            how = (
                f'add a route: claude_files_respx.{helper}("{path}").respond(200, json={{...}})'
                if helper != "route"
                else f'add a route: claude_files_respx.route(method="{method}", path="{path}")'
            )
            what = detail or (
                f"no route answers {method} {path} on {self.host} "
                "(claude_files_respx serves the Files API: upload, list, retrieve_metadata, "
                "download, delete)"
            )
            return f"pytest-claude-files: {what}; {how}. See {DOCS}#unhandled-requests"
        return (
            f"pytest-claude-files: {method} {request.url} is blocked: no route answers it and "
            f"{host} may not reach the network. Add a route "
            f'(claude_files_respx.{method.lower()}("{request.url.copy_with(query=None)}").respond(...)) '
            f'or let the host through: @pytest.mark.claude_files_respx(pass_through=["{host}"]). '
            f"See {DOCS}#unhandled-requests"
        )

    # -- the Files routes -------------------------------------------------------------
    def serve_fake(self, request: HTTPRequest) -> HTTPResponse:
        return self.files_handler(request)

    def fake_side_effect(self, request: httpx.Request, **kwargs: Any) -> HTTPResponse:
        return self.serve_fake(to_http_request(request, request.content))

    def resolve_files(self, route: ClaudeFilesRoute, request: httpx.Request, kwargs: dict[str, Any]) -> Any:
        ctx = CallContext(self, route, request)
        try:
            result = self._run_rules(ctx)
            if result is None:
                if route._side_effect is not None or route._return_value is not None:
                    result = respx.Route.resolve(route, request, **kwargs)
                    if result is None or inspect.isawaitable(result):
                        return result
                elif self.stateful:
                    result = ctx.call_fake()
                else:
                    message = self._unhandled_message(
                        request,
                        f"route {route.cf_operation!r} has nothing scripted for {request.method} "
                        f"{request.url.path} and stateful=False",
                    ).replace(
                        "add a route: ",
                        f'script it: claude_files_respx["{route.cf_operation}"].mock(...) or ',
                    )
                    self.unhandled.append(message)
                    raise UnhandledRequestError(message)
            result = to_httpx_result(result, request)
        except SideEffectError:
            raise
        except Exception as error:
            exc = convert_exception(error, httpx, request)
            if ctx.delay and self.real_sleep:
                return self._later(ctx, route, exc)
            raise SideEffectError(route, origin=exc) from error  # type: ignore[arg-type]
        if ctx.delay and self.real_sleep:
            return self._later(ctx, route, result)
        return result

    def _later(self, ctx: CallContext, route: ClaudeFilesRoute, outcome: Any) -> Any:
        if ctx.is_async:

            async def wait() -> Any:
                import anyio

                await anyio.sleep(ctx.delay)
                if isinstance(outcome, BaseException):
                    raise outcome
                return outcome

            return wait()
        time.sleep(ctx.delay)
        if isinstance(outcome, BaseException):
            raise SideEffectError(route, origin=outcome) from outcome  # type: ignore[arg-type]
        return outcome

    def _run_rules(self, ctx: CallContext) -> Any:
        for rule in list(self.rules):
            if not rule.applies_to(ctx.operation) or not rule.should_fire():
                continue
            result = rule.effect(ctx)
            if result is not None:
                return result
        return None

    # -- public scripting API ---------------------------------------------------------
    def inject(
        self,
        operation: Union[str, Iterable[str]],
        effect: Effect,
        *,
        times: Optional[int] = None,
        nth: Optional[int] = None,
        every: Optional[int] = None,
        probability: Optional[float] = None,
        seed: Optional[int] = None,
    ) -> Rule:
        """Run ``effect`` on calls of ``operation`` (a name, several, or ``"*"``).

        When: ``times=N`` the next N calls, ``nth=k`` the k-th call, ``every=k`` every k-th
        call, ``probability=p`` (with ``seed``) at random, none of them: every call.
        Calls are counted from now. Calls the rule does not take go to the fake.
        """
        ops = self._operations(operation)
        rule = Rule(ops, effect, times=times, nth=nth, every=every, probability=probability, seed=seed)
        self.rules.append(rule)
        return rule

    def script(
        self,
        operation: str,
        *results: Any,
        then: str = "fake",
    ) -> Rule:
        """Answer the next calls of ``operation`` with ``results`` in order, then ``then``.

        Each result is an ``httpx.Response``/``httpx2.Response``, an exception (class or
        instance), an HTTP status (``429``) or error type (an Anthropic error envelope), or an
        effect. ``then="fake"`` (default) falls back to the fake once they are used up,
        ``"repeat"`` keeps answering with the last one.
        """
        from pytest_claude_files import scenarios

        if then not in ("fake", "repeat"):
            raise ValueError(f'then must be "fake" or "repeat", got {then!r}')
        if not results:
            raise ValueError("script() needs at least one result")
        effects = [scenarios.as_effect(r) for r in results]
        state = {"i": 0}

        def scripted(ctx: CallContext) -> Any:
            i = state["i"]
            state["i"] = i + 1
            if i >= len(effects):
                return effects[-1](ctx)
            return effects[i](ctx)

        scripted.__name__ = f"script({len(results)})"
        return self.inject(operation, scripted, times=None if then == "repeat" else len(effects))

    def clear_scenarios(self) -> None:
        """Drop every rule made by ``inject``/``script``: all operations go to the fake."""
        for rule in self.rules:
            rule.remove()
        self.rules.clear()

    def _operations(self, operation: Union[str, Iterable[str]]) -> Optional[frozenset[str]]:
        names = [operation] if isinstance(operation, str) else list(operation)
        if "*" in names:
            return None
        unknown = [n for n in names if n not in OPERATIONS]
        if unknown or not names:
            raise ValueError(
                f"unknown operation(s) {unknown or names!r}; expected {', '.join(OPERATIONS)} or '*'"
            )
        return frozenset(names)

    # -- inspection -------------------------------------------------------------------
    def calls_of(self, operation: str) -> list[FilesCall]:
        """The calls of one operation (in order), with their parameters parsed."""
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; expected one of {', '.join(OPERATIONS)}")
        return [
            FilesCall.parse(operation, c.request, c.optional_response) for c in self.routes[operation].calls
        ]

    @property
    def files_calls(self) -> list[FilesCall]:
        """Every call to a Files route, in order."""
        owner = {id(c.request): op for op in OPERATIONS for c in self.routes[op].calls}
        return [
            FilesCall.parse(owner[id(c.request)], c.request, c.optional_response)
            for c in self.calls
            if id(c.request) in owner
        ]

    def retry_counts(self, operation: str) -> list[Optional[int]]:
        """``x-stainless-retry-count`` of each call of ``operation``."""
        return [c.retry_count for c in self.calls_of(operation)]

    @property
    def files(self) -> Any:
        """The ``FakeFiles`` behind the routes (the test's ``claude_files``)."""
        return self.files_handler.files


def _host_allowed(host: str, allowed: Sequence[str]) -> bool:
    for pattern in allowed:
        if pattern == "*" or pattern == host:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


def retry_delay_patch(router: ClaudeFilesRouter) -> Callable[..., float]:
    """A ``_calculate_retry_timeout`` wrapper: records the SDK's delay, advances the fake
    clock by it, and lets the SDK wait 0 s instead (unless ``real_sleep``)."""
    import anthropic._base_client as base

    original = base.BaseClient._calculate_retry_timeout

    def _calculate_retry_timeout(self: Any, *args: Any, **kwargs: Any) -> float:
        delay = float(original(self, *args, **kwargs))
        router.retry_delays.append(delay)
        if router.real_sleep:
            return delay
        router.files_handler.files.clock.advance(delay)
        return 0.0

    return _calculate_retry_timeout
