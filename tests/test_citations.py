"""Citations of scripted replies, through the official SDK (sync and async), and the PDF reader."""

from __future__ import annotations

import inspect
import zlib
from datetime import datetime, timezone
from typing import Any

import anthropic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_claude_files._core.citations import build, check_citations, pdf_page_texts
from pytest_claude_files.strategies import citation_specs, pdf_with_pages

NOW = datetime(2025, 10, 20, 12, 0, 0, tzinfo=timezone.utc)
MODEL = "claude-fake-model"
PAGES = ["Annual report 2025.", "Revenue grew 12% to $4.2M.", "Outlook: steady."]
TEXT = "The cat sat on the mat. The dog barked."
pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(now=NOW, freeze_time=True, max_retries=0)]


async def _(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _doc(file_id: str, enabled: bool = True, title: Any = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "document", "source": {"type": "file", "file_id": file_id}}
    if enabled:
        block["citations"] = {"enabled": True}
    if title:
        block["title"] = title
    return block


async def _ask(client: Any, *blocks: Any, **kwargs: Any) -> Any:
    question = {"type": "text", "text": "What happened to revenue?"}
    return await _(client.messages.create(model=MODEL, max_tokens=1024, messages=[
        {"role": "user", "content": [*blocks, question]}], **kwargs))


async def test_a_reply_citing_an_uploaded_pdf_names_the_file(sdk_client: Any, claude_files: Any) -> None:
    pdf = await _(sdk_client.files.upload(file=("report.pdf", pdf_with_pages(PAGES), "application/pdf")))
    claude_files.messages.reply("Revenue grew 12%.", citations=[
        {"file_id": pdf.id, "cited_text": "Revenue grew 12% to $4.2M."}])
    reply = await _ask(sdk_client, _doc(pdf.id, title="Report"))
    citation = reply.content[0].citations[0]
    assert citation.file_id == pdf.id
    assert citation.type == "page_location"
    assert (citation.start_page_number, citation.end_page_number) == (2, 3)
    assert citation.document_index == 0 and citation.document_title == "Report"
    assert citation.cited_text == "Revenue grew 12% to $4.2M."


async def test_a_text_file_is_cited_by_characters(sdk_client: Any, claude_files: Any) -> None:
    other = await _(sdk_client.files.upload(file=("a.txt", b"first document", "text/plain")))
    notes = await _(sdk_client.files.upload(file=("notes.txt", TEXT.encode(), "text/plain")))
    claude_files.messages.reply("A dog barked.",
                                citations=[{"file_id": notes.id, "cited_text": "The dog barked."}])
    reply = await _ask(sdk_client, _doc(other.id), _doc(notes.id))
    citation = reply.content[0].citations[0]
    assert citation.type == "char_location" and citation.document_index == 1
    assert TEXT[citation.start_char_index:citation.end_char_index] == "The dog barked."
    assert citation.file_id == notes.id


async def test_a_content_document_is_cited_by_block(sdk_client: Any, claude_files: Any) -> None:
    claude_files.messages.reply("Second point.", citations=[{"document_index": 0, "cited_text": "point two"}])
    blocks = [{"type": "text", "text": "point one"}, {"type": "text", "text": "point two"}]
    content_doc = {"type": "document", "citations": {"enabled": True},
                   "source": {"type": "content", "content": blocks}}
    reply = await _ask(sdk_client, content_doc)
    citation = reply.content[0].citations[0]
    assert citation.type == "content_block_location"
    assert (citation.start_block_index, citation.end_block_index) == (1, 2)
    assert citation.file_id is None


async def test_citations_stream_as_citations_deltas(claude_files_client: Any, claude_files: Any) -> None:
    pdf = claude_files.add_file("r.pdf", pdf_with_pages(PAGES), mime_type="application/pdf")
    claude_files.messages.reply("Outlook is steady.",
                                citations=[{"file_id": pdf.id, "cited_text": "Outlook"}])
    with claude_files_client.messages.stream(model=MODEL, max_tokens=100, messages=[
            {"role": "user", "content": [_doc(pdf.id), {"type": "text", "text": "outlook?"}]}]) as stream:
        message = stream.get_final_message()
    assert message.content[0].citations[0].start_page_number == 3
    assert message.content[0].citations[0].file_id == pdf.id


async def test_citing_a_document_without_citations_enabled_fails_the_test(
        sdk_client: Any, claude_files: Any) -> None:
    pdf = await _(sdk_client.files.upload(file=("report.pdf", pdf_with_pages(PAGES), "application/pdf")))
    claude_files.messages.reply("x", citations=[{"file_id": pdf.id, "cited_text": "Outlook"}])
    with pytest.raises(anthropic.BadRequestError, match='did not enable citations'):
        await _ask(sdk_client, _doc(pdf.id, enabled=False))
    assert any("did not enable citations" in m for m in claude_files.messages.mistakes)
    claude_files.messages.reset_replies()  # (the fixture would fail this test on the mistake)


async def test_citing_a_file_the_request_does_not_send_fails_the_test(
        sdk_client: Any, claude_files: Any) -> None:
    sent = await _(sdk_client.files.upload(file=("a.txt", b"abc", "text/plain")))
    claude_files.messages.reply("x", citations=[{"file_id": "file_01other", "cited_text": "abc"}])
    with pytest.raises(anthropic.BadRequestError, match="file_01other is not a document of the request"):
        await _ask(sdk_client, _doc(sent.id))
    claude_files.messages.reply("x", citations=[{"file_id": sent.id, "cited_text": "not there"}])
    with pytest.raises(anthropic.BadRequestError, match="does not occur in document 0"):
        await _ask(sdk_client, _doc(sent.id))
    assert len(claude_files.messages.mistakes) == 2
    claude_files.messages.reset_replies()


def test_the_fixture_fails_a_test_whose_citation_was_a_mistake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import anthropic, pytest

        def test_it(claude_files, claude_files_client):
            f = claude_files.add_file("a.txt", b"abc", mime_type="text/plain")
            claude_files.messages.reply("x", citations=[{"file_id": f.id, "cited_text": "abc"}])
            try:
                claude_files_client.messages.create(model="m", max_tokens=5, messages=[{"role": "user",
                    "content": [{"type": "document", "source": {"type": "file", "file_id": f.id}}]}])
            except anthropic.BadRequestError:
                pass  # the code under test swallows it
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*did not enable citations*"])


@pytest.mark.parametrize("bad", [
    [{"cited_text": "x"}], [{"file_id": "f", "document_index": 0, "cited_text": "x"}],
    [{"file_id": "f", "cited_text": ""}], [{"file_id": "f", "cited_text": "x", "page": 1}], ["nope"],
])
def test_malformed_citations_are_refused_when_scripted(claude_files: Any, bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        claude_files.messages.reply("x", citations=bad)


def test_the_pdf_reader_follows_page_order_and_flate_streams() -> None:
    assert pdf_page_texts(pdf_with_pages(PAGES)) == PAGES
    content = zlib.compress(b"BT (Compressed page) Tj ET")
    pdf = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
           b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
           b"3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n"
           b"4 0 obj\n<< /Length " + str(len(content)).encode() + b" /Filter /FlateDecode >>\nstream\n"
           + content + b"\nendstream\nendobj\n%%EOF\n")
    assert pdf_page_texts(pdf) == ["Compressed page"]
    assert pdf_page_texts(b"%PDF-1.4 garbage") == []


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_text_citations_always_quote_the_document(data: st.DataObject) -> None:
    text = data.draw(st.text(min_size=1, max_size=80))
    specs = data.draw(citation_specs({"file_01a": text}))
    body = {"messages": [{"role": "user", "content": [_doc("file_01a")]}]}
    for citation in build(check_citations(specs), body, lambda _id: text.encode()):
        assert citation["type"] == "char_location"
        assert text[citation["start_char_index"]:citation["end_char_index"]] == citation["cited_text"]


async def test_citations_on_some_documents_only_is_the_apis_400(sdk_client: Any, claude_files: Any) -> None:
    a = claude_files.add_file("a.txt", b"alpha", mime_type="text/plain")
    b = claude_files.add_file("b.txt", b"beta", mime_type="text/plain")
    with pytest.raises(anthropic.BadRequestError, match="citations must be enabled on all or none"):
        await _ask(sdk_client, _doc(a.id), _doc(b.id, enabled=False))
    with pytest.raises(anthropic.BadRequestError, match="all or none"):
        await _(sdk_client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": [
            _doc(a.id), _doc(b.id, enabled=False)]}]))
    assert (await _ask(sdk_client, _doc(a.id, enabled=False), _doc(b.id, enabled=False))).content
    assert claude_files.messages.mistakes == []
