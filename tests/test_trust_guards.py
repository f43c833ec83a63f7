"""Issue 24: the adversarial run's findings, each with a test that fails without its fix.

The ledger sweep never touches a file it did not write; a ledger over the read limit is
never removed; the control API refuses look-alike origins and foreign ``Host`` headers.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import pytest

from pytest_claude_files._core.files import FakeFilesSettings
from pytest_claude_files._http.endpoint import HTTPRequest
from pytest_claude_files._live import ledger as ledger_module
from pytest_claude_files._live.cleanup import Attempt, Recorder, RetryPolicy, Secret, sweep
from pytest_claude_files._live.ledger import LedgerWriter, ensure_ledger_dir, read_ledger
from pytest_claude_files.server import start_server
from pytest_claude_files.server._control import ControlAPI
from pytest_claude_files.server._tenants import Tenants

from ._asgi_support import asgi_call as _asgi_call

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


# -- finding 2: the control API's cross-site checks --------------------------------------------
def control_request(method: str, name: str, body: object = None, **headers: str) -> HTTPRequest:
    data = b"" if body is None else json.dumps(body).encode()
    return HTTPRequest.build(method, f"/_claude_files/{name}", body=data,
                             headers={"x-api-key": "sk-ant-a", "content-type": "application/json", **headers})


def control_api() -> ControlAPI:
    return ControlAPI(Tenants(FakeFilesSettings()))


@pytest.mark.parametrize(("origin", "allowed"), [
    ("http://127.0.0.1.evil.example", False),  # starts like loopback, is not
    ("http://127.evil.example", False),
    ("http://localhost.evil.example", False),
    ("https://evil.example", False),
    ("http://127.0.0.1:5173", True),
    ("http://127.0.0.2", True),
    ("http://[::1]:3000", True),
    ("http://localhost:5173", True),
    ("http://app.localhost", True),
])
def test_an_origin_that_only_starts_like_loopback_is_refused(origin: str, allowed: bool) -> None:
    api = control_api()
    response = api(control_request("POST", "reset", {}, origin=origin))
    assert (response.status == 200) is allowed, response.body
    if not allowed:
        assert response.status == 403 and json.loads(response.body)["error"]["type"] == "permission_error"


@pytest.mark.parametrize(("host", "allowed"), [
    ("evil.example", False),  # DNS rebinding: the page's own name, resolved to 127.0.0.1
    ("evil.example:8000", False),
    ("127.0.0.1.evil.example:8000", False),
    ("127.0.0.1:8000", True),
    ("localhost:8000", True),
    ("[::1]:8000", True),
    ("10.0.0.5:8000", True),  # an address, not a name: nothing to rebind
    ("fake.internal:8000", True),  # the --host the server was started with
])
def test_a_request_with_a_foreign_host_header_is_refused(host: str, allowed: bool) -> None:
    api = control_api()
    api.allowed_hosts.add("fake.internal")
    response = api(control_request("GET", "state", host=host))
    assert (response.status == 200) is allowed, response.body
    if not allowed:
        assert response.status == 403 and "Host" in json.loads(response.body)["error"]["message"]


def test_the_server_answers_its_own_host_name_and_refuses_another() -> None:
    from tests.test_server import raw

    with start_server("localhost", 0) as server:
        status, _, _ = raw(server, "GET", "/_claude_files/state", key="sk-ant-a",
                           headers={"host": "rebound.example"})
        assert status == 403
        status, _, _ = raw(server, "GET", "/_claude_files/state", key="sk-ant-a")
        assert status == 200


# -- finding 7: one server per --data-dir --------------------------------------------------------
def test_a_second_server_on_the_same_data_dir_refuses_to_start(tmp_path: Path) -> None:
    from pytest_claude_files.server._persistence import ServerError

    with start_server(data_dir=tmp_path) as first:
        first.files("sk-ant-a").add_file("a.txt", b"a")
        with pytest.raises(ServerError, match="another claude-files-fake server uses it") as caught:
            start_server(data_dir=tmp_path)
        assert "\n" not in str(caught.value) and str(os.getpid()) in str(caught.value)
    with start_server(data_dir=tmp_path) as again:  # released at stop: a restart works
        assert len(again.files("sk-ant-a")) == 1


def test_the_cli_refuses_a_locked_data_dir_with_one_line(tmp_path: Path) -> None:
    import subprocess

    with start_server(data_dir=tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "pytest_claude_files", "serve", "--port", "0",
             "--data-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "another claude-files-fake server uses it" in result.stderr
    assert "Traceback" not in result.stderr


# -- finding 5: control values accepted, then breaking /v1 later -----------------------------------
def mime(value: str) -> dict[str, object]:
    return {"text": "x", "output_files": {"a.txt": {"content": "a", "mime_type": value}}}


DEEP = {"a": None}
for _ in range(100):
    DEEP = {"a": DEEP}

BAD_CONTROL_VALUES = [
    ("faults", {"status": 503, "error_type": "x"}),
    ("faults", {"status": 503, "headers": {"content-length": "5"}}),
    ("faults", {"status": 503, "headers": {"Transfer-Encoding": "chunked"}}),
    ("faults", {"status": 503, "headers": {"x-note": ""}}),
    ("faults", {"status": 503, "headers": {"x-note": "   "}}),
    ("messages/replies", {"text": "x", "return_code": "abc"}),
    ("messages/replies", {"text": "x", "return_code": True}),
    ("messages/replies", {"text": "x", "stdout": 5}),
    ("messages/replies", {"text": "x", "command": ["ls"]}),
    ("messages/replies", mime("text/plain\r\nx: y")),
    ("messages/replies", mime("text/plain\x00")),
    ("messages/replies", mime("plain")),
    ("messages/replies", {"text": "x", "output_files": {"\ud800.txt": {"content": "a"}}}),
    ("messages/replies", {"text": "x", "tool_use": {"name": "n", "input": DEEP}}),
]


@pytest.mark.parametrize(("name", "body"), BAD_CONTROL_VALUES, ids=[f"{n}-{i}" for i, (n, _) in
                                                                     enumerate(BAD_CONTROL_VALUES)])
def test_control_values_that_would_break_v1_are_400_and_change_nothing(name: str, body: object) -> None:
    api = control_api()
    response = api(control_request("POST", name, body))
    assert response.status == 400, response.body
    assert json.loads(response.body)["error"]["type"] == "invalid_request_error"
    tenant = api.tenants.get("sk-ant-a")
    assert tenant.faults.pending() == [] and tenant.files.messages.pending_replies == []


def test_good_control_values_still_pass() -> None:
    api = control_api()
    assert api(control_request("POST", "faults", {"status": 503, "error_type": "api_error",
                                                  "headers": {"x-note": "a"}})).status == 200
    reply = {"text": "x", "return_code": 2, "stdout": "o", "command": "ls",
             "output_files": {"a.csv": {"content": "a", "mime_type": "text/csv; charset=utf-8"}}}
    assert api(control_request("POST", "messages/replies", reply)).status == 200


# -- finding 6: a body dribbled a byte at a time meets a total deadline ------------------------------
@pytest.mark.parametrize("path", ["/v1/files", "/_claude_files/faults"])
def test_a_dribbled_body_times_out_as_a_whole(path: str) -> None:
    import asyncio
    import time

    from pytest_claude_files.server._app import make_app

    app = make_app(read_timeout=5.0)
    app.body_timeout = 0.4  # each byte comes well within read_timeout, the whole body never does
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        await asyncio.sleep(0.05)
        return {"type": "http.request", "body": b"x", "more_body": True}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"x-api-key", b"sk-ant-a"), (b"anthropic-version", b"2023-06-01"),
                         (b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]}
    started = time.monotonic()
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
    took = time.monotonic() - started
    assert 0.3 < took < 3
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    assert status in (400, 408)  # 408 for /v1; the control API answers a body that never ended with 400
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    assert json.loads(body)["type"] == "error"


# -- finding 8: redaction of short keys ----------------------------------------------------------------
def test_a_short_key_is_redacted_as_a_whole_token_only() -> None:
    from pytest_claude_files._live.cleanup import redact

    summary = "claude-files: uploaded 2 by tests/test_keys.py::test_k, deleted 2; key=test"
    redacted = redact(summary, [Secret("test"), Secret("k")])
    assert "tests/test_keys.py::test_k" in redacted and "uploaded 2" in redacted  # words survive
    assert "key=<key sha256:" in redacted and not redacted.endswith("=test")
    long_key = "sk-ant-api03-" + "x" * 20
    assert long_key not in redact(f"url?k={long_key}abc", [Secret(long_key)])  # long keys: anywhere


# -- finding 4: the Messages record is bounded by bytes ----------------------------------------------------
def test_the_messages_record_is_bounded_by_bytes() -> None:
    from pytest_claude_files._core import messages as messages_module
    from pytest_claude_files._core.service import FakeService
    from pytest_claude_files._http.handler import FilesHandler

    fake = FakeService()
    record = fake.messages._state.requests
    record.max_bytes = 1_000_000  # (64 MiB by default: REQUESTS_KEPT_BYTES)
    handler = FilesHandler(fake)
    text = "x" * 300_000
    for _ in range(20):  # 20 requests of 300 kB: 6 MB sent, at most 1 MB kept
        body = json.dumps({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": text}]})
        response = handler(HTTPRequest.build("POST", "/v1/messages", body=body.encode(), headers={
            "x-api-key": "k", "anthropic-version": "2023-06-01", "content-type": "application/json"}))
        assert response.status == 200
    kept = fake.messages.requests
    assert record.bytes <= 1_000_000 and 1 <= len(kept) <= 3
    assert sum(len(json.dumps(r.body)) for r in kept) <= 1_100_000
    assert messages_module.REQUESTS_KEPT_BYTES == 64 * 1024 * 1024


# -- finding 3: one tenant's control request must not freeze every tenant ------------------------------
@pytest.mark.slow
def test_a_neighbours_p99_stays_under_100ms_while_another_tenant_seeds_and_resets(tmp_path: Path) -> None:
    from pytest_claude_files.server._app import make_app

    app = make_app(data_dir=tmp_path)
    neighbour = app.tenants.get("sk-ant-neighbour").files.add_file("n.txt", b"n")
    seed = json.dumps({"files": [{"filename": f"f{i}.txt", "content": "x"} for i in range(500)]}).encode()
    latencies: list[float] = []

    async def main() -> tuple[int, int]:
        async def busy() -> tuple[int, int]:
            seeded, _ = await _asgi_call(app, "POST", "/_claude_files/files", "sk-ant-busy", seed)
            reset, _ = await _asgi_call(app, "POST", "/_claude_files/reset", "sk-ant-busy", b"{}")
            return seeded, reset

        task = asyncio.ensure_future(busy())
        while not task.done():
            started = time.perf_counter()
            status, _ = await _asgi_call(app, "GET", f"/v1/files/{neighbour.id}", "sk-ant-neighbour")
            latencies.append(time.perf_counter() - started)
            assert status == 200
            await asyncio.sleep(0.005)
        return await task

    assert asyncio.run(main()) == (200, 200)
    assert len(app.tenants.get("sk-ant-busy").files) == 0
    assert len(latencies) >= 20, "the seed was too quick to measure anything"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    assert p99 < 0.100, f"neighbour p99 {p99 * 1000:.0f} ms over {len(ordered)} requests"


# -- finding 8: the admin token from a file, not the process list -------------------------------------------
def test_the_control_token_can_come_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_claude_files.server import _cli

    seen: dict[str, object] = {}

    def fake_make_app(**kwargs: object) -> object:
        seen.update(kwargs)
        raise _cli_stop()

    class _cli_stop(Exception):
        pass

    token_file = tmp_path / "token"
    token_file.write_text("s3cret-admin\n")
    import pytest_claude_files.server._app as app_module

    monkeypatch.setattr(app_module, "make_app", fake_make_app)
    with pytest.raises(_cli_stop):
        _cli.main(["serve", "--control-token-file", str(token_file)])
    assert seen["control_token"] == "s3cret-admin"
    assert _cli.main(["serve", "--control-token-file", str(tmp_path / "missing")]) == 2
    assert _cli.main(["serve", "--control-token", "x", "--control-token-file", str(token_file)]) == 2
    token_file.write_text("\n")
    assert _cli.main(["serve", "--control-token-file", str(token_file)]) == 2  # an empty token


# -- finding 8: a signal during start-up stops the server quietly ------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="POSIX signals, Linux /proc")
@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_a_signal_during_start_up_exits_quietly(tmp_path: Path, signum: str) -> None:
    import signal
    import subprocess

    seed = tmp_path / "seed.jsonl"  # a long start: every line of a seed file is checked
    lines = (json.dumps({"filename": f"f{i}.txt", "content": "x"}) + "\n" for i in range(200_000))
    seed.write_text("".join(lines))
    def default_signals() -> None:  # as from a terminal: a parent that ignores SIGINT (a test
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # runner's worker may) passes that on
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_claude_files", "serve", "--port", "0", "--seed", str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_signals)
    # the signal goes once the server has taken over SIGTERM (its start has begun), whatever the
    # machine's speed: /proc/PID/status shows the signals a process catches (SigCgt, a bit mask)
    status = Path(f"/proc/{process.pid}/status")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        caught = next((line.split()[1] for line in status.read_text().splitlines()
                       if line.startswith("SigCgt:")), "0")
        if int(caught, 16) & (1 << (signal.SIGTERM - 1)):
            break
        time.sleep(0.01)
    time.sleep(0.2)
    process.send_signal(getattr(signal, signum))
    started = time.monotonic()
    out, err = process.communicate(timeout=60)
    assert "serving on" not in out, "the start was over before the signal: make the seed longer"
    assert time.monotonic() - started < 30, "the server went on starting after the signal"
    # status 0 (the signal caught as it starts); under a busy test worker one CI run in three
    # saw Ctrl-C end it by the signal's own default action instead (-2, the shell's 130):
    # also a quiet stop, before serving, and what Ctrl-C does to any program
    quiet = (0,) if signum == "SIGTERM" else (0, -signal.SIGINT)
    assert process.returncode in quiet, (process.returncode, err)
    assert "Traceback" not in err and err == ""
