"""Message Batches through the official SDK: GA and beta surfaces, sync and async clients.

Every test runs on ``client.messages.batches`` and ``client.beta.messages.batches`` of a sync
and an async fixture client (:class:`Batches` drives either). SDKs before 2.0 send
``anthropic-version: 2023-06-01``, so a batch whose requests reference files sends the files
beta, as their users do.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import pytest

from pytest_claude_files._core.batches import CANNOT_CANCEL, CANNOT_DELETE
from pytest_claude_files._core.ids import BATCH_ID_RE, REQUEST_ID_RE
from pytest_claude_files._core.messages import FILE_NOT_FOUND

from .conftest import sdk_at_least

NOW = datetime(2025, 4, 15, 18, 37, 24, tzinfo=timezone.utc)
MODEL = "claude-fake-model"
FILES_BETA = "files-api-2025-04-14"
CODE_EXECUTION = {"type": "code_execution_20250825", "name": "code_execution"}
BETA_HEADERS: dict[str, str] = {} if sdk_at_least(2) else {"anthropic-beta": FILES_BETA}
pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(now=NOW, freeze_time=True, max_retries=0)]


async def _resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@dataclass
class Batches:
    """``client.messages.batches`` or ``client.beta.messages.batches`` of a sync or async client."""

    client: Any
    surface: str

    @property
    def resource(self) -> Any:
        return self.client.beta.messages.batches if self.surface == "beta" else self.client.messages.batches

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("extra_headers", BETA_HEADERS)
        return await _resolve(getattr(self.resource, name)(*args, **kwargs))

    async def create(self, requests: list[dict[str, Any]], **kwargs: Any) -> Any:
        return await self.call("create", requests=requests, **kwargs)

    async def results(self, batch_id: str, **kwargs: Any) -> list[Any]:
        decoder = await self.call("results", batch_id, **kwargs)
        if hasattr(decoder, "__aiter__"):
            return [item async for item in decoder]
        return list(decoder)

    async def list_all(self, **kwargs: Any) -> list[Any]:
        kwargs.setdefault("extra_headers", BETA_HEADERS)
        pager = self.resource.list(**kwargs)
        if hasattr(pager, "__aiter__"):
            return [item async for item in pager]
        return list(await _resolve(pager))


@pytest.fixture(params=["ga", "beta"])
def batches(sdk_client: Any, request: pytest.FixtureRequest) -> Batches:
    return Batches(sdk_client, request.param)


def ask(custom_id: str, *file_ids: str, **params: Any) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "document", "source": {"type": "file", "file_id": f}}
                                     for f in file_ids]
    content.append({"type": "text", "text": "Summarise."})
    body = {"model": MODEL, "max_tokens": 256, "messages": [{"role": "user", "content": content}], **params}
    return {"custom_id": custom_id, "params": body}


def pdfs(claude_files: Any, count: int = 3) -> list[Any]:
    return [claude_files.add_file(f"report-{i}.pdf", b"%PDF-1.4 " + bytes([65 + i]) * 20,
                                  mime_type="application/pdf") for i in range(count)]


# -- the example: three requests, one referencing a deleted file --------------------
async def test_a_deleted_file_errors_its_request_the_others_succeed(
    batches: Batches, claude_files: Any,
) -> None:
    first, second, gone = pdfs(claude_files)
    claude_files.delete(gone.id)
    claude_files.messages.reply("Summary of the first.")
    claude_files.batches.reply("q2", "Summary of the second.")

    created = await batches.create([ask("q1", first.id), ask("q2", second.id), ask("q3", gone.id)])

    assert BATCH_ID_RE.match(created.id)
    assert created.type == "message_batch" and created.processing_status == "in_progress"
    assert created.request_counts.processing == 3 and created.request_counts.succeeded == 0
    assert created.created_at == NOW and created.expires_at == NOW + timedelta(hours=24)
    assert created.ended_at is None and created.results_url is None and created.archived_at is None
    batch = await batches.call("retrieve", created.id)
    assert batch.processing_status == "ended" and batch.ended_at == NOW
    counts = batch.request_counts
    assert (counts.processing, counts.succeeded, counts.errored) == (0, 2, 1)
    assert (counts.canceled, counts.expired) == (0, 0)
    assert batch.results_url == f"https://api.anthropic.com/v1/messages/batches/{batch.id}/results"

    results = {r.custom_id: r.result for r in await batches.results(batch.id)}

    assert sorted(results) == ["q1", "q2", "q3"]
    assert results["q1"].type == results["q2"].type == "succeeded"
    assert results["q1"].message.content[0].text == "Summary of the first."
    assert results["q2"].message.content[0].text == "Summary of the second."
    errored = results["q3"]
    assert errored.type == "errored"
    assert errored.error.type == "error"
    assert errored.error.error.type == "not_found_error"
    assert errored.error.error.message == FILE_NOT_FOUND
    assert REQUEST_ID_RE.match(errored.error.request_id)
    assert [r.file_ids for r in claude_files.messages.requests] == [[first.id], [second.id], [gone.id]]


async def test_results_are_not_in_request_order(batches: Batches, claude_files: Any) -> None:
    ids = [f"req-{i}" for i in range(6)]
    batch = await batches.create([ask(i) for i in ids])

    first = [r.custom_id for r in await batches.results(batch.id)]
    again = [r.custom_id for r in await batches.results(batch.id)]

    assert sorted(first) == ids and first != ids  # match results by custom_id, as the API says
    assert again == first  # the same order every time (and every run)


async def test_scripted_output_files_become_downloadable(batches: Batches, claude_files: Any) -> None:
    claude_files.batches.reply("chart", "Made it.", output_files={"chart.png": (b"\x89PNG", "image/png")})
    batch = await batches.create([ask("chart", tools=[CODE_EXECUTION])])

    (result,) = await batches.results(batch.id)

    assert result.result.type == "succeeded"
    made = [b for b in result.result.message.content if b.type == "bash_code_execution_tool_result"]
    file_id = made[0].content.content[0].file_id
    assert claude_files.get(file_id).downloadable is True
    assert claude_files.content(file_id) == b"\x89PNG"


# -- held batches, cancel, delete --------------------------------------------------------
async def test_a_held_batch_is_in_progress_until_ended(batches: Batches, claude_files: Any) -> None:
    claude_files.batches.hold()
    batch = await batches.create([ask("a"), ask("b")])
    claude_files.clock.advance(hours=2)

    seen = await batches.call("retrieve", batch.id)
    assert seen.processing_status == "in_progress" and seen.request_counts.processing == 2
    with pytest.raises(anthropic.AnthropicError, match="No `results_url`"):
        await batches.results(batch.id)

    (ended,) = claude_files.batches.end(batch.id)
    final = await batches.call("retrieve", batch.id)

    assert ended["processing_status"] == final.processing_status == "ended"
    assert final.ended_at == NOW + timedelta(hours=2)
    assert final.request_counts.succeeded == 2
    assert len(await batches.results(batch.id)) == 2


async def test_cancel_a_held_batch(batches: Batches, claude_files: Any) -> None:
    claude_files.batches.hold()
    batch = await batches.create([ask("a"), ask("b"), ask("c")])
    claude_files.clock.advance(minutes=5)

    canceling = await batches.call("cancel", batch.id)
    again = await batches.call("cancel", batch.id)
    assert canceling.processing_status == again.processing_status == "canceling"
    assert canceling.cancel_initiated_at == again.cancel_initiated_at == NOW + timedelta(minutes=5)
    assert (await batches.call("retrieve", batch.id)).processing_status == "canceling"

    claude_files.batches.end()
    ended = await batches.call("retrieve", batch.id)

    assert ended.processing_status == "ended" and ended.request_counts.canceled == 3
    assert {r.result.type for r in await batches.results(batch.id)} == {"canceled"}
    assert claude_files.messages.requests == []  # canceled requests never reached Messages


async def test_cancel_before_the_first_look_cancels_every_request(
    batches: Batches, claude_files: Any,
) -> None:
    batch = await batches.create([ask("a"), ask("b")])

    canceling = await batches.call("cancel", batch.id)
    ended = await batches.call("retrieve", batch.id)

    assert canceling.processing_status == "canceling"
    assert ended.processing_status == "ended" and ended.request_counts.canceled == 2


async def test_cancel_an_ended_batch_is_refused(batches: Batches, claude_files: Any) -> None:
    batch = await batches.create([ask("a")])
    await batches.call("retrieve", batch.id)

    with pytest.raises(anthropic.BadRequestError) as caught:
        await batches.call("cancel", batch.id)

    body = caught.value.response.json()
    wording = CANNOT_CANCEL.format(batch_id=batch.id)
    assert body["error"] == {"type": "invalid_request_error", "message": wording}


async def test_delete_only_an_ended_batch(batches: Batches, claude_files: Any) -> None:
    claude_files.batches.hold()
    batch = await batches.create([ask("a")])

    with pytest.raises(anthropic.BadRequestError) as caught:
        await batches.call("delete", batch.id)
    assert caught.value.response.json()["error"]["message"] == CANNOT_DELETE.format(batch_id=batch.id)

    claude_files.batches.end(batch.id)
    deleted = await batches.call("delete", batch.id)

    assert (deleted.id, deleted.type) == (batch.id, "message_batch_deleted")
    with pytest.raises(anthropic.NotFoundError) as gone:
        await batches.call("retrieve", batch.id)
    assert gone.value.response.json()["error"]["type"] == "not_found_error"
    assert len(claude_files.batches) == 0


# -- list ----------------------------------------------------------------------------------
async def test_list_newest_first_across_pages(batches: Batches, claude_files: Any) -> None:
    made = []
    for index in range(5):
        made.append((await batches.create([ask(f"r{index}")])).id)
        claude_files.clock.advance(seconds=1)

    listed = await batches.list_all(limit=2)
    page = await batches.call("list", limit=2, before_id=made[1])

    assert [b.id for b in listed] == made[::-1]
    assert {b.processing_status for b in listed} == {"ended"}  # a look ends them
    assert [b.id for b in page.data] == [made[3], made[2]] and page.has_more is True


# -- the clock: 24 hours, 29 days -----------------------------------------------------------
async def test_a_held_batch_expires_after_24_hours(batches: Batches, claude_files: Any) -> None:
    claude_files.batches.hold()
    batch = await batches.create([ask("a"), ask("b")])
    claude_files.clock.advance(hours=25)

    seen = await batches.call("retrieve", batch.id)

    assert seen.processing_status == "ended" and seen.ended_at == seen.expires_at
    assert seen.request_counts.expired == 2
    assert {r.result.type for r in await batches.results(batch.id)} == {"expired"}


async def test_results_are_archived_after_29_days(batches: Batches, claude_files: Any) -> None:
    batch = await batches.create([ask("a")])
    assert len(await batches.results(batch.id)) == 1
    claude_files.clock.advance(days=29)

    seen = await batches.call("retrieve", batch.id)
    assert seen.archived_at == NOW + timedelta(days=29)
    with pytest.raises(anthropic.NotFoundError):
        await batches.results(batch.id)


# -- what a batch must be ------------------------------------------------------------------
BAD_BATCHES = [
    ("no requests", [], "requests: List should have at least 1 item after validation, not 0"),
    ("duplicate custom_id", [ask("same"), ask("same")],
     "requests.1.custom_id: custom_id `same` is used by more than one request; it must be unique for "
     "each request within the Message Batch."),
    ("custom_id pattern", [ask("has space")],
     "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"),
    ("custom_id length", [ask("x" * 65)], "requests.0.custom_id: String should have at most 64 characters"),
    ("no params", [{"custom_id": "a"}], "requests.0.params: Field required"),
]


@pytest.mark.parametrize(("requests", "message"), [c[1:] for c in BAD_BATCHES],
                         ids=[c[0] for c in BAD_BATCHES])
async def test_a_bad_batch_is_refused_whole(
    batches: Batches, claude_files: Any, requests: list[dict[str, Any]], message: str,
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await batches.create(requests)

    assert caught.value.response.json()["error"] == {"type": "invalid_request_error", "message": message}
    assert len(claude_files.batches) == 0


async def test_a_batch_over_the_size_cap_is_413(batches: Batches, claude_files: Any) -> None:
    claude_files.batches.max_bytes = 2048

    with pytest.raises(anthropic.APIStatusError) as caught:
        await batches.create([ask("big", system="x" * 4096)])

    assert caught.value.status_code == 413
    assert caught.value.response.json()["error"]["type"] == "request_too_large"


async def test_a_bad_messages_request_errors_alone(batches: Batches, claude_files: Any) -> None:
    no_tokens = ask("no-max-tokens")
    del no_tokens["params"]["max_tokens"]
    batch = await batches.create([ask("fine"), no_tokens, ask("streamed", stream=True)])

    results = {r.custom_id: r.result for r in await batches.results(batch.id)}

    assert results["fine"].type == "succeeded"
    assert results["no-max-tokens"].error.error.message == "max_tokens: Field required"
    assert results["no-max-tokens"].error.error.type == "invalid_request_error"
    assert results["streamed"].type == "errored"


# -- workspaces ------------------------------------------------------------------------------
@pytest.mark.claude_files(partition_workspaces=True)
async def test_another_workspace_does_not_see_the_batch(batches: Batches, claude_files: Any) -> None:
    here = {**BETA_HEADERS, "anthropic-workspace-id": "wrkspc_here"}
    there = {**BETA_HEADERS, "anthropic-workspace-id": "wrkspc_there"}
    theirs = claude_files.add_file("theirs.pdf", b"%PDF", mime_type="application/pdf",
                                   workspace_id="wrkspc_there")
    batch = await batches.create([ask("mine"), ask("theirs", theirs.id)], extra_headers=here)

    with pytest.raises(anthropic.NotFoundError):
        await batches.call("retrieve", batch.id, extra_headers=there)
    assert await batches.list_all(extra_headers=there) == []
    if "workspace_id" in inspect.signature(batches.resource.results).parameters:  # SDK 2.x
        # (results() retrieves the batch first; only workspace_id reaches that request)
        lines = await batches.results(batch.id, workspace_id="wrkspc_here")
        results = {r.custom_id: r.result.model_dump() for r in lines}
    else:
        await batches.call("retrieve", batch.id, extra_headers=here)
        results = {r["custom_id"]: r["result"] for r in claude_files.batches.results_of(batch.id)}

    assert results["mine"]["type"] == "succeeded"
    assert results["theirs"]["error"]["error"]["type"] == "not_found_error"  # a file of another workspace
