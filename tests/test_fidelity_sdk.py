"""Fidelity through the official SDK (any generation): what production does, the fake does.

Mime type as sent, the workspace header echoed, scoped files outside the quota, the
error codes and status classes, and the client-misuse warnings (the beta-dialect trap,
an octet-stream upload of a PDF, a listing that stops at a page with more), with no
warning for correct use. Run on anthropic 0.125.0, 1.0.0 and the newest.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import anthropic
import pytest

from pytest_claude_files import scenarios
from pytest_claude_files.errors import APPEAL_URL, ClaudeFilesMisuseWarning

from .conftest import FilesAPI, sdk_at_least, sdk_error

pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(max_retries=0)]
WORKSPACE = "wrkspc_01ABCdefGHIjklMNOpqrST"


def codes(fake: Any) -> list[str]:
    return [w.code for w in fake.warnings]


def finish_quietly(fake: Any) -> list[Any]:
    """``claude_files.finish()`` (what teardown does), with every warning it gives."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fake.finish()
    return [w for w in seen if issubclass(w.category, ClaudeFilesMisuseWarning)]


async def in_workspace(api: FilesAPI, method: str, *args: Any, raw: bool = False, **kwargs: Any) -> Any:
    """A call in ``WORKSPACE``: the SDK's ``workspace_id=`` where it has one (2.x), else the header."""
    resource = api.raw if raw else api.resource
    if "workspace_id" in inspect.signature(getattr(resource, method)).parameters:
        kwargs["workspace_id"] = WORKSPACE
    else:
        kwargs["extra_headers"] = {"anthropic-workspace-id": WORKSPACE}
    return await (api.call_raw if raw else api.call)(method, *args, **kwargs)


# -- mime type ---------------------------------------------------------------------------


async def test_octet_stream_upload_keeps_its_type_and_warns(api: FilesAPI, claude_files: Any) -> None:
    expected = r"'report\.pdf' was uploaded as application/octet-stream"
    with pytest.warns(ClaudeFilesMisuseWarning, match=expected):
        meta = await api.call("upload", file=("report.pdf", b"%PDF-1.4", "application/octet-stream"))
    assert meta.mime_type == "application/octet-stream"
    assert claude_files.get(meta.id).mime_type == "application/octet-stream"
    assert codes(claude_files) == ["octet-stream-upload"]


@pytest.mark.parametrize(("filename", "declared"), [("notes.bin", "text/plain"), ("x.pdf", "application/pdf"),
                                                    ("data", "application/octet-stream")])
async def test_a_declared_type_is_kept_without_warning(
    api: FilesAPI, claude_files: Any, filename: str, declared: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ClaudeFilesMisuseWarning)
        meta = await api.call("upload", file=(filename, b"x", declared))
    assert meta.mime_type == declared
    assert claude_files.warnings == []


@pytest.mark.claude_files(guess_mime_type=True)
async def test_guess_mime_type_is_an_opt_in(api: FilesAPI, claude_files: Any) -> None:
    meta = await api.call("upload", file=("report.pdf", b"%PDF", "application/octet-stream"))
    assert meta.mime_type == "application/pdf"
    assert claude_files.warnings == []


# -- workspaces --------------------------------------------------------------------------


async def test_the_workspace_comes_back_on_successes_and_errors(api: FilesAPI) -> None:
    response = await in_workspace(api, "upload", raw=True, file=("a.txt", b"a", "text/plain"))
    assert response.headers["anthropic-workspace-id"] == WORKSPACE
    with pytest.raises(anthropic.NotFoundError) as caught:
        await in_workspace(api, "retrieve_metadata", "file_011CNha8iCJcU1wXNR6q4V8w")
    assert caught.value.workspace_id == WORKSPACE
    assert caught.value.response.headers["request-id"].startswith("req_")


async def test_no_workspace_header_no_echo(api: FilesAPI) -> None:
    response = await api.call_raw("list")
    assert "anthropic-workspace-id" not in response.headers


