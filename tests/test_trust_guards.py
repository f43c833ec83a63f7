"""Issue 24: the adversarial run's findings, each with a test that fails without its fix.

The ledger sweep never touches a file it did not write; a ledger over the read limit is
never removed; the control API refuses look-alike origins and foreign ``Host`` headers.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pytest_claude_files._live import ledger as ledger_module
from pytest_claude_files._live.cleanup import Attempt, Recorder, RetryPolicy, Secret, sweep
from pytest_claude_files._live.ledger import LedgerWriter, ensure_ledger_dir, read_ledger

KEY = "sk-ant-api03-guards24-0123456789"
BASE = "https://api.example.test"


class Deleter:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, file_id: str) -> Attempt:
        self.calls.append(file_id)
        return Attempt(200)


def dead_ledger(directory: Path, ids: list[str], key: Secret, session: str = "s1") -> Path:
    writer = LedgerWriter(directory, session, "main")
    recorder = Recorder(writer)
    for file_id in ids:
        recorder.record_upload(file_id, BASE, key)
    writer.finish(remove=False)
    return writer.path


def run_sweep(directory: Path, key: Secret, deleter: Deleter) -> list[str]:
    report = sweep(directory, {(BASE, key.fingerprint): deleter}, RetryPolicy(), secrets=[key],
                   sleep=lambda s: None)
    return report.problems


# -- finding 1 (HIGH): the sweep deletes the user's own files ---------------------------------
def test_the_sweep_leaves_the_users_jsonl_files_alone(tmp_path: Path) -> None:
    users = tmp_path / "fixtures"  # claude_files_ledger_dir pointed at a folder of the user's
    users.mkdir()
    seed = users / "seed.jsonl"
    seed.write_text('{"filename": "a.txt", "content": "a"}\n')
    dated = users / "data-2024-01.jsonl"  # a name shaped like a ledger's, but not a ledger
    dated.write_text('{"row": 1}\n')
    their_ignore = users / ".gitignore"
    their_ignore.write_text("*.tmp\n")
    before = {p.name: p.read_bytes() for p in users.iterdir()}
    key = Secret(KEY)

    ours = dead_ledger(users, ["file_ours"], key)
    deleter = Deleter()
    problems = run_sweep(users, key, deleter)

    assert deleter.calls == ["file_ours"] and not ours.exists()
    assert {p.name: p.read_bytes() for p in users.iterdir()} == before  # nothing written, nothing gone
    assert any("data-2024-01.jsonl" in p and "not a ledger this plugin wrote" in p for p in problems)
    assert not any("seed.jsonl" in p for p in problems)  # not even shaped like a ledger: silent


def test_no_gitignore_goes_into_a_directory_the_plugin_did_not_create(tmp_path: Path) -> None:
    users = tmp_path / "fixtures"
    users.mkdir()
    ensure_ledger_dir(users)
    assert not (users / ".gitignore").exists()
    ours = tmp_path / "made-here"
    ensure_ledger_dir(ours)
    assert (ours / ".gitignore").read_text().splitlines()[-1] == "*"
    assert oct(ours.stat().st_mode & 0o777) == "0o700"


@pytest.mark.skipif(sys.platform == "win32", reason="hard links are POSIX here")
def test_a_hard_linked_file_is_never_claimed(tmp_path: Path) -> None:
    key = Secret(KEY)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    original = dead_ledger(elsewhere, ["file_linked"], key)  # a valid ledger, linked in
    ledgers = tmp_path / "ledgers"
    ledgers.mkdir()
    os.link(original, ledgers / original.name)
    before = original.read_bytes()
    deleter = Deleter()

    problems = run_sweep(ledgers, key, deleter)

    assert deleter.calls == []
    assert original.read_bytes() == before and (ledgers / original.name).exists()
    assert any("2 hard links" in p for p in problems)


# -- finding 8: a ledger over the read limit is cut, and must never be removed ----------------
def test_a_ledger_over_the_limit_is_kept_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Secret(KEY)
    path = dead_ledger(tmp_path, ["file_first"], key)
    size = path.stat().st_size
    with open(path, "ab") as handle:  # lines past the limit the sweep cannot read
        handle.write(b'{"event":"upload","pad":"' + b"x" * 400 + b'"}\n')
    monkeypatch.setattr(ledger_module, "MAX_LEDGER_BYTES", size + 100)
    deleter = Deleter()

    problems = run_sweep(tmp_path, key, deleter)

    assert deleter.calls == ["file_first"]  # what was read is acted on
    assert path.exists()  # but the ledger stays: its end was never read
    assert any("over" in p and "MiB" in p for p in problems)
    assert read_ledger(path).cut


def test_a_ledger_just_at_the_limit_is_not_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = dead_ledger(tmp_path, ["file_a"], Secret(KEY))
    monkeypatch.setattr(ledger_module, "MAX_LEDGER_BYTES", path.stat().st_size)
    state = read_ledger(path)
    assert not state.cut and [u.file_id for u in state.pending] == ["file_a"]


def test_a_ledger_starts_with_its_session_line(tmp_path: Path) -> None:
    path = dead_ledger(tmp_path, ["file_a"], Secret(KEY))
    first = json.loads(path.read_text().splitlines()[0])
    assert first["event"] == "session" and first["v"] == ledger_module.LEDGER_VERSION
    assert ledger_module.LEDGER_NAME.match(path.name)
