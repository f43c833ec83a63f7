"""Issue 24: one fast test for each planted bug that slipped through the suite.

Each test names the mutant it kills (the line a mutation smoke, ``tests/mutation_smoke.py``,
plants): a wildcard pass-through matched by suffix, the sweep's unsigned-line guard, the
workspace of a delete, a ledger ``base_url`` with ``..``, the order of the store's atomic
steps, the status paired with each error code, and five Messages details.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

import anthropic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_claude_files import errors
from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import FakeFilesSettings
from pytest_claude_files._core.service import FakeService
from pytest_claude_files._http.endpoint import HTTPRequest, HTTPResponse, error_response
from pytest_claude_files._http.handler import FilesHandler, dialect_of
from pytest_claude_files._live.backends import Backend, choose_backend
from pytest_claude_files._live.cleanup import Attempt, Recorder, RetryPolicy, Secret, sweep
from pytest_claude_files._live.ledger import LedgerWriter, Upload, read_ledger
from pytest_claude_files._respx.router import _host_allowed
from pytest_claude_files._sdk.client import make_sdk_client
from pytest_claude_files.server._persistence import STEPS, PersistentFakeFiles, StoreIO

from .conftest import sdk_error, sdk_has_coded_errors

KEY = "sk-ant-api03-mutants-0123456789"
BASE = "https://api.example.test"
MODEL = "claude-fake-model"
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


# -- 1. pass_through("*.example.com") --------------------------------------------------------
@pytest.mark.parametrize(("host", "allowed"), [
    ("api.example.com", True),
    ("a.b.example.com", True),
    ("API.Example.COM", True),
    ("evilexample.com", False),  # the mutant: host.endswith(pattern[2:])
    ("example.com.evil.test", False),
    ("example.com", False),  # a wildcard names subdomains, not the domain itself
    ("notexample.com", False),
])
def test_wildcard_pass_through_matches_subdomains_only(host: str, allowed: bool) -> None:
    assert _host_allowed(host, ("*.example.com",)) is allowed


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1", True), ("127.0.0.10", False), ("x127.0.0.1", False), ("127.0.0.1.evil.test", False),
])
def test_an_exact_pass_through_host_is_matched_whole(host: str, allowed: bool) -> None:
    assert _host_allowed(host, ("127.0.0.1",)) is allowed


@pytest.mark.claude_files_respx(pass_through=["*.example.com"])
def test_a_wildcard_pass_through_blocks_a_lookalike_host(claude_files_respx: Any) -> None:
    import httpx

    with httpx.Client() as client, pytest.raises(AssertionError, match="is blocked"):
        client.get("http://evilexample.com/x")
    assert "evilexample.com" in claude_files_respx.unhandled[0]
    claude_files_respx.unhandled.clear()


# -- 2. the sweep's unsigned-line guard -------------------------------------------------------
class Deleter:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, file_id: str) -> Attempt:
        self.calls.append(file_id)
        return Attempt(200)


def test_a_sweep_without_the_keys_secret_deletes_no_unsigned_line(tmp_path: Path) -> None:
    key = Secret(KEY)
    writer = LedgerWriter(tmp_path, "s1", "main")
    writer.record_upload(Upload("file_forged", BASE, key.fingerprint))  # no mac: unsigned
    writer.finish(remove=False)
    deleter = Deleter()

    # a deleter for that (base URL, key) but not the key's secret: nothing checks the line
    report = sweep(tmp_path, {(BASE, key.fingerprint): deleter}, RetryPolicy(), secrets=[],
                   sleep=lambda s: None)

    assert deleter.calls == []  # the mutant: dropping ``upload.key in mac_keys`` deletes it
    assert report.other_credentials == 1
    (path,) = tmp_path.glob("*.jsonl")
    assert [u.file_id for u in read_ledger(path).pending] == ["file_forged"]


def test_a_sweep_with_the_keys_secret_deletes_signed_lines(tmp_path: Path) -> None:
    key = Secret(KEY)
    writer = LedgerWriter(tmp_path, "s1", "main")
    Recorder(writer).record_upload("file_signed", BASE, key)
    writer.finish(remove=False)
    deleter = Deleter()
    sweep(tmp_path, {(BASE, key.fingerprint): deleter}, RetryPolicy(), secrets=[key], sleep=lambda s: None)
    assert deleter.calls == ["file_signed"]


# -- 3. the workspace of a delete --------------------------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize("sdk_async", [False, True], ids=["sync", "async"])
async def test_a_delete_from_another_workspace_is_a_404(sdk_async: bool) -> None:
    fake = FakeService(partition_workspaces=True)
    client = make_sdk_client(FilesHandler(fake), is_async=sdk_async, max_retries=0)

    async def call(method: str, *args: Any, workspace: Optional[str] = None) -> Any:
        headers = {"anthropic-workspace-id": workspace} if workspace else {}
        result = getattr(client.beta.files, method)(*args, extra_headers=headers)
        return await result if sdk_async else result

    default = fake.add_file("default.txt", b"d")
    theirs = fake.add_file("theirs.txt", b"t", workspace_id="wrkspc_B")
    mine = fake.add_file("mine.txt", b"m", workspace_id="wrkspc_A")
    # the mutant (the workspace dropped on the way to delete) lets A delete the default's file
    for target in (default, theirs):
        with pytest.raises(anthropic.NotFoundError):
            await call("delete", target.id, workspace="wrkspc_A")
    with pytest.raises(anthropic.NotFoundError):  # and the default workspace cannot delete A's
        await call("delete", mine.id)
    assert {m.id for m in fake.files.all()} == {default.id, theirs.id, mine.id}
    assert (await call("delete", mine.id, workspace="wrkspc_A")).id == mine.id
    assert (await call("delete", default.id)).id == default.id
    assert [m.id for m in fake.files.all()] == [theirs.id]


# -- 4. a ledger base_url with .. ---------------------------------------------------------------
@pytest.mark.parametrize("base_url", [
    "https://api.example.test/../v1", "https://api.example.test/a/..", "https://api.example.test/..%2f",
])
def test_a_ledger_line_with_dot_dot_in_its_base_url_is_rejected(tmp_path: Path, base_url: str) -> None:
    path = tmp_path / "s1-main-1-x.jsonl"
    line = {"v": 2, "event": "upload", "id": "file_a", "base_url": base_url, "key": Secret(KEY).fingerprint}
    path.write_text(json.dumps(line) + "\n")
    state = read_ledger(path)
    assert state.pending == [] and state.rejected == {"not a base URL": 1}


@pytest.mark.parametrize("key", ["sha256:XYZ", "sha256:0123", "md5:0123456789abcdef", "sk-ant-the-key"])
def test_a_ledger_line_whose_key_is_not_a_fingerprint_is_rejected(tmp_path: Path, key: str) -> None:
    path = tmp_path / "s1-main-1-x.jsonl"
    line = {"v": 2, "event": "upload", "id": "file_a", "base_url": BASE, "key": key}
    path.write_text(json.dumps(line) + "\n")
    state = read_ledger(path)
    assert state.pending == [] and state.rejected == {"not a key fingerprint": 1}


def test_a_hidden_ledger_is_never_claimed(tmp_path: Path) -> None:
    key = Secret(KEY)
    writer = LedgerWriter(tmp_path, "s1", "main")
    Recorder(writer).record_upload("file_hidden", BASE, key)
    writer.finish(remove=False)
    hidden = writer.path.with_name("." + writer.path.name)  # as a ledger being created is named
    writer.path.rename(hidden)
    deleter = Deleter()
    sweep(tmp_path, {(BASE, key.fingerprint): deleter}, RetryPolicy(), secrets=[key], sleep=lambda s: None)
    assert deleter.calls == [] and hidden.exists()


# -- 5. the order of the store's atomic steps ----------------------------------------------------
class Snapshots(StoreIO):
    """The names in the directory at each step."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.at: dict[str, set[str]] = {}

    def step(self, name: str) -> None:
        self.at[name] = set(os.listdir(self.directory)) if self.directory.is_dir() else set()


