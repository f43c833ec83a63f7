# ruff: noqa: F811 - fixtures imported from _cleanup_support are arguments here
"""Backend selection: the same unchanged test runs on the fake, the emulator and the "real" API.

The "real" API here is the emulator on loopback, reached through ``ANTHROPIC_BASE_URL``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

# In-process pytester runs drop the modules they imported afterwards; importing these
# here keeps one copy of each for every run (the transports cache a class per module).
import anthropic  # noqa: F401
import pytest

import pytest_claude_files._sdk.client
import pytest_claude_files._sdk.transports
import pytest_claude_files.server  # noqa: F401
from pytest_claude_files._live.backends import BackendError, choose_backend

from ._cleanup_support import ENV_NAMES, Account, account, emulator, live_env  # noqa: F401 - fixtures

PORTABLE = """
import pytest

def test_upload_list_download_delete(claude_files_client):
    client = claude_files_client
    meta = client.beta.files.upload(file=("notes.txt", b"hello", "text/plain"))
    assert meta.filename == "notes.txt" and meta.size_bytes == 5
    assert client.beta.files.retrieve_metadata(meta.id).id == meta.id
    assert meta.id in [f.id for f in client.beta.files.list(limit=100)]

def test_upload_kept_for_the_session_cleanup(claude_files_client):
    meta = claude_files_client.beta.files.upload(file=("kept.txt", b"bye", "text/plain"))
    assert meta.mime_type == "text/plain"

@pytest.mark.anyio
async def test_async_upload_and_delete(claude_files_async_client):
    client = claude_files_async_client
    meta = await client.beta.files.upload(file=("a.txt", b"async", "text/plain"))
    deleted = await client.beta.files.delete(meta.id)
    assert deleted.id == meta.id
