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
import time
from typing import Any, Awaitable, Callable, Iterable, Optional, Sequence, Union
from urllib.parse import urlsplit

import httpx
import respx
from respx.mocks import Mocker
from respx.models import AllMockedAssertionError, PassThrough, SideEffectError

from pytest_claude_files._http import routes as _routes
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse
from pytest_claude_files._respx.httpx2 import (
    HTTPX2Mocker,
    convert_exception,
    convert_response,
    httpx2,
    httpx_from_http,
    is_http_response,
    is_httpx2_response,
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

DOCS = "docs/respx.md"
OPERATIONS = _routes.OPERATIONS
ALL_OPERATIONS = (*_routes.OPERATIONS, *_routes.MESSAGES_OPERATIONS)
"""The Files routes, then the Messages routes (``messages``, ``count_tokens``)."""


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
        if is_httpx2_response(return_value):
            return_value = convert_response(return_value, httpx)
        if return_value is not None and not isinstance(return_value, httpx.Response):
            raise TypeError(f"{return_value!r} is not an instance of httpx.Response or httpx2.Response")
        self.pass_through(False)
        self._return_value = return_value

    def __mod__(self, response: Any) -> ClaudeFilesRoute:
        if is_httpx2_response(response):
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
        if is_httpx2_response(effect):
            return convert_response(effect, httpx)
        if is_http_response(effect):
            return httpx_from_http(effect, None)  # type: ignore[arg-type]
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

    ``router["list"]`` (and ``upload``, ``retrieve_metadata``, ``download``, ``delete``,
    and the Messages routes ``messages`` and ``count_tokens``) are respx routes;
    ``router.inject(...)`` scripts errors, faults and latency; ``router.calls_of("list")``
    gives the calls with their parameters parsed (a Messages call's body as ``params["json"]``).
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
        for operation, method, pattern in (*_routes.ROUTE_TABLE, *_routes.MESSAGES_ROUTE_TABLE):
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
        unknown = [n for n in names if n not in ALL_OPERATIONS]
        if unknown or not names:
            raise ValueError(
                f"unknown operation(s) {unknown or names!r}; expected {', '.join(ALL_OPERATIONS)} or '*'"
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
