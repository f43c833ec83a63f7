"""Managed Agents sessions: mounted files, events, and the agent turn a test scripts.

``claude_files.sessions`` (:class:`FakeSessions`) holds the sessions of one fake account in
the shape of the SDK's ``BetaManagedAgentsSession``: create (an agent and an environment
of ``claude_files.agents`` / ``claude_files.environments``, ``resources`` of type
``file``, ``initial_events``), retrieve, list, update, archive, delete; the session
resources (add, list, retrieve, update, delete); the events (send, list, stream).

Mounting a file makes a **new file** scoped to the session (``scope: {"type": "session",
"id": "sesn_…"}``, outside the storage quota, not downloadable) mounted at
``/mnt/session/uploads/<file_id>`` unless a path is given; at most 100 a session. The
agent turn of a ``user.message`` is scripted with :meth:`FakeSessions.reply`; its
``output_files`` become downloadable files scoped to the session. See docs/sessions.md.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from datetime import datetime
from typing import Any, Iterator, List, Mapping, Optional

from pytest_claude_files._core.agents import FakeAgents, FakeEnvironments
from pytest_claude_files._core.managed import MAX_OBJECTS, check_metadata, check_str, new_id, page_of
from pytest_claude_files._core.record import SENT_KEPT_BYTES, ListTrim
from pytest_claude_files._core.resource import Renamed, Resource, ServiceLike
from pytest_claude_files._core.session_state import MAX_EVENTS as MAX_EVENTS
from pytest_claude_files._core.session_state import SessionState as _Session
from pytest_claude_files._core.session_state import from_record, keep_event, to_record
from pytest_claude_files._core.session_turns import (
    INITIAL,
    OUTPUTS_DIR,
    OutputFiles,
    SessionReply,
    check_event_files,
    check_sent_events,
    default_text,
    make_reply,
    tokens_of,
)
from pytest_claude_files.errors import FilesAPIError, InvalidRequestError, NotFoundError, shown
from pytest_claude_files.models import format_timestamp

__all__ = ["FakeSessions", "SessionReply"]

MAX_FILES = 100
"""At most 100 files a session (Managed Agents files page)."""
UPLOADS_DIR = "/mnt/session/uploads/"
MAX_MOUNT_PATH = 1024
STREAM_WAIT_SECONDS = 1.0
"""How long an event stream with nothing new waits for an event before the fake ends it."""
_END_OF_TURN = ("session.status_idle", "session.status_terminated", "session.deleted")
_SESSION_AGENT_KEYS = ("id", "type", "name", "description", "system", "model", "tools", "mcp_servers",
                       "skills", "multiagent", "execution_identity", "version")


class FakeSessions(Resource):
    """``claude_files.sessions``: the Managed Agents sessions of one fake account.

    Script agent turns with :meth:`reply`; look at :attr:`sent` (every event clients sent)
    and the sessions themselves with :meth:`get`.
    """

    require_all_replies_used = Renamed("assert_all_scripted_used")

    name = "sessions"

    def __init__(self, service: ServiceLike, agents: FakeAgents, environments: FakeEnvironments) -> None:
        super().__init__(service)
        self.agents = agents
        self.environments = environments
        self.assert_all_scripted_used = True
        self.stream_wait_seconds = STREAM_WAIT_SECONDS
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._sessions: dict[str, _Session] = {}
            self._order: List[str] = []
            self._replies: deque[SessionReply] = deque()
            self.sent: List[dict[str, Any]] = []
            """Every event clients sent (``initial_events`` too), oldest first (the last 10,000,
            and at most ``SENT_KEPT_BYTES`` of them)."""
            self._sent_trim: ListTrim[dict[str, Any]] = ListTrim(10_000, SENT_KEPT_BYTES)
            self._clear_records()

    def is_empty(self, kept: bool = False) -> bool:
        """No session (unless ``kept``), no scripted turn, the settings at their defaults
        (``sent`` is a record)."""
        with self._lock:
            held = (self._sessions and not kept) or self._replies
            defaults = self.assert_all_scripted_used and self.stream_wait_seconds == STREAM_WAIT_SECONDS
            return not held and defaults

    def load_records(self) -> None:
        """The sessions the service's ``records`` kept (an emulator's restart), as they were."""
        def restore(key: str, record: dict[str, Any]) -> None:
            if key in self._sessions:
                raise ValueError(f"session {key} twice")
            self._sessions[key] = from_record(key, record)
            bisect.insort(self._order, key)

        with self._lock:
            self.service.records.load(self.name, restore)

    def _persist(self, session: _Session, *, strict: bool = True) -> None:
        if not self.keeps_records:
            return
        self._save(session.obj["id"], to_record(session), strict=strict)

    # -- scripting ---------------------------------------------------------------------
    def reply(self, text: Optional[str] = None, *, output_files: Optional[OutputFiles] = None,
              stop_reason: str = "end_turn", session_id: Optional[str] = None,
              running_reads: int = 0) -> SessionReply:
        """Queue the agent's answer to the next ``user.message`` (first in, first out).

        ``text``: the ``agent.message`` text (``None``: a default naming the mounted files).
        ``output_files``: filename -> bytes or ``(bytes, mime_type)``, the files the agent
        writes to ``/mnt/session/outputs/`` (downloadable, scoped to the session).
        ``session_id``: only that session's next message uses this reply. ``running_reads``:
        the session stays ``running`` (no agent message, no outputs yet) for that many reads
        of it (``retrieve``, ``events.list``, a stream with nothing new), as a real turn takes
        time: code that collects outputs before the session is ``idle`` finds none.
        """
        return self.queue(make_reply(text, output_files=output_files, stop_reason=stop_reason,
                                     session_id=session_id, running_reads=running_reads))

    def queue(self, reply: SessionReply) -> SessionReply:
        """Queue a checked :class:`SessionReply` (what :meth:`reply` does)."""
        with self._lock:
            self._replies.append(reply)
        return reply

    def reset_replies(self) -> None:
        """Drop the scripted turns no message has used."""
        with self._lock:
            self._replies.clear()

    @property
    def pending_replies(self) -> List[SessionReply]:
        """Scripted turns no ``user.message`` has used yet."""
        with self._lock:
            return list(self._replies)

    def problems(self) -> List[str]:
        with self._lock:
            if self.assert_all_scripted_used and self._replies:
                return [
                    f"{len(self._replies)} scripted turn(s) of claude_files.sessions.reply() were never "
                    "used: the code under test sent fewer user.message events than the test expected (set "
                    "claude_files.sessions.assert_all_scripted_used = False to allow it)."
                ]
            return []

    # -- inspection --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._sessions)

    def all(self) -> List[dict[str, Any]]:
        """Every session (archived ones too, any workspace), newest first, as the API shows it."""
        with self._lock:
            return [self._view(self._sessions[i]) for i in reversed(self._order)]

    def get(self, session_id: str) -> dict[str, Any]:
        """A session as the API shows it, whatever its workspace (``NotFoundError`` if none)."""
        with self._lock:
            return self._view(self._lookup(session_id, None, any_workspace=True))

    def events_of(self, session_id: str) -> List[dict[str, Any]]:
        """Every event of a session, oldest first (the last 10,000)."""
        with self._lock:
            return [dict(e) for e in self._lookup(session_id, None, any_workspace=True).events]

    # -- sessions ------------------------------------------------------------------------
    def create(self, body: Mapping[str, Any], *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/sessions``."""
        if "agent" not in body:
            raise InvalidRequestError("agent: Field required")
        if "environment_id" not in body:
            raise InvalidRequestError("environment_id: Field required")
        title = check_str(body, "title", max_len=512)
        metadata = check_metadata(body.get("metadata"))
        initial = check_sent_events(body.get("initial_events") or [], key="initial_events", allowed=INITIAL)
        check_event_files(initial, "initial_events", self.service.files, self.service.clock.now(),
                          workspace_id)
        requested = body.get("resources") or []
        if not isinstance(requested, list):
            raise InvalidRequestError("resources: Input should be a valid list")
        vault_ids = body.get("vault_ids") or []
        if not isinstance(vault_ids, list) or not all(isinstance(v, str) for v in vault_ids):
            raise InvalidRequestError("vault_ids: Input should be a list of strings")
        with self._lock:
            agent = self.agents.resolve(body["agent"], workspace_id=workspace_id)
            environment = self.environments.resolve(body["environment_id"], workspace_id=workspace_id)
            if len(self._sessions) >= MAX_OBJECTS:
                raise InvalidRequestError(f"This fake account already holds {MAX_OBJECTS} sessions "
                                          "(pytest-claude-files' bound); delete some.")
            now = self.service.clock.now()
            stamp = format_timestamp(now)
            session_id = new_id("sesn", now)
            obj: dict[str, Any] = {
                "id": session_id, "type": "session", "title": title, "status": "idle",
                "agent": {k: agent.get(k) for k in _SESSION_AGENT_KEYS},
                "environment_id": environment["id"], "metadata": metadata, "budget": body.get("budget"),
                "outcome_evaluations": [], "vault_ids": list(vault_ids), "deployment_id": None,
                "usage": {"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0,
                          "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
                          "active_seconds": 0.0},
                "created_at": stamp, "updated_at": stamp, "archived_at": None,
            }
            session = _Session(obj, workspace_id)
            try:
                for index, item in enumerate(requested):
                    self._mount(session, item, f"resources.{index}")
            except FilesAPIError:
                self._drop_files(session)
                raise
            try:
                if initial:
                    self._send(session, initial)
                self._persist(session)  # kept before it is acknowledged
            except FilesAPIError:
                self._drop_files(session)
                raise
            self._sessions[session_id] = session
            bisect.insort(self._order, session_id)
            return self._view(session)

    def retrieve(self, session_id: str, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        with self._lock:
            session = self._lookup(session_id, workspace_id)
            self._progress(session)
            return self._view(session)

    def update(self, session_id: str, body: Mapping[str, Any], *,
               workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/sessions/{id}``: ``title`` and ``metadata`` (a ``null`` value removes a key)."""
        with self._lock:
            session = self._lookup(session_id, workspace_id)
            obj = session.obj
            if "title" in body:
                obj["title"] = check_str(body, "title", max_len=512)
            if body.get("metadata") is not None:
                given = body["metadata"]
                if not isinstance(given, Mapping):
                    raise InvalidRequestError("metadata: Input should be a valid dictionary")
                merged = {**obj["metadata"], **{k: v for k, v in given.items() if v is not None}}
                for key in [k for k, v in given.items() if v is None]:
                    merged.pop(key, None)
                obj["metadata"] = check_metadata(merged)
            obj["updated_at"] = format_timestamp(self.service.clock.now())
            self._persist(session)
            return self._view(session)

    def list(self, *, limit: int = 20, page: Optional[str] = None, order: str = "desc",
             agent_id: Optional[str] = None, agent_version: Optional[int] = None,
             statuses: Optional[List[str]] = None, include_archived: bool = False,
             created: Optional[List[tuple[str, datetime]]] = None,
             workspace_id: Optional[str] = None) -> tuple[List[dict[str, Any]], Optional[str]]:
        """``GET /v1/sessions``: newest first unless ``order="asc"``; archived ones only when asked."""
        if order not in ("asc", "desc"):
            raise InvalidRequestError(f"order: Input should be 'asc' or 'desc', got {shown(order)!r}")
        with self._lock:
            ids = [i for i in self._order
                   if self._keep(self._sessions[i], workspace_id, agent_id, agent_version, statuses,
                                 include_archived, created or [])]
            data, next_page = page_of(ids, {i: self._sessions[i] for i in ids}, limit=limit, page=page,
                                      newest_first=order == "desc")
            return [self._view(s) for s in data], next_page

    def _keep(self, session: _Session, workspace: Optional[str], agent_id: Optional[str],
              agent_version: Optional[int], statuses: Optional[List[str]], include_archived: bool,
              created: List[tuple[str, datetime]]) -> bool:
        obj = session.obj
        if not self._visible(session, workspace) or (obj["archived_at"] is not None and not include_archived):
            return False
        if agent_id is not None and obj["agent"]["id"] != agent_id:
            return False
        if agent_id is not None and agent_version is not None and obj["agent"]["version"] != agent_version:
            return False
        if statuses and obj["status"] not in statuses:
            return False
        made = datetime.fromisoformat(obj["created_at"].replace("Z", "+00:00"))
        tests = {"gt": made.__gt__, "gte": made.__ge__, "lt": made.__lt__, "lte": made.__le__}
        return all(tests[op](moment) for op, moment in created)

    def archive(self, session_id: str, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/sessions/{id}/archive``: kept (events, files), no new events from now on."""
        with self._lock:
            session = self._lookup(session_id, workspace_id)
            if session.obj["status"] == "running":
                raise InvalidRequestError(
                    f"Session `{shown(session_id)}` is running; interrupt it before archiving it.")
            if session.obj["archived_at"] is None:
                stamp = format_timestamp(self.service.clock.now())
                session.obj["archived_at"] = stamp
                session.obj["updated_at"] = stamp
                self._persist(session)
            return self._view(session)

    def delete(self, session_id: str, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``DELETE /v1/sessions/{id}``: the session and its events go; files are independent
        resources (session operations page), so the files scoped to it stay."""
        with self._lock:
            session = self._lookup(session_id, workspace_id)
            if session.obj["status"] == "running":
                raise InvalidRequestError(
                    f"Session `{shown(session_id)}` is running; interrupt it before deleting it.")
            self._drop(session_id)
            self._record(session, {"type": "session.deleted"})
            del self._sessions[session_id]
            self._order.pop(bisect.bisect_left(self._order, session_id))
            return {"id": session_id, "type": "session_deleted"}

    # -- resources -----------------------------------------------------------------------
    def add_resource(self, session_id: str, body: Mapping[str, Any], *,
                     workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/sessions/{id}/resources``: mount one more file."""
        with self._lock:
            session = self._writable(session_id, workspace_id)
            resource = self._mount(session, body, "body")
            session.obj["updated_at"] = resource["created_at"]
            self._persist(session)
            return dict(resource)

    def list_resources(self, session_id: str, *, limit: Optional[int] = None, page: Optional[str] = None,
                       workspace_id: Optional[str] = None) -> tuple[List[dict[str, Any]], Optional[str]]:
        """``GET /v1/sessions/{id}/resources``: oldest first; all of them when no ``limit``."""
        with self._lock:
            session = self._lookup(session_id, workspace_id)
            size = limit if limit is not None else max(1, len(session.resource_order))
            data, next_page = page_of(session.resource_order, session.resources, limit=size, page=page,
                                      newest_first=False)
            return [dict(r) for r in data], next_page

    def retrieve_resource(self, session_id: str, resource_id: str, *,
                          workspace_id: Optional[str] = None) -> dict[str, Any]:
        with self._lock:
            return dict(self._resource(self._lookup(session_id, workspace_id), resource_id))

    def update_resource(self, session_id: str, resource_id: str, body: Mapping[str, Any], *,
                        workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/sessions/{id}/resources/{rid}``: only a repository's token rotates."""
        with self._lock:
            resource = self._resource(self._writable(session_id, workspace_id), resource_id)
            if not isinstance(body.get("authorization_token"), str):
                raise InvalidRequestError("authorization_token: Field required")
            raise InvalidRequestError(
                f"Resource `{shown(resource_id)}` is a {resource['type']} resource: only github_repository "
                "resources support authorization_token rotation.")

    def delete_resource(self, session_id: str, resource_id: str, *,
                        workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``DELETE /v1/sessions/{id}/resources/{rid}``: unmount (the session's copy stays a file:
        files are independent resources)."""
        with self._lock:
            session = self._writable(session_id, workspace_id)
            self._resource(session, resource_id)  # 404 when it is not there
            del session.resources[resource_id]
            session.resource_order.pop(bisect.bisect_left(session.resource_order, resource_id))
            session.obj["updated_at"] = format_timestamp(self.service.clock.now())
            self._persist(session)
            return {"id": resource_id, "type": "session_resource_deleted"}

    # -- events --------------------------------------------------------------------------
    def send(self, session_id: str, body: Mapping[str, Any], *,
             workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/sessions/{id}/events``: record the events; a ``user.message`` runs the agent turn."""
        events = check_sent_events(body.get("events"), key="events")
        check_event_files(events, "events", self.service.files, self.service.clock.now(), workspace_id)
        with self._lock:
            session = self._writable(session_id, workspace_id)
            sent = self._send(session, events)
            self._persist(session)
            return {"data": sent}

    def list_events(self, session_id: str, *, limit: int = 20, page: Optional[str] = None, order: str = "asc",
                    types: Optional[List[str]] = None,
                    workspace_id: Optional[str] = None) -> tuple[List[dict[str, Any]], Optional[str]]:
        """``GET /v1/sessions/{id}/events``: oldest first unless ``order="desc"``."""
        if order not in ("asc", "desc"):
            raise InvalidRequestError(f"order: Input should be 'asc' or 'desc', got {shown(order)!r}")
        with self._lock:
            session = self._lookup(session_id, workspace_id)
            self._progress(session)
            chosen = {e["id"]: e for e in session.events if not types or e["type"] in types}
            data, next_page = page_of(list(chosen), chosen, limit=limit, page=page,
                                      newest_first=order == "desc")
            return [dict(e) for e in data], next_page

    def stream(self, session_id: str, *, workspace_id: Optional[str] = None) -> Iterator[dict[str, Any]]:
        """``GET /v1/sessions/{id}/events/stream``: the events recorded from now on, as they come.

        The session must exist now (404 at once, not mid-stream). The iterator ends after an
        event that ends a turn (``session.status_idle`` ...) when nothing more is queued, or
        when nothing new arrives for :attr:`stream_wait_seconds` (the real stream stays open;
        a fake that never ended would hang the test)."""
        with self._lock:
            session = self._lookup(session_id, workspace_id)
            start = session.sequence
        return self._follow(session, start)

    def _follow(self, session: _Session, position: int) -> Iterator[dict[str, Any]]:
        while True:
            with self._changed:
                if session.sequence == position:
                    self._progress(session)
                while session.sequence == position and session.pending is not None:
                    self._progress(session)
                if session.sequence == position:
                    self._changed.wait_for(lambda seen=position: session.sequence != seen,  # type: ignore[misc]
                                           self.stream_wait_seconds)
                if session.sequence == position:
                    return
                skip = max(0, len(session.events) - (session.sequence - position))
                fresh = [dict(e) for i, e in enumerate(session.events) if i >= skip]
                position = session.sequence
            yield from fresh
            if fresh[-1]["type"] in _END_OF_TURN:
                with self._lock:
                    if session.sequence == position:
                        return

    # -- internals -----------------------------------------------------------------------
    def _visible(self, session: _Session, workspace: Optional[str]) -> bool:
        return session.workspace == workspace or not self.service.settings.partition_workspaces

    def _lookup(self, session_id: str, workspace: Optional[str], *, any_workspace: bool = False) -> _Session:
        session = self._sessions.get(session_id)
        if session is None or not (any_workspace or self._visible(session, workspace)):
            raise NotFoundError(f"Session `{shown(session_id)}` not found.")
        return session

    def _writable(self, session_id: str, workspace: Optional[str]) -> _Session:
        session = self._lookup(session_id, workspace)
        if session.obj["archived_at"] is not None:
            raise InvalidRequestError(f"Session `{shown(session_id)}` is archived.")
        return session

    def _resource(self, session: _Session, resource_id: str) -> dict[str, Any]:
        found = session.resources.get(resource_id)
        if found is None:
            raise NotFoundError(
                f"Resource `{shown(resource_id)}` not found in session `{session.obj['id']}`.")
        return found

    def _view(self, session: _Session) -> dict[str, Any]:
        obj = dict(session.obj)
        obj["resources"] = [dict(session.resources[r]) for r in session.resource_order]
        created = datetime.fromisoformat(obj["created_at"].replace("Z", "+00:00"))
        elapsed = max(0.0, (self.service.clock.now() - created).total_seconds())
        obj["stats"] = {"active_seconds": obj["usage"]["active_seconds"], "duration_seconds": elapsed}
        obj["usage"] = dict(obj["usage"])
        return obj

    def _mount(self, session: _Session, item: Any, where: str) -> dict[str, Any]:
        if not isinstance(item, Mapping):
            raise InvalidRequestError(f"{where}: Input should be a valid dictionary")
        if item.get("type") != "file":
            raise InvalidRequestError(
                f"{where}.type: pytest-claude-files fakes resources of type 'file' only, got "
                f"{shown(str(item.get('type')))!r} (github_repository and memory_store are not faked).")
        file_id = item.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise InvalidRequestError(f"{where}.file_id: Field required")
        mount_path = item.get("mount_path")
        if mount_path is not None and (not isinstance(mount_path, str) or not mount_path.startswith("/")
                                       or len(mount_path) > MAX_MOUNT_PATH or "\x00" in mount_path):
            raise InvalidRequestError(f"{where}.mount_path: must be an absolute path (starting with /), "
                                      f"at most {MAX_MOUNT_PATH} characters")
        if len(session.resources) >= MAX_FILES:
            raise InvalidRequestError(f"A maximum of {MAX_FILES} files is supported per session.")
        files = self.service.files
        source = files.get(file_id, workspace_id=session.workspace)  # 404 when unknown or deleted
        content = files.content(file_id, workspace_id=session.workspace)  # 404 file_expired: content gone
        path = mount_path or UPLOADS_DIR + file_id
        if any(r["mount_path"] == path for r in session.resources.values()):
            raise InvalidRequestError(
                f"{where}.mount_path: {shown(path)!r} is already mounted in this session.")
        copy = files.add_file(source.filename, content, mime_type=source.mime_type, downloadable=False,
                              scope_id=session.obj["id"], workspace_id=session.workspace)
        session.scoped_files.add(copy.id)
        now = self.service.clock.now()
        stamp = format_timestamp(now)
        resource = {"id": new_id("sesrsc", now), "type": "file", "file_id": copy.id, "mount_path": path,
                    "created_at": stamp, "updated_at": stamp}
        session.resources[resource["id"]] = resource
        bisect.insort(session.resource_order, resource["id"])
        return resource

    def _drop_file(self, session: _Session, file_id: str) -> None:
        session.scoped_files.discard(file_id)
        if file_id in self.service.files:
            self.service.files.delete(file_id, workspace_id=session.workspace)

    def _drop_files(self, session: _Session) -> None:
        for file_id in sorted(session.scoped_files):
            self._drop_file(session, file_id)

    def _record(self, session: _Session, event: dict[str, Any]) -> dict[str, Any]:
        moment = self.service.clock.now()
        recorded = {"id": new_id("sevt", moment), **event, "processed_at": format_timestamp(moment)}
        keep_event(session, recorded)
        session.sequence += 1
        self._changed.notify_all()
        return recorded

    def _send(self, session: _Session, events: List[dict[str, Any]]) -> List[dict[str, Any]]:
        out = []
        for event in events:
            self._sent_trim.append(self.sent, event)
            recorded = self._record(session, event)
            out.append(recorded)
            if event["type"] == "user.message":
                if session.pending is not None:  # the running turn ends before the next starts
                    self._finish(session)
                self._turn(session, event)
        session.obj["updated_at"] = format_timestamp(self.service.clock.now())
        return out

    def _next_reply(self, session_id: str) -> SessionReply:
        for index, reply in enumerate(self._replies):
            if reply.session_id in (None, session_id):
                del self._replies[index]
                return reply
        return SessionReply()

    def _turn(self, session: _Session, message: dict[str, Any]) -> None:
        """One agent turn, in the real order of its events; the session ends ``idle`` (at once,
        or after the reply's ``running_reads`` reads of the session)."""
        reply = self._next_reply(session.obj["id"])
        session.obj["status"] = "running"
        self._record(session, {"type": "session.status_running"})
        start = self._record(session, {"type": "span.model_request_start"})
        session.pending = (reply, message, start, reply.running_reads)
        if reply.running_reads == 0:
            self._finish(session)

    def _progress(self, session: _Session) -> None:
        """A read of a session whose turn is running: one read fewer to go."""
        if session.pending is not None:
            reply, message, start, left = session.pending
            session.pending = (reply, message, start, left - 1)
            if left <= 1:
                self._finish(session)
            self._persist(session, strict=False)  # a read moved the turn on

    def _finish(self, session: _Session) -> None:
        assert session.pending is not None
        reply, message, start, _ = session.pending
        session.pending = None
        session_id = session.obj["id"]
        written = []
        if reply.output_files:  # one model request writes the files, the next one answers
            uses = [self._record(session, {"type": "agent.tool_use", "name": "write", "input": {
                "file_path": OUTPUTS_DIR + name, "content": data.decode("utf-8", "replace")}})
                for name, data, _ in reply.output_files]
            self._end_span(session, start, 0, 0)
            for use, (name, data, mime) in zip(uses, reply.output_files, strict=True):
                made = self.service.files.add_file(name, data, mime_type=mime, downloadable=True,
                                                   scope_id=session_id, workspace_id=session.workspace)
                session.scoped_files.add(made.id)
                written.append(name)
                wrote = f"Wrote {len(data)} bytes to {OUTPUTS_DIR}{name}"
                self._record(session, {"type": "agent.tool_result", "tool_use_id": use["id"],
                                       "is_error": False, "content": [{"type": "text", "text": wrote}]})
            start = self._record(session, {"type": "span.model_request_start"})
        mounted = [self.service.files.get(r["file_id"], workspace_id=session.workspace).filename
                   for r in session.resources.values() if r["file_id"] in self.service.files]
        text = reply.text if reply.text is not None else default_text(mounted, written)
        content = [{"type": "text", "text": text}]
        input_tokens, output_tokens = tokens_of(message.get("content")), tokens_of(content)
        self._record(session, {"type": "agent.message", "content": content})
        self._end_span(session, start, input_tokens, output_tokens)
        usage = session.obj["usage"]
        usage["input_tokens"] += input_tokens
        usage["output_tokens"] += output_tokens
        session.obj["status"] = "idle"
        self._record(session, {"type": "session.status_idle", "stop_reason": {"type": reply.stop_reason},
                               "stop_details": None})

    def _end_span(self, session: _Session, start: dict[str, Any], input_tokens: int,
                  output_tokens: int) -> None:
        self._record(session, {"type": "span.model_request_end", "model_request_start_id": start["id"],
                               "is_error": False,
                               "model_usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                                               "cache_creation_input_tokens": 0,
                                               "cache_read_input_tokens": 0}})


OUTPUTS = OUTPUTS_DIR
