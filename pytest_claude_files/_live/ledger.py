"""The crash-safe ledger of uploads that a test session made against a live backend.

One JSON object a line, appended and ``fsync``-ed before the upload call returns to the
test, in ``<ledger dir>/<session>-<worker>-<pid>-<stamp>.jsonl``. The ledger directory
is ``.claude-files-ledger`` beside ``.pytest_cache`` (not inside it: ``--cache-clear``
must not erase the record of files still to delete). A line holds the file id, the base
URL, a fingerprint of the API key (a truncated SHA-256 of a domain-prefixed key) and a
``mac``: an HMAC-SHA256 of the line keyed by a key derived from the API key. **Never the
key itself.** The sweep only acts on lines whose ``mac`` checks out with the key it
deletes with, so a line nobody with that key wrote (forged, copied, committed to a
repository) deletes nothing.

Each process writes its own ledger file (xdist workers, forked children, and an upload
after the session closed its ledger each get a new one: the name holds the pid and a
stamp taken when the file is created) and holds an exclusive ``flock`` on it while it
lives. The lock dies with the process, also on ``SIGKILL``, so a ledger that can be
locked belongs to a writer that is over: the next session claims it (takes the lock) and
deletes what it still lists. Two sweepers can never hold the same ledger, so no file is
deleted twice. Files are opened with ``ONOFOLLOW`` and must be regular files: a
symlink, directory or FIFO named ``*.jsonl`` is skipped with a problem report.

Events (``"event"`` key): ``session`` (first line), ``upload`` (``"made": true`` for a file
the API made in reply to a request, such as code execution's output; deleted the same
way), ``deleted`` (``how``:
``cleanup``, ``already-gone``, ``test``), ``dropped`` (an upload to an in-process
emulator that is gone with its process), ``finished``. A torn last line (the process
died mid-write) is ignored; a line that is not valid is reported and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional
from urllib.parse import urlsplit

from pytest_claude_files._live.ledger_fs import (
    LEDGER_NAME,
    NOFOLLOW,
    ensure_ledger_dir,
    not_a_ledger,
    open_regular,
)
from pytest_claude_files._live.ledger_fs import fsync_dir as _fsync_dir
from pytest_claude_files._live.ledger_fs import lock as _lock

__all__ = [
    "LEDGER_DIR_NAME",
    "LEDGER_VERSION",
    "ClaimedLedger",
    "LedgerState",
    "LedgerWriter",
    "Upload",
    "claim_ledgers",
    "ensure_ledger_dir",
    "key_fingerprint",
    "ledger_mac_key",
    "normalize_base_url",
    "read_ledger",
    "valid_file_id",
]

LEDGER_DIR_NAME = ".claude-files-ledger"
LEDGER_VERSION = 2
MAX_LEDGER_BYTES = 32 * 1024 * 1024  # far above any real session; a bigger file is read up to here
_FINGERPRINT_PREFIX = b"pytest-claude-files/key-fingerprint/v1\x00"
_MAC_PREFIX = b"pytest-claude-files/ledger-mac/v2\x00"
_FINGERPRINT_HEX = 16
_FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{16}$")
_FILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")
_SIGNED_EVENTS = ("upload", "deleted", "dropped")
_LEDGER_NAME = LEDGER_NAME


def key_fingerprint(api_key: str) -> str:
    """``sha256:`` + 16 hex digits of a salted SHA-256 of ``api_key``; tells keys apart, reveals nothing."""
    digest = hashlib.sha256(_FINGERPRINT_PREFIX + api_key.encode("utf-8")).hexdigest()
    return f"sha256:{digest[:_FINGERPRINT_HEX]}"


def ledger_mac_key(api_key: str) -> bytes:
    """The key that signs ledger lines made with ``api_key`` (derived; not the key)."""
    return hashlib.sha256(_MAC_PREFIX + api_key.encode("utf-8")).digest()


def valid_file_id(file_id: object) -> bool:
    """A file id the cleanup may put in a URL: letters, digits, ``_`` and ``-`` only."""
    return isinstance(file_id, str) and _FILE_ID.match(file_id) is not None


def _valid_base_url(url: object) -> bool:
    if not isinstance(url, str) or not url or any(c in url for c in "?#\\ \r\n\t"):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and ".." not in parts.path


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


def _mac(key: bytes, record: Mapping[str, Any]) -> str:
    body = json.dumps({k: v for k, v in record.items() if k != "mac"}, separators=(",", ":"),
                      sort_keys=True)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Upload:
    """One recorded upload: where it went and with which key (by fingerprint)."""

    file_id: str
    base_url: str
    key: str  # the fingerprint, never the key
    test: Optional[str] = None
    ephemeral: bool = False
    made: bool = False  # made by the API in reply to a request (code execution's output), not uploaded

    @property
    def target(self) -> tuple[str, str]:
        return (self.base_url, self.key)


@dataclass
class LedgerState:
    """What a ledger file says: uploads in order, which of them are gone, what was rejected."""

    path: Optional[Path] = None
    session: dict[str, Any] = field(default_factory=dict)
    uploads: dict[tuple[str, str], Upload] = field(default_factory=dict)  # (base_url, id) -> Upload
    gone: set[tuple[str, str]] = field(default_factory=set)
    finished: bool = False
    torn_lines: int = 0
    cut: bool = False  # bigger than MAX_LEDGER_BYTES: only the start was read (never removed)
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> lines

    @property
    def pending(self) -> list[Upload]:
        """Uploads not yet deleted (nor dropped), in upload order."""
        return [u for k, u in self.uploads.items() if k not in self.gone]

    def reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1


class _Appender:
    """An open, locked ledger file: every ``append`` is one line, written and fsync-ed."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self.pid = os.getpid()

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def append(self, record: dict[str, Any], *, sync: bool = True, mac_key: Optional[bytes] = None) -> None:
        """Write one line (O_APPEND: never over another); ``sync`` (uploads) waits until it is
        on disk. Marks of deletes skip the fsync: losing one costs a harmless 404 later."""
        if self._fd < 0:
            raise RuntimeError(f"ledger {self.path} is closed")
        full = {"v": LEDGER_VERSION, **record}
        if mac_key is not None:
            full["mac"] = _mac(mac_key, full)
        line = json.dumps(full, separators=(",", ":"), sort_keys=True)
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


