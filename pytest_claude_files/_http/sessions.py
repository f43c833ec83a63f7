"""The Managed Agents endpoints: agents, environments, sessions, session resources, events.

Every one requires ``anthropic-beta: managed-agents-2026-04-01`` (the SDK sends it; a
400 without it, in the words of the SDK's docstring). Routes are ``SESSIONS_ROUTES`` of
``_http/routes.py``; the state is ``claude_files.agents`` / ``.environments`` /
``.sessions`` (``_core/agents.py``, ``_core/sessions.py``). The event stream is
Server-Sent Events, ``event: <type>`` then ``data: <the event>``, read lazily so that a
stream opened before a ``send`` carries that send's turn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterator, Optional

from pytest_claude_files._core.managed import BETA, parse_bool, parse_limit
from pytest_claude_files._http.endpoint import Endpoint, HTTPResponse, dumps
from pytest_claude_files._http.sse import CONTENT_TYPE as SSE_CONTENT_TYPE
from pytest_claude_files.errors import InvalidRequestError, shown

__all__ = ["ENDPOINTS", "require_beta"]

BETA_REQUIRED = f"This endpoint is in beta: requests must send `{BETA}` in the anthropic-beta header."


def require_beta(ep: Endpoint) -> None:
    if BETA not in ep.betas:
        raise InvalidRequestError(BETA_REQUIRED)


def _page(ep: Endpoint, data: list[Any], next_page: Optional[str], *,
          bidirectional: bool = False) -> HTTPResponse:
    body: dict[str, Any] = {"data": data, "next_page": next_page}
    if bidirectional:
        body["prev_page"] = None
    return ep.ok(body)


def _one(query: dict[str, list[str]], key: str) -> Optional[str]:
    values = query.get(key)
    return values[-1] if values else None


def _many(query: dict[str, list[str]], key: str) -> Optional[list[str]]:
    values = [*query.get(key, []), *query.get(key + "[]", [])]
    return values or None


def _moments(query: dict[str, list[str]]) -> list[tuple[str, datetime]]:
    out = []
    for op in ("gt", "gte", "lt", "lte"):
        value = _one(query, f"created_at[{op}]")
        if value is not None:
            try:
                moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise InvalidRequestError(f"created_at[{op}]: Input should be an RFC 3339 timestamp, "
                                          f"got {shown(value)!r}") from None
            out.append((op, moment))
    return out


# -- agents and environments -----------------------------------------------------------------
def agents_create(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.agents.create(ep.json_body(), workspace_id=ep.workspace))


def agents_list(ep: Endpoint) -> HTTPResponse:
    q = ep.query()
    data, next_page = ep.service.agents.list(limit=parse_limit(_one(q, "limit")), page=_one(q, "page"),
                                             include_archived=parse_bool("include_archived",
                                                                         _one(q, "include_archived")),
                                             workspace_id=ep.workspace)
    return _page(ep, data, next_page)


def agents_retrieve(ep: Endpoint) -> HTTPResponse:
    version = _one(ep.query(), "version")
    agent = ep.service.agents.retrieve(ep.params["agent_id"], workspace_id=ep.workspace)
    if version is not None and version.strip() != str(agent["version"]):
        raise InvalidRequestError(f"Agent `{shown(agent['id'])}` has no version {shown(version)}.")
    return ep.ok(agent)


def agents_archive(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.agents.archive(ep.params["agent_id"], workspace_id=ep.workspace))


def environments_create(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.environments.create(ep.json_body(), workspace_id=ep.workspace))


def environments_list(ep: Endpoint) -> HTTPResponse:
    q = ep.query()
    data, next_page = ep.service.environments.list(
        limit=parse_limit(_one(q, "limit")), page=_one(q, "page"),
        include_archived=parse_bool("include_archived", _one(q, "include_archived")),
        workspace_id=ep.workspace)
    return _page(ep, data, next_page)


def environments_retrieve(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.environments.retrieve(ep.params["environment_id"], workspace_id=ep.workspace))


def environments_archive(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.environments.archive(ep.params["environment_id"], workspace_id=ep.workspace))


# -- sessions ------------------------------------------------------------------------------
def sessions_create(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.create(ep.json_body(), workspace_id=ep.workspace))


def sessions_list(ep: Endpoint) -> HTTPResponse:
    q = ep.query()
    version = _one(q, "agent_version")
    if version is not None and not version.strip().isdigit():
        raise InvalidRequestError(f"agent_version: Input should be a valid integer, got {shown(version)!r}")
    data, next_page = ep.service.sessions.list(
        limit=parse_limit(_one(q, "limit")), page=_one(q, "page"), order=_one(q, "order") or "desc",
        agent_id=_one(q, "agent_id"), agent_version=None if version is None else int(version),
        statuses=_many(q, "statuses"),
        include_archived=parse_bool("include_archived", _one(q, "include_archived")),
        created=_moments(q), workspace_id=ep.workspace)
    return _page(ep, data, next_page, bidirectional=True)


def sessions_retrieve(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.retrieve(ep.params["session_id"], workspace_id=ep.workspace))


def sessions_update(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.update(ep.params["session_id"], ep.json_body(),
                                            workspace_id=ep.workspace))


def sessions_archive(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.archive(ep.params["session_id"], workspace_id=ep.workspace))


def sessions_delete(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.delete(ep.params["session_id"], workspace_id=ep.workspace))


# -- session resources ----------------------------------------------------------------------
def resources_add(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.add_resource(ep.params["session_id"], ep.json_body(),
                                                  workspace_id=ep.workspace))


def resources_list(ep: Endpoint) -> HTTPResponse:
    q = ep.query()
    raw = _one(q, "limit")
    data, next_page = ep.service.sessions.list_resources(
        ep.params["session_id"], limit=None if raw is None else parse_limit(raw), page=_one(q, "page"),
        workspace_id=ep.workspace)
    return _page(ep, data, next_page)


def resources_retrieve(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.retrieve_resource(ep.params["session_id"], ep.params["resource_id"],
                                                       workspace_id=ep.workspace))


def resources_update(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.update_resource(ep.params["session_id"], ep.params["resource_id"],
                                                     ep.json_body(), workspace_id=ep.workspace))


def resources_delete(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.delete_resource(ep.params["session_id"], ep.params["resource_id"],
                                                     workspace_id=ep.workspace))


# -- events --------------------------------------------------------------------------------
def events_send(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.sessions.send(ep.params["session_id"], ep.json_body(), workspace_id=ep.workspace))


def events_list(ep: Endpoint) -> HTTPResponse:
    q = ep.query()
    data, next_page = ep.service.sessions.list_events(
        ep.params["session_id"], limit=parse_limit(_one(q, "limit")), page=_one(q, "page"),
        order=_one(q, "order") or "asc", types=_many(q, "types"), workspace_id=ep.workspace)
    return _page(ep, data, next_page)


def events_stream(ep: Endpoint) -> HTTPResponse:
    events = ep.service.sessions.stream(ep.params["session_id"], workspace_id=ep.workspace)
    return ep.streamed(render(events), SSE_CONTENT_TYPE)


def render(events: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """Each event as ``event: <type>`` + ``data: <json>`` (the documented stream's framing)."""
    for event in events:
        yield b"event: " + str(event["type"]).encode() + b"\ndata: " + dumps(event) + b"\n\n"


def _beta(fn: Callable[[Endpoint], HTTPResponse]) -> Callable[[Endpoint], HTTPResponse]:
    def endpoint(ep: Endpoint) -> HTTPResponse:
        require_beta(ep)
        return fn(ep)
    endpoint.__name__ = fn.__name__
    endpoint.__doc__ = fn.__doc__
    return endpoint


ENDPOINTS: dict[str, Callable[[Endpoint], HTTPResponse]] = {
    name: _beta(fn) for name, fn in {
        "agents.create": agents_create, "agents.list": agents_list, "agents.retrieve": agents_retrieve,
        "agents.archive": agents_archive,
        "environments.create": environments_create, "environments.list": environments_list,
        "environments.retrieve": environments_retrieve, "environments.archive": environments_archive,
        "sessions.create": sessions_create, "sessions.list": sessions_list,
        "sessions.retrieve": sessions_retrieve, "sessions.update": sessions_update,
        "sessions.archive": sessions_archive, "sessions.delete": sessions_delete,
        "sessions.resources.add": resources_add, "sessions.resources.list": resources_list,
        "sessions.resources.retrieve": resources_retrieve, "sessions.resources.update": resources_update,
        "sessions.resources.delete": resources_delete,
        "sessions.events.send": events_send, "sessions.events.list": events_list,
        "sessions.events.stream": events_stream,
    }.items()
}
