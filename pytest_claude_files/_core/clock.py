"""The fake's clock: real time by default, movable by tests."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional

__all__ = ["FakeClock", "parse_aware"]


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_aware(text: Any) -> datetime:
    """A time kept as ISO 8601 text with its zone (a kept record's); ``ValueError`` otherwise."""
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"a time without its zone: {text!r}")
    return moment


def _parse(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return _aware(moment)


class FakeClock:
    """A clock that follows real time, shifted and optionally frozen by the test.

    ``clock.advance(hours=2)`` moves it forward (expiry, rate-limit windows),
    ``clock.set(datetime(...))`` jumps to a moment, ``clock.freeze()`` stops it so that
    ``created_at`` values are exactly predictable.
    """

    def __init__(self, start: datetime | str | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        self.on_change: Optional[Callable[[FakeClock], None]] = None
        """Called after the clock was moved (the emulator keeps it in ``--data-dir``)."""
        if frozen:
            self._frozen_at = datetime.now(timezone.utc) if start is None else _parse(start)
        elif start is not None:
            self.set(start)

    def now(self) -> datetime:
        """The current time (timezone-aware, UTC)."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return datetime.now(timezone.utc) + self._offset

    @property
    def is_default(self) -> bool:
        """Following real time: never set, advanced or frozen."""
        return self._frozen_at is None and not self._offset

    def advance(self, delta: timedelta | float | None = None, /, **kwargs: float) -> datetime:
        """Move the clock forward by a ``timedelta``, seconds, or ``timedelta`` keywords."""
        if delta is None:
            step = timedelta(**kwargs)
        elif isinstance(delta, timedelta):
            step = delta
        else:
            step = timedelta(seconds=float(delta))
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += step
            else:
                self._offset += step
        self._changed()
        return self.now()

    def set(self, moment: datetime | str) -> None:
        """Jump to ``moment`` (a datetime, or an ISO 8601 string; naive means UTC)."""
        target = _parse(moment)
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = target
            else:
                self._offset = target - datetime.now(timezone.utc)
        self._changed()

    def freeze(self) -> None:
        """Stop the clock at the current moment; ``advance`` and ``set`` still move it."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = datetime.now(timezone.utc) + self._offset
        self._changed()

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - datetime.now(timezone.utc)
                self._frozen_at = None
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def state(self) -> dict[str, Any]:
        """What makes this clock's time (JSON-able): its shift from real time in
        microseconds, or the moment it is frozen at."""
        with self._lock:
            frozen = self._frozen_at
            return {"offset_us": self._offset // timedelta(microseconds=1),
                    "frozen_at": None if frozen is None else frozen.isoformat()}

    @classmethod
    def from_state(cls, state: Any) -> FakeClock:
        """The clock a :meth:`state` describes (``ValueError`` / ``KeyError`` if it does not)."""
        clock = cls()
        offset = state["offset_us"]
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise ValueError("offset_us: not an integer")
        clock._offset = timedelta(microseconds=offset)
        frozen = state["frozen_at"]
        clock._frozen_at = None if frozen is None else parse_aware(frozen)
        return clock

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def __repr__(self) -> str:
        state = "frozen" if self.frozen else "running"
        return f"<FakeClock {self.now().isoformat()} {state}>"
