"""The emulator server in-process: the SDK over real HTTP, tenants, control API, faults,
persistence, seeds and the ``claude_files_server`` fixture."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import anthropic
import pytest

from pytest_claude_files.server import ServerError, ServerHandle, load_seed_file, start_server
from pytest_claude_files.server.control_client import ControlAPIError, ControlClient

from .conftest import NO_UNRELATED_PLUGINS, Sdk, resolve

KEY = "sk-ant-test-server"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


@pytest.fixture
def control(server: ServerHandle) -> ControlClient:
    client = server.control(KEY)
    client.reset()
    return client


def raw(server: ServerHandle, method: str, path: str, *, key: str | None = KEY, body: bytes | None = None,
        headers: dict[str, str] | None = None, version: str | None = "2023-06-01",
        ) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"{server.base_url}{path}", data=body, method=method)
    if key is not None:
        request.add_header("x-api-key", key)
    if version is not None:
        request.add_header("anthropic-version", version)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# -- the SDK over real HTTP --------------------------------------------------------------
@pytest.mark.anyio
async def test_sdk_workflow_over_http(server: ServerHandle, control: ControlClient, sdk: Sdk) -> None:
    client: Any = sdk.client(base_url=server.base_url, api_key=KEY, max_retries=0)
    call = resolve

    meta = await call(client.files.upload(file=("notes.txt", b"hello over http", "text/plain")))
    assert meta.filename == "notes.txt" and meta.size_bytes == 15 and meta.downloadable is False
    seeded = control.add_file("result.csv", "x,y\n", downloadable=True)
    page = await call(client.files.list())
    assert [f.id for f in page.data] == [seeded["id"], meta.id]
    assert (await call(client.files.retrieve_metadata(meta.id))).id == meta.id
    with pytest.raises(anthropic.BadRequestError) as refused:
        await call(client.files.download(meta.id))
    assert refused.value.body["error"]["details"]["error_code"] == "file_not_downloadable"
    downloaded = await call(client.files.download(seeded["id"]))
    assert (await call(downloaded.read())) == b"x,y\n"
    assert (await call(client.files.delete(meta.id))).id == meta.id
    with pytest.raises(anthropic.NotFoundError):
        await call(client.files.retrieve_metadata(meta.id))
    await call(client.close())


def test_beta_dialect_over_http(server: ServerHandle, control: ControlClient) -> None:
    control.add_files(5)
    status, headers, body = raw(server, "GET", "/v1/files?limit=2",
                                headers={"anthropic-beta": "files-api-2025-04-14"})
    page = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert set(page) == {"data", "has_more", "first_id", "last_id"}
    assert page["has_more"] is True and "expires_at" not in page["data"][0]
    assert headers["request-id"].startswith("req_")


def test_large_upload_is_spooled_and_intact(control: ControlClient) -> None:
    blob = bytes(range(256)) * (12 * 1024)  # 3 MiB, above a 64 KiB threshold
    with start_server("127.0.0.1", 0, spool_threshold=64 * 1024, seeds=[]) as small:
        client = anthropic.Anthropic(base_url=small.base_url, api_key=KEY, max_retries=0)
        meta = client.files.upload(file=("blob.bin", blob, "application/octet-stream"))
        stored = small.files(KEY).content(meta.id)
        assert meta.size_bytes == len(blob)
        assert stored == blob
        kept = small.files(KEY).files._files[meta.id].content
        assert isinstance(kept, memoryview) and not isinstance(kept.obj, bytes)  # the mapping, no copy


def test_large_download_is_streamed_intact(server: ServerHandle, control: ControlClient) -> None:
    blob = b"0123456789abcdef" * (64 * 1024)  # 1 MiB, four chunks
    meta = server.files(KEY).add_file("big.bin", blob, downloadable=True)
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    assert client.files.download(meta.id).read() == blob


# -- tenants -------------------------------------------------------------------------------
def test_each_api_key_has_its_own_files(server: ServerHandle) -> None:
    alice = anthropic.Anthropic(base_url=server.base_url, api_key="sk-alice", max_retries=0)
    bob = anthropic.Anthropic(base_url=server.base_url, api_key="sk-bob", max_retries=0)
    mine = alice.files.upload(file=("a.txt", b"a", "text/plain"))
    assert mine.id not in [f.id for f in bob.files.list()]
    with pytest.raises(anthropic.NotFoundError):
        bob.files.retrieve_metadata(mine.id)
    assert alice.files.retrieve_metadata(mine.id).id == mine.id


def test_bearer_and_x_api_key_reach_the_same_tenant(server: ServerHandle, control: ControlClient) -> None:
    meta = control.add_file("same.txt", "x")
    status, _, body = raw(server, "GET", f"/v1/files/{meta['id']}", key=None,
                          headers={"authorization": f"Bearer {KEY}"})
    assert status == 200 and json.loads(body)["id"] == meta["id"]


def test_shared_space() -> None:
    with start_server("127.0.0.1", 0, shared=True) as shared:
        one = anthropic.Anthropic(base_url=shared.base_url, api_key="k1", max_retries=0)
        two = anthropic.Anthropic(base_url=shared.base_url, api_key="k2", max_retries=0)
        meta = one.files.upload(file=("s.txt", b"s", "text/plain"))
        assert two.files.retrieve_metadata(meta.id).id == meta.id
        assert ControlClient(shared.base_url).state()["file_count"] == 1  # no key needed


def test_configured_keys_only(tmp_path: Path) -> None:
    with start_server("127.0.0.1", 0, api_keys=["sk-good"]) as strict:
        good = anthropic.Anthropic(base_url=strict.base_url, api_key="sk-good", max_retries=0)
        bad = anthropic.Anthropic(base_url=strict.base_url, api_key="sk-other", max_retries=0)
        assert good.files.list().data == []
        with pytest.raises(anthropic.AuthenticationError):
            bad.files.list()
        assert len(strict.tenants) == 1  # the refused key made no space
        with pytest.raises(ControlAPIError) as refused:
            strict.control("sk-other").state()
        assert refused.value.status == 401


def test_missing_key_is_401(server: ServerHandle) -> None:
    status, headers, body = raw(server, "GET", "/v1/files", key=None)
    assert status == 401
    assert json.loads(body)["error"]["type"] == "authentication_error"
    assert headers["request-id"].startswith("req_")


# -- control API -------------------------------------------------------------------------
def test_state_counts_and_calls(server: ServerHandle, control: ControlClient) -> None:
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    meta = client.files.upload(file=("c.txt", b"ccc", "text/plain"))
    client.files.list()
    client.files.list()
    state = control.state()
    assert [f["id"] for f in state["files"]] == [meta.id]
    assert state["storage_used"] == 3
    assert control.request_counts() == {"upload": 1, "list": 2}
    assert [c["operation"] for c in control.calls()] == ["upload", "list", "list"]
    assert control.files()[0]["filename"] == "c.txt"


def test_reset_forgets_files_counts_and_faults(control: ControlClient) -> None:
    control.add_files(3)
    control.error("list", 500)
    control.reset()
    state = control.state()
    assert state["file_count"] == 0 and state["faults"] == [] and state["request_counts"] == {}


def test_seed_downloadable_and_binary(server: ServerHandle, control: ControlClient) -> None:
    meta = control.add_file("chart.png", b"\x89PNG\r\n\x1a\n", downloadable=True, scope_id="sess_1")
    assert meta["mime_type"] == "image/png" and meta["downloadable"] is True
    assert meta["scope"] == {"id": "sess_1", "type": "session"}
    status, headers, body = raw(server, "GET", f"/v1/files/{meta['id']}/content")
    assert status == 200 and body == b"\x89PNG\r\n\x1a\n" and headers["content-type"] == "image/png"


def test_seed_errors_are_400_naming_the_field(control: ControlClient) -> None:
    with pytest.raises(ControlAPIError) as bad:
        control._call("POST", "files", {"filename": "a.txt", "downloadable": "yes"})
    assert bad.value.status == 400 and "downloadable" in bad.value.message
    with pytest.raises(ControlAPIError) as bad_name:
        control.add_file("a/", "x")
    assert bad_name.value.status == 400


def test_clock_moves_expiry(server: ServerHandle, control: ControlClient) -> None:
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    seeded = control.add_file("exp.txt", "x", downloadable=True, expires_at="2099-01-01T00:00:00Z")
    assert client.files.download(seeded["id"]).read() == b"x"
    now = control.set_clock("2099-01-02T00:00:00Z")
    assert now.startswith("2099-01-02T00:00:00")
    with pytest.raises(anthropic.NotFoundError) as expired:
        client.files.download(seeded["id"])
    assert expired.value.body["error"]["details"]["error_code"] == "file_expired"


def test_unknown_control_endpoint_lists_the_known_ones(server: ServerHandle) -> None:
    status, _, body = raw(server, "GET", "/_claude_files/nope")
    assert status == 404
    assert "reset" in json.loads(body)["error"]["message"]


def test_control_api_can_be_switched_off() -> None:
    with start_server("127.0.0.1", 0, control_api=False) as closed:
        status, _, body = raw(closed, "GET", "/_claude_files/health")
        assert status == 404 and json.loads(body)["error"]["type"] == "not_found_error"


def test_health(server: ServerHandle) -> None:
    assert ControlClient(server.base_url).health()["status"] == "ok"


# -- faults --------------------------------------------------------------------------------
def test_429_twice_then_success_retries_three_times(server: ServerHandle, control: ControlClient) -> None:
    meta = control.add_file("r.txt", "r")
    control.error("retrieve_metadata", 429, times=2, retry_after_ms=5)
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=2)
    assert client.files.retrieve_metadata(meta["id"]).id == meta["id"]
    assert control.request_counts()["retrieve_metadata"] == 3
    assert control.faults() == []


def test_error_fault_with_code_and_should_retry(server: ServerHandle, control: ControlClient) -> None:
    control.error("upload", 400, error_code="storage_quota_exceeded", message="full", should_retry=False)
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=2)
    with pytest.raises(anthropic.BadRequestError) as refused:
        client.files.upload(file=("q.txt", b"q", "text/plain"))
    error = refused.value.body["error"]
    assert error == {"type": "invalid_request_error", "message": "full",
                     "details": {"error_code": "storage_quota_exceeded"}}
    assert refused.value.response.headers["x-should-retry"] == "false"
    assert control.request_counts()["upload"] == 1


def test_error_type_and_every_call(server: ServerHandle, control: ControlClient) -> None:
    control.error("list", error_type="overloaded_error", times=None)
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=1)
    with pytest.raises(anthropic.APIStatusError) as overloaded:
        client.files.list()
    assert overloaded.value.status_code == 529
    assert control.request_counts()["list"] == 2
    assert len(control.faults()) == 1
    assert control.clear_faults() == 1


def test_after_lets_calls_through_first(server: ServerHandle, control: ControlClient) -> None:
    control.error("list", 500, after=1)
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    client.files.list()
    with pytest.raises(anthropic.InternalServerError):
        client.files.list()
    client.files.list()


def test_dropped_connection_is_a_connection_error(server: ServerHandle, control: ControlClient) -> None:
    control.drop("list")
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    with pytest.raises(anthropic.APIConnectionError):
        client.files.list()
    assert client.files.list().data == []  # used up: the next call is served


def test_truncated_download(server: ServerHandle, control: ControlClient) -> None:
    meta = server.files(KEY).add_file("cut.bin", b"z" * 100_000, downloadable=True)
    control.cut_body("download", after=1000)
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    with pytest.raises(Exception) as cut:
        client.files.download(meta.id).read()
    assert "peer closed" in str(cut.value).lower() or "incomplete" in str(cut.value).lower() \
        or isinstance(cut.value, anthropic.APIConnectionError)


def test_latency_fault_delays_the_answer(server: ServerHandle, control: ControlClient) -> None:
    control.latency("list", 0.3)
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
    started = time.monotonic()
    assert client.files.list().data == []
    assert time.monotonic() - started >= 0.3
    assert control.faults() == []


@pytest.mark.parametrize(
    "spec, complaint",
    [
        ({"operation": "nope", "status": 500}, "fault.operation"),
        ({"operation": "list"}, "say what happens"),
        ({"operation": "list", "status": 200}, "fault.status"),
        ({"operation": "list", "status": 500, "times": 0}, "fault.times"),
        ({"operation": "list", "error_type": "bogus_error"}, "fault.error_type"),
        ({"operation": "list", "drop": True, "status": 500}, "fault.drop"),
        ({"operation": "list", "status": 500, "colour": "red"}, "fault.colour"),
    ],
)
def test_bad_fault_specs_are_400(control: ControlClient, spec: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ControlAPIError) as bad:
        control._call("POST", "faults", spec)
    assert bad.value.status == 400 and complaint in bad.value.message


def test_faults_are_per_tenant(server: ServerHandle, control: ControlClient) -> None:
    control.error("list", 500)
    other = anthropic.Anthropic(base_url=server.base_url, api_key="sk-neighbour", max_retries=0)
    assert other.files.list().data == []
    assert len(control.faults()) == 1


# -- persistence and seeds ----------------------------------------------------------------
def test_data_dir_keeps_files_across_restarts(tmp_path: Path) -> None:
    with start_server("127.0.0.1", 0, data_dir=tmp_path) as first:
        client = anthropic.Anthropic(base_url=first.base_url, api_key=KEY, max_retries=0)
        kept = client.files.upload(file=("kept.txt", b"keep me", "text/plain"))
        gone = client.files.upload(file=("gone.txt", b"bye", "text/plain"))
        client.files.delete(gone.id)
        made = first.control(KEY).add_file("out.csv", "1,2\n", downloadable=True)
    assert not any("sk-" in p.name for p in tmp_path.rglob("*"))  # keys are never stored
    with start_server("127.0.0.1", 0, data_dir=tmp_path) as second:
        client = anthropic.Anthropic(base_url=second.base_url, api_key=KEY, max_retries=0)
        assert [f.id for f in client.files.list()] == [made["id"], kept.id]
        assert client.files.retrieve_metadata(kept.id) == kept
        assert client.files.download(made["id"]).read() == b"1,2\n"
        assert second.files(KEY).content(kept.id) == b"keep me"
        other = anthropic.Anthropic(base_url=second.base_url, api_key="sk-else", max_retries=0)
        assert other.files.list().data == []


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    with pytest.raises(ServerError, match=r"--data-dir .*file.*not a writable directory"):
        start_server("127.0.0.1", 0, data_dir=blocker)


def test_seed_file_gives_every_space_its_files(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(b"\x89PNG")
    seed = tmp_path / "seed.jsonl"
    seed.write_text(
        "# files every key starts with\n"
        '{"filename": "report.csv", "content": "a,b\\n", "downloadable": true}\n'
        "\n"
        '{"filename": "chart.png", "content_file": "chart.png", "downloadable": true}\n'
    )
    with start_server("127.0.0.1", 0, seed_file=seed) as seeded:
        for key in ("k1", "k2"):
            client = anthropic.Anthropic(base_url=seeded.base_url, api_key=key, max_retries=0)
            names = [f.filename for f in client.files.list()]
            assert sorted(names) == ["chart.png", "report.csv"]
        control = seeded.control("k1")
        control.add_file("extra.txt", "x")
        control.reset()
        assert sorted(f["filename"] for f in control.files()) == ["chart.png", "report.csv"]


@pytest.mark.parametrize(
    "lines, message",
    [
        ('{"filename": "a.txt"}\n{oops}\n', r"seed\.jsonl:2: not valid JSON"),
        ('{"filename": "a:b"}\n', r"seed\.jsonl:1: .*filename"),
        ('{"content": "x"}\n', r"seed\.jsonl:1: file\.filename"),
        ('{"filename": "a.txt", "content_file": "missing.bin"}\n', r"seed\.jsonl:1: content_file"),
        ('{"filename": "a.txt", "size": 3}\n', r"seed\.jsonl:1: file: unknown field 'size'"),
    ],
)
def test_bad_seed_file_names_the_line(tmp_path: Path, lines: str, message: str) -> None:
    seed = tmp_path / "seed.jsonl"
    seed.write_text(lines)
    with pytest.raises(ServerError, match=message):
        load_seed_file(seed)


def test_unreadable_seed_file(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match=r"seed file .*nowhere\.jsonl: cannot read it"):
        load_seed_file(tmp_path / "nowhere.jsonl")


# -- lifecycle -----------------------------------------------------------------------------
def test_port_in_use_is_a_clear_error(server: ServerHandle) -> None:
    with pytest.raises(ServerError, match=rf"cannot listen on 127\.0\.0\.1:{server.port}: .*already in use"):
        start_server("127.0.0.1", server.port)


def test_stop_closes_the_port() -> None:
    handle = start_server("127.0.0.1", 0)
    url = handle.base_url
    assert handle.running
    handle.stop()
    assert not handle.running
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/_claude_files/health", timeout=2)


def test_openapi_is_served(server: ServerHandle) -> None:
    status, _, body = raw(server, "GET", "/openapi.json", key=None)
    assert status == 200 and json.loads(body)["openapi"] == "3.1.0"


# -- the fixture -----------------------------------------------------------------------------
def test_claude_files_server_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import anthropic

        def test_upload(claude_files_server):
            client = claude_files_server.client(max_retries=0)
            meta = client.files.upload(file=("a.txt", b"a", "text/plain"))
            assert claude_files_server.base_url.startswith("http://127.0.0.1:")
            assert claude_files_server.control.request_counts() == {"upload": 1}
            assert meta.id in claude_files_server.files

        def test_same_server_for_the_session(claude_files_server):
            assert len(claude_files_server.control.files()) == 1
            claude_files_server.reset()
            assert claude_files_server.control.files() == []
        """
    )
    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-q")
    result.assert_outcomes(passed=2)


