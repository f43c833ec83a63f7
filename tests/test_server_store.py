"""The emulator's store on disk (``--data-dir``): atomic writes, quarantine on start, a delete
that wins over a write in flight, a full disk that leaves nothing behind, a crash at each
step of a write, and no tenant directory for a key that only reads."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import Any, Iterator

import anthropic
import httpx
import pytest

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import FakeFilesSettings
from pytest_claude_files.errors import FilesInternalError
from pytest_claude_files.server import ServerHandle, start_server
from pytest_claude_files.server._persistence import STEPS, PersistentFakeFiles, StoreIO
from pytest_claude_files.server._tenants import tenant_label

KEY = "sk-ant-store"


def store(path: Path, io: StoreIO | None = None) -> PersistentFakeFiles:
    return PersistentFakeFiles(path / "tenants" / "t", FakeFilesSettings(), clock=FakeClock(), io=io)


def leftovers(path: Path) -> list[str]:
    """Files in the tenant directory that are not a committed ``<id>.json`` + ``<id>.bin`` pair."""
    directory = path / "tenants" / "t"
    names = sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []
    pairs = {n[:-5] for n in names if n.endswith(".json")} & {n[:-4] for n in names if n.endswith(".bin")}
    return [n for n in names if n.rsplit(".", 1)[0] not in pairs]


class FullDisk(StoreIO):
    """A disk that fills up at ``step`` (``ENOSPC`` from the write or fsync after it)."""

    def __init__(self, step: str = "stage.write") -> None:
        self.failing = step
        self.current = ""

    def step(self, name: str) -> None:
        self.current = name

    def write(self, fd: int, data: memoryview) -> int:
        if self.current == self.failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(fd, data)

    def fsync(self, fd: int) -> None:
        if self.current == self.failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        super().fsync(fd)


# -- quarantine on start ---------------------------------------------------------------
def test_start_quarantines_what_it_cannot_read_and_serves_the_rest(tmp_path: Path) -> None:
    first = store(tmp_path)
    kept = first.upload(b"kept", "kept.txt")
    emptied = first.upload(b"emptied", "emptied.txt")
    corrupt = first.upload(b"corrupt", "corrupt.txt")
    resized = first.upload(b"resized", "resized.txt")
    directory = first.directory
    (directory / f"{emptied.id}.json").write_bytes(b"")  # a kill during the old write
    (directory / f"{corrupt.id}.json").write_bytes(b'{"id": "fi')
    (directory / f"{resized.id}.bin").write_bytes(b"short")
    (directory / "file_011CNoMetadata000000000.bin").write_bytes(b"orphan")
    (directory / "upload-dead.tmp").write_bytes(b"half")

    second = store(tmp_path)
    assert [m.id for m in second.all()] == [kept.id]
    assert second.content(kept.id) == b"kept"
    quarantine = tmp_path / "quarantine" / "t"
    assert sorted(p.name for p in quarantine.iterdir()) == sorted([
        f"{emptied.id}.json", f"{emptied.id}.bin", f"{corrupt.id}.json", f"{corrupt.id}.bin",
        f"{resized.id}.json", f"{resized.id}.bin", "file_011CNoMetadata000000000.bin", "upload-dead.tmp",
    ])
    text = "\n".join(second.start_warnings)
    assert f"{emptied.id}.json" in text and "(empty)" in text
    assert "content without metadata" in text and "an unfinished write" in text
    assert "the metadata says 7" in text
    assert leftovers(tmp_path) == []
    # a third start finds nothing more to set aside
    assert store(tmp_path).start_warnings == []


def test_server_start_collects_the_warnings(tmp_path: Path) -> None:
    with start_server(data_dir=tmp_path) as server:
        anthropic.Anthropic(base_url=server.base_url, api_key=KEY).files.upload(file=("a.txt", b"a"))
    label = tenant_label(KEY)
    (tmp_path / "tenants" / label / "file_011CBroken00000000000000.json").write_bytes(b"")
    with start_server(data_dir=tmp_path) as again:
        assert len(again.files(KEY)) == 1
        assert any("file_011CBroken00000000000000.json" in w for w in again.tenants.warnings)


# -- a full disk ---------------------------------------------------------------------------
@pytest.mark.parametrize("step", ["stage.write", "stage.fsync", "meta.write", "meta.fsync"])
def test_a_full_disk_fails_the_upload_and_leaves_nothing(tmp_path: Path, step: str) -> None:
    files = store(tmp_path, FullDisk(step))
    for _ in range(3):  # the SDK retries: no phantom from any attempt
        with pytest.raises(FilesInternalError, match="the disk is full"):
            files.upload(b"x" * 100_000, "big.bin")
    assert len(files) == 0 and files.storage_used == 0
    assert leftovers(tmp_path) == []
    assert [c.error is not None for c in files.operations("upload")] == [True, True, True]
    files.io = StoreIO()  # space again: the store goes on
    meta = files.upload(b"fits", "fits.txt")
    assert [m.id for m in store(tmp_path).all()] == [meta.id]


def test_a_full_disk_answers_the_envelope_over_http_and_the_server_keeps_serving(tmp_path: Path) -> None:
    with start_server(data_dir=tmp_path) as server:
        client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=2)
        files = server.files(KEY).files
        assert isinstance(files, PersistentFakeFiles)
        files.io = FullDisk()
        with pytest.raises(anthropic.InternalServerError) as failed:
            client.files.upload(file=("a.txt", b"a" * 50_000, "text/plain"))
        assert failed.value.body["error"]["type"] == "api_error"  # type: ignore[index]
        assert "the disk is full" in failed.value.message
        assert failed.value.response.headers["request-id"]
        assert client.files.list().data == []
        assert len(files.operations("upload")) == 3  # the first try and two retries, none kept
        files.io = StoreIO()
        made = client.files.upload(file=("b.txt", b"b", "text/plain"))
        assert [f.id for f in client.files.list()] == [made.id]
    assert sorted(p.name for p in (tmp_path / "tenants" / tenant_label(KEY)).iterdir()) == [
        f"{made.id}.bin", f"{made.id}.json"]


class FullSpool:
    """A spool file on a full disk."""

    def __init__(self) -> None:
        self.closed = False

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def close(self) -> None:
        self.closed = True


def test_a_full_spool_directory_answers_the_envelope_not_a_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    with start_server(spool_threshold=1024) as server:
        monkeypatch.setattr(server.app, "open_spool", FullSpool)
        body = b"z" * (3 * 1024 * 1024)
        sent = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
        with httpx.Client(base_url=server.base_url, headers=sent,
                          timeout=30) as http:
            answer = http.post("/v1/files", files={"file": ("z.bin", body, "application/octet-stream")})
            assert answer.status_code == 500
            assert answer.json()["error"]["type"] == "api_error"
            assert "could not spool the request body" in answer.json()["error"]["message"]
            assert answer.headers["request-id"] == answer.json()["request_id"]
            assert list(server.files(KEY).files) == []
            monkeypatch.undo()
            assert http.get("/v1/files").json()["data"] == []  # still serving


# -- a delete wins over a write in flight ----------------------------------------------------
class Paused(StoreIO):
    """Holds the writer at ``step`` until released (the commit's lock is held there)."""

    def __init__(self, step: str) -> None:
        self.at, self.reached, self.release = step, threading.Event(), threading.Event()

    def step(self, name: str) -> None:
        if name == self.at:
            self.reached.set()
            assert self.release.wait(10)


@pytest.mark.parametrize("step", ["stage.write", "bin.rename", "meta.rename", "dir.fsync"])
def test_a_file_deleted_during_its_write_does_not_come_back(tmp_path: Path, step: str) -> None:
    paused = Paused(step)
    files = store(tmp_path, paused)
    done: list[Any] = []
    writer = threading.Thread(target=lambda: done.append(files.upload(b"in flight", "f.txt")))
    writer.start()
    assert paused.reached.wait(10)

    deleted: list[str] = []

    def delete_what_is_listed() -> None:
        for meta in files.all():  # waits for the commit when the writer holds the lock
            files.delete(meta.id)
            deleted.append(meta.id)

    deleter = threading.Thread(target=delete_what_is_listed)
    deleter.start()
    paused.release.set()
    writer.join(10)
    deleter.join(10)
    if not deleted:  # the listing came before the commit: delete it now, as a client would
        files.delete(done[0].id)
    assert len(files) == 0
    assert store(tmp_path).all() == []  # after a restart too
    assert leftovers(tmp_path) == []


# -- a crash at each step of a write -----------------------------------------------------------
class Crash(StoreIO):
    def __init__(self, step: str) -> None:
        self.at = step

    def step(self, name: str) -> None:
        if name == self.at:
            os._exit(9)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_loses_nothing_acknowledged(tmp_path: Path, step: str) -> None:
    acked = store(tmp_path).upload(b"acknowledged", "acked.txt")
    doomed_delete = store(tmp_path).upload(b"to delete", "gone.txt").id
    pid = os.fork()
    if pid == 0:  # the child: one upload, then one delete, crashing at `step`
        try:
            files = store(tmp_path, Crash(step))
            files.upload(b"new" * 1000, "new.txt")
            files.delete(doomed_delete)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 9  # it did crash there
    after = store(tmp_path)  # the restart succeeds
    ids = {m.id for m in after.all()}
    assert acked.id in ids and after.content(acked.id) == b"acknowledged"
    if step.startswith("delete."):
        assert len(ids - {acked.id, doomed_delete}) == 1  # the upload was acknowledged before
        if step == "delete.bin":
            assert doomed_delete not in ids  # its metadata was gone: deleted for good
    elif step == "dir.fsync":  # committed, not yet acknowledged: kept whole (the answer was lost)
        assert {acked.id, doomed_delete} < ids and len(ids) == 3
    else:
        assert ids == {acked.id, doomed_delete}  # the unacknowledged upload is not a phantom
    for meta in after.all():
        assert len(after.content(meta.id)) == meta.size_bytes
    assert leftovers(tmp_path) == []  # a torn write was quarantined, with a warning
    torn = step not in ("dir.fsync", "delete.meta")
    assert bool(after.start_warnings) == torn, after.start_warnings


# -- directories made on the first write only ----------------------------------------------------
@pytest.fixture
def persistent(tmp_path: Path) -> Iterator[ServerHandle]:
    with start_server(data_dir=tmp_path) as server:
        yield server


def test_a_key_that_only_reads_makes_no_tenant_directory(persistent: ServerHandle, tmp_path: Path) -> None:
    client = anthropic.Anthropic(base_url=persistent.base_url, api_key="sk-reader", max_retries=0)
    assert client.files.list().data == []
    with pytest.raises(anthropic.NotFoundError):
        client.files.retrieve_metadata("file_011CNha8iCJcU1wXNR6q4V8w")
    assert not (tmp_path / "tenants" / tenant_label("sk-reader")).exists()
    client.files.upload(file=("a.txt", b"a", "text/plain"))
    assert (tmp_path / "tenants" / tenant_label("sk-reader")).is_dir()


def test_a_file_keeps_its_workspace_across_a_restart(tmp_path: Path) -> None:
    """With ``partition_workspaces``, another workspace's file stays a 404 after a restart."""
    from pytest_claude_files.errors import NotFoundError

    settings = FakeFilesSettings(partition_workspaces=True)
    where = tmp_path / "tenants" / "t"
    first = PersistentFakeFiles(where, settings, clock=FakeClock())
    mine = first.upload(b"w1 data", "a.txt", content_type="text/plain", workspace_id="wrkspc_1")
    default = first.upload(b"default", "b.txt", content_type="text/plain")

    again = PersistentFakeFiles(where, settings, clock=FakeClock())

    assert again.get(mine.id, workspace_id="wrkspc_1").filename == "a.txt"
    assert again.get(default.id).filename == "b.txt"
    with pytest.raises(NotFoundError):
        again.get(mine.id, workspace_id="wrkspc_2")
    with pytest.raises(NotFoundError):
        again.get(mine.id)  # the default workspace is not wrkspc_1
    assert again.start_warnings == []