"""


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- choosing -----------------------------------------------------------------------------


def test_default_is_the_fake_and_needs_nothing() -> None:
    backend = choose_backend(None, "", {})
    assert backend.name == "fake" and backend.key is None and backend.source == "default"


def test_command_line_beats_environment_beats_ini() -> None:
    env = {"CLAUDE_FILES_BACKEND": "server"}
    assert choose_backend("real", "fake", env).name == "real"
    assert choose_backend(None, "fake", env).name == "server"
    assert choose_backend(None, "server", {}).name == "server"
    assert choose_backend(None, " REAL ", {}).name == "real"


def test_real_reads_key_and_base_url_and_hides_the_key() -> None:
    key = "sk-ant-api03-do-not-show-me"
    backend = choose_backend("real", None, {"ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9/"})
    assert backend.base_url == "http://127.0.0.1:9"
    assert backend.key is not None and backend.key.reveal() == key
    assert key not in repr(backend) and key not in str(backend)
    assert backend.key_fingerprint in repr(backend)
    default = choose_backend("real", None, {"ANTHROPIC_API_KEY": key})
    assert default.base_url == "https://api.anthropic.com"
    assert choose_backend("real", None, {}).missing_key_reason is not None


@pytest.mark.parametrize(("option", "ini", "env", "message"), [
    ("bogus", None, {}, "--claude-files-backend: expected one of fake, server, real, replay, got 'bogus'"),
    (None, None, {"CLAUDE_FILES_BACKEND": "mock"},
     "CLAUDE_FILES_BACKEND (environment variable): expected one of fake, server, real, replay, got 'mock'"),
    (None, "prod", {}, "claude_files_backend (ini option): expected one of fake, server, real, "
           "replay, got 'prod'"),
    ("real", None, {"ANTHROPIC_BASE_URL": "api.anthropic.com"},
     "ANTHROPIC_BASE_URL='api.anthropic.com': expected"),
    ("server", None, {"CLAUDE_FILES_SERVER_URL": "https://api.anthropic.com"},
     "CLAUDE_FILES_SERVER_URL=https://api.anthropic.com: that is the real API"),
])
def test_bad_choices_name_the_setting_and_the_fix(option: Any, ini: Any, env: dict, message: str) -> None:
    with pytest.raises(BackendError) as info:
        choose_backend(option, ini, env)
    assert str(info.value).startswith(message)
    assert "claude-files-fake docs real-backend" in str(info.value)


def test_bad_option_value_is_a_usage_error(pytester: pytest.Pytester, clean_env: Any) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--claude-files-backend=prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: --claude-files-backend: expected one of fake, server, real, "
        "replay, got 'prod'. See claude-files-fake docs real-backend",
    ])


@pytest.mark.parametrize(("args", "ini", "message"), [
    (["--claude-files-cleanup=maybe"], "",
     "ERROR: --claude-files-cleanup: expected on or off (true/false), got 'maybe'*"),
    ([], "claude_files_cleanup_attempts = 0",
     "ERROR: claude_files_cleanup_attempts (ini option): expected a whole number >= 1, got '0'*"),
    ([], "claude_files_cleanup_max_delay = soon",
     "ERROR: claude_files_cleanup_max_delay (ini option): expected a number of seconds >= 0*"),
    (["--claude-files-sweep"], "",
     "ERROR: --claude-files-sweep deletes uploads made to a live backend, so it needs one:*"),
])
def test_bad_cleanup_settings_are_usage_errors(
    pytester: pytest.Pytester, clean_env: Any, args: list, ini: str, message: str
) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


# -- one test, every backend ---------------------------------------------------------------


def test_fake_backend_needs_no_key_and_no_network(pytester: pytest.Pytester, clean_env: Any) -> None:
    clean_env.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # ignored: nothing is sent
    pytester.makepyfile(PORTABLE)
    result = pytester.runpytest("-p", "anyio")
    result.assert_outcomes(passed=3)
    result.stdout.no_fnmatch_line("claude-files: uploaded*")  # no summary: nothing live happened
    result.stdout.no_fnmatch_line("claude-files: backend=*")
    assert not (pytester.path / ".claude-files-ledger").exists()


def test_real_backend_runs_the_same_tests_and_cleans_up(pytester: pytest.Pytester, live_env: Account) -> None:
    pytester.makepyfile(PORTABLE)
    result = pytester.runpytest("-p", "anyio")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["claude-files: uploaded 3, deleted 3, left 0"])
    assert live_env.ids() == set()
    # the async test deleted its own file: the cleanup did not ask again
    assert sum(live_env.delete_calls().values()) == 3 and not live_env.failed_delete_calls()


def test_server_backend_runs_the_same_tests_on_an_in_process_emulator(
    pytester: pytest.Pytester, clean_env: Any
) -> None:
    pytester.makepyfile(PORTABLE)
    result = pytester.runpytest("-p", "anyio", "--claude-files-backend=server")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([
        "claude-files: backend=server (--claude-files-backend=server), base_url=claude_files_server fixture*",
        "claude-files: uploaded 3, deleted 3, left 0",
    ])


def test_server_backend_with_an_external_emulator(
    pytester: pytest.Pytester, clean_env: Any, account: Account
) -> None:
    clean_env.setenv("CLAUDE_FILES_SERVER_URL", account.base_url)
    clean_env.setenv("CLAUDE_FILES_SERVER_API_KEY", account.key)
    pytester.makepyfile(PORTABLE)
    result = pytester.runpytest("-p", "anyio", "--claude-files-backend=server")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([
        f"claude-files: backend=server (--claude-files-backend=server), base_url={account.base_url}, "
        "key=sha256:*",
        "claude-files: uploaded 3, deleted 3, left 0",
    ])
    assert account.ids() == set() and len(account.delete_calls()) == 3


def test_real_backend_without_a_key_skips_and_sends_nothing(
    pytester: pytest.Pytester, clean_env: Any
) -> None:
    clean_env.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # nothing listens: a request would fail
    pytester.makepyfile(PORTABLE)
    result = pytester.runpytest("-p", "anyio", "--claude-files-backend=real", "-rs")
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines([
        "claude-files: backend real: ANTHROPIC_API_KEY is not set; tests that need it were skipped and "
        "nothing was sent",
        "SKIPPED [[]1[]] *: claude-files: the real backend needs ANTHROPIC_API_KEY, which is not set; "
        "skipped, nothing was sent (see claude-files-fake docs real-backend)",
    ])


MARKED = """
import pytest

@pytest.mark.claude_files_real
def test_needs_the_real_api(claude_files_client):
    assert claude_files_client.beta.files.upload(file=("r.txt", b"r", "text/plain")).id

def test_runs_anywhere(claude_files_client):
    assert claude_files_client.beta.files.list().data is not None