def test_claude_files_server_fixture_external_url(pytester: pytest.Pytester, server: ServerHandle,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUDE_FILES_SERVER_URL", server.base_url)
    pytester.makepyfile(
        f"""
        def test_external(claude_files_server):
            assert claude_files_server.base_url == "{server.base_url}"
            assert claude_files_server.handle is None
            claude_files_server.control.add_file("x.txt", "x")
            assert claude_files_server.client().files.list().data[0].filename == "x.txt"
        """
    )
    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-q")
    result.assert_outcomes(passed=1)


def test_reset_all_needs_the_admin_token_even_with_an_accepted_key() -> None:
    with start_server("127.0.0.1", 0, api_keys=["sk-good"], control_token="admin") as strict:
        strict.files("sk-good").add_file("a.txt", b"a")
        for client in (ControlClient(strict.base_url), strict.control("sk-good"),
                       strict.control("sk-good", control_token="wrong")):
            with pytest.raises(ControlAPIError) as refused:
                client.reset(all_tenants=True)
            assert refused.value.status == 403
            assert "x-control-token" in refused.value.message
        assert len(strict.files("sk-good")) == 1
        admin = strict.control(control_token="admin")
        assert admin.reset(all_tenants=True) == {"reset": "all", "tenants": 1}
        assert len(strict.files("sk-good")) == 0


def test_pending_faults_are_listed_as_set(control: ControlClient) -> None:
    added = control.error("list", 429, retry_after=0, times=3)
    assert added == {"id": added["id"], "operation": "list", "times": 3, "after": 0, "used": 0,
                     "status": 429, "retry_after": 0}
    control.cut_body("download", after=0, times=None)
    assert [f["operation"] for f in control.faults()] == ["list", "download"]
    assert control.faults()[1]["cut_body"] == 0 and control.faults()[1]["times"] is None


@pytest.mark.slow
def test_xdist_workers_sharing_one_server_keep_their_own_files(
    pytester: pytest.Pytester, server: ServerHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("xdist")
    monkeypatch.setenv("CLAUDE_FILES_SERVER_URL", server.base_url)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_upload_and_list(claude_files_server, n):
            client = claude_files_server.client(max_retries=0)
            mine = client.files.upload(file=(f"f{n}.txt", b"x", "text/plain"))
            listed = [f.id for f in client.files.list(limit=1000)]
            assert mine.id in listed
            # every file this key sees was uploaded by this worker's session
            names = {f["filename"] for f in claude_files_server.control.files()}
            assert f"f{n}.txt" in names
        """
    )
    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-q", "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=8)
    spaces = [t for t in server.tenants if t.label.startswith("key-") and len(t.files)
              and all(m.filename.startswith("f") and m.filename.endswith(".txt") for m in t.files.files)]
    assert len(spaces) >= 2  # one space per worker session
    assert sum(len(t.files) for t in spaces) == 8
    assert all({m.filename for m in a.files.files}.isdisjoint({m.filename for m in b.files.files})
               for a in spaces for b in spaces if a is not b)


def test_claude_files_server_fixture_uses_the_ini_options(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        claude_files_api_keys = sk-team
        claude_files_max_file_size = 10
        claude_files_max_retries = 0
        """
    )
    pytester.makepyfile(
        """
        import anthropic
        import pytest

        def test_settings_reach_the_server(claude_files_server):
            assert claude_files_server.api_key == "sk-team"
            client = claude_files_server.client()
            assert client.max_retries == 0
            with pytest.raises(anthropic.APIStatusError) as too_big:
                client.files.upload(file=("big.bin", b"x" * 11, "application/octet-stream"))
            assert too_big.value.status_code == 413
            other = claude_files_server.client(api_key="sk-other")
            with pytest.raises(anthropic.AuthenticationError):
                other.files.list()
        """
    )
    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-q")
    result.assert_outcomes(passed=1)


async def _asgi_get(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, list[Any], bytes]:
    """One GET straight into the ASGI app (no socket)."""
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": headers}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], sent[0]["headers"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.anyio
async def test_asgi_header_names_are_decoded_and_encoded_once_and_alike() -> None:
    from pytest_claude_files._http.handler import HTTPResponse
    from pytest_claude_files.server import _asgi as _asgi
    from pytest_claude_files.server import make_app

    app = make_app()
    seen: list[dict[str, str]] = []

    def hook(request: Any, operation: Any) -> HTTPResponse:
        seen.append(dict(request.headers))
        return HTTPResponse(200, [("X-Mixed-Case", "v\xe9"), ("Content-Type", "text/plain")], b"ok")

    app.tenants.get(KEY).handler.hooks.append(hook)
    latin = [(b"x-api-key", KEY.encode()), (b"x-caf\xe9", b"caf\xe9")]
    for headers in (latin, latin, [*latin, (b"x-rep", b"a"), (b"x-rep", b"b")]):
        status, head, body = await _asgi_get(app, "/v1/files", headers)
        assert (status, body) == (200, b"ok")
        assert head == [(b"x-mixed-case", b"v\xe9"), (b"content-type", b"text/plain"),
                        (b"content-length", b"2")]
        assert seen[-1]["x-caf\xe9"] == "caf\xe9" and seen[-1]["x-api-key"] == KEY
    assert seen[-1]["x-rep"] == "a, b"
    assert _asgi._REQUEST_NAMES[b"x-caf\xe9"] == "x-caf\xe9" and b"caf\xe9" not in _asgi._REQUEST_NAMES
    from pytest_claude_files._http.headers import NAMES_KEPT

    for i in range(NAMES_KEPT + 10):  # the caches stay bounded
        await _asgi_get(app, "/v1/files", [(b"x-api-key", KEY.encode()), (f"x-h{i}".encode(), b"1")])
    assert len(_asgi._REQUEST_NAMES) <= NAMES_KEPT and len(seen) == NAMES_KEPT + 13
