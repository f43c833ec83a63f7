"""Strategies for Messages content that references files, and the stateful rule that uses them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from pytest_claude_files import strategies as cfs
from pytest_claude_files._core import messages as _messages
from pytest_claude_files._core.message_check import FileReference
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files.errors import FilesAPIError

from .test_stateful import machine, must_fail, run

FAKE = FakeFiles()
FILES = [FAKE.add_file(name, b"%x") for name in ("a.pdf", "b.txt", "c.png", "d.jpg", "e.csv", "f.xlsx")]
GONE = FAKE.add_file("gone.pdf", b"%PDF")
FAKE.delete(GONE.id)
FAKE.messages.assert_all_scripted_used = False


@pytest.mark.parametrize(("name", "block_type"), [
    ("a.pdf", "document"), ("b.txt", "document"), ("c.png", "image"), ("d.jpg", "image"),
    ("e.csv", "container_upload"), ("f.xlsx", "container_upload"),
])
def test_block_for_picks_the_block_the_api_accepts(name: str, block_type: str) -> None:
    (file,) = [f for f in FILES if f.filename == name]
    assert cfs.block_for(file)["type"] == block_type


@settings(max_examples=60, deadline=None)
@given(cfs.messages_requests(FILES, nested=True))
def test_valid_by_construction_is_accepted(body: dict[str, Any]) -> None:
    message = FAKE.messages.create(body)
    referenced = FAKE.messages.requests[-1].files
    assert referenced and all(ref.filename for ref in referenced)
    for ref in referenced:
        assert ref.filename in message["content"][0]["text"]


@settings(max_examples=60, deadline=None)
@given(cfs.invalid_file_references(FILES, deleted_ids=[GONE.id]))
def test_invalid_by_kind_is_refused_as_the_api_does(bad: cfs.InvalidReference) -> None:
    body = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": bad.content}]}
    with pytest.raises(FilesAPIError) as caught:
        FAKE.messages.create(body)
    assert (caught.value.status, caught.value.error_type, caught.value.message) == (
        bad.status, bad.error_type, bad.message)


@pytest.mark.parametrize("kind", cfs.INVALID_REFERENCE_KINDS)
def test_every_kind_can_be_pinned(kind: str) -> None:
    @settings(max_examples=10, deadline=None)
    @given(cfs.invalid_file_references(FILES, deleted_ids=[GONE.id], kind=kind))
    def check(bad: cfs.InvalidReference) -> None:
        assert bad.kind == kind

    check()


def test_a_pin_that_cannot_be_met_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="deleted_ids"):
        cfs.invalid_file_references(FILES, kind="deleted")
    with pytest.raises(ValueError, match="kind 'nope'"):
        cfs.invalid_file_references(FILES, kind="nope")


@pytest.mark.parametrize("via", ["service", "sdk"])
def test_the_machine_references_live_and_deleted_files(via: str) -> None:
    run(machine(via, "ga"), examples=15)


def test_a_fake_that_serves_deleted_files_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _messages.FakeMessages._resolve

    def lenient(self: Any, file_id: str, block_type: str, path: str, workspace_id: Any = None,
                metas: Any = None) -> Any:
        try:
            return real(self, file_id, block_type, path, workspace_id, metas)
        except FilesAPIError as exc:
            if exc.status == 404:
                return FileReference(file_id, block_type, path)  # a bug: a deleted file still "works"
            raise

    monkeypatch.setattr(_messages.FakeMessages, "_resolve", lenient)
    # caught by the Messages rule or by the batch rule, whichever the search reaches first
    must_fail(machine("service", "ga"), "expected a not_found error|'succeeded' == 'errored'")
