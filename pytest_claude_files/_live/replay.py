"""Replay a cassette, and record into one: the transports of ``--claude-files-backend=replay``
and ``--claude-files-record``.

- :class:`Replayer` answers an ``HTTPRequest`` from a cassette (it is a handler, like
  ``FilesHandler``, so the fake's transports and the respx router serve it unchanged).
  Each recorded interaction answers once, in recorded order among equal requests. A
  request the cassette does not hold is answered ``404 not_found_error`` naming it (the
  SDK does not retry it) and kept in ``unmatched``: the fixture fails the test at its
  teardown, whatever the code under test did with the SDK's exception.
- :func:`patch_library_transports`: while a replay runs, every ``HTTPTransport`` of httpx
  and httpx2 answers from the cassette too (clients the code under test builds itself);
  requests that are not the Anthropic API's are refused: replay never opens a socket.
- :func:`recording_transport`: a transport that forwards to the real one and hands each
  exchange (the answer read whole, SSE streams included) to a ``Recording``.
"""

from __future__ import annotations

import importlib
from collections import deque
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from pytest_claude_files._core.cassette import body_bytes, read_cassette
from pytest_claude_files._http.endpoint import HTTPRequest, HTTPResponse, dumps
from pytest_claude_files._live.cassette import Recording, describe, match_key, nearest, request_record

__all__ = ["Replayer", "make_replay_client", "patch_library_transports", "recording_transport"]

DOCS = "claude-files-fake docs cassettes"


class Replayer:
    """Answers requests from the cassette at ``path``: a handler (``HTTPRequest -> HTTPResponse``)."""

    def __init__(self, path: Any) -> None:
        self.path = path
        self.cassette = read_cassette(path)
        self.interactions: list[dict[str, Any]] = self.cassette["interactions"]
        self._queues: dict[str, deque[int]] = {}
        self._answers: dict[int, tuple[int, list[tuple[str, str]], bytes]] = {}
        for index, item in enumerate(self.interactions):
            self._queues.setdefault(match_key(item["request"]), deque()).append(index)
        self.played: list[int] = []
        self.unmatched: list[str] = []
        """One message per request the cassette did not hold (fails the test at teardown)."""

    def __call__(self, request: HTTPRequest) -> HTTPResponse:
        asked = request_record(request.method, request.path, request.query, request.headers,
                               bytes(request.body))
        queue = self._queues.get(match_key(asked))
        if queue:
            index = queue.popleft()
            self.played.append(index)
            status, headers, body = self._answer(index)
            return HTTPResponse(status, list(headers), body)
        return self._unmatched(asked)

    def _answer(self, index: int) -> tuple[int, list[tuple[str, str]], bytes]:
        answer = self._answers.get(index)
        if answer is None:
            recorded = self.interactions[index]["response"]
            answer = (recorded["status"], list((recorded.get("headers") or {}).items()),
                      body_bytes(recorded.get("body") or {}))
            self._answers[index] = answer
        return answer

    def _unmatched(self, asked: dict[str, Any]) -> HTTPResponse:
        key = match_key(asked)
        again = any(match_key(self.interactions[i]["request"]) == key for i in self.played)
        closest = nearest(asked, [item["request"] for item in self.interactions])
        message = f"{describe(asked)}: not in the cassette {self.path}"
        if again:
            message += " (it holds this request, but fewer times: each recorded answer plays once)"
        message += (f"; nearest recorded: {describe(closest)}" if closest is not None
                    else " (it holds no requests)")
        self.unmatched.append(message)
        body = {"type": "error", "error": {"type": "not_found_error",
                                           "message": f"pytest-claude-files replay: {message}"}}
        return HTTPResponse(404, [("content-type", "application/json"), ("x-should-retry", "false"),
                                  ("request-id", "req_replay_unmatched")], dumps(body))

    @property
    def unplayed(self) -> list[str]:
        """The recorded requests no one asked for (not a failure: a test may stop early)."""
        played = set(self.played)
        return [describe(item["request"]) for i, item in enumerate(self.interactions) if i not in played]

    def failure(self) -> Optional[str]:
        if not self.unmatched:
            return None
        listed = "\n  ".join(self.unmatched)
        return (f"claude-files replay: {len(self.unmatched)} request(s) the cassette does not hold:\n"
                f"  {listed}\n"
                f"(re-record the test: --claude-files-backend=real --claude-files-record "
                f"--claude-files-record-mode=new_episodes, or all. See {DOCS})")


