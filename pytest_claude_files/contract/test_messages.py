"""The Messages boundary: file references in content blocks (docs/fidelity.md, ## Messages: file references).

Cost against the real API: every request uses ``max_tokens=1`` on the smallest model
(:data:`MODEL`) with a document of a few bytes. Only the accepted request is billed
(about 40 input tokens and 1 output token: well under a thousandth of a cent); the refused
ones (400, 404) and ``count_tokens`` are not billed.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from pytest_claude_files.contract._harness import Answer, Contract

if importlib.util.find_spec("pytest_claude_files._core.messages") is None:  # pragma: no cover
    pytest.skip("this build of the fake has no Messages side to compare with", allow_module_level=True)

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


@fidelity("messages.document.text-plain", uploads=1, bytes=16, calls=("upload", "messages"))
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


@fidelity("messages.document.unsupported-type", uploads=1, bytes=7, calls=("upload", "messages"))
def test_a_csv_document_is_refused(contract: Contract) -> None:
    csv = contract.upload("table.csv", b"a,b\n1,2", "text/csv")
    _refused(
        contract.run("messages.create with a text/csv document", lambda c, f: _ask(c, _document(f)), csv),
        400,
        "invalid_request_error",
    )


@fidelity("messages.document.octet-stream", uploads=1, bytes=9, calls=("upload", "messages"))
@pytest.mark.filterwarnings("ignore:.*octet-stream")
def test_an_octet_stream_pdf_is_refused_as_a_document(contract: Contract) -> None:
    pdf = contract.upload("report.pdf", b"%PDF-1.4\n", "application/octet-stream")
    answer = contract.run(
        "messages.create with an application/octet-stream document", lambda c, f: _ask(c, _document(f)), pdf
    )
    _refused(answer, 400, "invalid_request_error")
    assert "application/octet-stream" in answer.message


@fidelity("messages.image.wrong-type", uploads=1, bytes=5, calls=("upload", "messages"))
def test_a_text_file_is_refused_as_an_image(contract: Contract) -> None:
    text = contract.upload("note.txt", b"hello")
    _refused(
        contract.run("messages.create with a text/plain image", lambda c, f: _ask(c, _image(f)), text),
        400,
        "invalid_request_error",
    )


@fidelity("messages.file.deleted", uploads=1, bytes=5, calls=("upload", "delete", "messages"))
def test_a_deleted_file_is_not_found(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"hello")
    contract.run("delete", lambda c, f: c.files.delete(f.id), doc)
    _refused(
        contract.run("messages.create with a deleted file", lambda c, f: _ask(c, _document(f)), doc),
        404,
        "not_found_error",
    )


@fidelity("messages.file.beta-needed-before-ga", uploads=1, bytes=5, calls=("upload", "messages"))
def test_a_file_source_without_the_beta_on_2023_06_01_is_refused(contract: Contract) -> None:
    doc = contract.upload("note.txt", b"hello")

    def ask(c: Any, f: Any) -> Any:
        return c.messages.create(
            model=MODEL,
            max_tokens=1,
            extra_headers={"anthropic-version": "2023-06-01"},
            messages=[{"role": "user", "content": [_document(f), {"type": "text", "text": "Hi"}]}],
        )

    answer = contract.run("messages.create, anthropic-version 2023-06-01, no files beta", ask, doc)
    _refused(answer, 400, "invalid_request_error")
    assert "'file'" in answer.message


@fidelity("messages.count-tokens.file", uploads=1, bytes=16, calls=("upload", "count_tokens"))
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
