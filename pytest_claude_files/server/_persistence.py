"""Files on disk for the emulator: one ``<id>.json`` + ``<id>.bin`` pair per file, and seed files."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import mmap
import os
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Optional

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import Call, Content, FakeFilesSettings, FilesResource
from pytest_claude_files._core.service import FakeService
from pytest_claude_files.errors import FilesAPIError, FilesInternalError
from pytest_claude_files.models import FileMetadata


class ServerError(Exception):
    """The server could not start (port in use, bad seed file, bad data dir...)."""


# -- persistence --------------------------------------------------------------------
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


class PersistentFakeFiles(FilesResource):
    """A Files resource that keeps each file in ``directory`` (``<id>.json`` + ``<id>.bin``).

    Writes are atomic: the content goes to a temporary file (fsync), is renamed to
    ``<id>.bin``, then the metadata likewise to ``<id>.json``, the commit point, and the
    directory is fsynced; only then is the upload acknowledged. The commit and a delete
    hold the same lock, so a delete always wins over a write still in flight. On start,
    what cannot be read (empty or corrupt metadata, a ``.bin`` without metadata, ``*.tmp``
    left by a crash) is moved to ``quarantine`` with a warning, and the rest is served.
    A full disk fails the upload with the API's 500 envelope and leaves nothing behind.
    Contents are memory-mapped from disk, not read into RAM; the directory is made on
    the first write.
    """

    def __init__(self, directory: Path, settings: FakeFilesSettings, *, clock: FakeClock,
                 quarantine: Optional[Path] = None, io: Optional[StoreIO] = None) -> None:
        super().__init__(settings, clock=clock)
        self.directory = directory
        self.quarantine = quarantine or directory.parent.parent / "quarantine" / directory.name
        self.io = io or StoreIO()
        self.start_warnings: list[str] = []
        self._loading = False
        self._staged = threading.local()
        self._load()

    @property
    def is_new(self) -> bool:
        return not any(self.directory.glob("*.json"))

    # -- loading ------------------------------------------------------------------
    def _load(self) -> None:
        if not self.directory.is_dir():
            return
        self._loading = True
        try:
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
                    content = _map_file(bin_path, meta.size_bytes)
                    super().add_file(
                        meta.filename, content, mime_type=meta.mime_type, downloadable=meta.downloadable,
                        scope_id=None if meta.scope is None else meta.scope.id,
                        created_at=meta.created_at, expires_at=meta.expires_at, file_id=meta.id,
                        workspace_id=workspace,
                    )
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
            self.calls.clear()
        finally:
            self._loading = False

    def _quarantine(self, path: Path, reason: str) -> None:
        self.quarantine.mkdir(parents=True, exist_ok=True)
        target = self.quarantine / path.name
        number = 1
        while target.exists():
            target = self.quarantine / f"{path.name}.{number}"
            number += 1
        os.replace(path, target)
        message = f"quarantined {path} -> {target}: {reason}"
        self.start_warnings.append(message)
        logger.warning("claude-files-fake: %s", message)

    # -- writing ------------------------------------------------------------------
    def upload(self, content: Content, filename: Optional[str], **kwargs: Any) -> FileMetadata:
        with self._staging(content, filename):
            return super().upload(content, filename, **kwargs)

    def add_file(self, filename: str, content: Content | str = b"", **kwargs: Any) -> FileMetadata:
        data: Content = content.encode() if isinstance(content, str) else content
        if self._loading:
            return super().add_file(filename, data, **kwargs)
        with self._staging(data, filename):
            return super().add_file(filename, data, **kwargs)

    @contextlib.contextmanager
    def _staging(self, content: Content, filename: Optional[str]) -> Iterator[None]:
        """Write ``content`` to a temporary file before the lock is taken (the slow part)."""
        size = len(content) if not isinstance(content, memoryview) else content.nbytes
        staged: Optional[Path] = None
        if size <= self.settings.max_file_size:  # else the upload fails: nothing to write
            try:
                staged = self._stage(content)
            except OSError as exc:
                error = _disk_error(exc, self.directory)
                self.calls.append(Call("upload", None, {"filename": filename, "size": size}, error))
                raise error from None
        self._staged.path = staged
        try:
            yield
        finally:
            self._staged.path = None
            if staged is not None:
                staged.unlink(missing_ok=True)

    def _stage(self, content: Content) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"upload-{uuid.uuid4().hex}.tmp"
        try:
            self._write(path, memoryview(content), "stage")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _write(self, path: Path, view: memoryview, what: str) -> None:
        io = self.io
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

    def _store(self, filename: str, mime_type: str, content: Content, created_at: datetime,
               downloadable: bool, scope_id: Optional[str], expires_at: Optional[datetime],
               record_as: Optional[str], file_id: Optional[str] = None,
               workspace: Optional[str] = None) -> FileMetadata:
        meta = super()._store(filename, mime_type, content, created_at, downloadable, scope_id,
                              expires_at, record_as, file_id, workspace)
        if self._loading:
            return meta
        staged: Optional[Path] = getattr(self._staged, "path", None)
        try:
            if staged is None:
                staged = self._stage(content)
            self._commit(meta, staged, workspace)
        except OSError as exc:
            self._discard(meta.id)
            if record_as:
                self.calls.pop()
            for suffix in (".json", ".bin"):
                (self.directory / meta.id).with_suffix(suffix).unlink(missing_ok=True)
            raise _disk_error(exc, self.directory) from None
        finally:
            if staged is not None:
                staged.unlink(missing_ok=True)
        size = meta.size_bytes
        if isinstance(content, memoryview) or size > _REMAP_ABOVE:
            # served from the stored file from now on: a spooled request body is unmapped
            # (and its disk space freed) as soon as the request is over
            self._files[meta.id].content = _map_file(self.directory / f"{meta.id}.bin", size)
        return meta

    def _commit(self, meta: FileMetadata, staged: Path, workspace: Optional[str] = None) -> None:
        """Under the lock: the content in place, then the metadata (the commit point)."""
        io, base = self.io, self.directory / meta.id
        io.step("bin.rename")
        os.replace(staged, base.with_suffix(".bin"))
        meta_tmp = self.directory / f"{meta.id}.json.tmp"
        try:
            record = meta.model_dump_json().encode()
            if workspace is not None:  # the file's workspace, for ``partition_workspaces`` after a restart
                record = record[:-1] + b"," + json.dumps({WORKSPACE_KEY: workspace})[1:].encode()
            self._write(meta_tmp, memoryview(record), "meta")
            io.step("meta.rename")
            os.replace(meta_tmp, base.with_suffix(".json"))
        finally:
            meta_tmp.unlink(missing_ok=True)
        io.step("dir.fsync")
        _fsync_dir(self.directory)

    # -- deleting -----------------------------------------------------------------
    def delete(self, file_id: str, **kwargs: Any) -> Any:
        with self._lock:  # the same lock as a commit: a delete wins over a write in flight
            deleted = super().delete(file_id, **kwargs)
            self._remove(file_id)
        return deleted

    def _remove(self, file_id: str) -> None:
        base = self.directory / file_id
        self.io.step("delete.meta")
        base.with_suffix(".json").unlink(missing_ok=True)  # gone for good from here on
        _fsync_dir(self.directory)
        self.io.step("delete.bin")
        base.with_suffix(".bin").unlink(missing_ok=True)

    def reset(self) -> None:
        super().reset()
        with self._lock:  # what was committed after the reset stays
            if not self.directory.is_dir():
                return
            for path in sorted(self.directory.glob("file_*.json")):
                if path.stem not in self._files:
                    path.unlink(missing_ok=True)
            _fsync_dir(self.directory)
            for path in self.directory.glob("file_*.bin"):
                if path.stem not in self._files:
                    path.unlink(missing_ok=True)


def _disk_error(exc: OSError, directory: Path) -> FilesInternalError:
    what = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror or str(exc)
    return FilesInternalError(f"Internal server error: the emulator could not store the file in {directory} "
                    f"({what}); nothing was stored.")


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


def _fsync_dir(directory: Path) -> None:
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


def check_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ServerError(f"--data-dir {path}: not a writable directory ({exc.strerror})") from None


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