def test_each_atomic_step_finds_the_directory_in_the_state_it_expects(tmp_path: Path) -> None:
    directory = tmp_path / "tenants" / "t"
    io = Snapshots(directory)
    store = PersistentFakeFiles(directory, FakeFilesSettings(), clock=FakeClock(), io=io)
    meta = store.upload(b"content", "a.txt")
    bin_, json_, json_tmp = f"{meta.id}.bin", f"{meta.id}.json", f"{meta.id}.json.tmp"
    at = io.at
    assert bin_ not in at["bin.rename"] and json_ not in at["bin.rename"]
    # the content is in place before the metadata is written (the mutant renames the metadata first)
    assert bin_ in at["meta.write"] and json_ not in at["meta.write"]
    assert json_tmp in at["meta.rename"] and json_ not in at["meta.rename"]
    assert {bin_, json_} <= at["dir.fsync"] and json_tmp not in at["dir.fsync"]
    store.delete(meta.id)
    # a delete removes the metadata (the commit point) first, then the content
    assert {bin_, json_} <= at["delete.meta"]
    assert bin_ in at["delete.bin"] and json_ not in at["delete.bin"]
    assert not any(n.startswith("file_") for n in os.listdir(directory))
    assert list(at) == list(STEPS)  # every step announced, in the documented order


