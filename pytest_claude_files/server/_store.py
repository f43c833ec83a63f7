"""The emulator's directory store: a :class:`~pytest_claude_files._core.storage.Storage` that
keeps each file as ``<id>.json`` + ``<id>.bin`` in a directory (``--data-dir``).

Writes are atomic: the content goes to a temporary file (fsync) before the resource's lock
is taken (:meth:`DirectoryStore.stage`), is renamed to ``<id>.bin`` under the lock, then
the metadata likewise to ``<id>.json``, the commit point, and the directory is fsynced; only
then is the upload acknowledged (:meth:`DirectoryStore.commit`). The commit and a delete run
under the same lock (the resource's), so a delete always wins over a write still in flight.
On start (:meth:`DirectoryStore.load`), what cannot be read (empty or corrupt metadata, a
``.bin`` without metadata, ``*.tmp`` left by a crash) is moved to ``quarantine`` with a
warning, and the rest is served. A full disk fails the upload with the API's 500 envelope
and leaves nothing behind. Contents are memory-mapped from disk, not read into RAM; the
directory is made on the first write.
"""

from __future__ import annotations

import errno
import json
import logging
import mmap
import os
import uuid
from pathlib import Path
from typing import Collection, Optional

from pytest_claude_files._core.storage import Content, Restore
from pytest_claude_files.errors import FilesAPIError, FilesInternalError
from pytest_claude_files.models import FileMetadata

__all__ = ["STEPS", "WORKSPACE_KEY", "DirectoryStore", "StoreIO", "disk_error", "fsync_dir", "put_file",
           "quarantine", "write_new"]


class StoreIO:
    """The disk operations of the store, each announced by :meth:`step` first.

    Tests replace it (``PersistentFakeFiles.io``) to inject a full disk (``write`` raising
    ``ENOSPC``) or a crash at any step of a write (``step`` calling ``os._exit``). The
    steps, in order: ``stage.write``, ``stage.fsync``, ``bin.rename``, ``meta.write``,
    ``meta.fsync``, ``meta.rename``, ``dir.fsync`` (an upload); ``delete.meta``,
    ``delete.bin`` (a delete).
    """

    def step(self, name: str) -> None:
        """Called before each step (a no-op here)."""

    def write(self, fd: int, data: memoryview) -> int:
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)


STEPS = ("stage.write", "stage.fsync", "bin.rename", "meta.write", "meta.fsync", "meta.rename",
         "dir.fsync", "delete.meta", "delete.bin")
"""The steps :class:`StoreIO` announces, in the order an upload then a delete takes them."""
_CHUNK = 1 << 20
WORKSPACE_KEY = "x_claude_files_workspace"
"""The key of ``<id>.json`` that keeps a file's workspace (absent: the default workspace)."""
_REMAP_ABOVE = 64 * 1024  # larger contents are served from the stored file, not kept in RAM
logger = logging.getLogger("pytest_claude_files.server")


