"""The request journal: one line per request the fake answered, every resource alike.

Each resource keeps its own detailed record (``claude_files.calls`` for Files, the
``requests`` of Messages, Batches and Sessions); the journal is the one place that sees
them all, in order: method, path, operation, status, error type, request id and
workspace. It is bounded (the last :data:`JOURNAL_KEPT` requests, each path and workspace
cut to :data:`PATH_KEPT` characters: at most about 12 MiB), so a long-running emulator does
not grow with it.
"""

from __future__ import annotations

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


_exchange = Exchange._make


class Journal:
    """Every request the fake answered, oldest first (``claude_files.journal``).

    Lock-free: a bounded ``deque``'s ``append``, ``copy`` and ``clear`` are each one step
    under the GIL, so a request records itself without a lock and a reader filters a copy.
    Each line is kept as a plain tuple (one object less a request) and read as an :class:`Exchange`.
    """

    def __init__(self, maxlen: int = JOURNAL_KEPT) -> None:
        self._entries: deque[tuple[str, str, Optional[str], int, Optional[str], str, Optional[str]]] = deque(
            maxlen=maxlen)

    def record(self, entry: Exchange) -> None:
        self.add(entry)

    def add(self, line: tuple[str, str, Optional[str], int, Optional[str], str, Optional[str]]) -> None:
        """``record(Exchange(*line))`` without the ``Exchange`` (every request passes here)."""
        if len(line[1]) > PATH_KEPT or (line[6] is not None and len(line[6]) > PATH_KEPT):
            method, path, operation, status, error_type, request_id, workspace = line
            line = (method, path[:PATH_KEPT], operation, status, error_type, request_id,
                    workspace if workspace is None else workspace[:PATH_KEPT])
        self._entries.append(line)

    def entries(self, operation: Optional[str] = None) -> list[Exchange]:
        """The requests, optionally only those of one operation (``"upload"``, ``"batches.create"``)."""
        return [_exchange(e) for e in self._entries.copy() if operation is None or e[2] == operation]

    def errors(self) -> list[Exchange]:
        """The requests answered with an error (status 400 and above)."""
        return [_exchange(e) for e in self._entries.copy() if e[3] >= 400]

    def clear(self) -> None:
        self._entries.clear()

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)
