"""The recorded calls of the Files routes, and the rules a test scripts on them."""

from __future__ import annotations

import contextvars
import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Protocol, Union
from urllib.parse import parse_qsl

import httpx

from pytest_claude_files._http import routes as _routes
from pytest_claude_files._http.handler import HTTPRequest, HTTPResponse, dialect_of
from pytest_claude_files._http.multipart import parse_multipart
from pytest_claude_files._sdk.transports import to_http_request
from pytest_claude_files.errors import FilesAPIError

Effect = Callable[["CallContext"], Any]
IS_ASYNC: contextvars.ContextVar[bool] = contextvars.ContextVar("claude_files_respx_async", default=False)


class RouteLike(Protocol):
    """What a rule sees of a Files route (``ClaudeFilesRoute``)."""

    cf_operation: Optional[str]


class RouterLike(Protocol):
    """What rules and scenarios use of the router (``ClaudeFilesRouter``); a protocol, so
    that this module and the public ``scenarios`` need not import the router, which
    imports them."""

    real_sleep: bool
    latencies: list[float]
    rules: list[Rule]

    @property
    def files_handler(self) -> Any: ...

    @property
    def files(self) -> Any: ...

    def serve_fake(self, request: HTTPRequest) -> HTTPResponse: ...

    def inject(
        self, operation: Union[str, Iterable[str]], effect: Effect, *, nth: Optional[int] = None
    ) -> Rule: ...  # (and times=, every=, probability=, seed=: ClaudeFilesRouter.inject)


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
        query = parse_qsl(request.url.query.decode("ascii", "replace"), keep_blank_values=True)
        single, ids = _routes.split_list_query(query)
        params: dict[str, Any] = dict(single)
        if ids is not None:
            params["ids"] = ids
        if "limit" in params:
            try:
                params["limit"] = int(params["limit"])
            except ValueError:
                pass
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
        if operation in _routes.MESSAGES_OPERATIONS:
            try:
                call.params["json"] = json.loads(request.content)
            except (ValueError, RecursionError):
                call.params["json"] = None
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

    def __init__(self, router: RouterLike, route: RouteLike, request: httpx.Request) -> None:
        self.router = router
        self.route = route
        self.operation: str = route.cf_operation or ""
        self.request = request
        self.is_async = IS_ASYNC.get()
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
