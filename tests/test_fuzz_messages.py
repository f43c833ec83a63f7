"""Hypothesis fuzzes JSON bodies into ``POST /v1/messages`` and ``/v1/messages/count_tokens``.

Bodies start from a valid request and are bent: fields missing or of the wrong type,
content blocks of every kind referencing seeded, deleted, expired and unknown files,
nesting far past any limit, thousands of blocks, huge strings, and raw bytes that are
not JSON at all. Whatever arrives, the handler never raises and never answers 500;
every error is the envelope with a request id; and the files are as they were.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.ids import REQUEST_ID_RE
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest
from pytest_claude_files.errors import STATUS_TO_ERROR_TYPE

from .test_fuzz_handler import snapshot

START = datetime(2025, 4, 15, 18, 0, tzinfo=timezone.utc)
UNKNOWN_ID = "file_011CNha8iCJcU1wXNR6q4V8w"
HUGE = "x" * 200_000


def make_fake() -> tuple[FakeFiles, list[str]]:
    fake = FakeFiles(clock=FakeClock(START, frozen=True))
    fake.messages.max_referenced_bytes = 4096
    ids = [
        fake.add_file("a.pdf", b"%PDF-1.4").id,
        fake.add_file("b.png", b"PNG").id,
        fake.add_file("c.csv", b"a,b").id,
        fake.add_file("o.pdf", b"%PDF", mime_type="application/octet-stream").id,
        fake.add_file("big.txt", b"t" * 3000).id,
        fake.add_file("old.pdf", b"%PDF", expires_at=START - timedelta(seconds=1)).id,
    ]
    gone = fake.add_file("gone.pdf", b"%PDF")
    fake.delete(gone.id)
    return fake, [*ids, gone.id, UNKNOWN_ID]


scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=8), st.just(HUGE))
any_json = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=12)


def file_block(kind: str, file_id: str) -> dict[str, Any]:
    if kind == "container_upload":
        return {"type": "container_upload", "file_id": file_id}
    if kind == "bash_code_execution_output":
        return {"type": kind, "file_id": file_id}
    return {"type": kind, "source": {"type": "file", "file_id": file_id}}


@st.composite
def blocks(draw: Any, ids: list[str], depth: int = 0) -> Any:
    kind = draw(st.sampled_from(["text", "text", "file", "file", "tool_result", "content_doc", "junk",
                                 "odd_source"]))
    if kind == "text":
        return {"type": "text", "text": draw(st.one_of(st.text(max_size=20), st.just(HUGE)))}
    if kind == "file":
        block_kind = draw(st.sampled_from(
            ["document", "image", "container_upload", "bash_code_execution_output"]))
        return file_block(block_kind, draw(st.sampled_from(ids)))
    if kind in ("tool_result", "content_doc") and depth < 3:
        inner = draw(st.lists(blocks(ids, depth + 1), max_size=3))
        if kind == "tool_result":
            return {"type": "tool_result", "tool_use_id": "t", "content": inner}
        return {"type": "document", "source": {"type": "content", "content": inner}}
    if kind == "odd_source":
        return {"type": draw(st.sampled_from(["document", "image"])), "source": draw(any_json)}
    return draw(any_json)


def deep(depth: int) -> Any:
    value: Any = {"type": "text", "text": "bottom"}
    for _ in range(depth):
        value = {"type": "tool_result", "tool_use_id": "t", "content": [value]}
    return value


@st.composite
def bodies(draw: Any, ids: list[str], count_only: bool) -> bytes:
    shape = draw(st.sampled_from(["valid"] * 4 + ["mutated"] * 3 + ["deep", "many", "not_json", "raw_deep",
                                                                    "any"]))
    if shape == "not_json":
        return draw(st.one_of(st.binary(max_size=40), st.sampled_from([b"", b"{", b"null", b"[]", b"\xff"])))
    if shape == "raw_deep":
        return b"[" * 100_000 + b"]" * 100_000
    if shape == "any":
        return json.dumps(draw(any_json)).encode()
    content = draw(st.lists(blocks(ids), min_size=1, max_size=4))
    if shape == "deep":
        content = [deep(draw(st.sampled_from([10, 70, 2000])))]
    if shape == "many":
        content = [{"type": "text", "text": "x"}] * draw(st.sampled_from([1000, 5000]))
    body: dict[str, Any] = {"model": "claude-fake-model", "max_tokens": draw(st.sampled_from([1, 50, 4096])),
                            "messages": [{"role": "user", "content": content}]}
    if count_only:
        del body["max_tokens"]
    else:
        body["stream"] = draw(st.booleans())
    if draw(st.booleans()):
        body["tools"] = [{"type": "code_execution_20250825", "name": "code_execution"}]
    if shape == "mutated":
        for _ in range(draw(st.integers(1, 3))):
            key = draw(st.sampled_from(
                ["model", "max_tokens", "messages", "stream", "system", "tools", "extra"]))
            if draw(st.booleans()) and key in body:
                del body[key]
            else:
                body[key] = draw(any_json)
    try:
        return json.dumps(body).encode()
    except RecursionError:  # (a 2000-deep body is sent as text built by hand)
        head = b'{"model":"m","max_tokens":5,"messages":[{"role":"user","content":'
        return head + b"[" * 3000 + b"]" * 3000 + b"}]}"


headers = st.fixed_dictionaries({}, optional={
    "anthropic-version": st.sampled_from(["2023-06-01", "2026-10-21", "", "junk"]),
    "anthropic-beta": st.sampled_from(["files-api-2025-04-14", "other", "", "code-execution-2025-08-25"]),
    "content-type": st.sampled_from(["application/json", "text/plain"]),
})


def check_error(response: Any) -> None:
    body = response.json()
    assert set(body) == {"type", "error", "request_id"}, body
    assert body["error"]["type"] == STATUS_TO_ERROR_TYPE[response.status]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert REQUEST_ID_RE.match(body["request_id"]) and response.header("request-id") == body["request_id"]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_messages_endpoints_survive_any_body(data: st.DataObject) -> None:
    fake, ids = make_fake()
    path = data.draw(st.sampled_from(["/v1/messages", "/v1/messages/count_tokens"]))
    query = data.draw(st.sampled_from(["", "beta=true"]))
    body = data.draw(bodies(ids, path.endswith("count_tokens")))
    request = HTTPRequest.build("POST", path, query, {"x-api-key": "k", **data.draw(headers)}, body)
    before = snapshot(fake)

    response = FilesHandler(fake)(request)

    event(f"{path.rsplit('/', 1)[-1]} -> {response.status}")
    assert response.status in (200, 400, 404, 413), (response.status, response.body[:300])
    assert REQUEST_ID_RE.match(response.header("request-id") or "")
    if response.status >= 400:
        event(f"error: {response.json()['error']['message'][:30]!a}")
        check_error(response)
    elif response.header("content-type") == "application/json":
        answer = response.json()
        assert "input_tokens" in answer or answer["type"] == "message"
    else:
        assert bytes(response.body).startswith(b"event: message_start\n")
    assert snapshot(fake) == before