# -- 6. every error code's status and SDK class agree with one table --------------------------
DOCUMENTED_CODES = {  # FILES_API.md and FILE_SURFACES.md (SDK 2.17): the documented pairs
    "file_not_downloadable": 400,
    "storage_quota_exceeded": 400,
    "file_expired": 404,
    "claude_code_key_creator_not_member": 400,
    "cmek_key_disabled": 400,
    "cmek_key_network_blocked": 400,
    "organization_on_hold": 400,
    "image_dimensions_too_large": 400,
    "organization_url_fetch_disabled": 400,
    "storage_not_ready": 503,
}
SDK_STATUS_CLASS = {400: "BadRequestError", 404: "NotFoundError", 503: "InternalServerError"}
CODED_CLASS = {"file_not_downloadable": "FileNotDownloadableError", "file_expired": "FileExpiredError",
               "storage_quota_exceeded": "StorageQuotaExceededError"}


def test_the_error_code_table_is_the_documented_one() -> None:
    assert errors.ERROR_CODE_STATUS == DOCUMENTED_CODES


@settings(max_examples=30, deadline=None)
@given(code=st.sampled_from(sorted(DOCUMENTED_CODES)), message=st.text(min_size=1, max_size=30))
def test_every_error_code_reaches_the_sdk_as_its_status_class(code: str, message: str) -> None:
    status = errors.ERROR_CODE_STATUS[code]
    error = errors.build_error(status, message, error_code=code)
    assert (error.status, error.error_type) == (status, errors.STATUS_TO_ERROR_TYPE[status])

    def hook(request: HTTPRequest, operation: Optional[str]) -> HTTPResponse:
        return error_response(error, "req_011CTable")

    handler = FilesHandler(FakeService())
    handler.hooks.append(hook)
    client = make_sdk_client(handler, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.beta.files.retrieve_metadata("file_011CAny")
    assert caught.value.status_code == status
    assert isinstance(caught.value, getattr(anthropic, SDK_STATUS_CLASS[status]))
    assert caught.value.body["error"]["details"]["error_code"] == code  # type: ignore[index]
    if code in CODED_CLASS and sdk_has_coded_errors():
        assert type(caught.value) is sdk_error(CODED_CLASS[code])


def test_the_fake_raises_each_code_with_the_tables_status() -> None:
    now = datetime(2025, 4, 15, tzinfo=timezone.utc)
    fake = FakeService(clock=FakeClock(now), storage_quota=10)
    raised: dict[str, errors.FilesAPIError] = {}
    expired = fake.add_file("e.txt", b"e", downloadable=True, expires_at=now + timedelta(seconds=1))
    fake.clock.advance(2)
    plain = fake.add_file("p.txt", b"p")
    for action in (lambda: fake.download(expired.id), lambda: fake.files.content(expired.id),
                   lambda: fake.download(plain.id), lambda: fake.upload(b"x" * 11, "big.txt")):
        with pytest.raises(errors.FilesAPIError) as caught:
            action()
        code = caught.value.error_code
        assert code is not None
        assert caught.value.status == errors.ERROR_CODE_STATUS[code], code  # at each raise site
        raised[code] = caught.value
    assert set(raised) == {"file_expired", "file_not_downloadable", "storage_quota_exceeded"}


# -- 7-11. Messages ------------------------------------------------------------------------------
def message_body(*content: Any, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 100, "messages": [{"role": "user", "content": list(content)}],
            **extra}


def doc(file_id: str) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "file", "file_id": file_id}}


@pytest.mark.parametrize("mime", ["text/plain; charset=utf-8", "Text/Plain;charset=UTF-8",
                                  "application/pdf; version=1.7"])
