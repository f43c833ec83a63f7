"""The Messages answer's JSON written out (``_http/message_json.py``) is ``dump_json``'s, byte for byte.

``dump_message`` writes the common answer's keys out around its encoded values and leaves
anything else to ``dump_json``: whatever the message, both give the same bytes (or the same
error). The common answer of the fake must take the written-out way (else the shape of
``FakeMessages._answer`` changed and the fast way is dead code).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest
from pytest_claude_files._http.message_json import common_message_json, dump_message
from pytest_claude_files.models import dump_json

MODEL = "claude-sonnet-4-5"
HEADERS = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01", "content-type": "application/json"}


def common(text: Any = "hello", **changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": "msg_01sXt5daRWzJxjN81fxjD9PC", "type": "message", "role": "assistant", "model": MODEL,
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 1018, "output_tokens": 23, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0, "service_tier": "standard"},
    }
    message.update(changes)
    return message


def same(message: Any) -> None:
    try:
        expected = dump_json(message)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc), match=str(exc)):
            dump_message(message)
        return
    assert dump_message(message) == expected


class Text(str):
    pass


TEXTS = ["", "plain", 'quote " and \\ backslash', "tab\tnew\nline\r\x00\x1f\x7f", "café 😀 \u2028",
         "lone \udcff surrogate \ud800", Text("a str subclass")]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_texts_take_the_written_out_way_with_the_same_bytes(text: str) -> None:
    message = common(text)
    assert common_message_json(message) is not None
    assert dump_message(message) == dump_json(message)
    assert json.loads(dump_message(message).decode("utf-8", "surrogateescape"))["type"] == "message"


BENT = {
    "no content": common(content=[]),
    "two text blocks": common(content=[{"type": "text", "text": "a"}, {"type": "text", "text": "b\n"}]),
    "a stop sequence": common(stop_sequence="END"),
    "a stop reason of its own": common(stop_reason="pause_turn \u00e9"),
    "a container": {**common(), "container": {"id": "container_01", "expires_at": "2026-01-01T00:00:00Z"}},
    "keys in another order": {k: common()[k] for k in reversed(list(common()))},
    "a tool_use block": common(content=[
        {"type": "text", "text": "a"},
        {"type": "tool_use", "id": "toolu_01", "name": "t", "input": {"x": 1.5}},
    ]),
    "a cited text block": common(content=[{"type": "text", "text": "a", "citations": []}]),
    "block keys in another order": common(content=[{"text": "a", "type": "text"}]),
    "a block of another type": common(content=[{"type": "texts", "text": "a"}]),
    "a text that is no str": common(None),
    "a text that is a number": common(3),
    "a bool count": common(usage={**common()["usage"], "output_tokens": True}),
    "a float count": common(usage={**common()["usage"], "input_tokens": float("inf")}),
    "a big count": common(usage={**common()["usage"], "input_tokens": 10 ** 40}),
    "another tier": common(usage={**common()["usage"], "service_tier": "priority"}),
    "more usage": common(usage={**common()["usage"], "server_tool_use": {"web_search_requests": 1}}),
    "usage keys in another order": common(usage=dict(reversed(list(common()["usage"].items())))),
    "another type": common(type="messages"),
    "another role": common(role="user"),
    "a model that is no str": common(model=None),
    "an id that is a number": common(id=7),
    "a content tuple": common(content=({"type": "text", "text": "a"},)),
    "content not serialisable": common(content=[object()]),
    "a text block not serialisable": common(object()),
}


@pytest.mark.parametrize("message", list(BENT.values()), ids=list(BENT))
def test_any_other_message_gives_dump_json_bytes_or_error(message: dict[str, Any]) -> None:
    same(message)


def test_a_circular_message_is_refused_as_before() -> None:
    message = common()
    message["content"].append(message)
    with pytest.raises(ValueError, match="Circular reference detected"):
        dump_message(message)


values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    message = common(draw(st.text(max_size=40)))
    message["content"] = [{"type": "text", "text": draw(st.text(max_size=20))}
                          for _ in range(draw(st.integers(0, 3)))]
    for part in (message, message["usage"], *message["content"]):
        if draw(st.integers(0, 4)) == 0:  # bend this dict: a value changed, a key added or removed
            key = draw(st.sampled_from(sorted(part)))
            move = draw(st.sampled_from(["value", "drop", "add"]))
            if move == "value":
                part[key] = draw(values)
            elif move == "drop":
                del part[key]
            else:
                part[draw(st.text(max_size=5))] = draw(values)
    return message


@settings(max_examples=300, deadline=None)
@given(messages())
def test_fuzzed_messages_give_dump_json_bytes(message: dict[str, Any]) -> None:
    same(message)


@pytest.mark.parametrize("reply", [None, "é \udcff \"quoted\"\n", "tool_use", "max_tokens_0", "stop"])
def test_the_fakes_answers_through_the_handler(reply: Any) -> None:
    fake = FakeFiles()
    fake.messages.assert_all_scripted_used = False
    body: dict[str, Any] = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
    if reply == "tool_use":
        fake.messages.reply(tool_use={"name": "lookup", "input": {"q": "ü", "n": 1.5}})
    elif reply == "max_tokens_0":
        body["max_tokens"] = 0
    elif reply == "stop":
        fake.messages.reply("done", stop_reason="stop_sequence")
    elif reply is not None:
        fake.messages.reply(reply)
    raw = json.dumps(body).encode()
    response = FilesHandler(fake)(HTTPRequest("POST", "/v1/messages", "", HEADERS, raw, "https"))
    assert response.status == 200, bytes(response.body)
    message = fake.messages.requests[-1].response
    assert message is not None and bytes(response.body) == dump_json(message)
    assert (common_message_json(message) is not None) == (reply in (None, "é \udcff \"quoted\"\n", "stop",
                                                                    "max_tokens_0"))


BODIES = [b'{"model": 1}', b'{"model": 1}  \n\t\r', b'{"model": 1}\x0b', b'{"model": 1} x', b'{}{}', b'{}}',
          b'{"a": "\xff"}', b'{"a": "\xed\xa0\x80"}', b"{" * 100_000, b'{"a": [' + b"[" * 100_000 + b"]}",
          b"{", b'{"a"', b' {"model": 1}', b"\xef\xbb\xbf{}", b"[]", b"null", b"  "]


@pytest.mark.parametrize("raw", BODIES, ids=range(len(BODIES)))
def test_a_body_is_parsed_as_json_loads_parses_it(raw: bytes) -> None:
    from pytest_claude_files._http.handler import _BODY_NOT_JSON
    from pytest_claude_files.errors import shown

    try:  # what the handler did before its hot path: json.loads, a blank body taken for None
        parsed = json.loads(raw) if raw and not raw.isspace() else None
        expected = _BODY_NOT_JSON if parsed is None else None
    except (ValueError, RecursionError) as exc:
        expected = f"{_BODY_NOT_JSON}: {shown(exc)}"
    fake = FakeFiles()
    response = FilesHandler(fake)(HTTPRequest("POST", "/v1/messages", "", HEADERS, raw, "https"))
    message = json.loads(bytes(response.body))["error"]["message"]
    if expected is None:  # parsed: refused for what it holds, not for its JSON
        assert response.status == 400 and "parsing the body" not in message
    else:
        assert (response.status, message) == (400, expected)
