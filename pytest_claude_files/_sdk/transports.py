"""Transports that attach the fake's handler to ``httpx`` and ``httpx2`` clients.

httpx and httpx2 share their transport API, so one builder makes the class for either
module. The transport serves sync and async clients (as ``httpx.MockTransport`` does)
and holds no logic: request in, ``FilesHandler`` call, response out.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, AsyncIterator, Callable, Iterator, Optional, Union

from pytest_claude_files._http.handler import HTTPRequest, HTTPResponse
from pytest_claude_files._http.headers import keep_name

__all__ = ["make_transport", "to_http_request", "to_library_response", "transport_class"]

Handler = Callable[[HTTPRequest], HTTPResponse]
_CACHE: dict[str, type] = {}


def _module(library: Union[str, ModuleType]) -> ModuleType:
    return importlib.import_module(library) if isinstance(library, str) else library


# Header names repeat from request to request (the SDK sends the same twenty or so): each raw
# name is decoded and lower-cased once (``_http.headers.keep_name``: names only, never values).
_NAMES: dict[bytes, str] = {}


def to_http_request(request: Any, body: bytes) -> HTTPRequest:
    """An httpx/httpx2 ``Request`` (already read) as the handler's ``HTTPRequest``."""
    raw_path: bytes = request.url.raw_path
    path, _, query = raw_path.partition(b"?")
    method: str = request.method
    raw = request.headers.raw
    names = _NAMES
    found: dict[str, str] = {}
    headers: Optional[dict[str, str]] = found
    try:  # every name seen before, no name repeated (inline: every in-process SDK call runs this)
        for key, value in raw:
            found[names[key]] = value.decode("ascii")
        if len(found) != len(raw):  # a repeated name: its values joined
            headers = _decode_headers(raw)
    except (KeyError, UnicodeDecodeError):  # a name not seen before, or a header not in ASCII
        headers = _decode_headers(raw)
    if headers is None:
        return HTTPRequest.build(method, path.decode("ascii", "replace"), query, _header_items(request),
                                 body, request.url.scheme)
    return HTTPRequest(method if method.isupper() else method.upper(), path.decode("ascii", "replace"),
                       query.decode("latin-1"), headers, body, request.url.scheme)


def _decode_headers(raw: list[tuple[bytes, bytes]]) -> Optional[dict[str, str]]:
    """The headers decoded, lower-cased and (when repeated) joined, as ``HTTPRequest.build`` does;
    None when one is not ASCII (then httpx decides the encoding)."""
    headers: dict[str, str] = {}
    names = _NAMES
    try:
        for key, value in raw:
            low = names.get(key)
            if low is None:
                low = keep_name(names, key, key.decode("ascii").lower())
            text = value.decode("ascii")
            headers[low] = f"{headers[low]}, {text}" if low in headers else text
    except UnicodeDecodeError:
        return None
    return headers


def _header_items(request: Any) -> list[tuple[str, str]]:
    """The request's headers as ``multi_items()`` gives them, in one decoding pass.

    ``Headers.multi_items()`` first decides the encoding (decoding every header to try
    ASCII, then UTF-8) and then decodes every header again. Headers are nearly always
    ASCII, and ASCII bytes decode the same in any of the encodings httpx may choose, so
    try that in one pass and let httpx decide only when it fails. (On a fresh SDK
    request, this took the conversion from 11.5 to 8 microseconds; see
    docs/benchmarks-core.md.)
    """
    raw = request.headers.raw
    try:
        return [(key.decode("ascii"), value.decode("ascii")) for key, value in raw]
    except UnicodeDecodeError:
        encoding = request.headers.encoding
        return [(key.decode(encoding), value.decode(encoding)) for key, value in raw]


def to_library_response(library: Union[str, ModuleType], response: HTTPResponse, request: Any = None) -> Any:
    """The handler's ``HTTPResponse`` as an httpx/httpx2 ``Response``."""
    mod = _module(library)
    if response.stream is not None:  # read lazily, as the client iterates (an event stream)
        return mod.Response(response.status, headers=response.headers,
                            stream=_lazy_stream_class(mod)(response.stream), request=request)
    body = response.body
    content = body if isinstance(body, bytes) else bytes(body)
    return mod.Response(response.status, headers=response.headers, content=content, request=request)


_LAZY: dict[str, type] = {}


def _lazy_stream_class(mod: ModuleType) -> type:
    """A byte stream of ``mod`` that pulls its pieces from an iterator when read; the async
    side pulls each piece in a thread (a piece may wait for an event to happen)."""
    cached = _LAZY.get(mod.__name__)
    if cached is not None:
        return cached

    class LazyStream(mod.SyncByteStream, mod.AsyncByteStream):  # type: ignore[name-defined,misc]
        def __init__(self, pieces: Iterator[bytes]) -> None:
            self.pieces = pieces

        def __iter__(self) -> Iterator[bytes]:
            yield from self.pieces

        async def __aiter__(self) -> AsyncIterator[bytes]:
            import asyncio

            end = object()
            while True:
                piece = await asyncio.to_thread(next, self.pieces, end)
                if piece is end:
                    return
                yield piece  # type: ignore[misc]

    _LAZY[mod.__name__] = LazyStream
    return LazyStream


def transport_class(library: Union[str, ModuleType] = "httpx") -> type:
    """The fake transport class for ``httpx`` or ``httpx2`` (made once per module)."""
    mod = _module(library)
    cached = _CACHE.get(mod.__name__)
    if cached is not None and issubclass(cached, mod.BaseTransport):
        return cached  # (a re-imported module, e.g. under pytester, gets a class of its own)

    class FakeFilesTransport(mod.AsyncBaseTransport, mod.BaseTransport):  # type: ignore[name-defined,misc]
        """Serves every request with the fake Files API, whatever the host."""

        def __init__(self, handler: Handler) -> None:
            self.handler = handler

        def handle_request(self, request: Any) -> Any:
            body = request.read()
            return to_library_response(mod, self.handler(to_http_request(request, body)), request)

        async def handle_async_request(self, request: Any) -> Any:
            body = await request.aread()
            return to_library_response(mod, self.handler(to_http_request(request, body)), request)

        def __repr__(self) -> str:
            return f"<{mod.__name__}.FakeFilesTransport {self.handler!r}>"

    FakeFilesTransport.__qualname__ = FakeFilesTransport.__name__
    _CACHE[mod.__name__] = FakeFilesTransport
    return FakeFilesTransport


def make_transport(handler: Handler, library: Union[str, ModuleType] = "httpx") -> Any:
    """A transport for ``library`` that serves requests with ``handler``."""
    return transport_class(library)(handler)
