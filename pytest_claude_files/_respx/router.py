"""respx for the Files API: a router backed by the fake.

- :class:`ClaudeFilesRouter` is a ``respx.MockRouter`` registered with respx's httpcore
  mocker (``httpx``) *and* the httpx2 mocker. Its five Files routes are named by SDK
  operation and answer with the fake through :class:`~pytest_claude_files._http.handler.FilesHandler`
  unless a scenario rule or a respx side effect answers first.

No API logic lives here: requests are converted and handed to the handler; scripted
errors become HTTP through ``_http.error_response``.
"""

from __future__ import annotations

import inspect
import os
import time
from typing import Any, Callable, Iterable, Optional, Sequence, Union
from urllib.parse import urlsplit

import httpx
import respx
from respx.mocks import Mocker
from respx.models import AllMockedAssertionError, PassThrough, SideEffectError

from pytest_claude_files._core.settings_table import spelling
from pytest_claude_files._http import routes as _routes
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse
from pytest_claude_files._respx.compat import ClaudeFilesRoute, adopt_route
from pytest_claude_files._respx.httpx2 import (
    HTTPX2Mocker,
    convert_exception,
    httpx2,
    to_httpx_result,
)
from pytest_claude_files._respx.rules import IS_ASYNC, CallContext, Effect, FilesCall, Rule
from pytest_claude_files._sdk.transports import to_http_request

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
ALL_OPERATIONS = (*_routes.OPERATIONS, *_routes.MESSAGES_OPERATIONS,
                  *(op for _, _, op in _routes.RESOURCE_ROUTES))
"""The Files routes, the Messages routes (``messages``, ``count_tokens``), then the other
resources' (``skills.create``, ...)."""


class UnhandledRequestError(AllMockedAssertionError):
    """A request that no route of ``claude_files_respx`` answers (and that may not pass)."""


