"""Hypothesis fuzzes raw requests into ``FilesHandler``.

Methods, paths (real routes with real, deleted, malformed and huge ids), query strings
(every parameter of both dialects, repeated, empty, huge, non-numeric), headers
(credentials, dialect, content types) and multipart bodies (well-formed and broken,
odd filenames, extra fields, empty and oversized files). Whatever arrives:

- the handler returns an ``HTTPResponse`` and never raises, and never answers 500;
- every error carries the envelope, a ``request-id`` header equal to the body's
  ``request_id``, shaped ``req_01`` + 22 base58 characters;
- a rejected request leaves the service's files, contents and ``storage_used`` as they were.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import event, given
from hypothesis import strategies as st

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.ids import REQUEST_ID_RE
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest
from pytest_claude_files.errors import STATUS_TO_ERROR_TYPE, NotFoundError
from pytest_claude_files.models import BETA_HEADER_VALUE

GOOD_KEY = "sk-ant-good"
MAX_FILE_SIZE = 4096
QUOTA = 64 * 1024
HUGE = "9" * 100_000
START = datetime(2025, 4, 15, 18, 0, tzinfo=timezone.utc)
N_SEEDED = 5
UNKNOWN_ID = "file_011CNha8iCJcU1wXNR6q4V8w"
BOUNDARY = "fuzzboundary7MA4YWxkTrZu0gW"

# -- strategies ----------------------------------------------------------------------------
short_text = st.text(max_size=12)
odd_text = st.one_of(
    short_text,
    st.sampled_from(["", " ", "%", "%00", "%ZZ", "%ED%A0%80", "\x00", "\ufffd", "é", "../..", "a/b", HUGE]),
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=2),  # lone surrogates
)
# Ids are drawn as an index into the seeded files (+ the deleted one) or as odd text.
file_ref = st.one_of(st.integers(0, N_SEEDED), st.just(UNKNOWN_ID), odd_text)
REAL_METHODS = ["GET"] * 5 + ["POST"] * 3 + ["DELETE"] * 2 + ["PUT", "HEAD", "ODD"]
methods = st.sampled_from(REAL_METHODS).flatmap(lambda m: short_text if m == "ODD" else st.just(m))
paths = st.sampled_from(
    ["list", "list", "list", "file", "file", "content", "content", "other", "odd"]
).flatmap(
    lambda kind: {
        "list": st.sampled_from(["/v1/files", "/v1/files/"]),
        "file": st.tuples(st.just("/v1/files/{}"), file_ref),
        "content": st.tuples(st.just("/v1/files/{}/content"), file_ref),
        "other": st.one_of(
            st.tuples(st.just("/v1/files/{}/other"), file_ref),
            st.sampled_from(
                ["/", "", "/v1", "/v1/files//content", "/v2/files", "/v1/messages", "//v1/files"]
            ),
        ),
        "odd": odd_text,
    }[kind]
)
number = st.one_of(
    st.integers(-10, 1100).map(str), st.sampled_from(["", "ten", "1.5", "+5", " 7 ", "²", HUGE])
)
cursor = st.one_of(file_ref, st.just("page_"), st.just("page_!!"), st.just("token"))
query_pair = st.one_of(
    st.tuples(st.just("limit"), number),
    st.tuples(st.sampled_from(["before_id", "after_id", "page"]), cursor),
    st.tuples(st.sampled_from(["ids", "ids[]"]), file_ref),
    st.tuples(st.just("scope_id"), st.one_of(st.just("sesn_1"), odd_text)),
    st.tuples(st.just("beta"), st.sampled_from(["true", "false", ""])),
    st.tuples(short_text, short_text),
)
queries = st.sampled_from(["pairs"] * 6 + ["odd", "many-ids"]).flatmap(
    lambda kind: {
        "pairs": st.lists(query_pair, max_size=5),
        "odd": odd_text,
        "many-ids": st.just([("ids[]", 0)] * 150),
    }[kind]
)
keys = st.sampled_from([GOOD_KEY] * 8 + ["sk-wrong", "", None])
betas = st.sampled_from([None, BETA_HEADER_VALUE, f"other, {BETA_HEADER_VALUE}", "other", ""])
filenames = st.one_of(
    st.none(),
    st.sampled_from(["a.txt", "x.pdf", "dir/a.png", "", "dir/", "a<b", 'a\\"b', "n" * 256, HUGE, "%22.txt"]),
    short_text,
)
part_types = st.one_of(
    st.none(),
    st.sampled_from(["text/plain", "application/octet-stream", "image/png", "", "x" * 300, "; a=b"]),
    short_text,
)
contents = st.one_of(st.binary(max_size=64), st.sampled_from([b"", b"x" * (MAX_FILE_SIZE + 1), b"y" * 5000]))


@st.composite
def multipart_parts(draw: Any) -> list[tuple[str, Any, Any, bytes]]:
    """(field name, filename, content type, data) parts; mostly one file part."""
    parts = [("file", draw(filenames), draw(part_types), draw(contents))]
    extra = draw(
        st.lists(
            st.tuples(
                st.one_of(st.sampled_from(["file", "expires_in_seconds", "purpose"]), short_text),
                st.none(),
                st.none(),
                st.one_of(number.map(str.encode), st.binary(max_size=8)),
            ),
            max_size=2,
        )
    )
    order = draw(st.sampled_from(["file-first", "file-last", "no-file"]))
    if order == "no-file":
        return extra
    return parts + extra if order == "file-first" else extra + parts


def encode_multipart(parts: list[tuple[str, Any, Any, bytes]], boundary: str) -> bytes:
    out = bytearray()
    for name, filename, ctype, data in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"Content-Disposition: {disposition}\r\n".encode("utf-8", "surrogateescape")
        if ctype is not None:
            out += f"Content-Type: {ctype}\r\n".encode("utf-8", "surrogateescape")
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


bodies = st.sampled_from(["multipart"] * 5 + ["truncated", "raw", "empty"]).flatmap(
    lambda kind: {
        "multipart": multipart_parts().map(lambda parts: ("multipart", encode_multipart(parts, BOUNDARY))),
        "truncated": multipart_parts().map(
            lambda parts: ("truncated", encode_multipart(parts, BOUNDARY)[:-8])
        ),
        "raw": st.binary(max_size=64).map(lambda b: ("raw", b)),
        "empty": st.just(("empty", b"")),
    }[kind]
)
GOOD_CTYPE = f"multipart/form-data; boundary={BOUNDARY}"
content_types = st.sampled_from(
    [GOOD_CTYPE] * 6
    + [
        f'multipart/form-data; boundary="{BOUNDARY}"',
        None,
        "multipart/form-data",
        "application/json",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=" + "b" * 300,
        "multipart/form-data; boundary=é",
        "ODD",
    ]
).flatmap(lambda c: short_text if c == "ODD" else st.just(c))
junk_header = st.tuples(
    st.sampled_from(
        ["x-api-key", "authorization", "anthropic-beta", "content-type", "x-junk", "x-junk", "x-junk"]
    ),
    odd_text,
)
extra_headers = st.sampled_from([0, 0, 0, 1, 2]).flatmap(
    lambda n: st.lists(junk_header, min_size=n, max_size=n)
)


# -- the fake under fuzz -----------------------------------------------------------------
def make_fake() -> tuple[FakeFiles, list[str]]:
    fake = FakeFiles(
        clock=FakeClock(START, frozen=True),
        api_keys=frozenset({GOOD_KEY}),
        max_file_size=MAX_FILE_SIZE,
        storage_quota=QUOTA,
    )
    ids = [
        fake.add_file("plain.txt", b"plain").id,
        fake.add_file("made.csv", b"a,b", downloadable=True).id,
        fake.add_file("scoped.md", b"# s", scope_id="sesn_1").id,
        fake.add_file("soon.bin", b"\x00\x01", downloadable=True, expires_at=START + timedelta(days=1)).id,
        fake.add_file("past.bin", b"old", downloadable=True, expires_at=START - timedelta(seconds=1)).id,
    ]
    gone = fake.add_file("gone.txt", b"gone")
    fake.delete(gone.id)
    return fake, [*ids, gone.id]


def snapshot(fake: FakeFiles) -> tuple[Any, ...]:
    """Everything a test can observe of the service's state."""

    def content(file_id: str) -> bytes | None:
        try:
            return fake.content(file_id)
        except NotFoundError:  # expired
            return None

    files = fake.files
    return [f.model_dump() for f in files], {f.id: content(f.id) for f in files}, fake.storage_used


