"""The JSON of a ``Message`` answer, written out for the common answer.

``json`` builds a new C encoder for every call and then walks the answer key by key: for the
common answer (one text block, no stop sequence, the standard usage; what
``FakeMessages._answer`` makes for a request without tools, citations or a container) that
was about 50,000 instructions of a ``messages.create``, and writing its known keys out
around the encoded values takes half of that. Anything else (another key, key order, block,
type or value) gives ``None`` and goes to :func:`~pytest_claude_files.models.dump_json` as
before. Both give the same bytes (tests/test_message_json.py): the values are encoded by the
function ``json.JSONEncoder(ensure_ascii=False)`` itself uses, the integers by ``int``'s own
``__repr__`` (``json``'s choice too), and the text is encoded to UTF-8 with ``backslashreplace``
as ``dump_json`` does.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any, Optional

from pytest_claude_files.models import dump_json

__all__ = ["dump_message"]

_KEYS = ("id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage")
_USAGE = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
          "service_tier")
_TEXT_BLOCK = ("type", "text")
_NEXT_TEXT = '},{"type":"text","text":'  # between two text blocks' texts


def dump_message(message: dict[str, Any]) -> bytes:
    """``dump_json(message)``: the same bytes, cheaper for the common answer."""
    text = common_message_json(message)
    return dump_json(message) if text is None else text.encode("utf-8", "backslashreplace")


def common_message_json(message: dict[str, Any]) -> Optional[str]:
    """The JSON text of ``message`` when it has the common answer's shape, else None."""
    if type(message) is not dict or tuple(message) != _KEYS:
        return None
    msg_id, kind, role, model, content, stop_reason, stop_sequence, usage = message.values()
    if (kind != "message" or role != "assistant" or stop_sequence is not None or type(content) is not list
            or type(usage) is not dict or tuple(usage) != _USAGE):
        return None
    input_tokens, output_tokens, cache_creation, cache_read, tier = usage.values()
    if (type(input_tokens) is not int or type(output_tokens) is not int or type(cache_creation) is not int
            or type(cache_read) is not int or tier != "standard"):
        return None
    texts = []
    for block in content:
        if type(block) is not dict or tuple(block) != _TEXT_BLOCK or block["type"] != "text":
            return None
        texts.append(block["text"])
    try:  # (encode_basestring refuses anything but a str, as json would encode it otherwise)
        blocks = f'{{"type":"text","text":{_NEXT_TEXT.join(map(encode_basestring, texts))}}}' if texts else ""
        return (f'{{"id":{encode_basestring(msg_id)},"type":"message","role":"assistant",'
                f'"model":{encode_basestring(model)},"content":[{blocks}],'
                f'"stop_reason":{encode_basestring(stop_reason)},"stop_sequence":null,'
                f'"usage":{{"input_tokens":{input_tokens!r},"output_tokens":{output_tokens!r},'
                f'"cache_creation_input_tokens":{cache_creation!r},"cache_read_input_tokens":{cache_read!r},'
                f'"service_tier":"standard"}}}}')
    except TypeError:
        return None