class DirectoryStore:
    """A storage in ``directory`` (see the module's docstring); ``io`` performs the disk
    operations (tests replace it: a full disk, a crash at any step)."""

    def __init__(self, directory: Path, *, quarantine: Optional[Path] = None,
                 io: Optional[StoreIO] = None) -> None:
        self.directory = directory
        self.quarantine = quarantine or directory.parent.parent / "quarantine" / directory.name
        self.io = io or StoreIO()
        self.start_warnings: list[str] = []

    @property
    def is_new(self) -> bool:
        return not any(self.directory.glob("*.json"))

    # -- the Storage protocol ---------------------------------------------------------
    def stage(self, content: Content) -> object:
        """Before the lock: the content in a temporary file, fsynced (the slow part)."""
        try:
            return self._stage(content)
        except OSError as exc:
            raise disk_error(exc, self.directory) from None

    def commit(
        self, meta: FileMetadata, workspace: Optional[str], content: Content, staged: object
    ) -> Content:
        """Under the lock: the content in place, then the metadata (the commit point)."""
        path = staged if isinstance(staged, Path) else None
        try:
            if path is None:
                path = self._stage(content)
            self._commit(meta, path, workspace)
        except OSError as exc:
            for suffix in (".json", ".bin"):
                (self.directory / meta.id).with_suffix(suffix).unlink(missing_ok=True)
            raise disk_error(exc, self.directory) from None
        finally:
            if path is not None and path is not staged:
                path.unlink(missing_ok=True)
        size = meta.size_bytes
        if isinstance(content, memoryview) or size > _REMAP_ABOVE:
            # served from the stored file from now on: a spooled request body is unmapped
            # (and its disk space freed) as soon as the request is over
            return _map_file(self.directory / f"{meta.id}.bin", size)
        return content

    def release(self, staged: object) -> None:
        if isinstance(staged, Path):
            staged.unlink(missing_ok=True)  # renamed away by a commit; else it goes now

    def remove(self, file_id: str) -> None:
        base = self.directory / file_id
        self.io.step("delete.meta")
        base.with_suffix(".json").unlink(missing_ok=True)  # gone for good from here on
        fsync_dir(self.directory)
        self.io.step("delete.bin")
        base.with_suffix(".bin").unlink(missing_ok=True)

    def clear(self, keep: Collection[str]) -> None:
        """After a reset: every file but those in ``keep`` (committed after it) goes."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("file_*.json")):
            if path.stem not in keep:
                path.unlink(missing_ok=True)
        fsync_dir(self.directory)
        for path in self.directory.glob("file_*.bin"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)

    def load(self, restore: Restore) -> None:
        """Every readable file back to the resource; the rest to quarantine."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.tmp")):
            self._quarantine(path, "an unfinished write (a crash or a full disk)")
        loaded: set[str] = set()
        for meta_path in sorted(self.directory.glob("file_*.json")):
            bin_path = meta_path.with_suffix(".bin")
            try:
                record = json.loads(meta_path.read_bytes())
                if not isinstance(record, dict):
                    raise ValueError("metadata is not a JSON object")
                workspace = record.pop(WORKSPACE_KEY, None)
                if workspace is not None and not isinstance(workspace, str):
                    raise ValueError("the workspace is not a string")
                meta = FileMetadata.model_validate(record)
                if meta.id != meta_path.stem:
                    raise ValueError("metadata of another file")
                restore(meta, workspace, _map_file(bin_path, meta.size_bytes))
            except (ValueError, OSError, FilesAPIError) as exc:
                reason = "empty" if _size(meta_path) == 0 else _reason(exc)
                self._quarantine(meta_path, f"unreadable metadata ({reason})")
                if bin_path.exists():
                    self._quarantine(bin_path, "its metadata was unreadable")
                continue
            loaded.add(meta.id)
        for bin_path in sorted(self.directory.glob("file_*.bin")):
            if bin_path.stem not in loaded:
                self._quarantine(bin_path, "content without metadata (an upload cut short)")

    # -- the disk -----------------------------------------------------------------------
    def _quarantine(self, path: Path, reason: str) -> None:
        quarantine(path, self.quarantine, reason, self.start_warnings)

    def _stage(self, content: Content) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"upload-{uuid.uuid4().hex}.tmp"
        try:
            write_new(self.io, path, memoryview(content), "stage")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _commit(self, meta: FileMetadata, staged: Path, workspace: Optional[str] = None) -> None:
        io, base = self.io, self.directory / meta.id
        io.step("bin.rename")
        os.replace(staged, base.with_suffix(".bin"))
        record = meta.model_dump_json().encode()
        if workspace is not None:  # the file's workspace, for ``partition_workspaces`` after a restart
            record = record[:-1] + b"," + json.dumps({WORKSPACE_KEY: workspace})[1:].encode()
        put_file(io, self.directory, f"{meta.id}.json", record, "meta")
        io.step("dir.fsync")
        fsync_dir(self.directory)


def write_new(io: StoreIO, path: Path, view: memoryview, what: str) -> None:
    """Write a new file ``path`` and fsync it (steps ``{what}.write``, ``{what}.fsync``)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        io.step(f"{what}.write")
        view = view.cast("B") if view.format != "B" or view.ndim != 1 else view
        done = 0
        while done < view.nbytes:
            done += io.write(fd, view[done:done + _CHUNK])
        io.step(f"{what}.fsync")
        io.fsync(fd)
    finally:
        os.close(fd)


def put_file(io: StoreIO, directory: Path, name: str, data: bytes, what: str) -> None:
    """``directory/name`` holds ``data`` whole or not at all: a temporary file, fsynced, renamed
    over it (steps ``{what}.write``, ``{what}.fsync``, ``{what}.rename``); the caller fsyncs
    the directory."""
    temporary = directory / f"{name}.tmp"
    try:
        write_new(io, temporary, memoryview(data), what)
        io.step(f"{what}.rename")
        os.replace(temporary, directory / name)
    finally:
        temporary.unlink(missing_ok=True)


def quarantine(path: Path, into: Path, reason: str, warnings: list[str]) -> None:
    """Move ``path`` into ``into`` (never over another) with a warning; when the disk has no
    room for it (no inodes left), it stays where it is, and is not served, with a warning."""
    try:
        into.mkdir(parents=True, exist_ok=True)
        target = into / path.name
        number = 1
        while target.exists():
            target = into / f"{path.name}.{number}"
            number += 1
        os.replace(path, target)
        message = f"quarantined {path} -> {target}: {reason}"
    except OSError as exc:
        message = f"set aside {path} (not served; left in place: {exc.strerror or exc}): {reason}"
    warnings.append(message)
    logger.warning("claude-files-fake: %s", message)


def disk_error(exc: OSError, directory: Path, what: str = "the file") -> FilesInternalError:
    """The API's 500 for a write the disk refused."""
    why = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror or str(exc)
    return FilesInternalError(f"Internal server error: the emulator could not store {what} in {directory} "
                              f"({why}); nothing was stored.")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or exc.__class__.__name__
    if isinstance(exc, FilesAPIError):
        return exc.message
    if exc.__class__.__name__ == "ValidationError":  # pydantic's: not JSON, or not a file's fields
        return "not valid file metadata JSON"
    return str(exc) or exc.__class__.__name__


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _map_file(path: Path, expected: Optional[int] = None) -> Content:
    size = path.stat().st_size
    if expected is not None and size != expected:
        raise ValueError(f"content is {size} bytes, the metadata says {expected}")
    if size == 0:
        return b""
    with open(path, "rb") as handle:
        return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))


