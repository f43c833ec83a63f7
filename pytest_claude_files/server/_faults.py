"""Faults the emulator injects on request: what a fault is, how it is parsed, their schedule."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from pytest_claude_files._http.handler import HTTPResponse, error_response
from pytest_claude_files._http.routes import MESSAGES_OPERATIONS, OPERATIONS
from pytest_claude_files.errors import (
    FilesAPIError,
    InvalidRequestError,
    error_class_for,
    injected_error,
)
from pytest_claude_files.server._names import ANY_OPERATION as ANY_OPERATION

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")

RENAMED_FIELDS = {"truncate_at": "cut_body"}
"""The first names of fault fields (they never reached PyPI): refused, naming the new one."""


# -- faults -------------------------------------------------------------------------
@dataclass
class Fault:
    """One scripted misbehaviour of the server for the next ``times`` calls of ``operation``."""

    operation: str = ANY_OPERATION
    times: Optional[int] = 1
    after: int = 0
    status: Optional[int] = None
    error_type: Optional[str] = None
    error_code: Optional[str] = None
    details: dict[str, Any] = field(default_factory=dict)
    message: Optional[str] = None
    retry_after: Optional[float] = None
    retry_after_ms: Optional[float] = None
    should_retry: Optional[bool] = None
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    drop: bool = False
    cut_body: Optional[int] = None
    id: int = 0
    used: int = 0

    @property
    def is_error(self) -> bool:
        return self.status is not None or self.error_type is not None

    def error(self) -> FilesAPIError:
        """The ``FilesAPIError`` this fault answers with (built as the respx scenarios' are)."""
        return injected_error(
            self.status, self.error_type, self.message, error_code=self.error_code,
            retry_after=self.retry_after, retry_after_ms=self.retry_after_ms,
            should_retry=self.should_retry, details=self.details, headers=self.headers,
        )

    def response(self) -> HTTPResponse:
        return error_response(self.error())

    def to_json(self) -> dict[str, Any]:
        """The fault as JSON: what was set (``times`` always, ``null`` = every call)."""
        return {
            k: v for k, v in self.__dict__.items()
            if k in ("id", "operation", "times", "after", "used")
            or not (v is None or v is False or v == {} or (k == "latency" and not v))
        }


_FAULT_FIELDS = {
    "operation": str, "times": (int, type(None)), "after": int, "status": int,
    "error_type": str, "error_code": str, "details": dict, "message": str, "retry_after": (int, float),
    "retry_after_ms": (int, float), "should_retry": bool, "headers": dict,
    "latency": (int, float), "drop": bool, "cut_body": int,
}


FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive",
                             "upgrade", "trailer", "te", "host", "date", "server"})
"""Headers a fault may not set: the HTTP server writes them, and a second copy breaks the answer."""


