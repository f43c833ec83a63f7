"""``claude-files-fake`` and ``python -m pytest_claude_files``: the command line as users meet it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, Sequence

import pytest

from pytest_claude_files.server import start_server
from pytest_claude_files.server._cli import main
from tests.conftest import stop_process

SCRIPT = shutil.which("claude-files-fake", path=os.path.dirname(sys.executable)) or "claude-files-fake"
MODULE = [sys.executable, "-m", "pytest_claude_files"]


class Running:
    def __init__(self, process: subprocess.Popen[str], first_line: str) -> None:
        self.process = process
        self.first_line = first_line
        self.url = first_line.rsplit(" ", 1)[-1]


Serve = Callable[[Sequence[str]], Running]


@pytest.fixture
def serve() -> Iterator[Serve]:
    started: list[subprocess.Popen[str]] = []

    def run(args: Sequence[str]) -> Running:
        process = subprocess.Popen(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout is not None
        return Running(process, process.stdout.readline().strip())

    yield run
    for process in started:
        stop_process(process)


def get_json(url: str, key: str = "sk-cli") -> object:
    request = urllib.request.Request(url, headers={"x-api-key": key, "anthropic-version": "2023-06-01"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("command", [[SCRIPT], MODULE], ids=["console-script", "python-m"])
def test_serve_port_0_prints_the_url_first(serve: Serve, command: list[str]) -> None:
    running = serve([*command, "serve", "--host", "127.0.0.1", "--port", "0"])
    assert running.first_line.startswith("claude-files-fake serving on http://127.0.0.1:")
    assert get_json(f"{running.url}/v1/files") == {"data": [], "next_page": None}
    assert get_json(f"{running.url}/_claude_files/health")["status"] == "ok"  # type: ignore[index]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signals_stop_cleanly_with_status_0(serve: Serve, signum: int) -> None:
    running = serve([SCRIPT, "serve", "--port", "0"])
    # once it answers (a signal in uvicorn's own start-up window is uvicorn's to handle)
    assert get_json(f"{running.url}/_claude_files/health")["status"] == "ok"  # type: ignore[index]
    running.process.send_signal(signum)
    assert running.process.wait(30) == 0
    assert running.process.stderr is not None
    assert "Traceback" not in running.process.stderr.read()


def test_flags_reach_the_server(serve: Serve, tmp_path: Path) -> None:
    seed = tmp_path / "seed.jsonl"
    seed.write_text('{"filename": "report.csv", "content": "a,b\\n", "downloadable": true}\n')
    running = serve([SCRIPT, "serve", "--port", "0", "--shared", "--no-control-api", "--seed", str(seed),
                     "--api-key", "sk-one", "--api-key", "sk-two", "--max-file-size", "1KiB"])
    listed = get_json(f"{running.url}/v1/files", key="sk-one")
    assert [f["filename"] for f in listed["data"]] == ["report.csv"]  # type: ignore[index]
    with pytest.raises(urllib.error.HTTPError) as refused:
        get_json(f"{running.url}/v1/files", key="sk-three")
    assert refused.value.code == 401
    with pytest.raises(urllib.error.HTTPError) as closed:
        get_json(f"{running.url}/_claude_files/health", key="sk-one")
    assert closed.value.code == 404


def test_data_dir_survives_a_restart(serve: Serve, tmp_path: Path) -> None:
    first = serve([SCRIPT, "serve", "--port", "0", "--data-dir", str(tmp_path)])
    request = urllib.request.Request(
        f"{first.url}/_claude_files/files", method="POST", data=b'{"filename": "kept.txt", "content": "k"}',
        headers={"x-api-key": "sk-cli", "content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        kept = json.loads(response.read())
    first.process.send_signal(signal.SIGINT)
    first.process.wait(10)
    second = serve([SCRIPT, "serve", "--port", "0", "--data-dir", str(tmp_path)])
    assert get_json(f"{second.url}/v1/files/{kept['id']}") == kept


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=30)


def test_port_in_use_exits_1_with_a_clear_message() -> None:
    with start_server("127.0.0.1", 0) as busy:
        done = run_cli("serve", "--port", str(busy.port))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"claude-files-fake: error: cannot listen on 127.0.0.1:{busy.port}: the port is already in use "
        "(pick another with --port, or --port 0 for a free one)"
    )
    assert done.stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["serve", "--port", "70000"], "argument --port: not a port: '70000'"),
        (["serve", "--bogus"], "unrecognized arguments: --bogus"),
        (["serve", "--max-file-size", "lots"], "argument --max-file-size: expected a size such as 1048576"),
        (["serve", "--api-key", " "], "argument --api-key: expected a non-empty list of non-empty strings"),
        (["serve", "--rate-limit", "0"], "argument --rate-limit: expected a whole number >= 1"),
        (["serve", "--read-timeout", "0"], "argument --read-timeout: not a number of seconds: '0'"),
        (["serve", "--control-token", " "], "argument --control-token: expected a non-empty token"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_flags_exit_2_without_traceback(args: list[str], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_seed_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    seed = tmp_path / "seed.jsonl"
    seed.write_text('{"filename": "ok.txt"}\n\n{"filename": "bad|name.txt"}\n')
    done = run_cli("serve", "--port", "0", "--seed", str(seed))
    assert done.returncode == 2
    assert done.stderr.startswith(f"claude-files-fake: error: {seed}:3: ")
    assert "filename" in done.stderr and "Traceback" not in done.stderr


def test_unusable_data_dir_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("")
    done = run_cli("serve", "--port", "0", "--data-dir", str(blocker))
    assert done.returncode == 2
    assert f"--data-dir {blocker}: not a writable directory" in done.stderr


def test_openapi_command_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["openapi"] == "3.1.0" and "/v1/files" in document["paths"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_claude_files import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"claude-files-fake {__version__}"


def test_help_lists_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--host", "--port", "--api-key", "--shared", "--no-control-api", "--data-dir", "--seed",
                 "--max-file-size", "--storage-quota", "--rate-limit", "--spool-threshold", "--log-level",
                 "--control-token", "--read-timeout"):
        assert flag in text


def test_quarantined_files_are_warned_on_stderr_and_the_rest_served(serve: Serve, tmp_path: Path) -> None:
    first = serve([SCRIPT, "serve", "--port", "0", "--data-dir", str(tmp_path)])
    upload = urllib.request.Request(
        f"{first.url}/v1/files", method="POST", headers={
            "x-api-key": "sk-cli", "anthropic-version": "2023-06-01",
            "content-type": "multipart/form-data; boundary=b"},
        data=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
             b"Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n")
    with urllib.request.urlopen(upload, timeout=10) as response:
        kept = json.loads(response.read())["id"]
    stop_process(first.process)
    tenant = next((tmp_path / "tenants").iterdir())
    (tenant / "file_011CWrecked000000000000.json").write_bytes(b"")  # a kill during a write
    again = serve([SCRIPT, "serve", "--port", "0", "--data-dir", str(tmp_path)])
    listed = get_json(f"{again.url}/v1/files")
    assert [f["id"] for f in listed["data"]] == [kept]  # type: ignore[index]
    process = again.process
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    assert process.stderr is not None
    err = process.stderr.read()
    assert "warning: quarantined" in err and "file_011CWrecked000000000000.json" in err and "empty" in err
    assert err.count("file_011CWrecked000000000000.json: unreadable") == 1  # once, not also by logging
    assert (tmp_path / "quarantine" / tenant.name / "file_011CWrecked000000000000.json").exists()


def test_control_token_comes_from_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "CLAUDE_FILES_CONTROL_TOKEN": "from-env"}
    process = subprocess.Popen([SCRIPT, "serve", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        assert "admin token: set" in process.stdout.readline()
        reset = urllib.request.Request(f"{url}/_claude_files/reset?all=1", method="POST", data=b"{}",
                                       headers={"content-type": "application/json",
                                                "x-control-token": "from-env"})
        with urllib.request.urlopen(reset, timeout=10) as response:
            assert json.loads(response.read())["reset"] == "all"
    finally:
        stop_process(process)


def test_serve_keeps_running_when_its_stdout_reader_goes_away() -> None:
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([SCRIPT, "serve", "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        process.stdout.close()  # the reader is gone before the server says anything
        deadline = time.monotonic() + 30
        while True:
            try:
                health = get_json(f"http://127.0.0.1:{port}/_claude_files/health")
                break
            except urllib.error.URLError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert health["status"] == "ok"  # type: ignore[index]
    finally:
        stop_process(process)
    assert process.returncode == 0


def test_main_called_in_process_leaves_the_sigterm_handler_as_it_found_it() -> None:
    """``main(["serve", ...])`` takes over SIGTERM while it starts; called in-process (a test,
    a script) and refused, it gives the handler back instead of leaving its own installed."""
    import signal as _signal

    before = _signal.getsignal(_signal.SIGTERM)
    assert main(["serve", "--seed", "/nonexistent/seed.jsonl"]) == 2  # refused once started
    assert _signal.getsignal(_signal.SIGTERM) is before
