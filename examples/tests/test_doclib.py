"""The example suite: testing DocumentLibrary with pytest-claude-files' fixtures.

No key, no network: ``claude_files_client`` is an ``anthropic.Anthropic`` bound to an
in-memory fake of the Files API, fresh for every test, and ``claude_files`` is that fake.
"""

from __future__ import annotations

from pathlib import Path

import anthropic
import pytest
from doclib import AsyncDocumentLibrary, DocumentLibrary


def test_add_then_find(claude_files_client, claude_files):
    library = DocumentLibrary(claude_files_client)

    doc = library.add("handbook.txt", b"Welcome aboard")

    assert library.find("handbook.txt") == doc
    assert claude_files.content(doc.file_id) == b"Welcome aboard"  # what reached the API


def test_uploads_from_disk_keep_only_the_file_name(claude_files_client, tmp_path: Path):
    path = tmp_path / "reports" / "q3.pdf"
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.7 ...")

    doc = DocumentLibrary(claude_files_client).add_path(path)

    assert doc.name == "q3.pdf"
    assert doc.mime_type == "application/pdf"


def test_listing_walks_every_page(claude_files_client, claude_files):
    claude_files.add_files(250)  # seeded directly, no upload needed
    library = DocumentLibrary(claude_files_client, page_size=7)

    names = [d.name for d in library.documents()]

    assert len(names) == 250 == len(set(names))
    assert names[0] == "file-249.txt"  # newest first
    list_calls = claude_files.operations("list")
    assert len(list_calls) == 36  # ceil(250 / 7) pages


def test_total_size(claude_files_client):
    library = DocumentLibrary(claude_files_client)
    library.add("a.txt", b"x" * 10)
    library.add("b.txt", b"y" * 32)

    assert library.total_size() == 42


def test_prune_keeps_the_newest(claude_files_client, claude_files):
    library = DocumentLibrary(claude_files_client, page_size=3)
    for i in range(10):
        library.add(f"note-{i}.txt", b"...")

    removed = library.prune(keep=4)

    assert removed == 6
    assert [m.filename for m in claude_files.files] == [f"note-{i}.txt" for i in (9, 8, 7, 6)]


def test_remove_twice_reports_already_gone(claude_files_client):
    library = DocumentLibrary(claude_files_client)
    doc = library.add("tmp.txt", b"...")

    assert library.remove(doc.file_id) is True
    assert library.remove(doc.file_id) is False


def test_outputs_of_claude_tools_can_be_fetched(claude_files_client, claude_files):
    # Uploads are never downloadable; files made by code execution are.
    chart = claude_files.add_file("chart.png", b"\x89PNG...", downloadable=True)
    upload = DocumentLibrary(claude_files_client).add("input.txt", b"data")
    library = DocumentLibrary(claude_files_client)

    assert library.fetch_output(chart.id) == b"\x89PNG..."
    assert library.fetch_output(upload.file_id) is None


def test_bad_names_are_rejected_like_the_real_api(claude_files_client, claude_files):
    library = DocumentLibrary(claude_files_client)

    with pytest.raises(anthropic.BadRequestError) as excinfo:
        library.add("what?.txt", b"...")

    assert excinfo.value.status_code == 400
    assert excinfo.value.body["error"]["type"] == "invalid_request_error"
    assert len(claude_files) == 0  # nothing was stored


@pytest.mark.claude_files(max_file_size="1KB")
def test_too_large_documents(claude_files_client):
    with pytest.raises(anthropic.APIStatusError) as excinfo:
        DocumentLibrary(claude_files_client).add("big.txt", b"x" * 2048)

    assert excinfo.value.status_code == 413


@pytest.mark.claude_files(api_keys=["sk-ant-right"], api_key="sk-ant-wrong")
def test_a_wrong_key_is_refused(claude_files_client):
    with pytest.raises(anthropic.AuthenticationError):
        DocumentLibrary(claude_files_client).add("a.txt", b"...")


@pytest.mark.anyio
async def test_async_library(claude_files_async_client, claude_files):
    library = AsyncDocumentLibrary(claude_files_async_client, page_size=2)
    first = await library.add("one.txt", b"1")
    await library.add("two.txt", b"2")
    await library.add("three.txt", b"3")

    assert await library.names() == ["three.txt", "two.txt", "one.txt"]
    assert await library.remove(first.file_id) is True
    assert "one.txt" not in [m.filename for m in claude_files.files]
