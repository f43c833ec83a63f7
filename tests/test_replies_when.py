"""Replies matched to requests: ``claude_files.messages.reply(..., when=...)``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pytest_claude_files._core.replies import ReplyQueue, When


def ask(client: Any, *blocks: Any, text: str = "go") -> Any:
    content = [*blocks, {"type": "text", "text": text}]
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=256,
                                  messages=[{"role": "user", "content": content}])


def document(file_id: str) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "file", "file_id": file_id}}


def text_of(message: Any) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def test_a_reply_when_a_file_id_answers_only_the_request_that_references_it(
    claude_files: Any, claude_files_client: Any
) -> None:
    upload = claude_files_client.beta.files.upload
    invoice = upload(file=("invoice.pdf", b"%PDF-1.4 invoice", "application/pdf")).id
    notes = upload(file=("notes.txt", b"notes", "text/plain")).id
    claude_files.messages.reply("about the invoice", when=invoice)
    claude_files.messages.reply("the next one")

    first = ask(claude_files_client, document(notes))  # does not reference the invoice
    second = ask(claude_files_client, document(notes), document(invoice))
    third = ask(claude_files_client, document(invoice))  # the matched reply was used once

    assert text_of(first) == "the next one"
    assert text_of(second) == "about the invoice"
    assert text_of(third).startswith("pytest-claude-files fake reply.")
    assert claude_files.messages.pending_replies == []


def test_text_and_predicate_matchers_async(claude_files: Any, claude_files_async_client: Any) -> None:
    claude_files.messages.reply("a summary", when="summarize")
    claude_files.messages.reply("long", when=lambda request: request.body["max_tokens"] > 100)

    async def main() -> list[str]:
        client = claude_files_async_client
        out = []
        for prompt, max_tokens in (("hello", 10), ("please summarize this", 10), ("hello", 500)):
            message = await client.messages.create(
                model="m", max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}])
            out.append(text_of(message))
        return out

    plain, summary, long = asyncio.run(main())
    assert plain.startswith("pytest-claude-files fake reply.")
    assert (summary, long) == ("a summary", "long")


def test_queue_order_first_match_then_first_without_when() -> None:
    queue: ReplyQueue[str] = ReplyQueue()
    queue.add("plain-1")
    queue.add("for-a", When.text("a"))
    queue.add("plain-2")
    queue.add("for-a-again", "a")
    assert queue.take({"x": "a"}) == "for-a"
    assert queue.take({"x": "b"}) == "plain-1"
    assert queue.take({"x": "a"}) == "for-a-again"
    assert queue.take({"x": "a"}) == "plain-2"
    assert queue.take({"x": "a"}) is None


def test_matchers_are_checked() -> None:
    assert str(When.of("file_011abc")) == "When(references file_011abc)"
    assert str(When.of("needle")) == "When(contains 'needle')"
    with pytest.raises(ValueError, match="empty text"):
        When.of("")
    with pytest.raises(TypeError, match="a predicate of the request, a file id"):
        When.of(42)  # type: ignore[arg-type]


def test_a_predicate_that_raises_is_the_test_s_mistake(claude_files: Any, claude_files_client: Any) -> None:
    import anthropic

    claude_files.messages.reply("x", when=lambda request: request.nothing)
    with pytest.raises(anthropic.BadRequestError, match="a when= predicate"):
        ask(claude_files_client)
    assert any("AttributeError" in m for m in claude_files.messages.mistakes)
    claude_files.messages.reset_replies()


def test_the_unused_reply_names_itself_and_the_refused_request(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import anthropic, pytest

        def test_sends_one_that_gets_a_400(claude_files, claude_files_client):
            claude_files.messages.reply(
                "The chart shows a steady rise in revenue over the four quarters of 2026")
            with pytest.raises(anthropic.BadRequestError):
                claude_files_client.messages.create(model="m", max_tokens=5, messages=[])
        """
    )
    result = pytester.runpytest("-q", "-p", "no:faker", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*1 scripted reply of claude_files.messages.reply() never used:",
        "  - reply with text 'The chart shows a steady rise in revenue over the four quart...'",
        "1 Messages create request arrived: 0 answered, 1 refused before a reply was taken.",
        "  refused: 400 invalid_request_error: *",
    ])
    result.stdout.no_fnmatch_line("*fewer*")
