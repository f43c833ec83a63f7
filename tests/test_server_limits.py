"""Bounded requests: a huge query, 10,000 headers, a 100 MB body each get an envelope while
another client keeps being served; slow and stuck sockets are closed by the server's timeouts.

No wall-clock upper bounds: each client has a generous timeout instead, and the neighbour's
requests must all succeed while the hostile ones are answered.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Iterator

import anthropic
import pytest

from pytest_claude_files.server import ServerHandle, start_server

KEY = "sk-ant-limits"
VERSION = "anthropic-version: 2023-06-01\r\n"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server(read_timeout=1.0) as handle:
        yield handle


class Neighbour:
    """Another client listing its files in a loop while the test attacks the server."""

    def __init__(self, server: ServerHandle) -> None:
        self.client = anthropic.Anthropic(base_url=server.base_url, api_key="sk-neighbour", max_retries=0,
                                          timeout=30)
        server.files("sk-neighbour").reset()
        self.client.files.upload(file=("mine.txt", b"mine", "text/plain"))
        self.served = 0
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                assert len(self.client.files.list().data) == 1
                self.served += 1
            except BaseException as exc:
                self.errors.append(exc)
                return

    def __enter__(self) -> Neighbour:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)
        assert self.errors == [] and self.served > 0


def exchange(server: ServerHandle, head: bytes, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read one HTTP answer (status, headers, body)."""
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        try:
            sock.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before everything was sent
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"closed without an answer: {data!r}"
            data += chunk
        top, _, rest = data.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return int(lines[0].split()[1]), headers, rest


def assert_envelope(status: int, headers: dict[str, str], body: bytes, expected: set[int], kind: str) -> None:
    assert status in expected, (status, body[:200])
    assert headers["content-type"] == "application/json"
    envelope = json.loads(body)
    assert envelope["type"] == "error" and envelope["error"]["type"] == kind
    assert headers["request-id"] == envelope["request_id"]


@pytest.mark.parametrize("size", [100 * 1024, 1024 * 1024], ids=["100KB", "1MB"])
def test_a_huge_query_is_refused_with_an_envelope(server: ServerHandle, size: int) -> None:
    query = ("ids=a&" * (size // 6)).encode()
    with Neighbour(server):
        status, headers, body = exchange(
            server, b"GET /v1/files?" + query + b" HTTP/1.1\r\nHost: x\r\nx-api-key: " + KEY.encode()
            + b"\r\n\r\n")
    assert_envelope(status, headers, body, {414}, "invalid_request_error")


def test_many_ids_under_the_bound_cost_linear_time(server: ServerHandle) -> None:
    query = "&".join(["ids=file_011CNha8iCJcU1wXNR6q4V8w"] * 999)  # 36 KB, 999 parameters
    with Neighbour(server):
        status, headers, body = exchange(
            server,
            f"GET /v1/files?{query} HTTP/1.1\r\nHost: x\r\nx-api-key: {KEY}\r\n{VERSION}\r\n".encode())
    assert status == 200 and json.loads(body) == {"data": [], "next_page": None}
    too_many = "&".join(["limit=1"] * 1500)
    status, headers, body = exchange(
        server, f"GET /v1/files?{too_many} HTTP/1.1\r\nHost: x\r\nx-api-key: {KEY}\r\n{VERSION}\r\n".encode())
    assert_envelope(status, headers, body, {400}, "invalid_request_error")


@pytest.mark.parametrize("count, size", [(10_000, 8), (200, 8), (40, 4000)], ids=["10000", "200", "large"])
def test_too_many_or_too_large_headers_are_refused_with_an_envelope(
    server: ServerHandle, count: int, size: int
) -> None:
    extra = b"".join(b"x-h%d: %s\r\n" % (i, b"v" * size) for i in range(count))
    with Neighbour(server):
        status, headers, body = exchange(
            server, b"GET /v1/files HTTP/1.1\r\nHost: x\r\nx-api-key: " + KEY.encode() + b"\r\n"
            + extra + b"\r\n")
    assert_envelope(status, headers, body, {400}, "invalid_request_error")


def test_a_100mb_body_to_the_control_api_is_refused_before_it_is_read(server: ServerHandle) -> None:
    head = (b"POST /_claude_files/files HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n"
            b"x-api-key: " + KEY.encode() + b"\r\ncontent-length: %d\r\n\r\n" % (100 * 1024 * 1024))
    with Neighbour(server):
        status, headers, body = exchange(server, head, b'{"filename": "a.txt", "content": "' + b"a" * 65536)
    assert_envelope(status, headers, body, {413}, "request_too_large")
    assert len(server.files(KEY)) == 0


def test_a_body_over_the_largest_file_is_refused_before_it_is_read() -> None:
    with start_server(settings=None, api_keys=None) as small:
        small.app.tenants.settings = small.app.tenants.settings.__class__(max_file_size=1000)
        head = (b"POST /v1/files HTTP/1.1\r\nHost: x\r\ncontent-type: multipart/form-data; boundary=b\r\n"
                b"x-api-key: k\r\ntransfer-encoding: chunked\r\n\r\n")
        chunk = b"z" * (2 * 1024 * 1024)
        status, headers, body = exchange(small, head, b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert_envelope(status, headers, body, {413}, "request_too_large")


def test_slow_and_stuck_sockets_are_closed_by_the_server(server: ServerHandle) -> None:
    socks = []
    with Neighbour(server):
        for i in range(50):
            sock = socket.create_connection((server.host, server.port), timeout=30)
            if i % 3 == 1:
                sock.sendall(b"GET /v1/files HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            elif i % 3 == 2:
                sock.sendall(b"POST /v1/files HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
                             b"content-type: multipart/form-data; boundary=b\r\n"
                             b"content-length: 100\r\n\r\n--b")
            socks.append((i, sock))  # i % 3 == 0: connected, silent
        for i, sock in socks:
            data = b""
            while chunk := sock.recv(65536):  # returns b"" once the server closes it
                data += chunk
            if i % 3 == 2:  # a body that stopped: 408 with the envelope, then closed
                assert data.startswith(b"HTTP/1.1 408 ")
                assert b'"type":"invalid_request_error"' in data.replace(b" ", b"")
            else:
                assert data == b""
            sock.close()


def test_a_slowloris_dribble_does_not_keep_the_connection(server: ServerHandle) -> None:
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(b"GET /v1/files HTTP/1.1\r\n")
        closed = False
        for _ in range(100):  # one header byte every 0.1 s: more than the 1 s deadline in all
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sock.settimeout(0.1)
            try:
                if sock.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        assert closed
