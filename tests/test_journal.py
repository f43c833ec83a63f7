"""The request journal of the service root: one entry per request, every resource alike."""

from __future__ import annotations

import anthropic
import pytest

from pytest_claude_files import FakeService, FilesHandler, make_sdk_client
from pytest_claude_files._core.journal import PATH_KEPT, Exchange, Journal

UNKNOWN = "file_011CNha8iCJcU1wXNR6q4V8w"


def test_the_journal_sees_files_messages_and_batches_in_order(claude_files, claude_files_client) -> None:
    meta = claude_files_client.files.upload(file=("a.txt", b"hello", "text/plain"))
    claude_files_client.files.list()
    with pytest.raises(anthropic.NotFoundError):
        claude_files_client.files.retrieve_metadata(UNKNOWN)
    claude_files_client.messages.create(
        model="claude-sonnet-4-5", max_tokens=16,
        messages=[{"role": "user", "content": [
            {"type": "document", "source": {"type": "file", "file_id": meta.id}},
            {"type": "text", "text": "?"}]}],
    )
    claude_files_client.messages.batches.create(requests=[{
        "custom_id": "one", "params": {"model": "claude-sonnet-4-5", "max_tokens": 8,
                                       "messages": [{"role": "user", "content": "hi"}]}}])

    entries = claude_files.journal.entries()
    assert [(e.method, e.operation, e.status) for e in entries] == [
        ("POST", "upload", 200), ("GET", "list", 200), ("GET", "retrieve_metadata", 404),
        ("POST", "messages", 200), ("POST", "batches.create", 200),
    ]
    assert entries[2].error_type == "not_found_error" and entries[2].path == f"/v1/files/{UNKNOWN}"
    assert [e.operation for e in claude_files.journal.errors()] == ["retrieve_metadata"]
    assert claude_files.journal.entries("list") == [entries[1]]
    assert len({e.request_id for e in entries}) == 5
    assert all(e.request_id.startswith("req_") for e in entries)
    claude_files.reset()
    assert len(claude_files.journal) == 0


def test_the_journal_keeps_the_workspace_and_an_unknown_route() -> None:
    fake = FakeService()
    client = make_sdk_client(FilesHandler(fake), default_headers={"anthropic-workspace-id": "wrkspc_A"})
    client.files.upload(file=("a.txt", b"x", "text/plain"))
    with pytest.raises(anthropic.NotFoundError):
        client.get("/v1/nowhere", cast_to=object)
    upload, nowhere = fake.journal.entries()
    assert (upload.workspace, nowhere.workspace) == ("wrkspc_A", "wrkspc_A")
    assert (nowhere.operation, nowhere.status, nowhere.error_type) == (None, 404, "not_found_error")


def test_the_journal_is_bounded_in_entries_and_bytes() -> None:
    journal = Journal(maxlen=3)
    for i in range(5):
        path = "/v1/files/" + "x" * (PATH_KEPT * 4)
        journal.record(Exchange("GET", path, "list", 200, None, f"req_{i}", None))
    kept = journal.entries()
    assert [e.request_id for e in kept] == ["req_2", "req_3", "req_4"]
    assert all(len(e.path) == PATH_KEPT for e in kept)
