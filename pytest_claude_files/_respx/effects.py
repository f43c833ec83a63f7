"""Effects of the respx router's scripts: an API error, and any scripted result as an effect.

The public face is :mod:`pytest_claude_files.scenarios` (``scenarios.error``,
``scenarios.as_effect``); they live here so the router (``_respx/router.py``) can turn a
``script()``'s results into effects without importing the public module above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from pytest_claude_files._http.handler import HTTPResponse, error_response
from pytest_claude_files.errors import error_class_for, injected_error

if TYPE_CHECKING:
    from pytest_claude_files._respx.rules import CallContext

__all__ = ["Effect", "as_effect", "error"]

Effect = Callable[["CallContext"], Any]


def _named(effect: Effect, name: str) -> Effect:
    try:
        effect.__name__ = name
        effect.__qualname__ = name
    except (AttributeError, TypeError):  # pragma: no cover
        pass
    return effect


# -- API errors --------------------------------------------------------------------------
def error(
    status_or_type: Union[int, str] = 500,
    message: Optional[str] = None,
    *,
    error_code: Optional[str] = None,
    details: Optional[dict[str, Any]] = None,
    retry_after: Optional[float] = None,
    retry_after_ms: Optional[float] = None,
    should_retry: Optional[bool] = None,
    request_id: Optional[str] = None,
    headers: Optional[dict[str, str]] = None,
) -> Effect:
    """An Anthropic error response: ``error(429, retry_after=0)``,
    ``error("overloaded_error")``, ``error(404, error_code="file_expired")``.

    ``details`` adds keys to ``error.details`` (``organization_on_hold`` gets an
    ``appeal_url`` unless given). ``retry_after`` / ``retry_after_ms`` set those headers,
    ``should_retry`` sets ``x-should-retry: true|false``, ``request_id`` fixes the
    ``request-id`` (header and body).
    The same fault as the control API's error fault (docs/faults.md).
    """
    cls = error_class_for(status_or_type)  # ValueError for an unknown type or status
    made = injected_error(
        cls.status, cls.error_type, message, error_code=error_code, retry_after=retry_after,
        retry_after_ms=retry_after_ms, should_retry=should_retry, details=details, headers=headers,
    )

    def effect(ctx: CallContext) -> HTTPResponse:
        return error_response(made, request_id)

    return _named(
        effect, f"error({cls.status} {cls.error_type}{', ' + error_code if error_code else ''})"
    )



def as_effect(result: Any) -> Effect:
    """A scripted result as an effect: a response (httpx, httpx2 or ``HTTPResponse``), an
    exception (class or instance), a status or error type (an error envelope), or an effect."""
    if isinstance(result, (int, str)) and not isinstance(result, bool):
        return error(result)
    if isinstance(result, BaseException):
        exc = result

        def raise_instance(ctx: CallContext) -> Any:
            raise exc

        return _named(raise_instance, f"raise {type(exc).__name__}")
    if isinstance(result, type) and issubclass(result, BaseException):
        exc_type = result

        def raise_type(ctx: CallContext) -> Any:
            import httpx

            if issubclass(exc_type, httpx.RequestError):
                raise exc_type("Mock Error", request=ctx.request)
            name = exc_type.__module__.split(".")[0]
            if name == "httpx2":
                raise exc_type("Mock Error")
            raise exc_type()

        return _named(raise_type, f"raise {exc_type.__name__}")
    if _is_response(result):
        response = result

        def respond(ctx: CallContext) -> Any:
            return response

        return _named(respond, f"respond {getattr(response, 'status_code', getattr(response, 'status', ''))}")
    if callable(result):
        return result  # type: ignore[no-any-return]
    raise TypeError(
        f"cannot script {result!r}: give a response, an exception, a status, an error type or an effect"
    )


def _is_response(obj: Any) -> bool:
    if type(obj).__name__ == "HTTPResponse":
        return True
    module = type(obj).__module__.split(".")[0]
    return module in ("httpx", "httpx2") and type(obj).__name__ == "Response"