def make_replay_client(replayer: Replayer, *, is_async: bool = False, **kwargs: Any) -> Any:
    """An ``anthropic`` client answered by ``replayer`` (through the fake's transport class)."""
    import anthropic

    from pytest_claude_files._sdk.client import FAKE_API_KEY, FAKE_BASE_URL, sdk_http_library
    from pytest_claude_files._sdk.transports import make_transport

    lib = sdk_http_library()
    http_client = (lib.AsyncClient if is_async else lib.Client)(transport=make_transport(replayer, lib))
    cls = anthropic.AsyncAnthropic if is_async else anthropic.Anthropic
    kwargs["api_key"] = kwargs.get("api_key") or FAKE_API_KEY  # never sent anywhere
    kwargs["base_url"] = kwargs.get("base_url") or FAKE_BASE_URL
    return cls(http_client=http_client, **kwargs)


def _libraries() -> list[Any]:
    found = []
    for name in ("httpx", "httpx2"):
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    return found


def patch_library_transports(replayer: Replayer) -> Callable[[], None]:
    """Answer every httpx/httpx2 ``HTTPTransport`` request from ``replayer`` (the Anthropic
    API's requests: those with ``anthropic-version``); refuse the rest without a socket.
    Returns the function that undoes it."""
    from pytest_claude_files._sdk.transports import to_http_request, to_library_response

    undo: list[Callable[[], None]] = []
    for lib in _libraries():
        sync_orig = lib.HTTPTransport.handle_request
        async_orig = lib.AsyncHTTPTransport.handle_async_request

        def refuse(lib: Any, request: Any) -> Any:
            raise lib.ConnectError(
                f"pytest-claude-files replay never opens a socket: {request.method} {request.url} is not "
                f"a request of the Anthropic API (no anthropic-version header). See {DOCS}",
                request=request,
            )

        def make(lib: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
            def handle_request(self: Any, request: Any) -> Any:
                if "anthropic-version" not in request.headers:
                    refuse(lib, request)
                body = request.read()
                return to_library_response(lib, replayer(to_http_request(request, body)), request)

            async def handle_async_request(self: Any, request: Any) -> Any:
                if "anthropic-version" not in request.headers:
                    refuse(lib, request)
                body = await request.aread()
                return to_library_response(lib, replayer(to_http_request(request, body)), request)

            return handle_request, handle_async_request

        lib.HTTPTransport.handle_request, lib.AsyncHTTPTransport.handle_async_request = make(lib)

        def restore(lib: Any = lib, s: Any = sync_orig, a: Any = async_orig) -> None:
            lib.HTTPTransport.handle_request = s
            lib.AsyncHTTPTransport.handle_async_request = a

        undo.append(restore)

    def undo_all() -> None:
        while undo:
            undo.pop()()

    return undo_all


_PASSED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def recording_transport(lib: Any, inner: Any, recording: Recording, base_url: str) -> Any:
    """A transport of ``lib`` (httpx or httpx2) that forwards to ``inner`` and records each
    exchange under ``base_url`` into ``recording``. Answers are read whole before they are
    handed on (an SSE stream too: recording is not a latency test)."""
    base_path = urlsplit(base_url).path.rstrip("/")

    def path_of(request: Any) -> tuple[str, str]:
        raw = request.url.raw_path.decode("ascii", "replace")
        path, _, query = raw.partition("?")
        if base_path and path.startswith(base_path):
            path = path[len(base_path):] or "/"
        return path, query

    def rebuilt(response: Any, content: bytes, request: Any) -> Any:
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _PASSED_HEADERS]
        return lib.Response(response.status_code, headers=headers, content=content, request=request,
                            extensions=response.extensions)

    def keep(request: Any, body: bytes, response: Any, content: bytes) -> None:
        path, query = path_of(request)
        recording.add(request.method, path, query, dict(request.headers.items()), body,
                      response.status_code, response.headers.multi_items(), content)

    class RecordingTransport(lib.AsyncBaseTransport, lib.BaseTransport):  # type: ignore[misc]
        def handle_request(self, request: Any) -> Any:
            body = request.read()
            response = inner.handle_request(request)
            try:
                content = response.read()
            finally:
                response.close()
            keep(request, body, response, content)
            return rebuilt(response, content, request)

        async def handle_async_request(self, request: Any) -> Any:
            body = await request.aread()
            response = await inner.handle_async_request(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            keep(request, body, response, content)
            return rebuilt(response, content, request)

        def close(self) -> None:
            inner.close()

        async def aclose(self) -> None:
            await inner.aclose()

    return RecordingTransport()