async def test_partitioned_workspaces_do_not_see_each_others_files(api: FilesAPI, claude_files: Any) -> None:
    mine = await in_workspace(api, "upload", file=("mine.txt", b"m", "text/plain"))
    # no header: the key's default workspace
    default = await api.call("upload", file=("default.txt", b"d", "text/plain"))

    assert [f.id for f in await api.collect(api.resource.list())] == [default.id]
    with pytest.raises(anthropic.NotFoundError):
        await api.call("retrieve_metadata", mine.id)
    with pytest.raises(anthropic.NotFoundError):
        await api.call("delete", mine.id)
    assert (await in_workspace(api, "retrieve_metadata", mine.id)).id == mine.id
    assert [f.id for f in await api.collect(await in_workspace(api, "list"))] == [mine.id]
    assert len(claude_files) == 2
    with pytest.raises(anthropic.NotFoundError):  # the default workspace cannot delete it either
        await api.call("delete", mine.id)
    assert (await in_workspace(api, "delete", mine.id)).id == mine.id  # its own workspace can


@pytest.mark.claude_files(partition_workspaces=False)
async def test_without_partitioning_workspaces_share_the_files(api: FilesAPI) -> None:
    mine = await in_workspace(api, "upload", file=("mine.txt", b"m", "text/plain"))
    assert (await api.call("retrieve_metadata", mine.id)).id == mine.id
    assert (await api.call("delete", mine.id)).id == mine.id


# -- limits ------------------------------------------------------------------------------


@pytest.mark.claude_files(storage_quota=10)
async def test_a_scoped_file_beyond_the_quota_does_not_block_an_upload(
    api: FilesAPI, claude_files: Any
) -> None:
    claude_files.add_file("agent-output.bin", b"x" * 1000, scope_id="sesn_011CZkZAtmR3yMPDzynEDxu7")
    meta = await api.call("upload", file=("a.txt", b"12345678", "text/plain"))
    assert meta.size_bytes == 8
    assert claude_files.storage_used == 8
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call("upload", file=("b.txt", b"123", "text/plain"))
    assert caught.value.response.json()["error"]["details"] == {"error_code": "storage_quota_exceeded"}


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["claude_code_key_creator_not_member", "cmek_key_disabled",
                                  "cmek_key_network_blocked", "organization_on_hold"])
async def test_method_level_error_codes(api: FilesAPI, claude_files_handler: Any, code: str) -> None:
    effect = scenarios.error(400, error_code=code, details={"hint": "extra keys pass through"})
    claude_files_handler.hooks.append(lambda request, operation: effect(None))  # type: ignore[arg-type]
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call("list")
    details = caught.value.response.json()["error"]["details"]
    assert details["error_code"] == code and details["hint"] == "extra keys pass through"
    if code == "organization_on_hold":
        assert details["appeal_url"] == APPEAL_URL
        specific = sdk_error("OrganizationOnHoldError")
        if specific is not None:
            assert isinstance(caught.value, specific)
            assert caught.value.details.appeal_url == APPEAL_URL  # type: ignore[attr-defined]


@pytest.mark.parametrize(("status", "name"), [
    (408, "RequestTimeoutError"), (412, "PreconditionFailedError"), (422, "UnprocessableEntityError"),
    (431, "RequestHeaderFieldsTooLargeError"), (499, "ClientClosedRequestError"),
    (501, "HTTPNotImplementedError"), (503, "ServiceUnavailableError"),
])
async def test_every_status_the_sdk_has_a_class_for(
    api: FilesAPI, claude_files_handler: Any, status: int, name: str
) -> None:
    effect = scenarios.error(status)
    claude_files_handler.hooks.append(lambda request, operation: effect(None))  # type: ignore[arg-type]
    with pytest.raises(anthropic.APIStatusError) as caught:
        await api.call("list")
    assert caught.value.status_code == status
    if sdk_error("RequestTimeoutError") is not None:  # the SDKs that map all seven (older: the generic class)
        assert isinstance(caught.value, sdk_error(name))


# -- headers -----------------------------------------------------------------------------


async def test_a_malformed_beta_is_400_naming_the_header(api: FilesAPI) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call("list", extra_headers={"anthropic-beta": "string"})
    assert caught.value.response.json()["error"]["message"] == (
        "Unexpected value(s) `string` for the `anthropic-beta` header. Please consult our documentation "
        "at docs.claude.com or try again without the header."
    )


