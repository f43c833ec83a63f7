"""Every endpoint and every error case of FILES_API.md, through the official SDK.

Each test runs on {sync, async} clients x {``client.beta.files``, ``client.files``}
(the ``api`` fixture of conftest). On SDK <= 1.1 ``client.beta.files`` speaks the beta
dialect; from 1.2 on both surfaces speak GA. Results and exceptions are checked as the
SDK's own types; error bodies are checked against the envelope.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import pytest

from pytest_claude_files._core.files import MAX_EXPIRES_IN, MAX_IDS, MAX_LIMIT, MIN_EXPIRES_IN
from pytest_claude_files._core.ids import FILE_ID_RE, REQUEST_ID_RE
from pytest_claude_files._core.naming import MAX_FILENAME_CHARS, UNNAMED

from .conftest import FilesAPI, agents_header, sdk_at_least, sdk_error, sdk_has_coded_errors

NOW = datetime(2025, 4, 15, 18, 37, 24, 100435, tzinfo=timezone.utc)
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.claude_files(now=NOW, freeze_time=True, max_retries=0),
]
OMIT_CREDENTIALS = {"X-Api-Key": anthropic.Omit(), "Authorization": anthropic.Omit()}


def assert_envelope(exc: anthropic.APIStatusError, error_type: str, error_code: str | None = None) -> dict:
    """The error body is the API's envelope, its request id is the header's."""
    body = exc.response.json()
    assert set(body) == {"type", "error", "request_id"}
    assert body["type"] == "error"
    assert body["error"]["type"] == error_type
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if error_code is None:
        assert "details" not in body["error"]
    else:
        assert body["error"]["details"] == {"error_code": error_code}
    assert REQUEST_ID_RE.match(body["request_id"])
    assert exc.response.headers["request-id"] == body["request_id"] == exc.request_id
    if sdk_at_least(2):
        assert exc.error_code == error_code
    return body


def metadata_type(api: FilesAPI) -> type:
    from anthropic.types import FileMetadata
    from anthropic.types.beta import BetaFileMetadata

    return BetaFileMetadata if api.surface == "beta" else FileMetadata


# -- upload -------------------------------------------------------------------------------
async def test_upload_returns_the_sdk_metadata_type(api: FilesAPI, claude_files: Any) -> None:
    meta = await api.call("upload", file=("report.pdf", b"%PDF-1.4 hello", "application/pdf"))

    assert type(meta) is metadata_type(api)
    assert FILE_ID_RE.match(meta.id)
    assert meta.type == "file"
    assert meta.filename == "report.pdf"
    assert meta.mime_type == "application/pdf"
    assert meta.size_bytes == len(b"%PDF-1.4 hello")
    assert meta.created_at == NOW
    assert meta.downloadable is False
    assert claude_files.content(meta.id) == b"%PDF-1.4 hello"
    assert claude_files.storage_used == len(b"%PDF-1.4 hello")


async def test_metadata_json_by_dialect(api: FilesAPI, claude_files: Any) -> None:
    raw = await api.call_raw("upload", file=("a.txt", b"abc", "text/plain"))
    body = raw.http_response.json()
    keys = {"id", "type", "filename", "mime_type", "size_bytes", "created_at", "downloadable", "scope"}

    assert set(body) == (keys if api.dialect == "beta" else keys | {"expires_at"})
    assert body["created_at"] == "2025-04-15T18:37:24.100435Z"
    assert body["scope"] is None
    if api.dialect == "ga":
        assert body["expires_at"] is None
    assert REQUEST_ID_RE.match(raw.headers["request-id"])
    assert raw.headers["content-type"] == "application/json"
    sent = raw.http_request
    assert ("files-api-2025-04-14" in sent.headers.get("anthropic-beta", "")) == (api.dialect == "beta")


async def test_retrieve_metadata(api: FilesAPI, claude_files: Any) -> None:
    seeded = claude_files.add_file("notes.md", "# hi", scope_id="sesn_011")
    meta = await api.call("retrieve_metadata", seeded.id)

    assert type(meta) is metadata_type(api)
    assert (meta.id, meta.filename, meta.mime_type, meta.size_bytes) == (
        seeded.id,
        "notes.md",
        "text/markdown",
        4,
    )
    assert meta.created_at == NOW
    raw = await api.call_raw("retrieve_metadata", seeded.id)
    assert raw.http_response.json()["scope"] == {"id": "sesn_011", "type": "session"}
    assert claude_files.operations("retrieve_metadata")[-1].file_id == seeded.id


async def test_download_a_seeded_downloadable_file(api: FilesAPI, claude_files: Any) -> None:
    made = claude_files.add_file("chart.png", b"\x89PNG\r\n\x1a\n", downloadable=True)
    response = await api.call("download", made.id)

    assert await api.read(response) == b"\x89PNG\r\n\x1a\n"
    assert response.http_response.headers["content-type"] == "image/png"
    assert REQUEST_ID_RE.match(response.http_response.headers["request-id"])


async def test_delete(api: FilesAPI, claude_files: Any) -> None:
    from anthropic.types import DeletedFile
    from anthropic.types.beta import BetaDeletedFile

    meta = claude_files.add_file("a.txt", b"12345")
    deleted = await api.call("delete", meta.id)

    assert type(deleted) is (BetaDeletedFile if api.surface == "beta" else DeletedFile)
    assert (deleted.id, deleted.type) == (meta.id, "file_deleted")
    assert meta.id not in claude_files and claude_files.storage_used == 0
    with pytest.raises(anthropic.NotFoundError) as caught:
        await api.call("retrieve_metadata", meta.id)
    assert_envelope(caught.value, "not_found_error")
    with pytest.raises(anthropic.NotFoundError):
        await api.call("delete", meta.id)  # gone for good


async def test_list_page_shape_by_dialect(api: FilesAPI, claude_files: Any) -> None:
    seeded = claude_files.add_files(3)
    page = await api.page(limit=2)
    body = (await api.call_raw("list", limit=2)).http_response.json()

    assert [f.id for f in page.data] == [seeded[2].id, seeded[1].id]
    assert all(type(f) is metadata_type(api) for f in page.data)
    if api.dialect == "beta":
        assert set(body) == {"data", "has_more", "first_id", "last_id"}
        assert (page.has_more, page.first_id, page.last_id) == (True, seeded[2].id, seeded[1].id)
        assert "expires_at" not in body["data"][0]
    else:
        assert set(body) == {"data", "next_page"}
        assert page.next_page.startswith("page_")
        assert body["data"][0]["expires_at"] is None


async def test_empty_list(api: FilesAPI) -> None:
    body = (await api.call_raw("list")).http_response.json()
    if api.dialect == "beta":
        assert body == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    else:
        assert body == {"data": [], "next_page": None}
    assert await api.collect(api.resource.list()) == []


@pytest.mark.filterwarnings("ignore::pytest_claude_files.errors.ClaudeFilesMisuseWarning")
async def test_list_default_limit_is_20(api: FilesAPI, claude_files: Any) -> None:
    claude_files.add_files(25)
    page = await api.page()
    assert len(page.data) == 20
    # one page of the default size, and the next never asked for: that is a misuse notice
    assert claude_files.finish() == []  # (warns, but does not fail the test under "warn")
    assert [w.code for w in claude_files.warnings] == ["unfinished-listing"]


@pytest.mark.parametrize("limit", [1, MAX_LIMIT])
async def test_list_limit_bounds_are_accepted(api: FilesAPI, claude_files: Any, limit: int) -> None:
    claude_files.add_files(2)
    page = await api.page(limit=limit)
    assert len(page.data) == min(limit, 2)


@pytest.mark.parametrize("limit", [0, -5, MAX_LIMIT + 1])
async def test_list_limit_out_of_range_is_400(api: FilesAPI, limit: int) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(limit=limit)
    assert caught.value.status_code == 400
    assert "limit" in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]


async def test_list_limit_not_a_number_is_400(api: FilesAPI) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_query={"limit": "ten"})
    assert_envelope(caught.value, "invalid_request_error")


async def test_scope_filter(api: FilesAPI, claude_files: Any) -> None:
    claude_files.add_file("other.txt", "x")
    mine = [claude_files.add_file(f"s{i}.txt", "x", scope_id="sesn_A") for i in range(3)]
    agents = agents_header(api.dialect)  # scope_id is a Managed Agents beta feature
    page = await api.page(extra_query={"scope_id": "sesn_A"}, limit=2, extra_headers=agents)
    listed = await api.collect(api.resource.list(extra_query={"scope_id": "sesn_A"}, limit=2,
                                                 extra_headers=agents))

    assert [f.id for f in page.data] == [mine[2].id, mine[1].id]
    assert [f.id for f in listed] == [m.id for m in reversed(mine)]


# -- download errors and expiry ------------------------------------------------------------
async def test_download_of_an_uploaded_file_is_not_downloadable(api: FilesAPI) -> None:
    meta = await api.call("upload", file=("a.txt", b"abc", "text/plain"))
    specific = sdk_error("FileNotDownloadableError")
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call("download", meta.id)

    assert caught.value.status_code == 400
    assert_envelope(caught.value, "invalid_request_error", "file_not_downloadable")
    if sdk_has_coded_errors():
        assert isinstance(caught.value, specific)


async def test_download_after_expiry_is_404_file_expired(api: FilesAPI, claude_files: Any) -> None:
    made = claude_files.add_file("out.csv", "a,b", downloadable=True, expires_at=NOW + timedelta(hours=1))
    assert await api.read(await api.call("download", made.id)) == b"a,b"

    claude_files.clock.advance(hours=1)
    specific = sdk_error("FileExpiredError")
    with pytest.raises(anthropic.NotFoundError) as caught:
        await api.call("download", made.id)

    assert_envelope(caught.value, "not_found_error", "file_expired")
    if sdk_has_coded_errors():
        assert isinstance(caught.value, specific)
    assert claude_files.storage_used == 0  # the bytes are gone, the metadata stays
    assert (await api.call("retrieve_metadata", made.id)).id == made.id


@pytest.mark.parametrize("operation", ["retrieve_metadata", "download", "delete"])
async def test_unknown_file_id_is_404(api: FilesAPI, operation: str) -> None:
    missing = "file_011CNha8iCJcU1wXNR6q4V8w"
    with pytest.raises(anthropic.NotFoundError) as caught:
        await api.call(operation, missing)
    body = assert_envelope(caught.value, "not_found_error")
    assert body["error"]["message"] == f"File `{missing}` not found."


async def test_unknown_file_id_of_another_shape_is_404(api: FilesAPI) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        await api.call("retrieve_metadata", "not-an-id")
    assert_envelope(caught.value, "not_found_error")


# -- expires_in_seconds ------------------------------------------------------------------
@pytest.mark.parametrize("seconds", [MIN_EXPIRES_IN, MAX_EXPIRES_IN])
async def test_expires_in_seconds_sets_expires_at(api: FilesAPI, seconds: int) -> None:
    upload = {"file": ("a.txt", b"abc", "text/plain"), "extra_body": {"expires_in_seconds": seconds}}
    if api.dialect == "beta":
        with pytest.raises(anthropic.BadRequestError) as caught:
            await api.call("upload", **upload)
        assert (
            "expires_in_seconds" in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]
        )
        return
    raw = await api.call_raw("upload", **upload)
    assert raw.http_response.json()["expires_at"] == (NOW + timedelta(seconds=seconds)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )


@pytest.mark.parametrize("seconds", [MIN_EXPIRES_IN - 1, MAX_EXPIRES_IN + 1, 0, -1, "soon"])
async def test_expires_in_seconds_out_of_range_is_400(api: FilesAPI, claude_files: Any, seconds: Any) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call(
            "upload", file=("a.txt", b"abc", "text/plain"), extra_body={"expires_in_seconds": seconds}
        )
    assert "expires_in_seconds" in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]
    assert len(claude_files) == 0


async def test_an_uploaded_expiring_file_expires(sdk_client: Any, claude_files: Any) -> None:
    from .conftest import FilesAPI as _API  # GA surface: the only one with expires_in_seconds

    api = _API(sdk_client, "ga", isinstance(sdk_client, anthropic.AsyncAnthropic))
    meta = await api.call("upload", file=("a.txt", b"abc", "text/plain"), expires_in_seconds=3600)
    assert meta.expires_at == NOW + timedelta(seconds=3600)
    claude_files.clock.advance(seconds=3600)
    with pytest.raises(anthropic.NotFoundError) as caught:
        await api.call("download", meta.id)
    assert_envelope(caught.value, "not_found_error", "file_expired")


# -- filenames and mime types ------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("dir/sub/report.txt", "report.txt"),  # only the final path component is kept
        ("x" * MAX_FILENAME_CHARS, "x" * MAX_FILENAME_CHARS),
        ("résumé 2025.txt", "résumé 2025.txt"),
        ('say "hi".txt', "say %22hi%22.txt"),  # httpx escapes `"`; kept as received (decision)
        ("tab\there.txt", "tab%09here.txt"),  # control characters other than ESC arrive as %XX
    ],
)
async def test_filename_kept(api: FilesAPI, sent: str, stored: str) -> None:
    meta = await api.call("upload", file=(sent, b"x", "text/plain"))
    assert meta.filename == stored


@pytest.mark.parametrize(
    "sent",
    [
        "x" * (MAX_FILENAME_CHARS + 1),
        "dir/",
        "a<b.txt",
        "a>b.txt",
        "a:b.txt",
        "a|b.txt",
        "a?b.txt",
        "a*b.txt",
        "a\\b.txt",
        "esc\x1b.txt",
    ],
)
async def test_filename_rejected(api: FilesAPI, claude_files: Any, sent: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call("upload", file=(sent, b"x", "text/plain"))
    assert "filename" in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]
    assert len(claude_files) == 0 and claude_files.storage_used == 0


@pytest.mark.parametrize(
    ("content_type", "stored"),
    [
        ("text/plain", "unnamed.txt"),
        ("application/pdf", "unnamed.pdf"),
        ("application/octet-stream", "unnamed"),
        ("application/x-unknown-thing", "unnamed"),
    ],
)
async def test_absent_filename(api: FilesAPI, content_type: str, stored: str) -> None:
    if api.dialect == "beta":
        with pytest.raises(anthropic.BadRequestError) as caught:
            await api.call("upload", file=(None, b"x", content_type))
        assert_envelope(caught.value, "invalid_request_error")
        return
    meta = await api.call("upload", file=(None, b"x", content_type))
    assert meta.filename == stored
    assert meta.filename.startswith(UNNAMED)


@pytest.mark.parametrize(
    ("filename", "content_type", "mime"),
    [
        ("photo.txt", "image/png", "image/png"),  # the part's Content-Type wins
        ("report.pdf", "application/octet-stream", "application/octet-stream"),  # as sent
        ("IMAGE.JPEG", "application/octet-stream", "application/octet-stream"),
        ("a.webp", "application/octet-stream", "application/octet-stream"),
        ("blob.zzunknown", "application/octet-stream", "application/octet-stream"),
        ("noext", "application/octet-stream", "application/octet-stream"),
    ],
)
@pytest.mark.filterwarnings("ignore::pytest_claude_files.errors.ClaudeFilesMisuseWarning")
async def test_mime_type_as_sent(api: FilesAPI, filename: str, content_type: str, mime: str) -> None:
    meta = await api.call("upload", file=(filename, b"x", content_type))
    assert meta.mime_type == mime


async def test_file_part_without_content_type(api: FilesAPI) -> None:
    # (filename, content, None): neither the SDK nor httpx adds a Content-Type.
    if api.dialect == "beta":
        with pytest.raises(anthropic.BadRequestError) as caught:
            await api.call("upload", file=(None, b"x", None))
        assert_envelope(caught.value, "invalid_request_error")
    else:
        meta = await api.call("upload", file=(None, b"x", None))
        assert (meta.filename, meta.mime_type) == ("unnamed", "application/octet-stream")


async def test_upload_from_a_path_and_from_bare_bytes(api: FilesAPI, tmp_path: Any) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    from_path = await api.call("upload", file=path)
    assert (from_path.filename, from_path.mime_type, from_path.size_bytes) == (
        "report.pdf",
        "application/pdf",
        8,
    )
    with path.open("rb") as handle:
        assert (await api.call("upload", file=handle)).filename == "report.pdf"

    bare = await api.call("upload", file=b"raw bytes")
    # SDK 2.x sends no filename for bare bytes (GA: `unnamed`); older SDKs let httpx name it.
    assert bare.filename == (UNNAMED if sdk_has_coded_errors() else "upload")
    assert bare.mime_type == "application/octet-stream"


async def test_upload_of_an_empty_file(api: FilesAPI) -> None:
    meta = await api.call("upload", file=("empty.txt", b"", "text/plain"))
    assert meta.size_bytes == 0


# -- limits -------------------------------------------------------------------------------
@pytest.mark.claude_files(storage_quota=10)
async def test_storage_quota_exceeded(api: FilesAPI, claude_files: Any) -> None:
    first = await api.call("upload", file=("a.txt", b"123456", "text/plain"))
    specific = sdk_error("StorageQuotaExceededError")
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call("upload", file=("b.txt", b"12345", "text/plain"))

    assert_envelope(caught.value, "invalid_request_error", "storage_quota_exceeded")
    if sdk_has_coded_errors():
        assert isinstance(caught.value, specific)
    assert [f.id for f in claude_files.files] == [first.id] and claude_files.storage_used == 6
    await api.call("delete", first.id)  # deleting frees the space
    assert (await api.call("upload", file=("b.txt", b"1234567890", "text/plain"))).size_bytes == 10


@pytest.mark.claude_files(max_file_size=8)
async def test_file_over_the_size_limit_is_413(api: FilesAPI, claude_files: Any) -> None:
    assert (await api.call("upload", file=("a.txt", b"12345678", "text/plain"))).size_bytes == 8
    with pytest.raises(anthropic.APIStatusError) as caught:
        await api.call("upload", file=("b.txt", b"123456789", "text/plain"))

    assert caught.value.status_code == 413
    assert isinstance(caught.value, anthropic.RequestTooLargeError)
    assert_envelope(caught.value, "request_too_large")
    assert len(claude_files) == 1


@pytest.mark.claude_files(rate_limit=2)
async def test_rate_limit_is_429_with_headers(api: FilesAPI) -> None:
    ok = await api.call_raw("list")
    assert ok.headers["anthropic-ratelimit-requests-limit"] == "2"
    assert ok.headers["anthropic-ratelimit-requests-remaining"] == "1"
    await api.call("list")
    with pytest.raises(anthropic.RateLimitError) as caught:
        await api.call("list")

    assert_envelope(caught.value, "rate_limit_error")
    headers = caught.value.response.headers
    assert headers["retry-after"] == "60"  # the frozen clock: the whole window is left
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert headers["anthropic-ratelimit-requests-reset"] == "2025-04-15T18:38:24Z"  # RFC 3339


@pytest.mark.claude_files(rate_limit=1)
async def test_rate_limit_window_moves_with_the_clock(api: FilesAPI, claude_files: Any) -> None:
    await api.call("list")
    claude_files.clock.advance(seconds=59)
    with pytest.raises(anthropic.RateLimitError) as caught:
        await api.call("list")
    assert caught.value.response.headers["retry-after"] == "1"
    claude_files.clock.advance(seconds=1)
    assert (await api.call_raw("list")).headers["anthropic-ratelimit-requests-remaining"] == "0"


# -- GA list: ids and cursors ----------------------------------------------------------------
def _ga(api: FilesAPI) -> FilesAPI:
    return FilesAPI(api.client, "ga", api.is_async)


async def test_ids_returns_one_page_newest_first(api: FilesAPI, claude_files: Any) -> None:
    api = _ga(api)
    files = claude_files.add_files(5)
    gone = files[1]
    claude_files.delete(gone.id)
    wanted = [files[0].id, files[3].id, gone.id, "file_011CNha8iCJcU1wXNR6q4V8w", files[3].id]
    page = await api.page(extra_query={"ids": wanted})

    assert [f.id for f in page.data] == [files[3].id, files[0].id]  # missing/deleted omitted
    assert page.next_page is None


async def test_ids_through_the_sdk_argument(api: FilesAPI, claude_files: Any) -> None:
    api = _ga(api)
    files = claude_files.add_files(3)
    page = await api.page(ids=[files[0].id, files[2].id])
    assert [f.id for f in page.data] == [files[2].id, files[0].id]
    sent = (await api.call_raw("list", ids=[files[0].id])).http_request.url.query
    assert sent == f"ids%5B%5D={files[0].id}".encode()  # the SDK sends ids[]=...


async def test_ids_at_most_100_distinct(api: FilesAPI, claude_files: Any) -> None:
    api = _ga(api)
    files = claude_files.add_files(MAX_IDS + 1)
    ids = [f.id for f in files]
    full = await api.page(extra_query={"ids": ids[:MAX_IDS] + ids[:3]})  # duplicates count once
    assert len(full.data) == MAX_IDS

    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_query={"ids": ids})
    assert "ids" in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]


@pytest.mark.parametrize("other", [{"limit": 5}, {"page": "page_x"}])
async def test_ids_exclusive_with_page_and_limit(api: FilesAPI, claude_files: Any, other: dict) -> None:
    api = _ga(api)
    meta = claude_files.add_file("a.txt", "x")
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_query={"ids": [meta.id], **other})
    assert_envelope(caught.value, "invalid_request_error")


@pytest.mark.parametrize("cursor", ["before_id", "after_id"])
async def test_ga_dialect_rejects_beta_cursors(api: FilesAPI, claude_files: Any, cursor: str) -> None:
    api = _ga(api)
    meta = claude_files.add_file("a.txt", "x")
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_query={cursor: meta.id})
    assert cursor in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]


@pytest.mark.parametrize("token", ["garbage", "page_", "page_!!!", "page_Zm9v"])
async def test_malformed_page_token_is_400(api: FilesAPI, token: str) -> None:
    api = _ga(api)
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(page=token)
    assert "page" in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]


# -- beta list cursors ------------------------------------------------------------------------
# Sent with the beta header on every surface, so every SDK generation reaches the beta dialect.
BETA_HEADERS = {"anthropic-beta": "files-api-2025-04-14"}


@pytest.mark.parametrize("cursor", ["before_id", "after_id"])
async def test_malformed_beta_cursor_is_400(api: FilesAPI, cursor: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_headers=BETA_HEADERS, extra_query={cursor: "not-a-file-id"})
    assert cursor in assert_envelope(caught.value, "invalid_request_error")["error"]["message"]


async def test_beta_cursors_are_exclusive(api: FilesAPI, claude_files: Any) -> None:
    a, b = claude_files.add_files(2)
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_headers=BETA_HEADERS, extra_query={"before_id": a.id, "after_id": b.id})
    assert_envelope(caught.value, "invalid_request_error")


async def test_beta_cursors_through_the_sdk_arguments(api: FilesAPI, claude_files: Any) -> None:
    if api.dialect != "beta":
        pytest.skip("only SDK <= 1.1 beta surfaces take before_id/after_id arguments")
    files = claude_files.add_files(5)
    page = await api.page(after_id=files[3].id, limit=2)
    assert [f.id for f in page.data] == [files[2].id, files[1].id] and page.has_more
    page = await api.page(before_id=files[1].id, limit=2)
    assert [f.id for f in page.data] == [files[3].id, files[2].id] and page.has_more


@pytest.mark.parametrize("param", [{"page": "page_x"}, {"ids": ["file_011CNha8iCJcU1wXNR6q4V8w"]}])
async def test_beta_dialect_rejects_ga_parameters(api: FilesAPI, param: dict) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_headers=BETA_HEADERS, extra_query=param)
    assert_envelope(caught.value, "invalid_request_error")


# -- credentials, routes, ?beta=true ------------------------------------------------------------
@pytest.mark.claude_files(api_keys=["sk-good"], api_key="sk-wrong")
async def test_wrong_key_is_401(api: FilesAPI, claude_files: Any) -> None:
    with pytest.raises(anthropic.AuthenticationError) as caught:
        await api.call("upload", file=("a.txt", b"x", "text/plain"))
    assert caught.value.status_code == 401
    assert_envelope(caught.value, "authentication_error")
    assert len(claude_files) == 0


@pytest.mark.claude_files(api_keys=["sk-good", "sk-other"], api_key="sk-other")
async def test_an_accepted_key_is_served(api: FilesAPI) -> None:
    assert (await api.call("upload", file=("a.txt", b"x", "text/plain"))).size_bytes == 1


async def test_missing_key_is_401(api: FilesAPI, claude_files: Any) -> None:
    with pytest.raises(anthropic.AuthenticationError) as caught:
        await api.call("list", extra_headers=OMIT_CREDENTIALS)
    assert_envelope(caught.value, "authentication_error")


@pytest.mark.claude_files(api_keys=["sk-token"])
async def test_bearer_token_is_accepted(api: FilesAPI) -> None:
    # SDK 2.x sends Authorization: Bearer itself; older ones X-Api-Key (omitted here).
    headers = {"X-Api-Key": anthropic.Omit(), "Authorization": "Bearer sk-token"}
    raw = await api.call_raw("list", extra_headers=headers)
    assert raw.http_request.headers["authorization"] == "Bearer sk-token"
    assert "x-api-key" not in raw.http_request.headers
    assert raw.http_response.status_code == 200


@pytest.mark.claude_files(api_keys=["sk-token"])
async def test_x_api_key_is_accepted(api: FilesAPI) -> None:
    headers = {"Authorization": anthropic.Omit(), "X-Api-Key": "sk-token"}
    raw = await api.call_raw("list", extra_headers=headers)
    assert raw.http_request.headers["x-api-key"] == "sk-token"
    assert raw.http_response.status_code == 200


async def test_unknown_path_is_404(sdk_client: Any) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        result = sdk_client.get("/v1/no-such-thing", cast_to=object)
        if hasattr(result, "__await__"):
            await result
    assert_envelope(caught.value, "not_found_error")


async def test_beta_true_query_is_a_qualifier(api: FilesAPI, claude_files: Any) -> None:
    made = claude_files.add_file("a.txt", "abc", downloadable=True)
    qualifier = {"extra_query": {"beta": "true"}}
    assert (await api.call("retrieve_metadata", made.id, **qualifier)).id == made.id
    assert await api.read(await api.call("download", made.id, **qualifier)) == b"abc"
    assert [f.id for f in (await api.page(**qualifier)).data] == [made.id]
    uploaded = await api.call("upload", file=("b.txt", b"x", "text/plain"), **qualifier)
    assert (await api.call("delete", uploaded.id, **qualifier)).id == uploaded.id
    if not sdk_at_least(1, 2) and api.surface == "beta":
        sent = (await api.call_raw("retrieve_metadata", made.id)).http_request.url
        assert sent.params.get("beta") == "true"  # the SDK's own qualifier


async def test_beta_header_among_others_selects_beta(sdk_client: Any, claude_files: Any) -> None:
    claude_files.add_file("a.txt", "x")
    is_async = isinstance(sdk_client, anthropic.AsyncAnthropic)
    api = FilesAPI(sdk_client, "ga", is_async)
    raw = await api.call_raw(
        "list", extra_headers={"anthropic-beta": "pdfs-2024-09-25, files-api-2025-04-14"}
    )
    assert set(raw.http_response.json()) == {"data", "has_more", "first_id", "last_id"}
    assert "expires_at" not in raw.http_response.json()["data"][0]


SDK_CLASS_BY_STATUS = {
    400: "BadRequestError",
    401: "AuthenticationError",
    402: "PaymentRequiredError",  # SDK 2.x; older SDKs raise the base APIStatusError
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    413: "RequestTooLargeError",
    429: "RateLimitError",
    500: "InternalServerError",
    504: "InternalServerError",  # GatewayTimeoutError (a subclass) on SDK 2.x
    529: "OverloadedError",
}


@pytest.mark.parametrize("status", sorted(SDK_CLASS_BY_STATUS))
async def test_every_error_status_reaches_the_sdk_as_its_class(
    api: FilesAPI, claude_files_handler: Any, status: int
) -> None:
    from pytest_claude_files._http.handler import error_response
    from pytest_claude_files.errors import STATUS_TO_ERROR_TYPE, error_class_for

    error_class = error_class_for(status)
    claude_files_handler.hooks.append(lambda request, operation: error_response(error_class("scripted")))
    expected = sdk_error(SDK_CLASS_BY_STATUS[status]) or anthropic.APIStatusError
    with pytest.raises(expected) as caught:
        await api.call("list")

    assert caught.value.status_code == status
    assert assert_envelope(caught.value, STATUS_TO_ERROR_TYPE[status])["error"]["message"] == "scripted"
