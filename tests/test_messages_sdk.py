"""Files where they are used: Messages requests that reference files, through the official SDK.

Every test runs on a sync and an async client (the ``sdk_client`` fixture of conftest)
through one driver (:class:`Msgs`); the streaming tests drive ``messages.stream(...)`` and
``create(stream=True)``. The 2023-06-01 rules (a file source needs the files beta) are
checked on every SDK by sending that ``anthropic-version`` (what SDKs before 2.0 send).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import pytest

from pytest_claude_files._core.ids import FILE_ID_RE, REQUEST_ID_RE
from pytest_claude_files._core.messages import FILE_NOT_FOUND, IMAGE_TYPE_MISMATCH

from .conftest import sdk_at_least

NOW = datetime(2025, 4, 15, 18, 37, 24, tzinfo=timezone.utc)
MODEL = "claude-fake-model"
FILES_BETA = "files-api-2025-04-14"
CODE_EXECUTION = {"type": "code_execution_20250825", "name": "code_execution"}
# SDKs before 2.0 send anthropic-version 2023-06-01: a file source needs the files beta, as
# their users send it; the driver adds it unless a test passes its own ``extra_headers``.
BETA_HEADERS: dict[str, str] = {} if sdk_at_least(2) else {"anthropic-beta": FILES_BETA}
pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(now=NOW, freeze_time=True, max_retries=0)]


async def _resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@dataclass
class Msgs:
    """``client.messages`` of a sync or async client, driven by one test body."""

    client: Any

    @property
    def is_async(self) -> bool:
        return isinstance(self.client, anthropic.AsyncAnthropic)

    async def create(self, content: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("max_tokens", 1024)
        kwargs.setdefault("extra_headers", BETA_HEADERS)
        messages = kwargs.pop("messages", [{"role": "user", "content": content}])
        return await _resolve(self.client.messages.create(model=MODEL, messages=messages, **kwargs))

    async def beta_create(self, content: Any, **kwargs: Any) -> Any:
        return await _resolve(self.client.beta.messages.create(
            model=MODEL, max_tokens=1024, messages=[{"role": "user", "content": content}], **kwargs))

    async def count(self, content: Any, **kwargs: Any) -> int:
        kwargs.setdefault("extra_headers", BETA_HEADERS)
        answer = await _resolve(self.client.messages.count_tokens(
            model=MODEL, messages=[{"role": "user", "content": content}], **kwargs))
        return int(answer.input_tokens)

    async def stream(self, content: Any, **kwargs: Any) -> tuple[list[Any], list[str], Any]:
        """``with client.messages.stream(...) as s``: (events, text deltas, final message)."""
        kwargs.setdefault("extra_headers", BETA_HEADERS)
        manager = self.client.messages.stream(
            model=MODEL, max_tokens=1024, messages=[{"role": "user", "content": content}], **kwargs)
        if self.is_async:
            async with manager as stream:
                events = [event async for event in stream]
                final = await stream.get_final_message()
        else:
            with manager as stream:
                events = list(stream)
                final = stream.get_final_message()
        texts = [e.delta.text for e in events
                 if e.type == "content_block_delta" and e.delta.type == "text_delta"]
        return events, texts, final

    async def raw_stream(self, content: Any, **kwargs: Any) -> list[Any]:
        """``create(stream=True)``: the raw events."""
        stream = await self.create(content, stream=True, **kwargs)
        if self.is_async:
            return [event async for event in stream]
        return list(stream)


@pytest.fixture
def msgs(sdk_client: Any) -> Msgs:
    return Msgs(sdk_client)


def document(file_id: str) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "file", "file_id": file_id}}


def image(file_id: str) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "file", "file_id": file_id}}


def upload(file_id: str) -> dict[str, Any]:
    return {"type": "container_upload", "file_id": file_id}


def seed_three(claude_files: Any) -> tuple[Any, Any, Any]:
    pdf = claude_files.add_file("report.pdf", b"%PDF-1.4 quarterly", mime_type="application/pdf")
    png = claude_files.add_file("chart.png", b"\x89PNG\r\n\x1a\n....", mime_type="image/png")
    csv = claude_files.add_file("data.csv", b"a,b\n1,2\n", mime_type="text/csv")
    return pdf, png, csv


def assert_error(exc: anthropic.APIStatusError, error_type: str, message: str) -> None:
    body = exc.response.json()
    assert body["type"] == "error"
    assert body["error"] == {"type": error_type, "message": message}
    assert REQUEST_ID_RE.match(body["request_id"])
    assert exc.response.headers["request-id"] == body["request_id"]


# -- a request with a PDF, a PNG and a CSV -------------------------------------------------
async def test_pdf_document_png_image_csv_container_upload(msgs: Msgs, claude_files: Any) -> None:
    pdf, png, csv = seed_three(claude_files)
    content = [document(pdf.id), image(png.id), upload(csv.id), {"type": "text", "text": "Summarise."}]

    message = await msgs.create(content, tools=[CODE_EXECUTION])

    assert isinstance(message, anthropic.types.Message)
    assert message.model == MODEL and message.role == "assistant" and message.stop_reason == "end_turn"
    assert message.id.startswith("msg_01")
    text = message.content[0].text
    assert "report.pdf (application/pdf) as document" in text
    assert "chart.png (image/png) as image" in text
    assert "data.csv (text/csv) as container_upload" in text
    (request,) = claude_files.messages.requests
    assert [(f.file_id, f.filename, f.mime_type, f.block_type, f.path) for f in request.files] == [
        (pdf.id, "report.pdf", "application/pdf", "document", "messages.0.content.0.document.source"),
        (png.id, "chart.png", "image/png", "image", "messages.0.content.1.image.source"),
        (csv.id, "data.csv", "text/csv", "container_upload", "messages.0.content.2.container_upload.file_id"),
    ]


async def test_beta_messages_with_the_files_beta(msgs: Msgs, claude_files: Any) -> None:
    pdf, _, _ = seed_three(claude_files)
    claude_files.messages.reply("Seen.")

    message = await msgs.beta_create([document(pdf.id)], betas=[FILES_BETA])

    assert message.content[0].text == "Seen."
    assert FILES_BETA in claude_files.messages.requests[0].betas


# -- bad references ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["unknown", "deleted", "expired"])
async def test_unknown_deleted_expired_are_not_found(msgs: Msgs, claude_files: Any, kind: str) -> None:
    pdf = claude_files.add_file("report.pdf", b"%PDF-1.4", expires_at=NOW + timedelta(hours=1))
    file_id = {"unknown": "file_011CNha8iCJcU1wXNR6q4V8w", "deleted": pdf.id, "expired": pdf.id}[kind]
    if kind == "deleted":
        claude_files.delete(pdf.id)
    if kind == "expired":
        claude_files.clock.advance(timedelta(hours=2))

    with pytest.raises(anthropic.NotFoundError) as caught:
        await msgs.create([document(file_id), {"type": "text", "text": "Summarise."}])

    assert_error(caught.value, "not_found_error", FILE_NOT_FOUND)
    assert claude_files.messages.requests[-1].error is not None


WRONG_BLOCKS = [
    ("octet-stream PDF as document", "x.pdf", "application/octet-stream", document,
     "Unsupported document file format: application/octet-stream. Only PDF and plaintext documents "
     "are supported."),
    ("PNG as document", "chart.png", "image/png", document,
     "Unsupported document file format: image/png. Only PDF and plaintext documents are supported."),
    ("xlsx as document", "t.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     document, "Unsupported document file format: application/vnd.openxmlformats-officedocument."
     "spreadsheetml.sheet. Only PDF and plaintext documents are supported."),
    ("CSV as image", "data.csv", "text/csv", image, IMAGE_TYPE_MISMATCH),
]


@pytest.mark.parametrize(("filename", "mime", "block", "wording"), [c[1:] for c in WRONG_BLOCKS],
                         ids=[c[0] for c in WRONG_BLOCKS])
async def test_wrong_block_for_the_file_type(
    msgs: Msgs, claude_files: Any, filename: str, mime: str, block: Any, wording: str
) -> None:
    meta = claude_files.add_file(filename, b"bytes", mime_type=mime)
    assert meta.mime_type == mime  # kept exactly, octet-stream included

    with pytest.raises(anthropic.BadRequestError) as caught:
        await msgs.create([block(meta.id)])

    assert_error(caught.value, "invalid_request_error", wording)


async def test_references_nested_in_tool_result_are_checked(msgs: Msgs, claude_files: Any) -> None:
    pdf, _, _ = seed_three(claude_files)
    gone = claude_files.add_file("old.pdf", b"%PDF")
    claude_files.delete(gone.id)
    turns = [
        {"role": "user", "content": "Read the report."},
        {"role": "assistant",
         "content": [{"type": "tool_use", "id": "toolu_01A", "name": "fetch", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A",
                                      "content": [document(pdf.id)]}]},
    ]
    await msgs.create(None, messages=turns)
    assert claude_files.messages.requests[-1].files[0].path == (
        "messages.2.content.0.tool_result.content.0.document.source")

    turns[2]["content"][0]["content"] = [document(gone.id)]  # type: ignore[index]
    with pytest.raises(anthropic.NotFoundError):
        await msgs.create(None, messages=turns)


# -- the files beta and anthropic-version -----------------------------------------------------
OLD_VERSION = {"anthropic-version": "2023-06-01"}

async def test_2023_06_01_needs_no_files_beta_since_ga(msgs: Msgs, claude_files: Any) -> None:
    """GA Files guide: "out of beta and needs no beta header" (the pre-GA 400 of
    anthropic-sdk-go#237 is gone)."""
    pdf, _, _ = seed_three(claude_files)

    assert (await msgs.create([document(pdf.id)], extra_headers=OLD_VERSION)).stop_reason == "end_turn"

    with_beta = {**OLD_VERSION, "anthropic-beta": FILES_BETA}
    accepted = await msgs.create([document(pdf.id)], extra_headers=with_beta)
    assert accepted.stop_reason == "end_turn"


async def test_the_sdk_own_version(msgs: Msgs, claude_files: Any) -> None:
    """As the installed SDK sends it: no SDK generation needs the files beta since GA."""
    pdf, _, _ = seed_three(claude_files)
    assert (await msgs.create([document(pdf.id)], extra_headers={})).stop_reason == "end_turn"
    assert (await msgs.beta_create([document(pdf.id)], betas=[FILES_BETA])).stop_reason == "end_turn"


# -- streaming ------------------------------------------------------------------------------
EVENT_ORDER = ["message_start", "content_block_start", "content_block_delta", "content_block_stop",
               "message_delta", "message_stop"]


def squeeze(types: list[str]) -> list[str]:
    """Event types with repeats collapsed (``a a b`` -> ``a b``)."""
    return [t for i, t in enumerate(types) if i == 0 or types[i - 1] != t]


async def test_stream_yields_the_scripted_text(msgs: Msgs, claude_files: Any) -> None:
    pdf, _, _ = seed_three(claude_files)
    claude_files.messages.reply("The report shows growth in every quarter.")

    events, texts, final = await msgs.stream([document(pdf.id)])

    assert "".join(texts) == "The report shows growth in every quarter."
    assert texts == ["The ", "report ", "shows ", "growth ", "in ", "every ", "quarter."]
    raw_types = [e.type for e in events if e.type in EVENT_ORDER]
    assert squeeze(raw_types) == EVENT_ORDER
    assert final.content[0].text == "The report shows growth in every quarter."
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0
    assert final.usage.input_tokens == await msgs.count([document(pdf.id)])


async def test_create_stream_true_gives_the_raw_events(msgs: Msgs, claude_files: Any) -> None:
    claude_files.messages.reply("Calling a tool.", tool_use={"name": "lookup", "input": {"q": "growth"}})

    events = await msgs.raw_stream("Look it up.")

    types = [e.type for e in events]
    assert types[0] == "message_start" and types[-2:] == ["message_delta", "message_stop"]
    json_parts = [e.delta.partial_json for e in events
                  if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
    assert "".join(json_parts) == '{"q":"growth"}'
    assert events[-2].delta.stop_reason == "tool_use"


async def test_count_tokens_equals_usage_input_tokens(msgs: Msgs, claude_files: Any) -> None:
    pdf, png, csv = seed_three(claude_files)
    content = [document(pdf.id), image(png.id), upload(csv.id), {"type": "text", "text": "Compare."}]

    counted = await msgs.count(content)
    message = await msgs.create(content)

    assert counted == message.usage.input_tokens > 0


# -- files Claude's tools made ------------------------------------------------------------------
async def test_output_files_shape_and_download(msgs: Msgs, claude_files: Any) -> None:
    claude_files.messages.reply("Made a chart.", output_files={
        "chart.png": b"\x89PNG fake chart", "table.csv": (b"x,y\n1,2\n", "text/csv")},
        command="python plot.py", stdout="saved")

    message = await msgs.create("Plot it.", tools=[CODE_EXECUTION])

    use, result, text = message.content
    assert use.type == "server_tool_use" and use.name == "bash_code_execution"
    assert use.input == {"command": "python plot.py"} and use.id.startswith("srvtoolu_01")
    assert result.type == "bash_code_execution_tool_result" and result.tool_use_id == use.id
    assert result.content.type == "bash_code_execution_result"
    assert (result.content.stdout, result.content.stderr, result.content.return_code) == ("saved", "", 0)
    outputs = result.content.content
    assert [o.type for o in outputs] == ["bash_code_execution_output"] * 2
    assert all(FILE_ID_RE.match(o.file_id) for o in outputs)
    assert text.text == "Made a chart."
    assert message.container is not None and message.container.id.startswith("container_01")
    expected = [b"\x89PNG fake chart", b"x,y\n1,2\n"]
    for output, data in zip(outputs, expected, strict=True):
        meta = await _resolve(msgs.client.beta.files.retrieve_metadata(output.file_id))
        assert meta.downloadable is True
        downloaded = await _resolve(msgs.client.beta.files.download(output.file_id))
        assert await _resolve(downloaded.read()) == data
    assert claude_files.get(outputs[1].file_id).mime_type == "text/csv"


async def test_output_files_without_code_execution_is_the_test_authors_mistake(
    msgs: Msgs, claude_files: Any
) -> None:
    claude_files.messages.reply("Made a chart.", output_files={"chart.png": b"PNG"})

    with pytest.raises(anthropic.BadRequestError) as caught:
        await msgs.create("Plot it.")

    assert "did not enable code execution" in caught.value.message
    assert "code_execution_20250825" in caught.value.message
    assert len(claude_files.messages.mistakes) == 1
    claude_files.messages.reset()  # (else the fixture fails this test at teardown, as it should)


async def test_output_files_stream_in_the_same_shape(msgs: Msgs, claude_files: Any) -> None:
    claude_files.messages.reply("Done.", output_files={"out.txt": b"result"}, command="python run.py")

    _, texts, final = await msgs.stream("Run it.", tools=[CODE_EXECUTION])

    use, result, text = final.content
    assert use.type == "server_tool_use" and result.type == "bash_code_execution_tool_result"
    assert use.input == {"command": "python run.py"}
    (output,) = result.content.content
    assert claude_files.content(output.file_id) == b"result"
    assert claude_files.get(output.file_id).downloadable is True
    assert texts == ["Done."] and text.text == "Done."
    assert final.container is not None and final.container.id.startswith("container_01")