def resolve(ref: Any, ids: list[str]) -> str:
    return ids[ref] if isinstance(ref, int) else str(ref)


def build_request(draw: Any, ids: list[str]) -> HTTPRequest:
    method = draw(methods)
    path = draw(paths)
    if isinstance(path, tuple):
        template, ref = path
        path = template.format(quote(resolve(ref, ids), safe="", errors="surrogatepass"))
    query = draw(queries)
    if isinstance(query, list):
        query = urlencode([(k, resolve(v, ids)) for k, v in query], errors="surrogatepass")
    headers: list[tuple[str, str]] = []
    key = draw(keys)
    if key is not None:
        header = draw(st.sampled_from(["x-api-key", "authorization"]))
        headers.append((header, key if header == "x-api-key" else f"Bearer {key}"))
    beta = draw(betas)
    if beta is not None:
        headers.append(("anthropic-beta", beta))
    kind, body = draw(bodies) if method == "POST" or draw(st.booleans()) else ("empty", b"")
    ctype = draw(content_types) if kind != "empty" or draw(st.booleans()) else None
    if ctype is not None:
        headers.append(("content-type", ctype))
    headers += draw(extra_headers)
    return HTTPRequest.build(method, path, query, headers, body)


def check_error(response: Any) -> None:
    body = response.json()
    assert set(body) == {"type", "error", "request_id"}, body
    assert body["type"] == "error"
    error = body["error"]
    assert set(error) <= {"type", "message", "details"}
    assert error["type"] == STATUS_TO_ERROR_TYPE[response.status]
    assert isinstance(error["message"], str) and error["message"]
    if "details" in error:
        assert isinstance(error["details"]["error_code"], str)
    assert REQUEST_ID_RE.match(body["request_id"])
    assert response.header("request-id") == body["request_id"]
    assert response.header("content-type") == "application/json"


