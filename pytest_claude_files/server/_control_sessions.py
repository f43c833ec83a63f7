"""The control API's Managed Agents endpoints: script agent turns from any language.

=============================  ==================================================
``POST   sessions/replies``    queue one agent turn (JSON below), or ``{"replies": [...]}``
``GET    sessions/replies``    the turns no ``user.message`` has used yet
``DELETE sessions/replies``    drop them
=============================  ==================================================

A turn is ``{"text": str, "output_files": {filename: {"content": str} |
{"content_base64": str}, optional "mime_type"}, "stop_reason": str, "session_id": str,
"running_reads": int}`` (every field optional), the keyword arguments of
``claude_files.sessions.reply()``.
"""

from __future__ import annotations

from typing import Any, Union

from pytest_claude_files._core.session_turns import SessionReply, make_reply
from pytest_claude_files._core.sessions import FakeSessions
from pytest_claude_files.errors import InvalidRequestError
from pytest_claude_files.server import _control_messages as _cm

__all__ = ["parse_session_reply", "session_replies_json"]

_FIELDS = {"text", "output_files", "stop_reason", "session_id", "running_reads"}


def parse_session_reply(spec: Any) -> SessionReply:
    """A control request's turn object as a checked :class:`SessionReply` (400 when wrong)."""
    if not isinstance(spec, dict):
        raise InvalidRequestError("reply: a JSON object (the keyword arguments of sessions.reply()).")
    unknown = sorted(set(spec) - _FIELDS)
    if unknown:
        raise InvalidRequestError(f"reply: unknown field(s) {unknown}; known: {sorted(_FIELDS)}.")
    # the output files are read as the Messages replies' are (content or content_base64, mime_type)
    outputs = _cm.parse_reply({"output_files": spec.get("output_files") or {}}).output_files
    files: dict[str, Union[bytes, tuple[bytes, str]]] = {
        name: data if mime is None else (data, mime) for name, data, mime in outputs}
    try:
        return make_reply(spec.get("text"), output_files=files, session_id=spec.get("session_id"),
                          stop_reason=spec.get("stop_reason") or "end_turn",
                          running_reads=spec.get("running_reads") or 0)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"reply: {exc}") from None


def session_replies_json(sessions: FakeSessions) -> dict[str, Any]:
    return {"data": [{"text": r.text, "output_files": [name for name, _, _ in r.output_files],
                      "stop_reason": r.stop_reason, "session_id": r.session_id}
                     for r in sessions.pending_replies]}
