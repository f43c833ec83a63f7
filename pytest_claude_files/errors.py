"""Errors the fake raises, each carrying the HTTP status and error type it becomes.

The service raises these; the HTTP layer turns them into the API's error envelope in
exactly one place (``_http.error_response``).
"""

from __future__ import annotations

from typing import ClassVar, Mapping, Optional

__all__ = [
    "ECHO_LIMIT",
    "ERROR_CODE_STATUS",
    "STATUS_TO_ERROR_TYPE",
    "AuthenticationError",
    "BillingError",
    "ConflictError",
    "FilesAPIError",
    "FilesInternalError",
    "FilesTimeoutError",
    "InvalidRequestError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "error_class_for",
    "shown",
]

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

    def __init__(
        self,
        message: str,
        *,
        error_code: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.headers: dict[str, str] = dict(headers or {})

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


class FilesInternalError(FilesAPIError):
    """500 ``api_error`` (was ``APIError``, a name the SDK's base error class has)."""

    status = 500
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
STATUS_TO_ERROR_TYPE: dict[int, str] = {cls.status: cls.error_type for cls in _CLASSES}
ERROR_CODE_STATUS: dict[str, int] = {
    "file_not_downloadable": 400,
    "storage_quota_exceeded": 400,
    "file_expired": 404,
}
"""The Files API's ``details.error_code`` values and the status each comes with."""
_BY_STATUS = {cls.status: cls for cls in _CLASSES}
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
            from pytest_claude_files._core.suggest import did_you_mean

            raise ValueError(
                f"unknown error type {status_or_type!r}{did_you_mean(status_or_type, _BY_TYPE)}; "
                f"expected one of {sorted(_BY_TYPE)}"
            ) from None
    if status_or_type in _BY_STATUS:
        return _BY_STATUS[status_or_type]
    if not 400 <= status_or_type <= 599:
        raise ValueError(f"an error status is 400 to 599, not {status_or_type}")
    base = InvalidRequestError if status_or_type < 500 else FilesInternalError
    return type(f"HTTP{status_or_type}Error", (base,), {"status": status_or_type})


_RENAMED = {"APIError": "FilesInternalError", "TimeoutError": "FilesTimeoutError"}


def __getattr__(name: str) -> type[FilesAPIError]:
    """The old names, for one release: ``errors.APIError`` and ``errors.TimeoutError``."""
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import warnings

    warnings.warn(
        f"pytest_claude_files.errors.{name} is renamed {new} (the old name clashed with "
        f"{'the SDK' if name == 'APIError' else 'the builtin'}); the alias goes in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    cls: type[FilesAPIError] = globals()[new]
    return cls