async def test_an_unknown_well_formed_beta_is_served_with_a_warning(api: FilesAPI, claude_files: Any) -> None:
    with pytest.warns(ClaudeFilesMisuseWarning, match="'files-api-2099-01-01' is not a beta name"):
        await api.call("list", extra_headers={"anthropic-beta": "files-api-2099-01-01"})
    assert codes(claude_files) == ["unknown-beta"]


@pytest.mark.claude_files(known_betas=["files-api-2099-01-01"])
async def test_known_betas_adds_names(api: FilesAPI, claude_files: Any) -> None:
    await api.call("list", extra_headers={"anthropic-beta": "files-api-2099-01-01"})
    assert claude_files.warnings == []


async def test_a_bad_anthropic_version_is_400(api: FilesAPI) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.call("list", extra_headers={"anthropic-version": "1999-01-01"})
    assert caught.value.response.json()["error"]["message"] == (
        'anthropic-version: "1999-01-01" is not a valid version'
    )


@pytest.mark.claude_files(check_anthropic_version=False, check_anthropic_beta=False)
async def test_the_header_checks_can_be_relaxed(api: FilesAPI) -> None:
    await api.call("list", extra_headers={"anthropic-version": "1999-01-01", "anthropic-beta": "string"})


# -- listing warnings ------------------------------------------------------------------


@pytest.mark.skipif(not sdk_at_least(1, 2), reason="the trap needs an SDK that paginates with next_page")
async def test_the_beta_dialect_trap_returns_one_page_and_warns(sdk_client: Any, claude_files: Any) -> None:
    claude_files.add_files(25)
    listing = sdk_client.beta.files.list(betas=["files-api-2025-04-14"])
    items = [f async for f in listing] if hasattr(listing, "__aiter__") else list(listing)
    assert len(items) == 20  # one page, as against the real API: the SDK finds no next_page
    seen = finish_quietly(claude_files)
    assert codes(claude_files) == ["beta-dialect-trap"]
    message = str(seen[0].message)
    assert "files-api-2025-04-14" in message and 'Fix: drop betas=["files-api-2025-04-14"]' in message


@pytest.mark.parametrize("limit", [None, 7])
async def test_a_correct_listing_warns_nothing(
    api: FilesAPI, sdk_client: Any, claude_files: Any, limit: int | None
) -> None:
    claude_files.add_files(45)
    params = {} if limit is None else {"limit": limit}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ClaudeFilesMisuseWarning)
        items = await api.collect(api.resource.list(**params))
    assert len(items) == 45
    assert finish_quietly(claude_files) == [] and claude_files.warnings == []


async def test_one_page_with_limit_is_a_choice_not_a_warning(api: FilesAPI, claude_files: Any) -> None:
    claude_files.add_files(30)
    page = await api.page(limit=5)
    assert len(page.data) == 5
    assert finish_quietly(claude_files) == []


async def test_reading_one_default_page_as_the_whole_list_warns(api: FilesAPI, claude_files: Any) -> None:
    claude_files.add_files(30)
    page = await api.page()
    assert len(page.data) == 20
    seen = finish_quietly(claude_files)
    assert codes(claude_files) == ["unfinished-listing"]
    assert "the next page was never asked for" in str(seen[0].message)


async def test_misuse_is_recorded_once(api: FilesAPI, claude_files: Any) -> None:
    with pytest.warns(ClaudeFilesMisuseWarning):
        for _ in range(3):
            await api.call("upload", file=("same.png", b"\x89PNG", "application/octet-stream"))
    assert codes(claude_files) == ["octet-stream-upload"]


@pytest.mark.claude_files(misuse_warnings="ignore")
async def test_ignore_records_without_warning(api: FilesAPI, claude_files: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ClaudeFilesMisuseWarning)
        await api.call("upload", file=("a.txt", b"a", "application/octet-stream"))
    assert codes(claude_files) == ["octet-stream-upload"]


def test_the_warning_is_a_pytest_warning() -> None:
    assert issubclass(ClaudeFilesMisuseWarning, pytest.PytestWarning)
    assert not hasattr(anthropic, "ClaudeFilesMisuseWarning")  # no clash with the SDK's names
