"""The record of a resource's calls: ``Call(operation, file_id, params, error)``, kept in a
list that a long-running emulator bounds (``CallRecord(kept)``)."""

from __future__ import annotations

import operator
from typing import Any, Callable, NamedTuple, Optional

from pytest_claude_files.errors import FilesAPIError

__all__ = ["CALLS_KEPT_BYTES", "Call", "CallRecord", "call_size"]


class Call(NamedTuple):
    """One operation the service performed (or refused), for inspection in tests."""

    operation: str
    file_id: Optional[str]
    params: dict[str, Any]
    error: Optional[FilesAPIError]


# ``Call(a, b, c, d)`` runs the named tuple's Python-level ``__new__``; recording a call
# on every request builds it straight from its fields instead (the same object).
_new_call: Callable[[type[Call], tuple[str, Optional[str], dict[str, Any], Optional[FilesAPIError]]], Call]
_new_call = tuple.__new__
_list_append = list.append
_file_id_of = operator.itemgetter(1)


CALLS_KEPT_BYTES = 16 * 1024 * 1024
"""A bounded record (``CallRecord(kept)``) also keeps at most this many bytes of the calls'
ids, parameters and error messages (estimated): a file id of 8 KiB, or 999 ``ids`` of a
refused listing, no longer multiply by ``kept``."""
_CALL_OVERHEAD = 200  # bytes of a Call, its tuple and its (small) params dict


def call_size(call: Call) -> int:
    """The bytes a recorded call holds, estimated from its strings (ids, parameters, message)."""
    size = _CALL_OVERHEAD + len(call[1] or "")
    params = call[2]
    if params:
        for value in params.values():
            if isinstance(value, str):
                size += len(value)
            elif isinstance(value, (list, tuple)):
                size += sum(len(item) if isinstance(item, str) else 16 for item in value) + 56 * len(value)
    error = call[3]
    if error is not None:
        size += 500 + len(error.message)
    return size


def _total_size(calls: list[Call]) -> int:
    """``sum(map(call_size, calls))``, the part every call has (its overhead and id) summed
    in C, call_size only for a call with parameters or an error: a bounded record trims
    5,000 calls (most of them lookups) once in 5,000, and each request pays its share."""
    total = _CALL_OVERHEAD * len(calls) + sum(map(len, filter(None, map(_file_id_of, calls))))
    for call in calls:
        if call[2] or call[3] is not None:
            total += call_size(call) - _CALL_OVERHEAD - len(call[1] or "")
    return total


class CallRecord(list):  # type: ignore[type-arg]
    """The recorded calls: a list, bounded when ``kept`` is given (a long-running emulator
    keeps the newest; when full, by count or by ``max_bytes``, the oldest half goes)."""

    __slots__ = ("bytes", "kept", "max_bytes")  # (an attribute of a list subclass is slow without)

    def __init__(self, kept: Optional[int] = None, max_bytes: int = CALLS_KEPT_BYTES) -> None:
        super().__init__()
        self.kept = kept
        self.max_bytes = max_bytes
        self.bytes = 0
        """The estimated bytes the kept calls hold (only counted when bounded)."""

    def append(self, call: Call) -> None:
        kept = self.kept
        if kept is not None:
            if len(self) >= kept:
                del self[: len(self) - kept // 2]
                self.bytes = _total_size(self)
            if call[2] or call[3] is not None:
                self.bytes += call_size(call)
            else:  # a lookup that succeeded: the hot path, inline
                self.bytes += _CALL_OVERHEAD + len(call[1] or "")
            if self.bytes > self.max_bytes and self:
                self._shed()
        list.append(self, call)  # (not super(): every recorded call passes here)

    def found(self, operation: str, file_id: str) -> None:
        """``append(Call(operation, file_id, {}, None))``: a lookup that succeeded, the most
        frequent call (a metadata GET), so inline: one Python call, its size without call_size."""
        call = _new_call(Call, (operation, file_id, {}, None))
        kept = self.kept
        if kept is not None:
            size = _CALL_OVERHEAD + len(file_id)
            if len(self) >= kept or self.bytes + size > self.max_bytes:
                self.append(call)  # a bound is reached: the general way
                return
            self.bytes += size
        _list_append(self, call)

    def _shed(self) -> None:
        """Drop the oldest calls until at most half of ``max_bytes`` is held (the newest stays)."""
        sizes = list(map(call_size, self))
        total = self.bytes - sum(sizes)  # the call being appended
        keep = len(sizes)
        while keep and total + sizes[keep - 1] <= self.max_bytes // 2:
            keep -= 1
            total += sizes[keep]
        del self[:keep]
        self.bytes = total

    def clear(self) -> None:
        list.clear(self)
        self.bytes = 0
