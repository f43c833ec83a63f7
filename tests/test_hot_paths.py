"""What the hot paths keep between requests gives the same answers as working it out again.

The Messages side reads a referenced file's bytes once (``file_facts``), and the handler
checks an ``anthropic-beta`` value once (``check_beta`` / ``beta_names``): a second request
must still be refused (or answered) exactly as the first, and a malformed value is never
kept. The emulator answers a request without a body without waiting for one.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http import headers as _headers
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest
from pytest_claude_files.errors import InvalidRequestError


def _pdf(pages: int, *, encrypted: bool = False) -> bytes:
    body = b"".join(b"%d 0 obj << /Type /Page >> endobj\n" % (i + 3) for i in range(pages))
    return b"%PDF-1.7\n" + body + (b"/Encrypt 5 0 R\n" if encrypted else b"")


def _create(fake: FakeFiles, *file_ids: str) -> dict[str, Any]:
    content = [{"type": "document", "source": {"type": "file", "file_id": i}} for i in file_ids]
    return fake.messages.create({"model": "claude-x", "max_tokens": 10,
                                 "messages": [{"role": "user", "content": content}]})


def test_a_referenced_file_is_read_once_however_often_it_is_referenced(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeFiles()
    pdf = fake.add_file("a.pdf", _pdf(2), mime_type="application/pdf")
    reads: list[str] = []
    real = fake.files.content

    def counting(file_id: str, **kw: Any) -> bytes:
        reads.append(file_id)
        return real(file_id, **kw)

    monkeypatch.setattr(fake.files, "content", counting)
    first = _create(fake, pdf.id)
    for _ in range(4):
        assert _create(fake, pdf.id)["usage"] == first["usage"]
    assert reads == [pdf.id]


def test_an_encrypted_pdf_is_refused_every_time_not_only_the_first() -> None:
    fake = FakeFiles()
    locked = fake.add_file("locked.pdf", _pdf(1, encrypted=True), mime_type="application/pdf")
    for _ in range(3):
        with pytest.raises(InvalidRequestError, match="encrypted"):
            _create(fake, locked.id)


def test_pages_add_up_from_kept_facts_across_files_and_requests() -> None:
    fake = FakeFiles()
    big = fake.add_file("big.pdf", _pdf(60), mime_type="application/pdf")
    other = fake.add_file("other.pdf", _pdf(50), mime_type="application/pdf")
    _create(fake, big.id)  # (60 pages: within 100)
    for _ in range(2):  # 110 pages on a model under 1M tokens of context: over its 100
        with pytest.raises(InvalidRequestError, match="A maximum of 100 PDF pages"):
            fake.messages.create({"model": "claude-3-haiku", "max_tokens": 10, "messages": [
                {"role": "user", "content": [
                    {"type": "document", "source": {"type": "file", "file_id": big.id}},
                    {"type": "document", "source": {"type": "file", "file_id": other.id}}]}]})


def test_a_malformed_beta_value_is_refused_every_time_and_never_kept() -> None:
    handler = FilesHandler(FakeFiles())
    value = "files-api-2025-04-14,,bad name!"
    for _ in range(3):
        answer = handler(HTTPRequest.build("GET", "/v1/files", "", {
            "x-api-key": "k", "anthropic-version": "2023-06-01", "anthropic-beta": value}))
        assert answer.status == 400
        assert b"anthropic-beta" in bytes(answer.body)
    assert all(key[0] != value for key in _headers._CHECKED_BETAS)


def test_a_well_formed_unknown_beta_is_noticed_on_every_fake_that_sees_it() -> None:
    value = "made-up-beta-2026-01-01"
    for _ in range(2):  # (the second fake meets the kept check: it must still notice)
        fake = FakeFiles()
        answer = FilesHandler(fake)(HTTPRequest.build("GET", "/v1/files", "", {
            "x-api-key": "k", "anthropic-version": "2023-06-01", "anthropic-beta": value}))
        assert answer.status == 200
        assert any(value in w.message for w in fake.warnings), fake.warnings


def test_the_beta_dialect_is_read_from_a_kept_value_the_same_way() -> None:
    assert _headers.beta_names(" files-api-2025-04-14 , x ") == frozenset({"files-api-2025-04-14", "x"})
    value = " files-api-2025-04-14 , x "
    assert _headers.beta_names(value) is _headers.beta_names(value)
    assert _headers.beta_names("") == frozenset() == _headers.beta_names(None)


@pytest.mark.anyio
async def test_the_emulator_answers_a_bodiless_get_without_receiving() -> None:
    from pytest_claude_files.server import make_app

    app = make_app()
    meta = app.tenants.get("k").files.add_file("a.txt", b"hi")
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("a GET without content-length has no body to receive")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    path = f"/v1/files/{meta.id}"
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"x-api-key", b"k"), (b"anthropic-version", b"2023-06-01")], "scheme": "http"}
    await app(scope, receive, send)
    assert sent[0]["status"] == 200 and meta.id.encode() in sent[1]["body"]