def parse_fault(spec: Mapping[str, Any]) -> Fault:
    """A :class:`Fault` from its JSON form; ``InvalidRequestError`` naming the bad field."""
    if not isinstance(spec, Mapping):
        raise InvalidRequestError("fault: the body must be a JSON object.")
    spec = _canonical(spec)
    for key, value in spec.items():
        expected = _FAULT_FIELDS.get(key)
        if expected is None:
            raise InvalidRequestError(
                f"fault.{key}: unknown field; expected one of {sorted(_FAULT_FIELDS)}."
            )
        if isinstance(value, bool) and expected is not bool:
            raise InvalidRequestError(f"fault.{key}: must not be a boolean.")
        if value is not None and not isinstance(value, expected):  # type: ignore[arg-type]
            raise InvalidRequestError(f"fault.{key}: wrong type {type(value).__name__}.")
    fault = Fault(**{k: v for k, v in spec.items() if not (v is None and k != "times")})
    if fault.operation not in (*OPERATIONS, *MESSAGES_OPERATIONS, ANY_OPERATION):
        raise InvalidRequestError(
            f"fault.operation: {fault.operation!r} is not one of "
            f"{[*OPERATIONS, *MESSAGES_OPERATIONS, ANY_OPERATION]}."
        )
    if fault.times is not None and fault.times < 1:
        raise InvalidRequestError("fault.times: must be >= 1 (or null for every call).")
    if fault.after < 0:
        raise InvalidRequestError("fault.after: must be >= 0.")
    if fault.latency < 0 or fault.latency > 60:
        raise InvalidRequestError("fault.latency: must be 0 to 60 seconds.")
    if fault.cut_body is not None and fault.cut_body < 0:
        raise InvalidRequestError("fault.cut_body: must be >= 0 bytes.")
    if fault.status is not None and not 400 <= fault.status <= 599:
        raise InvalidRequestError("fault.status: an error status is 400 to 599.")
    if fault.error_type is not None:  # with a status too: an unknown type would fail every answer
        try:
            error_class_for(fault.error_type)
        except ValueError as exc:
            raise InvalidRequestError(f"fault.error_type: {exc}.") from None
    if not (fault.is_error or fault.drop or fault.latency or fault.cut_body is not None):
        raise InvalidRequestError(
            "fault: say what happens: status/error_type, drop, latency or cut_body."
        )
    if fault.drop and (fault.is_error or fault.cut_body is not None):
        raise InvalidRequestError("fault.drop: a dropped connection has no status or body.")
    for name, value in fault.headers.items():
        if not isinstance(value, str):
            raise InvalidRequestError(f"fault.headers.{name}: header values are strings.")
        if not _TOKEN.fullmatch(name):
            raise InvalidRequestError(f"fault.headers: {name!r} is not an HTTP header name.")
        if name.lower() in FRAMING_HEADERS:
            raise InvalidRequestError(
                f"fault.headers.{name}: the server sets this header itself (it frames the answer); "
                f"a fault may set any other ({', '.join(sorted(FRAMING_HEADERS))} excepted)."
            )
        if not value.strip():
            raise InvalidRequestError(f"fault.headers.{name}: a header value cannot be blank.")
        if any((ord(c) < 32 and c != "\t") or ord(c) == 127 or ord(c) > 255 for c in value):
            raise InvalidRequestError(
                f"fault.headers.{name}: control characters (CR, LF...) or non-Latin-1 text are not "
                "allowed in a header value."
            )
    for name in ("retry_after", "retry_after_ms"):
        number = getattr(fault, name)
        if number is not None and not (math.isfinite(number) and 0 <= number <= 10**9):
            raise InvalidRequestError(f"fault.{name}: a number of seconds from 0 to 1e9.")
    for name in ("message", "error_code", "error_type"):
        text = getattr(fault, name)
        if text is not None and len(text) > 10_000:
            raise InvalidRequestError(f"fault.{name}: at most 10000 characters.")
    return fault


def _canonical(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """``spec``, refused with the new name when it uses a field's first name."""
    for old, new in RENAMED_FIELDS.items():
        if old in spec:
            raise InvalidRequestError(f"fault.{old}: now named {new} (one vocabulary: claude-files-fake "
                                      "docs faults).")
    return spec


class FaultSchedule:
    """The pending faults of one tenant, consumed in the order they were added."""

    def __init__(self) -> None:
        self.waiting: list[Fault] = []
        """The faults not yet taken, in order (read it, never change it: the schedule's lock
        guards every change); empty when no fault waits."""
        self._lock = threading.Lock()
        self._next_id = 1

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self.waiting.append(fault)
            return fault

    def take(self, operation: Optional[str]) -> Optional[Fault]:
        """The fault that applies to this call of ``operation`` (and use it up), if any."""
        if not self.waiting:
            return None
        with self._lock:
            chosen = None
            for fault in self.waiting:
                if fault.operation not in (ANY_OPERATION, operation) or operation is None:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                if chosen is None:
                    chosen = fault
            if chosen is None:
                return None
            chosen.used += 1
            if chosen.times is not None:
                chosen.times -= 1
                if chosen.times == 0:
                    self.waiting.remove(chosen)
            return chosen

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self.waiting)

    def clear(self) -> int:
        with self._lock:
            count = len(self.waiting)
            self.waiting.clear()
            return count
