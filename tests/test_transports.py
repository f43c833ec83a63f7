"""The transports attach the handler to httpx and httpx2 clients, sync and async.

One parametrized set: every test runs for each HTTP library (``httpx``, ``httpx2``;
skipped where not installed) and each client kind (``Client``, ``AsyncClient``).
"""

from __future__ import annotations

import inspect
import json
from types import ModuleType
from typing import Any, AsyncIterator, Callable, Iterator

import pytest

from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse
from pytest_claude_files._sdk.transports import (
    make_transport,
    to_http_request,
    to_library_response,
    transport_class,
)
from pytest_claude_files.models import BETA_HEADER_VALUE

KEY = {"x-api-key": "sk-ant-test-transport", "anthropic-version": "2023-06-01"}
BOUNDARY = "claude-files-test-boundary"

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["httpx", "httpx2"])
def library(request: pytest.FixtureRequest) -> ModuleType:
    module: ModuleType = pytest.importorskip(request.param, reason=f"{request.param} is not installed")
    return module


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Recorder:
    """A handler that records each ``HTTPRequest`` and lets the fake's handler answer."""

    def __init__(self, handler: Callable[[HTTPRequest], HTTPResponse]) -> None:
        self.handler = handler
        self.requests: list[HTTPRequest] = []

    def __call__(self, request: HTTPRequest) -> HTTPResponse:
        self.requests.append(request)
        return self.handler(request)


@pytest.fixture
def fake() -> FakeFiles:
    return FakeFiles()


@pytest.fixture
def recorder(fake: FakeFiles) -> Recorder:
    return Recorder(FilesHandler(fake))


class Client:
    """A library client over the fake transport, used the same way sync or async."""

    def __init__(
        self,
        library: ModuleType,
        kind: str,
        handler: Callable[[HTTPRequest], HTTPResponse],
        base_url: str = "https://api.anthropic.com",
    ) -> None:
        self.kind = kind
        transport = make_transport(handler, library)
        cls = library.AsyncClient if kind == "async" else library.Client
        self.client = cls(transport=transport, base_url=base_url)

    async def request(self, method: str, url: str, **kwargs: Any) -> Any:
        result = self.client.request(method, url, **kwargs)
        return await result if inspect.isawaitable(result) else result

    def stream_of(self, chunks: list[bytes]) -> Any:
        """A streaming body of the kind the client accepts (sync or async iterator)."""
        if self.kind == "async":

            async def agen() -> AsyncIterator[bytes]:
                for chunk in chunks:
                    yield chunk

            return agen()

        def gen() -> Iterator[bytes]:
            yield from chunks

        return gen()

    async def close(self) -> None:
        if self.kind == "async":
            await self.client.aclose()
        else:
            self.client.close()


@pytest.fixture
async def client(library: ModuleType, kind: str, recorder: Recorder) -> AsyncIterator[Client]:
    c = Client(library, kind, recorder)
    yield c
    await c.close()


def multipart(filename: str, content: bytes, content_type: str = "application/octet-stream") -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


MULTIPART_TYPE = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


# -- request bodies -------------------------------------------------------------------
async def test_streaming_request_body_arrives_whole(
    client: Client, recorder: Recorder, fake: FakeFiles
) -> None:
    content = bytes(range(256)) * 1000
    body = multipart("streamed.bin", content)
    chunks = [body[i : i + 7919] for i in range(0, len(body), 7919)]  # uneven chunk boundaries
    response = await client.request(
        "POST", "/v1/files", content=client.stream_of(chunks), headers={**KEY, **MULTIPART_TYPE}
    )
    assert response.status_code == 200, response.text
    meta = response.json()
    assert meta["filename"] == "streamed.bin"
    assert meta["size_bytes"] == len(content)
    assert fake.content(meta["id"]) == content
    assert bytes(recorder.requests[-1].body) == body
    assert "content-length" not in recorder.requests[-1].headers  # really sent chunked


