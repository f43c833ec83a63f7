"""The emulator's persistent Files resource (``PersistentFakeFiles``: a ``FilesResource``
with a :class:`~pytest_claude_files.server._store.DirectoryStore` plugged in), and seed files."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any, Optional

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import FakeFilesSettings, FilesResource
from pytest_claude_files._core.service import FakeService
from pytest_claude_files.server._store import STEPS as STEPS
from pytest_claude_files.server._store import WORKSPACE_KEY as WORKSPACE_KEY
from pytest_claude_files.server._store import DirectoryStore
from pytest_claude_files.server._store import StoreIO as StoreIO


class ServerError(Exception):
    """The server could not start (port in use, bad seed file, bad data dir...)."""


class PersistentFakeFiles(FilesResource):
    """A Files resource whose storage is a :class:`DirectoryStore` in ``directory``
    (``<id>.json`` + ``<id>.bin`` per file). Nothing is overridden: the store is plugged in
    (``self.storage``); ``io``, ``start_warnings``, ``directory`` and ``quarantine`` are
    the store's."""

    def __init__(self, directory: Path, settings: FakeFilesSettings, *, clock: FakeClock,
                 quarantine: Optional[Path] = None, io: Optional[StoreIO] = None,
                 calls_kept: Optional[int] = None) -> None:
        self.store = DirectoryStore(directory, quarantine=quarantine, io=io)
        super().__init__(settings, clock=clock, storage=self.store, calls_kept=calls_kept)

    @property
    def directory(self) -> Path:
        return self.store.directory

    @property
    def quarantine(self) -> Path:
        return self.store.quarantine

    @property
    def io(self) -> StoreIO:
        """The disk operations (tests replace it: a full disk, a crash at a step)."""
        return self.store.io

    @io.setter
    def io(self, value: StoreIO) -> None:
        self.store.io = value

    @property
    def start_warnings(self) -> list[str]:
        return self.store.start_warnings

    @property
    def is_new(self) -> bool:
        return self.store.is_new


NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)
"""What a full disk (or no inodes left, or a read-only one) answers a new file: the server still
starts on a data dir that holds state, and serves it; writes answer the API's 500."""


def check_data_dir(path: Path) -> Optional[str]:
    """Make ``path`` if need be and probe it with a new file; a clear error when it cannot be
    used, a warning (returned) when it exists but has no room for new files (reads are served)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
        probe.unlink()
    except OSError as exc:
        if exc.errno in NO_ROOM and path.is_dir():
            return (f"--data-dir {path}: no room for new files ({exc.strerror}): what it holds is served, "
                    "writes answer 500 until there is room")
        raise ServerError(f"--data-dir {path}: not a writable directory ({exc.strerror})") from None
    return None


def load_seed_file(path: os.PathLike[str] | str) -> list[dict[str, Any]]:
    """File specs from a JSON Lines seed file (one file object a line; ``#`` comments).

    Each line: ``{"filename": "report.csv", "content": "a,b\\n", "downloadable": true}``
    (``content_base64`` for binary, ``content_file`` for a path relative to the seed file,
    ``mime_type``, ``scope_id``, ``created_at``, ``expires_at``). Errors name the line.
    """
    from pytest_claude_files.server._seed import file_spec_kwargs

    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ServerError(f"seed file {source}: cannot read it ({reason})") from None
    specs: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{source}:{number}"
        try:
            spec = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ServerError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if isinstance(spec, dict) and "content_file" in spec:
            if "content" in spec or "content_base64" in spec:
                raise ServerError(f"{where}: give one of content, content_base64, content_file")
            target = source.parent / str(spec.pop("content_file"))
            try:
                spec["content_base64"] = _b64(target.read_bytes())
            except OSError as exc:
                raise ServerError(f"{where}: content_file {target}: {exc.strerror}") from None
        try:
            kwargs = file_spec_kwargs(spec, "file")
            probe = FakeService()
            probe.add_file(**kwargs)  # the filename, mime and size rules, checked now
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise ServerError(f"{where}: {message}") from None
        specs.append(spec)
    return specs


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()
