"""One byte budget shared by every control request body being received at once.

Each control body may be up to ``MAX_CONTROL_BODY`` (64 MiB), and a body is buffered
whole before it is parsed; eight concurrent chunked ones took the emulator's resident
memory from 46 to 470 MB. :class:`ByteBudget` bounds their sum: the bytes of the control
bodies being received or handled (``CONTROL_BODY_BUDGET``, 128 MiB by default). A body
that would pass the budget is refused with 503 (``retry-after: 1``) and nothing runs; its
bytes are given back as soon as its request is answered.
"""

from __future__ import annotations

import threading

__all__ = ["CONTROL_BODY_BUDGET", "ByteBudget"]

CONTROL_BODY_BUDGET = 128 * 1024 * 1024
"""Bytes of control request bodies held at once, over every concurrent request."""


class ByteBudget:
    """A count of bytes held, at most ``total`` (thread-safe)."""

    def __init__(self, total: int = CONTROL_BODY_BUDGET) -> None:
        self.total = total
        self.used = 0
        self.peak = 0
        """The most bytes held at once so far (what the tests look at)."""
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        """Hold ``size`` more bytes; ``False`` (nothing held) when that would pass ``total``."""
        with self._lock:
            if self.used + size > self.total:
                return False
            self.used += size
            self.peak = max(self.peak, self.used)
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.used -= size
