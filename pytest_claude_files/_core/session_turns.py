"""The events of a Managed Agents session: what a client sends, and the agent turn a test scripted.

A ``user.message`` starts an agent turn. The fake is not a model: the turn is the next
:class:`SessionReply` scripted with ``claude_files.sessions.reply(...)`` (first in, first
out; unused replies fail the test at teardown), or a deterministic default naming the
files the session mounts. A turn is recorded as the real event order
(events-and-streaming page): ``user.message``, ``session.status_running``,
``span.model_request_start``, ``agent.message``, ``span.model_request_end``,
``session.status_idle`` (``stop_reason: end_turn``). Files the reply lists in
``output_files`` are written to ``/mnt/session/outputs/``: downloadable files scoped to the
session (``GET /v1/files?scope_id=sesn_…``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

from pytest_claude_files._core.message_check import FILE_NOT_FOUND
from pytest_claude_files._core.naming import check_output_files
from pytest_claude_files.errors import InvalidRequestError, NotFoundError, shown

__all__ = [
    "OUTPUTS_DIR", "SENDABLE", "SessionReply", "check_sent_events", "default_text", "make_reply",
    "tokens_of",
]

OUTPUTS_DIR = "/mnt/session/outputs/"
MAX_SENT_EVENTS = 50
"""At most 50 events a request (the SDK's docstring of ``initial_events``; decision: ``send`` too)."""
MAX_TEXT = 1_000_000
"""Decision: the text of one sent event at most 1,000,000 characters (bounded memory)."""
SENDABLE = ("user.message", "user.interrupt", "user.tool_confirmation", "user.custom_tool_result",
            "user.define_outcome", "user.tool_result", "system.message")
"""The event types ``events.send`` takes (``BetaManagedAgentsEventParams``)."""
INITIAL = ("user.message", "user.define_outcome")
"""The event types ``sessions.create(initial_events=...)`` takes."""
USER_BLOCKS = ("text", "image", "document", "redacted")
STOP_REASONS = ("end_turn", "retries_exhausted", "refusal")
REPLY_PREFIX = "pytest-claude-files fake agent."

OutputFiles = Mapping[str, Union[bytes, tuple[bytes, str]]]


@dataclass(frozen=True)
class SessionReply:
    """One scripted agent turn (see ``claude_files.sessions.reply``)."""

    text: Optional[str] = None
    output_files: tuple[tuple[str, bytes, Optional[str]], ...] = ()
    stop_reason: str = "end_turn"
    session_id: Optional[str] = None
    running_reads: int = 0


def make_reply(text: Optional[str] = None, *, output_files: Optional[OutputFiles] = None,
               stop_reason: str = "end_turn", session_id: Optional[str] = None,
               running_reads: int = 0) -> SessionReply:
    """A :class:`SessionReply`, its arguments checked (a pytest usage error names the fix)."""
    if text is not None and not isinstance(text, str):
        raise TypeError(f"sessions.reply(text=...): a str or None, not {type(text).__name__}")
    if stop_reason not in STOP_REASONS:
        raise ValueError(
            f"sessions.reply(stop_reason={stop_reason!r}): expected one of {', '.join(STOP_REASONS)}")
    if isinstance(running_reads, bool) or not isinstance(running_reads, int) \
            or not 0 <= running_reads <= 1000:
        raise ValueError(f"sessions.reply(running_reads={running_reads!r}): an integer from 0 to 1000")
    outputs = check_output_files(
        {} if output_files is None else output_files, "sessions.reply(output_files=...)")
    return SessionReply(text, tuple(outputs), stop_reason, session_id, running_reads)


def default_text(mounted: Sequence[str], outputs: Sequence[str]) -> str:
    """The deterministic agent message when nothing is scripted: it names the mounted files."""
    text = f"{REPLY_PREFIX} Files mounted: {', '.join(mounted)}."\
        if mounted else f"{REPLY_PREFIX} No files mounted."
    if outputs:
        text += f" Files written to {OUTPUTS_DIR}: {', '.join(outputs)}."
    return text


def tokens_of(content: Any) -> int:
    """Decision: a token per 4 characters of text (as the Messages side counts)."""
    chars = 0
    if isinstance(content, list):
        for block in content:
            if isinstance(block, Mapping) and isinstance(block.get("text"), str):
                chars += len(block["text"])
    return max(1, (chars + 3) // 4)


def check_sent_events(value: Any, *, key: str, allowed: Sequence[str] = SENDABLE) -> list[dict[str, Any]]:
    """The events of a ``send`` (``events``) or a create (``initial_events``), checked as the
    API checks them: a list of at most 50, each a known type with its required fields."""
    if not isinstance(value, list):
        raise InvalidRequestError(f"{key}: Input should be a valid list")
    if key == "events" and not value:
        raise InvalidRequestError(f"{key}: List should have at least 1 item")
    if len(value) > MAX_SENT_EVENTS:
        raise InvalidRequestError(
            f"{key}: List should have at most {MAX_SENT_EVENTS} items, got {len(value)}")
    out = []
    for index, event in enumerate(value):
        where = f"{key}.{index}"
        if not isinstance(event, Mapping):
            raise InvalidRequestError(f"{where}: Input should be a valid dictionary")
        kind = event.get("type")
        if kind not in allowed:
            expected = ", ".join(repr(a) for a in allowed)
            raise InvalidRequestError(f"{where}.type: Input should be {expected}; got {shown(str(kind))!r}")
        if kind in ("user.message", "system.message"):
            blocks = USER_BLOCKS if kind == "user.message" else ("text",)
            _check_content(event.get("content"), f"{where}.content", blocks)
        out.append(dict(event))
    return out


def _check_content(content: Any, where: str, blocks: Sequence[str]) -> None:
    if not isinstance(content, list) or not content:
        raise InvalidRequestError(f"{where}: Input should be a non-empty list of content blocks")
    for index, block in enumerate(content):
        if not isinstance(block, Mapping) or block.get("type") not in blocks:
            expected = ", ".join(repr(b) for b in blocks)
            raise InvalidRequestError(f"{where}.{index}.type: Input should be {expected}")
        if block["type"] == "text":
            text = block.get("text")
            if not isinstance(text, str):
                raise InvalidRequestError(f"{where}.{index}.text: Field required")
            if len(text) > MAX_TEXT:
                raise InvalidRequestError(f"{where}.{index}.text: at most {MAX_TEXT} characters")


def check_event_files(events: Sequence[Mapping[str, Any]], key: str, files: Any, now: Any,
                      workspace_id: Optional[str]) -> None:
    """Each ``document`` or ``image`` block of a ``user.message`` whose source is a file names
    a file of the caller's workspace that has not expired (``files``: the service's Files
    resource), as a Messages request must; 404 otherwise. (The fake took any id before.)"""
    for index, event in enumerate(events):
        if event.get("type") != "user.message":
            continue
        for number, block in enumerate(event.get("content") or ()):
            source = block.get("source") if isinstance(block, Mapping) else None
            if block.get("type") not in ("document", "image") or not isinstance(source, Mapping) \
                    or source.get("type") != "file":
                continue
            file_id = source.get("file_id")
            if not isinstance(file_id, str):
                raise InvalidRequestError(f"{key}.{index}.content.{number}.source.file_id: "
                                          "Input should be a valid string")
            try:
                meta = files.get(file_id, workspace_id=workspace_id)
            except NotFoundError:
                raise NotFoundError(FILE_NOT_FOUND) from None
            if meta.expires_at is not None and meta.expires_at <= now:
                raise NotFoundError(FILE_NOT_FOUND)
