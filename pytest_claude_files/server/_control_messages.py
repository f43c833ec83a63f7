"""The control API's Messages endpoints: script replies from any language, read what arrived.

=============================  ==================================================
``POST   messages/replies``    queue one reply (JSON below), or ``{"replies": [...]}``
``GET    messages/replies``    the replies no request has used yet
``DELETE messages/replies``    drop them (and the responder's mistakes)
``GET    messages/requests``   every Messages request, its resolved file references
=============================  ==================================================

A reply is ``{"text": str, "output_files": {filename: {"content": str} |
{"content_base64": str}, optional "mime_type"}, "tool_use": [{"name", "input"}],
"stop_reason", "command", "stdout", "stderr", "return_code"}`` (every field optional),
the keyword arguments of ``claude_files.messages.reply()``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Optional, Union

from pytest_claude_files._core.messages import FakeMessages, MessagesRequest, Reply
from pytest_claude_files.errors import InvalidRequestError

__all__ = ["parse_reply", "replies_json", "requests_json"]

_REPLY_FIELDS = {"text", "output_files", "tool_use", "stop_reason", "command", "stdout", "stderr",
                 "return_code", "citations"}


def _output_file(name: str, spec: Any) -> Union[bytes, tuple[bytes, str]]:
    where = f"reply.output_files[{name!r}]"
    if not isinstance(spec, dict) or not ({"content", "content_base64"} & set(spec)):
        raise InvalidRequestError(f'{where}: send {{"content": str}} or {{"content_base64": str}}.')
    if "content_base64" in spec:
        try:
            data = base64.b64decode(str(spec["content_base64"]), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequestError(f"{where}.content_base64: not valid base64.") from None
    else:
        data = str(spec["content"]).encode()
    mime = spec.get("mime_type")
    if mime is None:
        return data
    if not isinstance(mime, str) or "/" not in mime:
        raise InvalidRequestError(f"{where}.mime_type: a mime type string, such as text/csv.")
    if any(ord(c) < 32 or ord(c) == 127 or ord(c) > 255 for c in mime):
        raise InvalidRequestError(
            f"{where}.mime_type: control characters (CR, LF, NUL...) or non-Latin-1 text cannot be "
            "in a mime type (it is the download's content-type header).")
    return data, mime


_TEXT_FIELDS = ("stop_reason", "command", "stdout", "stderr")


def _check_types(spec: dict[str, Any]) -> None:
    """The fields the API sends with one type each: refused here, not sent to a client later."""
    for name in _TEXT_FIELDS:
        if name in spec and not isinstance(spec[name], str):
            raise InvalidRequestError(f"reply.{name}: a string, not {type(spec[name]).__name__}.")
    code = spec.get("return_code", 0)
    if isinstance(code, bool) or not isinstance(code, int) or not -(2**31) <= code < 2**31:
        raise InvalidRequestError("reply.return_code: an integer (a process exit status).")
    tools = spec.get("tool_use")
    if tools is not None and not isinstance(tools, (list, dict)):
        raise InvalidRequestError("reply.tool_use: an object or a list of objects.")


def parse_reply(spec: Any) -> Reply:
    """A control request's reply object as a checked :class:`Reply` (400 when wrong)."""
    if not isinstance(spec, dict):
        raise InvalidRequestError("reply: a JSON object (the keyword arguments of messages.reply()).")
    unknown = sorted(set(spec) - _REPLY_FIELDS)
    if unknown:
        raise InvalidRequestError(f"reply: unknown field(s) {unknown}; known: {sorted(_REPLY_FIELDS)}.")
    outputs = spec.get("output_files") or {}
    if not isinstance(outputs, dict):
        raise InvalidRequestError("reply.output_files: an object of filename -> {content | content_base64}.")
    _check_types(spec)
    kwargs: dict[str, Any] = {k: v for k, v in spec.items() if k not in ("text", "output_files")}
    try:
        return FakeMessages.make_reply(
            spec.get("text"), output_files={n: _output_file(n, s) for n, s in outputs.items()}, **kwargs)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"reply: {exc}") from None


def reply_json(reply: Reply) -> dict[str, Any]:
    return {"text": reply.text, "output_files": [name for name, _, _ in reply.output_files],
            "tool_use": list(reply.tool_use), "stop_reason": reply.stop_reason}


def replies_json(messages: FakeMessages) -> dict[str, Any]:
    return {"data": [reply_json(r) for r in messages.pending_replies]}


def _request_json(request: MessagesRequest) -> dict[str, Any]:
    error: Optional[dict[str, Any]] = None
    if request.error is not None:
        error = {"status": request.error.status, "type": request.error.error_type,
                 "message": request.error.message}
    return {
        "operation": request.operation,
        "stream": request.stream,
        "api_version": request.api_version,
        "betas": sorted(request.betas),
        "files": [{"file_id": f.file_id, "filename": f.filename, "mime_type": f.mime_type,
                   "block_type": f.block_type, "path": f.path} for f in request.files],
        "error": error,
        "body": request.body,
    }


def requests_json(messages: FakeMessages) -> dict[str, Any]:
    return {"data": [_request_json(r) for r in messages.requests]}
