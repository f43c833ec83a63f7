"""The HTTP layer with raw requests: what the SDK cannot send, hooks, the error envelope."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.ids import REQUEST_ID_RE
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http.handler import (
    FilesHandler,
    HTTPRequest,
    HTTPResponse,
    dialect_of,
    error_response,
    ratelimit_reset_value,
)
from pytest_claude_files._http.routes import ROUTE_TABLE, match, match_by_table
from pytest_claude_files.errors import (
    ECHO_LIMIT,
    STATUS_TO_ERROR_TYPE,
    FilesAPIError,
    NotFoundError,
    OverloadedError,
    RateLimitError,
    error_class_for,
    shown,
)
from pytest_claude_files.models import BETA_HEADER_VALUE, dump_json

KEY = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01"}
VERSION = {"anthropic-version": "2023-06-01"}
BETA = {**KEY, "anthropic-beta": BETA_HEADER_VALUE}
T0 = datetime(2025, 4, 15, 18, 37, 24, 100435, tzinfo=timezone.utc)


@pytest.fixture
def fake() -> FakeFiles:
    return FakeFiles(clock=FakeClock(T0, frozen=True))


@pytest.fixture
def handler(fake: FakeFiles) -> FilesHandler:
    return FilesHandler(fake)


def get(handler: FilesHandler, path: str, query: str = "", headers: Any = None) -> HTTPResponse:
    return handler(HTTPRequest.build("GET", path, query, KEY if headers is None else headers))


def upload_body(
    filename: str = "a.txt", ctype: str | None = "text/plain", data: bytes = b"abc", extra: str = ""
) -> tuple[dict[str, str], bytes]:
    head = f'--B\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
    if ctype:
        head += f"Content-Type: {ctype}\r\n"
    body = head.encode() + b"\r\n" + data + b"\r\n" + extra.encode() + b"--B--\r\n"
    return {"content-type": "multipart/form-data; boundary=B"}, body


def assert_error(response: HTTPResponse, status: int, code: str | None = None) -> dict:
    assert response.status == status
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == STATUS_TO_ERROR_TYPE[status]
    assert response.header("request-id") == body["request_id"] and REQUEST_ID_RE.match(body["request_id"])
    assert body["error"].get("details") == (None if code is None else {"error_code": code})
    return body


def test_ids_repeated_with_or_without_brackets(handler: FilesHandler, fake: FakeFiles) -> None:
    a, _b, c = fake.add_files(3)
    plain = get(handler, "/v1/files", f"ids={a.id}&ids={c.id}").json()
    brackets = get(handler, "/v1/files", f"ids%5B%5D={a.id}&ids%5B%5D={c.id}").json()
    assert [f["id"] for f in plain["data"]] == [f["id"] for f in brackets["data"]] == [c.id, a.id]
    assert plain["next_page"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/files"),
        ("GET", "/v1/files/{id}"),
        ("GET", "/v1/files/{id}/content"),
        ("DELETE", "/v1/files/{id}"),
    ],
)
def test_beta_true_is_accepted_everywhere(
    handler: FilesHandler, fake: FakeFiles, method: str, path: str
) -> None:
    made = fake.add_file("a.txt", b"abc", downloadable=True)
    response = handler(HTTPRequest.build(method, path.format(id=made.id), "beta=true", BETA))
    assert response.status == 200


def test_upload_with_beta_true(handler: FilesHandler) -> None:
    headers, body = upload_body()
    response = handler(HTTPRequest.build("POST", "/v1/files", "beta=true", {**BETA, **headers}, body))
    assert response.status == 200 and "expires_at" not in response.json()


def test_trailing_slash_and_percent_encoded_ids(handler: FilesHandler, fake: FakeFiles) -> None:
    made = fake.add_file("a.txt")
    assert get(handler, f"/v1/files/{made.id}/").status == 200
    assert get(handler, "/v1/files/").status == 200
    encoded = "".join(f"%{ord(ch):02X}" for ch in made.id)
    assert get(handler, f"/v1/files/{encoded}").json()["id"] == made.id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nope"),
        ("GET", "/v2/files"),
        ("PUT", "/v1/files"),
        ("POST", "/v1/files/x"),
        ("GET", "/v1/files/x/content/more"),
        ("PATCH", "/v1/files/x"),
        ("GET", "/"),
    ],
)
def test_unknown_route_is_404(handler: FilesHandler, method: str, path: str) -> None:
    body = assert_error(handler(HTTPRequest.build(method, path, "", KEY)), 404)
    assert body["error"]["message"] == f"Not found: {method} {path}"


def test_unknown_route_needs_credentials_first(handler: FilesHandler) -> None:
    assert_error(handler(HTTPRequest.build("GET", "/v1/nope", "", {})), 401)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": ""},
        {"x-api-key": "  "},
        {"authorization": "Bearer"},
        {"authorization": "Bearer  "},
        {"authorization": "Basic sk-test"},
        {"authorization": "sk-test"},
    ],
)
def test_missing_or_empty_credentials_are_401(handler: FilesHandler, headers: dict) -> None:
    assert_error(get(handler, "/v1/files", headers=headers), 401)


@pytest.mark.parametrize(
    "headers",
    [{"x-api-key": "k"}, {"authorization": "Bearer k"}, {"Authorization": "bearer k"}, {"X-Api-Key": "k"}],
)
def test_any_key_is_accepted_by_default(handler: FilesHandler, headers: dict) -> None:
    assert get(handler, "/v1/files", headers={**headers, **VERSION}).status == 200


def test_accepted_keys(fake: FakeFiles) -> None:
    fake.settings = type(fake.settings)(api_keys=frozenset({"good"}))
    handler = FilesHandler(fake)
    assert get(handler, "/v1/files", headers={"x-api-key": "good", **VERSION}).status == 200
    assert get(handler, "/v1/files", headers={"authorization": "Bearer good", **VERSION}).status == 200
    body = assert_error(get(handler, "/v1/files", headers={"x-api-key": "bad"}), 401)
    assert "bad" not in body["error"]["message"]  # never echo a key


@pytest.mark.parametrize(
    ("value", "dialect"),
    [
        (None, "ga"),
        ("", "ga"),
        (BETA_HEADER_VALUE, "beta"),
        (f"a-1,{BETA_HEADER_VALUE}", "beta"),
        (f" a , {BETA_HEADER_VALUE} ", "beta"),
        ("files-api-2025-04-15", "ga"),
        (BETA_HEADER_VALUE + "x", "ga"),
    ],
)
def test_dialect_of(value: str | None, dialect: str) -> None:
    assert dialect_of({} if value is None else {"anthropic-beta": value}) == dialect


def test_repeated_beta_headers_are_merged() -> None:
    request = HTTPRequest.build(
        "get", "/v1/files", b"a=1", [("Anthropic-Beta", "x"), ("anthropic-beta", BETA_HEADER_VALUE)]
    )
    assert request.method == "GET" and request.query == "a=1"
    assert request.headers["anthropic-beta"] == f"x, {BETA_HEADER_VALUE}"
    assert dialect_of(request.headers) == "beta"


def test_download_headers(handler: FilesHandler, fake: FakeFiles) -> None:
    made = fake.add_file("r\u00e9sum\u00e9 1.pdf", b"%PDF", downloadable=True)
    response = get(handler, f"/v1/files/{made.id}/content")
    assert bytes(response.body) == b"%PDF"
    assert response.header("Content-Type") == "application/pdf"
    assert response.header("content-disposition") == (
        "attachment; filename=\"r?sum? 1.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf"
    )
    plain = fake.add_file("plain.txt", b"x", downloadable=True)
    assert get(handler, f"/v1/files/{plain.id}/content").header("content-disposition") == (
        'attachment; filename="plain.txt"'
    )


def test_upload_part_rules(handler: FilesHandler, fake: FakeFiles) -> None:
    headers, body = upload_body(extra='--B\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nx\r\n')
    assert (
        "purpose"
        in assert_error(handler(HTTPRequest.build("POST", "/v1/files", "", {**KEY, **headers}, body)), 400)[
            "error"
        ]["message"]
    )
    two = upload_body(extra='--B\r\nContent-Disposition: form-data; name="file"; filename="b"\r\n\r\nx\r\n')
    assert_error(handler(HTTPRequest.build("POST", "/v1/files", "", {**KEY, **two[0]}, two[1])), 400)
    none = handler(
        HTTPRequest.build(
            "POST", "/v1/files", "", {**KEY, "content-type": "multipart/form-data; boundary=B"}, b"--B--\r\n"
        )
    )
    assert "file" in assert_error(none, 400)["error"]["message"]
    assert len(fake) == 0


@pytest.mark.parametrize(
    "ctype", [None, "application/json", "multipart/form-data", "multipart/form-data; boundary="]
)
def test_upload_needs_multipart(handler: FilesHandler, ctype: str | None) -> None:
    headers = {**KEY, **({"content-type": ctype} if ctype else {})}
    assert_error(handler(HTTPRequest.build("POST", "/v1/files", "", headers, b"{}")), 400)


@pytest.mark.parametrize("value", ["", "x", "1.5", "1e3", "²", "9" * 40])
def test_limit_must_be_an_integer(handler: FilesHandler, value: str) -> None:
    body = assert_error(get(handler, "/v1/files", f"limit={value}"), 400)
    assert body["error"]["message"].startswith("limit: ")


@pytest.mark.parametrize("param", ["before_id", "after_id"])
def test_ga_rejects_beta_cursors(handler: FilesHandler, param: str) -> None:
    assert param in assert_error(get(handler, "/v1/files", f"{param}=file_x"), 400)["error"]["message"]


@pytest.mark.parametrize("query", ["page=page_x", "ids=file_x", "ids%5B%5D=file_x"])
def test_beta_rejects_ga_parameters(handler: FilesHandler, query: str) -> None:
    assert_error(get(handler, "/v1/files", query, headers=BETA), 400)


def test_unknown_query_parameters_are_ignored(handler: FilesHandler) -> None:
    assert get(handler, "/v1/files", "foo=bar&beta=true").status == 200


def test_request_ids_are_fresh(handler: FilesHandler) -> None:
    ids = {get(handler, "/v1/files").header("request-id") for _ in range(50)}
    assert len(ids) == 50 and all(REQUEST_ID_RE.match(i or "") for i in ids)


def test_error_response_is_the_one_envelope() -> None:
    response = error_response(
        NotFoundError("gone", error_code="file_expired"), "req_011CQFYcrRp7mCHLDsAYT8Qt"
    )
    assert response.status == 404
    assert response.json() == {
        "type": "error",
        "error": {"type": "not_found_error", "message": "gone", "details": {"error_code": "file_expired"}},
        "request_id": "req_011CQFYcrRp7mCHLDsAYT8Qt",
    }
    assert response.headers[:2] == [
        ("content-type", "application/json"),
        ("request-id", "req_011CQFYcrRp7mCHLDsAYT8Qt"),
    ]
    fresh = error_response(RateLimitError("slow", headers={"retry-after": "3"}))
    assert REQUEST_ID_RE.match(fresh.json()["request_id"]) and fresh.header("Retry-After") == "3"


def test_error_classes() -> None:
    assert error_class_for(529) is OverloadedError and error_class_for("rate_limit_error") is RateLimitError
    teapot = error_class_for(418)
    assert (teapot.status, teapot.error_type) == (418, "invalid_request_error")
    assert error_class_for(503).error_type == "api_error"
    with pytest.raises(ValueError):
        error_class_for(200)
    with pytest.raises(ValueError):
        error_class_for("nope_error")
    assert repr(NotFoundError("x", error_code="c")) == "NotFoundError('x', error_code='c')"


def test_hooks_answer_instead_of_the_fake(handler: FilesHandler, fake: FakeFiles) -> None:
    seen: list[Any] = []

    def overloaded(request: HTTPRequest, operation: str | None) -> HTTPResponse | None:
        seen.append(operation)
        return error_response(OverloadedError("Overloaded")) if operation == "list" else None

    handler.hooks.append(overloaded)
    assert_error(get(handler, "/v1/files"), 529)
    made = fake.add_file("a.txt")
    assert get(handler, f"/v1/files/{made.id}").status == 200
    assert seen == ["list", "retrieve_metadata"]


def test_a_raising_hook_becomes_a_500_envelope(handler: FilesHandler) -> None:
    def broken(request: HTTPRequest, operation: str | None) -> None:
        raise RuntimeError("boom")

    handler.hooks.append(broken)
    body = assert_error(get(handler, "/v1/files"), 500)
    assert "boom" not in body["error"]["message"]


def test_echoed_values_are_cut(handler: FilesHandler) -> None:
    long_id = "f" * 10_000
    message = assert_error(get(handler, f"/v1/files/{long_id}"), 404)["error"]["message"]
    assert len(message) < ECHO_LIMIT + 40 and message == f"File `{shown(long_id)}` not found."


def test_lone_surrogates_are_escaped_not_fatal(handler: FilesHandler) -> None:
    response = get(handler, "/v1/\ud800")
    assert response.status == 404 and "\\ud800" in bytes(response.body).decode()


def test_rate_limit_headers_and_window(fake: FakeFiles) -> None:
    fake.settings = type(fake.settings)(rate_limit=2)
    handler = FilesHandler(fake)
    first = get(handler, "/v1/files")
    assert first.header("anthropic-ratelimit-requests-remaining") == "1"
    assert first.header("anthropic-ratelimit-requests-reset") == "2025-04-15T18:38:24Z"
    get(handler, "/v1/files")
    limited = get(handler, "/v1/files")
    assert_error(limited, 429)
    assert limited.header("retry-after") == "60"
    fake.clock.advance(seconds=60)
    assert get(handler, "/v1/files").status == 200
    assert ratelimit_reset_value(T0) == "2025-04-15T18:37:24Z"


def test_routes_table() -> None:
    assert {op for op, _, _ in ROUTE_TABLE} == {"upload", "list", "retrieve_metadata", "download", "delete"}
    assert match("GET", "/v1/files/file_1/content") == ("download", "file_1")
    assert match("DELETE", "/v1/files/file_1") == ("delete", "file_1")
    assert match("GET", "/v1/files") == ("list", None)
    assert match("HEAD", "/v1/files") == (None, None)


def test_files_api_error_defaults() -> None:
    error = FilesAPIError("x")
    assert (error.status, error.error_type, error.error_code, error.headers) == (500, "api_error", None, {})


ROUTE_PATHS = [
    "/v1/files", "/v1/files/", "/v1/files//", "/v1/files/x", "/v1/files/x/", "/v1/files/x//",
    "/v1/files/x/content", "/v1/files/x/content/", "/v1/files/x/content//", "/v1/files/content",
    "/v1/files/content/content", "/v1/files//content", "/v1/files/x/y", "/v1/files/x/y/content",
    "/v1/files\n", "/v1/files/\n", "/v1/files/x\n", "/v1/files/x/\n", "/v1/files/x/content\n",
    "/v1/files/x\n/content", "/v1/filesx", "/v1/file", "v1/files", "//v1/files", "/V1/files", "",
    "/", "/v1/files/ x ", "/v1/files/%2F",
]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PUT", "HEAD", "get"])
@pytest.mark.parametrize("path", ROUTE_PATHS)
def test_route_match_agrees_with_the_table(method: str, path: str) -> None:
    assert match(method, path) == match_by_table(method, path)


@given(
    st.sampled_from(["GET", "POST", "DELETE", "PATCH"]),
    st.lists(st.sampled_from(["", "v1", "files", "content", "x", "\n", "x\n", " "]), max_size=5),
    st.sampled_from(["", "/", "\n", "//"]),
)
def test_route_match_agrees_with_the_table_on_any_path(method: str, segments: list[str], end: str) -> None:
    for path in ("/" + "/".join(segments) + end, "/v1/files/" + "/".join(segments) + end):
        assert match(method, path) == match_by_table(method, path)


@pytest.mark.parametrize("headers", [KEY, BETA], ids=["ga", "beta"])
def test_bodies_are_the_json_of_the_models(
    handler: FilesHandler, fake: FakeFiles, headers: dict[str, str]
) -> None:
    """The handler serves each file's cached JSON; it must be the bytes of ``to_api``."""
    dialect = dialect_of(headers)
    files = fake.add_files(4)
    scoped = fake.add_file("ünï €.txt", b"x", scope_id="sesn_1", downloadable=True)
    files.append(scoped)
    response = get(handler, f"/v1/files/{scoped.id}", headers=headers)
    assert response.body == dump_json(scoped.to_api(dialect))
    assert [k for k, _ in response.headers] == ["content-type", "request-id"]
    newest_first = [m.to_api(dialect) for m in reversed(files)]
    if dialect == "beta":
        pages = {
            "limit=2": {"data": newest_first[:2], "has_more": True,
                        "first_id": files[-1].id, "last_id": files[-2].id},
            "limit=10": {"data": newest_first, "has_more": False,
                         "first_id": files[-1].id, "last_id": files[0].id},
            f"after_id={files[0].id}": {"data": [], "has_more": False, "first_id": None, "last_id": None},
        }
    else:
        pages = {
            "limit=2": {"data": newest_first[:2], "next_page": fake.list_ga(limit=2).next_page},
            "limit=10": {"data": newest_first, "next_page": None},
            f"ids={files[0].id}&ids[]={scoped.id}": {"data": [newest_first[0], newest_first[-1]],
                                                       "next_page": None},
        }
    for query, expected in pages.items():
        assert get(handler, "/v1/files", query, headers).body == dump_json(expected), query
    upload_headers, body = upload_body("ü.txt")
    uploaded = handler(HTTPRequest.build("POST", "/v1/files", "", {**headers, **upload_headers}, body))
    assert uploaded.body == dump_json(fake.get(uploaded.json()["id"]).to_api(dialect))


