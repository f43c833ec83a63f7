"""The Messages rules of issue 19, through the official SDK (sync and async): consecutive
turns, ``max_tokens: 0``, each code-execution tool's own blocks, a container on every
code-execution reply, API version 2026-10-21, PDFs and images the API refuses, the misuse
notice for an ignored ``container_upload``."""

from __future__ import annotations

import inspect
import struct
from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import pytest

from pytest_claude_files._core.containers import CONTAINER_EXPIRES_IN
from pytest_claude_files._core.message_rules import MAX_IMAGE_SIDE, image_size
from pytest_claude_files.errors import ERROR_CODE_STATUS, ClaudeFilesMisuseWarning

from .conftest import sdk_at_least

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)
MODEL = "claude-fake-model"
pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(now=NOW, freeze_time=True, max_retries=0)]


async def create(client: Any, messages: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("max_tokens", 256)
    answer = client.messages.create(model=MODEL, messages=messages, **kwargs)
    return await answer if inspect.isawaitable(answer) else answer


def user(*blocks: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(blocks)}]


def tool(version: str) -> dict[str, str]:
    return {"type": f"code_execution_{version}", "name": "code_execution"}


def png(width: int, height: int) -> bytes:
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"
    return header + struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"


# -- request rules --------------------------------------------------------------------------------
async def test_consecutive_user_turns_are_accepted(sdk_client: Any) -> None:
    turns = [{"role": "user", "content": "first"}, {"role": "user", "content": "second"}]
    assert (await create(sdk_client, turns)).stop_reason == "end_turn"


async def test_max_tokens_zero_populates_the_cache_without_a_response(
    sdk_client: Any, claude_files: Any
) -> None:
    claude_files.messages.reply("not used by a max_tokens=0 request")
    message = await create(sdk_client, user({"type": "text", "text": "warm the cache"}), max_tokens=0)
    assert (message.content, message.stop_reason, message.usage.output_tokens) == ([], "max_tokens", 0)
    assert len(claude_files.messages.pending_replies) == 1
    claude_files.messages.reset_replies()


async def test_absurd_max_tokens_and_a_huge_model_are_refused(sdk_client: Any) -> None:
    with pytest.raises(anthropic.BadRequestError, match="maximum allowed number of output tokens"):
        # (timeout=: the SDK refuses a long non-streamed request itself unless a timeout is given)
        await create(sdk_client, user({"type": "text", "text": "x"}), max_tokens=10**9, timeout=30)
    with pytest.raises(anthropic.BadRequestError, match="at most 256 characters"):
        answer = sdk_client.messages.create(model="m" * 2**20, max_tokens=1,
                                            messages=user({"type": "text", "text": "x"}))
        await answer if inspect.isawaitable(answer) else answer


async def test_a_file_source_under_2023_06_01_needs_no_beta(sdk_client: Any, claude_files: Any) -> None:
    doc = claude_files.add_file("notes.txt", "hello", mime_type="text/plain")
    block = {"type": "document", "source": {"type": "file", "file_id": doc.id}}
    message = await create(sdk_client, user(block), extra_headers={"anthropic-version": "2023-06-01"})
    assert message.stop_reason == "end_turn"


# -- code execution ---------------------------------------------------------------------------
async def test_code_execution_20250522_answers_with_its_own_blocks(
    sdk_client: Any, claude_files: Any
) -> None:
    claude_files.messages.reply("Done.", output_files={"chart.png": png(10, 10)}, command="print(1)",
                                stdout="1\n")
    message = await create(sdk_client, user({"type": "text", "text": "chart"}), tools=[tool("20250522")])
    kinds = [b.type for b in message.content]
    assert kinds[:2] == ["server_tool_use", "code_execution_tool_result"]
    assert message.content[0].name == "code_execution" and message.content[0].input == {"code": "print(1)"}
    result = message.content[1].content
    assert (result.type, result.stdout) == ("code_execution_result", "1\n")
    assert [o.type for o in result.content] == ["code_execution_output"]
    assert claude_files.get(result.content[0].file_id).downloadable is True


