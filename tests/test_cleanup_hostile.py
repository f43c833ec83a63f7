# ruff: noqa: F811 - fixtures imported from _cleanup_support are arguments here
"""Auto-cleanup against what broke it (issue 13): ``--cache-clear``, forks, late uploads,
lost answers, forged and corrupt ledgers, record-all hosts with a shared prefix, one pass.

End to end: pytester subprocess sessions on ``--claude-files-backend=real`` against the
emulator on loopback, each test with its own account. Each checks the account afterwards:
0 files left that the session made (or counted as unknown and named), 0 files deleted
that it did not make, 0 crashes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Generator

import pytest

from pytest_claude_files._live.ledger import key_fingerprint

from ._cleanup_support import (  # noqa: F401 - fixtures
    Account,
    FlakyDeletes,
    account,
    emulator,
    live_env,
)

pytestmark = pytest.mark.slow

LEDGER_DIR = ".claude-files-ledger"


def ledgers(pytester: pytest.Pytester) -> list[Any]:
    return sorted((pytester.path / LEDGER_DIR).glob("*.jsonl"))


def assert_no_crash(result: Any) -> None:
    text = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in text and "Traceback" not in text, text


KILLED = """
import os, signal

def test_uploads_then_dies(claude_files_client):
    for i in range(7):
        claude_files_client.beta.files.upload(file=(f"orphan-{i}.txt", b"ours", "text/plain"))
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_cache_clear_after_a_killed_session_still_sweeps_its_uploads(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    theirs = live_env.upload(3)
    pytester.makepyfile(test_killed=KILLED, test_other="def test_nothing(): pass")
    killed = pytester.runpytest_subprocess("test_killed.py", timeout=120)
    assert killed.ret == -9
    assert len(live_env.ids() - theirs) == 7

    result = pytester.runpytest_subprocess("--cache-clear", "test_other.py", timeout=120)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "claude-files: swept 7 files left by earlier sessions: deleted 7, left 0",
        "claude-files: uploaded 0, deleted 0, left 0",
    ])
    assert live_env.ids() == theirs
    assert ledgers(pytester) == []


FORK = """
import os

def test_forks_a_child_that_uploads(claude_files_client):
    pid = os.fork()
    if pid == 0:  # the child uploads with the fixture client, then exits without any teardown
        code = 1
        try:
            claude_files_client.beta.files.upload(file=("child.txt", b"child", "text/plain"))
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    claude_files_client.beta.files.upload(file=("parent.txt", b"parent", "text/plain"))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_uploads_of_a_forked_child_are_deleted_and_counted(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    theirs = live_env.upload(2)
    pytester.makepyfile(FORK)

    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=120)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["claude-files: uploaded 2, deleted 2, left 0"])
    assert live_env.ids() == theirs
    assert ledgers(pytester) == []


LATE = """
def test_uploads_now_and_keeps_its_client(claude_files_client):
    claude_files_client.beta.files.upload(file=("now.txt", b"now", "text/plain"))
    KEPT.append(claude_files_client)  # code after the session can still upload with it
"""

LATE_CONFTEST = """
import builtins

KEPT = builtins.KEPT = []

def pytest_unconfigure(config):  # after the session finished and closed its ledger
    try:
        KEPT[0].beta.files.upload(file=("late.txt", b"late", "text/plain"))
    except Exception as exc:  # the fixture clients are closed with the session
        cause = exc.__cause__ or exc.__context__
        open(config.rootpath / "late-refused.txt", "w").write(f"{type(exc).__name__}: {cause}")
"""


def test_a_client_kept_past_the_session_cannot_upload_and_the_sweep_finds_the_rest(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    """A fixture client kept by code after the session is closed with it: the late upload is
    refused in the process (nothing reaches the account unrecorded), and the next session
    sweeps what the kept session left."""
    pytester.makeconftest(LATE_CONFTEST)
    pytester.makepyfile(LATE)

    kept = pytester.runpytest_subprocess("--claude-files-cleanup=off", timeout=120)

    kept.assert_outcomes(passed=1)
    kept.stdout.fnmatch_lines(["claude-files: uploaded 1, deleted 0, left 1"])
    refused = pytester.path / "late-refused.txt"
    assert refused.exists() and "closed" in refused.read_text()
    assert len(live_env.ids()) == 1  # "now" kept (cleanup off); "late" never sent
    files = ledgers(pytester)
    assert len(files) == 1
    recorded = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert [r["id"] for r in recorded if r["event"] == "upload"] == sorted(live_env.ids())
    assert recorded[-1]["event"] == "finished"

    swept = pytester.runpytest_subprocess("--claude-files-sweep", timeout=120)

    swept.stdout.fnmatch_lines(["claude-files: swept 1 file left by earlier sessions: deleted 1, left 0"])
    assert live_env.ids() == set()
    assert ledgers(pytester) == []


LOST = """
def test_upload_whose_answer_is_lost(claude_files_client):
    f = claude_files_client.beta.files.upload(file=("lost.txt", b"lost", "text/plain"))
    assert f.filename == "lost.txt"
