"""respx's mocker for httpx2 (what ``anthropic`` >= 1.0 is built on), and the httpx <-> httpx2
conversion of requests, responses, streams and exceptions.

Importing this module registers the mocker as ``respx.mock(using="httpx2")``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from typing import Any, Iterator, Optional

import httpx
from respx.mocks import Mocker
from respx.models import AllMockedAssertionError, PassThrough

from pytest_claude_files._http.handler import HTTPResponse
from pytest_claude_files._sdk.compat import attach_request, in_memory_response, is_read

httpx2: Any
try:  # httpx2 is only there with anthropic >= 1.0 (and Python >= 3.11)
    import httpx2
except ImportError:  # pragma: no cover - depends on the environment
    httpx2 = None


# ---------------------------------------------------------------------------------------
# httpx <-> httpx2 conversion
# ---------------------------------------------------------------------------------------
def is_http_response(obj: Any) -> bool:
    """An ``HTTPResponse`` of the handler (by shape: a module re-imported by pytester's
    in-process runs makes a second ``HTTPResponse`` class)."""
    return isinstance(obj, HTTPResponse) or (
        type(obj).__name__ == "HTTPResponse" and hasattr(obj, "status") and hasattr(obj, "body")
    )


def is_httpx2_response(obj: Any) -> bool:
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
    if is_read(response):
        return response.content, None
    stream = response.stream
    name = type(stream).__name__
    if name == "ByteStream":  # httpx/httpx2 in-memory stream
        return b"".join(stream), None
    return None, stream


def convert_response(response: Any, lib: Any, request: Any = None) -> Any:
    """An httpx or httpx2 ``Response`` as a ``Response`` of ``lib`` (same status, headers, body)."""
    if isinstance(response, lib.Response):
        attach_request(response, request)
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


_in_memory_response = in_memory_response


def httpx_from_http(response: HTTPResponse, request: Any) -> httpx.Response:
    if response.stream is not None:  # read lazily, as the client iterates (an event stream)
        return httpx.Response(response.status, headers=list(response.headers),
                              stream=_stream_class(httpx)(response.stream), request=request)
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
    if is_http_response(result):
        return httpx_from_http(result, request)
    if is_httpx2_response(result):
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


def _current() -> Any:
    """This module as imported now. pytester's in-process runs unload and re-import it, while
    respx keeps the mocker class registered by the first import: that class looks this
    module up on every request, so it always converts to the httpx2 loaded now."""
    module = sys.modules.get(__name__)
    return module if module is not None else importlib.import_module(__name__)


class _HTTPX2MockerBase(Mocker):
    """Patches httpx2's default transports, so every ``httpx2`` client is intercepted."""

    targets = ["httpx2.HTTPTransport", "httpx2.AsyncHTTPTransport"]
    target_methods = ["handle_request", "handle_async_request"]

    @classmethod
    def mock(cls, spec: Any) -> Any:
        if getattr(spec, "__name__", None) not in cls.target_methods:
            return spec  # prevent mocking a mock

        if inspect.iscoroutinefunction(spec):

            async def handle_async_request(self: Any, request: Any) -> Any:
                here = _current()
                await request.aread()
                httpx_request = here.httpx2_request_to_httpx(request)
                try:
                    response = await cls.async_handler(httpx_request)  # type: ignore[no-untyped-call]
                except PassThrough:
                    return await spec(self, request)
                except AllMockedAssertionError:
                    raise
                except Exception as exc:
                    here._raise_for(exc, request)
                return here.convert_response(response, here.httpx2, request)

            return handle_async_request

        def handle_request(self: Any, request: Any) -> Any:
            here = _current()
            request.read()
            httpx_request = here.httpx2_request_to_httpx(request)
            try:
                response = cls.handler(httpx_request)  # type: ignore[no-untyped-call]
            except PassThrough:
                return spec(self, request)
            except AllMockedAssertionError:
                raise
            except Exception as exc:
                here._raise_for(exc, request)
            return here.convert_response(response, here.httpx2, request)

        return handle_request


HTTPX2Mocker: type
if "httpx2" in Mocker.registry:
    # ours from an earlier import of this module (it serves this import too, see _current),
    # or one of a future respx
    HTTPX2Mocker = Mocker.registry["httpx2"]
    if getattr(HTTPX2Mocker, "claude_files", False) and not HTTPX2Mocker.routers:
        HTTPX2Mocker.stop(force=True)
else:

    class HTTPX2Mocker(_HTTPX2MockerBase):  # type: ignore[no-redef]
        """respx's mocker for httpx2: ``respx.mock(using="httpx2")``; subclassing
        ``respx.mocks.Mocker`` with a ``name`` registers it."""

        name = "httpx2"
        claude_files = True
