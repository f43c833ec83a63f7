# ruff: noqa: F811 - fixtures imported from _cleanup_support are arguments here
"""Session auto-cleanup of live uploads, end to end.

The emulator server on loopback stands in for the real API: the subprocess sessions run
with ``--claude-files-backend=real`` and ``ANTHROPIC_BASE_URL`` pointing at it. Every test
has its own API key (its own account on the emulator) and checks the account afterwards.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ._cleanup_support import (  # noqa: F401 - fixtures
    Account,
    FlakyDeletes,
    account,
    assert_key_absent,
    emulator,
    live_env,
)
from .conftest import NO_UNRELATED_PLUGINS

pytestmark = pytest.mark.slow

SUITE_21 = """
import pytest

@pytest.mark.parametrize("i", range(20))
def test_passes(claude_files_client, i):
    f = claude_files_client.beta.files.upload(file=(f"mine-{i}.txt", b"ours", "text/plain"))
    assert f.id.startswith("file_")

def test_fails(claude_files_client):
    claude_files_client.beta.files.upload(file=("doomed.txt", b"ours", "text/plain"))
    assert False, "this test fails after its upload"
"""


def summary(result: Any) -> tuple[int, int, int]:
    text = result.stdout.str()
    found = re.findall(r"claude-files: uploaded (\d+), deleted (\d+), left (\d+)", text)
    assert len(found) == 1, text
    uploaded, deleted, left = (int(n) for n in found[0])
    return uploaded, deleted, left


def ledger_dir(pytester: pytest.Pytester) -> Any:
    return pytester.path / ".claude-files-ledger"


def test_passing_and_failing_uploads_leave_the_account_as_it_was(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    theirs = live_env.upload(30)
    pytester.makepyfile(SUITE_21)

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, timeout=120)

    result.assert_outcomes(passed=20, failed=1)
    result.stdout.fnmatch_lines(["claude-files: uploaded 21, deleted 21, left 0"])
    assert live_env.ids() == theirs  # exactly as before: ours gone, theirs untouched
    assert sum(live_env.delete_calls().values()) == 21
    assert not live_env.failed_delete_calls()
    assert not list(ledger_dir(pytester).glob("*.jsonl"))  # nothing left to remember


KILLED = """
import os, signal

def test_uploads_then_dies(claude_files_client):
    for i in range(7):
        claude_files_client.beta.files.upload(file=(f"orphan-{i}.txt", b"ours", "text/plain"))
    os.kill(os.getpid(), signal.SIGKILL)
"""


SWEPT_7 = "claude-files: swept 7 files left by earlier sessions: deleted 7, left 0"


@pytest.mark.parametrize("next_session", ["tests", "sweep"])
def test_next_session_sweeps_what_a_killed_session_uploaded(
    pytester: pytest.Pytester, live_env: Account, next_session: str
) -> None:
    theirs = live_env.upload(30)
    pytester.makepyfile(test_killed=KILLED)

    killed = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "test_killed.py", timeout=120)

    assert killed.ret == -9  # SIGKILL: no sessionfinish, no cleanup
    orphans = live_env.ids() - theirs
    assert len(orphans) == 7
    ledgers = list(ledger_dir(pytester).glob("*.jsonl"))
    assert len(ledgers) == 1
    recorded = [json.loads(line) for line in ledgers[0].read_text().splitlines()]
    assert {r["id"] for r in recorded if r["event"] == "upload"} == orphans

    if next_session == "sweep":
        result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "--claude-files-sweep", timeout=120)
        assert result.ret == 0
        result.stdout.fnmatch_lines([SWEPT_7])
        result.stdout.no_fnmatch_line("*passed*")
    else:
        pytester.makepyfile(test_other="def test_nothing_to_do(): pass")
        result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "test_other.py", timeout=120)
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines([
            SWEPT_7,
            "claude-files: uploaded 0, deleted 0, left 0",
        ])
    assert live_env.ids() == theirs  # the 7 are gone, nothing else
    assert set(live_env.delete_calls()) == orphans
    assert not list(ledger_dir(pytester).glob("*.jsonl"))


def test_deletes_failing_with_429_and_529_are_retried_until_all_are_gone(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    flaky = FlakyDeletes(share=0.3, retry_after="1")
    live_env.tenant.handler.hooks.append(flaky)
    pytester.makepyfile(SUITE_21)
    # retry-after: 1 is honoured, capped at 0.05 s here so the test stays fast
    pytester.makeini("[pytest]\nclaude_files_cleanup_max_delay = 0.05\n")

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, timeout=120)

    result.assert_outcomes(passed=20, failed=1)
    result.stdout.fnmatch_lines(["claude-files: uploaded 21, deleted 21, left 0"])
    assert live_env.ids() == set()
    assert flaky.failed[429] > 0 and flaky.failed[529] > 0
    assert sum(flaky.failed.values()) >= 0.2 * flaky.seen  # about 30% of delete requests failed
    assert flaky.seen == 21 + sum(flaky.failed.values())
    assert sum(live_env.delete_calls().values()) == 21


XDIST = """
import pytest

