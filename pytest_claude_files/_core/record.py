"""A record of what arrived, bounded by count **and** by bytes (the oldest go first).

The Messages side keeps every request (``claude_files.messages.requests``); on a long-lived
emulator a count bound alone let twenty 3 MB requests hold half a gigabyte. Each entry is
appended with its size (the request body's bytes); beyond ``max_items`` entries or
``max_bytes`` bytes the oldest are dropped (the newest is always kept).
"""

from __future__ import annotations

import json
from collections import deque
from typing import Generic, Iterator, TypeVar

__all__ = ["SENT_KEPT_BYTES", "BoundedRecord", "ListTrim", "json_size"]

SENT_KEPT_BYTES = 64 * 1024 * 1024
"""Bytes of sent session events kept (``claude_files.sessions.sent``), as for Messages requests."""

T = TypeVar("T")


class BoundedRecord(Generic[T]):
    def __init__(self, max_items: int, max_bytes: int) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: deque[tuple[T, int]] = deque()

    def append(self, item: T, size: int = 0) -> None:
        if size < 0:
            size = 0
        self._items.append((item, size))
        self.bytes += size
        while len(self._items) > 1 and (len(self._items) > self.max_items or self.bytes > self.max_bytes):
            _, dropped = self._items.popleft()
            self.bytes -= dropped

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0

    def __iter__(self) -> Iterator[T]:
        return (item for item, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)


class ListTrim(Generic[T]):
    """Keeps a plain list (one users read and index, such as ``claude_files.sessions.sent``)
    within ``max_items`` entries and ``max_bytes`` of their JSON, dropping the oldest first
    (the newest always stays). A list changed from outside is measured again."""

    def __init__(self, max_items: int, max_bytes: int) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.bytes = 0
        self._sizes: deque[int] = deque()

    def append(self, items: list[T], item: T) -> None:
        if len(self._sizes) != len(items):  # cleared or cut by its reader
            self._sizes = deque(json_size(i) for i in items)
            self.bytes = sum(self._sizes)
        size = json_size(item)
        items.append(item)
        self._sizes.append(size)
        self.bytes += size
        drop = 0
        while len(items) - drop > 1 and (len(items) - drop > self.max_items or self.bytes > self.max_bytes):
            self.bytes -= self._sizes.popleft()
            drop += 1
        if drop:
            del items[:drop]


def json_size(value: object) -> int:
    """The bytes of ``value`` as JSON (what a record of it holds, roughly)."""
    return len(json.dumps(value, default=str, ensure_ascii=False))
