"""Where a Files resource keeps its contents: a storage plugged in, not a subclass.

:class:`~pytest_claude_files._core.files.FilesResource` decides everything (names, ids,
limits, quota, visibility) and calls its storage at four points:

- ``stage(content)`` before the resource's lock is taken: the slow part of a write (the
  emulator's directory store writes a temporary file and fsyncs it); returns a token;
- ``commit(meta, workspace, content, staged)`` under the lock, once the file is accepted:
  makes it durable and returns the content to serve from now on (the directory store maps
  the stored file); raising an API error (a full disk) means nothing was stored;
- ``release(staged)`` after the write, whatever happened (a staged file not committed
  goes away);
- ``remove(file_id)`` under the lock after a delete, and ``clear(keep)`` after a reset.

``load(restore)`` runs once when the resource is made: the storage hands back every file
it kept with ``restore(meta, workspace, content)``, which applies the seeding rules and
raises ``ValueError`` or an API error for a file it refuses (the storage decides what to do
with it: the directory store quarantines it).

:class:`MemoryStorage` is the default: contents stay in memory, nothing to do. The
emulator's ``--data-dir`` store is ``server/_store.py``'s ``DirectoryStore``.

The other resources (batches, skills, agents, environments, sessions) keep their objects
through a :class:`RecordStorage` of the service (``FakeService(records=...)``): each object is
a JSON-able record under its kind and id, saved whole after every change the API
acknowledges (``save``, durable when it returns; an API error when it could not be kept),
dropped when the object goes, and handed back once at the start (``load``). The default,
:class:`MemoryRecords`, keeps nothing; the emulator's is ``server/_records.py``'s
``DirectoryRecords``.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Mapping, Optional, Protocol, Union

from pytest_claude_files.models import FileMetadata

__all__ = ["Content", "MemoryRecords", "MemoryStorage", "RecordStorage", "Restore", "Storage"]

Content = Union[bytes, bytearray, memoryview]
Restore = Callable[[FileMetadata, Optional[str], Content], None]
RestoreRecord = Callable[[str, dict[str, Any]], None]


class Storage(Protocol):
    """What a Files resource asks of the place its contents live."""

    def stage(self, content: Content) -> object:
        """Before the lock: prepare ``content`` (the slow part); a token for :meth:`commit`."""
        ...

    def commit(
        self, meta: FileMetadata, workspace: Optional[str], content: Content, staged: object
    ) -> Content:
        """Under the lock: keep the accepted file; the content to serve from now on."""
        ...

    def release(self, staged: object) -> None:
        """After a write, committed or not: let go of what :meth:`stage` made."""
        ...

    def remove(self, file_id: str) -> None:
        """Under the lock: a deleted file, gone for good."""
        ...

    def clear(self, keep: Collection[str]) -> None:
        """Under the lock, after a reset: forget every file but those in ``keep``."""
        ...

    def load(self, restore: Restore) -> None:
        """Once, at the start: hand back every kept file with ``restore``."""
        ...


class MemoryStorage:
    """Contents in memory (the default): every step is free."""

    def stage(self, content: Content) -> object:
        return None

    def commit(
        self, meta: FileMetadata, workspace: Optional[str], content: Content, staged: object
    ) -> Content:
        return content

    def release(self, staged: object) -> None:
        return None

    def remove(self, file_id: str) -> None:
        return None

    def clear(self, keep: Collection[str]) -> None:
        return None

    def load(self, restore: Restore) -> None:
        return None


class RecordStorage(Protocol):
    """Where the objects of the resources beside Files live, one JSON-able record each."""

    durable: bool
    """Whether :meth:`save` keeps anything (when not, resources do not build their records)."""

    def save(self, kind: str, key: str, record: Mapping[str, Any]) -> None:
        """Keep ``record`` as the object ``key`` of ``kind`` (durable when this returns;
        raises the API's error, a 500, when it could not be kept)."""
        ...

    def drop(self, kind: str, key: str) -> None:
        """The object is gone for good."""
        ...

    def clear(self, kind: str) -> None:
        """After a reset: every record of ``kind`` goes."""
        ...

    def load(self, kind: str, restore: RestoreRecord) -> None:
        """Once, at the start: hand back every kept record of ``kind`` with ``restore``
        (which raises ``ValueError`` or ``KeyError`` for a record it refuses)."""
        ...


class MemoryRecords:
    """Nothing kept beyond the objects themselves (the default)."""

    durable = False

    def save(self, kind: str, key: str, record: Mapping[str, Any]) -> None:
        return None

    def drop(self, kind: str, key: str) -> None:
        return None

    def clear(self, kind: str) -> None:
        return None

    def load(self, kind: str, restore: RestoreRecord) -> None:
        return None