@pytest.mark.parametrize("batch", range(20))
def test_batch(claude_files_client, batch):
    for i in range(10):
        claude_files_client.beta.files.upload(file=(f"b{batch}-{i}.txt", b"ours", "text/plain"))
"""


def test_xdist_four_workers_200_uploads_none_left_none_deleted_twice(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    pytest.importorskip("xdist")
    theirs = live_env.upload(30)
    pytester.makepyfile(XDIST)

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-n", "4", timeout=300)

    result.assert_outcomes(passed=20)
    assert summary(result) == (200, 200, 0)
    deletes = live_env.delete_calls()
    assert len(deletes) == 200 and set(deletes.values()) == {1}  # each exactly once
    assert not live_env.failed_delete_calls()  # no second delete answered 404
    assert live_env.ids() == theirs
    assert not list(ledger_dir(pytester).glob("*.jsonl"))


SECRETIVE = """
import pytest

def test_upload_and_fail(claude_files_client, claude_files_backend):
    f = claude_files_client.beta.files.upload(file=("a.txt", b"ours", "text/plain"))
    print("backend:", claude_files_backend, repr(claude_files_backend.key))
    assert f.id == "something else"

def test_auth_fails_on_delete(claude_files_client, claude_files_cleanup):
    claude_files_client.beta.files.upload(file=("b.txt", b"ours", "text/plain"))
"""


def test_the_key_appears_nowhere_in_output_or_written_files(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    failing = FlakyDeletes(share=1.0, statuses=(401,), retry_after=None)
    pytester.makepyfile(SECRETIVE)

    doomed: list[str] = []

    def hook(request: Any, operation: Any) -> Any:  # every delete of the first file deleted: 401
        if operation != "delete":
            return None
        if not doomed:
            doomed.append(request.path)
        return failing(request, operation) if request.path == doomed[0] else None

    live_env.tenant.handler.hooks.append(hook)
    result = pytester.runpytest_subprocess(
        *NO_UNRELATED_PLUGINS, "-l", "-rA", "--setup-show", "-vv", timeout=120)

    result.assert_outcomes(passed=1, failed=1)
    text = result.stdout.str() + result.stderr.str()
    assert "sha256:" in text  # the fingerprint shows where a key would
    assert "claude-files: uploaded 2, deleted 1, left 1" in text
    assert "401 authentication_error" in text
    ledger = list(ledger_dir(pytester).glob("*.jsonl"))
    assert len(ledger) == 1 and "sha256:" in ledger[0].read_text()
    assert_key_absent(live_env.key, [text], pytester.path)


def test_cleanup_off_keeps_the_files_and_the_next_session_deletes_them(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    pytester.makepyfile(SUITE_21)

    kept = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "--claude-files-cleanup=off", timeout=120)

    kept.stdout.fnmatch_lines([
        "claude-files: uploaded 21, deleted 0, left 21",
        "claude-files: left file_* (uploaded in test_*::test_passes?0?): "
        "auto-cleanup is off (--claude-files-cleanup=off)",
        "claude-files: ... and 1 more left",
        "claude-files: the ledger keeps what is left*",
    ])
    assert len(live_env.ids()) == 21

    swept = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "--claude-files-sweep", timeout=120)

    swept.stdout.fnmatch_lines(["claude-files: swept 21 files left by earlier sessions: deleted 21, left 0"])
    assert live_env.ids() == set()


FUNCTION_SCOPED = """
import pytest