# ---------------------------------------------------------------------------------------
# the router
# ---------------------------------------------------------------------------------------
class ClaudeFilesRouter(respx.MockRouter):
    """The router of ``claude_files_respx``: respx's API, the fake behind the Files routes.

    ``router["list"]`` (and ``upload``, ``retrieve_metadata``, ``download``, ``delete``,
    and the Messages routes ``messages`` and ``count_tokens``) are respx routes;
    ``router.inject(...)`` scripts errors, faults and latency; ``router.calls_of("list")``
    gives the calls with their parameters parsed (a Messages call's body as ``params["json"]``).
    """

    def __init__(
        self,
        handler: FilesHandler,
        *,
        base_url: str = _routes.API_BASE_URL,
        pass_through: Iterable[str] = (),
        stateful: bool = True,
        real_sleep: bool = False,
        assert_all_called: bool = False,
        assert_all_scripted_used: bool = True,
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
        self.assert_all_scripted_used = assert_all_scripted_used
        """Fail the test at teardown when a ``script()``-ed result was never used (default True)."""
        self.unhandled: list[str] = []
        self.latencies: list[float] = []
        self.retry_delays: list[float] = []
        self._scheme = parts.scheme
        self._port = (
            parts.port if parts.port not in (None, {"http": 80, "https": 443}.get(parts.scheme)) else None
        )
        self._files_routes: dict[str, ClaudeFilesRoute] = {}
        self._scripts: list[tuple[str, Rule, list[str]]] = []
        self._mocker_names = tuple(
            name for name in mockers if name in Mocker.registry and (name != "httpx2" or httpx2 is not None)
        )
        self._mockers: list[Any] = []
        for operation, method, pattern in (*_routes.ROUTE_TABLE, *_routes.MESSAGES_ROUTE_TABLE,
                                          *_routes.RESOURCE_ROUTE_TABLE):
            route = self.route(method=method, path__regex=pattern, name=operation)
            assert isinstance(route, ClaudeFilesRoute)
            route.cf_router = self
            route.cf_operation = operation
            self._files_routes[operation] = route

    # -- respx plumbing ---------------------------------------------------------------
    def add(self, route: respx.Route, *, name: Optional[str] = None) -> respx.Route:
        route = adopt_route(route)  # same state; accepts httpx2 results too
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
            route.side_effect is not None
            or route.is_pass_through
            or operation not in self.routes
            or self.routes[operation] is not route
        ):
            return None
        return route

    def _context(self, route: ClaudeFilesRoute, request: httpx.Request) -> dict[str, Any]:
        if route.cf_operation in ("upload", "list", *_routes.MESSAGES_OPERATIONS):
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
        token = IS_ASYNC.set(True)
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
            IS_ASYNC.reset(token)

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
        operation, _ = _routes.match(method, path)
        if operation is not None:
            # the Files API on another host: a base URL (often a stray ANTHROPIC_BASE_URL) that
            # the router does not serve. Letting it through would send the test to the network.
            origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
            stray = os.environ.get(spelling("real_base_url", "env"), "").strip()
            why = (
                f" (ANTHROPIC_BASE_URL={stray} is set: the SDK's clients use it; unset it, or serve it)"
                if stray and urlsplit(stray).hostname == host else ""
            )
            return (
                f"pytest-claude-files: {method} {request.url} is blocked: claude_files_respx serves the "
                f"Files API on {self.base_url}, not on {origin}{why}. Serve that base URL with the fake: "
                f'@pytest.mark.claude_files_respx(base_url="{origin}"). '
                f"See {DOCS}#unhandled-requests"
            )
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
                if route.side_effect is not None or route.return_value is not None:
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
        from pytest_claude_files._respx.effects import as_effect

        if then not in ("fake", "repeat"):
            raise ValueError(f'then must be "fake" or "repeat", got {then!r}')
        if not results:
            raise ValueError("script() needs at least one result")
        effects = [as_effect(r) for r in results]
        state = {"i": 0}

        def scripted(ctx: CallContext) -> Any:
            i = state["i"]
            state["i"] = i + 1
            if i >= len(effects):
                return effects[-1](ctx)
            return effects[i](ctx)

        scripted.__name__ = f"script({len(results)})"
        rule = self.inject(operation, scripted, times=None if then == "repeat" else len(effects))
        self._scripts.append((operation, rule, [getattr(e, "__name__", repr(e)) for e in effects]))
        return rule

    def unused_scripted(self) -> list[str]:
        """The ``script()``-ed results no call used yet, one line each (rules removed by
        ``clear_scenarios()`` or ``rule.remove()`` are not counted)."""
        out = []
        for operation, rule, names in self._scripts:
            if not rule.active:
                continue
            used = rule.fired if rule.times is not None else min(rule.fired, 1)
            for index in range(used, len(names) if rule.times is not None else 1):
                out.append(f"{operation}: result {index + 1} of {len(names)} ({names[index]})")
        return out

    def clear_scenarios(self) -> None:
        """Drop every rule made by ``inject``/``script``: all operations go to the fake."""
        for rule in self.rules:
            rule.remove()
        self.rules.clear()
        self._scripts.clear()

    def _operations(self, operation: Union[str, Iterable[str]]) -> Optional[frozenset[str]]:
        names = [operation] if isinstance(operation, str) else list(operation)
        if "*" in names:
            return None
        unknown = [n for n in names if n not in ALL_OPERATIONS]
        if unknown or not names:
            from pytest_claude_files._core.suggest import did_you_mean

            hint = did_you_mean(unknown[0], ALL_OPERATIONS) if len(unknown) == 1 else ""
            raise ValueError(
                f"unknown operation(s) {unknown or names!r}{hint}; "
                f"expected {', '.join(ALL_OPERATIONS)} or '*'"
            )
        return frozenset(names)

    # -- inspection -------------------------------------------------------------------
    def calls_of(self, operation: str) -> list[FilesCall]:
        """The calls of one operation (in order), with their parameters parsed."""
        if operation not in ALL_OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; expected one of {', '.join(ALL_OPERATIONS)}")
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
    """Whether ``host`` may reach the network: ``*``, the exact host, or ``*.domain`` for a
    subdomain of ``domain`` (a dot before it: ``evilexample.com`` is not under ``example.com``).
    Host names compare without case and without a trailing dot."""
    host = host.lower().rstrip(".")
    for raw in allowed:
        pattern = raw.lower().rstrip(".")
        if pattern == "*" or pattern == host:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


def retry_delay(router: ClaudeFilesRouter) -> Callable[[float], float]:
    """What the SDK waits before a retry (see ``_sdk.compat.patch_retry_timeout``): records
    the SDK's delay, advances the fake clock by it, and waits 0 s instead (unless
    ``real_sleep``)."""

    def decide(delay: float) -> float:
        router.retry_delays.append(delay)
        if router.real_sleep:
            return delay
        router.files_handler.files.clock.advance(delay)
        return 0.0

    return decide
