"""Large bodies: multipart parsed over a memory map without copying, spooling, streaming."""

from __future__ import annotations

import mmap
import tempfile
from typing import Any, Awaitable, Callable, Iterator

import pytest

from pytest_claude_files._http import multipart as _multipart
from pytest_claude_files._http.multipart import parse_multipart
from pytest_claude_files.errors import InvalidRequestError
from pytest_claude_files.server import make_app
from pytest_claude_files.server._asgi import STREAM_CHUNK, FilesASGIApp

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: tuple[str, bytes], filename: str = "f.bin") -> bytes:
    out = b""
    for name, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if name == "file" else "")
        out += (f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


Mapper = Callable[[bytes], mmap.mmap]


@pytest.fixture
def mapped() -> Iterator[Mapper]:
    handles: list[mmap.mmap] = []

    def make(data: bytes) -> mmap.mmap:
        spool = tempfile.TemporaryFile()
        spool.write(data)
        spool.flush()
        mapping = mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ)
        spool.close()
        handles.append(mapping)
        return mapping

    yield make


@pytest.mark.parametrize("window", [7, 64, 1 << 20])
def test_mmap_body_parses_without_copy_across_windows(
    mapped: Mapper, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    monkeypatch.setattr(_multipart, "SCAN_WINDOW", window)
    payload = bytes(range(256)) * 40 + b"--b0undar" + b"\r\n--b0undarX"  # near-boundaries inside
    body = multipart(("file", payload), ("expires_in_seconds", b"3600"))
    mapping = mapped(body)

    for as_given in (mapping, memoryview(mapping)):
        parts = parse_multipart(CONTENT_TYPE, as_given)
        assert [p.name for p in parts] == ["file", "expires_in_seconds"]
        assert bytes(parts[0].data) == payload
        assert parts[0].data.obj is mapping  # a view of the mapping, not a copy
        assert parts[0].filename == "f.bin"
        assert bytes(parts[1].data) == b"3600"


def test_mmap_body_errors_like_bytes(mapped: Mapper) -> None:
    body = multipart(("file", b"x" * 1000))
    truncated = body[: body.rindex(b"\r\n--")]
    with pytest.raises(InvalidRequestError, match="truncated"):
        parse_multipart(CONTENT_TYPE, mapped(truncated))
    with pytest.raises(InvalidRequestError, match="truncated"):
        parse_multipart(CONTENT_TYPE, truncated)


def test_bytes_and_views_are_not_copied() -> None:
    body = multipart(("file", b"abc"))
    for given in (body, bytearray(body), memoryview(body)):
        parts = parse_multipart(CONTENT_TYPE, given)
        assert bytes(parts[0].data) == b"abc"


def receive_from(chunks: list[bytes]) -> Callable[[], Awaitable[dict[str, Any]]]:
    messages: list[dict[str, Any]] = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                for i, c in enumerate(chunks)]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    return receive


@pytest.mark.anyio
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_bodies_above_the_threshold_are_spooled(declared: bool) -> None:
    app: FilesASGIApp = make_app(spool_threshold=1000)
    chunks = [b"a" * 600, b"b" * 600, b"c" * 600]
    headers = {"content-length": "1800"} if declared else {}
    body = await app._read_rest({"type": "http.request", "body": chunks[0], "more_body": True},
                                receive_from(chunks[1:]), headers)
    assert isinstance(body, memoryview) and isinstance(body.obj, mmap.mmap)
    assert bytes(body) == b"".join(chunks)


@pytest.mark.anyio
async def test_bodies_below_the_threshold_stay_in_memory() -> None:
    app: FilesASGIApp = make_app(spool_threshold=1000)
    body = await app._read_rest({"type": "http.request", "body": b"x" * 300, "more_body": True},
                                receive_from([b"y" * 300]), {})
    assert body == b"x" * 300 + b"y" * 300


@pytest.mark.anyio
async def test_downloads_are_streamed_in_chunks() -> None:
    app: FilesASGIApp = make_app()
    content = b"z" * (STREAM_CHUNK * 2 + 10)
    meta = app.tenants.get("k").files.add_file("big.bin", content, downloadable=True)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": f"/v1/files/{meta.id}/content",
             "raw_path": f"/v1/files/{meta.id}/content".encode(), "query_string": b"",
             "headers": [(b"x-api-key", b"k"), (b"anthropic-version", b"2023-06-01")]}
    await app(scope, receive_from([b""]), send)
    start, *bodies = sent
    assert start["status"] == 200
    assert (b"content-length", str(len(content)).encode()) in start["headers"]
    assert [len(m["body"]) for m in bodies] == [STREAM_CHUNK, STREAM_CHUNK, 10, 0]
    assert b"".join(m["body"] for m in bodies) == content