@pytest.mark.parametrize("version", ["20250825", "20260120", "20260521"])
async def test_newer_tools_answer_with_bash_blocks(sdk_client: Any, claude_files: Any, version: str) -> None:
    claude_files.messages.reply("Done.", output_files={"out.csv": b"a,b"})
    message = await create(sdk_client, user({"type": "text", "text": "csv"}), tools=[tool(version)])
    kinds = [b.type for b in message.content]
    assert kinds[:2] == ["server_tool_use", "bash_code_execution_tool_result"]
    assert message.content[1].content.content[0].type == "bash_code_execution_output"


async def test_every_code_execution_reply_has_a_short_lived_container(sdk_client: Any) -> None:
    message = await create(sdk_client, user({"type": "text", "text": "hi"}), tools=[tool("20250825")])
    assert message.container is not None and message.container.id.startswith("container_")
    assert message.container.expires_at == NOW + CONTAINER_EXPIRES_IN  # rolling, not 30 days
    plain = await create(sdk_client, user({"type": "text", "text": "hi"}))
    assert getattr(plain, "container", None) is None


async def test_a_scripted_run_without_output_files_is_kept(sdk_client: Any, claude_files: Any) -> None:
    claude_files.messages.reply("Printed.", command="echo hi", stdout="hi\n")
    message = await create(sdk_client, user({"type": "text", "text": "echo"}), tools=[tool("20250825")])
    assert message.content[0].input == {"command": "echo hi"}
    assert (message.content[1].content.stdout, message.content[1].content.content) == ("hi\n", [])


# -- API version 2026-10-21 -------------------------------------------------------------------
GA_VERSION = {"anthropic-version": "2026-10-21"}


async def test_2026_10_21_refuses_a_document_in_an_assistant_message(sdk_client: Any) -> None:
    turns = [{"role": "user", "content": "q"},
             {"role": "assistant", "content": [{"type": "document", "source": {
                 "type": "text", "media_type": "text/plain", "data": "x"}}]},
             {"role": "user", "content": "more"}]
    with pytest.raises(anthropic.BadRequestError, match="not allowed in assistant messages"):
        await create(sdk_client, turns, extra_headers=GA_VERSION)
    old = await create(sdk_client, turns, extra_headers={"anthropic-version": "2023-06-01"})
    assert old.stop_reason == "end_turn"


async def test_2026_10_21_refuses_citations_in_a_user_text_block(sdk_client: Any) -> None:
    cited = {"type": "text", "text": "as quoted", "citations": [{
        "type": "char_location", "cited_text": "x", "document_index": 0, "document_title": None,
        "start_char_index": 0, "end_char_index": 1}]}
    with pytest.raises(anthropic.BadRequestError, match="citations are not allowed in user messages"):
        await create(sdk_client, user(cited), extra_headers=GA_VERSION)


@pytest.mark.parametrize("name", ["temperature", "top_p", "top_k"])
async def test_2026_10_21_refuses_sampling_parameters(sdk_client: Any, name: str) -> None:
    value = 5 if name == "top_k" else 0.5
    with pytest.raises(anthropic.BadRequestError, match=f"{name}: Extra inputs are not permitted"):
        await create(sdk_client, user({"type": "text", "text": "x"}), extra_headers=GA_VERSION,
                     extra_body={name: value})
    old = await create(sdk_client, user({"type": "text", "text": "x"}),
                       extra_headers={"anthropic-version": "2023-06-01"}, extra_body={name: value})
    assert old.stop_reason == "end_turn"


# -- PDFs and images ----------------------------------------------------------------------------
def pdf(pages: int, *, encrypted: bool = False) -> bytes:
    body = b"".join(b"<< /Type /Page >>\n" for _ in range(pages))
    head = b"%PDF-1.7\n<< /Type /Pages /Count " + str(pages).encode() + b" >>\n"
    return head + body + (b"/Encrypt 5 0 R\n" if encrypted else b"")


