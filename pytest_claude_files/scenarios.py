"""Scenario helpers for ``claude_files_respx``: errors, network faults, latency, rate
limits and pagination, scripted on top of the stateful fake.

Effects are callables ``effect(ctx) -> answer | None`` (``ctx`` is a
:class:`~pytest_claude_files._respx.rules.CallContext`); ``None`` lets the call go on (to the next
rule, then to the fake). Attach one with ``claude_files_respx.inject(operation, effect,
times=/nth=/every=/probability=)``::

    from pytest_claude_files import scenarios

    claude_files_respx.inject("list", scenarios.error(429, retry_after=0), times=2)
    claude_files_respx.inject("download", scenarios.cut_body(after=10))
    scenarios.paginate(claude_files_respx, total=7, page_size=3)

Error bodies come from ``_http.error_response``: the one place errors become HTTP.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union
from urllib.parse import parse_qsl, urlencode

from pytest_claude_files._http.handler import HTTPRequest, HTTPResponse, ratelimit_headers
from pytest_claude_files._http.routes import IDS_KEYS
from pytest_claude_files._respx.effects import Effect as Effect
from pytest_claude_files._respx.effects import _named
from pytest_claude_files._respx.effects import as_effect as as_effect
from pytest_claude_files._respx.effects import error as error
from pytest_claude_files.errors import DEFAULT_MESSAGES

if TYPE_CHECKING:
    from pytest_claude_files._respx.rules import CallContext, RouterLike

__all__ = [
    "DEFAULT_MESSAGES",
    "as_effect",
    "connect_error",
    "cut_body",
    "delete_cursor_file",
    "error",
    "latency",
    "max_page_size",
    "paginate",
    "rate_limit",
    "timeout",
    "token_bucket",
]


# -- network faults ----------------------------------------------------------------------
def connect_error(message: str = "[Errno 111] Connection refused") -> Effect:
    """The connection is refused: ``httpx.ConnectError`` (``httpx2.ConnectError`` on httpx2);
    the SDK retries it, then raises ``APIConnectionError``."""
    import httpx

    def effect(ctx: CallContext) -> Any:
        raise httpx.ConnectError(message, request=ctx.request)

    return _named(effect, "connect_error")


def timeout(message: str = "The read operation timed out") -> Effect:
    """The server does not answer in time: ``httpx.ReadTimeout`` (httpx2 on httpx2); the SDK
    retries it, then raises ``APITimeoutError``."""
    import httpx

    def effect(ctx: CallContext) -> Any:
        raise httpx.ReadTimeout(message, request=ctx.request)

    return _named(effect, "timeout")


def cut_body(after: Union[int, float] = 0.5) -> Effect:
    """The fake's response, with the connection dropped mid-body.

    ``after`` is a byte count (``int``) or a fraction of the body (``float`` < 1). The
    headers (``content-length`` of the full body) arrive; reading the body raises
    ``httpx.RemoteProtocolError`` (httpx2 on httpx2), which the SDK reports as
    ``APIConnectionError`` (after retries) or raises while you stream.
    """
    if isinstance(after, float) and not 0.0 <= after < 1.0:
        raise ValueError(f"after: a fraction is 0 <= after < 1, got {after!r}")
    if isinstance(after, int) and after < 0:
        raise ValueError(f"after: a byte count is >= 0, got {after!r}")

    def effect(ctx: CallContext) -> Any:
        import httpx

        answer = ctx.call_fake()
        body = bytes(answer.body)
        keep = int(len(body) * after) if isinstance(after, float) else min(after, max(len(body) - 1, 0))
        headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
        headers.append(("content-length", str(len(body))))
        return httpx.Response(
            answer.status,
            headers=headers,
            stream=_cut_stream_class()(body[:keep], len(body)),
            request=ctx.request,
        )

    return _named(effect, f"cut_body(after={after!r})")


class _CutStream:
    """Yields the first bytes, then fails as a dropped connection does."""

    def __init__(self, head: bytes, total: int) -> None:
        self.head, self.total = head, total

    def _error(self) -> Exception:
        import httpx

        return httpx.RemoteProtocolError(
            f"peer closed connection without sending complete message body "
            f"(received {len(self.head)} bytes, expected {self.total})"
        )

    def __iter__(self) -> Iterator[bytes]:
        if self.head:
            yield self.head
        raise self._error()

    async def __aiter__(self) -> Any:
        if self.head:
            yield self.head
        raise self._error()

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


_CUT_STREAM: list[type] = []


def _cut_stream_class() -> type:
    if not _CUT_STREAM:
        import httpx

        _CUT_STREAM.append(type("CutStream", (_CutStream, httpx.SyncByteStream, httpx.AsyncByteStream), {}))
    return _CUT_STREAM[0]


def latency(seconds: float) -> Effect:
    """Answer ``seconds`` late (then the call goes on to the fake or the next rule).

    By default nothing really sleeps: the fake clock moves by ``seconds`` and the delay is
    recorded in ``claude_files_respx.latencies`` (``real_sleep=True`` on the marker sleeps).
    When ``seconds`` exceeds the client's read timeout, the call fails with a read timeout
    after that timeout, as a real slow server would.
    """
    if seconds < 0:
        raise ValueError(f"latency: seconds must be >= 0, got {seconds!r}")

    def effect(ctx: CallContext) -> Any:
        import httpx

        limit = ctx.read_timeout
        if limit is not None and seconds > limit:
            ctx.sleep(limit)
            raise httpx.ReadTimeout(
                f"The read operation timed out (server latency {seconds}s > read timeout {limit}s)",
                request=ctx.request,
            )
        ctx.sleep(seconds)
        return None

    return _named(effect, f"latency({seconds}s)")


# -- rate limits -------------------------------------------------------------------------
class token_bucket:
    """A token bucket on the fake clock: ``capacity`` requests at once, refilled at
    ``refill_per_second`` (or ``per_minute``). Answers pass to the fake with the
    ``anthropic-ratelimit-requests-{limit,remaining,reset}`` headers; an empty bucket
    answers 429 ``rate_limit_error`` with ``retry-after`` (seconds to the next token).

    The SDK's retry waits move the fake clock (see ``claude_files_respx.retry_delays``), so
    a retried call can find the bucket refilled without any real sleeping.
    """

    def __init__(
        self,
        capacity: int,
        refill_per_second: Optional[float] = None,
        *,
        per_minute: Optional[float] = None,
    ) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity!r}")
        if (refill_per_second is None) == (per_minute is None):
            raise ValueError("give exactly one of refill_per_second and per_minute")
        rate = refill_per_second if refill_per_second is not None else float(per_minute or 0) / 60.0
        if rate <= 0:
            raise ValueError(f"the refill rate must be > 0, got {rate!r}")
        self.capacity = capacity
        self.rate = float(rate)
        self.tokens = float(capacity)
        self._last: Optional[float] = None
        self._lock = threading.Lock()
        self.__name__ = f"token_bucket({capacity}, {self.rate}/s)"

    def __call__(self, ctx: CallContext) -> HTTPResponse:
        now = ctx.clock.now()
        stamp = now.timestamp()
        with self._lock:
            if self._last is not None:
                self.tokens = min(self.capacity, self.tokens + (stamp - self._last) * self.rate)
            self._last = stamp
            allowed = self.tokens >= 1.0
            if allowed:
                self.tokens -= 1.0
            tokens = self.tokens
        full_in = (self.capacity - tokens) / self.rate
        retry_in = None if allowed else (1.0 - tokens) / self.rate
        headers = ratelimit_headers(self.capacity, tokens, now + timedelta(seconds=full_in), retry_in)
        if not allowed:
            extra = dict(headers)
            answer: HTTPResponse = error(
                429,
                f"Number of requests has exceeded your rate limit ({self.capacity} in a burst).",
                headers=extra,
            )(ctx)
            return answer
        answer = ctx.call_fake()
        return HTTPResponse(answer.status, [*answer.headers, *headers], answer.body)


def rate_limit(
    router: RouterLike,
    capacity: int,
    refill_per_second: Optional[float] = None,
    *,
    per_minute: Optional[float] = None,
    operations: Union[str, tuple[str, ...]] = "*",
) -> token_bucket:
    """Put every call (or ``operations``) behind one :class:`token_bucket`; returns it."""
    bucket = token_bucket(capacity, refill_per_second, per_minute=per_minute)
    router.inject(operations, bucket)
    return bucket


# -- pagination --------------------------------------------------------------------------
def max_page_size(size: int) -> Effect:
    """The server answers list pages of at most ``size`` files, whatever ``limit`` asks
    (the request's ``limit`` is lowered before the fake serves it; ``ids=`` lists untouched)."""
    if size < 1:
        raise ValueError(f"page size must be >= 1, got {size!r}")

    def effect(ctx: CallContext) -> Optional[HTTPResponse]:
        req = ctx.http_request
        query = parse_qsl(req.query, keep_blank_values=True)
        if any(k in IDS_KEYS for k, _ in query):
            return None
        asked: Optional[int] = None
        rest = []
        for key, value in query:
            if key == "limit":
                try:
                    asked = int(value)
                except ValueError:
                    return None  # let the fake answer the 400
            else:
                rest.append((key, value))
        if asked is not None and asked < 1:
            return None  # the fake's 400
        limit = min(size, asked if asked is not None else 20)
        changed = HTTPRequest(
            req.method, req.path, urlencode([*rest, ("limit", str(limit))]), req.headers, req.body,
            req.scheme,
        )
        return ctx.call_fake(changed)

    return _named(effect, f"max_page_size({size})")


def delete_cursor_file() -> Effect:
    """Serve the list page, then delete its last file: the cursor for the next page
    (``last_id`` / the file behind ``next_page``) now names a deleted file."""

    def effect(ctx: CallContext) -> HTTPResponse:
        answer = ctx.call_fake()
        if answer.status == 200:
            data = answer.json().get("data") or []
            if data:
                ctx.files.delete(data[-1]["id"])
        return answer

    return _named(effect, "delete_cursor_file")


def paginate(
    router: RouterLike,
    total: int,
    page_size: Optional[int] = None,
    *,
    prefix: str = "file",
    delete_cursor_after_page: Optional[int] = None,
) -> list[Any]:
    """Seed ``total`` files (``{prefix}-{i}.txt``) and, with ``page_size``, serve list pages
    of at most that many. Returns the files in list order (newest first).

    ``total=0`` is the empty list; ``total == page_size`` exactly one page (``has_more:
    false`` / ``next_page: null`` on it). ``delete_cursor_after_page=k`` deletes the last
    file of page k once served, so the next page's cursor names a deleted file.
    """
    if total < 0:
        raise ValueError(f"total must be >= 0, got {total!r}")
    seeded = router.files.add_files(total, prefix=prefix) if total else []
    if page_size is not None:
        router.inject("list", max_page_size(page_size))
    if delete_cursor_after_page is not None:
        cap = max_page_size(page_size) if page_size is not None else None

        def serve_then_delete(ctx: CallContext) -> HTTPResponse:
            answer = (cap(ctx) if cap is not None else None) or ctx.call_fake()
            if answer.status == 200:
                data = answer.json().get("data") or []
                if data:
                    ctx.files.delete(data[-1]["id"])
            return answer

        rule = router.inject(
            "list", _named(serve_then_delete, "delete_cursor_file"), nth=delete_cursor_after_page
        )
        router.rules.remove(rule)
        router.rules.insert(0, rule)  # before the page cap, which would answer first
    return list(reversed(seeded))


_RENAMED = {"api_error": "error", "read_timeout": "timeout"}
"""Names of the first vocabulary, before it was one (they never reached PyPI)."""


def __getattr__(name: str) -> Any:
    new = _RENAMED.get(name)
    if new is not None:
        raise AttributeError(
            f"scenarios.{name}() is now scenarios.{new}() (the same fault; one vocabulary: "
            "claude-files-fake docs faults)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
