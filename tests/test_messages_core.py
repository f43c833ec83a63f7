"""``FakeMessages`` without HTTP: required fields, every reference place, tokens, replies, mistakes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pytest_claude_files._core.messages import FILE_NOT_FOUND, Reply
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files.errors import InvalidRequestError, NotFoundError, RequestTooLargeError

MODEL = "claude-fake-model"


def body(*content: Any, **extra: Any) -> dict[str, Any]:
    """A one-message request: a text (one ``str``) or content blocks."""
    text_only = len(content) == 1 and isinstance(content[0], str)
    message = {"role": "user", "content": content[0] if text_only else list(content)}
    return {"model": MODEL, "max_tokens": 100, "messages": [message], **extra}


def doc(file_id: str) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "file", "file_id": file_id}}


@pytest.fixture
def fake() -> FakeFiles:
    return FakeFiles()


@pytest.mark.parametrize(("request_body", "wording"), [
    ({"max_tokens": 1, "messages": []}, "model: Field required"),
    ({"model": MODEL, "messages": []}, "max_tokens: Field required"),
    ({"model": MODEL, "max_tokens": 1}, "messages: Field required"),
    ({"model": 3, "max_tokens": 1, "messages": []}, "model: Input should be a valid string"),
    ({"model": MODEL, "max_tokens": "1", "messages": []}, "max_tokens: Input should be a valid integer"),
    ({"model": MODEL, "max_tokens": -1, "messages": []},
     "max_tokens: Input should be greater than or equal to 0"),
    ({"model": MODEL, "max_tokens": 10**9, "messages": [{"role": "user", "content": "a"}]},
     f"max_tokens: 1000000000 > 128000, which is the maximum allowed number of output tokens for {MODEL}"),
    ({"model": "m" * 2**20, "max_tokens": 1, "messages": [{"role": "user", "content": "a"}]},
     "model: String should have at most 256 characters"),
    ({"model": MODEL, "max_tokens": 1, "messages": {}}, "messages: Input should be a valid list"),
    ({"model": MODEL, "max_tokens": 1, "messages": []}, "messages: at least one message is required"),
    ({"model": MODEL, "max_tokens": 1, "messages": [{"role": "assistant", "content": "x"}]},
     'messages: first message must use the "user" role'),
    ({"model": MODEL, "max_tokens": 1, "messages": [{"role": "robot", "content": "x"}]},
     "messages.0.role: Input should be 'user' or 'assistant'"),
    ({"model": MODEL, "max_tokens": 1, "messages": [{"role": "user"}]}, "messages.0.content: Field required"),
    ({"model": MODEL, "max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "image"}]}]},
     "messages.0.content.0.image.source: Field required"),
    ({"model": MODEL, "max_tokens": 1, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "text", "data": "x"}}]}]},
     "messages.0.content.0.image.source: Input tag 'text' found using 'type' does not match any of the "
     "expected tags: 'base64', 'url'"),
    ([], "Input should be a valid dictionary"),
])
def test_required_fields_with_the_api_wording(fake: FakeFiles, request_body: Any, wording: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        fake.messages.create(request_body)
    assert caught.value.message == wording
    assert fake.messages.requests[-1].error is caught.value


def test_count_tokens_needs_no_max_tokens(fake: FakeFiles) -> None:
    request = body({"type": "text", "text": "x" * 40})
    del request["max_tokens"]
    assert fake.messages.count_tokens(request) == {"input_tokens": 3 + 10}


NESTED_PLACES = [
    ("system", lambda f: {"system": [doc(f)]}, "system.0.document.source"),
    ("tool_result", lambda f: {"messages": [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [doc(f)]}]}]},
     "messages.0.content.0.tool_result.content.0.document.source"),
    ("document with content source", lambda f: {"messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "content", "content": [
            {"type": "image", "source": {"type": "file", "file_id": f}}]}}]}]},
     "messages.0.content.0.document.source.content.0.image.source"),
    ("web_fetch_tool_result", lambda f: {"messages": [{"role": "user", "content": "q"}, {
        "role": "assistant", "content": [{"type": "web_fetch_tool_result", "tool_use_id": "s", "content": {
            "type": "web_fetch_result", "url": "https://x", "content": doc(f)}}]}]},
     "messages.1.content.0.web_fetch_tool_result.content.content.document.source"),
    ("replayed bash output", lambda f: {"messages": [{"role": "user", "content": "q"}, {
        "role": "assistant", "content": [{"type": "bash_code_execution_tool_result", "tool_use_id": "s",
                                          "content": {"type": "bash_code_execution_result", "stdout": "",
                                                      "stderr": "", "return_code": 0, "content": [
                                                          {"type": "bash_code_execution_output",
                                                           "file_id": f}]}}]}]},
     "messages.1.content.0.bash_code_execution_tool_result.content.content.0.bash_code_execution_output"
     ".file_id"),
]


@pytest.mark.parametrize(("place", "make", "path"), NESTED_PLACES, ids=[p[0] for p in NESTED_PLACES])
def test_every_place_a_file_is_referenced(fake: FakeFiles, place: str, make: Any, path: str) -> None:
    pic = fake.add_file("p.pdf", b"%PDF") if "image" not in path else fake.add_file("p.png", b"PNG")
    request = {**body({"type": "text", "text": "hi"}), **make(pic.id)}

    fake.messages.create(request)
    assert [ref.path for ref in fake.messages.requests[-1].files] == [path]

    fake.delete(pic.id)
    with pytest.raises(NotFoundError) as caught:
        fake.messages.create(copy.deepcopy(request))
    assert caught.value.message == FILE_NOT_FOUND


def test_too_many_referenced_bytes_is_413(fake: FakeFiles) -> None:
    fake.messages.max_referenced_bytes = 1000
    big = fake.add_file("big.pdf", b"%" * 900)
    fake.messages.create(body(doc(big.id)))
    with pytest.raises(RequestTooLargeError) as caught:
        fake.messages.create(body(doc(big.id), doc(big.id)))
    assert caught.value.status == 413 and caught.value.error_type == "request_too_large"


def test_max_tokens_cuts_the_text(fake: FakeFiles) -> None:
    fake.messages.reply("word " * 100)
    message = fake.messages.create({**body("hi"), "max_tokens": 5})
    assert message["stop_reason"] == "max_tokens"
    assert message["content"][0]["text"] == ("word " * 4)[:20]
    assert message["usage"]["output_tokens"] == 5


def test_replies_in_order_then_responder_then_default(fake: FakeFiles) -> None:
    fake.messages.reply("one")
    fake.messages.reply(tool_use={"name": "lookup", "input": {"q": 1}})
    seen: list[Any] = []

    def responder(request: Any) -> Any:
        seen.append(request)
        return "from the responder" if len(seen) == 1 else None

    fake.messages.respond_with(responder)
    answers = [fake.messages.create(body("hi")) for _ in range(4)]

    assert answers[0]["content"] == [{"type": "text", "text": "one"}]
    assert answers[1]["stop_reason"] == "tool_use" and answers[1]["content"][0]["name"] == "lookup"
    assert answers[2]["content"][0]["text"] == "from the responder"
    assert answers[3]["content"][0]["text"].startswith("pytest-claude-files fake reply. No files referenced")
    assert seen[0].operation == "create" and seen[0].body["model"] == MODEL


def test_a_responder_that_raises_is_a_400_and_a_mistake(fake: FakeFiles) -> None:
    fake.messages.respond_with(lambda request: 1 / 0)
    with pytest.raises(InvalidRequestError) as caught:
        fake.messages.create(body("hi"))
    assert "ZeroDivisionError" in caught.value.message
    assert fake.messages.problems() == fake.messages.mistakes and len(fake.messages.mistakes) == 1


def test_reply_checks_its_arguments(fake: FakeFiles) -> None:
    with pytest.raises(TypeError):
        fake.messages.reply(output_files={"a.png": "text"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="filename"):
        fake.messages.reply(output_files={"a<b.png": b"x"})
    with pytest.raises(ValueError, match="stop_reason"):
        fake.messages.reply(stop_reason="done")
    with pytest.raises(TypeError, match="name"):
        fake.messages.reply(tool_use={"input": {}})
    assert fake.messages.pending_replies == []


def test_unused_replies_are_a_problem_and_reset_forgets(fake: FakeFiles) -> None:
    fake.messages.reply("never used")
    (problem,) = fake.messages.problems()
    assert problem.startswith("1 scripted reply of claude_files.messages.reply() never used:\n"
                              "  - reply with text 'never used'\n"
                              "No Messages create requests arrived at all.")
    fake.messages.assert_all_scripted_used = False
    assert fake.messages.problems() == []
    fake.reset()
    assert fake.messages.pending_replies == [] and fake.messages.requests == []


def test_output_files_are_downloadable_with_their_mime_type(fake: FakeFiles) -> None:
    fake.messages.queue(Reply("done", output_files=(("r.bin", b"\x00\x01", "application/x-thing"),)))
    message = fake.messages.create(body("go", tools=[{"type": "code_execution_20250825",
                                                      "name": "code_execution"}]))
    file_id = message["content"][1]["content"]["content"][0]["file_id"]
    meta, data = fake.download(file_id)
    assert (meta.downloadable, meta.mime_type, bytes(data)) == (True, "application/x-thing", b"\x00\x01")
    assert message["container"]["expires_at"].endswith("Z")


def test_add_file_keeps_an_explicit_mime_type(fake: FakeFiles) -> None:
    assert fake.add_file("x.pdf", b"%PDF", mime_type="application/octet-stream").mime_type == (
        "application/octet-stream")
    assert fake.add_file("x.pdf", b"%PDF").mime_type == "application/pdf"
    assert fake.add_file("x.bin", b"", mime_type=" text/plain ").mime_type == "text/plain"


def test_the_fixture_fails_the_test_on_a_scripting_mistake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_forgot_code_execution(claude_files, claude_files_client):
            claude_files.messages.reply("chart", output_files={"chart.png": b"PNG"})
            try:
                claude_files_client.messages.create(
                    model="m", max_tokens=5, messages=[{"role": "user", "content": "plot"}])
            except Exception:
                pass  # the code under test swallows the error

        def test_unused_reply(claude_files):
            claude_files.messages.reply("nobody asks")
        """
    )
    result = pytester.runpytest("-q", "-p", "no:faker", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines([
        "*claude_files.messages: pytest-claude-files: the scripted reply has output_files (chart.png)*",
        "*1 scripted reply of claude_files.messages.reply() never used:",
        "  - reply with text 'nobody asks'",
    ])


def test_the_sse_body_is_the_real_event_sequence(fake: FakeFiles) -> None:
    from pytest_claude_files._http import sse

    fake.messages.reply("Hi there", tool_use={"name": "t", "input": {"k": "v" * 20}})
    message = fake.messages.create(body("go"))
    names = [name for name, _ in sse.events(message)]

    block = ["content_block_start", "content_block_delta", "content_block_delta", "content_block_stop"]
    assert names == ["message_start", "ping", *block, *block, "message_delta", "message_stop"]
    raw = sse.render(message).decode()
    assert raw.startswith("event: message_start\ndata: {")
    assert raw.endswith('event: message_stop\ndata: {"type":"message_stop"}\n\n')
    start = next(data for name, data in sse.events(message) if name == "message_start")
    assert start["message"]["content"] == [] and start["message"]["stop_reason"] is None
