"""A time bound for each check of the fidelity suite.

The SDK honours a ``retry-after`` of any size (2.17 waits up to 49 days), so a backend that
answers ``retry-after: 1e9`` would stall ``pytest --pyargs pytest_claude_files.contract`` for
good. Each check (one contract test) gets a :class:`Deadline`, put on the backend client's
HTTP client as event hooks:

- every request's timeouts are cut to the time the check has left;
- a response asking to wait longer than :data:`RETRY_AFTER_CAP`, or past the deadline, is
  not retried (``x-should-retry: false`` on it, which the SDK obeys): the SDK raises its
  error at once;

and the check fails naming the deadline and the backend's header (:class:`DeadlineExceeded`).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

__all__ = ["CHECK_DEADLINE", "RETRY_AFTER_CAP", "Deadline", "DeadlineExceeded"]

CHECK_DEADLINE = 300.0
"""Seconds one contract test may take on the backend, retries and their waits included."""
RETRY_AFTER_CAP = 60.0
"""The longest ``retry-after`` (or ``retry-after-ms``) the suite lets the SDK wait."""
_MIN_TIMEOUT = 0.01


class DeadlineExceeded(AssertionError):
    """A check ran out of time, or the backend asked for a wait the suite does not honour."""


class Deadline:
    """The time bound of one check: hooks for the backend's HTTP client and a :meth:`check`."""

    def __init__(self, seconds: float = CHECK_DEADLINE, *, cap: float = RETRY_AFTER_CAP,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.cap = cap
        self._clock = clock
        self.ends = clock() + seconds
        self.refused: Optional[str] = None
        """The backend's answer whose wait was not honoured (``429 with retry-after: 1e9``)."""

    def remaining(self) -> float:
        return self.ends - self._clock()

    # -- the hooks ----------------------------------------------------------------------
    def on_request(self, request: Any) -> None:
        """Cut the request's timeouts to the time left (a backend that never answers)."""
        left = max(_MIN_TIMEOUT, self.remaining())
        current = request.extensions.get("timeout")
        if isinstance(current, dict):
            request.extensions["timeout"] = {
                name: left if value is None else min(float(value), left) for name, value in current.items()
            }
        else:
            request.extensions["timeout"] = {"connect": left, "read": left, "write": left, "pool": left}

    def on_response(self, response: Any) -> None:
        """A wait over the cap, or past the deadline, is not retried: the SDK raises now."""
        from pytest_claude_files._live.cleanup import retry_after_seconds

        headers = response.headers
        wait = retry_after_seconds(headers)
        if wait is None or (wait <= self.cap and wait < self.remaining()):
            return
        shown = "; ".join(f"{name}: {headers[name]}" for name in ("retry-after-ms", "retry-after")
                          if name in headers)
        self.refused = f"{response.status_code} with {shown}"
        headers["x-should-retry"] = "false"

    async def on_async_request(self, request: Any) -> None:
        self.on_request(request)

    async def on_async_response(self, response: Any) -> None:
        self.on_response(response)

    def install(self, client: Any, *, is_async: bool = False) -> Callable[[], None]:
        """Put the hooks on an SDK client's HTTP client; returns what takes them off."""
        http = getattr(client, "_client", None)
        hooks = getattr(http, "event_hooks", None)
        if http is None or not isinstance(hooks, dict):
            return lambda: None
        added = {"request": self.on_async_request if is_async else self.on_request,
                 "response": self.on_async_response if is_async else self.on_response}
        http.event_hooks = {kind: [*hooks.get(kind, []), added[kind]] for kind in ("request", "response")}

        def remove() -> None:
            current = http.event_hooks
            http.event_hooks = {kind: [h for h in current.get(kind, []) if h is not added[kind]]
                                for kind in ("request", "response")}

        return remove

    # -- the verdict --------------------------------------------------------------------
    def check(self, label: str) -> None:
        """Fail the check when the backend asked for a wait not honoured, or time ran out."""
        __tracebackhide__ = True
        if self.refused is not None:
            raise DeadlineExceeded(
                f"claude-files contract: {label!r}: the backend answered {self.refused}; the suite "
                f"honours waits of at most {self.cap:g} s (RETRY_AFTER_CAP) within the check's "
                f"deadline of {self.seconds:g} s (CHECK_DEADLINE), so the check stopped there "
                "instead of waiting (a rate-limited or overloaded account: run it again later)"
            )
        if self.remaining() <= 0:
            raise DeadlineExceeded(
                f"claude-files contract: {label!r}: the check ran past its deadline of "
                f"{self.seconds:g} s (CHECK_DEADLINE) on the backend"
            )
