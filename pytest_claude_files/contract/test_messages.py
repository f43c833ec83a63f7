"""The Messages boundary: file references in content blocks (docs/fidelity.md, ## Messages: file references).

Cost against the real API: every request uses ``max_tokens=1`` on the smallest model
(:data:`MODEL`) with a document of a few bytes. Only the accepted request is billed
(about 40 input tokens and 1 output token: well under a thousandth of a cent); the refused
ones (400, 404) and ``count_tokens`` are not billed.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files.contract._harness import Answer, Contract

fidelity = pytest.mark.claude_files_fidelity
MODEL = "claude-haiku-4-5"
FILES_BETA = "files-api-2025-04-14"


def _ask(c: Any, *blocks: dict[str, Any], **kwargs: Any) -> Any:
    """``beta.messages.create`` with the files beta (every SDK generation), max_tokens=1."""
    content = [*blocks, {"type": "text", "text": "Reply with one word."}]
    return c.beta.messages.create(
        model=MODEL,
        max_tokens=1,
        betas=[FILES_BETA],
        messages=[{"role": "user", "content": content}],
        **kwargs,
    )


def _document(meta: Any) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "file", "file_id": meta.id}}


def _image(meta: Any) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "file", "file_id": meta.id}}


def _refused(answer: Answer, status: int, error_type: str) -> None:
    assert (answer.status, answer.error_type) == (status, error_type), answer


@fidelity("messages.reply.max-tokens", uploads=1, bytes=16, calls=("upload", "messages"))
def test_a_text_document_is_accepted(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"The sky is blue.")
    answer = contract.run(
        "messages.create with a text/plain document (max_tokens=1)",
        lambda c, f: _ask(c, _document(f)),
        doc,
        keys=("type", "role", "stop_reason"),
    )
    assert answer.ok, answer
    assert (answer.value.type, answer.value.role, answer.value.stop_reason) == (
        "message",
        "assistant",
        "max_tokens",
    )


@fidelity("messages.document.unsupported-type", uploads=2, bytes=16, calls=("upload", "messages"))
@pytest.mark.claude_files(misuse_warnings="ignore")  # the misuse is the point of the test
def test_a_csv_or_an_octet_stream_pdf_is_refused_as_a_document(contract: Contract) -> None:
    csv = contract.upload("table.csv", b"a,b\n1,2", "text/csv")
    _refused(
        contract.run("messages.create with a text/csv document", lambda c, f: _ask(c, _document(f)), csv),
        400,
        "invalid_request_error",
    )
    pdf = contract.upload("report.pdf", b"%PDF-1.4\n", "application/octet-stream")
    answer = contract.run(
        "messages.create with an application/octet-stream document", lambda c, f: _ask(c, _document(f)), pdf
    )
    _refused(answer, 400, "invalid_request_error")
    assert "application/octet-stream" in answer.message


@fidelity("messages.image.type-mismatch", uploads=1, bytes=5, calls=("upload", "messages"))
def test_a_text_file_is_refused_as_an_image(contract: Contract) -> None:
    text = contract.upload("note.txt", b"hello")
    _refused(
        contract.run("messages.create with a text/plain image", lambda c, f: _ask(c, _image(f)), text),
        400,
        "invalid_request_error",
    )


@fidelity("messages.reference.not-found", uploads=1, bytes=5, calls=("upload", "delete", "messages"))
def test_a_deleted_file_is_not_found(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"hello")
    contract.run("delete", lambda c, f: c.files.delete(f.id), doc)
    _refused(
        contract.run("messages.create with a deleted file", lambda c, f: _ask(c, _document(f)), doc),
        404,
        "not_found_error",
    )


@fidelity("messages.files-beta.2023-06-01", uploads=1, bytes=5, calls=("upload", "messages"))
def test_a_file_source_without_the_beta_on_2023_06_01_is_accepted_since_ga(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"hello")

    def ask(c: Any, f: Any) -> Any:
        return c.messages.create(
            model=MODEL,
            max_tokens=1,
            extra_headers={"anthropic-version": "2023-06-01"},
            messages=[{"role": "user", "content": [_document(f), {"type": "text", "text": "Hi"}]}],
        )

    answer = contract.run("messages.create, anthropic-version 2023-06-01, no files beta", ask, doc,
                          keys=("type", "role"))
    assert answer.ok, answer  # the GA Files guide: no beta header is needed


@fidelity("messages.endpoints", uploads=1, bytes=16, calls=("upload", "count_tokens"))
def test_count_tokens_counts_a_referenced_file(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"The sky is blue.")

    def count(c: Any, f: Any) -> dict[str, bool]:
        counted = c.beta.messages.count_tokens(
            model=MODEL,
            betas=[FILES_BETA],
            messages=[{"role": "user", "content": [_document(f), {"type": "text", "text": "Hi"}]}],
        )
        return {"positive": counted.input_tokens > 0}

    answer = contract.run("count_tokens with a text/plain document", count, doc)
    assert answer.value == {"positive": True}


def _sdk_major() -> int:
    from importlib import metadata

    return int(metadata.version("anthropic").split(".")[0])


@fidelity("messages.files-beta.ga", uploads=1, bytes=16, calls=("upload", "messages"))
def test_on_the_ga_version_a_file_source_needs_no_beta(contract: Contract) -> None:
    if _sdk_major() < 2:
        pytest.skip("SDKs before 2.0 send anthropic-version 2023-06-01 (messages.files-beta.2023-06-01)")
    doc = contract.upload("note.txt", b"The sky is blue.")

    def ask(c: Any, f: Any) -> Any:
        content = [_document(f), {"type": "text", "text": "Reply with one word."}]
        return c.messages.create(model=MODEL, max_tokens=1, messages=[{"role": "user", "content": content}])

    answer = contract.run(
        "messages.create (2026-10-21, no beta) with a text/plain document (max_tokens=1)",
        ask,
        doc,
        keys=("type", "role"),
    )
    assert answer.ok, answer


@fidelity("messages.required-fields", calls=("messages",))
def test_a_request_without_max_tokens_is_refused_with_the_apis_wording(contract: Contract) -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}]}
    answer = contract.run(
        "POST /v1/messages without max_tokens (message)",
        lambda c: c.post("/v1/messages", body=body, cast_to=object),
        message=True,
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")
    assert "max_tokens" in answer.message


@fidelity("messages.stream.events", uploads=1, bytes=16, calls=("upload", "messages"))
def test_a_streamed_reply_sends_the_events_in_order(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"The sky is blue.")

    def events(c: Any, f: Any) -> list[str]:
        kinds: list[str] = []
        with _stream(c, f) as stream:
            for event in stream:
                kind = str(event.type)
                if kind != "ping" and not (kinds and kinds[-1] == kind == "content_block_delta"):
                    kinds.append(kind)
        return [
            k for k in kinds if not k.startswith(("text", "input_json", "citation", "signature", "thinking"))
        ]

    answer = contract.run(
        "messages.stream with a text/plain document (max_tokens=1): the event types", events, doc
    )
    assert answer.value == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


def _stream(c: Any, f: Any) -> Any:
    content = [_document(f), {"type": "text", "text": "Reply with one word."}]
    return c.beta.messages.stream(
        model=MODEL, max_tokens=1, betas=[FILES_BETA], messages=[{"role": "user", "content": content}]
    )


@fidelity("messages.reference.places", uploads=1, bytes=5, calls=("upload", "delete", "messages"))
def test_a_file_nested_in_a_tool_result_is_checked(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"hello")
    contract.run("delete", lambda c, f: c.files.delete(f.id), doc)

    def ask(c: Any, f: Any) -> Any:
        turns = [
            {"role": "user", "content": "Look it up."},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_01contract", "name": "lookup", "input": {}}],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_01contract", "content": [_document(f)]}
                ],
            },
        ]
        tools = [{"name": "lookup", "description": "Look it up.", "input_schema": {"type": "object"}}]
        return c.beta.messages.create(
            model=MODEL, max_tokens=1, betas=[FILES_BETA], messages=turns, tools=tools
        )

    _refused(
        contract.run("messages.create with a deleted file inside a tool_result", ask, doc),
        404,
        "not_found_error",
    )


def _create(c: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("messages", [{"role": "user", "content": "Reply with one word."}])
    return c.messages.create(model=MODEL, **kwargs)


@fidelity("messages.turns.consecutive", calls=("messages",))
def test_consecutive_user_turns_are_combined(contract: Contract) -> None:
    turns = [{"role": "user", "content": "Hello."}, {"role": "user", "content": "Reply with one word."}]
    answer = contract.run("messages.create with two user turns in a row (max_tokens=1)",
                          lambda c: _create(c, max_tokens=1, messages=turns), keys=("type", "role"))
    assert answer.ok, answer


@fidelity("messages.max-tokens.zero", calls=("messages",))
def test_max_tokens_zero_is_accepted(contract: Contract) -> None:
    answer = contract.run("messages.create max_tokens=0", lambda c: _create(c, max_tokens=0),
                          keys=("type", "stop_reason"))
    assert answer.ok, answer


@fidelity("messages.max-tokens.bound", calls=("messages",))
def test_an_absurd_max_tokens_is_refused(contract: Contract) -> None:
    answer = contract.run("messages.create max_tokens=10**9",
                          lambda c: _create(c, max_tokens=10**9, timeout=60))
    _refused(answer, 400, "invalid_request_error")


@fidelity("messages.model.bound", calls=("messages",))
def test_a_huge_model_name_is_refused(contract: Contract) -> None:
    answer = contract.run("messages.create model=<1 MB>",
                          lambda c: c.messages.create(model="m" * 2**20, max_tokens=1,
                                                      messages=[{"role": "user", "content": "Hi"}]))
    assert answer.status == 400, answer


@fidelity("messages.version-2026-10-21.assistant-document", calls=("messages",))
def test_a_document_in_an_assistant_message_is_refused_on_2026_10_21(contract: Contract) -> None:
    if _sdk_major() < 2:
        pytest.skip("SDKs before 2.0 send anthropic-version 2023-06-01")
    document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [document]},
             {"role": "user", "content": "Reply with one word."}]
    answer = contract.run("messages.create, a document in an assistant turn",
                          lambda c: _create(c, max_tokens=1, messages=turns))
    _refused(answer, 400, "invalid_request_error")


@fidelity("messages.version-2026-10-21.user-citations", calls=("messages",))
def test_citations_in_a_user_text_block_are_refused_on_2026_10_21(contract: Contract) -> None:
    if _sdk_major() < 2:
        pytest.skip("SDKs before 2.0 send anthropic-version 2023-06-01")
    cited = {"type": "text", "text": "Hi", "citations": [{
        "type": "char_location", "cited_text": "x", "document_index": 0, "document_title": None,
        "start_char_index": 0, "end_char_index": 1}]}
    answer = contract.run("messages.create, citations in a user text block",
                          lambda c: _create(c, max_tokens=1, messages=[{"role": "user", "content": [cited]}]))
    _refused(answer, 400, "invalid_request_error")


@fidelity("messages.version-2026-10-21.sampling", calls=("messages",))
def test_temperature_on_2026_10_21_is_refused(contract: Contract) -> None:
    if _sdk_major() < 2:
        pytest.skip("SDKs before 2.0 send anthropic-version 2023-06-01")
    answer = contract.run("messages.create temperature=0.5 (extra_body; the 2.x SDK has no parameter)",
                          lambda c: _create(c, max_tokens=1, extra_body={"temperature": 0.5}))
    _refused(answer, 400, "invalid_request_error")


@fidelity("messages.code-execution.container-upload-2023-06-01", uploads=1, bytes=3,
          calls=("upload", "messages"))
def test_a_container_upload_under_2023_06_01_is_accepted(contract: Contract) -> None:
    data = contract.upload("data.csv", b"a,b")

    def ask(c: Any, f: Any) -> Any:
        content = [{"type": "container_upload", "file_id": f.id},
                   {"type": "text", "text": "Reply with one word."}]
        return c.messages.create(model=MODEL, max_tokens=1,
                                 extra_headers={"anthropic-version": "2023-06-01"},
                                 tools=[{"type": "code_execution_20250825", "name": "code_execution"}],
                                 messages=[{"role": "user", "content": content}])

    answer = contract.run("messages.create, container_upload, anthropic-version 2023-06-01", ask, data,
                          keys=("type", "role"))
    assert answer.ok, answer