def _stamp() -> str:
    return f"{time.time_ns():x}{secrets.token_hex(3)}"


class LedgerWriter:
    """This process's ledger: created on the first record, locked until :meth:`finish`.

    A forked child that records gets a ledger of its own (its pid, its stamp), and so does
    an upload that comes after :meth:`finish` (a client used after the session ended): a
    kept ledger is never written over.
    """

    def __init__(self, directory: Path, session: str, worker: str) -> None:
        self.directory = directory
        self.session = session
        self.worker = worker
        self.path = self._new_path()
        self.paths: list[Path] = []  # every ledger this writer created, in this process
        self.finished = False
        self.late = 0  # uploads recorded after finish()
        self._appender: Optional[_Appender] = None

    def __repr__(self) -> str:
        return f"<LedgerWriter {str(self.path)!r}>"

    @property
    def prefix(self) -> str:
        """The name prefix of every ledger of this session and worker (forks included)."""
        return f"{self.session}-{self.worker}-"

    def _new_path(self) -> Path:
        return self.directory / f"{self.session}-{self.worker}-{os.getpid()}-{_stamp()}.jsonl"

    @property
    def created(self) -> bool:
        return self._current() is not None

    def _current(self) -> Optional[_Appender]:
        appender = self._appender
        if appender is not None and appender.pid != os.getpid():
            # forked: the inherited descriptor (and lock) are the parent's; start our own
            self._appender = None
            self.paths = []
            self.finished = False
            return None
        return appender

    def _open(self) -> _Appender:
        appender = self._current()
        if appender is not None:
            return appender
        ensure_ledger_dir(self.directory)
        while True:
            path = self._new_path()
            tmp = self.directory / f".{path.name}.new"
            try:
                # created under a name sweepers ignore, locked, then linked into place: a
                # sweeper never sees this ledger unlocked, and nothing is ever truncated
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | NOFOLLOW, 0o600)
            except FileExistsError:  # pragma: no cover - a random stamp that repeats
                continue
            break
        if not _lock(fd):  # pragma: no cover - a file we just created
            os.close(fd)
            raise RuntimeError(f"ledger {tmp} is locked by another process")
        appender = _Appender(path, fd)
        appender.append(
            {"event": "session", "session": self.session, "worker": self.worker,
             "pid": os.getpid(), "at": _now()}
        )
        try:
            os.link(tmp, path)  # fails rather than replace an existing ledger
        finally:
            os.unlink(tmp)
        _fsync_dir(self.directory)
        self.path = path
        self.paths.append(path)
        self._appender = appender
        return appender

    def record_upload(self, upload: Upload, mac_key: Optional[bytes] = None) -> None:
        record: dict[str, Any] = {
            "event": "upload", "id": upload.file_id, "base_url": upload.base_url,
            "key": upload.key, "at": _now(),
        }
        if upload.test:
            record["test"] = upload.test
        if upload.ephemeral:
            record["ephemeral"] = True
        if upload.made:
            record["made"] = True
        if self.finished and self._current() is None:
            self.late += 1
        self._open().append(record, mac_key=mac_key)

    def record_gone(self, upload: Upload, how: str, mac_key: Optional[bytes] = None) -> None:
        appender = self._current()
        if appender is None:
            return  # nothing recorded here, nothing to mark
        appender.append(
            {"event": "deleted", "id": upload.file_id, "base_url": upload.base_url,
             "key": upload.key, "how": how, "at": _now()},
            sync=False, mac_key=mac_key,
        )

    def finish(self, *, remove: bool) -> None:
        """End of session: remove the ledger when nothing is pending, else mark it finished."""
        appender = self._current()
        self.finished = True
        if appender is None:
            return
        if remove:
            appender.remove()
        else:
            appender.append({"event": "finished", "at": _now()}, sync=False)
            appender.close()
        self._appender = None


