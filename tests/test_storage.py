"""A storage is plugged into the Files resource (``_core/storage.py``), not subclassed; the
record of calls is bounded by the resource itself."""

from __future__ import annotations

from typing import Any, Collection, Optional

import pytest

from pytest_claude_files import FakeFiles
from pytest_claude_files._core.files import FilesResource
from pytest_claude_files._core.storage import Content, MemoryStorage, Restore, Storage
from pytest_claude_files.errors import FilesInternalError, InvalidRequestError
from pytest_claude_files.models import FileMetadata


class Journal:
    """A storage that records what the resource asks of it (and can refuse commits)."""

    def __init__(self, kept: tuple[tuple[FileMetadata, Optional[str], Content], ...] = ()) -> None:
        self.steps: list[tuple[str, Any]] = []
        self.kept = kept
        self.refuse = False

    def stage(self, content: Content) -> object:
        self.steps.append(("stage", bytes(content)))
        return "token"

    def commit(self, meta: FileMetadata, workspace: Optional[str], content: Content,
               staged: object) -> Content:
        if self.refuse:
            raise FilesInternalError("Internal server error: the disk is full; nothing was stored.")
        self.steps.append(("commit", (meta.filename, workspace, staged)))
        return b"served:" + bytes(content)

    def release(self, staged: object) -> None:
        self.steps.append(("release", staged))

    def remove(self, file_id: str) -> None:
        self.steps.append(("remove", file_id))

    def clear(self, keep: Collection[str]) -> None:
        self.steps.append(("clear", sorted(keep)))

    def load(self, restore: Restore) -> None:
        for meta, workspace, content in self.kept:
            restore(meta, workspace, content)


def test_memory_storage_is_a_storage() -> None:
    storage: Storage = MemoryStorage()
    assert FilesResource().storage.__class__ is MemoryStorage
    assert storage.commit(FakeFiles().add_file("a.txt", "a"), None, b"a", None) == b"a"


def test_the_resource_calls_its_storage_at_each_point() -> None:
    journal = Journal()
    fake = FakeFiles(files=FilesResource(storage=journal))
    meta = fake.upload(b"abc", "a.txt", content_type="text/plain", workspace_id="wrkspc_1")
    assert journal.steps == [("stage", b"abc"), ("commit", ("a.txt", "wrkspc_1", "token")),
                             ("release", "token")]
    assert fake.files.content(meta.id, workspace_id="wrkspc_1") == b"served:abc"  # what the storage serves
    fake.delete(meta.id, workspace_id="wrkspc_1")
    fake.reset()
    assert journal.steps[-2:] == [("remove", meta.id), ("clear", [])]


def test_a_refused_commit_stores_nothing_and_records_the_error() -> None:
    journal = Journal()
    journal.refuse = True
    fake = FakeFiles(files=FilesResource(storage=journal))
    with pytest.raises(FilesInternalError):
        fake.upload(b"abc", "a.txt", content_type="text/plain")
    assert len(fake) == 0 and fake.storage_used == 0
    assert [c.error is not None for c in fake.operations("upload")] == [True]
    assert journal.steps[-1] == ("release", "token")


def test_kept_files_come_back_with_the_seeding_rules() -> None:
    meta = FakeFiles().add_file("kept.txt", "kept", workspace_id="wrkspc_1")
    bad = meta.model_copy(update={"filename": "", "id": meta.id[:-1] + "z"})
    journal = Journal(kept=((meta, "wrkspc_1", b"kept"),))
    files = FilesResource(storage=journal)
    assert files.get(meta.id, workspace_id="wrkspc_1") == meta and files.calls == []
    with pytest.raises(InvalidRequestError):  # an empty filename; the storage decides what to do
        FilesResource(storage=Journal(kept=((bad, None, b""),)))


def test_the_call_record_is_bounded_by_the_resource() -> None:
    files = FilesResource(calls_kept=10)
    meta = files.add_file("a.txt", "a")
    for _ in range(25):
        files.retrieve(meta.id)
    assert 5 <= len(files.calls) <= 10
    assert files.calls[-1].operation == "retrieve_metadata"
    files.reset()
    for _ in range(25):
        files.add_file("b.txt", "b")
    assert len(files.calls) <= 10