async def test_files_form_upload_through_the_library(client: Client, fake: FakeFiles) -> None:
    response = await client.request(
        "POST",
        "/v1/files",
        headers=KEY,
        files={"file": ("notes.txt", b"hello\x00world", "text/plain")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["mime_type"] == "text/plain"
    assert fake.content(response.json()["id"]) == b"hello\x00world"


# -- headers --------------------------------------------------------------------------
async def test_repeated_request_headers_are_joined_and_lower_cased(
    client: Client, recorder: Recorder
) -> None:
    headers = [
        ("X-API-Key", KEY["x-api-key"]),
        ("Anthropic-Version", KEY["anthropic-version"]),
        ("Anthropic-Beta", "pdfs-2024-09-25"),
        ("anthropic-beta", BETA_HEADER_VALUE),
        ("X-Tag", "a"),
        ("x-tag", "b"),
    ]
    response = await client.request("GET", "/v1/files", headers=headers)
    assert response.status_code == 200, response.text
    seen = recorder.requests[-1].headers
    assert seen["x-tag"] == "a, b"
    assert seen["anthropic-beta"] == f"pdfs-2024-09-25, {BETA_HEADER_VALUE}"
    assert "has_more" in response.json()  # the joined anthropic-beta still selects the beta dialect


async def test_repeated_response_headers_reach_the_client(
    library: ModuleType, kind: str, recorder: Recorder
) -> None:
    def hook(request: HTTPRequest, operation: Any) -> HTTPResponse:
        return HTTPResponse(
            200,
            [
                ("content-type", "application/json"),
                ("x-multi", "1"),
                ("X-Multi", "2"),
                ("request-id", "req_x"),
            ],
            b"{}",
        )

    assert isinstance(recorder.handler, FilesHandler)
    recorder.handler.hooks.append(hook)
    c = Client(library, kind, recorder)
    try:
        response = await c.request("GET", "/v1/files", headers=KEY)
    finally:
        await c.close()
    assert response.headers.get_list("x-multi") == ["1", "2"]
    assert response.headers["request-id"] == "req_x"


async def test_query_string_and_percent_escapes_pass_through(
    client: Client, recorder: Recorder, fake: FakeFiles
) -> None:
    fake.add_files(3)
    response = await client.request("GET", "/v1/files", params={"limit": "2", "ids[]": "x y"}, headers=KEY)
    seen = recorder.requests[-1]
    assert seen.path == "/v1/files"
    assert seen.query in ("limit=2&ids%5B%5D=x+y", "limit=2&ids%5B%5D=x%20y")
    assert response.status_code == 400  # ids and limit together: the handler's decision, not ours


# -- response bodies ------------------------------------------------------------------
@pytest.mark.parametrize("as_view", [False, True], ids=["bytes", "memoryview"])
async def test_binary_download_is_byte_exact(client: Client, fake: FakeFiles, as_view: bool) -> None:
    content = bytes(range(256)) * 64 + b"\r\n--not-a-boundary--\r\n\x00"
    stored = memoryview(b"head" + content)[4:] if as_view else content
    meta = fake.add_file("chart.png", stored, downloadable=True)
    response = await client.request("GET", f"/v1/files/{meta.id}/content", headers=KEY)
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "image/png"
    assert int(response.headers["content-length"]) == len(content)


async def test_error_responses_are_answers_not_exceptions(client: Client, library: ModuleType) -> None:
    response = await client.request("GET", "/v1/nothing-here", headers=KEY)
    assert response.status_code == 404
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "not_found_error"
    assert response.headers["request-id"] == body["request_id"]
    assert response.request.url.path == "/v1/nothing-here"  # raise_for_status() can name it
    with pytest.raises(library.HTTPStatusError, match="404"):
        response.raise_for_status()


# -- hosts ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.anthropic.com",
        "http://localhost:8080",
        "http://127.0.0.1",
        "https://files.example.test:4443",
    ],
)
async def test_the_transport_serves_any_host(
    library: ModuleType, kind: str, recorder: Recorder, fake: FakeFiles, base_url: str
) -> None:
    meta = fake.add_file("a.txt", b"x")
    c = Client(library, kind, recorder, base_url=base_url)
    try:
        response = await c.request("GET", f"/v1/files/{meta.id}", headers=KEY)
    finally:
        await c.close()
    assert response.status_code == 200
    assert response.json()["id"] == meta.id
    assert recorder.requests[-1].path == f"/v1/files/{meta.id}"


