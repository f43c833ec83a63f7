"""pytest_claude_files.strategies: valid for our models, the SDK's models and JSON; minimal shrinks."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any, Iterator, NamedTuple

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_claude_files import errors, models
from pytest_claude_files import strategies as cfs
from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core import naming as _naming
from pytest_claude_files._core.files import MAX_FILE_BYTES, decode_page_token
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._gen import file_strategies as _gen_files
from pytest_claude_files._http.handler import FilesHandler, HTTPResponse, json_response
from pytest_claude_files._sdk.client import make_sdk_client, sdk_version

anthropic = pytest.importorskip("anthropic")

DEFAULT = settings.get_profile("default")  # never the CI profile: health checks as users get them
FEW = settings(DEFAULT, max_examples=25, deadline=None)
MINIMAL = settings(database=None, derandomize=True)
SDK_GA = hasattr(anthropic.types, "FileMetadata")
SDK_BETA_DIALECT = sdk_version() is not None and sdk_version() < (1, 2)  # client.beta.files speaks beta


class Fake(NamedTuple):
    files: FakeFiles
    handler: FilesHandler
    client: Any


@pytest.fixture(scope="module")
def fake() -> Iterator[Fake]:
    """One fake and client for a whole property run (reset per example, not per test)."""
    files = FakeFiles()
    handler = FilesHandler(files)
    client = make_sdk_client(handler, max_retries=0)
    yield Fake(files, handler, client)
    client.close()


def _fresh(fake: Fake) -> Fake:
    fake.files.reset()
    fake.handler.hooks.clear()
    return fake


def _serve(fake: Fake, response: HTTPResponse) -> None:
    fake.handler.hooks[:] = [lambda request, operation: response]


def _roundtrip(obj: Any) -> Any:
    return json.loads(json.dumps(obj, ensure_ascii=False))


# -- health checks: every public strategy, default settings --------------------------------
_SEEDED = FakeFiles()
SAMPLE_FILES = [_SEEDED.add_file(n, b"x") for n in ("a.pdf", "b.png", "c.csv", "d.txt")]

ALL = {
    "file_reference_blocks": cfs.file_reference_blocks(SAMPLE_FILES),
    "message_contents": cfs.message_contents(SAMPLE_FILES),
    "messages_requests": cfs.messages_requests(SAMPLE_FILES),
    "invalid_file_references": cfs.invalid_file_references(SAMPLE_FILES, deleted_ids=["file_011CNha8i"]),
    "file_ids": cfs.file_ids(),
    "request_ids": cfs.request_ids(),
    "scope_ids": cfs.scope_ids(),
    "filenames": cfs.filenames(),
    "invalid_filenames": cfs.invalid_filenames(),
    "mime_types": cfs.mime_types(),
    "file_metadata": cfs.file_metadata(),
    "file_metadata_beta": cfs.file_metadata(dialect="beta"),
    "file_metadata_json": cfs.file_metadata_json(),
    "deleted_files": cfs.deleted_files(),
    "list_pages_beta": cfs.list_pages("beta"),
    "list_pages_ga": cfs.list_pages("ga"),
    "list_pages_json": cfs.list_pages_json("ga"),
    "error_bodies": cfs.error_bodies(),
    "error_responses": cfs.error_responses(),
    "files_api_errors": cfs.files_api_errors(),
    "upload_payloads": cfs.upload_payloads(),
    "sdk_file_metadata_beta": cfs.sdk_file_metadata(dialect="beta"),
    "sdk_file_metadata_ga": cfs.sdk_file_metadata(dialect="ga"),
    "sdk_deleted_files": cfs.sdk_deleted_files(),
    "skill_names": cfs.skill_names(),
    "skill_bundles": cfs.skill_bundles(),
    "invalid_skill_bundles": cfs.invalid_skill_bundles(),
    "citation_specs": cfs.citation_specs({"file_01a": "The cat sat.", "file_01b": "x"}),
    "session_ids": cfs.session_ids(),
    "agent_ids": cfs.agent_ids(),
    "environment_ids": cfs.environment_ids(),
    "mount_paths": cfs.mount_paths(),
    "file_resources": cfs.file_resources([f"file_01{i}" for i in range(5)]),
    "user_messages": cfs.user_messages(),
    "session_replies": cfs.session_replies(),
    "custom_ids": cfs.custom_ids(),
    "invalid_custom_ids": cfs.invalid_custom_ids(),
    "batch_ids": cfs.batch_ids(),
    "batch_requests": cfs.batch_requests(SAMPLE_FILES),
    "batches_with_a_bad_reference": cfs.batches_with_a_bad_reference(
        SAMPLE_FILES, deleted_ids=["file_01gone"]),
}


@pytest.mark.parametrize("name", sorted(ALL))
def test_no_health_check_fires_with_default_settings(name: str) -> None:
    seen: list[Any] = []

    @settings(DEFAULT)  # too_slow, filter_too_much, data_too_large all armed
    @given(ALL[name])
    def run(value: Any) -> None:
        seen.append(value)

    run()
    assert len(seen) >= DEFAULT.max_examples // 2


def test_all_public_strategies_are_covered() -> None:
    public = {n for n in cfs.__all__ if callable(getattr(cfs, n)) and n[0].islower()} - {
        "dialects", "created_ats", "file_scopes", "sdk_file_metadata", "sdk_deleted_files",
        "list_pages", "file_metadata", "block_for", "pdf_with_pages", "skill_files",
    }
    assert public <= {k.rsplit("_beta", 1)[0].rsplit("_ga", 1)[0] for k in ALL} | set(ALL)


# -- ids ----------------------------------------------------------------------------------
@given(cfs.file_ids(), cfs.request_ids(), cfs.scope_ids())
def test_ids_have_the_api_shape(file_id: str, request_id: str, scope_id: str) -> None:
    assert _ids.FILE_ID_RE.match(file_id) and _ids.is_file_id(file_id)
    assert _ids.REQUEST_ID_RE.match(request_id)
    assert scope_id.startswith(cfs.SCOPE_ID_PREFIX) and len(scope_id) == len(cfs.SCOPE_ID_PREFIX) + 22


@given(st.data(), cfs.created_ats(), cfs.created_ats())
def test_file_ids_sort_by_creation_like_the_fakes(data: st.DataObject, a: datetime, b: datetime) -> None:
    first, second = sorted([a, b])
    id1 = data.draw(cfs.file_ids(created_at=first))
    id2 = data.draw(cfs.file_ids(created_at=second))
    if first < second:
        assert id1 < id2
    real = _ids.new_file_id(second)  # the fake's own id for a later moment sorts after
    if first < second:
        assert id1 < real


# -- filenames ----------------------------------------------------------------------------
@given(cfs.filenames())
def test_valid_filenames_pass_the_rules_unchanged(name: str) -> None:
    assert _naming.check_filename(name) == name
    assert 1 <= len(name) <= _naming.MAX_FILENAME_CHARS
    assert _roundtrip(name) == name
    assert name.encode("utf-8").decode("utf-8") == name


@given(st.integers(1, _naming.MAX_FILENAME_CHARS), st.data())
def test_filenames_respect_max_length(limit: int, data: st.DataObject) -> None:
    name = data.draw(cfs.filenames(max_length=max(limit, 5)))
    assert len(name) <= max(limit, 5)


def test_filenames_reach_the_length_limit() -> None:
    name = find(cfs.filenames(), lambda n: len(n) == _naming.MAX_FILENAME_CHARS, settings=MINIMAL)
    assert _naming.check_filename(name) == name


@pytest.mark.parametrize(
    "kind, reason",
    [("empty", "must not be empty"), ("forbidden", "not allowed"),
     ("control", "not allowed"), ("too_long", "at most 255")],
)
def test_invalid_filenames_are_refused_for_their_reason(kind: str, reason: str) -> None:
    @FEW
    @given(cfs.invalid_filenames(kind))
    def run(name: str) -> None:
        with pytest.raises(errors.InvalidRequestError, match=reason):
            _naming.check_filename(name)
        with pytest.raises(errors.InvalidRequestError):
            FakeFiles().upload(b"x", name, content_type="text/plain", dialect="beta")

    run()


@settings(FEW)
@given(cfs.filenames(), cfs.dialects())
def test_valid_filenames_are_stored_unchanged_through_the_sdk(fake: Fake, name: str, dialect: str) -> None:
    f = _fresh(fake)
    if dialect == "beta" and SDK_BETA_DIALECT:
        meta = f.client.beta.files.upload(file=(name, b"x", "text/plain"))
    else:
        meta = f.client.files.upload(file=(name, b"x", "text/plain")) if SDK_GA else \
            f.client.beta.files.upload(file=(name, b"x", "text/plain"))
    assert meta.filename == name
    assert f.files.get(meta.id).filename == name


@settings(FEW)
@given(cfs.invalid_filenames("too_long"))
def test_too_long_filenames_are_a_400_through_the_sdk(fake: Fake, name: str) -> None:
    f = _fresh(fake)
    with pytest.raises(anthropic.BadRequestError):
        f.client.beta.files.upload(file=(name, b"x", "text/plain"))


@settings(FEW)
@given(cfs.invalid_filenames("forbidden").filter(lambda n: '"' not in n))
def test_forbidden_characters_are_a_400_through_the_sdk(fake: Fake, name: str) -> None:
    f = _fresh(fake)  # '"' is left out: httpx sends it as %22, which is a valid name
    with pytest.raises(anthropic.BadRequestError):
        f.client.beta.files.upload(file=(name, b"x", "text/plain"))


def test_invalid_filename_kind_is_checked() -> None:
    with pytest.raises(InvalidArgument, match="kind must be one of"):
        cfs.invalid_filenames("weird")


# -- mime types ---------------------------------------------------------------------------
@given(cfs.mime_types())
def test_mime_types_are_kept_as_sent(mime: str) -> None:
    top, _, sub = mime.partition("/")
    assert top and sub and len(mime) <= _naming.MAX_MIME_TYPE_CHARS
    expected = mime if mime != _naming.DEFAULT_MIME_TYPE else _naming.DEFAULT_MIME_TYPE
    assert _naming.decide_mime_type(mime, None) == expected


@given(cfs.mime_types(documented_only=True))
def test_documented_mime_types(mime: str) -> None:
    assert mime in {"application/pdf", "text/plain", "image/jpeg", "image/png", "image/gif", "image/webp"}


# -- metadata -----------------------------------------------------------------------------
def _sdk_metadata_cls(dialect: str) -> Any:
    if dialect == "ga" and SDK_GA:
        return anthropic.types.FileMetadata
    return anthropic.types.beta.BetaFileMetadata


def _same_as_sdk(meta: models.FileMetadata, sdk: Any, dialect: str) -> None:
    fields = ("id", "type", "filename", "mime_type", "size_bytes", "created_at", "downloadable")
    assert {f: getattr(sdk, f) for f in fields} == {f: getattr(meta, f) for f in fields}
    if "scope" in type(sdk).model_fields:
        assert (sdk.scope.id if sdk.scope else None) == (meta.scope.id if meta.scope else None)
    if dialect == "ga" and "expires_at" in type(sdk).model_fields:
        assert sdk.expires_at == meta.expires_at


@given(cfs.dialects().flatmap(lambda d: st.tuples(st.just(d), cfs.file_metadata(dialect=d))))
def test_metadata_validates_everywhere_and_survives_json(pair: tuple[str, models.FileMetadata]) -> None:
    dialect, meta = pair
    wire = _roundtrip(meta.to_api(dialect))
    assert wire == meta.to_api(dialect)
    assert ("expires_at" in wire) == (dialect == "ga")
    again = models.FileMetadata.model_validate(wire)
    assert again == meta and again.to_api(dialect) == wire
    _same_as_sdk(meta, _sdk_metadata_cls(dialect).model_validate(wire), dialect)
    assert wire["created_at"].endswith("Z") and len(wire["created_at"]) == len("2025-04-15T18:37:24.100435Z")
    assert meta.id == max(meta.id, _ids.FILE_ID_PREFIX)  # sortable id of the fake's shape
    if meta.expires_at is not None:
        assert dialect == "ga" and meta.expires_at > meta.created_at
    assert 0 <= meta.size_bytes <= MAX_FILE_BYTES
    assert _naming.check_filename(meta.filename) == meta.filename


@given(cfs.file_metadata(downloadable=True, dialect="ga", size_bytes=st.integers(1, 9), scope="sesn_x"))
def test_pins_take_values_and_strategies(meta: models.FileMetadata) -> None:
    assert meta.downloadable is True and 1 <= meta.size_bytes <= 9
    assert meta.scope == models.FileScope(id="sesn_x")


@given(cfs.file_metadata(dialect="beta"))
def test_beta_metadata_never_expires(meta: models.FileMetadata) -> None:
    assert meta.expires_at is None


def test_unknown_pins_and_dialects_are_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"unknown field.*colour"):
        cfs.file_metadata(colour="red")
    with pytest.raises(InvalidArgument, match="dialect"):
        cfs.file_metadata(dialect="v2")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="beta dialect has no expires_at"):
        find(cfs.file_metadata(dialect="beta", expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc)),
             lambda m: True)


@settings(FEW)
@given(cfs.dialects().flatmap(lambda d: st.tuples(st.just(d), cfs.file_metadata(dialect=d))))
def test_sdk_client_reads_generated_metadata(fake: Fake, pair: tuple[str, models.FileMetadata]) -> None:
    dialect, meta = pair
    f = _fresh(fake)
    _serve(f, json_response(200, meta.to_api(dialect), "req_x"))
    got = f.client.beta.files.retrieve_metadata(meta.id)
    _same_as_sdk(meta, got, "beta")
    if SDK_GA:
        _same_as_sdk(meta, f.client.files.retrieve_metadata(meta.id), dialect)


@given(cfs.deleted_files(), cfs.sdk_deleted_files(dialect="beta"), cfs.sdk_deleted_files(dialect="ga"))
def test_deleted_files(deleted: models.DeletedFile, sdk_beta: Any, sdk_ga: Any) -> None:
    wire = _roundtrip(deleted.model_dump(mode="json"))
    assert wire == {"id": deleted.id, "type": "file_deleted"}
    assert anthropic.types.beta.BetaDeletedFile.model_validate(wire).id == deleted.id
    assert sdk_beta.type == sdk_ga.type == "file_deleted" and _ids.is_file_id(sdk_beta.id)


# -- list pages ---------------------------------------------------------------------------
@given(cfs.list_pages("beta"))
def test_beta_pages_have_consistent_cursors(page: models.BetaFileList) -> None:
    ids = [m.id for m in page.data]
    assert ids == sorted(set(ids), reverse=True)
    assert page.first_id == (ids[0] if ids else None) and page.last_id == (ids[-1] if ids else None)
    assert not (page.has_more and not ids)
    assert all(m.expires_at is None for m in page.data)
    wire = _roundtrip(_gen_files._page_json(page, "beta"))
    assert models.BetaFileList.model_validate(wire) == page
    assert all("expires_at" not in m for m in wire["data"])


@given(cfs.list_pages("ga"))
def test_ga_pages_have_consistent_cursors(page: models.GAFileList) -> None:
    ids = [m.id for m in page.data]
    assert ids == sorted(set(ids), reverse=True)
    if page.next_page is not None:
        assert page.next_page.startswith("page_") and ids
        assert decode_page_token(page.next_page) == ids[-1]
    wire = _roundtrip(_gen_files._page_json(page, "ga"))
    assert models.GAFileList.model_validate(wire) == page


@given(cfs.list_pages("beta", limit=3, has_more=True), cfs.list_pages("ga", limit=st.just(2), has_more=False))
def test_page_pins(full: models.BetaFileList, last: models.GAFileList) -> None:
    assert len(full.data) == 3 and full.has_more
    assert len(last.data) <= 2 and last.next_page is None


@settings(FEW)
@given(cfs.dialects().flatmap(lambda d: st.tuples(st.just(d), cfs.list_pages(d))))
def test_sdk_page_types_parse_generated_pages(fake: Fake, pair: tuple[str, Any]) -> None:
    dialect, page = pair
    from anthropic.pagination import SyncPage, SyncPageCursor

    f = _fresh(fake)
    _serve(f, json_response(200, _gen_files._page_json(page, dialect), "req_x"))
    if dialect == "beta":
        got = f.client.get_api_list("/v1/files", model=anthropic.types.beta.BetaFileMetadata,
                                    page=SyncPage[anthropic.types.beta.BetaFileMetadata])
        assert got.has_next_page() == page.has_more
        expected = {"after_id": page.last_id} if page.has_more else None
    else:
        cls = _sdk_metadata_cls("ga")
        got = f.client.get_api_list("/v1/files", model=cls, page=SyncPageCursor[cls])
        assert got.has_next_page() == (page.next_page is not None)
        expected = {"page": page.next_page} if page.next_page else None
    assert [m.id for m in got.data] == [m.id for m in page.data]
    if got.has_next_page():  # the SDK asks next_page_info() only then
        info = got.next_page_info()
        assert info is not None and info.params == expected


# -- errors -------------------------------------------------------------------------------
@given(cfs.error_bodies())
def test_error_bodies_agree_with_the_status_table(body: models.ErrorResponse) -> None:
    wire = _roundtrip(body.to_api())
    assert models.ErrorResponse.model_validate(wire) == body
    assert body.error.type in errors.STATUS_TO_ERROR_TYPE.values()
    if body.error.details is not None:  # the code's status carries this error type (503 shares api_error)
        code_status = errors.ERROR_CODE_STATUS[body.error.details.error_code]
        assert errors.STATUS_TO_ERROR_TYPE[code_status] == body.error.type
    assert _ids.REQUEST_ID_RE.match(body.request_id)
    sdk_types = {"invalid_request_error", "authentication_error", "billing_error", "permission_error",
                 "not_found_error", "rate_limit_error", "timeout_error", "api_error", "overloaded_error"}
    if body.error.type in sdk_types:  # the SDK's ErrorResponse union names these
        from anthropic.types.shared import ErrorResponse as SDKErrorResponse

        sdk = SDKErrorResponse.model_validate(wire)
        assert sdk.error.type == body.error.type and sdk.request_id == body.request_id


@given(cfs.error_responses())
def test_error_responses_are_the_handlers_envelope(response: HTTPResponse) -> None:
    body = response.json()
    assert errors.STATUS_TO_ERROR_TYPE[response.status] == body["error"]["type"]
    assert response.header("request-id") == body["request_id"]


@given(cfs.files_api_errors(error_code="file_expired"), cfs.files_api_errors(status=400, error_code=None))
def test_error_pins(expired: errors.FilesAPIError, plain: errors.FilesAPIError) -> None:
    assert expired.status == 404 and expired.error_code == "file_expired"
    assert plain.status == 400 and plain.error_code is None


def test_error_pins_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="status must be one of"):
        cfs.files_api_errors(status=418)
    with pytest.raises(InvalidArgument, match="error_code must be one of"):
        cfs.files_api_errors(error_code="nope")


@settings(FEW)
@given(cfs.error_responses())
def test_sdk_raises_its_own_class_for_generated_errors(fake: Fake, response: HTTPResponse) -> None:
    f = _fresh(fake)
    _serve(f, response)
    with pytest.raises(anthropic.APIStatusError) as info:
        f.client.beta.files.retrieve_metadata("file_011111111111111111111111")
    exc = info.value
    body = response.json()
    assert exc.status_code == response.status
    assert exc.request_id == body["request_id"]
    by_status = {400: anthropic.BadRequestError, 401: anthropic.AuthenticationError,
                 403: anthropic.PermissionDeniedError, 404: anthropic.NotFoundError,
                 409: anthropic.ConflictError, 429: anthropic.RateLimitError}
    if response.status in by_status:
        assert isinstance(exc, by_status[response.status])
    elif response.status == 500:
        assert isinstance(exc, anthropic.InternalServerError)


# -- uploads ------------------------------------------------------------------------------
@given(st.booleans().flatmap(
    lambda octet: st.tuples(st.just(octet), cfs.upload_payloads(octet_stream=octet))))
def test_upload_payloads_agree(pair: tuple[bool, cfs.UploadPayload]) -> None:
    octet, payload = pair
    mime = _naming.decide_mime_type(None, payload.filename)  # the kind the extension names
    # what the API stores: the part's type as sent (octet-stream included), else the guess
    assert payload.mime_type == (payload.content_type or mime)
    allowed = (mime, _naming.DEFAULT_MIME_TYPE, None) if octet else (mime, None)
    assert payload.content_type in allowed  # a faithful type by default: octet-stream only when asked
    signatures = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG", "image/gif": b"GIF8",
                  "image/jpeg": b"\xff\xd8\xff", "application/zip": b"PK"}
    if mime in signatures:
        assert payload.content.startswith(signatures[mime])
    if mime == "image/webp":
        assert payload.content[8:12] == b"WEBP"
    if mime.startswith("text/"):
        payload.content.decode("utf-8")
    if mime == "application/json":
        json.loads(payload.content)


@settings(FEW)
@given(cfs.dialects().flatmap(
    lambda d: st.tuples(st.just(d), cfs.upload_payloads(dialect=d, octet_stream=True))))
# the payloads send octet-stream on purpose
@pytest.mark.filterwarnings("ignore::pytest_claude_files.errors.ClaudeFilesMisuseWarning")
def test_upload_payloads_upload_as_promised_through_the_sdk(fake: Fake, pair: tuple[str, Any]) -> None:
    dialect, payload = pair
    f = _fresh(fake)
    if dialect == "beta" and SDK_BETA_DIALECT:
        meta = f.client.beta.files.upload(file=payload.as_file())
    elif SDK_GA:
        meta = f.client.files.upload(file=payload.as_file())
    else:
        meta = f.client.beta.files.upload(file=payload.as_file())
    assert (meta.filename, meta.mime_type, meta.size_bytes) == (
        payload.filename, payload.mime_type, len(payload.content))
    assert f.files.content(meta.id) == payload.content


@given(cfs.upload_payloads(dialect="beta"))
def test_beta_payloads_always_send_a_content_type(payload: cfs.UploadPayload) -> None:
    assert payload.content_type is not None


# -- shrinking ----------------------------------------------------------------------------
def test_minimal_examples_are_readable() -> None:
    assert find(cfs.filenames(), lambda n: True, settings=MINIMAL) in ("a", "a.txt")
    assert find(cfs.filenames(), lambda n: n.endswith(".pdf"), settings=MINIMAL) == "a.pdf"
    assert find(cfs.upload_payloads(), lambda p: True, settings=MINIMAL) == cfs.UploadPayload(
        "a.txt", b"", "text/plain")
    meta = find(cfs.file_metadata(), lambda m: True, settings=MINIMAL)
    assert (meta.filename, meta.mime_type, meta.size_bytes) == ("a.txt", "text/plain", 0)
    assert (meta.downloadable, meta.scope, meta.expires_at) == (False, None, None)
    assert meta.created_at == cfs.MIN_CREATED_AT
    big = find(cfs.file_metadata(), lambda m: m.size_bytes > 1000, settings=MINIMAL)
    assert big.size_bytes == 1001 and big.filename == "a.txt"
    page = find(cfs.list_pages("ga"), lambda p: p.next_page is not None, settings=MINIMAL)
    assert len(page.data) == 1
    err = find(cfs.error_bodies(), lambda e: e.error.details is not None, settings=MINIMAL)
    assert err.error.message == "An error occurred."
    assert find(cfs.invalid_filenames("too_long"), lambda n: True, settings=MINIMAL) == "a" * 256 + ".txt"


# -- st.from_type -------------------------------------------------------------------------
OUR_TYPES = [models.FileMetadata, models.FileScope, models.DeletedFile, models.BetaFileList,
             models.GAFileList, models.ErrorResponse]


@pytest.mark.parametrize("cls", OUR_TYPES, ids=lambda c: c.__name__)
def test_from_type_our_models(cls: type) -> None:
    @FEW
    @given(st.from_type(cls))
    def run(value: Any) -> None:
        assert isinstance(value, cls)
        assert type(value).model_validate(_roundtrip(value.model_dump(mode="json"))) == value

    run()


def _sdk_types() -> list[Any]:
    names = [("anthropic.types.beta", "BetaFileMetadata"), ("anthropic.types.beta", "BetaDeletedFile"),
             ("anthropic.types.beta", "BetaFileScope"), ("anthropic.types", "FileMetadata"),
             ("anthropic.types", "DeletedFile")]
    out = []
    for module, name in names:
        cls = getattr(sys.modules.get(module) or __import__(module, fromlist=[name]), name, None)
        if cls is not None:
            out.append(cls)
    return out


@pytest.mark.parametrize("cls", _sdk_types(), ids=lambda c: c.__name__)
def test_from_type_sdk_types(cls: type) -> None:
    @FEW
    @given(st.from_type(cls))
    def run(value: Any) -> None:
        assert isinstance(value, cls)
        if hasattr(value, "id") and getattr(value, "type", None) in ("file", "file_deleted"):
            assert _ids.is_file_id(value.id)

    run()


def test_hypothesis_entry_point_is_declared() -> None:
    from importlib.metadata import entry_points

    points = {ep.value for ep in entry_points(group="hypothesis")}
    assert "pytest_claude_files._gen.hypothesis_setup:_hypothesis_setup_hook" in points


def test_importing_hypothesis_imports_nothing_of_ours(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        check="""
        import sys
        import hypothesis
        from hypothesis import find, strategies as st
        heavy = [m for m in ("anthropic", "pydantic", "faker", "pytest_claude_files.strategies",
                             "pytest_claude_files.models") if m in sys.modules]
        assert heavy == [], heavy
        from pytest_claude_files.models import FileMetadata   # registers on import
        assert "pytest_claude_files.strategies" not in sys.modules
        value = find(st.from_type(FileMetadata), lambda v: True)  # resolves lazily
        assert isinstance(value, FileMetadata), value
        import anthropic
        from anthropic.types.beta import BetaFileMetadata
        assert isinstance(find(st.from_type(BetaFileMetadata), lambda v: True), BetaFileMetadata)
        print("ok")
        """
    )
    result = pytester.run(sys.executable, "-W", "error", "check.py")
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["ok"])


def test_from_type_when_types_load_before_hypothesis(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        check="""
        import anthropic
        from anthropic.types.beta import BetaFileMetadata
        from pytest_claude_files.models import GAFileList
        from hypothesis import strategies as st
        assert isinstance(st.from_type(BetaFileMetadata).example(), BetaFileMetadata)
        assert isinstance(st.from_type(GAFileList).example(), GAFileList)
        print("ok")
        """
    )
    result = pytester.run(sys.executable, "check.py")
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["ok"])


NEW_YEAR = datetime(2030, 1, 1)


@given(cfs.file_metadata(created_at=NEW_YEAR), cfs.created_ats(NEW_YEAR, datetime(2030, 1, 2)))
def test_naive_datetimes_mean_utc(meta: models.FileMetadata, moment: datetime) -> None:
    utc = NEW_YEAR.replace(tzinfo=timezone.utc)
    assert meta.created_at == utc
    assert utc <= moment <= datetime(2030, 1, 2, tzinfo=timezone.utc)
    a_second_later = _ids.new_file_id(datetime(2030, 1, 1, 0, 0, 1, tzinfo=timezone.utc))
    assert meta.id < a_second_later
