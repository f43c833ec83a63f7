"""Everything that leans on respx's internals, in one place (respx 0.22 to the newest).

respx has no public hook to change how a route resolves its side effects, so the route
class of ``claude_files_respx`` overrides three of ``respx.Route``'s private members:
``_next_side_effect`` (a used-up side-effect list falls back to the fake, httpx2
results and errors are converted), ``_call_side_effect`` (side effects may return
httpx2 responses) and ``_return_value`` (``return_value`` accepts httpx2 responses), and
a route added with ``router.add(route)`` is adopted by swapping its class. Nothing else
in the package touches a private name of respx; tests/test_compat.py checks that
these members still exist with the meaning used here.
"""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, Optional

import httpx
import respx
from respx.models import SideEffectError

from pytest_claude_files._respx.httpx2 import (
    convert_exception,
    convert_response,
    httpx_from_http,
    is_http_response,
    is_httpx2_response,
    to_httpx_result,
)

__all__ = ["PRIVATE_MEMBERS", "ClaudeFilesRoute", "adopt_route"]

PRIVATE_MEMBERS = ("_next_side_effect", "_call_side_effect", "_return_value", "_side_effect")
"""The private members of ``respx.Route`` this module relies on."""


class ClaudeFilesRoute(respx.Route):
    """A respx ``Route`` that also accepts ``httpx2.Response`` results.

    The five Files routes are backed by the fake: with no side effect and no return value
    they answer with it, and a list of side effects falls back to it once used up.
    """

    cf_router: Any = None  # the ClaudeFilesRouter (not imported: it imports this module)
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


def adopt_route(route: respx.Route) -> ClaudeFilesRoute:
    """``route`` as a :class:`ClaudeFilesRoute` (same object and state, the class swapped)."""
    if not isinstance(route, ClaudeFilesRoute):
        route.__class__ = ClaudeFilesRoute
    assert isinstance(route, ClaudeFilesRoute)
    return route
