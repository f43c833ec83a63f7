"""The ASGI adapter: a real HTTP server's requests in, ``FilesHandler`` calls, responses out.

No API logic lives here (STYLE.md): the app only

- bounds the request: path, query, header count and body size (the API's 414/400/413
  envelopes), and the time a client may take to send its body (``read_timeout``),
- reads the request body (kept in memory up to ``spool_threshold`` bytes, spooled to an
  anonymous temporary file and memory-mapped above it, so a 500 MB upload needs no
  500 MB of RAM; ``_multipart`` parses the mapping without copying),
- picks the caller's tenant (one ``FakeFiles`` and ``FilesHandler`` per API key, see
  ``server.Tenants``) and counts the request,
- applies injected transport faults (latency, a dropped connection, a body cut short),
- calls the tenant's handler and streams the answer back in chunks.

The control API (``_control``) and the OpenAPI document (``_openapi``) are served on
their own paths, outside ``/v1``.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import mmap
import tempfile
from typing import IO, TYPE_CHECKING, Any, Awaitable, Callable, MutableMapping, Optional, Union
from urllib.parse import unquote

from pytest_claude_files._http import routes as _routes
from pytest_claude_files._http.handler import HTTPRequest, HTTPResponse, error_response
from pytest_claude_files._http.headers import keep_name
from pytest_claude_files.errors import FilesInternalError, InvalidRequestError, RequestTooLargeError
from pytest_claude_files.server._budget import ByteBudget

if TYPE_CHECKING:
    from pytest_claude_files.server._control import ControlAPI
    from pytest_claude_files.server._tenants import Tenants

__all__ = ["DEFAULT_SPOOL_THRESHOLD", "OPENAPI_PATH", "STREAM_CHUNK", "FilesASGIApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_SPOOL_THRESHOLD = 1024 * 1024
"""Request bodies larger than this (bytes) are spooled to disk and memory-mapped."""
STREAM_CHUNK = 256 * 1024
"""Response bodies larger than this are sent in chunks of this size."""
OPENAPI_PATH = "/openapi.json"
"""Where the server publishes the OpenAPI 3.1 document of the Files API."""
LARGE_BODY_IN_THREAD = 4 * 1024 * 1024
"""Requests with bodies above this are handled in a worker thread, not the event loop."""
DEFAULT_READ_TIMEOUT = 30.0
"""Seconds a client may take to send a request's headers, or the next piece of its body."""
DEFAULT_BODY_TIMEOUT = 600.0
"""Seconds a whole request body may take (a 500 MB upload at under 1 MB/s); a slow client
that sends a byte now and then is cut off here, whatever ``read_timeout`` says."""
MAX_PATH = 8 * 1024
"""Longest request path (bytes) before 414."""
MAX_QUERY = 64 * 1024
"""Longest query string (bytes) before 414: room for 100 ``ids`` many times over."""
MAX_QUERY_PARAMS = 1000
"""Most query parameters before 400."""
MAX_HEADERS = 128
"""Most request header lines before 400."""
MAX_HEADER_BYTES = 64 * 1024
"""Largest total size of the request headers (names and values, bytes) before 400."""
BODY_SLACK = 1024 * 1024
QUICK_BYTES = 8 * 1024
"""The adapter's one quick check: a request whose path, 9 x its query and its header values
together are at most this many bytes, with at most ``QUICK_HEADERS`` headers whose names were
all seen before, is within every exact bound above (tests/test_review_bugs.py proves it)."""
QUICK_HEADERS = 32
"""Bytes of multipart framing allowed above the largest file before a body is refused (413)."""


class RequestTimeoutError(InvalidRequestError):
    """408: the client stopped sending its request body (``read_timeout``)."""

    status = 408


# Header names repeat from request to request: each is decoded (or encoded) once
# (``_http.headers.keep_name``: names only, at most NAMES_KEPT, each of at most NAME_KEPT_BYTES
# bytes, so the names of a request whose names were all kept are short: its headers' size is
# their values' size plus at most 64 bytes a header).
_REQUEST_NAMES: dict[bytes, str] = {}
_RESPONSE_NAMES: dict[str, bytes] = {}


