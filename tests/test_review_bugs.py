"""The bugs of the issue-18 review, each reproduced: every test here fails on the code before its fix."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import anthropic
import pytest

from pytest_claude_files import FakeFiles
from pytest_claude_files._core.settings import FakeFilesSettings
from pytest_claude_files._http.handler import FilesHandler
from pytest_claude_files._sdk.client import make_sdk_client
from pytest_claude_files.server import ServerError, make_app, start_server

MODEL = "claude-fake-model"
CODE_EXECUTION = [{"type": "code_execution_20250825", "name": "code_execution"}]


Headers = list[tuple[bytes, bytes]]


def asgi(
    app: Any, method: str, path: str, headers: Headers, body: bytes = b"", query: bytes = b""
) -> tuple[int, Any]:
    """One request through the ASGI app, in process: (status, the JSON body)."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    framing = [(b"content-length", str(len(body)).encode())]
    if body:
        framing.append((b"content-type", b"application/json"))
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query,
             "headers": [*framing, *headers], "http_version": "1.1"}
    asyncio.run(app(scope, receive, send))
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(data) if data else None


# -- 1. code-execution output files belong to the request's workspace ----------------------
def test_output_files_are_made_in_the_workspace_of_the_request() -> None:
    fake = FakeFiles(partition_workspaces=True)
    handler = FilesHandler(fake)
    mine = make_sdk_client(handler, default_headers={"anthropic-workspace-id": "wrkspc_mine"})
    other = make_sdk_client(handler, default_headers={"anthropic-workspace-id": "wrkspc_other"})
    fake.messages.reply("done", output_files={"chart.csv": b"a,b\n1,2\n"})
    message = mine.messages.create(model=MODEL, max_tokens=100, tools=CODE_EXECUTION,
                                   messages=[{"role": "user", "content": "plot it"}])
    result = next(b for b in message.content if b.type == "bash_code_execution_tool_result")
    file_id = result.content.content[0].file_id
    assert mine.beta.files.retrieve_metadata(file_id).filename == "chart.csv"
    assert mine.beta.files.download(file_id).read() == b"a,b\n1,2\n"
    with pytest.raises(anthropic.NotFoundError):
        other.beta.files.retrieve_metadata(file_id)
    mine.close()
    other.close()


# -- 2. control-API seeding is all or nothing, against what the tenant already uses ---------
def test_an_over_quota_seed_batch_stores_nothing() -> None:
    app = make_app(settings=FakeFilesSettings(storage_quota=100), shared=True)
    status, _ = asgi(app, "POST", "/_claude_files/files", [],
                     json.dumps({"filename": "old.txt", "content": "x" * 60}).encode())
    assert status == 200
    batch = {"files": [{"filename": "a.txt", "content": "a" * 30},
                       {"filename": "b.txt", "content": "b" * 30}]}
    status, body = asgi(app, "POST", "/_claude_files/files", [], json.dumps(batch).encode())
    assert status == 400, body
    assert "storage quota" in body["error"]["message"]
    status, listing = asgi(app, "GET", "/_claude_files/files", [])
    assert [f["filename"] for f in listing["data"]] == ["old.txt"]  # neither a.txt nor b.txt


def test_a_seed_batch_reusing_a_stored_id_stores_nothing() -> None:
    fake = FakeFiles()
    old = fake.add_file("old.txt", "x")
    with pytest.raises(ValueError, match="already in use"):
        fake.files.add_all([{"filename": "a.txt", "content": "a"},
                            {"filename": "b.txt", "content": "b", "file_id": old.id}])
    assert [f.filename for f in fake.files] == ["old.txt"]


# -- 3. a server that does not start is a ServerError, not "Bad file descriptor" -------------
def test_a_server_that_dies_at_start_raises_server_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    with pytest.raises(ServerError, match=r"the server on http://127\.0\.0\.1:\d+ did not start"):
        start_server(startup_timeout=5)


# -- 4. header names count towards the header bound -----------------------------------------
def test_long_header_names_are_refused_by_the_bound() -> None:
    app = make_app()
    headers = [(b"x-api-key", b"sk-ant-names"), (b"anthropic-version", b"2023-06-01")]
    headers += [(b"x-" + bytes([97 + i]) * 6500, b"v") for i in range(13)]  # 16 headers, 84 kB of names
    status, body = asgi(app, "GET", "/v1/files", headers)
    assert status == 400
    assert "Request header fields too large" in body["error"]["message"]


