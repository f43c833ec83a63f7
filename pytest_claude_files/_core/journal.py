"""The request journal: one line per request the fake answered, every resource alike.

Each resource keeps its own detailed record (``claude_files.calls`` for Files, the
``requests`` of Messages, Batches and Sessions); the journal is the one place that sees
them all, in order: method, path, operation, status, error type, request id and
workspace. It is bounded (the last :data:`JOURNAL_KEPT` requests, each path cut to
:data:`PATH_KEPT` characters), so a long-running emulator does not grow with it.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Iterator, NamedTuple, Optional

__all__ = ["JOURNAL_KEPT", "PATH_KEPT", "Exchange", "Journal"]

JOURNAL_KEPT = 10_000
PATH_KEPT = 512


class Exchange(NamedTuple):
    """One request and its answer, as the journal keeps it."""

    method: str
    path: str
    operation: Optional[str]
    status: int
    error_type: Optional[str]
    request_id: str
    workspace: Optional[str]


class Journal:
    """Every request the fake answered, oldest first (``claude_files.journal``)."""

    def __init__(self, maxlen: int = JOURNAL_KEPT) -> None:
        self._entries: deque[Exchange] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def record(self, entry: Exchange) -> None:
        if len(entry.path) > PATH_KEPT:
            entry = entry._replace(path=entry.path[:PATH_KEPT])
        with self._lock:
            self._entries.append(entry)

    def entries(self, operation: Optional[str] = None) -> list[Exchange]:
        """The requests, optionally only those of one operation (``"upload"``, ``"batches.create"``)."""
        with self._lock:
            return [e for e in self._entries if operation is None or e.operation == operation]

    def errors(self) -> list[Exchange]:
        """The requests answered with an error (status 400 and above)."""
        with self._lock:
            return [e for e in self._entries if e.status >= 400]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)
