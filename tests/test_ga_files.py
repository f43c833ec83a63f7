"""The GA Files guide's rules (issue 19), through the official SDK, sync and async:
workspaces partitioned by default, the expired-file window, the managed-agents list shape,
``scope_id`` only under a Managed Agents beta, the ``rate_limit="documented"`` preset.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import pytest

from pytest_claude_files._core.files import EXPIRED_METADATA_WINDOW
from pytest_claude_files._core.pages import AGENTS_BETA, SCOPE_ID_REFUSED
from pytest_claude_files._core.settings import DOCUMENTED_FILES_RATE_LIMIT

from .conftest import FilesAPI, agents_header, resolve

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.claude_files(now=NOW, freeze_time=True, max_retries=0),
]
AGENTS = {"anthropic-beta": AGENTS_BETA}


# -- workspaces -----------------------------------------------------------------------------
async def test_a_file_of_another_workspace_is_404_and_unlisted_by_default(
    sdk_client: Any, claude_files: Any
) -> None:
    mine = await resolve(sdk_client.files.upload(file=("a.txt", b"a", "text/plain"),
                                                 extra_headers={"anthropic-workspace-id": "wrkspc_A"}))
    assert claude_files.settings.partition_workspaces is True  # the real API's rule, by default
    other = {"anthropic-workspace-id": "wrkspc_B"}
    for call in (sdk_client.files.retrieve_metadata, sdk_client.files.delete):
        with pytest.raises(anthropic.NotFoundError):
            await resolve(call(mine.id, extra_headers=other))
    page = await resolve(sdk_client.files.list(extra_headers=other))
    assert page.data == []
    assert mine.id in claude_files.files  # the delete from B changed nothing


# -- expiry ---------------------------------------------------------------------------------
async def test_an_expired_file_is_listed_and_readable_but_not_downloadable(
    api: FilesAPI, claude_files: Any
) -> None:
    made = claude_files.add_file("out.csv", "a,b", downloadable=True, expires_at=NOW + timedelta(hours=1))
    claude_files.clock.advance(hours=2)

    with pytest.raises(anthropic.NotFoundError) as caught:
        await api.call("download", made.id)
    assert caught.value.response.json()["error"]["details"] == {"error_code": "file_expired"}
    again = await api.call("retrieve_metadata", made.id)
    assert again.id == made.id
    if api.dialect == "ga":
        assert again.expires_at == made.expires_at  # in the past
    assert [f.id for f in await api.collect(api.resource.list())] == [made.id]


async def test_deleting_an_expired_file_removes_its_metadata_at_once(
    api: FilesAPI, claude_files: Any
) -> None:
    made = claude_files.add_file("out.csv", "a,b", downloadable=True, expires_at=NOW + timedelta(hours=1))
    claude_files.clock.advance(days=3)

    assert (await api.call("delete", made.id)).id == made.id
    with pytest.raises(anthropic.NotFoundError):
        await api.call("retrieve_metadata", made.id)
    assert await api.collect(api.resource.list()) == []


async def test_thirty_days_after_expiry_the_file_is_gone(api: FilesAPI, claude_files: Any) -> None:
    made = claude_files.add_file("out.csv", "a,b", downloadable=True, expires_at=NOW + timedelta(hours=1))
    kept = claude_files.add_file("kept.txt", "k")
    claude_files.clock.advance(hours=1)
    claude_files.clock.advance(seconds=EXPIRED_METADATA_WINDOW.total_seconds() - 1)
    assert (await api.call("retrieve_metadata", made.id)).id == made.id  # the last second

    claude_files.clock.advance(seconds=1)
    with pytest.raises(anthropic.NotFoundError):
        await api.call("retrieve_metadata", made.id)
    assert [f.id for f in await api.collect(api.resource.list())] == [kept.id]
    with pytest.raises(anthropic.NotFoundError):
        await api.call("delete", made.id)
    assert len(claude_files) == 1


async def test_a_messages_reference_to_an_expired_file_fails(sdk_client: Any, claude_files: Any) -> None:
    made = claude_files.add_file("notes.txt", "hello", mime_type="text/plain",
                                 expires_at=NOW + timedelta(hours=1))
    body = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": made.id}}]}]}
    assert (await resolve(sdk_client.messages.create(**body))).content
    claude_files.clock.advance(hours=1)
    with pytest.raises(anthropic.NotFoundError):
        await resolve(sdk_client.messages.create(**body))


# -- the managed-agents list shape ------------------------------------------------------------
async def _raw_list(client: Any, headers: dict[str, str], **query: Any) -> dict[str, Any]:
    response = await resolve(client.files.with_raw_response.list(extra_headers=headers, extra_query=query))
    return dict(response.http_response.json())


async def test_the_managed_agents_shape_has_both_cursors(sdk_client: Any, claude_files: Any) -> None:
    files = claude_files.add_files(5)  # oldest first
    ids = [f.id for f in reversed(files)]  # newest first

    first = await _raw_list(sdk_client, AGENTS, limit=2)
    assert [f["id"] for f in first["data"]] == ids[:2]
    assert (first["has_more"], first["first_id"], first["last_id"]) == (True, ids[0], ids[1])
    assert first["next_page"].startswith("page_")
    # after_id walks to older files, as the beta shape does, and still gives next_page
    after = await _raw_list(sdk_client, AGENTS, limit=2, after_id=ids[1])
    assert [f["id"] for f in after["data"]] == ids[2:4] and after["has_more"] is True
    nxt = await _raw_list(sdk_client, AGENTS, limit=2, page=after["next_page"])
    assert [f["id"] for f in nxt["data"]] == ids[4:]
    assert (nxt["has_more"], nxt["next_page"]) == (False, None)
    before = await _raw_list(sdk_client, AGENTS, limit=2, before_id=ids[4])
    assert [f["id"] for f in before["data"]] == ids[2:4] and before["has_more"] is True
    # the SDK's GA paginator walks it (it reads next_page)
    walked = await resolve(sdk_client.files.list(limit=2, extra_headers=AGENTS))
    items = [f async for f in walked] if hasattr(walked, "__aiter__") else list(walked)
    assert [f.id for f in items] == ids


@pytest.mark.claude_files(known_betas=["managed-agents-2026-07-01"])
async def test_without_the_header_the_plain_ga_shape(sdk_client: Any, claude_files: Any) -> None:
    claude_files.add_files(3)
    plain = await _raw_list(sdk_client, {}, limit=2)
    assert set(plain) == {"data", "next_page"}
    later = await _raw_list(sdk_client, {"anthropic-beta": "managed-agents-2026-07-01"}, limit=2)
    assert set(later) == {"data", "next_page"}  # later Managed Agents betas: the plain GA shape


@pytest.mark.parametrize("query", [{"page": "x", "after_id": "file_011CNha8iCJcU1wXNR6q4V8w"},
                                   {"ids[]": "file_011CNha8iCJcU1wXNR6q4V8w",
                                    "before_id": "file_011CNha8iCJcU1wXNR6q4V8w"}])
async def test_the_managed_agents_cursors_do_not_mix_with_page_or_ids(
    sdk_client: Any, query: dict[str, str]
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await _raw_list(sdk_client, AGENTS, **query)
    assert "cannot be combined with page or ids" in caught.value.response.json()["error"]["message"]


async def test_scope_id_needs_a_managed_agents_beta(api: FilesAPI, claude_files: Any) -> None:
    scoped = claude_files.add_file("out.txt", "x", scope_id="sesn_011CZkZAtmR3yMPDzynEDxu7")
    claude_files.add_file("other.txt", "y")
    query = {"scope_id": "sesn_011CZkZAtmR3yMPDzynEDxu7"}
    with pytest.raises(anthropic.BadRequestError) as caught:
        await api.page(extra_query=query)
    assert caught.value.response.json()["error"]["message"] == SCOPE_ID_REFUSED
    page = await api.page(extra_query=query, extra_headers=agents_header(api.dialect))
    assert [f.id for f in page.data] == [scoped.id]


# -- the documented rate limit -----------------------------------------------------------------
@pytest.mark.claude_files(rate_limit="documented")
def test_the_documented_rate_limit_preset(claude_files: Any, claude_files_client: Any) -> None:
    assert claude_files.settings.rate_limit == DOCUMENTED_FILES_RATE_LIMIT == 500
    response = claude_files_client.files.with_raw_response.list()
    assert response.headers["anthropic-ratelimit-requests-limit"] == "500"


def test_no_rate_limit_by_default(claude_files: Any, claude_files_client: Any) -> None:
    assert claude_files.settings.rate_limit is None
    response = claude_files_client.files.with_raw_response.list()
    assert "anthropic-ratelimit-requests-limit" not in response.headers
