"""Retries the code under test makes on its own: two misuse notices.

- ``non-retryable-retried``: the same request (method, path, body; a multipart body
  without its boundary) sent again after an answer that retrying cannot change (400, 401,
  403, 404, 413, 422). The SDKs never retry these (only 408, 409, 429 and 5xx); a loop in
  the user's code does, and in production it spends requests (and rate limit) for nothing.
- ``retry-after-ignored``: a request with the same key arrived before the ``retry-after``
  of an earlier 429/503/529 answer had passed, on the fake's clock and on the wall clock
  both (the fixtures move the fake's clock over the SDK's own waits).

The handler calls :meth:`RetryWatch.before` with each request and :meth:`RetryWatch.after`
with its answer. Bounded: at most :data:`MAX_REMEMBERED` refused requests are remembered.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Any, Optional

from pytest_claude_files._core.misuse import SINKS

__all__ = ["NOT_RETRYABLE", "RetryWatch"]

NOT_RETRYABLE = frozenset({400, 401, 403, 404, 413, 422})
RETRY_LATER = frozenset({429, 503, 529})
MAX_REMEMBERED = 1000
_SAME_REQUEST_HEADERS = ("anthropic-workspace-id", "anthropic-beta", "anthropic-version")


def _key(request: Any) -> tuple[str, str, str, str]:
    headers = request.headers
    body = bytes(request.body or b"")
    content_type = headers.get("content-type", "")
    if "boundary=" in content_type:
        boundary = content_type.split("boundary=", 1)[1].split(";", 1)[0].strip().strip('"').encode(
            "utf-8", "surrogatepass")
        if boundary:
            body = body.replace(boundary, b"")
    api_key = headers.get("x-api-key") or headers.get("authorization") or ""
    fingerprint = hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    digest = hashlib.sha256(body)
    for name in _SAME_REQUEST_HEADERS:  # another workspace, beta or version is another request
        digest.update(b"\0" + headers.get(name, "").encode("utf-8", "surrogatepass"))
    # the path and query as a digest: a remembered request holds 64 bytes, not a 64 kB query
    target = hashlib.sha256(f"{request.path}?{request.query}".encode("utf-8", "surrogatepass"))
    return (fingerprint, request.method, target.hexdigest(), digest.hexdigest())


class RetryWatch:
    """What one handler answered that a well-behaved client does not send again (soon)."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self._lock = threading.Lock()
        self._refused: OrderedDict[tuple[str, str, str, str], str] = OrderedDict()
        self._not_before: dict[str, tuple[float, float, str]] = {}  # key -> (fake, wall, what)
        self.active = False
        """Whether a refused request was ever remembered (else :meth:`before` has nothing to do)."""

    def before(self, request: Any) -> None:
        if not (self._refused or self._not_before):
            return  # the common path: nothing was refused
        key = _key(request)
        with self._lock:
            refused = self._refused.pop(key, None)
            waiting = self._not_before.get(key[0])
        misuse = self._service.misuse
        if refused is not None:
            misuse.notice(
                "non-retryable-retried",
                f"{request.method} {request.path} was sent again, unchanged, after it was answered "
                f"{refused}: retrying cannot change that answer (the SDKs retry only 408, 409, 429 and "
                "5xx). Fix the request, or stop on this error instead of looping.",
                once_key=f"{request.method} {request.path}",
            )
        if waiting is not None:
            fake_until, wall_until, what = waiting
            if self._service.clock.now().timestamp() < fake_until and time.monotonic() < wall_until:
                with self._lock:
                    self._not_before.pop(key[0], None)
                misuse.notice(
                    "retry-after-ignored",
                    f"{request.method} {request.path} was sent before the retry-after of the {what} answer "
                    "before it had passed: wait as long as retry-after (or retry-after-ms) says, as the "
                    "SDK's own retries do, or the API keeps refusing.",
                    once_key=f"{request.method} {request.path}",
                )

    def after(self, request: Any, response: Any) -> None:
        status = response.status
        if status not in NOT_RETRYABLE and status not in RETRY_LATER:
            return
        if not SINKS and self._service.misuse.mode == "ignore":
            return
        key = _key(request)
        if status in NOT_RETRYABLE:
            what = f"{status} {_error_type(response)}".rstrip()
            with self._lock:
                self.active = True
                self._refused[key] = what
                while len(self._refused) > MAX_REMEMBERED:
                    self._refused.popitem(last=False)
            return
        wait = _retry_after(response.headers)
        if wait is None or wait <= 0:
            return
        with self._lock:
            self.active = True
            self._not_before[key[0]] = (self._service.clock.now().timestamp() + wait,
                                        time.monotonic() + wait, str(status))


def _error_type(response: Any) -> str:
    import json

    try:
        return str(json.loads(bytes(response.body))["error"]["type"])
    except Exception:
        return ""


def _retry_after(headers: Any) -> Optional[float]:
    for name, value in headers:
        if name.lower() == "retry-after-ms":
            try:
                return float(value) / 1000
            except ValueError:
                return None
    for name, value in headers:
        if name.lower() == "retry-after":
            try:
                return float(value)
            except ValueError:
                return None
    return None
