"""The strategies of errors and request ids (public in ``pytest_claude_files.strategies``),
and the pinning helper the strategies share."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from pytest_claude_files import errors
from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core.suggest import did_you_mean
from pytest_claude_files._http import handler as _http
from pytest_claude_files.models import ErrorResponse

__all__ = ["error_bodies", "error_responses", "files_api_errors", "pinned", "request_ids"]


def pinned(value: Any) -> SearchStrategy[Any]:
    """``value`` itself when it is a strategy, else a strategy of just ``value``."""
    return value if isinstance(value, SearchStrategy) else st.just(value)


_pinned = pinned


def request_ids() -> SearchStrategy[str]:
    """Request ids (``req_01`` + 22 base58), as the ``request-id`` header carries them."""
    return st.integers(0, 58**_ids.ID_BODY_LENGTH - 1).map(
        lambda v: _ids.REQUEST_ID_PREFIX + _ids._encode(v)
    )



# -- errors -------------------------------------------------------------------------
_MESSAGES = st.one_of(
    st.just("An error occurred."),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=200),
)


@st.composite
def _error(draw: Callable[[SearchStrategy[Any]], Any], status: Optional[int], error_type: Optional[str],
           error_code: Any) -> errors.FilesAPIError:
    if status is not None:
        cls = errors.error_class_for(status)
    elif error_type is not None:
        cls = errors.error_class_for(error_type)
    else:
        cls = errors.error_class_for(draw(_STATUSES))
    if error_type is not None and cls.error_type != error_type:
        raise InvalidArgument(f"error: status {status} is {cls.error_type!r}, not {error_type!r}")
    if error_code is _ANY:
        code: Optional[str] = draw(_codes_for(cls.status))
    else:
        code = draw(error_code)
    message: str = draw(_MESSAGES)
    return errors.build_error(cls.status, message, error_code=code)


_ANY = object()
_STATUSES = st.sampled_from(sorted(errors.STATUS_TO_ERROR_TYPE))


@functools.cache
def _codes_for(status: int) -> SearchStrategy[Optional[str]]:
    codes = [c for c, s in sorted(errors.ERROR_CODE_STATUS.items()) if s == status]
    return st.sampled_from([None, *codes])


def files_api_errors(
    *, status: Optional[int] = None, error_type: Optional[str] = None, error_code: Any = _ANY
) -> SearchStrategy[errors.FilesAPIError]:
    """Errors of ``pytest_claude_files.errors``: status and type from
    ``STATUS_TO_ERROR_TYPE``, an ``error_code`` only with the status it comes with
    (``file_not_downloadable``, ``storage_quota_exceeded`` and the method-level codes of
    ``METHOD_ERROR_CODES`` with 400, ``file_expired`` with 404; ``organization_on_hold``
    carries ``details.appeal_url``). Every status the SDK has a class for. Pin ``status``,
    ``error_type`` or ``error_code`` (``None`` for none)."""
    if status is not None and status not in errors.STATUS_TO_ERROR_TYPE:
        raise InvalidArgument(
            f"files_api_errors: status must be one of {sorted(errors.STATUS_TO_ERROR_TYPE)}")
    if isinstance(error_code, str) and error_code not in errors.ERROR_CODE_STATUS:
        raise InvalidArgument(
            f"files_api_errors: error_code must be one of {sorted(errors.ERROR_CODE_STATUS)} or None, "
            f"not {error_code!r}{did_you_mean(error_code, errors.ERROR_CODE_STATUS)}"
        )
    types = sorted(set(errors.STATUS_TO_ERROR_TYPE.values()))
    if error_type is not None and error_type not in types:
        raise InvalidArgument(
            f"files_api_errors: error_type must be one of {types}, "
            f"not {error_type!r}{did_you_mean(error_type, types)}"
        )
    if isinstance(error_code, str):
        _check_pair(error_code, status, error_type)
    if status is None and error_type is None and isinstance(error_code, str):
        status = errors.ERROR_CODE_STATUS[error_code]
    return _error(status, error_type, error_code if error_code is _ANY else _pinned(error_code))


def _check_pair(error_code: str, status: Optional[int], error_type: Optional[str]) -> None:
    """An ``error_code`` comes only with its own status (and that status's error type)."""
    own = errors.ERROR_CODE_STATUS[error_code]
    own_type = errors.STATUS_TO_ERROR_TYPE[own]
    if (status is not None and status != own) or (error_type is not None and error_type != own_type):
        given = f"status={status}" if status is not None and status != own else f"error_type={error_type!r}"
        raise InvalidArgument(
            f"files_api_errors: error_code={error_code!r} comes with status {own} ({own_type}), not "
            f"{given}; pin status={own}, or leave status and error_type out"
        )


def error_responses(**kwargs: Any) -> SearchStrategy[_http.HTTPResponse]:
    """Whole HTTP error responses (status, ``request-id`` header, envelope), built by the
    one place errors become HTTP (``_http.error_response``); good as a handler hook's
    answer for fault injection. Keywords as :func:`files_api_errors`."""
    return st.builds(_http.error_response, files_api_errors(**kwargs), request_ids())


def error_bodies(**kwargs: Any) -> SearchStrategy[ErrorResponse]:
    """``ErrorResponse`` envelopes (``{"type": "error", "error": {...}, "request_id"}``);
    ``.to_api()`` gives the JSON. Keywords as :func:`files_api_errors`."""
    return error_responses(**kwargs).map(lambda r: ErrorResponse.model_validate(r.json()))
