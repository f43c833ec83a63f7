"""Files on disk for the emulator: one ``<id>.json`` + ``<id>.bin`` pair per file, and seed files."""

from __future__ import annotations

import json
import mmap
import os
from pathlib import Path
from typing import Any, Optional

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import Content, FakeFiles, FakeFilesSettings
from pytest_claude_files.models import FileMetadata


class ServerError(Exception):
    """The server could not start (port in use, bad seed file, bad data dir...)."""


# -- persistence --------------------------------------------------------------------
class PersistentFakeFiles(FakeFiles):
    """A ``FakeFiles`` that keeps each file in ``directory`` (``<id>.json`` + ``<id>.bin``).

    Loaded at creation; contents are memory-mapped from disk, not read into RAM.
    """

    def __init__(self, directory: Path, settings: FakeFilesSettings, *, clock: FakeClock) -> None:
        super().__init__(settings, clock=clock)
        self.directory = directory
        self._loading = False
        directory.mkdir(parents=True, exist_ok=True)
        self._load()

    @property
    def is_new(self) -> bool:
        return not any(self.directory.glob("*.json"))

    def _load(self) -> None:
        self._loading = True
        try:
            for meta_path in sorted(self.directory.glob("file_*.json")):
                try:
                    meta = FileMetadata.model_validate_json(meta_path.read_bytes())
                except ValueError as exc:
                    reason = exc.__class__.__name__
                    raise ServerError(f"{meta_path}: unreadable metadata ({reason})") from None
                content = _map_file(meta_path.with_suffix(".bin"))
                super().add_file(
                    meta.filename, content, mime_type=meta.mime_type, downloadable=meta.downloadable,
                    scope_id=None if meta.scope is None else meta.scope.id,
                    created_at=meta.created_at, expires_at=meta.expires_at, file_id=meta.id,
                )
            self.calls.clear()
        finally:
            self._loading = False

    def _save(self, meta: FileMetadata, content: Content) -> None:
        if self._loading:
            return
        base = self.directory / meta.id
        tmp = base.with_suffix(".bin.tmp")
        with open(tmp, "wb") as out:
            view = memoryview(content)
            for start in range(0, view.nbytes, 1 << 20):
                out.write(view[start:start + (1 << 20)])
        os.replace(tmp, base.with_suffix(".bin"))
        base.with_suffix(".json").write_text(meta.model_dump_json())

    def upload(self, content: Content, filename: Optional[str], **kwargs: Any) -> FileMetadata:
        meta = super().upload(content, filename, **kwargs)
        self._save(meta, content)
        return meta

    def add_file(self, filename: str, content: Content | str = b"", **kwargs: Any) -> FileMetadata:
        meta = super().add_file(filename, content, **kwargs)
        self._save(meta, content.encode() if isinstance(content, str) else content)
        return meta

    def delete(self, file_id: str, **kwargs: Any) -> Any:
        deleted = super().delete(file_id, **kwargs)
        for suffix in (".json", ".bin"):
            (self.directory / file_id).with_suffix(suffix).unlink(missing_ok=True)
        return deleted

    def reset(self) -> None:
        super().reset()
        for path in self.directory.glob("file_*"):
            path.unlink(missing_ok=True)


def _map_file(path: Path) -> Content:
    size = path.stat().st_size
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
            probe = FakeFiles()
            probe.add_file(**kwargs)  # the filename, mime and size rules, checked now
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise ServerError(f"{where}: {message}") from None
        specs.append(spec)
    return specs


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()
