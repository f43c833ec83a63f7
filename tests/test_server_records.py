"""``server/_records.DirectoryRecords`` on its own (issue 24): the steps of a save in their
order, a crash at any step leaves the old record or the new one whole (never a torn one),
a drop is durable, and the clock comes back as it was kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files.errors import FilesInternalError
from pytest_claude_files.server._records import DirectoryRecords
from pytest_claude_files.server._store import StoreIO

SAVE_STEPS = ["record.write", "record.fsync", "record.rename", "dir.fsync"]


class Crash(BaseException):
    """The process dies at a step (nothing after it runs)."""


class Steps(StoreIO):
    def __init__(self, crash_at: str = "") -> None:
        self.seen: list[str] = []
        self.crash_at = crash_at

    def step(self, name: str) -> None:
        self.seen.append(name)
        if name == self.crash_at:
            raise Crash(name)


def records(tmp_path: Path, io: StoreIO | None = None) -> DirectoryRecords:
    return DirectoryRecords(tmp_path / "state", quarantine=tmp_path / "quarantine", io=io)


def loaded(store: DirectoryRecords, kind: str = "batches") -> dict[str, Any]:
    found: dict[str, Any] = {}
    store.load(kind, lambda key, record: found.__setitem__(key, record))
    return found


def test_a_save_writes_fsyncs_renames_then_fsyncs_the_directory(tmp_path: Path) -> None:
    io = Steps()
    records(tmp_path, io).save("batches", "msgbatch_01a", {"v": 1})
    assert io.seen == SAVE_STEPS
    assert loaded(records(tmp_path)) == {"msgbatch_01a": {"v": 1}}


@pytest.mark.parametrize("step", SAVE_STEPS)
def test_a_crash_at_any_step_keeps_the_old_record_or_the_new_one_whole(tmp_path: Path, step: str) -> None:
    records(tmp_path).save("batches", "msgbatch_01a", {"v": 1})
    with pytest.raises(Crash):
        records(tmp_path, Steps(crash_at=step)).save("batches", "msgbatch_01a", {"v": 2, "pad": "x" * 5000})
    after = records(tmp_path)
    found = loaded(after)
    new = {"v": 2, "pad": "x" * 5000}
    assert found["msgbatch_01a"] in ({"v": 1}, new)
    assert found["msgbatch_01a"] == (new if step == "dir.fsync" else {"v": 1})  # renamed only at the end
    assert not list((tmp_path / "state" / "batches").glob("*.tmp"))  # a torn temporary file never stays


def test_a_dropped_record_is_gone_and_a_missing_one_is_no_error(tmp_path: Path) -> None:
    store = records(tmp_path)
    store.save("skills", "skill_01a", {"id": "skill_01a"})
    store.drop("skills", "skill_01a")
    store.drop("skills", "skill_01never")
    assert loaded(records(tmp_path), "skills") == {}


def test_a_key_that_is_not_a_plain_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        records(tmp_path).save("batches", "../../escape", {})


def test_a_refused_write_is_the_apis_500(tmp_path: Path) -> None:
    class Full(StoreIO):
        def write(self, fd: int, data: memoryview) -> int:
            raise OSError(28, "No space left on device")

    with pytest.raises(FilesInternalError, match="could not store the batches record msgbatch_01a"):
        records(tmp_path, Full()).save("batches", "msgbatch_01a", {})
    assert loaded(records(tmp_path)) == {}


def test_the_clock_comes_back_shifted_or_frozen(tmp_path: Path) -> None:
    clock = records(tmp_path).load_clock()
    clock.advance(hours=5)
    again = records(tmp_path).load_clock()
    assert abs((again.now() - clock.now()).total_seconds()) < 5 and not again.frozen
    again.freeze()
    again.set("2031-05-06T07:08:09Z")
    third = records(tmp_path).load_clock()
    assert third.frozen and third.now().isoformat() == "2031-05-06T07:08:09+00:00"
    (tmp_path / "state" / "clock" / "now.json").write_text('{"offset_us": "soon"}')
    fresh = records(tmp_path)
    assert abs((fresh.load_clock().now() - FakeClock().now()).total_seconds()) < 5  # unreadable: real time
    assert "unreadable clock record" in fresh.start_warnings[0]


class DictRecords:
    """A record storage of one's own, in a dict: what ``FakeService(records=...)`` takes."""

    durable = True

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], Any] = {}

    def save(self, kind: str, key: str, record: Any) -> None:
        import json

        self.kept[kind, key] = json.loads(json.dumps(record))  # JSON-able, and a copy

    def drop(self, kind: str, key: str) -> None:
        self.kept.pop((kind, key), None)

    def clear(self, kind: str) -> None:
        for found in [k for k in self.kept if k[0] == kind]:
            del self.kept[found]

    def load(self, kind: str, restore: Any) -> None:
        for (found, key), record in sorted(self.kept.items()):
            if found == kind:
                restore(key, record)


def test_any_record_storage_plugs_into_the_service_without_a_subclass() -> None:
    from pytest_claude_files import FakeService

    kept = DictRecords()
    first = FakeService(records=kept)
    first.batches.hold()
    batch = first.batches.create({"requests": [{"custom_id": "a", "params": {
        "model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}}]}, body_size=100)
    agent = first.agents.create({"name": "a", "model": "m"})
    assert {kind for kind, _ in kept.kept} == {"batches", "agents"}

    second = FakeService(records=kept)  # what a restart sees

    assert second.batches.get(batch["id"])["processing_status"] == "in_progress"
    assert second.agents.retrieve(agent["id"]) == agent
    second.reset()
    assert kept.kept == {} and len(FakeService(records=kept).batches) == 0
    plain = FakeService()  # the default keeps nothing, and builds no record
    plain.agents.create({"name": "a", "model": "m"})
    assert plain.records.durable is False