# -- the class itself -----------------------------------------------------------------
def test_one_class_per_library_serves_sync_and_async(library: ModuleType) -> None:
    cls = transport_class(library)
    assert transport_class(library.__name__) is cls
    assert issubclass(cls, library.BaseTransport) and issubclass(cls, library.AsyncBaseTransport)
    transport = make_transport(FilesHandler(FakeFiles()), library)
    assert isinstance(transport, cls)
    assert repr(transport).startswith(f"<{library.__name__}.FakeFilesTransport ")


def test_conversions_round_trip(library: ModuleType) -> None:
    request = library.Request(
        "POST",
        "https://api.anthropic.com/v1/files?beta=true",
        headers=[("X-A", "1"), ("x-a", "2")],
        content=b"body",
    )
    converted = to_http_request(request, request.read())
    assert (converted.method, converted.path, converted.query) == ("POST", "/v1/files", "beta=true")
    assert converted.headers["x-a"] == "1, 2" and converted.body == b"body"
    response = to_library_response(library, HTTPResponse(201, [("x-b", "1")], memoryview(b"abc")), request)
    assert (response.status_code, response.content, response.headers["x-b"]) == (201, b"abc", "1")
    assert json.loads(to_library_response(library.__name__, HTTPResponse(200, [], b"[1]")).content) == [1]


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"plain", "plain"), ("café".encode(), "café"), (b"caf\xe9", "café")],
    ids=["ascii", "utf-8", "latin-1"],
)
def test_header_bytes_decode_as_the_library_decodes_them(library: ModuleType, raw: bytes, text: str) -> None:
    request = library.Request("GET", "https://api.anthropic.com/v1/files", headers=[(b"X-Name", raw)])
    converted = to_http_request(request, b"")
    assert converted.headers["x-name"] == text == dict(request.headers.multi_items())["x-name"]


def test_header_names_are_kept_decoded_and_bounded(
    library: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same headers convert the same whether their names were seen before or not; only names
    are kept (never values), at most 512, none longer than 64 bytes."""
    from pytest_claude_files._sdk import transports

    monkeypatch.setattr(transports, "_NAMES", {})
    headers = [("X-Api-Key", "sk-secret"), ("X-A", "1"), ("x-a", "2"), ("X-" + "n" * 70, "long")]
    headers += [(f"X-Extra-{i}", str(i)) for i in range(600)]
    request = library.Request("GET", "https://api.anthropic.com/v1/files", headers=headers)
    first = to_http_request(request, b"").headers
    again = to_http_request(request, b"").headers
    expected = dict(request.headers.multi_items())
    expected["x-a"] = "1, 2"
    assert first == again == expected and list(first) == list(again) == list(expected)
    kept = transports._NAMES
    assert len(kept) == 512 and "sk-secret" not in kept.values()
    assert kept[b"X-Api-Key"] == "x-api-key" and all(len(name) <= 64 for name in kept)
    plain = library.Request("GET", "https://api.anthropic.com/v1/files",
                            headers=[(b"X-Api-Key", b"k"), (b"X-B", b"caf\xe9")])
    assert to_http_request(plain, b"").headers == {"host": "api.anthropic.com", "x-api-key": "k",
                                                     "x-b": "caf\xe9"}  # (latin-1)


async def test_binary_download_through_the_sdk(kind: str, fake: FakeFiles) -> None:
    """The installed SDK (httpx or httpx2, whichever it uses) gets the exact bytes."""
    pytest.importorskip("anthropic")
    from pytest_claude_files._sdk.client import make_sdk_client

    content = bytes(range(256)) * 257
    meta = fake.add_file("output.bin", content, downloadable=True)
    client = make_sdk_client(FilesHandler(fake), is_async=kind == "async")
    response = client.beta.files.download(meta.id)
    if kind == "async":
        response = await response
        data = await response.read()
        await client.close()
    else:
        data = response.read()
        client.close()
    assert data == content
    assert response.headers["content-type"] == "application/octet-stream"
