"""The crash-safe ledger of uploads that a test session made against a live backend.

One JSON object a line, appended and ``fsync``-ed before the upload call returns to the
test, in ``<cache dir>/d/claude-files-ledger/<session>-<worker>-<pid>.jsonl``. A line
holds the file id, the base URL and a fingerprint of the API key (a truncated SHA-256
of a domain-prefixed key): **never the key itself**.

Each process writes its own ledger file (xdist workers too) and holds an exclusive
``flock`` on it while it lives. The lock dies with the process, also on ``SIGKILL``, so
a ledger that can be locked belongs to a session that is over: the next session claims
it (takes the lock) and deletes what it still lists. Two sweepers can never hold the
same ledger, so no file is deleted twice.

Events (``"event"`` key): ``session`` (first line), ``upload``, ``deleted`` (``how``:
``cleanup``, ``already-gone``, ``test``), ``dropped`` (an upload to an in-process
emulator that is gone with its process), ``finished``. A torn last line (the process
died mid-write) is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

__all__ = [
    "LEDGER_DIR_NAME",
    "LEDGER_VERSION",
    "ClaimedLedger",
    "LedgerState",
    "LedgerWriter",
    "Upload",
    "claim_ledgers",
    "key_fingerprint",
    "normalize_base_url",
    "read_ledger",
]

LEDGER_DIR_NAME = "claude-files-ledger"
LEDGER_VERSION = 1
_FINGERPRINT_PREFIX = b"pytest-claude-files/key-fingerprint/v1\x00"
_FINGERPRINT_HEX = 16


def key_fingerprint(api_key: str) -> str:
    """``sha256:`` + 16 hex digits of a salted SHA-256 of ``api_key``; tells keys apart, reveals nothing."""
    digest = hashlib.sha256(_FINGERPRINT_PREFIX + api_key.encode("utf-8")).hexdigest()
    return f"sha256:{digest[:_FINGERPRINT_HEX]}"


def normalize_base_url(url: str) -> str:
    """``https://API.example.com/`` -> ``https://api.example.com`` (lower-case host, no trailing /)."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text.rstrip("/")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("/")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Upload:
    """One recorded upload: where it went and with which key (by fingerprint)."""

    file_id: str
    base_url: str
    key: str  # the fingerprint, never the key
    test: Optional[str] = None
    ephemeral: bool = False

    @property
    def target(self) -> tuple[str, str]:
        return (self.base_url, self.key)


@dataclass
class LedgerState:
    """What a ledger file says: uploads in order, and which of them are gone."""

    path: Optional[Path] = None
    session: dict[str, Any] = field(default_factory=dict)
    uploads: dict[tuple[str, str], Upload] = field(default_factory=dict)  # (base_url, id) -> Upload
    gone: set[tuple[str, str]] = field(default_factory=set)
    finished: bool = False
    torn_lines: int = 0

    @property
    def pending(self) -> list[Upload]:
        """Uploads not yet deleted (nor dropped), in upload order."""
        return [u for k, u in self.uploads.items() if k not in self.gone]


