"""claude_files_respx through the official SDK, sync and async, on whichever anthropic is
installed (run on anthropic==0.125.0 / httpx and anthropic 2.x / httpx2)."""

from __future__ import annotations

import http.server
import importlib
import inspect
import threading
import time
from typing import Any, Iterator

import anthropic
import httpx
import pytest

from pytest_claude_files import scenarios
from pytest_claude_files._sdk.client import sdk_http_library, sdk_version

from .conftest import Sdk

pytestmark = pytest.mark.anyio

SDK = sdk_version() or (0,)
LIB = sdk_http_library()  # httpx2 for anthropic >= 1.0, httpx before
GA_ONLY = SDK >= (1, 2)  # from 1.2 on, client.beta.files speaks the GA dialect too
FILE_ID = "file_011CNha8iCJcU1wXNR6q4V8w"

try:
    httpx2: Any = importlib.import_module("httpx2")
except ImportError:  # pragma: no cover - anthropic < 1.0 environments may lack it
    httpx2 = None


async def raises(sdk: Sdk, exc: Any, client: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(exc) as info:
        await sdk.call(client, operation, *args, **kwargs)
    return info.value


# -- routes and the fake -------------------------------------------------------------
async def test_routes_are_named_by_sdk_operation(claude_files_respx: Any) -> None:
    names = [route.name for route in claude_files_respx.routes]
    assert names[:5] == ["upload", "list", "download", "retrieve_metadata", "delete"]
    assert claude_files_respx["list"] is claude_files_respx.routes["list"]


async def test_clients_built_anywhere_hit_the_same_fake(
    sdk: Sdk, claude_files_respx: Any, claude_files: Any, claude_files_client: Any
) -> None:
    client = sdk.client()
    uploaded = await sdk.call(client, "upload", file=("notes.txt", b"hello", "text/plain"))
    assert uploaded.id in claude_files
    assert claude_files.content(uploaded.id) == b"hello"
    # the fixture client (its own transport) sees the same state
    assert claude_files_client.beta.files.retrieve_metadata(uploaded.id).filename == "notes.txt"
    seeded = claude_files.add_file("report.pdf", b"%PDF-1.4", downloadable=True)
    listed = await sdk.list_all(client)
    assert [f.id for f in listed] == [seeded.id, uploaded.id]
    assert await sdk.call(client, "download", seeded.id) == b"%PDF-1.4"
    deleted = await sdk.call(client, "delete", uploaded.id)
    assert deleted.id == uploaded.id and uploaded.id not in claude_files
    assert [claude_files_respx[op].call_count for op in ("upload", "list", "download", "delete")] == [
        1,
        1,
        1,
        1,
    ]


async def test_call_inspection_parses_parameters(
    sdk: Sdk, claude_files_respx: Any, claude_files: Any
) -> None:
    claude_files.add_files(3)
    client = sdk.client()
    await sdk.call(client, "upload", file=("data.csv", b"a,b\n1,2\n", "text/csv"))
    await sdk.list_all(client, limit=2)
    upload = claude_files_respx.calls_of("upload")[0]
    assert (upload.filename, upload.size, upload.content_type) == ("data.csv", 8, "text/csv")
    assert upload.status == 200 and upload.retry_count == 0
    assert upload.beta is (not GA_ONLY)
    lists = claude_files_respx.calls_of("list")
    assert [c.limit for c in lists] == [2, 2]
    cursor = "page" if GA_ONLY else "after_id"
    assert cursor not in lists[0].params and lists[1].params[cursor]
    assert [c.operation for c in claude_files_respx.files_calls] == ["upload", "list", "list"]


# -- retries ---------------------------------------------------------------------------
async def test_two_429s_then_success_takes_exactly_three_requests(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("list", scenarios.error(429, retry_after=0), times=2)
    clock = claude_files_respx.files.clock
    clock.freeze()
    before = clock.now()
    page = await sdk.call(sdk.client(), "list")
    assert page.data == []
    assert claude_files_respx["list"].call_count == 3
    assert claude_files_respx.retry_counts("list") == [0, 1, 2]
    assert [c.status for c in claude_files_respx.calls_of("list")] == [429, 429, 200]
    assert len(claude_files_respx.retry_delays) == 2  # recorded, and spent on the fake clock:
    spent = (clock.now() - before).total_seconds()
    assert spent == pytest.approx(sum(claude_files_respx.retry_delays), abs=1e-5)


async def test_retry_after_is_honoured_as_the_sdk_delay(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("list", scenarios.error(429, retry_after=7), times=1)
    claude_files_respx.inject("retrieve_metadata", scenarios.error(529, retry_after_ms=1500), times=1)
    client = sdk.client()
    before = claude_files_respx.files.clock.now()
    await sdk.call(client, "list")
    await raises(sdk, anthropic.NotFoundError, client, "retrieve_metadata", FILE_ID)
    assert claude_files_respx.retry_delays == [7.0, 1.5]
    assert (claude_files_respx.files.clock.now() - before).total_seconds() >= 8.5


async def test_x_should_retry_false_is_not_retried(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("list", scenarios.error(500, should_retry=False), times=1)
    await raises(sdk, anthropic.InternalServerError, sdk.client(), "list")
    assert claude_files_respx["list"].call_count == 1


async def test_x_should_retry_true_retries_a_400(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("list", scenarios.error(400, should_retry=True), times=1)
    await sdk.call(sdk.client(), "list")
    assert [c.status for c in claude_files_respx.calls_of("list")] == [400, 200]


async def test_529_after_max_retries_is_overloaded_error(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("retrieve_metadata", scenarios.error("overloaded_error"))
    err = await raises(
        sdk, anthropic.OverloadedError, sdk.client(max_retries=3), "retrieve_metadata", FILE_ID
    )
    assert err.status_code == 529
    assert claude_files_respx.retry_counts("retrieve_metadata") == [0, 1, 2, 3]


async def test_scripted_errors_fall_back_to_the_fake(
    sdk: Sdk, claude_files_respx: Any, claude_files: Any
) -> None:
    meta = claude_files.add_file("a.txt", b"a")
    rule = claude_files_respx.inject("retrieve_metadata", scenarios.error(500), times=1)
    client = sdk.client(max_retries=0)
    await raises(sdk, anthropic.InternalServerError, client, "retrieve_metadata", meta.id)
    assert rule.used_up
    assert (await sdk.call(client, "retrieve_metadata", meta.id)).id == meta.id


# -- errors map to the SDK's classes ---------------------------------------------------
def _expected_class(status: int) -> type:
    names = {
        400: "BadRequestError",
        401: "AuthenticationError",
        403: "PermissionDeniedError",
        404: "NotFoundError",
        409: "ConflictError",
        429: "RateLimitError",
        500: "InternalServerError",
        529: "OverloadedError",
    }
    if hasattr(anthropic, "GatewayTimeoutError"):  # the SDK with a class per status
        names.update({402: "PaymentRequiredError", 413: "ContentTooLargeError", 504: "GatewayTimeoutError"})
    else:
        names.update({402: "APIStatusError", 413: "RequestTooLargeError", 504: "InternalServerError"})
    return getattr(anthropic, names[status])  # type: ignore[no-any-return]


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 413, 429, 500, 504, 529])
async def test_each_error_maps_to_the_sdk_exception(sdk: Sdk, claude_files_respx: Any, status: int) -> None:
    claude_files_respx.inject(
        "list", scenarios.error(status, "scripted", request_id="req_011CQFYcrRp7mCHLDsAYT8Qt")
    )
    err = await raises(sdk, _expected_class(status), sdk.client(max_retries=0), "list")
    assert err.status_code == status
    assert err.response.headers["request-id"] == "req_011CQFYcrRp7mCHLDsAYT8Qt"
    assert err.body["error"]["message"] == "scripted"
    assert err.body["request_id"] == "req_011CQFYcrRp7mCHLDsAYT8Qt"


@pytest.mark.skipif(SDK < (1, 2), reason="error_code subclasses exist from anthropic 1.2")
@pytest.mark.parametrize(
    ("status", "code", "name"),
    [
        (400, "file_not_downloadable", "FileNotDownloadableError"),
        (404, "file_expired", "FileExpiredError"),
        (400, "storage_quota_exceeded", "StorageQuotaExceededError"),
    ],
)
async def test_error_codes_map_to_sdk_subclasses(
    sdk: Sdk, claude_files_respx: Any, status: int, code: str, name: str
) -> None:
    claude_files_respx.inject("download", scenarios.error(status, error_code=code))
    err = await raises(sdk, getattr(anthropic.types, name), sdk.client(max_retries=0), "download", FILE_ID)
    assert err.body["error"]["details"] == {"error_code": code}


async def test_fake_errors_pass_through_unchanged(
    sdk: Sdk, claude_files_respx: Any, claude_files: Any
) -> None:
    meta = claude_files.add_file("upload.txt", b"x")  # not downloadable
    err = await raises(sdk, anthropic.BadRequestError, sdk.client(max_retries=0), "download", meta.id)
    assert err.body["error"]["details"]["error_code"] == "file_not_downloadable"


# -- network faults ------------------------------------------------------------------------
async def test_download_cut_mid_body_is_the_sdks_connection_error(
    sdk: Sdk, claude_files_respx: Any, claude_files: Any
) -> None:
    meta = claude_files.add_file("big.bin", b"x" * 1000, downloadable=True)
    claude_files_respx.inject("download", scenarios.cut_body(after=100), times=2)
    client = sdk.client(max_retries=1)
    err = await raises(sdk, anthropic.APIConnectionError, client, "download", meta.id)
    assert isinstance(err.__cause__, LIB.RemoteProtocolError)
    assert "received 100 bytes, expected 1000" in str(err.__cause__)
    assert claude_files_respx["download"].call_count == 2
    assert await sdk.call(client, "download", meta.id) == b"x" * 1000  # used up: the fake again


async def test_connection_refused_and_read_timeout(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("list", scenarios.connect_error())
    claude_files_respx.inject("retrieve_metadata", scenarios.timeout())
    client = sdk.client(max_retries=1)
    err = await raises(sdk, anthropic.APIConnectionError, client, "list")
    assert not isinstance(err, anthropic.APITimeoutError)
    assert isinstance(err.__cause__, LIB.ConnectError)
    err = await raises(sdk, anthropic.APITimeoutError, client, "retrieve_metadata", FILE_ID)
    assert isinstance(err.__cause__, LIB.ReadTimeout)
    assert claude_files_respx["list"].call_count == 2 and claude_files_respx.retry_counts("list") == [0, 1]


async def test_latency_moves_the_fake_clock_instead_of_sleeping(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("list", scenarios.latency(30))
    claude_files_respx.files.clock.freeze()
    before = claude_files_respx.files.clock.now()
    await sdk.call(sdk.client(), "list")
    assert claude_files_respx.latencies == [30]  # not slept: the frozen clock moved by it
    assert (claude_files_respx.files.clock.now() - before).total_seconds() == pytest.approx(30)
    assert (claude_files_respx.files.clock.now() - before).total_seconds() >= 30


async def test_latency_beyond_the_read_timeout_is_a_timeout(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.inject("list", scenarios.latency(30))
    await raises(sdk, anthropic.APITimeoutError, sdk.client(max_retries=0, timeout=5.0), "list")
    assert claude_files_respx.latencies == [5.0]


async def test_token_bucket_rate_limit(sdk: Sdk, claude_files_respx: Any) -> None:
    bucket = scenarios.rate_limit(claude_files_respx, capacity=2, refill_per_second=0.5)
    strict = sdk.client(max_retries=0)
    first = await sdk.call(strict, "list")
    assert first.data == []
    calls = claude_files_respx.calls_of("list")
    assert calls[0].response.headers["anthropic-ratelimit-requests-limit"] == "2"
    assert calls[0].response.headers["anthropic-ratelimit-requests-remaining"] == "1"
    await sdk.call(strict, "list")
    err = await raises(sdk, anthropic.RateLimitError, strict, "list")
    assert err.response.headers["retry-after"] == "2"
    assert err.response.headers["anthropic-ratelimit-requests-remaining"] == "0"
    # the SDK's retry wait (virtual) refills the bucket
    await sdk.call(sdk.client(max_retries=2), "list")
    assert claude_files_respx.retry_delays == [2.0]
    assert bucket.capacity == 2


# -- respx API: results of both libraries, side effects, fallback --------------------------
def _canned(lib: Any) -> Any:
    body = {
        "id": FILE_ID,
        "type": "file",
        "filename": "canned.txt",
        "mime_type": "text/plain",
        "size_bytes": 6,
        "created_at": "2025-04-15T18:37:24.100435Z",
        "downloadable": False,
    }
    if GA_ONLY:
        body["expires_at"] = None
    return lib.Response(200, json=body)


@pytest.mark.parametrize("lib_name", ["httpx", "httpx2"])
async def test_route_results_may_be_httpx_or_httpx2_responses(
    sdk: Sdk, claude_files_respx: Any, lib_name: str
) -> None:
    if lib_name == "httpx2" and httpx2 is None:
        pytest.skip("httpx2 is not installed")
    lib = httpx if lib_name == "httpx" else httpx2
    claude_files_respx["retrieve_metadata"].mock(return_value=_canned(lib))
    client = sdk.client()
    assert (await sdk.call(client, "retrieve_metadata", FILE_ID)).filename == "canned.txt"
    claude_files_respx["retrieve_metadata"].mock(side_effect=lambda request, file_id: _canned(lib))
    assert (await sdk.call(client, "retrieve_metadata", FILE_ID)).filename == "canned.txt"


async def test_side_effect_list_falls_back_to_the_fake(
    sdk: Sdk, claude_files_respx: Any, claude_files: Any
) -> None:
    meta = claude_files.add_file("real.txt", b"r")
    claude_files_respx["retrieve_metadata"].side_effect = [_canned(httpx)]
    client = sdk.client()
    assert (await sdk.call(client, "retrieve_metadata", meta.id)).filename == "canned.txt"
    assert (await sdk.call(client, "retrieve_metadata", meta.id)).filename == "real.txt"


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError,
        httpx.ConnectTimeout("boom"),
        httpx.ReadTimeout,
        "httpx2.ConnectError",
        "httpx2.ReadTimeout('slow')",
    ],
)
async def test_respx_exception_side_effects_become_the_sdks_library_errors(
    sdk: Sdk, claude_files_respx: Any, exc: Any
) -> None:
    if isinstance(exc, str):
        if httpx2 is None:
            pytest.skip("httpx2 is not installed")
        exc = eval(exc, {"httpx2": httpx2})
    claude_files_respx["list"].side_effect = exc
    expected = anthropic.APITimeoutError if "Timeout" in repr(exc) else anthropic.APIConnectionError
    err = await raises(sdk, expected, sdk.client(max_retries=0), "list")
    name = exc.__name__ if isinstance(exc, type) else type(exc).__name__
    assert isinstance(err.__cause__, getattr(LIB, name))


async def test_script_in_order_then_repeat_or_fake(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx.script("list", 503, "rate_limit_error", then="repeat")
    claude_files_respx.script("retrieve_metadata", _canned(httpx2 or httpx), httpx.ReadTimeout)
    client = sdk.client(max_retries=0)
    await raises(sdk, anthropic.InternalServerError, client, "list")
    for _ in range(2):  # the last result repeats
        await raises(sdk, anthropic.RateLimitError, client, "list")
    assert claude_files_respx["list"].call_count == 3
    assert (await sdk.call(client, "retrieve_metadata", FILE_ID)).filename == "canned.txt"
    await raises(sdk, anthropic.APITimeoutError, client, "retrieve_metadata", FILE_ID)
    await raises(sdk, anthropic.NotFoundError, client, "retrieve_metadata", FILE_ID)  # then the fake


async def test_user_routes_for_other_endpoints(sdk: Sdk, claude_files_respx: Any) -> None:
    model = {"type": "model", "id": "claude-x", "display_name": "X", "created_at": "2025-01-01T00:00:00Z"}
    route = claude_files_respx.get("/v1/models/claude-x").respond(200, json=model)
    client = sdk.client()
    result = client.models.retrieve("claude-x")
    if inspect.isawaitable(result):
        result = await result
    assert result.display_name == "X" and route.call_count == 1


# -- nothing reaches the network ------------------------------------------------------------
async def test_unhandled_anthropic_request_is_reported(sdk: Sdk, claude_files_respx: Any) -> None:
    client = sdk.client(max_retries=0)
    with pytest.raises(anthropic.APIConnectionError) as info:
        result = client.models.list()
        if inspect.isawaitable(result):
            await result
    assert "GET /v1/models" in str(info.value.__cause__)
    assert (
        claude_files_respx.unhandled
        and 'claude_files_respx.get("/v1/models")' in claude_files_respx.unhandled[0]
    )
    claude_files_respx.unhandled.clear()  # expected here: do not fail at teardown


@pytest.fixture
def local_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-length", "5")
            self.end_headers()
            self.wfile.write(b"local")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_other_hosts_are_blocked_by_default(claude_files_respx: Any, local_server: str) -> None:
    with LIB.Client() as client, pytest.raises(AssertionError, match="is blocked"):
        client.get(local_server + "/x")
    assert "pass_through=" in claude_files_respx.unhandled[0]
    claude_files_respx.unhandled.clear()


@pytest.mark.claude_files_respx(pass_through=["127.0.0.1"])
async def test_pass_through_hosts_reach_the_network(claude_files_respx: Any, local_server: str) -> None:
    with LIB.Client() as client:
        assert client.get(local_server + "/x").content == b"local"
    async with LIB.AsyncClient() as aclient:
        assert (await aclient.get(local_server + "/y")).content == b"local"
    assert claude_files_respx.unhandled == []


@pytest.mark.claude_files_respx(base_url="http://files.test:8080")
async def test_base_url(sdk: Sdk, claude_files_respx: Any, claude_files: Any) -> None:
    claude_files.add_files(2)
    assert len(await sdk.list_all(sdk.client(base_url="http://files.test:8080"))) == 2


@pytest.mark.claude_files_respx(stateful=False)
async def test_stateless_routes_need_a_script(sdk: Sdk, claude_files_respx: Any) -> None:
    claude_files_respx["retrieve_metadata"].mock(return_value=_canned(httpx))
    client = sdk.client(max_retries=0)
    assert (await sdk.call(client, "retrieve_metadata", FILE_ID)).filename == "canned.txt"
    await raises(sdk, anthropic.APIConnectionError, client, "list")
    assert "stateful=False" in claude_files_respx.unhandled[0]
    claude_files_respx.unhandled.clear()


@pytest.mark.claude_files_respx(real_sleep=True)
async def test_real_sleep_waits_for_latency_and_retries(
    sdk: Sdk, claude_files_respx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    slept: list[float] = []

    async def asleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(time, "sleep", slept.append)  # no test really sleeps
    monkeypatch.setattr(anyio, "sleep", asleep)
    claude_files_respx.inject("list", scenarios.latency(3))
    claude_files_respx.inject("list", scenarios.error(429, retry_after=2), times=1)
    before = claude_files_respx.files.clock.now()
    await sdk.call(sdk.client(), "list")
    assert slept == [3, 2.0, 3]  # server latency, the SDK's retry wait, latency again
    assert claude_files_respx.retry_delays == [2.0]
    assert (claude_files_respx.files.clock.now() - before).total_seconds() < 2  # not moved
