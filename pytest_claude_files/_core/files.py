"""The Files resource of the fake: state and rules, no HTTP.

``FilesResource`` (``claude_files.files``) holds files in id order (ids sort by creation
time, see ``_ids``), so a page is a binary search plus a slice: O(limit + log n), and a
cursor is a position that keeps working when the file it names is deleted. Every public method
takes one lock (no lost update); errors are ``pytest_claude_files.errors``, a refusal changes nothing.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar, Union, overload

from pytest_claude_files._core import file_notices as _notices
from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core.calls import Call as Call
from pytest_claude_files._core.calls import CallRecord, _new_call
from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.misuse import ListingTracker, MisuseLog
from pytest_claude_files._core.naming import check_filename, unnamed_filename, upload_mime_type
from pytest_claude_files._core.pages import DEFAULT_LIMIT as DEFAULT_LIMIT
from pytest_claude_files._core.pages import MAX_EXPIRES_IN as MAX_EXPIRES_IN
from pytest_claude_files._core.pages import MAX_IDS as MAX_IDS
from pytest_claude_files._core.pages import MAX_LIMIT as MAX_LIMIT
from pytest_claude_files._core.pages import MIN_EXPIRES_IN as MIN_EXPIRES_IN
from pytest_claude_files._core.pages import MIN_LIMIT as MIN_LIMIT
from pytest_claude_files._core.pages import PAGE_TOKEN_PREFIX as PAGE_TOKEN_PREFIX
from pytest_claude_files._core.pages import AgentsPage as AgentsPage
from pytest_claude_files._core.pages import BetaPage, GAPage, check_limit, cursor_walk, insert_sorted
from pytest_claude_files._core.pages import decode_page_token as decode_page_token
from pytest_claude_files._core.pages import encode_page_token as encode_page_token
from pytest_claude_files._core.settings import DEFAULT_STORAGE_QUOTA_BYTES as DEFAULT_STORAGE_QUOTA_BYTES
from pytest_claude_files._core.settings import EXPIRED_METADATA_WINDOW as EXPIRED_METADATA_WINDOW
from pytest_claude_files._core.settings import MAX_FILE_BYTES as MAX_FILE_BYTES
from pytest_claude_files._core.settings import MB as MB
from pytest_claude_files._core.settings import FakeFilesSettings as FakeFilesSettings
from pytest_claude_files._core.storage import Content as Content
from pytest_claude_files._core.storage import MemoryStorage, Storage
from pytest_claude_files.errors import (
    FilesAPIError,
    InvalidRequestError,
    NotFoundError,
    RequestTooLargeError,
    shown,
)
from pytest_claude_files.models import DeletedFile, Dialect, FileMetadata, FileScope

__all__ = ["AgentsPage", "BetaPage", "Call", "FakeFilesSettings", "FilesResource", "GAPage",
           "decode_page_token", "encode_page_token"]

_R = TypeVar("_R")

@dataclass
class _Stored:
    meta: FileMetadata
    content: Optional[Content]
    workspace: Optional[str] = None


class FilesResource:
    """The Files API of one fake account: ``claude_files.files``.

    A sequence of every file's metadata, newest first (``list(claude_files.files)``,
    ``claude_files.files[0]``, ``len(...)``), and the five operations (:meth:`upload`,
    :meth:`list_beta` / :meth:`list_ga`, :meth:`retrieve`, :meth:`download`, :meth:`delete`)
    plus seeding (:meth:`add_file`). It shares the clock, the settings and the misuse log
    of its :class:`~pytest_claude_files._core.service.FakeService`.
    """

    def __init__(self, settings: Optional[FakeFilesSettings] = None, *, clock: Optional[FakeClock] = None,
                 misuse: Optional[MisuseLog] = None, storage: Optional[Storage] = None,
                 calls_kept: Optional[int] = None) -> None:
        self.settings: FakeFilesSettings = settings or FakeFilesSettings()
        self.clock: FakeClock = clock or FakeClock()
        self.misuse: MisuseLog = misuse if misuse is not None else MisuseLog(self.settings.misuse_warnings)
        self.storage: Storage = storage if storage is not None else MemoryStorage()
        """Where contents live (``_core/storage.py``): memory, or the emulator's directory store."""
        self.calls_kept = calls_kept
        """At most this many recorded calls (the oldest half goes when full); ``None``: all."""
        self._lock = threading.RLock()
        self._init_state()
        self.storage.load(self._restore)

    def _init_state(self) -> None:
        self._files: dict[str, _Stored] = {}
        self._order: list[str] = []
        self._by_scope: dict[str, list[str]] = {}
        self._deadlines: list[tuple[datetime, str]] = []  # heap: when a file's content, then metadata, goes
        self._by_workspace: dict[Optional[str], list[str]] = {}
        self._used = 0
        self.calls: CallRecord = CallRecord(self.calls_kept)
        self.listings = ListingTracker()

    def unfinished_listings(self) -> None:
        """End of a test: notice listings that stopped at a page that said there was more."""
        _notices.unfinished_listings(self.misuse, self.listings)

    # -- inspection ---------------------------------------------------------------
    def reset(self) -> None:
        """Forget every file and call (settings and clock stay)."""
        with self._lock:
            self._init_state()
            self.storage.clear(keep=())

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, item: object) -> bool:
        """``file_id in files`` (a metadata object counts by its id)."""
        key = item.id if isinstance(item, FileMetadata) else item
        return key in self._files

    def __iter__(self) -> Iterator[FileMetadata]:
        return iter(self.all())

    @overload
    def __getitem__(self, index: int) -> FileMetadata: ...

    @overload
    def __getitem__(self, index: slice) -> list[FileMetadata]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[FileMetadata, list[FileMetadata]]:
        """The files newest first, by position (``claude_files.files[0]``: the newest)."""
        return self.all()[index]

    def all(self) -> list[FileMetadata]:
        """Every file, newest first (as the API lists them)."""
        with self._lock:
            return [self._files[i].meta for i in reversed(self._order)]

    def get(self, file_id: str, *, workspace_id: Optional[str] = None) -> FileMetadata:
        """A file's metadata (``NotFoundError`` when there is none, or, with
        ``partition_workspaces``, when it belongs to another workspace than ``workspace_id``)."""
        with self._lock:
            return self._lookup(file_id, workspace_id).meta

    def content(self, file_id: str, *, workspace_id: Optional[str] = None) -> bytes:
        """A file's bytes, downloadable or not (a test may look; the API may refuse)."""
        with self._lock:
            stored = self._lookup(file_id, workspace_id)
            self._expire_if_due(file_id, stored)
            if stored.content is None:
                raise NotFoundError(f"File `{shown(file_id)}` has expired.", error_code="file_expired")
            return bytes(stored.content)

    @property
    def storage_used(self) -> int:
        """Bytes counting against the storage quota: scoped files and expired contents excluded."""
        with self._lock:
            self._purge_expired()
            return self._used

    def operations(self, name: Optional[str] = None) -> list[Call]:
        """The recorded calls, optionally only those of one operation (``"upload"``...)."""
        return [c for c in self.calls if name is None or c.operation == name]

    def __repr__(self) -> str:
        return f"<FilesResource files={len(self._files)} used={self._used}B>"

    # -- seeding ------------------------------------------------------------------
    def add_file(
        self,
        filename: str,
        content: Content | str = b"",
        *,
        mime_type: Optional[str] = None,
        downloadable: bool = False,
        scope_id: Optional[str] = None,
        created_at: Optional[datetime] = None,
        expires_at: Optional[datetime] = None,
        file_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
    ) -> FileMetadata:
        """Seed a file directly, as if Claude's tools had made it.

        Unlike an upload, this can make a ``downloadable=True`` file (a code-execution
        output) and place it at any ``created_at``. Filename and size rules apply as for
        an upload; a ``str`` content is encoded as UTF-8. An explicit ``mime_type`` is kept
        exactly as given (``application/octet-stream`` included, so a test can seed the file
        production would refuse); without one it follows the extension. ``file_id`` restores a file
        under a known id (the server's ``--data-dir``); it must be a file id not in use.
        """
        data: Content = content.encode() if isinstance(content, str) else content
        staged = self._stage(data, "add_file", {"filename": filename})
        try:
            with self._lock:  # the check and the store under one lock: two seeds of one id, one wins
                if file_id is not None and (not _ids.is_file_id(file_id) or file_id in self._files):
                    raise ValueError(f"file_id {file_id!r}: not a file id, or already in use")
                name = check_filename(filename)
                mime = upload_mime_type(mime_type, name)  # kept as given, octet-stream included
                when = created_at if created_at is not None else self.clock.now()
                return self._store(name, mime, data, when, downloadable, scope_id, expires_at, "add_file",
                                   file_id=file_id, workspace=workspace_id, staged=staged)
        finally:
            self.storage.release(staged)

    def _restore(self, meta: FileMetadata, workspace: Optional[str], content: Content) -> None:
        """A file the storage kept (a restart): a seed's rules, no call recorded, nothing written."""
        with self._lock:
            if not _ids.is_file_id(meta.id) or meta.id in self._files:
                raise ValueError(f"file_id {meta.id!r}: not a file id, or already in use")
            self._store(check_filename(meta.filename), meta.mime_type, content, meta.created_at,
                        meta.downloadable, None if meta.scope is None else meta.scope.id, meta.expires_at,
                        None, file_id=meta.id, workspace=workspace, persist=False)

    def _stage(self, content: Content, operation: str, params: dict[str, Any]) -> object:
        """The storage's slow part, before the lock (nothing for a file over the size limit,
        which fails anyway); a refusal (a full disk) is recorded as the call's error."""
        size = len(content) if not isinstance(content, memoryview) else content.nbytes
        if size > self.settings.max_file_size:
            return None
        try:
            return self.storage.stage(content)
        except FilesAPIError as exc:
            self.calls.append(Call(operation, None, {**params, "size": size}, exc))
            raise

    def add_all(self, specs: Sequence[dict[str, Any]]) -> list[FileMetadata]:
        """Seed several files all or nothing: each spec is :meth:`add_file`'s keyword arguments.

        Every rule (names, sizes, ids, the storage quota against what this account already
        uses) is checked for the whole batch before any file is stored, under one lock.
        """
        with self._lock:
            probe = FilesResource(self.settings, clock=self.clock, misuse=MisuseLog("ignore"))
            self._purge_expired()
            probe._used = self._used  # the quota counts what is already stored
            for spec in specs:
                wanted = spec.get("file_id")
                if wanted is not None and wanted in self._files:
                    raise ValueError(f"file_id {wanted!r}: not a file id, or already in use")
                probe.add_file(**spec)
            return [self.add_file(**spec) for spec in specs]

    def add_files(self, count: int, *, prefix: str = "file", **kwargs: Any) -> list[FileMetadata]:
        """Seed ``count`` small text files named ``{prefix}-{i}.txt``, oldest first."""
        return [
            self.add_file(f"{prefix}-{i}.txt", f"content {i}".encode(), **kwargs)
            for i in range(count)
        ]

    # -- the five operations --------------------------------------------------------
    def upload(
        self,
        content: Content,
        filename: Optional[str],
        *,
        content_type: Optional[str] = None,
        dialect: Dialect = "ga",
        expires_in_seconds: Optional[int] = None,
        scope_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
    ) -> FileMetadata:
        """An upload as ``POST /v1/files`` does it (``filename=None``: the part had none)."""
        params = {"filename": filename, "size": len(content), "dialect": dialect,
                  "content_type": content_type, "expires_in_seconds": expires_in_seconds}
        staged = self._stage(content, "upload", params)
        try:
            with self._lock:
                try:
                    meta = self._upload(content, filename, content_type, dialect,
                                        expires_in_seconds, scope_id, workspace_id, staged)
                except FilesAPIError as exc:
                    self.calls.append(Call("upload", None, params, exc))
                    raise
                self.calls.append(Call("upload", meta.id, params, None))
                return meta
        finally:
            self.storage.release(staged)

    def _upload(
        self,
        content: Content,
        filename: Optional[str],
        content_type: Optional[str],
        dialect: Dialect,
        expires_in_seconds: Optional[int],
        scope_id: Optional[str],
        workspace_id: Optional[str],
        staged: object = None,
    ) -> FileMetadata:
        if dialect == "beta":
            if expires_in_seconds is not None:
                raise InvalidRequestError(
                    "expires_in_seconds: Extra inputs are not permitted in the beta Files API."
                )
            if content_type is None:
                raise InvalidRequestError("file: the file part must have a Content-Type.")
        elif expires_in_seconds is not None and not (
            MIN_EXPIRES_IN <= expires_in_seconds <= MAX_EXPIRES_IN
        ):
            raise InvalidRequestError(
                f"expires_in_seconds: must be from {MIN_EXPIRES_IN} to {MAX_EXPIRES_IN}, "
                f"got {expires_in_seconds}."
            )
        guess = self.settings.guess_mime_type
        if dialect == "ga" and not filename:
            mime = upload_mime_type(content_type, None, guess_octet_stream=guess)
            name = unnamed_filename(mime)
        else:
            name = check_filename(filename or "")
            mime = upload_mime_type(content_type, name, guess_octet_stream=guess)
        now = self.clock.now()
        expires_at = None if expires_in_seconds is None else now + timedelta(seconds=expires_in_seconds)
        meta = self._store(name, mime, content, now, False, scope_id, expires_at, None,
                           workspace=workspace_id, staged=staged)
        if mime.split(";", 1)[0].strip().lower() == "application/octet-stream":
            _notices.octet_stream_upload(self.misuse, name)
        return meta

    def list_beta(
        self,
        *,
        limit: int = DEFAULT_LIMIT,
        before_id: Optional[str] = None,
        after_id: Optional[str] = None,
        scope_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
    ) -> BetaPage:
        """A beta-dialect page, newest first: ``after_id`` goes to older files, ``before_id`` to newer."""
        params = {"limit": limit, "before_id": before_id, "after_id": after_id, "scope_id": scope_id}
        with self._lock:
            try:
                seq = self._sequence(scope_id, workspace_id)
                ids, has_more = cursor_walk(seq, limit, before_id, after_id)
            except FilesAPIError as exc:
                self.calls.append(Call("list", None, params, exc))
                raise
            self.calls.append(Call("list", None, params, None))
            return BetaPage([self._files[i].meta for i in reversed(ids)], has_more)

    def list_agents(
        self,
        *,
        limit: Optional[int] = None,
        page: Optional[str] = None,
        ids: Optional[Sequence[str]] = None,
        before_id: Optional[str] = None,
        after_id: Optional[str] = None,
        scope_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
    ) -> AgentsPage:
        """The managed-agents shape (``anthropic-beta: managed-agents-2026-04-01``): a GA page
        with ``has_more``/``first_id``/``last_id`` too, and ``before_id``/``after_id`` accepted
        (not with ``page`` or ``ids``)."""
        params = {"limit": limit, "page": page, "ids": ids, "before_id": before_id,
                  "after_id": after_id, "scope_id": scope_id}
        with self._lock:
            try:
                if before_id is None and after_id is None:
                    ga = self._list_ga(limit, page, ids, scope_id, workspace_id)
                    result = AgentsPage(ga.data, ga.next_page is not None, ga.next_page)
                else:
                    if page is not None or ids is not None:
                        raise InvalidRequestError(
                            "before_id and after_id cannot be combined with page or ids."
                        )
                    seq = self._sequence(scope_id, workspace_id)
                    chosen, has_more = cursor_walk(
                        seq, DEFAULT_LIMIT if limit is None else limit, before_id, after_id)
                    older = bool(chosen) and bisect.bisect_left(seq, chosen[0]) > 0
                    result = AgentsPage([self._files[i].meta for i in reversed(chosen)], has_more,
                                        encode_page_token(chosen[0]) if older else None)
            except FilesAPIError as exc:
                self.calls.append(Call("list", None, params, exc))
                raise
            self.calls.append(Call("list", None, params, None))
            return result

    def list_ga(
        self,
        *,
        limit: Optional[int] = None,
        page: Optional[str] = None,
        ids: Optional[Sequence[str]] = None,
        scope_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
    ) -> GAPage:
        """A GA-dialect page, newest first, with an opaque ``next_page`` token; or ``ids``."""
        params = {"limit": limit, "page": page, "ids": ids, "scope_id": scope_id}
        with self._lock:
            try:
                result = self._list_ga(limit, page, ids, scope_id, workspace_id)
            except FilesAPIError as exc:
                self.calls.append(Call("list", None, params, exc))
                raise
            self.calls.append(Call("list", None, params, None))
            return result

    def _list_ga(
        self,
        limit: Optional[int],
        page: Optional[str],
        ids: Optional[Sequence[str]],
        scope_id: Optional[str],
        workspace_id: Optional[str],
    ) -> GAPage:
        if ids is not None:
            if page is not None or limit is not None:
                raise InvalidRequestError("ids cannot be combined with page or limit.")
            wanted = set(ids)
            if len(wanted) > MAX_IDS:
                raise InvalidRequestError(
                    f"ids: at most {MAX_IDS} distinct ids, got {len(wanted)}."
                )
            found = [
                self._files[i].meta for i in wanted
                if i in self._files and (scope_id is None or self._scope_of(i) == scope_id)
                and self._visible(self._files[i], workspace_id)
            ]
            found.sort(key=lambda m: m.id, reverse=True)
            return GAPage(found, None)
        size = check_limit(DEFAULT_LIMIT if limit is None else limit)
        seq = self._sequence(scope_id, workspace_id)
        end = len(seq) if page is None else bisect.bisect_left(seq, decode_page_token(page))
        start = max(0, end - size)
        chosen = seq[start:end]
        data = [self._files[i].meta for i in reversed(chosen)]
        next_page = encode_page_token(data[-1].id) if start > 0 and data else None
        return GAPage(data, next_page)

    def retrieve(self, file_id: str, *, workspace_id: Optional[str] = None) -> FileMetadata:
        """``GET /v1/files/{file_id}``: the most frequent request, so its checks are inline and its
        lock is taken without ``with`` (which binds __enter__ and __exit__ each time: twice the cost)."""
        lock = self._lock
        lock.acquire()
        try:
            if self._deadlines:  # (= self._purge_expired())
                self._purge_expired()
            stored = self._files.get(file_id)
            if stored is not None and (stored.workspace == workspace_id
                                       or not self.settings.partition_workspaces):  # (= self._visible())
                self.calls.found("retrieve_metadata", file_id)
                return stored.meta
            return self._recorded("retrieve_metadata", file_id,
                                  lambda: self._lookup(file_id, workspace_id).meta)
        finally:
            lock.release()

    def download(self, file_id: str, *, workspace_id: Optional[str] = None) -> tuple[FileMetadata, Content]:
        """``GET /v1/files/{file_id}/content``: the metadata and the bytes."""
        def run() -> tuple[FileMetadata, Content]:
            stored = self._lookup(file_id, workspace_id)
            self._expire_if_due(file_id, stored)
            if stored.content is None:
                raise NotFoundError(f"File `{shown(file_id)}` has expired.", error_code="file_expired")
            if not stored.meta.downloadable:
                raise InvalidRequestError(
                    f"File `{shown(file_id)}` is not downloadable. Only files created by Claude's "
                    "tools (code execution, skills) can be downloaded.",
                    error_code="file_not_downloadable",
                )
            return stored.meta, stored.content
        with self._lock:
            return self._recorded("download", file_id, run)

    def delete(self, file_id: str, *, workspace_id: Optional[str] = None) -> DeletedFile:
        """``DELETE /v1/files/{file_id}``: gone for good."""
        def run() -> DeletedFile:
            self._lookup(file_id, workspace_id)
            self._discard(file_id)
            self.storage.remove(file_id)  # under the lock: a delete wins over a write in flight
            return DeletedFile(id=file_id)
        with self._lock:
            return self._recorded("delete", file_id, run)

    def _discard(self, file_id: str) -> None:
        """Forget ``file_id`` (no call recorded): a delete, or an upload a store could not keep."""
        with self._lock:
            stored = self._files.pop(file_id)
            self._order.pop(bisect.bisect_left(self._order, file_id))
            if stored.meta.scope is not None:
                seq = self._by_scope[stored.meta.scope.id]
                seq.pop(bisect.bisect_left(seq, file_id))
            in_space = self._by_workspace[stored.workspace]
            in_space.pop(bisect.bisect_left(in_space, file_id))
            if stored.content is not None and stored.meta.scope is None:
                self._used -= stored.meta.size_bytes

    # -- internals ----------------------------------------------------------------
    def _recorded(self, operation: str, file_id: str, run: Callable[[], _R]) -> _R:
        try:
            result = run()
        except FilesAPIError as exc:
            self.calls.append(_new_call(Call, (operation, file_id, {}, exc)))
            raise
        self.calls.append(_new_call(Call, (operation, file_id, {}, None)))
        return result

    def _lookup(self, file_id: str, workspace_id: Optional[str] = None) -> _Stored:
        """The stored file; a file of another workspace is not found (``partition_workspaces``)."""
        self._purge_expired()
        stored = self._files.get(file_id)
        if stored is None or not self._visible(stored, workspace_id):
            raise NotFoundError(f"File `{shown(file_id)}` not found.")
        return stored

    def _visible(self, stored: _Stored, workspace_id: Optional[str]) -> bool:
        return stored.workspace == workspace_id or not self.settings.partition_workspaces

    def _scope_of(self, file_id: str) -> Optional[str]:
        scope = self._files[file_id].meta.scope
        return None if scope is None else scope.id

    def _sequence(self, scope_id: Optional[str], workspace_id: Optional[str] = None) -> list[str]:
        self._purge_expired()
        if self.settings.partition_workspaces:
            if scope_id is None:
                return self._by_workspace.get(workspace_id, [])
            return [i for i in self._by_scope.get(scope_id, []) if self._files[i].workspace == workspace_id]
        if scope_id is None:
            return self._order
        return self._by_scope.get(scope_id, [])

    def _expire_if_due(self, file_id: str, stored: _Stored) -> None:
        """Past ``expires_at``: the bytes go (and stop counting); past the 30-day window after
        it, the metadata too (the file is gone: 404 and not listed)."""
        expires_at = stored.meta.expires_at
        if expires_at is None:
            return
        now = self.clock.now()
        if stored.content is not None and expires_at <= now:
            stored.content = None
            if stored.meta.scope is None:
                self._used -= stored.meta.size_bytes
            heapq.heappush(self._deadlines, (expires_at + EXPIRED_METADATA_WINDOW, file_id))
        if stored.content is None and expires_at + EXPIRED_METADATA_WINDOW <= now:
            self._discard(file_id)

    def _purge_expired(self) -> None:
        """Apply every deadline that has passed (a heap: O(log n) per expired file, O(1) else)."""
        heap = self._deadlines
        if not heap:
            return
        now = self.clock.now()
        while heap and heap[0][0] <= now:
            _, file_id = heapq.heappop(heap)
            stored = self._files.get(file_id)
            if stored is not None:
                self._expire_if_due(file_id, stored)

    def _store(
        self,
        filename: str,
        mime_type: str,
        content: Content,
        created_at: datetime,
        downloadable: bool,
        scope_id: Optional[str],
        expires_at: Optional[datetime],
        record_as: Optional[str],
        file_id: Optional[str] = None,
        workspace: Optional[str] = None,
        staged: object = None,
        persist: bool = True,
    ) -> FileMetadata:
        """Check the limits, keep the file (its storage first: a refusal stores nothing)."""
        size = len(content) if not isinstance(content, memoryview) else content.nbytes
        limits = self.settings
        if size > limits.max_file_size:
            raise RequestTooLargeError(
                f"File size {size} bytes exceeds the maximum allowed size of "
                f"{limits.max_file_size} bytes."
            )
        self._purge_expired()
        if scope_id is None and self._used + size > limits.storage_quota:  # scoped files: outside
            raise InvalidRequestError(
                "Organization storage quota exceeded: "
                f"{self._used} of {limits.storage_quota} bytes used, upload needs {size}.",
                error_code="storage_quota_exceeded",
            )
        file_id = file_id or _ids.new_file_id(created_at)
        meta = FileMetadata(
            id=file_id,
            filename=filename,
            mime_type=mime_type,
            size_bytes=size,
            created_at=created_at,
            downloadable=downloadable,
            scope=None if scope_id is None else FileScope(id=scope_id),
            expires_at=expires_at,
        )
        if persist:
            content = self.storage.commit(meta, workspace, content, staged)
        self._files[file_id] = _Stored(meta, content, workspace)
        insert_sorted(self._order, file_id)
        insert_sorted(self._by_workspace.setdefault(workspace, []), file_id)
        if scope_id is not None:
            insert_sorted(self._by_scope.setdefault(scope_id, []), file_id)
        if expires_at is not None:
            heapq.heappush(self._deadlines, (expires_at, file_id))
        if scope_id is None:
            self._used += size
        if record_as:
            self.calls.append(Call(record_as, file_id, {"filename": filename, "size": size}, None))
        return meta
