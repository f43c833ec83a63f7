"""The cleanup ledger against hostile neighbours and odd processes, in process (fast).

Forged and corrupt ledgers, special files named ``*.jsonl``, forks, uploads after the
session closed its ledger, lost answers, exact origin matching, and the two guarantees
issue 15 asks a fast test for: every upload reaches the per-test trackers, and every
upload line is fsync-ed before the upload call returns.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Optional

import pytest

from pytest_claude_files._live.backends import base_of, is_upload, observe, origin, under
from pytest_claude_files._live.cleanup import (
    LOST_ANSWER,
    Attempt,
    Recorder,
    RetryPolicy,
    Secret,
    delete_all,
    sweep,
)
from pytest_claude_files._live.ledger import (
    LedgerWriter,
    Upload,
    claim_ledgers,
    read_ledger,
    valid_file_id,
)

KEY = "sk-ant-api03-guards-0123456789"
BASE = "https://api.example.test"


class Deleter:
    def __init__(self, status: int = 200) -> None:
        self.calls: list[str] = []
        self.status = status

    def __call__(self, file_id: str) -> Attempt:
        self.calls.append(file_id)
        return Attempt(self.status)


def dead_ledger(directory: Path, ids: list[str], key: Secret) -> Path:
    writer = LedgerWriter(directory, "s1", "main")
    recorder = Recorder(writer)
    for file_id in ids:
        recorder.record_upload(file_id, BASE, key)
    writer.finish(remove=False)
    return writer.path


def run_sweep(directory: Path, key: Secret, deleter: Deleter) -> list[str]:
    report = sweep(directory, {(BASE, key.fingerprint): deleter}, RetryPolicy(), secrets=[key],
                   sleep=lambda s: None)
    return report.problems


# -- issue 15: the guarantees a refactoring could quietly drop -------------------------------


def test_every_upload_reaches_the_per_test_trackers(tmp_path: Path) -> None:
    recorder = Recorder(LedgerWriter(tmp_path, "s1", "main"))
    first: list[Upload] = []
    second: list[Upload] = []
    recorder.add_tracker(first)
    recorder.add_tracker(second)

    upload = recorder.record_upload("file_011A", BASE, Secret(KEY))

    assert upload is not None
    assert first == [upload] and second == [upload]
    recorder.remove_tracker(second)  # equal to first: removed by identity
    recorder.record_upload("file_011B", BASE, Secret(KEY))
    assert [u.file_id for u in first] == ["file_011A", "file_011B"] and second == [upload]
    assert recorder.writer is not None
    recorder.writer.finish(remove=True)


def test_every_upload_line_is_fsynced_before_record_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    recorder = Recorder(writer)
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        # what is on disk when fsync is called: the line must already be written
        synced.append(os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    recorder.record_upload("file_011A", BASE, Secret(KEY))
    after_first = len(synced)
    recorder.record_upload("file_011B", BASE, Secret(KEY))

    size = writer.path.stat().st_size
    assert after_first >= 1
    assert len(synced) > after_first  # the second upload was synced on its own
    assert size in synced  # the file was synced at its final size (the last line included)
    writer.finish(remove=True)


# -- forged and corrupt ledgers ---------------------------------------------------------------


def test_a_forged_line_deletes_nothing(tmp_path: Path) -> None:
    ours = Secret(KEY)
    path = dead_ledger(tmp_path, ["file_ours"], ours)
    forged = [
        # the fingerprint is public (the -v header shows it); the signature is not
        {"v": 2, "event": "upload", "id": "file_theirs", "base_url": BASE, "key": ours.fingerprint},
        {"v": 2, "event": "upload", "id": "file_theirs2", "base_url": BASE, "key": ours.fingerprint,
         "mac": "0" * 32},
        {"v": 2, "event": "upload", "id": "", "base_url": BASE, "key": ours.fingerprint},
        {"v": 2, "event": "upload", "id": "..", "base_url": BASE, "key": ours.fingerprint},
        {"v": 2, "event": "upload", "id": "file_x/../../v1", "base_url": BASE, "key": ours.fingerprint},
        {"v": 2, "event": "upload", "id": "file_y", "base_url": "file:///etc", "key": ours.fingerprint},
        {"v": 2, "event": "upload", "id": 7, "base_url": BASE, "key": ours.fingerprint},
        [1, 2, 3],
    ]
    with open(path, "a") as out:
        for record in forged:
            out.write(json.dumps(record) + "\n")
        out.write("\x00\xff not json\n")
    deleter = Deleter()

    problems = run_sweep(tmp_path, ours, deleter)

    assert deleter.calls == ["file_ours"]  # only the line this key's session signed
    assert len(problems) == 1 and str(path) in problems[0]
    assert "2 signature does not match" in problems[0] and "4 not a file id" in problems[0]


def test_a_line_signed_with_another_key_is_not_trusted_for_ours(tmp_path: Path) -> None:
    ours, theirs = Secret(KEY), Secret("sk-ant-someone-else")
    writer = LedgerWriter(tmp_path, "s1", "main")
    # a line claiming our fingerprint, signed with another key
    writer.record_upload(Upload("file_theirs", BASE, ours.fingerprint), theirs.mac_key)
    writer.finish(remove=False)
    deleter = Deleter()

    problems = run_sweep(tmp_path, ours, deleter)

    assert deleter.calls == [] and "signature does not match" in problems[0]


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks are POSIX")
def test_special_files_named_jsonl_are_skipped_never_followed_never_block(tmp_path: Path) -> None:
    ours = Secret(KEY)
    ledgers = tmp_path / "ledgers"
    ledgers.mkdir()
    real = dead_ledger(ledgers, ["file_ours"], ours)
    (ledgers / "s0-dir.jsonl").mkdir()
    os.mkfifo(ledgers / "s0-fifo.jsonl")
    outside = tmp_path / "outside.jsonl"
    outside_ledger = dead_ledger(tmp_path, ["file_outside"], ours)  # a valid ledger elsewhere
    outside_ledger.rename(outside)
    before = outside.read_bytes()
    (ledgers / "s0-link.jsonl").symlink_to(outside)
    (ledgers / "s0-dangling.jsonl").symlink_to(tmp_path / "nowhere")
    deleter = Deleter()

    problems = run_sweep(ledgers, ours, deleter)

    assert deleter.calls == ["file_ours"]  # not file_outside: the link is not followed
    assert outside.read_bytes() == before  # nothing written through the link
    assert not real.exists()  # our ledger is done and removed
    text = "\n".join(problems)
    assert "s0-dir.jsonl: it is a directory" in text
    assert "s0-fifo.jsonl: it is a FIFO" in text
    assert "s0-link.jsonl: it is a symbolic link" in text
    assert "s0-dangling.jsonl: it is a symbolic link" in text
    assert read_ledger(ledgers / "s0-link.jsonl").rejected == {"the ledger is a symbolic link": 1}


def test_ids_that_are_not_file_ids_are_never_recorded(tmp_path: Path) -> None:
    recorder = Recorder(LedgerWriter(tmp_path, "s1", "main"))
    for bad in ("", "..", "a/b", "file_1?x=1", "x" * 300):
        assert not valid_file_id(bad)
        assert recorder.record_upload(bad, BASE, Secret(KEY)) is None
    assert recorder.uploads == {}
    assert len(recorder.unknown) == 5 and "not a file id" in recorder.unknown[0].reason
    assert valid_file_id("file_011CNha8iCJcU1wXNR6q4V8w")


# -- per process, and after the session ------------------------------------------------------


def test_an_upload_after_finish_never_overwrites_the_kept_ledger(tmp_path: Path) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    recorder = Recorder(writer)
    recorder.record_upload("file_kept", BASE, Secret(KEY))
    writer.finish(remove=False)
    kept = writer.path
    before = kept.read_bytes()

    recorder.record_upload("file_late", BASE, Secret(KEY))  # a client used after the session

    assert kept.read_bytes() == before
    assert writer.path != kept and writer.late == 1
    assert [u.file_id for u in read_ledger(writer.path).pending] == ["file_late"]
    writer.finish(remove=False)
    deleter = Deleter()
    run_sweep(tmp_path, Secret(KEY), deleter)
    assert sorted(deleter.calls) == ["file_kept", "file_late"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_records_to_a_ledger_of_its_own(tmp_path: Path) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    recorder = Recorder(writer)
    recorder.record_upload("file_parent", BASE, Secret(KEY))
    parent_ledger = writer.path

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            recorder.record_upload("file_child", BASE, Secret(KEY))
            code = 0 if writer.path != parent_ledger else 3
        except BaseException:
            code = 4
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

    # the parent removes its own ledger: nothing of its own is pending
    recorder.record_gone("file_parent", BASE, "test")
    writer.finish(remove=True)
    assert not parent_ledger.exists()
    (child,) = claim_ledgers(tmp_path, prefix=writer.prefix)  # the child's, unlocked now it exited
    assert [u.file_id for u in child.state.pending] == ["file_child"]
    assert f"-{pid}-" in child.path.name
    child.release()


# -- lost answers --------------------------------------------------------------------------


class FakeRequest:
    method = "POST"


def test_an_upload_that_is_never_answered_counts_as_unknown() -> None:
    recorder = Recorder()
    recorder.current_test = "test_x.py::test_y"
    lost, answered, pending = FakeRequest(), FakeRequest(), FakeRequest()
    for request in (lost, answered, pending):
        recorder.upload_sent(request, BASE)
    recorder.upload_answered(answered)
    del lost  # the SDK gave up on it (and retried with a new request)
    gc.collect()

    assert [(u.test, u.reason) for u in recorder.unknown] == [("test_x.py::test_y", LOST_ANSWER)]
    recorder.settle()  # the session ends with one still unanswered
    assert len(recorder.unknown) == 2
    assert recorder.is_tracked(pending) is False


def test_a_200_upload_answer_that_is_not_json_counts_as_unknown() -> None:
    recorder = Recorder()

    observe(recorder, "POST", _Url(BASE + "/v1/files"), 200, lambda: b"{not json", BASE, Secret(KEY))

    assert len(recorder.unknown) == 1 and recorder.uploads == {}


class _Url:
    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


# -- exact origins ---------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "base", "expected"), [
    ("http://127.0.0.1:4713/v1/files", "http://127.0.0.1:4713", "/v1/files"),
    ("http://127.0.0.1:47130/v1/files", "http://127.0.0.1:4713", None),
    ("http://127.0.0.1:4713/v1/files", "http://127.0.0.1:47130", None),
    ("https://api.example.test/v1/files", "https://api.example.test:443", "/v1/files"),
    ("http://api.example.test/v1/files", "https://api.example.test", None),
    ("https://api.example.test.evil/v1/files", "https://api.example.test", None),
    ("https://proxy.test/anthropic/v1/files", "https://proxy.test/anthropic", "/v1/files"),
    ("https://proxy.test/anthropic2/v1/files", "https://proxy.test/anthropic", None),
])
def test_origins_match_exactly(url: str, base: str, expected: Optional[str]) -> None:
    assert under(url, base) == expected
    assert is_upload(url, base) is (expected == "/v1/files")


def test_origin_and_base_of() -> None:
    assert origin("HTTPS://API.Example.test/x") == ("https", "api.example.test", 443)
    assert base_of("http://127.0.0.1:9/p/v1/files") == "http://127.0.0.1:9/p"
    assert base_of("http://127.0.0.1:9/v1/files/file_1") == "http://127.0.0.1:9"
    assert base_of("http://127.0.0.1:9/v1/messages") is None


# -- one pass, no retry of what will not heal --------------------------------------------------


def test_a_401_is_tried_once_and_a_shared_deadline_bounds_every_call() -> None:
    uploads = [Upload(f"file_{i}", BASE, "sha256:" + "0" * 16) for i in range(3)]
    refused = Deleter(401)
    report = delete_all(uploads, refused, RetryPolicy(), sleep=lambda s: None)
    assert refused.calls == ["file_0", "file_1", "file_2"]
    assert [u.file_id for u in report.final] == ["file_0", "file_1", "file_2"]

    busy = Deleter(529)
    now = [100.0]
    report = delete_all(uploads, busy, RetryPolicy(attempts=50), sleep=lambda s: None,
                        clock=lambda: now[0], deadline=100.0)  # the budget is already used up
    assert busy.calls == ["file_0", "file_1", "file_2"]  # one try each, no waiting
    assert all("budget" in reason for _, reason in report.left) and report.final == []