def test_no_rate_limit_headers_without_a_limit(handler: FilesHandler, fake: FakeFiles) -> None:
    made = fake.add_file("a.txt")
    for path in ("/v1/files", f"/v1/files/{made.id}"):
        response = get(handler, path)
        assert response.status == 200 and response.header("anthropic-ratelimit-requests-limit") is None


@pytest.mark.parametrize(
    ("method", "raw_path", "expected"),
    [
        ("GET", "/v1/files/%0A", ("retrieve_metadata", "\n")),  # an id of one newline
        ("GET", "/v1/files%0A", (None, None)),  # not the list route
        ("POST", "/v1/files%0A", (None, None)),  # not the upload route
        ("DELETE", "/v1/files/x%0A/content", (None, None)),
    ],
)
def test_a_trailing_newline_never_matches_another_route(
    handler: FilesHandler, method: str, raw_path: str, expected: tuple[Any, Any]
) -> None:
    # Found by schemathesis: with ``$`` in the route table, "/v1/files/\n" was served as a list.
    from urllib.parse import unquote

    assert match(method, unquote(raw_path)) == expected
    assert match_by_table(method, unquote(raw_path)) == expected
    response = handler(HTTPRequest.build(method, raw_path, "", {"x-api-key": "k", **VERSION}))
    assert response.status == 404
    assert response.json()["error"]["type"] == "not_found_error"
