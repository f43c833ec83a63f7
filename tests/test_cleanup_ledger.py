"""The crash-safe ledger: one fsync-ed JSON line per upload, locks, claiming, sweeping."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Optional

import pytest

from pytest_claude_files._live.cleanup import (
    Attempt,
    Recorder,
    RetryPolicy,
    Secret,
    redact,
    sweep,
)
from pytest_claude_files._live.ledger import (
    LedgerWriter,
    Upload,
    claim_ledgers,
    key_fingerprint,
    ledger_mac_key,
    normalize_base_url,
    read_ledger,
)

KEY = "sk-ant-api03-very-secret-key-0123456789"
BASE = "https://api.example.test"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_fingerprint_is_stable_distinct_and_not_the_key() -> None:
    fp = key_fingerprint(KEY)
    assert fp == key_fingerprint(KEY)
    assert fp != key_fingerprint(KEY + "x")
    assert fp.startswith("sha256:") and len(fp) == len("sha256:") + 16
    assert KEY not in fp and KEY[-8:] not in fp


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://API.Example.test/", "https://api.example.test"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://proxy.test/anthropic/", "https://proxy.test/anthropic"),
    ],
)
def test_normalize_base_url(url: str, expected: str) -> None:
    assert normalize_base_url(url) == expected


def test_secret_never_shows_the_key() -> None:
    secret = Secret(KEY)
    for text in (repr(secret), str(secret), f"{secret}", repr([secret]), repr({"k": secret})):
        assert KEY not in text and secret.fingerprint in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)
    assert secret.reveal() == KEY


def test_redact_replaces_the_key_with_its_fingerprint() -> None:
    secret = Secret(KEY)
    assert redact(f"oops {KEY}!", [secret]) == f"oops <key {secret.fingerprint}>!"


def test_each_upload_is_on_disk_before_record_returns(tmp_path: Path) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    recorder = Recorder(writer)
    assert not writer.path.exists()  # created lazily, on the first upload

    recorder.record_upload("file_011A", BASE + "/", Secret(KEY))
    first = lines(writer.path)
    recorder.record_upload("file_011B", BASE, Secret(KEY))
    second = lines(writer.path)

    assert [r["event"] for r in first] == ["session", "upload"]
    assert first[1]["id"] == "file_011A" and first[1]["base_url"] == BASE
    assert first[1]["key"] == key_fingerprint(KEY)
    assert [r.get("id") for r in second] == [None, "file_011A", "file_011B"]
    assert KEY not in writer.path.read_text()
    assert oct(writer.path.stat().st_mode & 0o777) == "0o600"
    writer.finish(remove=False)


def test_recorder_ignores_duplicates_and_unknown_deletes(tmp_path: Path) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    recorder = Recorder(writer)
    recorder.record_upload("file_011A", BASE, Secret(KEY))
    assert recorder.record_upload("file_011A", BASE, Secret(KEY)) is None  # seen by two hooks
    recorder.record_gone("file_999", BASE, "test")  # not ours: not tracked

    recorder.record_gone("file_011A", BASE, "test")

    assert recorder.pending == []
    events = [(r["event"], r.get("id")) for r in lines(writer.path)]
    assert events == [("session", None), ("upload", "file_011A"), ("deleted", "file_011A")]
    writer.finish(remove=True)
    assert not writer.path.exists()


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    Recorder(writer).record_upload("file_011A", BASE, Secret(KEY))
    writer.finish(remove=False)
    with open(writer.path, "ab") as out:
        out.write(b'{"v":1,"event":"upload","id":"file_01')  # killed mid-write

    state = read_ledger(writer.path)

    assert [u.file_id for u in state.pending] == ["file_011A"]
    assert state.torn_lines == 1 and state.finished


def test_a_live_writer_ledger_cannot_be_claimed(tmp_path: Path) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    Recorder(writer).record_upload("file_011A", BASE, Secret(KEY))

    assert list(claim_ledgers(tmp_path)) == []  # locked by its (live) writer

    writer.finish(remove=False)  # the session ended with files left
    claimed = list(claim_ledgers(tmp_path))
    assert [c.path for c in claimed] == [writer.path]
    assert list(claim_ledgers(tmp_path)) == []  # a claimed ledger is locked too
    claimed[0].release()


class ScriptedDeleter:
    def __init__(self, answers: Optional[dict[str, list[int]]] = None) -> None:
        self.answers = answers or {}
        self.calls: list[str] = []

    def __call__(self, file_id: str) -> Attempt:
        self.calls.append(file_id)
        script = self.answers.get(file_id)
        return Attempt(script.pop(0) if script else 200)


SIGNERS = {key_fingerprint(k): ledger_mac_key(k) for k in (KEY, "another-key")}


def make_dead_ledger(directory: Path, session: str, uploads: list[Upload]) -> Path:
    writer = LedgerWriter(directory, session, "main")
    for upload in uploads:
        writer.record_upload(upload, SIGNERS[upload.key])
    writer.finish(remove=False)
    return writer.path


def test_sweep_deletes_only_what_the_ledger_lists_for_our_credentials(tmp_path: Path) -> None:
    ours = Secret(KEY)
    other = key_fingerprint("another-key")
    make_dead_ledger(tmp_path, "s1", [
        Upload("file_mine1", BASE, ours.fingerprint),
        Upload("file_mine2", BASE, ours.fingerprint),
        Upload("file_theirs", BASE, other),
        Upload("file_elsewhere", "https://other.test", ours.fingerprint),
        Upload("file_emulated", "http://127.0.0.1:1", ours.fingerprint, ephemeral=True),
    ])
    deleter = ScriptedDeleter({"file_mine2": [404]})

    report = sweep(tmp_path, {(BASE, ours.fingerprint): deleter}, RetryPolicy(), secrets=[ours],
                   sleep=lambda s: None)

    assert deleter.calls == ["file_mine1", "file_mine2"]
    assert [(u.file_id, how) for u, how in report.cleanup.deleted] == [
        ("file_mine1", "cleanup"), ("file_mine2", "already-gone")]
    assert report.other_credentials == 2 and [u.file_id for u in report.dropped] == ["file_emulated"]
    # the ledger stays for the other credentials, with the deletes marked
    (path,) = tmp_path.glob("*.jsonl")
    assert sorted(u.file_id for u in read_ledger(path).pending) == ["file_elsewhere", "file_theirs"]

    again = ScriptedDeleter()
    sweep(tmp_path, {(BASE, ours.fingerprint): again}, RetryPolicy(), secrets=[ours], sleep=lambda s: None)
    assert again.calls == []  # never deleted twice


def test_sweep_removes_a_ledger_once_everything_is_gone(tmp_path: Path) -> None:
    ours = Secret(KEY)
    make_dead_ledger(tmp_path, "s1", [Upload("file_a", BASE, ours.fingerprint)])
    make_dead_ledger(tmp_path, "s2", [Upload("file_b", BASE, ours.fingerprint)])
    deleter = ScriptedDeleter({"file_b": [401]})

    report = sweep(tmp_path, {(BASE, ours.fingerprint): deleter}, RetryPolicy(), secrets=[ours],
                   sleep=lambda s: None)

    assert report.ledgers == 2
    assert [u.file_id for u, _ in report.cleanup.left] == ["file_b"]
    assert [p.name.split("-")[0] for p in tmp_path.glob("*.jsonl")] == ["s2"]


def test_sweep_with_a_prefix_only_claims_that_session(tmp_path: Path) -> None:
    ours = Secret(KEY)
    make_dead_ledger(tmp_path, "s1", [Upload("file_a", BASE, ours.fingerprint)])
    make_dead_ledger(tmp_path, "s2", [Upload("file_b", BASE, ours.fingerprint)])
    deleter = ScriptedDeleter()

    sweep(tmp_path, {(BASE, ours.fingerprint): deleter}, prefix="s2-", secrets=[ours], sleep=lambda s: None)

    assert deleter.calls == ["file_b"]


def test_writer_never_exposes_an_unlocked_ledger(tmp_path: Path) -> None:
    writer = LedgerWriter(tmp_path, "s1", "main")
    Recorder(writer).record_upload("file_a", BASE, Secret(KEY))
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != ".gitignore")
    assert names == [writer.path.name]  # the temporary name is gone after the rename
    assert str(os.getpid()) in writer.path.name
    writer.finish(remove=True)
