"""What the fake keeps of one Managed Agents session, and its record (``records``, kind
``sessions``): the object, its workspace, its mounted resources, its events (the last
10,000), the files scoped to it and the agent turn still running, JSON-able, so that the
emulator with ``--data-dir`` brings a session back after a restart as it was."""

from __future__ import annotations

import base64
from collections import deque
from dataclasses import dataclass, field
from typing import Any, List, Optional

from pytest_claude_files._core.record import json_size
from pytest_claude_files._core.session_turns import SessionReply

__all__ = ["EVENTS_KEPT_BYTES", "MAX_EVENTS", "SessionState", "from_record", "keep_event", "to_record"]

MAX_EVENTS = 10_000
"""Decision: a session keeps its last 10,000 events (bounded memory)."""
EVENTS_KEPT_BYTES = 64 * 1024 * 1024
"""Decision: and at most this many bytes of them (their JSON), the oldest going first, as
past :data:`MAX_EVENTS`: 10,000 events of 1 MB each would otherwise hold 10 GB."""
Pending = tuple[SessionReply, dict[str, Any], dict[str, Any], int]


@dataclass
class SessionState:
    obj: dict[str, Any]
    workspace: Optional[str]
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    resource_order: List[str] = field(default_factory=list)
    events: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_EVENTS))
    sequence: int = 0  # events ever recorded (a stream's position survives the deque's trimming)
    scoped_files: set[str] = field(default_factory=set)
    pending: Optional[Pending] = None
    """A turn still running: its reply, message, span start event and the reads left."""
    event_bytes: int = -1
    """The bytes of ``events`` as JSON (-1: not measured yet, e.g. after a restart)."""


def keep_event(session: SessionState, event: dict[str, Any]) -> None:
    """Add ``event`` to the session's events, within :data:`MAX_EVENTS` and
    :data:`EVENTS_KEPT_BYTES` (the oldest go; the newest always stays)."""
    events = session.events
    if session.event_bytes < 0:
        session.event_bytes = sum(map(json_size, events))
    if len(events) == events.maxlen:  # the deque drops its oldest on append
        session.event_bytes -= json_size(events[0])
    events.append(event)
    session.event_bytes += json_size(event)
    while len(events) > 1 and session.event_bytes > EVENTS_KEPT_BYTES:
        session.event_bytes -= json_size(events.popleft())


def to_record(session: SessionState) -> dict[str, Any]:
    pending = None
    if session.pending is not None:
        reply, message, start, left = session.pending
        outputs = [[name, base64.b64encode(data).decode(), mime] for name, data, mime in reply.output_files]
        pending = {"text": reply.text, "output_files": outputs, "stop_reason": reply.stop_reason,
                   "session_id": reply.session_id, "running_reads": reply.running_reads,
                   "message": message, "start": start, "left": left}
    return {"obj": session.obj, "workspace": session.workspace, "resources": session.resources,
            "resource_order": session.resource_order, "events": list(session.events),
            "sequence": session.sequence, "scoped_files": sorted(session.scoped_files), "pending": pending}


def from_record(key: str, record: dict[str, Any]) -> SessionState:
    """The session a record holds (``ValueError``, ``KeyError``, ``TypeError`` if it is not one)."""
    obj, workspace = record["obj"], record["workspace"]
    if not isinstance(obj, dict) or obj.get("id") != key:
        raise ValueError(f"not the record of session {key}")
    if workspace is not None and not isinstance(workspace, str):
        raise ValueError("the workspace is not a string")
    resources = {str(k): dict(v) for k, v in record["resources"].items()}
    order = [str(r) for r in record["resource_order"]]
    if sorted(order) != sorted(resources):
        raise ValueError("the resources and their order disagree")
    events = deque((dict(e) for e in record["events"]), maxlen=MAX_EVENTS)
    sequence = int(record["sequence"])
    if sequence < len(events):
        raise ValueError("fewer events counted than kept")
    pending: Optional[Pending] = None
    held = record["pending"]
    if held is not None:
        outputs = tuple((str(name), base64.b64decode(data, validate=True),
                         None if mime is None else str(mime)) for name, data, mime in held["output_files"])
        reply = SessionReply(held["text"], outputs, str(held["stop_reason"]), held["session_id"],
                             int(held["running_reads"]))
        pending = (reply, dict(held["message"]), dict(held["start"]), int(held["left"]))
    return SessionState(obj, workspace, resources, order, events, sequence,
                        {str(f) for f in record["scoped_files"]}, pending)