def _read_fd(fd: int) -> tuple[bytes, bool]:
    """The file's bytes up to ``MAX_LEDGER_BYTES``, and whether there is more."""
    chunks = []
    size = 0
    os.lseek(fd, 0, os.SEEK_SET)
    while size < MAX_LEDGER_BYTES:
        chunk = os.read(fd, min(1 << 20, MAX_LEDGER_BYTES - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), size >= MAX_LEDGER_BYTES and bool(os.read(fd, 1))


def read_ledger(path: Path, mac_keys: Mapping[str, bytes] = {}, *, fd: Optional[int] = None) -> LedgerState:
    """Parse a ledger file line by line (through ``fd`` when given; never through a link).

    A line of a key in ``mac_keys`` (fingerprint -> MAC key) counts only when its ``mac``
    checks out; lines of other keys are kept as they are (nothing here deletes for them).
    Torn, malformed and unsigned lines are counted in ``rejected`` and skipped.
    """
    state = LedgerState(path=path)
    if fd is None:
        own, why = open_regular(path, os.O_RDONLY)
        if own is None:
            if why:
                state.reject(f"the ledger is {why}")
            return state
        try:
            raw, state.cut = _read_fd(own)
        finally:
            os.close(own)
    else:
        raw, state.cut = _read_fd(fd)
    lines = raw.split(b"\n")
    if state.cut:  # read up to the limit: the rest stays on disk, and so does the ledger
        lines.pop()
        state.reject(f"the ledger is over {MAX_LEDGER_BYTES >> 20} MiB: read up to there, "
                     "the rest is kept for a later sweep")
    for line in lines:
        if line.strip():
            _read_line(state, line, mac_keys)
    return state


def _read_line(state: LedgerState, line: bytes, mac_keys: Mapping[str, bytes]) -> None:
    try:
        rec = json.loads(line)
    except ValueError:
        state.torn_lines += 1
        return
    if not isinstance(rec, dict):
        state.reject("not a JSON object")
        return
    event = rec.get("event")
    if event == "session":
        state.session = rec
        return
    if event == "finished":
        state.finished = True
        return
    if event not in _SIGNED_EVENTS:
        state.reject("unknown event")
        return
    file_id, base_url, key, test = rec.get("id"), rec.get("base_url"), rec.get("key"), rec.get("test")
    if not valid_file_id(file_id):
        state.reject("not a file id")
        return
    if not _valid_base_url(base_url):
        state.reject("not a base URL")
        return
    if not isinstance(key, str) or not _FINGERPRINT.match(key):
        state.reject("not a key fingerprint")
        return
    if test is not None and not isinstance(test, str):
        state.reject("not a test id")
        return
    mac_key = mac_keys.get(key)
    if mac_key is not None:
        mac = rec.get("mac")
        if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(mac_key, rec)):
            state.reject("signature does not match (not written by a session with this key)")
            return
    assert isinstance(file_id, str) and isinstance(base_url, str)
    if event == "upload":
        up = Upload(file_id=file_id, base_url=base_url, key=key, test=test,
                    ephemeral=bool(rec.get("ephemeral", False)), made=rec.get("made") is True)
        state.uploads.setdefault((base_url, file_id), up)
    else:
        state.gone.add((base_url, file_id))


