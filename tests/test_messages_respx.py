"""The Messages routes of ``claude_files_respx`` (``messages``, ``count_tokens``), through the SDK.

A client built anywhere (no transport given) reaches the fake through respx: file
references resolve against ``claude_files``, scripted replies stream, and the routes are
scriptable like the Files routes (``respond``, ``inject``, ``calls_of``).
"""

from __future__ import annotations

import inspect
from typing import Any

import anthropic
import pytest

from pytest_claude_files import scenarios

pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(max_retries=0)]
MODEL = "claude-fake-model"
BETA = {"anthropic-beta": "files-api-2025-04-14"}  # (SDKs before 2.0 need it for file sources)


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> Any:
    cls = anthropic.AsyncAnthropic if request.param == "async" else anthropic.Anthropic
    return cls(api_key="sk-ant-test", max_retries=1)


async def _resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def ask(file_id: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": file_id}},
        {"type": "text", "text": "Summarise."}]}]


async def test_routes_are_named(claude_files_respx: Any) -> None:
    names = [route.name for route in claude_files_respx.routes]
    assert names[5:7] == ["messages", "count_tokens"]


async def test_create_and_count_reach_the_fake(
    client: Any, claude_files_respx: Any, claude_files: Any
) -> None:
    pdf = claude_files.add_file("report.pdf", b"%PDF-1.4 numbers")

    message = await _resolve(client.messages.create(
        model=MODEL, max_tokens=100, messages=ask(pdf.id), extra_headers=BETA))
    counted = await _resolve(
        client.messages.count_tokens(model=MODEL, messages=ask(pdf.id), extra_headers=BETA))

    assert "report.pdf (application/pdf) as document" in message.content[0].text
    assert counted.input_tokens == message.usage.input_tokens
    (call,) = claude_files_respx.calls_of("messages")
    assert call.params["json"]["model"] == MODEL and call.status == 200
    assert claude_files_respx["count_tokens"].call_count == 1
    assert claude_files_respx.files_calls == []  # the Files routes saw nothing


async def test_stream_through_respx(client: Any, claude_files_respx: Any, claude_files: Any) -> None:
    claude_files.messages.reply("streamed through respx")
    hello = [{"role": "user", "content": "Hi"}]
    manager = client.messages.stream(model=MODEL, max_tokens=100, messages=hello)
    if isinstance(client, anthropic.AsyncAnthropic):
        async with manager as stream:
            texts = [text async for text in stream.text_stream]
    else:
        with manager as stream:
            texts = list(stream.text_stream)

    assert "".join(texts) == "streamed through respx"
    assert claude_files_respx["messages"].call_count == 1


async def test_routes_are_scriptable(client: Any, claude_files_respx: Any, claude_files: Any) -> None:
    claude_files_respx.inject("messages", scenarios.error(529, retry_after=0), times=1)

    message = await _resolve(client.messages.create(
        model=MODEL, max_tokens=100, messages=[{"role": "user", "content": "Hi"}]))

    assert [c.status for c in claude_files_respx.calls_of("messages")] == [529, 200]
    assert message.stop_reason == "end_turn"


async def test_a_route_can_answer_instead_of_the_fake(client: Any, claude_files_respx: Any) -> None:
    canned = {"id": "msg_01canned", "type": "message", "role": "assistant", "model": MODEL,
              "content": [{"type": "text", "text": "canned"}], "stop_reason": "end_turn",
              "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}
    claude_files_respx["messages"].respond(200, json=canned)

    message = await _resolve(client.messages.create(
        model=MODEL, max_tokens=100, messages=[{"role": "user", "content": "Hi"}]))

    assert message.content[0].text == "canned"
