"""The record of a resource's calls: ``Call(operation, file_id, params, error)``, kept in a
list that a long-running emulator bounds (``CallRecord(kept)``)."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from pytest_claude_files.errors import FilesAPIError

__all__ = ["Call", "CallRecord"]


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


class CallRecord(list):  # type: ignore[type-arg]
    """The recorded calls: a list, bounded when ``kept`` is given (a long-running emulator
    keeps the newest; when full, the oldest half goes)."""

    def __init__(self, kept: Optional[int] = None) -> None:
        super().__init__()
        self.kept = kept

    def append(self, call: Call) -> None:
        kept = self.kept
        if kept is not None and len(self) >= kept:
            del self[: len(self) - kept // 2]
        list.append(self, call)  # (not super(): every recorded call passes here)