def _decode_headers(raw_headers: list[tuple[bytes, bytes]]) -> tuple[dict[str, str], int]:
    """The request headers as a mapping (a repeated name: its last value), and their size in
    bytes, names and values: the way of a request with a name not seen before."""
    headers: dict[str, str] = {}
    size = 0
    for k, v in raw_headers:
        name = _REQUEST_NAMES.get(k)
        if name is None:
            name = keep_name(_REQUEST_NAMES, k, k.decode("latin-1"))
        size += len(k) + len(v)
        headers[name] = v.decode("latin-1")
    return headers, size


def _encode_headers(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """The response headers as ASGI wants them: the way of an answer with a name not sent before."""
    encoded = []
    for name, value in headers:
        raw = _RESPONSE_NAMES.get(name)
        if raw is None:
            raw = keep_name(_RESPONSE_NAMES, name, name.lower().encode("latin-1"))
        encoded.append((raw, value.encode("latin-1", "replace")))
    return encoded


class _Disconnected(Exception):
    """The client went away while the body was being received."""


class _BodyError(Exception):
    """The body could not be received: answer ``response`` (and close the connection)."""

    def __init__(self, response: HTTPResponse) -> None:
        self.response = response


class URITooLongError(InvalidRequestError):
    """414: a request path or query string over the server's bounds."""

    status = 414


def bounds_error(path: bytes, query: bytes, headers: list[tuple[bytes, bytes]]) -> Optional[HTTPResponse]:
    """The envelope for a request line or headers over the server's bounds, else ``None``.

    Cheap checks only, before anything is parsed: every later cost is linear in what passed.
    """
    if len(path) > MAX_PATH or len(query) > MAX_QUERY:
        what, size, limit = ("path", len(path), MAX_PATH) if len(path) > MAX_PATH else (
            "query string", len(query), MAX_QUERY)
        return error_response(URITooLongError(
            f"Request-URI too long: the {what} is {size} bytes, at most {limit}."))
    if query.count(b"&") >= MAX_QUERY_PARAMS:
        return error_response(InvalidRequestError(
            f"Too many query parameters: at most {MAX_QUERY_PARAMS}."))
    if len(headers) > MAX_HEADERS:
        return error_response(InvalidRequestError(
            f"Too many request headers: {len(headers)}, at most {MAX_HEADERS}."))
    size = sum(len(k) + len(v) for k, v in headers)
    if size > MAX_HEADER_BYTES:
        return error_response(InvalidRequestError(
            f"Request header fields too large: {size} bytes, at most {MAX_HEADER_BYTES}."))
    return None


class FilesASGIApp:
    """An ASGI 3 application serving the fake Files API (and its control API)."""

    def __init__(
        self,
        tenants: Tenants,
        *,
        control: Optional[ControlAPI] = None,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
        spool_dir: Optional[str] = None,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        self.tenants = tenants
        self.control = control
        self.spool_threshold = spool_threshold
        self.spool_dir = spool_dir
        self.read_timeout = read_timeout
        self.body_timeout = DEFAULT_BODY_TIMEOUT
        """Seconds a whole request body may take to arrive (408 after that)."""
        self._openapi: Optional[bytes] = None

    def open_spool(self) -> IO[bytes]:
        """An anonymous temporary file for a large body (tests replace it: a full disk)."""
        return tempfile.TemporaryFile(dir=self.spool_dir)

    @property
    def max_body(self) -> int:
        """Largest /v1 request body: the largest file plus its multipart framing."""
        return self.tenants.settings.max_file_size + BODY_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return  # websockets are not part of the Files API: the server refuses them itself
        # -- http (inline, not a coroutine of its own: every request runs this) ----------
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        path = raw_path.decode("latin-1")
        method: str = scope["method"]
        raw_headers = scope["headers"]
        query_bytes: bytes = scope["query_string"]
        names = _REQUEST_NAMES
        headers: dict[str, str] = {}
        size = 0  # the values' bytes: each name in _REQUEST_NAMES has at most 64
        try:  # every name seen before (inline: every request runs this loop)
            for k, v in raw_headers:
                size += len(v)
                headers[names[k]] = v.decode("latin-1")
        except KeyError:  # a name not seen before: size counts the names too
            headers, size = _decode_headers(raw_headers)
        # One quick check; under it, every bound holds: the path and the values 8 kB at most,
        # 32 names of at most 64 bytes, a query under 1,000 bytes (so under 1,000 parameters)
        if len(raw_path) + 9 * len(query_bytes) + size > QUICK_BYTES or len(raw_headers) > QUICK_HEADERS:
            refused = bounds_error(raw_path, query_bytes, raw_headers)  # (else within every bound)
            if refused is not None:
                await _send_response(send, _closing(refused))
                return
        if len(headers) != len(raw_headers):  # a repeated header: join the values, as HTTP does
            headers = HTTPRequest.build(method, path, "", ((k.decode("latin-1"), v.decode("latin-1"))
                                                           for k, v in raw_headers)).headers  # type: ignore[assignment]
        request = HTTPRequest(method, path, query_bytes.decode("latin-1") if query_bytes else "", headers,
                              b"", scope.get("scheme") or "http")

        route = request.route = _routes.match(method, unquote(path) if "%" in path else path)
        if route[0] is None:  # no API route: the control API, the OpenAPI document, or a 404
            control = self.control
            if control is not None and path.startswith(control.prefix):
                await self._control(control, request, receive, send)
                return
            if path == OPENAPI_PATH and method in ("GET", "HEAD"):
                await _send_response(send, self._openapi_response(), head=method == "HEAD")
                return

        tenant = self.tenants.for_request(headers)
        try:  # the tenant is not dropped (idle and empty) while its request is served
            # count the request (see Tenant.counts), take the fault that applies to it; the
            # handler reuses the match (request.route)
            counts, counted = tenant.counts, route[0] or "unknown"
            counts[counted] = counts.get(counted, 0) + 1
            fault = tenant.faults.take(route[0]) if tenant.faults.waiting else None
            if fault is not None:
                if fault.latency:
                    await asyncio.sleep(fault.latency)
                if fault.drop:
                    await _drop(receive, send)
                    return
            declared = headers.get("content-length", "")
            if (declared and declared != "0") or "transfer-encoding" in headers:
                if declared.isdigit() and int(declared) > self.max_body:  # refused before it is sent
                    await _send_response(send, _closing(_too_large(self.max_body)))
                    return
                try:  # a client that announced a body must send it within read_timeout
                    deadline = self._deadline()
                    first = await self._receive(receive, deadline)
                    if first["type"] == "http.request" and not first.get("more_body", False):
                        request.body = first.get("body", b"")  # the whole body in one message: most requests
                    else:
                        request.body = await self._read_rest(first, receive, headers, deadline)
                except _Disconnected:
                    return
                except _BodyError as failed:
                    await _send_response(send, _closing(failed.response))
                    return
                body_in = request.body
                in_thread = (isinstance(body_in, memoryview) and body_in.nbytes > LARGE_BODY_IN_THREAD) or (
                    method != "GET" and self.tenants.data_dir is not None)  # a store's fsyncs: off the loop
            else:  # no body announced: HTTP/1.1 says there is none (RFC 9112, 6.3), nothing to receive
                in_thread = method != "GET" and self.tenants.data_dir is not None
            if fault is not None and fault.is_error:
                response = fault.response()
            elif in_thread:
                response = await asyncio.get_running_loop().run_in_executor(None, tenant.handler, request)
            else:
                response = tenant.handler(request)
            request.body = b""  # let go of a spool now (a store keeps its own copy), not after the answer
            body = response.body
            if fault is None and method != "HEAD" and type(body) is bytes and len(body) <= STREAM_CHUNK \
                    and response.stream is None:
                # the common case, inline: one start message, one body message
                out = _RESPONSE_NAMES
                head = []
                try:  # names sent before, ASCII values (encoded faster as UTF-8: the same bytes)
                    for k, v in response.headers:
                        head.append((out[k], v.encode() if v.isascii() else v.encode("latin-1", "replace")))
                except KeyError:
                    head = _encode_headers(response.headers)
                head.append((b"content-length", b"%d" % len(body)))
                await send({"type": "http.response.start", "status": response.status, "headers": head})
                await send({"type": "http.response.body", "body": body})
                return
            cut = None if fault is None else fault.cut_body
            await _send_response(send, response, head=method == "HEAD", truncate_at=cut)
        finally:
            tenant.serving.pop()  # = tenant.leave(), inline: every request passes here

    async def _control(self, control: ControlAPI, request: HTTPRequest, receive: Receive, send: Send) -> None:
        """A request of the control API (its own bounds, in a worker thread)."""
        small = await self._read_small(receive, request.headers, control.max_body, control.budget)
        request.body = small if isinstance(small, bytes) else b""
        try:  # in a worker thread: seeding thousands of files, a reset that unlinks them,
            # or parsing a 60 MB seed must not freeze every other tenant's requests
            answer = await asyncio.get_running_loop().run_in_executor(None, functools.partial(
                control, request, too_large=small is _TOO_LARGE, cut_off=small is _CUT_OFF,
                busy=small is _BUSY))
        finally:  # the body's bytes go back to the shared budget once it is handled
            request.body = b""
            if isinstance(small, bytes):
                control.budget.give(len(small))
        await _send_response(send, answer if isinstance(small, bytes) else _closing(answer))

    def _openapi_response(self) -> HTTPResponse:
        if self._openapi is None:
            import json

            from pytest_claude_files.server._openapi import openapi_document

            self._openapi = json.dumps(openapi_document(), indent=1).encode()
        return HTTPResponse(200, [("content-type", "application/json")], self._openapi)

    async def _receive(self, receive: Receive, deadline: Optional[float] = None) -> Message:
        """The next message of the body, or a 408 when the client stopped sending it, or
        when the whole body has not arrived by ``deadline`` (loop time: a client that sends
        one byte now and then restarts ``read_timeout`` each time, never the deadline)."""
        wait = self.read_timeout
        if deadline is not None:
            wait = min(wait, deadline - asyncio.get_running_loop().time())
        try:
            if wait <= 0:
                raise asyncio.TimeoutError
            return await asyncio.wait_for(receive(), wait)
        except asyncio.TimeoutError:
            if wait < self.read_timeout:
                raise _BodyError(error_response(RequestTimeoutError(
                    f"Request timed out: the request body did not arrive within {self.body_timeout:g} "
                    "seconds."
                ))) from None
            raise _BodyError(error_response(RequestTimeoutError(
                f"Request timed out: no part of the request body came within {self.read_timeout:g} "
                "seconds."
            ))) from None

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.body_timeout

    async def _read_rest(
        self, first: Message, receive: Receive, headers: MutableMapping[str, str] | Any,
        deadline: Optional[float] = None,
    ) -> Union[bytes, memoryview]:
        """The request body from its ``first`` message on: bytes when small, a view of a
        memory-mapped temporary file when larger than ``spool_threshold``. A body over
        ``max_body`` answers 413, a full spool directory 500, both as envelopes."""
        declared = headers.get("content-length", "")
        threshold = self.spool_threshold
        expect_large = declared.isdigit() and int(declared) > threshold
        limit = self.max_body
        chunks: list[bytes] = []
        size = 0
        spool: Any = None
        message: Message = first
        try:
            try:
                if expect_large:
                    spool = self.open_spool()
                while True:
                    if message["type"] == "http.disconnect":
                        raise _Disconnected
                    data: bytes = message.get("body", b"")
                    if data:
                        size += len(data)
                        if size > limit:
                            raise _BodyError(_too_large(limit))
                        if spool is None and size > threshold:
                            spool = self.open_spool()
                            spool.writelines(chunks)
                            chunks = []
                        if spool is not None:
                            spool.write(data)
                        else:
                            chunks.append(data)
                    if not message.get("more_body", False):
                        break
                    message = await self._receive(receive, deadline)
                if spool is None:
                    return b"".join(chunks)
                if size == 0:
                    return b""
                spool.flush()
                mapped = mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ)
            except OSError as exc:  # the spool directory is full (or failing)
                await self._drain(message, receive, limit - size)
                what = "it is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror
                raise _BodyError(error_response(FilesInternalError(
                    f"Internal server error: the emulator could not spool the request body to "
                    f"{self.spool_dir or tempfile.gettempdir()} ({what}); nothing was stored."
                ))) from None
            # The view keeps the mapping alive for as long as something refers to it; the
            # file itself is anonymous and vanishes with the last reference.
            return memoryview(mapped)
        finally:
            if spool is not None:
                spool.close()

    async def _drain(self, message: Message, receive: Receive, budget: int) -> None:
        """Read (and drop) the rest of a body, up to ``budget`` bytes, so the answer reaches
        a client still sending instead of a reset connection."""
        while message["type"] == "http.request" and message.get("more_body", False) and budget > 0:
            message = await self._receive(receive)
            budget -= len(message.get("body", b""))

    async def _read_small(
        self, receive: Receive, headers: MutableMapping[str, str] | Any, limit: int, budget: ByteBudget,
    ) -> Union[bytes, object]:
        """A control request's body; ``_TOO_LARGE`` over ``limit`` (refused by its declared
        length before it is sent), ``_CUT_OFF`` when the client went away before the end,
        ``_BUSY`` when it would pass ``budget``, which all control bodies share.
        The bytes of a body returned stay taken from the budget: the caller gives them back."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _TOO_LARGE
        chunks: list[bytes] = []
        size = 0
        deadline = self._deadline()
        try:
            while True:
                try:
                    message = await self._receive(receive, deadline)
                except _BodyError:
                    return _CUT_OFF
                if message["type"] == "http.disconnect":
                    return _CUT_OFF
                data = message.get("body", b"")
                if size + len(data) > limit:
                    return _TOO_LARGE
                if not budget.take(len(data)):
                    return _BUSY
                size += len(data)
                chunks.append(data)
                if not message.get("more_body", False):
                    body = b"".join(chunks)
                    size = 0  # now the caller's to give back
                    return body
        finally:
            budget.give(size)


_TOO_LARGE = object()
_CUT_OFF = object()
_BUSY = object()


def _closing(response: HTTPResponse) -> HTTPResponse:
    """``response``, closing the connection after it (the body was not read to its end)."""
    response.headers.append(("connection", "close"))
    return response


def _too_large(limit: int) -> HTTPResponse:
    return error_response(RequestTooLargeError(f"Request exceeds the maximum allowed size of {limit} bytes."))


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _send_response(
    send: Send, response: HTTPResponse, *, head: bool = False, truncate_at: Optional[int] = None
) -> None:
    if response.stream is not None:
        await _send_lazy(send, response, head=head)
        return
    body = response.body
    length = len(body) if isinstance(body, bytes) else memoryview(body).nbytes
    headers = _encode_headers(response.headers)
    if not any(k == b"content-length" for k, _ in headers):
        headers.append((b"content-length", str(length).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    if head:
        await send({"type": "http.response.body", "body": b""})
        return
    if isinstance(body, bytes) and truncate_at is None and length <= STREAM_CHUNK:
        await send({"type": "http.response.body", "body": body})
        return
    view = memoryview(body)
    end = length if truncate_at is None else min(length, max(0, truncate_at))
    if end <= STREAM_CHUNK and truncate_at is None:
        await send({"type": "http.response.body", "body": bytes(view)})
        return
    for start in range(0, end, STREAM_CHUNK):
        chunk = bytes(view[start:min(end, start + STREAM_CHUNK)])
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    if truncate_at is not None:
        _abort(send)
        return
    await send({"type": "http.response.body", "body": b""})


async def _send_lazy(send: Send, response: HTTPResponse, *, head: bool = False) -> None:
    """A body read piece by piece (an event stream): each piece is pulled in a thread, since
    it may wait for an event another request makes happen, and sent as it comes."""
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in response.headers]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    pieces = response.stream
    end = object()
    loop = asyncio.get_running_loop()
    while not head and pieces is not None:
        piece = await loop.run_in_executor(None, next, pieces, end)
        if piece is end:
            break
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def _abort(send: Send) -> None:
    """Close the client's connection now (a fault): uvicorn's cycle holds the transport."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.abort() if hasattr(transport, "abort") else transport.close()
        return
    raise ConnectionAbortedError("fault: connection dropped")  # the server closes it


async def _drop(receive: Receive, send: Send) -> None:
    """A dropped connection: no status line, the socket just closes."""
    _abort(send)

