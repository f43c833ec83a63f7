"""The routes: pure data, (method, path pattern) -> operation name (Files, then Messages).

Operation names are the SDK's method names, so a respx route or a recorded call reads
as the code under test does (``client.beta.files.retrieve_metadata`` -> ``retrieve_metadata``).

``ROUTES`` is the table of record. :func:`match` answers the usual paths by splitting
the path (no regular expression; every adapter and the handler match each request) and
leaves anything unusual to the table (:func:`match_by_table`); the two agree on every
path (tested).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

OPERATIONS = ("upload", "list", "retrieve_metadata", "download", "delete")
API_BASE_URL = "https://api.anthropic.com"
"""The Anthropic API's URL: where the fake answers by default, and the real backend's default."""
IDS_KEYS = ("ids", "ids[]")
"""The query keys of a GA ``ids=`` listing (the SDK sends ``ids[]`` or repeats ``ids``)."""
FILES_PATH = "/v1/files"
FILE_ID_SEGMENT = r"(?P<file_id>[^/]+)"

ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/v1/files/?\Z"), "upload"),
    ("GET", re.compile(r"^/v1/files/?\Z"), "list"),
    ("GET", re.compile(rf"^/v1/files/{FILE_ID_SEGMENT}/content/?\Z"), "download"),
    ("GET", re.compile(rf"^/v1/files/{FILE_ID_SEGMENT}/?\Z"), "retrieve_metadata"),
    ("DELETE", re.compile(rf"^/v1/files/{FILE_ID_SEGMENT}/?\Z"), "delete"),
)

# The Messages side: POST /v1/messages (JSON or Server-Sent Events) and its token count.
MESSAGES_OPERATIONS = ("messages", "count_tokens")
MESSAGES_PATH = "/v1/messages"
MESSAGES_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/v1/messages/?\Z"), "messages"),
    ("POST", re.compile(r"^/v1/messages/count_tokens/?\Z"), "count_tokens"),
)
MESSAGES_ROUTE_TABLE: tuple[tuple[str, str, str], ...] = tuple(
    (op, method, pattern.pattern) for method, pattern, op in MESSAGES_ROUTES
)

# The resources beside Files and Messages: (method, pattern, operation), the operation a
# key of ``_http/endpoints.ENDPOINTS``; a pattern's named groups are the endpoint's ``params``.
_BATCH = r"(?P<batch_id>[^/]+)"
BATCHES_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/v1/messages/batches/?\Z"), "batches.create"),
    ("GET", re.compile(r"^/v1/messages/batches/?\Z"), "batches.list"),
    ("GET", re.compile(rf"^/v1/messages/batches/{_BATCH}/?\Z"), "batches.retrieve"),
    ("DELETE", re.compile(rf"^/v1/messages/batches/{_BATCH}/?\Z"), "batches.delete"),
    ("POST", re.compile(rf"^/v1/messages/batches/{_BATCH}/cancel/?\Z"), "batches.cancel"),
    ("GET", re.compile(rf"^/v1/messages/batches/{_BATCH}/results/?\Z"), "batches.results"),
)
_SKILL = r"(?P<skill_id>[^/]+)"
_VERSION = r"(?P<version>[^/]+)"
SKILLS_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/v1/skills/?\Z"), "skills.create"),
    ("GET", re.compile(r"^/v1/skills/?\Z"), "skills.list"),
    ("GET", re.compile(rf"^/v1/skills/{_SKILL}/?\Z"), "skills.retrieve"),
    ("DELETE", re.compile(rf"^/v1/skills/{_SKILL}/?\Z"), "skills.delete"),
    ("POST", re.compile(rf"^/v1/skills/{_SKILL}/versions/?\Z"), "skills.versions.create"),
    ("GET", re.compile(rf"^/v1/skills/{_SKILL}/versions/?\Z"), "skills.versions.list"),
    ("GET", re.compile(rf"^/v1/skills/{_SKILL}/versions/{_VERSION}/?\Z"), "skills.versions.retrieve"),
    ("DELETE", re.compile(rf"^/v1/skills/{_SKILL}/versions/{_VERSION}/?\Z"), "skills.versions.delete"),
)
_SEG = r"[^/]+"


def _route(method: str, path: str, operation: str) -> tuple[str, re.Pattern[str], str]:
    """A route row from a path template (``{name}`` is one path segment, a named group)."""
    pattern = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>{_SEG})", path)
    return method, re.compile(rf"^{pattern}/?\Z"), operation


# Managed Agents (managed-agents-2026-04-01): agents and environments as far as a session
# needs them, sessions, their resources and events (_http/sessions.py).
SESSIONS_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    _route("POST", "/v1/agents", "agents.create"),
    _route("GET", "/v1/agents", "agents.list"),
    _route("GET", "/v1/agents/{agent_id}", "agents.retrieve"),
    _route("POST", "/v1/agents/{agent_id}/archive", "agents.archive"),
    _route("POST", "/v1/environments", "environments.create"),
    _route("GET", "/v1/environments", "environments.list"),
    _route("GET", "/v1/environments/{environment_id}", "environments.retrieve"),
    _route("POST", "/v1/environments/{environment_id}/archive", "environments.archive"),
    _route("POST", "/v1/sessions", "sessions.create"),
    _route("GET", "/v1/sessions", "sessions.list"),
    _route("GET", "/v1/sessions/{session_id}", "sessions.retrieve"),
    _route("POST", "/v1/sessions/{session_id}", "sessions.update"),
    _route("DELETE", "/v1/sessions/{session_id}", "sessions.delete"),
    _route("POST", "/v1/sessions/{session_id}/archive", "sessions.archive"),
    _route("POST", "/v1/sessions/{session_id}/resources", "sessions.resources.add"),
    _route("GET", "/v1/sessions/{session_id}/resources", "sessions.resources.list"),
    _route("GET", "/v1/sessions/{session_id}/resources/{resource_id}", "sessions.resources.retrieve"),
    _route("POST", "/v1/sessions/{session_id}/resources/{resource_id}", "sessions.resources.update"),
    _route("DELETE", "/v1/sessions/{session_id}/resources/{resource_id}", "sessions.resources.delete"),
    _route("POST", "/v1/sessions/{session_id}/events", "sessions.events.send"),
    _route("GET", "/v1/sessions/{session_id}/events", "sessions.events.list"),
    _route("GET", "/v1/sessions/{session_id}/events/stream", "sessions.events.stream"),
)
RESOURCE_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    *BATCHES_ROUTES, *SKILLS_ROUTES, *SESSIONS_ROUTES,
)
RESOURCE_ROUTE_TABLE: tuple[tuple[str, str, str], ...] = tuple(
    (op, method, pattern.pattern) for method, pattern, op in RESOURCE_ROUTES
)

# For respx: (operation, method, path regex) as respx's M(method=..., path__regex=...).
ROUTE_TABLE: tuple[tuple[str, str, str], ...] = tuple(
    (op, method, pattern.pattern) for method, pattern, op in ROUTES
)

_FILE_PREFIX = FILES_PATH + "/"


def match(method: str, path: str) -> tuple[Optional[str], Optional[str]]:
    """``(operation, file_id)`` for a request, ``(None, None)`` when no route matches."""
    if path.startswith(_FILE_PREFIX) and "\n" not in path:  # (``$`` also matches before "\n")
        rest = path[10:]  # after "/v1/files/"
        if not rest:
            if method == "GET":
                return "list", None
            if method == "POST":
                return "upload", None
        else:
            if rest[-1] == "/":
                rest = rest[:-1]
            if rest and "/" not in rest:
                if method == "GET":
                    return "retrieve_metadata", rest
                if method == "DELETE":
                    return "delete", rest
            elif method == "GET" and rest.endswith("/content"):
                file_id = rest[:-8]
                if file_id and "/" not in file_id:
                    return "download", file_id
    elif path == FILES_PATH:
        if method == "GET":
            return "list", None
        if method == "POST":
            return "upload", None
    elif method == "POST" and path.startswith(MESSAGES_PATH):
        if path == MESSAGES_PATH:
            return "messages", None
        if path == "/v1/messages/count_tokens":
            return "count_tokens", None
    return match_by_table(method, path)


def match_by_table(method: str, path: str) -> tuple[Optional[str], Optional[str]]:
    """:func:`match` by the regular expressions of ``ROUTES`` alone."""
    for route_method, pattern, operation in (*ROUTES, *MESSAGES_ROUTES, *RESOURCE_ROUTES):
        if route_method == method:
            found = pattern.match(path)
            if found:
                return operation, found.groupdict().get("file_id")
    return None, None


def path_params(operation: str, method: str, path: str) -> dict[str, str]:
    """The named groups of the route of ``operation`` that matches ``path`` (``{}``: none)."""
    for route_method, pattern, name in RESOURCE_ROUTES:
        if name == operation and route_method == method:
            found = pattern.match(path)
            if found:
                return {k: v for k, v in found.groupdict().items() if v is not None}
    return {}


def split_list_query(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], Optional[list[str]]]:
    """A list request's query as ``(single parameters, ids)``: ``ids`` gathers every
    ``ids`` / ``ids[]`` value in order (``None`` when there is none), the other keys keep
    their last value."""
    single: dict[str, str] = {}
    ids: Optional[list[str]] = None
    for key, value in pairs:
        if key in IDS_KEYS:
            if ids is None:
                ids = []
            ids.append(value)
        else:
            single[key] = value
    return single, ids


def api_key_of(headers: Any) -> str:
    """The credential of a request: ``x-api-key``, else ``Authorization: Bearer``; "" if none.

    ``headers``: lower-case keys, or case-insensitive (httpx ``Headers``)."""
    key = (headers.get("x-api-key") or "").strip()
    if not key:
        scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
        if scheme.lower() == "bearer":
            key = token.strip()
    return key