"""


def test_real_marker_skips_on_other_backends(pytester: pytest.Pytester, clean_env: Any) -> None:
    pytester.makepyfile(MARKED)
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([
        "SKIPPED [[]1[]] *: claude-files: needs the real Files API; run with --claude-files-backend=real "
        "and ANTHROPIC_API_KEY set (backend now: fake)",
    ])


def test_real_marker_runs_on_the_real_backend(pytester: pytest.Pytester, live_env: Account) -> None:
    pytester.makepyfile(MARKED)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["claude-files: uploaded 1, deleted 1, left 0"])


def test_tests_inspecting_the_fake_run_on_the_fake_only(pytester: pytest.Pytester, live_env: Account) -> None:
    pytester.makepyfile("""
        def test_inspects(claude_files, claude_files_client):
            claude_files_client.beta.files.upload(file=("a.txt", b"a", "text/plain"))
            assert len(claude_files) == 1
    """)
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([
        "SKIPPED * claude-files: this test inspects the in-memory fake (claude_files) while its client "
        "talks to the real backend; it runs on the fake backend only",
    ])
    assert live_env.ids() == set()


def test_report_header_shows_the_backend_and_a_fingerprint(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([
        f"claude-files: backend=real (CLAUDE_FILES_BACKEND=real), base_url={live_env.base_url}, "
        f"key=sha256:*, cleanup=on",
    ])
    assert live_env.key not in result.stdout.str()


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, pytest_claude_files.plugin, pytest_claude_files._plugin.live\n"
        "heavy = {'anthropic', 'httpx', 'httpx2', 'respx', 'pydantic', 'uvicorn'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("base", "method", "url", "status", "recorded"), [
    ("https://api.test", "POST", "https://api.test/v1/files", 200, True),
    ("https://api.test", "POST", "https://api.test/v1/files?beta=true", 200, True),
    ("https://proxy.test/anthropic", "POST", "https://proxy.test/anthropic/v1/files", 200, True),
    ("https://proxy.test/anthropic", "POST", "https://proxy.test/v1/files", 200, False),
    ("https://api.test", "POST", "https://api.test/v1/files", 500, False),
    ("https://api.test", "POST", "https://api.test/v1/messages", 200, False),
    ("https://api.test", "GET", "https://api.test/v1/files", 200, False),
])
def test_only_answered_uploads_are_recorded(
    base: str, method: str, url: str, status: int, recorded: bool
) -> None:
    import httpx

    from pytest_claude_files._live.backends import observe
    from pytest_claude_files._live.cleanup import Recorder, Secret

    recorder = Recorder()
    body = b'{"id": "file_011abc", "type": "file"}'
    observe(recorder, method, httpx.URL(url), status, lambda: body, base, Secret("k"))
    assert [u.file_id for u in recorder.pending] == (["file_011abc"] if recorded else [])


def test_deletes_seen_on_the_client_mark_recorded_uploads_gone() -> None:
    import httpx

    from pytest_claude_files._live.backends import observe
    from pytest_claude_files._live.cleanup import Recorder, Secret

    recorder = Recorder()
    recorder.record_upload("file_011abc", "https://api.test", Secret("k"))
    observe(recorder, "DELETE", httpx.URL("https://api.test/v1/files/file_011abc?beta=true"), 200,
            lambda: b"", "https://api.test", Secret("k"))
    assert recorder.pending == [] and recorder.gone == {("https://api.test", "file_011abc"): "test"}


OWN_CLIENT = """
import anthropic

def test_fixture_client(claude_files_client):
    pass

def test_builds_its_own_client():
    client = anthropic.Anthropic(api_key="sk-ant-from-elsewhere", max_retries=0)
    try:
        client.beta.files.list()
    except anthropic.APIConnectionError:
        pass
"""


def test_real_backend_without_a_key_says_what_a_test_s_own_client_sent(
    pytester: pytest.Pytester, clean_env: Any
) -> None:
    clean_env.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # nothing listens: refused
    pytester.makepyfile(test_own=OWN_CLIENT)
    result = pytester.runpytest("--claude-files-backend=real")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([
        "claude-files: backend real: ANTHROPIC_API_KEY is not set; tests that need it were skipped, but "
        "clients the tests built themselves sent 1 request to http://127.0.0.1:9 "
        "(from test_own.py::test_builds_its_own_client); their uploads are not recorded nor cleaned up: "
        "only --claude-files-record-all records clients the tests build themselves",
    ])
    result.stdout.no_fnmatch_line("*nothing was sent*")