async def test_pdfs_over_the_page_limit_and_encrypted_pdfs_are_refused(
    sdk_client: Any, claude_files: Any
) -> None:
    def ask(meta: Any, model: str = MODEL) -> Any:
        answer = sdk_client.messages.create(model=model, max_tokens=16, messages=user(
            {"type": "document", "source": {"type": "file", "file_id": meta.id}}))
        return answer

    async def run(value: Any) -> Any:
        return await value if inspect.isawaitable(value) else value

    ok = claude_files.add_file("ok.pdf", pdf(600), mime_type="application/pdf")
    assert (await run(ask(ok))).type == "message"  # accepted
    with pytest.raises(anthropic.BadRequestError, match=r"A maximum of 100 PDF pages may be provided\."):
        await run(ask(ok, "claude-haiku-4-5"))  # a context window under 1M
    big = claude_files.add_file("big.pdf", pdf(601), mime_type="application/pdf")
    with pytest.raises(anthropic.BadRequestError, match=r"A maximum of 600 PDF pages may be provided\."):
        await run(ask(big))
    locked = claude_files.add_file("locked.pdf", pdf(1, encrypted=True), mime_type="application/pdf")
    with pytest.raises(anthropic.BadRequestError, match="encrypted"):
        await run(ask(locked))


async def test_an_image_too_large_names_its_path_in_details(sdk_client: Any, claude_files: Any) -> None:
    small = claude_files.add_file("small.png", png(100, 100), mime_type="image/png")
    wide = claude_files.add_file("wide.png", png(MAX_IMAGE_SIDE + 1, 10), mime_type="image/png")
    blocks = [{"type": "image", "source": {"type": "file", "file_id": f.id}} for f in (small, wide)]
    with pytest.raises(anthropic.BadRequestError) as caught:
        await create(sdk_client, user(*blocks))
    details = caught.value.response.json()["error"]["details"]
    assert details == {"error_code": "image_dimensions_too_large", "max_side_length_pixels": 8000,
                       "paths": ["messages.0.content.1"]}
    if sdk_at_least(2, 17):
        assert caught.value.error_code == "image_dimensions_too_large"


async def test_a_prompt_over_the_context_window_is_refused(sdk_client: Any, claude_files: Any) -> None:
    doc = claude_files.add_file("big.txt", b"x" * 900_000, mime_type="text/plain")  # 225,000 tokens
    block = {"type": "document", "source": {"type": "file", "file_id": doc.id}}
    assert (await create(sdk_client, user(block))).type == "message"  # under 1M
    with pytest.raises(anthropic.BadRequestError, match=r"prompt is too long: .* > 200000 maximum"):
        answer = sdk_client.messages.create(model="claude-haiku-4-5", max_tokens=8, messages=user(block))
        await answer if inspect.isawaitable(answer) else answer


def test_image_size_reads_png_and_gif_headers() -> None:
    assert image_size(png(3, 4)) == (3, 4)
    assert image_size(b"GIF89a" + struct.pack("<HH", 5, 6)) == (5, 6)
    assert image_size(b"\xff\xd8\xff") is None  # decision: JPEG and WebP are not measured


def test_the_new_error_codes_have_their_statuses() -> None:
    assert ERROR_CODE_STATUS["storage_not_ready"] == 503
    assert ERROR_CODE_STATUS["organization_url_fetch_disabled"] == 400
    assert ERROR_CODE_STATUS["image_dimensions_too_large"] == 400


# -- misuse ----------------------------------------------------------------------------------------
async def test_a_container_upload_without_code_execution_warns(sdk_client: Any, claude_files: Any) -> None:
    data = claude_files.add_file("data.csv", "a,b", mime_type="text/csv")
    with pytest.warns(ClaudeFilesMisuseWarning, match="silently ignores the file"):
        await create(sdk_client, user({"type": "container_upload", "file_id": data.id},
                                      {"type": "text", "text": "analyse"}))
    assert [w.code for w in claude_files.warnings] == ["container-upload-ignored"]


async def test_a_container_upload_with_code_execution_does_not_warn(
    sdk_client: Any, claude_files: Any
) -> None:
    data = claude_files.add_file("data.csv", "a,b", mime_type="text/csv")
    await create(sdk_client, user({"type": "container_upload", "file_id": data.id},
                                  {"type": "text", "text": "analyse"}), tools=[tool("20250825")])
    assert claude_files.warnings == []


async def test_an_expired_container_expiry_moves_with_the_clock(sdk_client: Any, claude_files: Any) -> None:
    first = await create(sdk_client, user({"type": "text", "text": "a"}), tools=[tool("20250825")])
    claude_files.clock.advance(minutes=1)
    again = await create(sdk_client, user({"type": "text", "text": "b"}), tools=[tool("20250825")],
                         extra_body={"container": first.container.id})
    assert again.container.id == first.container.id
    assert again.container.expires_at == first.container.expires_at + timedelta(minutes=1)  # rolling