"""


LOST_APP = """
import anthropic

def test_upload_whose_answer_is_lost(claude_files_backend):
    f = anthropic.Anthropic().beta.files.upload(file=("lost.txt", b"lost", "text/plain"))
    assert f.filename == "lost.txt"
"""


@pytest.mark.parametrize(("client", "record_all"), [("fixture", False), ("fixture", True), ("app", True)])
def test_a_lost_answer_is_counted_as_unknown_and_named(
    pytester: pytest.Pytester, live_env: Account, client: str, record_all: bool
) -> None:
    from pytest_claude_files.server.control_client import ControlClient

    # the server stores the first upload and cuts its answer off: the SDK retries
    ControlClient(live_env.base_url, live_env.key).cut_body("upload", 0, times=1)
    pytester.makepyfile(test_lost=LOST if client == "fixture" else LOST_APP)

    args = ["--claude-files-record-all"] if record_all else []
    result = pytester.runpytest_subprocess(*args, timeout=120)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "claude-files: uploaded 1, deleted 1, unknown 1, left 0",
        f"claude-files: unknown: an upload in test_lost.py::test_upload_whose_answer_is_lost to "
        f"{live_env.base_url}: the server answered 200*broke off*a retry may have left that copy behind*",
    ])
    (orphan,) = live_env.files.files  # the first copy: nobody got its id, and the summary says so
    assert orphan.filename == "lost.txt"
    assert_no_crash(result)


SIMPLE = """
def test_upload(claude_files_client):
    claude_files_client.beta.files.upload(file=("mine.txt", b"ours", "text/plain"))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks are POSIX")
def test_a_forged_or_corrupt_ledger_deletes_nothing_and_crashes_nothing(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    theirs = sorted(live_env.upload(3))
    fingerprint = key_fingerprint(live_env.key)
    directory = pytester.path / LEDGER_DIR
    directory.mkdir()

    def line(file_id: Any, **extra: Any) -> str:
        return json.dumps({"v": 2, "event": "upload", "id": file_id, "base_url": live_env.base_url,
                           "key": fingerprint, **extra})

    forged = [json.dumps({"v": 2, "event": "session", "session": "x", "worker": "main", "pid": 1}),
              line(theirs[0]), line(theirs[1], mac="0" * 32), line(""), line(".."), line("../files"),
              line(7),
              "{torn"]
    (directory / "20200101T000000-forged-main-1-0.jsonl").write_text("\n".join(forged) + "\n")
    (directory / "a-directory.jsonl").mkdir()
    os.mkfifo(directory / "a-fifo.jsonl")
    outside = pytester.path / "outside.jsonl"
    outside.write_text(line(theirs[2]) + "\n")
    (directory / "a-link.jsonl").symlink_to(outside)
    pytester.makepyfile(SIMPLE)

    result = pytester.runpytest_subprocess(timeout=120)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "claude-files: uploaded 1, deleted 1, left 0",
        "claude-files: warning: ignored lines of */20200101T000000-forged-main-1-0.jsonl: "
        "4 not a file id, 2 signature does not match*",
        "claude-files: warning: skipped */a-directory.jsonl: it is a directory, not a ledger file",
        "claude-files: warning: skipped */a-fifo.jsonl: it is a FIFO, not a ledger file",
        "claude-files: warning: skipped */a-link.jsonl: it is a symbolic link, not a ledger file",
    ])
    assert sorted(live_env.ids()) == theirs  # ours gone, theirs untouched
    assert not live_env.delete_calls().keys() & set(theirs)
    assert outside.read_text() == line(theirs[2]) + "\n"
    assert_no_crash(result)


