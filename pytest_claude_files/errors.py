"""Errors the fake raises, each carrying the HTTP status and error type it becomes.

The service raises these; the HTTP layer turns them into the API's error envelope in
exactly one place (``_http.error_response``).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, ClassVar, Mapping, Optional

__all__ = [
    "APPEAL_URL",
    "ECHO_LIMIT",
    "ERROR_CODE_STATUS",
    "METHOD_ERROR_CODES",
    "STATUS_TO_ERROR_TYPE",
    "AuthenticationError",
    "BillingError",
    "ClaudeFilesMisuseWarning",
    "ClientClosedRequestError",
    "ConflictError",
    "FilesAPIError",
    "FilesInternalError",
    "FilesTimeoutError",
    "HTTPNotImplementedError",
    "InvalidRequestError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "RequestHeaderFieldsTooLargeError",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "ServiceUnavailableError",
    "UnprocessableEntityError",
    "build_error",
    "error_class_for",
    "injected_error",
    "shown",
]


if TYPE_CHECKING:
    from pytest import PytestWarning

    class ClaudeFilesMisuseWarning(PytestWarning):
        """The fake saw client code do something that works here but bites in production.

        Emitted with :func:`warnings.warn` (pytest lists it in the warnings summary) and
        recorded on the fake (``claude_files.warnings``). Turn it into a test failure with
        the ``misuse_warnings="error"`` setting or
        ``-W error::pytest_claude_files.errors.ClaudeFilesMisuseWarning``.
        """


def _misuse_warning_class() -> type[Warning]:
    """``ClaudeFilesMisuseWarning``, made on first use: it is a ``PytestWarning``, and the
    service (``_core``, the emulator) must not import pytest to load this module."""
    from pytest import PytestWarning

    class ClaudeFilesMisuseWarning(PytestWarning):
        """The fake saw client code do something that works here but bites in production.

        Emitted with :func:`warnings.warn` (pytest lists it in the warnings summary) and
        recorded on the fake (``claude_files.warnings``). Turn it into a test failure with
        the ``misuse_warnings="error"`` setting or
        ``-W error::pytest_claude_files.errors.ClaudeFilesMisuseWarning``.
        """

    ClaudeFilesMisuseWarning.__module__ = __name__
    ClaudeFilesMisuseWarning.__qualname__ = "ClaudeFilesMisuseWarning"
    globals()["ClaudeFilesMisuseWarning"] = ClaudeFilesMisuseWarning
    return ClaudeFilesMisuseWarning


ECHO_LIMIT = 200
"""Request values echoed in error messages are cut to this many characters."""


def shown(value: object) -> str:
    """A request value as an error message echoes it: cut at ``ECHO_LIMIT`` characters."""
    text = str(value)
    return text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "..."


class FilesAPIError(Exception):
    """Base of every error the fake answers with."""

    status: ClassVar[int] = 500
    error_type: ClassVar[str] = "api_error"
    hint: Optional[str] = None
    """A fake-only explanation (never sent: the answer keeps the API's wording), kept on the
    recorded request and shown in the fake's own reports."""

    def __init__(
        self,
        message: str,
        *,
        error_code: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        details: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.headers: dict[str, str] = dict(headers or {})
        self.details: dict[str, Any] = dict(details or {})
        """Keys of ``error.details`` besides ``error_code`` (``appeal_url``, ...)."""

    def details_json(self) -> Optional[dict[str, Any]]:
        """``error.details`` as the API sends it: ``error_code`` first, then the rest; None if empty."""
        if not self.error_code and not self.details:
            return None
        out: dict[str, Any] = {"error_code": self.error_code} if self.error_code else {}
        out.update((k, v) for k, v in self.details.items() if k != "error_code")
        return out

    def envelope(self, request_id: str) -> dict[str, Any]:
        """The API's error object: ``{"type": "error", "error": {...}, "request_id": ...}`` (the
        body of an error answer, and the ``error`` of an ``errored`` Message Batch result)."""
        inner: dict[str, Any] = {"type": self.error_type, "message": self.message}
        details = self.details_json() if (self.error_code or self.details) else None
        if details is not None:
            inner["details"] = details
        return {"type": "error", "error": inner, "request_id": request_id}

    def __repr__(self) -> str:
        code = f", error_code={self.error_code!r}" if self.error_code else ""
        return f"{type(self).__name__}({self.message!r}{code})"


class InvalidRequestError(FilesAPIError):
    status = 400
    error_type = "invalid_request_error"


class AuthenticationError(FilesAPIError):
    status = 401
    error_type = "authentication_error"


class BillingError(FilesAPIError):
    status = 402
    error_type = "billing_error"


class PermissionDeniedError(FilesAPIError):
    status = 403
    error_type = "permission_error"


class NotFoundError(FilesAPIError):
    status = 404
    error_type = "not_found_error"


class ConflictError(FilesAPIError):
    status = 409
    error_type = "conflict_error"


class RequestTooLargeError(FilesAPIError):
    status = 413
    error_type = "request_too_large"


class RateLimitError(FilesAPIError):
    status = 429
    error_type = "rate_limit_error"


class RequestTimeoutError(FilesAPIError):
    status = 408
    error_type = "timeout_error"


class PreconditionFailedError(FilesAPIError):
    status = 412
    error_type = "invalid_request_error"


class UnprocessableEntityError(FilesAPIError):
    status = 422
    error_type = "invalid_request_error"


class RequestHeaderFieldsTooLargeError(FilesAPIError):
    status = 431
    error_type = "invalid_request_error"


class ClientClosedRequestError(FilesAPIError):
    status = 499
    error_type = "invalid_request_error"


class FilesInternalError(FilesAPIError):
    """500 ``api_error`` (was ``APIError``, a name the SDK's base error class has)."""

    status = 500
    error_type = "api_error"


class HTTPNotImplementedError(FilesAPIError):
    status = 501
    error_type = "api_error"


class ServiceUnavailableError(FilesAPIError):
    status = 503
    error_type = "api_error"


class FilesTimeoutError(FilesAPIError):
    """504 ``timeout_error`` (was ``TimeoutError``, which shadowed the builtin)."""

    status = 504
    error_type = "timeout_error"


class OverloadedError(FilesAPIError):
    status = 529
    error_type = "overloaded_error"


_CLASSES: tuple[type[FilesAPIError], ...] = (
    InvalidRequestError,
    AuthenticationError,
    BillingError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    RequestTooLargeError,
    RateLimitError,
    FilesInternalError,
    FilesTimeoutError,
    OverloadedError,
)
"""The canonical class of each error type (the API's documented status table)."""
_SDK_STATUS_CLASSES: tuple[type[FilesAPIError], ...] = (
    RequestTimeoutError,
    PreconditionFailedError,
    UnprocessableEntityError,
    RequestHeaderFieldsTooLargeError,
    ClientClosedRequestError,
    HTTPNotImplementedError,
    ServiceUnavailableError,
)
"""Statuses the SDK maps to classes of their own; their ``error.type`` is a decision (fidelity.md)."""
STATUS_TO_ERROR_TYPE: dict[int, str] = {
    cls.status: cls.error_type for cls in sorted(_CLASSES + _SDK_STATUS_CLASSES, key=lambda c: c.status)
}
METHOD_ERROR_CODES: tuple[str, ...] = (
    "claude_code_key_creator_not_member",
    "cmek_key_disabled",
    "cmek_key_network_blocked",
    "organization_on_hold",
)
"""The codes the SDK documents on every Files method (400 each)."""
ERROR_CODE_STATUS: dict[str, int] = {
    "file_not_downloadable": 400,
    "storage_quota_exceeded": 400,
    "file_expired": 404,
    **{code: 400 for code in METHOD_ERROR_CODES},
    "storage_not_ready": 503,  # SDK 2.17 (Messages: storage not ready yet; retryable)
    "organization_url_fetch_disabled": 400,  # SDK 2.17 (URL sources and web fetch turned off)
    "image_dimensions_too_large": 400,  # SDK 2.17 (details: max_side_length_pixels, paths)
}
"""The Files API's ``details.error_code`` values and the status each comes with."""
APPEAL_URL = "https://support.claude.com/"
"""``details.appeal_url`` of ``organization_on_hold`` unless a test gives its own (decision)."""
_BY_STATUS = {cls.status: cls for cls in _CLASSES + _SDK_STATUS_CLASSES}
_BY_TYPE = {cls.error_type: cls for cls in _CLASSES}


def error_class_for(status_or_type: int | str) -> type[FilesAPIError]:
    """The error class for an HTTP status (``429``) or an error type (``"rate_limit_error"``).

    Statuses the table does not name fall back to 400 ``invalid_request_error`` below 500
    and 500 ``api_error`` from 500 on.
    """
    if isinstance(status_or_type, str):
        try:
            return _BY_TYPE[status_or_type]
        except KeyError:
            close = difflib.get_close_matches(status_or_type, list(_BY_TYPE), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"unknown error type {status_or_type!r}{hint}; "
                f"expected one of {sorted(_BY_TYPE)}"
            ) from None
    if status_or_type in _BY_STATUS:
        return _BY_STATUS[status_or_type]
    if not 400 <= status_or_type <= 599:
        raise ValueError(f"an error status is 400 to 599, not {status_or_type}")
    base = InvalidRequestError if status_or_type < 500 else FilesInternalError
    return type(f"HTTP{status_or_type}Error", (base,), {"status": status_or_type})


def build_error(
    status_or_type: int | str | type[FilesAPIError],
    message: Optional[str] = None,
    *,
    error_code: Optional[str] = None,
    details: Optional[Mapping[str, Any]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> FilesAPIError:
    """The one error builder of the fake, scenarios, the control API, strategies and Faker.

    ``status_or_type`` as :func:`error_class_for`, or an error class; ``message`` defaults to the type's
    wording; ``details`` are extra keys of ``error.details`` (``organization_on_hold``
    gets ``appeal_url`` = :data:`APPEAL_URL` unless given).
    """
    cls = status_or_type if isinstance(status_or_type, type) else error_class_for(status_or_type)
    extra = dict(details or {})
    if error_code == "organization_on_hold":
        extra.setdefault("appeal_url", APPEAL_URL)
    text = message if message is not None else _DEFAULT_MESSAGES.get(error_code or "", cls.error_type)
    return cls(text, error_code=error_code, details=extra, headers=headers)


_DEFAULT_MESSAGES = {
    "claude_code_key_creator_not_member": "The creator of this Claude Code key is no longer a member "
                                          "of the organization.",
    "cmek_key_disabled": "The workspace's customer-managed encryption key is disabled or revoked.",
    "cmek_key_network_blocked": "The workspace's customer-managed encryption key cannot be reached "
                                "from Anthropic's network.",
    "organization_on_hold": "This organization has been disabled.",
}


DEFAULT_MESSAGES: dict[str, str] = {
    "invalid_request_error": "Invalid request.",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found.",
    "conflict_error": "Conflict.",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "Number of requests has exceeded your rate limit.",
    "api_error": "Internal server error",
    "timeout_error": "Request timed out.",
    "overloaded_error": "Overloaded",
}
"""The message of an injected error of each type when the test gives none."""


def header_number(value: float) -> str:
    """A number as a header value: ``2`` for 2.0, ``0.5`` for 0.5."""
    return str(int(value)) if float(value).is_integer() else str(value)


def injected_error(
    status: Optional[int] = None,
    error_type: Optional[str] = None,
    message: Optional[str] = None,
    *,
    error_code: Optional[str] = None,
    retry_after: Optional[float] = None,
    retry_after_ms: Optional[float] = None,
    should_retry: Optional[bool] = None,
    details: Optional[Mapping[str, Any]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> FilesAPIError:
    """An error a test asks for: the respx scenario ``error`` and the control API's error
    faults both make theirs here (the faults page of the docs), through :func:`build_error`.

    ``status`` and/or ``error_type`` pick the class (a type that differs from the status's
    own keeps the status); ``retry_after`` / ``retry_after_ms`` / ``should_retry`` set
    those headers over ``headers``; ``details`` as :func:`build_error`.
    """
    if status is None and error_type is None:
        raise ValueError("give a status or an error type")
    cls = error_class_for(status if status is not None else str(error_type))
    if error_type is not None and cls.error_type != error_type:
        error_class_for(error_type)  # ValueError for an unknown type
        cls = type(cls.__name__, (cls,), {"error_type": error_type})
    extra = dict(headers or {})
    if retry_after is not None:
        extra["retry-after"] = header_number(retry_after)
    if retry_after_ms is not None:
        extra["retry-after-ms"] = header_number(retry_after_ms)
    if should_retry is not None:
        extra["x-should-retry"] = "true" if should_retry else "false"
    text = message or DEFAULT_MESSAGES.get(cls.error_type, "Error")
    return build_error(cls, text, error_code=error_code, details=details, headers=extra)


_RENAMED = {"APIError": "FilesInternalError", "TimeoutError": "FilesTimeoutError"}


def __getattr__(name: str) -> Any:
    """``ClaudeFilesMisuseWarning`` (made on first use); the first names of two classes (they
    never reached PyPI) say what they are now."""
    if name == "ClaudeFilesMisuseWarning":
        return _misuse_warning_class()
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    clash = "the SDK's anthropic.APIError" if name == "APIError" else "the builtin TimeoutError"
    raise AttributeError(
        f"pytest_claude_files.errors.{name} is now {new} (the old name clashed with {clash})")
