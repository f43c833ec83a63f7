"""The notices and findings behind the session verdict, one by one (in process)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anthropic
import pytest

from pytest_claude_files import FakeClock, FakeFiles, FilesHandler, make_sdk_client
from pytest_claude_files.errors import ClaudeFilesMisuseWarning


def codes(fake: Any) -> list[str]:
    return [w.code for w in fake.warnings]


def test_a_request_before_retry_after_passed_is_noticed() -> None:
    fake = FakeFiles(rate_limit=1)
    client = make_sdk_client(FilesHandler(fake), max_retries=0)
    client.beta.files.list()
    with pytest.raises(anthropic.RateLimitError):
        client.beta.files.list()
    notice = r"retry-after-ignored.*sent before the retry-after"
    with pytest.warns(ClaudeFilesMisuseWarning, match=notice) as seen:
        with pytest.raises(anthropic.RateLimitError):
            client.beta.files.list()  # at once: the 429 said to wait
    assert seen[0].filename == __file__  # the user's line, not the SDK's
    assert "retry-after-ignored" in codes(fake)


def test_waiting_as_retry_after_says_is_not_noticed() -> None:
    fake = FakeFiles(rate_limit=1, clock=FakeClock(frozen=True))
    client = make_sdk_client(FilesHandler(fake), max_retries=0)
    client.beta.files.list()
    with pytest.raises(anthropic.RateLimitError) as info:
        client.beta.files.list()
    fake.clock.advance(timedelta(seconds=int(info.value.response.headers["retry-after"])))
    client.beta.files.list()
    assert "retry-after-ignored" not in codes(fake)


def test_the_same_bad_request_twice_is_noticed_a_changed_one_is_not() -> None:
    fake = FakeFiles()
    client = make_sdk_client(FilesHandler(fake), max_retries=0)
    for name in ("a", "b"):  # two different requests
        with pytest.raises(anthropic.NotFoundError):
            client.beta.files.retrieve_metadata(f"file_011CNha8iCJcU1wXNR6q4V8{name}")
    assert codes(fake) == []
    with pytest.warns(ClaudeFilesMisuseWarning, match="non-retryable-retried"):
        with pytest.raises(anthropic.NotFoundError):
            client.beta.files.retrieve_metadata("file_011CNha8iCJcU1wXNR6q4V8a")


def test_an_expired_file_referenced_is_noticed_with_a_hint_on_the_request() -> None:
    fake = FakeFiles(clock=FakeClock(frozen=True))
    client = make_sdk_client(FilesHandler(fake), max_retries=0)
    meta = client.files.upload(file=("n.txt", b"notes", "text/plain"), expires_in_seconds=3600)
    fake.clock.advance(timedelta(seconds=3601))
    block = {"type": "document", "source": {"type": "file", "file_id": meta.id}}
    with pytest.warns(ClaudeFilesMisuseWarning, match="expired-file-referenced"):
        with pytest.raises(anthropic.NotFoundError, match="File not found: The specified file_id"):
            client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": [block]}])
    hint = fake.messages.requests[-1].hint
    assert hint is not None
    assert hint.startswith(f"messages.0.content.0.document.source: {meta.id} ('n.txt') expired")


def test_a_deleted_file_and_the_wrong_block_get_hints_the_api_wording_stays() -> None:
    fake = FakeFiles()
    client = make_sdk_client(FilesHandler(fake), max_retries=0)
    csv = client.files.upload(file=("t.csv", b"a,b", "text/csv"))
    image = {"type": "image", "source": {"type": "file", "file_id": csv.id}}
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": [image]}])
    assert info.value.body["error"]["message"] == (
        "Invalid file type: The file type doesn't match the content block type")
    assert fake.messages.requests[-1].hint == (
        f"messages.0.content.0.image.source: {csv.id} ('t.csv') is text/csv, which a image block does "
        'not take; send it as {"type": "container_upload", "file_id": ...} with the code execution tool '
        "(documents take PDF or plain text, images JPEG, PNG, GIF or WebP)")
    client.files.delete(csv.id)
    doc = {"type": "document", "source": {"type": "file", "file_id": csv.id}}
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": [doc]}])
    assert fake.messages.requests[-1].hint == (
        f"messages.0.content.0.document.source: {csv.id} is not a file of this account (never uploaded, "
        "deleted, or in another workspace)")