SEEN = []

def test_first(claude_files_client, claude_files_cleanup):
    f = claude_files_client.beta.files.upload(file=("a.txt", b"x", "text/plain"))
    SEEN.append(f.id)
    assert claude_files_cleanup.file_ids == [f.id]

def test_second_sees_it_gone(claude_files_client):
    import anthropic
    with pytest.raises(anthropic.NotFoundError):
        claude_files_client.beta.files.retrieve_metadata(SEEN[0])
"""


def test_function_scoped_cleanup_deletes_at_test_end(pytester: pytest.Pytester, live_env: Account) -> None:
    pytester.makepyfile(FUNCTION_SCOPED)

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-p", "no:randomly", timeout=120)

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["claude-files: uploaded 1, deleted 1, left 0"])
    assert live_env.ids() == set()


RECORD_ALL = """
import anthropic

def test_app_code_uploads_with_its_own_client(claude_files_backend):
    client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
    client.beta.files.upload(file=("app.txt", b"from the app", "text/plain"))
"""


@pytest.mark.parametrize("record_all", [True, False])
def test_record_all_also_cleans_up_uploads_of_other_clients(
    pytester: pytest.Pytester, live_env: Account, record_all: bool
) -> None:
    pytester.makepyfile(RECORD_ALL)
    args = ["--claude-files-record-all"] if record_all else []

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, *args, timeout=120)

    result.assert_outcomes(passed=1)
    if record_all:
        result.stdout.fnmatch_lines(["claude-files: uploaded 1, deleted 1, left 0"])
        assert live_env.ids() == set()
    else:  # not recorded, so not touched
        result.stdout.fnmatch_lines(["claude-files: uploaded 0, deleted 0, left 0"])
        assert len(live_env.ids()) == 1


CRASHING_WORKER = """
import os, signal
import pytest

@pytest.mark.parametrize("i", range(6))
def test_uploads(claude_files_client, i):
    claude_files_client.beta.files.upload(file=(f"u{i}.txt", b"ours", "text/plain"))

def test_worker_dies(claude_files_client):
    for i in range(3):
        claude_files_client.beta.files.upload(file=(f"d{i}.txt", b"ours", "text/plain"))
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_xdist_controller_sweeps_the_ledger_of_a_worker_that_was_killed(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    pytest.importorskip("xdist")
    theirs = live_env.upload(5)
    pytester.makepyfile(CRASHING_WORKER)

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-n", "2", timeout=300)

    result.assert_outcomes(passed=6, failed=1)
    assert summary(result) == (9, 9, 0)
    assert live_env.ids() == theirs
    assert set(live_env.delete_calls().values()) == {1} and not live_env.failed_delete_calls()
    assert not list(ledger_dir(pytester).glob("*.jsonl"))


INTERRUPTED = """
def test_uploads_then_ctrl_c(claude_files_client):
    for i in range(3):
        claude_files_client.beta.files.upload(file=(f"i{i}.txt", b"ours", "text/plain"))
    raise KeyboardInterrupt  # what Ctrl-C raises in the test

def test_never_runs(claude_files_client):
    claude_files_client.beta.files.upload(file=("never.txt", b"ours", "text/plain"))
"""


def test_ctrl_c_still_cleans_up(pytester: pytest.Pytester, live_env: Account) -> None:
    theirs = live_env.upload(2)
    pytester.makepyfile(INTERRUPTED)

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, timeout=120)

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["claude-files: uploaded 3, deleted 3, left 0", "*KeyboardInterrupt*"])
    assert live_env.ids() == theirs