@given(st.data())
def test_handler_survives_any_request(data: st.DataObject) -> None:
    fake, ids = make_fake()
    handler = FilesHandler(fake)
    request = build_request(data.draw, ids)
    before = snapshot(fake)

    response = handler(request)

    event(f"{request.method[:8]!a} -> {response.status}")  # see --hypothesis-show-statistics
    if response.status >= 400:
        event(f"error: {response.json()['error']['message'][:24]!a}")
    assert response.status != 500
    assert response.status in (200, 400, 401, 404, 413), response.status
    assert REQUEST_ID_RE.match(response.header("request-id") or "")
    if response.status >= 400:
        check_error(response)
        assert snapshot(fake) == before, f"{request.method} {request.path} changed the state"
    elif response.header("content-type") == "application/json":
        json.loads(bytes(response.body))


@given(st.data())
def test_rejected_uploads_change_nothing(data: st.DataObject) -> None:
    """Uploads only, authorised and well-framed, to reach the service's own rules."""
    fake, _ids = make_fake()
    parts = data.draw(multipart_parts())
    beta = data.draw(st.sampled_from([None, BETA_HEADER_VALUE]))
    headers = [("x-api-key", GOOD_KEY), ("content-type", f"multipart/form-data; boundary={BOUNDARY}")]
    if beta:
        headers.append(("anthropic-beta", beta))
    before = snapshot(fake)

    response = FilesHandler(fake)(
        HTTPRequest.build("POST", "/v1/files", "", headers, encode_multipart(parts, BOUNDARY))
    )

    assert response.status in (200, 400, 413), response.status
    event(f"upload -> {response.status}")
    if response.status == 200:
        meta = response.json()
        assert meta["id"] in fake and len(fake) == N_SEEDED + 1
        assert fake.storage_used == before[2] + meta["size_bytes"]
        assert ("expires_at" in meta) == (beta is None)
    else:
        check_error(response)
        assert snapshot(fake) == before