@pytest.fixture
def neighbour(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Generator[Any, None, None]:
    """Another service on the same host whose port starts with the backend's port digits
    (backend ``:4713``, neighbour ``:47130``): the backend is a second emulator on the
    shorter port."""
    from pytest_claude_files.server import start_server

    long_port = int(emulator.base_url.rstrip("/").rsplit(":", 1)[1])
    short_port = int(str(long_port)[:-1])
    if short_port < 1024:
        pytest.skip(f"port {long_port} has no usable prefix port")
    try:
        backend = start_server("127.0.0.1", short_port)
    except Exception as exc:  # the shorter port is taken
        pytest.skip(f"port {short_port} is not free: {exc}")
    try:
        yield backend
    finally:
        backend.stop()


RECORD_ALL_NEIGHBOUR = """
import os
import anthropic

def test_two_services(claude_files_client):
    other = anthropic.Anthropic(api_key=os.environ["OTHER_KEY"], base_url=os.environ["OTHER_URL"])
    other.beta.files.upload(file=("other-service.txt", b"theirs", "text/plain"))
    claude_files_client.beta.files.upload(file=("mine.txt", b"ours", "text/plain"))
    moved = claude_files_client.with_options(base_url=os.environ["OTHER_URL"])
    moved.beta.files.upload(file=("moved.txt", b"ours, elsewhere", "text/plain"))
"""


def test_record_all_matches_the_exact_origin_and_with_options_is_attributed(
    pytester: pytest.Pytester, live_env: Account, neighbour: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_url = live_env.base_url  # the longer port: 127.0.0.1:47130
    backend = Account(neighbour, live_env.key)  # the shorter port: 127.0.0.1:4713
    assert other_url.startswith(backend.base_url)
    other_key = "sk-ant-api03-OTHER-SERVICE-0123456789"
    monkeypatch.setenv("ANTHROPIC_BASE_URL", backend.base_url)
    monkeypatch.setenv("OTHER_URL", other_url)
    monkeypatch.setenv("OTHER_KEY", other_key)
    pytester.makepyfile(RECORD_ALL_NEIGHBOUR)

    result = pytester.runpytest_subprocess("--claude-files-record-all", timeout=120)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["claude-files: uploaded 2, deleted 2, left 0"])
    assert backend.ids() == set()  # mine.txt deleted on the backend
    assert live_env.ids() == set()  # moved.txt deleted where it went, with the key it used
    other = Account(live_env.handle, other_key)
    assert [f.filename for f in other.files.files] == ["other-service.txt"]  # not ours: kept
    assert not other.delete_calls()
    never_sent = Account(neighbour, other_key)  # the other service's key never reached the backend
    assert not never_sent.files.operations("delete") and not never_sent.files.operations("upload")
    assert_no_crash(result)


ONE_PASS = """
def test_plain(claude_files_client):
    claude_files_client.beta.files.upload(file=("busy.txt", b"ours", "text/plain"))

def test_with_cleanup(claude_files_cleanup, claude_files_client):
    claude_files_client.beta.files.upload(file=("refused.txt", b"ours", "text/plain"))
"""


def test_one_cleanup_pass_and_a_401_is_not_retried(pytester: pytest.Pytester, live_env: Account) -> None:
    seen: dict[str, int] = {}
    busy = FlakyDeletes(share=1.0, statuses=(529,), retry_after="0")
    refused = FlakyDeletes(share=1.0, statuses=(401,), retry_after=None)
    names: dict[str, str] = {}

    def hook(request: Any, operation: Any) -> Any:
        if operation != "delete":
            return None
        file_id = request.path.rsplit("/", 1)[1]
        name = names.get(file_id) or next(
            (m.filename for m in live_env.files.files if m.id == file_id), "?")
        names[file_id] = name
        seen[name] = seen.get(name, 0) + 1
        return (refused if name == "refused.txt" else busy)(request, operation)

    live_env.tenant.handler.hooks.append(hook)
    pytester.makeini("[pytest]\nclaude_files_cleanup_attempts = 3\nclaude_files_cleanup_max_delay = 0\n")
    pytester.makepyfile(ONE_PASS)

    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=120)

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "claude-files: uploaded 2, deleted 0, left 2",
        "claude-files: left file_* (uploaded in test_one_cleanup_pass*::test_plain): "
        "delete failed: 529 overloaded_error after 3 attempts",
        "claude-files: left file_* (uploaded in test_one_cleanup_pass*::test_with_cleanup): "
        "delete failed: 401 authentication_error",
    ])
    assert seen == {"busy.txt": 3, "refused.txt": 1}  # one pass of 3 tries; a 401 once
    assert re.search(r"left 2", result.stdout.str())