def test_a_stored_mime_type_with_parameters_is_a_document(mime: str) -> None:
    fake = FakeService()
    stored = fake.add_file("notes.txt", b"some notes", mime_type=mime)
    message = fake.messages.create(message_body(doc(stored.id)))
    assert message["type"] == "message"
    assert fake.messages.requests[-1].files[0].mime_type == mime


def test_a_mime_type_with_parameters_of_another_kind_is_still_refused() -> None:
    fake = FakeService()
    stored = fake.add_file("data.csv", b"a,b", mime_type="text/csv; charset=utf-8")
    with pytest.raises(errors.InvalidRequestError, match="Unsupported document file format"):
        fake.messages.create(message_body(doc(stored.id)))


CODE_EXECUTION = {"type": "code_execution_20250825", "name": "code_execution"}


def test_the_replys_container_is_the_requests_container() -> None:
    fake = FakeService()
    fake.messages.reply("made", output_files={"out.txt": b"x"})
    fake.messages.reply("again", output_files={"out2.txt": b"y"})
    given_id = "container_011CReused"

    reused = fake.messages.create(message_body({"type": "text", "text": "go"}, tools=[CODE_EXECUTION],
                                                container=given_id))
    fresh = fake.messages.create(message_body({"type": "text", "text": "go"}, tools=[CODE_EXECUTION]))

    assert reused["container"]["id"] == given_id
    assert fresh["container"]["id"].startswith("container_01") and fresh["container"]["id"] != given_id


@pytest.mark.parametrize("header", [
    "code-execution-2025-08-25,files-api-2025-04-14",  # joined with a bare comma
    "code-execution-2025-08-25 ,  files-api-2025-04-14",
])
def test_anthropic_beta_values_joined_with_a_bare_comma(header: str) -> None:
    fake = FakeService()
    stored = fake.add_file("a.pdf", b"%PDF")
    handler = FilesHandler(fake)
    request = HTTPRequest.build("POST", "/v1/messages", headers={**HEADERS, "anthropic-beta": header},
                                body=json.dumps(message_body(doc(stored.id))).encode())
    response = handler(request)
    assert response.status == 200, response.body
    assert fake.messages.requests[-1].betas == {"code-execution-2025-08-25", "files-api-2025-04-14"}
    assert dialect_of({"anthropic-beta": header}) == "beta"


def test_anthropic_beta_given_twice_counts_both() -> None:
    fake = FakeService()
    stored = fake.add_file("a.pdf", b"%PDF")
    request = HTTPRequest.build("POST", "/v1/messages", headers=[
        *HEADERS.items(), ("anthropic-beta", "code-execution-2025-08-25"),
        ("anthropic-beta", "files-api-2025-04-14")], body=json.dumps(message_body(doc(stored.id))).encode())
    assert FilesHandler(fake)(request).status == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
def test_other_methods_on_messages_are_not_a_400(method: str, path: str) -> None:
    response = FilesHandler(FakeService())(HTTPRequest.build(method, path, headers=HEADERS))
    assert response.status in (404, 405)
    assert json.loads(response.body)["error"]["type"] in ("not_found_error", "invalid_request_error")
    assert response.status != 400


def test_get_messages_through_the_sdk_is_not_found() -> None:
    client = make_sdk_client(FilesHandler(FakeService()), max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.get("/v1/messages", cast_to=object)
    assert caught.value.status_code in (404, 405)


@pytest.mark.parametrize(("env", "ephemeral"), [
    ({"CLAUDE_FILES_SERVER_URL": "http://127.0.0.1:1", "CLAUDE_FILES_SERVER_API_KEY": "k"}, False),
    ({"CLAUDE_FILES_SERVER_URL": "http://127.0.0.1:1"}, True),
    ({"CLAUDE_FILES_SERVER_API_KEY": "k"}, True),
    ({}, True),
])
def test_backend_ephemeral_is_a_server_without_a_fixed_url_and_key(
    env: dict[str, str], ephemeral: bool
) -> None:
    backend = choose_backend("server", None, env)
    assert backend.ephemeral is ephemeral
    assert backend.with_endpoint("http://127.0.0.1:2", Secret("k2")).ephemeral is ephemeral


def test_real_and_fake_backends_are_never_ephemeral() -> None:
    assert choose_backend("real", None, {"ANTHROPIC_API_KEY": "k"}).ephemeral is False
    assert choose_backend("fake", None, {}).ephemeral is False
    assert Backend("server", "x").ephemeral is False
