"""Message Batches through every adapter besides the client fixtures: ``claude_files_respx``,
``mock_claude_files()`` and the emulator server (real HTTP; ``results_url`` names the server's
own address; batches held, ended and scripted through the control API)."""

from __future__ import annotations

import inspect
from typing import Any, Iterator

import anthropic
import pytest

from pytest_claude_files import mock_claude_files
from pytest_claude_files.server import ServerHandle, start_server
from pytest_claude_files.server.control_client import ControlAPIError

pytestmark = [pytest.mark.anyio]
MODEL = "claude-fake-model"
BETA = {"anthropic-beta": "files-api-2025-04-14"}  # (SDKs before 2.0 need it for file sources)
KEY = "sk-ant-batches-server"


def ask(custom_id: str, file_id: str) -> dict[str, Any]:
    content = [{"type": "document", "source": {"type": "file", "file_id": file_id}},
               {"type": "text", "text": "Summarise."}]
    return {"custom_id": custom_id, "params": {"model": MODEL, "max_tokens": 100,
                                               "messages": [{"role": "user", "content": content}]}}


async def _resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def _results(resource: Any, batch_id: str) -> list[Any]:
    decoder = await _resolve(resource.results(batch_id))
    if hasattr(decoder, "__aiter__"):
        return [item async for item in decoder]
    return list(decoder)


# -- respx -----------------------------------------------------------------------------------
@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> Any:
    cls = anthropic.AsyncAnthropic if request.param == "async" else anthropic.Anthropic
    return cls(api_key="sk-ant-test", max_retries=0)


async def test_respx_routes_serve_batches(client: Any, claude_files_respx: Any, claude_files: Any) -> None:
    good = claude_files.add_file("good.pdf", b"%PDF-1.4 good", mime_type="application/pdf")
    gone = claude_files.add_file("gone.pdf", b"%PDF-1.4 gone", mime_type="application/pdf")
    claude_files.delete(gone.id)
    claude_files.batches.reply("good", "Fine.")

    batch = await _resolve(client.messages.batches.create(
        requests=[ask("good", good.id), ask("gone", gone.id)], extra_headers=BETA))
    results = {r.custom_id: r.result for r in await _results(client.messages.batches, batch.id)}

    assert results["good"].message.content[0].text == "Fine."
    assert results["gone"].error.error.type == "not_found_error"
    names = {route.name for route in claude_files_respx.routes}
    assert {"batches.create", "batches.retrieve", "batches.results"} <= names
    assert claude_files_respx["batches.create"].call_count == 1
    assert claude_files_respx["batches.results"].call_count == 1


async def test_respx_batch_routes_are_scriptable(client: Any, claude_files_respx: Any) -> None:
    claude_files_respx["batches.list"].respond(500, json={
        "type": "error", "error": {"type": "api_error", "message": "scripted"}})

    with pytest.raises(anthropic.InternalServerError):
        await _resolve(client.messages.batches.list())


# -- mock_claude_files() -----------------------------------------------------------------------
def test_mock_claude_files_serves_batches() -> None:
    with mock_claude_files() as fake:
        sdk = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)
        pdf = fake.add_file("a.pdf", b"%PDF-1.4", mime_type="application/pdf")
        fake.batches.hold()
        batch = sdk.beta.messages.batches.create(requests=[ask("only", pdf.id)], extra_headers=BETA)
        assert sdk.beta.messages.batches.retrieve(batch.id).processing_status == "in_progress"
        fake.batches.end(batch.id)
        (result,) = list(sdk.beta.messages.batches.results(batch.id))

    assert result.custom_id == "only" and result.result.type == "succeeded"


# -- the emulator --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


@pytest.fixture
def control(server: ServerHandle) -> Any:
    ctl = server.control(KEY)
    ctl.reset()
    yield ctl
    ctl.hold_batches(False)


@pytest.fixture
def remote(server: ServerHandle) -> Any:
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)


def test_emulator_results_url_names_the_server(control: Any, remote: Any, server: ServerHandle) -> None:
    first = control.add_file("first.pdf", b"%PDF-1.4 first", mime_type="application/pdf")
    second = control.add_file("second.pdf", b"%PDF-1.4 second", mime_type="application/pdf")
    gone = control.add_file("gone.pdf", b"%PDF-1.4 gone", mime_type="application/pdf")
    remote.files.delete(gone["id"]) if hasattr(remote, "files") else remote.beta.files.delete(gone["id"])
    control.reply("From the script.")
    control.batch_reply("second", "For the second.")

    batch = remote.messages.batches.create(
        requests=[ask("first", first["id"]), ask("second", second["id"]), ask("gone", gone["id"])],
        extra_headers=BETA)
    seen = remote.messages.batches.retrieve(batch.id)
    results = {r.custom_id: r.result for r in remote.messages.batches.results(batch.id)}

    assert seen.results_url == f"{server.base_url.rstrip('/')}/v1/messages/batches/{batch.id}/results"
    assert (seen.request_counts.succeeded, seen.request_counts.errored) == (2, 1)
    assert results["first"].message.content[0].text == "From the script."
    assert results["second"].message.content[0].text == "For the second."
    assert results["gone"].error.error.type == "not_found_error"
    assert control.pending_replies() == []


def test_emulator_hold_cancel_end(control: Any, remote: Any) -> None:
    pdf = control.add_file("a.pdf", b"%PDF-1.4", mime_type="application/pdf")
    control.hold_batches()
    batch = remote.messages.batches.create(requests=[ask("a", pdf["id"]), ask("b", pdf["id"])],
                                           extra_headers=BETA)
    assert remote.messages.batches.retrieve(batch.id).processing_status == "in_progress"

    assert remote.messages.batches.cancel(batch.id).processing_status == "canceling"
    (ended,) = control.end_batches(batch.id)

    assert ended["processing_status"] == "ended" and ended["request_counts"]["canceled"] == 2
    assert [b.id for b in remote.messages.batches.list()] == [batch.id]
    assert remote.messages.batches.delete(batch.id).type == "message_batch_deleted"
    with pytest.raises(ControlAPIError):
        control.end_batches(batch.id)


def test_emulator_tenants_do_not_share_batches(control: Any, remote: Any, server: ServerHandle) -> None:
    pdf = control.add_file("a.pdf", b"%PDF-1.4", mime_type="application/pdf")
    batch = remote.messages.batches.create(requests=[ask("a", pdf["id"])], extra_headers=BETA)
    other = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-someone-else", max_retries=0)

    with pytest.raises(anthropic.NotFoundError):
        other.messages.batches.retrieve(batch.id)
    assert list(other.messages.batches.list()) == []
