"""The emulator server's Messages side: the SDK over real HTTP, replies scripted by the control API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Iterator

import anthropic
import pytest

from pytest_claude_files.server import ServerHandle, start_server
from pytest_claude_files.server.control_client import ControlAPIError

KEY = "sk-ant-messages-server"
MODEL = "claude-fake-model"
BETA = {"anthropic-beta": "files-api-2025-04-14"}
CODE_EXECUTION = {"type": "code_execution_20250825", "name": "code_execution"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


@pytest.fixture
def control(server: ServerHandle) -> Any:
    ctl = server.control(KEY)
    ctl.reset()
    return ctl


@pytest.fixture
def client(server: ServerHandle) -> Any:
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)


def test_create_stream_and_count_over_http(control: Any, client: Any) -> None:
    pdf = control.add_file("report.pdf", b"%PDF-1.4", mime_type="application/pdf")
    content = [{"type": "document", "source": {"type": "file", "file_id": pdf["id"]}}]
    control.reply("First.")
    control.reply("Second, streamed.")

    ask = [{"role": "user", "content": content}]
    first = client.messages.create(model=MODEL, max_tokens=50, messages=ask, extra_headers=BETA)
    with client.messages.stream(model=MODEL, max_tokens=50, messages=ask, extra_headers=BETA) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    counted = client.messages.count_tokens(model=MODEL, messages=ask, extra_headers=BETA)

    assert first.content[0].text == "First."
    assert "".join(texts) == "Second, streamed." and len(texts) == 2
    assert counted.input_tokens == final.usage.input_tokens == first.usage.input_tokens
    requests = control.message_requests()
    assert [r["operation"] for r in requests] == ["create", "create", "count_tokens"]
    assert requests[1]["stream"] is True
    assert requests[0]["files"] == [{"file_id": pdf["id"], "filename": "report.pdf",
                                     "mime_type": "application/pdf", "block_type": "document",
                                     "path": "messages.0.content.0.document.source"}]


def test_output_files_scripted_by_the_control_api_download(control: Any, client: Any) -> None:
    control.reply("Chart made.", output_files={"chart.png": (b"\x89PNG!", "image/png")}, stdout="ok")

    message = client.messages.create(model=MODEL, max_tokens=50, tools=[CODE_EXECUTION],
                                     messages=[{"role": "user", "content": "Plot."}])

    output = message.content[1].content.content[0]
    assert client.beta.files.download(output.file_id).read() == b"\x89PNG!"
    assert control.pending_replies() == []


def test_a_deleted_file_is_not_found(control: Any, client: Any) -> None:
    meta = control.add_file("gone.pdf", b"%PDF")
    client.beta.files.delete(meta["id"])
    with pytest.raises(anthropic.NotFoundError):
        block = {"type": "document", "source": {"type": "file", "file_id": meta["id"]}}
        client.messages.create(model=MODEL, max_tokens=50, extra_headers=BETA,
                               messages=[{"role": "user", "content": [block]}])


@pytest.mark.parametrize(("spec", "wording"), [
    ({"text": 3}, "reply text must be a str"),
    ({"nope": 1}, "unknown field(s) ['nope']"),
    ({"output_files": {"a.png": "raw"}}, "content_base64"),
    ({"output_files": {"a<b.png": {"content": "x"}}}, "filename"),
    ({"stop_reason": "because"}, "stop_reason"),
    ({"replies": "x"}, "a list of reply objects"),
])
def test_bad_replies_are_400_and_queue_nothing(control: Any, spec: Any, wording: str) -> None:
    with pytest.raises(ControlAPIError) as caught:
        control._call("POST", "messages/replies", spec)
    assert caught.value.status == 400 and wording in str(caught.value)
    assert control.pending_replies() == []


def test_invalid_json_body_is_400_with_a_request_id(server: ServerHandle) -> None:
    headers = {"x-api-key": KEY, "content-type": "application/json"}
    request = urllib.request.Request(f"{server.base_url}/v1/messages?beta=true", data=b"{not json",
                                     method="POST", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    body = json.loads(caught.value.read())
    assert caught.value.code == 400 and body["error"]["type"] == "invalid_request_error"
    assert body["request_id"].startswith("req_01")
