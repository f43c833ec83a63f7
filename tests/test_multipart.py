"""The multipart/form-data parser: what httpx/httpx2 send, and what they never would."""

from __future__ import annotations

import pytest

from pytest_claude_files._http.multipart import boundary_of, parse_header_params, parse_multipart
from pytest_claude_files._sdk.client import sdk_http_library
from pytest_claude_files.errors import InvalidRequestError


def encoded_by_the_sdk_library(files: dict, data: dict | None = None) -> tuple[str, bytes]:
    """A body as the installed SDK's HTTP library (httpx or httpx2) encodes it."""
    lib = sdk_http_library()
    request = lib.Request("POST", "https://api.anthropic.com/v1/files", files=files, data=data)
    return request.headers["content-type"], request.read()


def test_parses_what_the_http_library_sends() -> None:
    ctype, body = encoded_by_the_sdk_library(
        {"file": ("dir/a b.txt", b"hello\r\n--not-a-boundary", "text/plain")}, {"expires_in_seconds": "3600"}
    )
    parts = {p.name: p for p in parse_multipart(ctype, body)}
    assert parts["file"].filename == "dir/a b.txt"  # the rule about path components is the service's
    assert parts["file"].content_type == "text/plain"
    assert bytes(parts["file"].data) == b"hello\r\n--not-a-boundary"
    assert bytes(parts["expires_in_seconds"].data) == b"3600"
    assert parts["expires_in_seconds"].filename is None


@pytest.mark.parametrize(
    ("sent", "arrives"),
    [('a"b', "a%22b"), ("a\\b", "a\\b"), ("t\tb", "t%09b"), ("e\x1bb", "e\x1bb"), ("%22", "%22"), ("é", "é")],
)
def test_filename_arrives_escaped_by_the_library(sent: str, arrives: str) -> None:
    ctype, body = encoded_by_the_sdk_library({"file": (sent, b"x", "text/plain")})
    assert parse_multipart(ctype, body)[0].filename == arrives


def test_parts_are_views_not_copies() -> None:
    ctype, body = encoded_by_the_sdk_library({"file": ("a.bin", b"\x00" * 1024, "application/octet-stream")})
    part = parse_multipart(ctype, body)[0]
    assert isinstance(part.data, memoryview) and part.data.obj is body


def test_empty_file_and_no_content_type() -> None:
    body = b'--B\r\nContent-Disposition: form-data; name="file"; filename="e.txt"\r\n\r\n\r\n--B--\r\n'
    part = parse_multipart("multipart/form-data; boundary=B", body)[0]
    assert bytes(part.data) == b"" and part.content_type is None


def test_rfc5987_filename_star_wins() -> None:
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="fallback.txt"; '
        b"filename*=UTF-8''r%C3%A9sum%C3%A9.txt\r\n\r\nx\r\n--B--\r\n"
    )
    assert parse_multipart("multipart/form-data; boundary=B", body)[0].filename == "résumé.txt"


def test_header_params() -> None:
    assert parse_header_params('form-data; name="file"; filename="a \\"q\\".txt"') == (
        "form-data",
        {"name": "file", "filename": 'a "q".txt'},
    )
    assert parse_header_params("Multipart/Form-Data; Boundary=xyz") == (
        "multipart/form-data",
        {"boundary": "xyz"},
    )
    assert boundary_of('multipart/form-data; boundary="quoted b"') == b"quoted b"


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        (None, b""),
        ("text/plain", b""),
        ("multipart/form-data", b""),
        ("multipart/form-data; boundary=" + "b" * 201, b""),
        ("multipart/form-data; boundary=é", b""),
        ("multipart/form-data; boundary=B", b"no boundary here"),
        ("multipart/form-data; boundary=B", b"--Bxx"),
        ("multipart/form-data; boundary=B", b'--B\r\nContent-Disposition: form-data; name="f"\r\n'),
        ("multipart/form-data; boundary=B", b'--B\r\nContent-Disposition: form-data; name="f"\r\n\r\ndata'),
        ("multipart/form-data; boundary=B", b"--B\r\nX-Other: 1\r\n\r\nx\r\n--B--"),
        ("multipart/form-data; boundary=B", b"--B\r\nContent-Disposition: attachment\r\n\r\nx\r\n--B--"),
        ("multipart/form-data; boundary=B", b"--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--"),
        ("multipart/form-data; boundary=B", b"--B\r\nbroken header\r\n\r\nx\r\n--B--"),
        (
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition: form-data; name="\xff"\r\n\r\nx\r\n--B--',
        ),
        (
            "multipart/form-data; boundary=B",
            b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename*=nope''%FF\r\n\r\nx\r\n--B--",
        ),
        (
            "multipart/form-data; boundary=B",
            b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename*=utf-8''%FF\r\n\r\nx\r\n--B--",
        ),
    ],
)
def test_malformed_bodies_are_400(ctype: str | None, body: bytes) -> None:
    with pytest.raises(InvalidRequestError):
        parse_multipart(ctype, body)


def test_closing_boundary_right_away_is_no_parts() -> None:
    assert parse_multipart("multipart/form-data; boundary=B", b"--B--\r\n") == []