class ClaimedLedger:
    """A ledger of a writer that is over, locked by this process until :meth:`release`."""

    def __init__(self, path: Path, appender: _Appender, fd: int, mac_keys: Mapping[str, bytes]) -> None:
        self.path = path
        self._appender = appender
        self._mac_keys = mac_keys
        self.state = read_ledger(path, mac_keys, fd=fd)

    def __repr__(self) -> str:
        return f"<ClaimedLedger {str(self.path)!r} pending={len(self.state.pending)}>"

    def mark(self, upload: Upload, event: str, how: str) -> None:
        self._appender.append(
            {"event": event, "id": upload.file_id, "base_url": upload.base_url,
             "key": upload.key, "how": how, "at": _now()},
            sync=False, mac_key=self._mac_keys.get(upload.key),
        )
        self.state.gone.add((upload.base_url, upload.file_id))

    def release(self) -> None:
        """Remove the ledger when nothing is pending any more; unlock it either way."""
        if self.state.pending or self.state.cut:
            self._appender.close()
        else:
            self._appender.remove()


def claim_ledgers(
    directory: Path, *, prefix: str = "", exclude: frozenset[Path] = frozenset(),
    mac_keys: Mapping[str, bytes] = {}, problems: Optional[list[str]] = None,
    busy: Optional[list[Path]] = None,
) -> Iterator[ClaimedLedger]:
    """Lock and yield every ledger in ``directory`` whose writer is gone (lock free).

    Ledgers of live writers (another pytest run, this run's xdist workers, a forked child
    still running) are locked by them and skipped. Entries that are not regular files are
    skipped and described in ``problems``; locked ones are listed in ``busy``. The caller
    must ``release()`` each one.
    """
    try:
        if not stat.S_ISDIR(os.lstat(directory).st_mode):
            return
        names = sorted(os.listdir(directory))
    except OSError:
        return
    for name in names:
        if not name.endswith(".jsonl") or not name.startswith(prefix) or name.startswith("."):
            continue
        path = directory / name
        if path in exclude:
            continue
        fd, why = open_regular(path, os.O_RDWR | os.O_APPEND)
        if fd is None:
            if why and problems is not None:
                problems.append(f"skipped {path}: it is {why}, not a ledger file")
            continue
        if not _LEDGER_NAME.match(name):  # a file of the user's (seed.jsonl): never touched
            os.close(fd)
            continue
        if not _lock(fd):
            os.close(fd)
            if busy is not None:
                busy.append(path)
            continue
        try:  # the file may have been removed (and unlocked) by another sweeper meanwhile
            same = os.path.samestat(os.fstat(fd), os.lstat(path))
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        foreign = not_a_ledger(fd)
        if foreign:
            os.close(fd)
            if problems is not None:
                problems.append(f"left {path} alone: it is {foreign}, not a ledger this plugin wrote")
            continue
        claimed = ClaimedLedger(path, _Appender(path, fd), fd, mac_keys)
        if problems is not None and claimed.state.rejected:
            detail = ", ".join(f"{n} {why}" for why, n in sorted(claimed.state.rejected.items()))
            problems.append(f"ignored lines of {path}: {detail}")
        yield claimed