def _lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; ``False`` when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - POSIX is what CI runs
        import msvcrt

        try:
            os.lseek(fd, 1 << 30, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Appender:
    """An open, locked ledger file: every ``append`` is one line, written and fsync-ed."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def append(self, record: dict[str, Any], *, sync: bool = True) -> None:
        """Write one line; ``sync`` (uploads) waits until it is on disk. Marks of deletes
        skip the fsync: losing one costs a harmless 404 ("already gone") later."""
        if self._fd < 0:
            raise RuntimeError(f"ledger {self.path} is closed")
        line = json.dumps({"v": LEDGER_VERSION, **record}, separators=(",", ":"), sort_keys=True)
        data = (line + "\n").encode("utf-8")
        while data:  # os.write may write less than asked
            written = os.write(self._fd, data)
            data = data[written:]
        if sync:
            os.fsync(self._fd)

    def remove(self) -> None:
        """Delete the file (while still holding the lock), then close it."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        _fsync_dir(self.path.parent)
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # releases the lock
            self._fd = -1


class LedgerWriter:
    """This process's ledger: created on the first record, locked until :meth:`close`."""

    def __init__(self, directory: Path, session: str, worker: str) -> None:
        self.directory = directory
        self.session = session
        self.worker = worker
        self.path = directory / f"{session}-{worker}-{os.getpid()}.jsonl"
        self._appender: Optional[_Appender] = None

    def __repr__(self) -> str:
        return f"<LedgerWriter {str(self.path)!r}>"

    @property
    def created(self) -> bool:
        return self._appender is not None

    def _open(self) -> _Appender:
        if self._appender is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            # created under a name sweepers ignore, locked, then renamed into place: a
            # sweeper never sees this ledger unlocked
            tmp = self.directory / f".{self.path.name}.new"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
            if not _lock(fd):  # pragma: no cover - the name holds our pid
                os.close(fd)
                raise RuntimeError(f"ledger {tmp} is locked by another process")
            appender = _Appender(self.path, fd)
            appender.append(
                {"event": "session", "session": self.session, "worker": self.worker,
                 "pid": os.getpid(), "at": _now()}
            )
            os.replace(tmp, self.path)
            _fsync_dir(self.directory)
            self._appender = appender
        return self._appender

    def record_upload(self, upload: Upload) -> None:
        record: dict[str, Any] = {
            "event": "upload", "id": upload.file_id, "base_url": upload.base_url,
            "key": upload.key, "at": _now(),
        }
        if upload.test:
            record["test"] = upload.test
        if upload.ephemeral:
            record["ephemeral"] = True
        self._open().append(record)

    def record_gone(self, upload: Upload, how: str) -> None:
        if self._appender is None:
            return  # nothing recorded here, nothing to mark
        self._appender.append(
            {"event": "deleted", "id": upload.file_id, "base_url": upload.base_url,
             "key": upload.key, "how": how, "at": _now()},
            sync=False,
        )

    def finish(self, *, remove: bool) -> None:
        """End of session: remove the ledger when nothing is pending, else mark it finished."""
        if self._appender is None:
            return
        if remove:
            self._appender.remove()
        else:
            self._appender.append({"event": "finished", "at": _now()}, sync=False)
            self._appender.close()
        self._appender = None


def read_ledger(path: Path) -> LedgerState:
    """Parse a ledger file; unknown events and a torn last line are skipped."""
    state = LedgerState(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return state
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            state.torn_lines += 1
            continue
        if not isinstance(rec, dict):
            state.torn_lines += 1
            continue
        event = rec.get("event")
        if event == "session":
            state.session = rec
        elif event == "upload" and isinstance(rec.get("id"), str):
            up = Upload(
                file_id=rec["id"], base_url=str(rec.get("base_url", "")), key=str(rec.get("key", "")),
                test=rec.get("test"), ephemeral=bool(rec.get("ephemeral", False)),
            )
            state.uploads.setdefault((up.base_url, up.file_id), up)
        elif event in ("deleted", "dropped") and isinstance(rec.get("id"), str):
            state.gone.add((str(rec.get("base_url", "")), rec["id"]))
        elif event == "finished":
            state.finished = True
    return state


class ClaimedLedger:
    """A ledger of a session that is over, locked by this process until :meth:`release`."""

    def __init__(self, path: Path, appender: _Appender) -> None:
        self.path = path
        self._appender = appender
        self.state = read_ledger(path)

    def __repr__(self) -> str:
        return f"<ClaimedLedger {str(self.path)!r} pending={len(self.state.pending)}>"

    def mark(self, upload: Upload, event: str, how: str) -> None:
        self._appender.append(
            {"event": event, "id": upload.file_id, "base_url": upload.base_url,
             "key": upload.key, "how": how, "at": _now()},
            sync=False,
        )
        self.state.gone.add((upload.base_url, upload.file_id))

    def release(self) -> None:
        """Remove the ledger when nothing is pending any more; unlock it either way."""
        if self.state.pending:
            self._appender.close()
        else:
            self._appender.remove()


def claim_ledgers(
    directory: Path, *, prefix: str = "", exclude: frozenset[Path] = frozenset()
) -> Iterator[ClaimedLedger]:
    """Lock and yield every ledger in ``directory`` whose writer is gone (lock free).

    Ledgers of live sessions (another pytest run, this run's xdist workers) are locked by
    their writers and skipped. The caller must ``release()`` each one.
    """
    if not directory.is_dir():
        return
    for path in sorted(directory.glob(f"{prefix}*.jsonl")):
        if path in exclude:
            continue
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            continue
        if not _lock(fd):
            os.close(fd)
            continue
        try:  # the file may have been removed (and unlocked) by another sweeper meanwhile
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        yield ClaimedLedger(path, _Appender(path, fd))
