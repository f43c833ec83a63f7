"""The one-pass check of the common Messages request agrees with the exact checks.

``quick_check`` (``_core/message_quick.py``) may answer ``None`` whenever it likes (the exact
checks then decide), but when it accepts a body, ``check_request`` and ``check_body`` must
accept it too and find the same model, ``max_tokens``, references (with their JSON paths) and
text size. Hypothesis bends bodies around every rule the quick pass reads.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pytest_claude_files._core.message_check import GA_API_VERSION, OLD_API_VERSION, check_request
from pytest_claude_files._core.message_quick import quick_check
from pytest_claude_files._core.message_rules import check_body
from pytest_claude_files.errors import InvalidRequestError

from .test_fuzz_messages import bodies

FILE_ID = "file_011CNha8iCJcU1wXNR6q4V8w"
VERSIONS = [None, OLD_API_VERSION, GA_API_VERSION, "junk"]

junk = st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.text(max_size=3), st.just([]), st.just({}))


def mostly(good: Any, bad: Any) -> Any:
    """``good`` nine times in ten, else ``bad`` (most bodies valid, each rule bent now and then)."""
    return st.integers(0, 9).flatmap(lambda n: bad if n == 0 else good)


citations = mostly(st.sampled_from([{"enabled": True}, {"enabled": False}]),
                   st.one_of(st.just({"enabled": 1}), st.just(True), junk))
sources = mostly(
    st.one_of(st.just({"type": "file", "file_id": FILE_ID}),
              st.fixed_dictionaries({"type": st.sampled_from(["base64", "text", "url"]),
                                     "data": st.text(max_size=9)})),
    st.one_of(st.fixed_dictionaries({"type": st.just("file"), "file_id": junk}),
              st.fixed_dictionaries({"type": st.sampled_from(["base64", "text", "content", "file", "junk"])},
                                    optional={"data": junk, "content": st.just("c")}),
              junk))


@st.composite
def block(draw: Any) -> Any:
    kind = draw(mostly(st.sampled_from(["text", "document", "image"]),
                       st.sampled_from(["container_upload", "tool_use", "tool_result", "junk", None, 5])))
    out: dict[str, Any] = {} if kind is None else {"type": kind}
    if kind == "text" or draw(st.integers(0, 4)) == 0:
        out["text"] = draw(mostly(st.text(max_size=8), junk))
    if draw(st.integers(0, 2)) == 0:
        out["citations"] = draw(citations)
    if kind in ("document", "image") and draw(st.integers(0, 19)):
        out["source"] = draw(sources)
    if kind == "container_upload":
        out["file_id"] = FILE_ID
    return draw(mostly(st.just(out), junk))


@st.composite
def request_bodies(draw: Any) -> Any:
    messages = []
    for index in range(draw(st.integers(0, 3))):
        role = "assistant" if index % 2 else "user"
        message: dict[str, Any] = {"role": draw(mostly(st.just(role), st.sampled_from(["user", "x", None])))}
        if draw(st.integers(0, 19)):
            content = st.one_of(st.text(max_size=8), st.lists(block(), max_size=4))
            message["content"] = draw(mostly(content, junk))
        messages.append(message)
    body: dict[str, Any] = {
        "model": draw(mostly(st.sampled_from(["claude-x", "m" * 256]), st.one_of(st.just("m" * 257), junk))),
        "max_tokens": draw(mostly(st.sampled_from([0, 1, 512, 128_000]),
                                  st.sampled_from([128_001, -1, True, 1.0, "5", None]))),
        "messages": draw(mostly(st.just(messages), junk)),
    }
    for key, values in (("stream", mostly(st.booleans(), junk)),
                        ("system", mostly(st.text(max_size=5), st.one_of(st.lists(block()), junk))),
                        ("tools", mostly(st.just([{"type": "code_execution_20250825"}]), junk)),
                        ("temperature", st.just(0.5))):
        if draw(st.integers(0, 3)) == 0:
            body[key] = draw(values)
    for key in ("model", "max_tokens", "messages"):
        if draw(st.integers(0, 19)) == 0:
            del body[key]
    return body


def exact(body: Any, count_only: bool, version: Optional[str]) -> Any:
    shape = check_request(body, count_only=count_only, api_version=version, betas=frozenset())
    check_body(body, version)
    refs = [(ref.file_id, ref.block_type, ref.path) for ref in shape.references]
    return shape.model, shape.max_tokens, refs, shape.text_chars


def agree(body: Any, count_only: bool, version: Optional[str]) -> bool:
    quick = quick_check(body, count_only, version)
    if quick is not None:
        assert quick == exact(body, count_only, version)
    return quick is not None


@settings(max_examples=600, deadline=None)
@given(request_bodies(), st.booleans(), st.sampled_from(VERSIONS))
def test_what_the_quick_pass_accepts_the_exact_checks_accept_alike(
        body: Any, count_only: bool, version: Optional[str]) -> None:
    event("quick" if agree(body, count_only, version) else "exact")


@settings(max_examples=200, deadline=None)
@given(st.data(), st.booleans(), st.sampled_from(VERSIONS))
def test_the_quick_pass_agrees_on_the_fuzzed_handler_bodies(
        data: st.DataObject, count_only: bool, version: Optional[str]) -> None:
    raw = data.draw(bodies([FILE_ID], count_only))
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return
    event("quick" if agree(body, count_only, version) else "exact")


COMMON = [
    [{"type": "document", "source": {"type": "file", "file_id": FILE_ID}},
     {"type": "text", "text": "Sum up."}],
    [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "aGVsbG8="}},
     {"type": "image", "source": {"type": "file", "file_id": FILE_ID}}],
    "Tell me a story.",
]


@pytest.mark.parametrize("content", COMMON)
@pytest.mark.parametrize("version", VERSIONS)
def test_the_common_requests_take_the_quick_pass(content: Any, version: Optional[str]) -> None:
    body = {"model": "claude-x", "max_tokens": 512, "messages": [{"role": "user", "content": content}],
            "system": "Be brief.", "tools": [{"type": "code_execution_20250825", "name": "code_execution"}]}
    assert agree(body, False, version)
    del body["max_tokens"]
    assert agree(body, True, version)


DOC = {"type": "document", "source": {"type": "file", "file_id": FILE_ID}}


HI = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(("body", "count_only", "version"), [
    ({"model": "claude-x", "max_tokens": 5, "messages": [{"role": "assistant", "content": "hi"}]},
     False, None),
    ({"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": [
        {**DOC, "citations": {"enabled": True}}, DOC]}]}, False, None),
    ({"model": "claude-x", "max_tokens": 128_001, "messages": HI}, False, None),
    ({"model": "claude-x", "max_tokens": 128_001, "messages": HI}, True, None),
    ({"model": "claude-x", "stream": False, "messages": HI}, True, None),
    ({"model": "claude-x", "max_tokens": 5, "messages": [
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": [DOC]}]}, False, GA_API_VERSION),
    ({"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "hi", "citations": [{"type": "char_location"}]}]}]}, False, GA_API_VERSION),
    ({"model": "claude-x", "max_tokens": 5, "temperature": 1, "messages": HI}, False, GA_API_VERSION),
])
def test_a_refused_request_is_left_to_the_exact_checks(
        body: Any, count_only: bool, version: Optional[str]) -> None:
    assert quick_check(body, count_only, version) is None
    with pytest.raises(InvalidRequestError):
        exact(body, count_only, version)