def test_a_short_header_set_is_still_served() -> None:
    status, _ = asgi(make_app(), "GET", "/v1/files",
                     [(b"x-api-key", b"sk-ant-names"), (b"anthropic-version", b"2023-06-01")])
    assert status == 200


# -- the adapter's one quick check before the exact bounds (server/_asgi.py) ----------------
AUTH = [(b"x-api-key", b"sk-ant-names"), (b"anthropic-version", b"2023-06-01")]


@pytest.mark.parametrize("query, status", [
    (b"&" * 999, 200),  # 1,000 parameters, all empty: the bound is "at most 999 separators"
    (b"&" * 1000, 400),  # a short query with 1,001 parameters (the old quick check let it by)
    (b"limit=1&" * 124 + b"limit=1", 200),  # 125 parameters in 1,000 bytes
], ids=["999-separators", "1000-separators", "125-params"])
def test_a_short_query_with_too_many_parameters_is_refused(query: bytes, status: int) -> None:
    got, body = asgi(make_app(), "GET", "/v1/files", AUTH, query=query)
    assert got == status
    if status == 400:
        assert body["error"]["message"] == "Too many query parameters: at most 1000."


@pytest.mark.parametrize("length, status", [(8192, 404), (8193, 414)])
def test_the_path_bound_is_exact(length: int, status: int) -> None:
    path = "/v1/x" + "a" * (length - 5)
    got, body = asgi(make_app(), "GET", path, AUTH)
    assert got == status and body["type"] == "error"


def test_an_sdk_sized_header_set_is_served() -> None:
    """A request with as many headers as an SDK sends (about 20) takes the quick way and is served."""
    sdk = [(f"x-stainless-{i}".encode(), b"v" * 40) for i in range(20)]
    status, body = asgi(make_app(), "GET", "/v1/files", [*AUTH, *sdk])
    assert status == 200 and body["data"] == []


def test_the_quick_check_stays_under_every_bound() -> None:
    """What passes the quick check (path + 9 x query + header values <= 8,192 bytes, at most
    32 headers, every name cached, so at most NAME_KEPT_BYTES each) is within every exact
    bound: a change to the name cache's limit or to a bound that breaks this fails here."""
    from pytest_claude_files._http.headers import NAME_KEPT_BYTES
    from pytest_claude_files.server import _asgi

    quick, names = _asgi.QUICK_BYTES, _asgi.QUICK_HEADERS  # (what FilesASGIApp.__call__ checks)
    assert quick <= _asgi.MAX_PATH and quick // 9 < _asgi.MAX_QUERY
    assert quick // 9 < _asgi.MAX_QUERY_PARAMS  # (a parameter takes a byte at least)
    assert names <= _asgi.MAX_HEADERS
    assert quick + names * NAME_KEPT_BYTES <= _asgi.MAX_HEADER_BYTES


# -- the smaller ones ---------------------------------------------------------------------
def test_the_responder_runs_outside_the_messages_lock() -> None:
    fake = FakeFiles()
    done = threading.Event()

    def responder(request: Any) -> str:
        # another thread reads the record while the responder runs: under the lock, it waits
        reader = threading.Thread(target=lambda: (fake.messages.requests, done.set()))
        reader.start()
        reader.join(5)
        return "answered"

    fake.messages.respond_with(responder)
    answer = fake.messages.create({"model": MODEL, "max_tokens": 10,
                                   "messages": [{"role": "user", "content": "hi"}]})
    assert done.is_set()
    assert answer["content"][0]["text"] == "answered"


def test_the_async_client_fixture_is_closed_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        kept = []

        def test_uses_it(claude_files_async_client):
            kept.append(claude_files_async_client)
            assert not claude_files_async_client.is_closed()

        def test_then(claude_files):
            assert kept[0].is_closed()
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_seeding_one_id_from_two_threads_stores_it_once() -> None:
    fake = FakeFiles()
    file_id = fake.add_file("seed.txt", "x").id
    fake.reset()
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def seed() -> None:
        start.wait()
        try:
            fake.add_file("seed.txt", "x", file_id=file_id)
            outcomes.append("stored")
        except ValueError:
            outcomes.append("refused")

    threads = [threading.Thread(target=seed) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("stored") == 1 and len(fake) == 1
