"""The life of the files a test's code uploaded: findings for the session verdict.

- ``duplicate-upload``: the same bytes uploaded again while the first upload's file still
  exists (reuse its ``file_id``: every upload is stored, and counts against the quota);
- ``upload-never-deleted``: at the end of the test, a file the code uploaded that is still
  there and has no ``expires_at`` (on the real API it stays until someone deletes it).

Both are findings (``MisuseLog.finding``): the verdict reports them, no warning is given
(a test may do either on purpose). Only uploads over HTTP count (what the code under
test does); files a test seeds with ``add_file`` do not. Nothing is watched unless a
verdict collects (the pytest plugin registers one in ``misuse.SINKS``).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any, Optional, Protocol

from pytest_claude_files._core.misuse import SINKS, MisuseLog, user_frame
from pytest_claude_files.models import FileMetadata

__all__ = ["Lifecycle"]

HASHED_BYTES = 64 * 1024 * 1024
"""Bytes of an upload hashed to tell copies apart (beyond: the size and the first 64 MB)."""
MAX_WATCHED = 10_000
"""Uploads watched at most (a long-lived emulator must not grow without end)."""


class _Files(Protocol):
    misuse: MisuseLog

    def content(self, file_id: str, *, workspace_id: Optional[str] = None) -> bytes: ...

    def get(self, file_id: str, *, workspace_id: Optional[str] = None) -> FileMetadata: ...


class Lifecycle:
    """Uploads of one fake, watched for the two findings above."""

    def __init__(self, files: _Files) -> None:
        self._files = files
        self._lock = threading.Lock()
        self._uploads: dict[str, tuple[FileMetadata, Optional[tuple[str, int]], Optional[str]]] = {}
        self._by_digest: dict[tuple[Optional[str], str], str] = {}

    def reset(self) -> None:
        with self._lock:
            self._uploads.clear()
            self._by_digest.clear()

    def _exists(self, file_id: str, workspace: Optional[str]) -> bool:
        try:
            self._files.get(file_id, workspace_id=workspace)
        except Exception:
            return False
        return True

    def uploaded(self, meta: FileMetadata, workspace: Optional[str] = None) -> None:
        """An upload over HTTP succeeded (the handler calls this). Nothing is watched when no
        verdict collects the findings (``misuse.SINKS`` empty: the standalone emulator)."""
        if not SINKS:
            return
        where = user_frame()
        try:
            data = bytes(self._files.content(meta.id, workspace_id=workspace))
        except Exception:  # pragma: no cover - just stored
            return
        digest = hashlib.sha256(data[:HASHED_BYTES]).hexdigest() + f":{len(data)}"
        key = (workspace, digest)
        with self._lock:
            first = self._by_digest.get(key)
            if len(self._uploads) >= MAX_WATCHED:
                self._uploads.pop(next(iter(self._uploads)))
                if len(self._by_digest) >= MAX_WATCHED:
                    self._by_digest.clear()
            self._uploads[meta.id] = (meta, where, workspace)
            if first is None or first == meta.id or not self._exists(first, workspace):
                self._by_digest[key] = meta.id
                return
            earlier = self._uploads.get(first)
        name = earlier[0].filename if earlier is not None else "?"
        self._files.misuse.finding(
            "duplicate-upload",
            f"{meta.filename!r} ({meta.size_bytes} bytes) was uploaded with the same bytes as {first} "
            f"({name!r}), which still exists: reuse that file_id instead of uploading again (every "
            "upload is stored, and counts against the organization's storage until deleted).",
            where=where,
        )

    def finish(self) -> None:
        """End of a test: each upload still there without an expiry is a finding."""
        with self._lock:
            uploads = list(self._uploads.values())
            self._uploads.clear()
            self._by_digest.clear()
        for meta, where, workspace in uploads:
            current: Any
            try:
                current = self._files.get(meta.id, workspace_id=workspace)
            except Exception:
                continue  # deleted (or expired and gone): fine
            if getattr(current, "expires_at", None) is not None:
                continue
            self._files.misuse.finding(
                "upload-never-deleted",
                f"{meta.id} ({meta.filename!r}) was uploaded and, at the end of the test, neither deleted "
                "nor given an expiry: on the real API it stays on the account (and counts against its "
                "storage) until someone deletes it. Delete it when done (client.beta.files.delete), or "
                "upload it with expires_in_seconds.",
                where=where,
            )
