"""A ``Message`` as the Server-Sent Events of a streamed reply (``"stream": true``).

The real event sequence: ``message_start`` (the message with no content yet), ``ping``,
then per content block ``content_block_start``, its ``content_block_delta`` events
(``text_delta`` for text, ``input_json_delta`` for a tool's input) and
``content_block_stop``; then ``message_delta`` (stop reason, the container, usage) and
``message_stop``. Text is sent one word (with the space after it) per delta; a tool's
input JSON in pieces of :data:`JSON_PIECE` characters. A finished reply is rendered at
once: the handler answers with the whole body, as every adapter serves bytes.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from pytest_claude_files.models import dump_json

__all__ = ["JSON_PIECE", "events", "render", "text_pieces"]

JSON_PIECE = 16
"""A tool input's JSON arrives in ``input_json_delta`` pieces of this many characters."""
CONTENT_TYPE = "text/event-stream; charset=utf-8"
_WORD = re.compile(r"\s*\S+\s*|\s+")
_STREAMED_INPUT = ("tool_use", "server_tool_use")


def text_pieces(text: str) -> list[str]:
    """``text`` cut into the pieces the ``text_delta`` events carry (they join to ``text``)."""
    return _WORD.findall(text) or ([text] if text else [])


def events(message: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(event name, data)`` for each event of ``message`` streamed."""
    usage = message["usage"]
    start = {key: value for key, value in message.items() if key not in ("content", "container")}
    start.update(content=[], stop_reason=None, stop_sequence=None,
                 usage={**usage, "output_tokens": 1})
    yield "message_start", {"type": "message_start", "message": start}
    yield "ping", {"type": "ping"}
    for index, block in enumerate(message["content"]):
        kind = block["type"]
        if kind == "text":
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {"type": "text", "text": ""}}
            for citation in block.get("citations") or ():  # one citations_delta each
                yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                              "delta": {"type": "citations_delta", "citation": citation}}
            for piece in text_pieces(block["text"]):
                yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                              "delta": {"type": "text_delta", "text": piece}}
        elif kind in _STREAMED_INPUT:
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {**block, "input": {}}}
            raw = dump_json(block["input"]).decode("utf-8")
            for at in range(0, len(raw), JSON_PIECE):
                yield "content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": raw[at:at + JSON_PIECE]}}
        else:
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": block}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    delta: dict[str, Any] = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    if message.get("container") is not None:
        delta["container"] = message["container"]
    yield "message_delta", {"type": "message_delta", "delta": delta, "usage": usage}
    yield "message_stop", {"type": "message_stop"}


def render(message: dict[str, Any]) -> bytes:
    """The whole ``text/event-stream`` body of ``message`` streamed."""
    return b"".join(
        b"event: " + name.encode() + b"\ndata: " + dump_json(data) + b"\n\n"
        for name, data in events(message)
    )
