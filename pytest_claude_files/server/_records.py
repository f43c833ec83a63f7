"""The emulator's record store: a :class:`~pytest_claude_files._core.storage.RecordStorage`
that keeps the objects of the resources beside Files (batches, skills and their versions,
agents, environments, sessions) and the tenant's clock under ``--data-dir``.

Layout, per tenant (beside its files): ``tenants/<label>/state/<kind>/<id>.json``, one
record each, and ``state/clock/now.json``. A save is atomic and durable before the request
is answered, with the store's own steps (``_store.put_file``: a temporary file, fsync,
rename; then the directory fsynced); a drop unlinks the record and fsyncs the directory.
On start, a record that cannot be read or that its resource refuses, and a ``*.tmp`` left
by a crash, are moved to ``quarantine/<label>/<kind>/`` with a warning (``start_warnings``).
A write the disk refuses (full, no inodes left) is the API's 500; start-up writes nothing.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any, Mapping, Optional

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.storage import RestoreRecord
from pytest_claude_files.errors import FilesAPIError
from pytest_claude_files.server._store import StoreIO, disk_error, fsync_dir, put_file, quarantine

__all__ = ["CLOCK_KIND", "STATE_DIR", "DirectoryRecords"]

STATE_DIR = "state"
CLOCK_KIND = "clock"
_CLOCK_KEY = "now"
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
logger = logging.getLogger("pytest_claude_files.server")


class DirectoryRecords:
    """Records in ``directory`` (a tenant's ``state``); see the module's docstring."""

    durable = True

    def __init__(self, directory: Path, *, quarantine: Path, io: Optional[StoreIO] = None) -> None:
        self.directory = directory
        self.quarantine = quarantine
        self.io = io or StoreIO()
        self.start_warnings: list[str] = []
        self._made: set[str] = set()
        self._clock_lock = threading.Lock()

    # -- the RecordStorage protocol ---------------------------------------------------
    def save(self, kind: str, key: str, record: Mapping[str, Any]) -> None:
        where = self._where(kind, key)
        data = json.dumps(record, separators=(",", ":")).encode()
        try:
            self._make(kind)
            put_file(self.io, where, f"{key}.json", data, "record")
            self.io.step("dir.fsync")
            fsync_dir(where)
        except OSError as exc:
            raise disk_error(exc, where, f"the {kind} record {key}") from None

    def drop(self, kind: str, key: str) -> None:
        where = self._where(kind, key)
        path = where / f"{key}.json"
        try:
            if path.exists():
                self.io.step("record.delete")
                path.unlink()
                fsync_dir(where)
        except OSError as exc:
            raise disk_error(exc, where, f"the deletion of the {kind} record {key}") from None

    def clear(self, kind: str) -> None:
        """After a reset: every record of ``kind`` goes."""
        where = self.directory / kind
        if not where.is_dir():
            return
        for path in where.glob("*.json"):
            path.unlink(missing_ok=True)
        fsync_dir(where)

    def load(self, kind: str, restore: RestoreRecord) -> None:
        where = self.directory / kind
        if not where.is_dir():
            return
        into = self.quarantine / kind
        for path in sorted(where.glob("*.tmp")):
            quarantine(path, into, "an unfinished write (a crash or a full disk)", self.start_warnings)
        for path in sorted(where.glob("*.json")):
            try:
                record = json.loads(path.read_bytes())
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                restore(path.stem, record)
            except (ValueError, LookupError, TypeError, AttributeError, OSError, FilesAPIError) as exc:
                quarantine(path, into, f"unreadable {kind} record ({_reason(exc)})", self.start_warnings)

    # -- the clock --------------------------------------------------------------------
    def load_clock(self) -> FakeClock:
        """The clock kept (a running clock keeps its shift from real time), else a new one;
        from now on every move of it is kept."""
        clock: Optional[FakeClock] = None

        def restore(key: str, record: dict[str, Any]) -> None:
            nonlocal clock
            if key != _CLOCK_KEY:
                raise ValueError("not the clock")
            clock = FakeClock.from_state(record)

        self.load(CLOCK_KIND, restore)
        found = clock or FakeClock()
        found.on_change = self.save_clock
        return found

    def watch(self, clock: FakeClock) -> None:
        """Keep ``clock`` (a reset's new one) now and at every move."""
        clock.on_change = self.save_clock
        try:
            self.save_clock(clock)
        except FilesAPIError as exc:
            logger.warning("claude-files-fake: %s", exc.message)

    def save_clock(self, clock: FakeClock) -> None:
        with self._clock_lock:
            self.save(CLOCK_KIND, _CLOCK_KEY, clock.state())

    # -- the disk -----------------------------------------------------------------------
    def _where(self, kind: str, key: str) -> Path:
        if not key or not _KEY_CHARS.issuperset(key) or not _KEY_CHARS.issuperset(kind):
            raise ValueError(f"record {kind}/{key}: not a safe name")
        return self.directory / kind

    def _make(self, kind: str) -> None:
        """The kind's directory, each level made fsynced into its parent (once)."""
        if kind in self._made:
            return
        missing = []
        path = self.directory / kind
        while not path.is_dir():
            missing.append(path)
            path = path.parent
        for path in reversed(missing):
            path.mkdir(exist_ok=True)
            fsync_dir(path.parent)
        self._made.add(kind)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or exc.__class__.__name__
    if isinstance(exc, FilesAPIError):
        return exc.message
    if isinstance(exc, json.JSONDecodeError):
        return "not JSON"
    if isinstance(exc, KeyError):
        return f"no {exc}"
    return str(exc) or exc.__class__.__name__
