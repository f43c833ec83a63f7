"""Hypothesis fuzzes the resources beside Files (issue 24: every new surface gets the same
treatment as Files had): Message Batches, Skills, agents, environments, sessions, their
resources and events.

Each example builds a small account (a file, a batch that references it, an agent, an
environment and a session with the file mounted), then sends one request to a route of
``RESOURCE_ROUTES``: its path parameters real, unknown, deleted or hostile ids; its query
any of the list parameters with any value; its body a valid one with one field replaced by
any JSON value, any JSON at all, or bytes that are no JSON; its headers with and without
the betas and the version. Whatever arrives:

- the handler answers and never raises, never 500, and records no internal error;
- an error carries the API's envelope, its ``request_id`` equal to the ``request-id`` header;
- a refused request changes nothing another request can see (the ids of every kind, the
  batch's state, the session's resources and events).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pytest_claude_files._core.ids import REQUEST_ID_RE
from pytest_claude_files._core.service import FakeService
from pytest_claude_files._http import routes
from pytest_claude_files._http.endpoint import HTTPRequest
from pytest_claude_files._http.handler import FilesHandler
from pytest_claude_files.errors import STATUS_TO_ERROR_TYPE

BETAS = "files-api-2025-04-14,managed-agents-2026-04-01,skills-2025-10-02"
BASE_HEADERS = {"x-api-key": "sk-ant-fuzz", "anthropic-version": "2023-06-01",
                "content-type": "application/json", "anthropic-beta": BETAS}
UNKNOWN = {"batch_id": "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d", "skill_id": "skill_01AbCdEfGhJkLmNpQrStUvWx",
           "agent_id": "agent_011CZkYpogX7uDKUyvBTophP", "environment_id": "env_011CZkZ9X2dpNyB7HsEFoRfW",
           "session_id": "sesn_011CZkZAtmR3yMPDzynEDxu7", "resource_id": "sesrsc_011CZkZBJq5dWxk5fPYFkwmK",
           "version": "1759178010641129"}
HOSTILE = ["", "..", "%2e%2e", "a" * 5000, "\u202e\u0000", "file_" + "9" * 300, "' OR 1=1 --", "%00"]


def _ask(file_id: str) -> dict[str, Any]:
    return {"model": "claude-fake-model", "max_tokens": 16, "messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": file_id}}]}]}


class Account:
    """One fake account with one of everything, and a way to call it."""

    def __init__(self) -> None:
        self.fake = FakeService()
        self.fake.clock.freeze()  # (a session's duration_seconds follows the clock)
        self.handler = FilesHandler(self.fake)
        self.file = self.fake.add_file("report.pdf", b"%PDF-1.7 fuzz", downloadable=True).id
        self.ids = {
            "batch_id": self.ok("POST", "/v1/messages/batches",
                                {"requests": [{"custom_id": "r", "params": _ask(self.file)}]})["id"],
            "agent_id": self.ok("POST", "/v1/agents", {"name": "a", "model": "claude-opus-4-7"})["id"],
            "environment_id": self.ok("POST", "/v1/environments", {"name": "e"})["id"],
        }
        session = self.ok("POST", "/v1/sessions", {
            "agent": self.ids["agent_id"], "environment_id": self.ids["environment_id"],
            "resources": [{"type": "file", "file_id": self.file}]})
        self.ids.update(session_id=session["id"], resource_id=session["resources"][0]["id"],
                        skill_id=UNKNOWN["skill_id"], version=UNKNOWN["version"])

    def call(self, method: str, path: str, query: str = "", body: bytes = b"",
             headers: dict[str, str] | None = None) -> Any:
        sent = BASE_HEADERS if headers is None else headers
        return self.handler(HTTPRequest.build(method, path, query, sent, body))

    def ok(self, method: str, path: str, body: Any) -> Any:
        answer = self.call(method, path, body=json.dumps(body).encode())
        assert answer.status == 200, bytes(answer.body)
        return json.loads(bytes(answer.body))

    def visible(self) -> Any:
        """What later requests can see: every list, the batch, the session's resources and events."""
        seen = {}
        for path in ("/v1/messages/batches", "/v1/agents", "/v1/environments", "/v1/sessions", "/v1/skills",
                     f"/v1/messages/batches/{self.ids['batch_id']}",
                     f"/v1/sessions/{self.ids['session_id']}/resources",
                     f"/v1/sessions/{self.ids['session_id']}/events"):
            answer = self.call("GET", path)
            seen[path] = (answer.status, bytes(answer.body))
        return seen


# -- strategies ----------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
ROUTES = [(method, pattern, operation) for method, pattern, operation in routes.RESOURCE_ROUTES]


def _valid_body(account: Account, operation: str) -> Any:
    ids = account.ids
    return {
        "batches.create": {"requests": [{"custom_id": "r2", "params": _ask(account.file)}]},
        "agents.create": {"name": "b", "model": "claude-opus-4-7"},
        "environments.create": {"name": "f"},
        "sessions.create": {"agent": ids["agent_id"], "environment_id": ids["environment_id"]},
        "sessions.update": {"title": "t"},
        "sessions.resources.add": {"type": "file", "file_id": account.file},
        "sessions.resources.update": {"authorization_token": "x"},
        "sessions.events.send": {"events": [
            {"type": "user.message", "content": [{"type": "text", "text": "hi"}]}]},
    }.get(operation, {})


@st.composite
def requests(draw: st.DrawFn, account: Account) -> tuple[str, str, str, bytes, dict[str, str], str]:
    method, pattern, operation = draw(st.sampled_from(ROUTES))
    path = pattern.pattern.removeprefix("^").removesuffix("/?\\Z")
    for name in pattern.groupindex:
        kind = draw(st.sampled_from(["real", "unknown", "hostile"]))
        value = account.ids[name] if kind == "real" else UNKNOWN[name] if kind == "unknown" else draw(
            st.sampled_from(HOSTILE))
        path = path.replace(f"(?P<{name}>[^/]+)", value.replace("/", "%2F"))
    query = draw(st.lists(st.tuples(st.sampled_from(["limit", "after_id", "before_id", "page", "beta", "x"]),
                                    st.sampled_from(["", "0", "-1", "1001", "abc", "9" * 50, account.file])),
                          max_size=3))
    query_string = "&".join(f"{k}={v}" for k, v in query)
    shape = draw(st.sampled_from(["valid", "mutated", "any json", "no json", "empty"]))
    body: Any = _valid_body(account, operation)
    if shape == "mutated" and isinstance(body, dict):
        body = dict(body)
        body[draw(st.sampled_from([*body, "extra"]) if body else st.just("extra"))] = draw(JSON_VALUES)
    elif shape == "any json":
        body = draw(JSON_VALUES)
    raw = {"no json": draw(st.binary(max_size=30)) + b"{", "empty": b""}.get(shape, json.dumps(body).encode())
    headers = dict(BASE_HEADERS)
    left_out = st.sets(st.sampled_from(["anthropic-beta", "anthropic-version", "x-api-key"]), max_size=1)
    for name in draw(left_out):
        del headers[name]
    event(f"{operation} ({shape})")
    return method, path, query_string, raw if method != "GET" else b"", headers, operation


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_request_to_a_resource_is_answered_as_the_api_answers(data: st.DataObject) -> None:
    account = Account()
    method, path, query, body, headers, operation = data.draw(requests(account))
    before = account.visible()
    answer = account.call(method, path, query, body, headers)
    assert account.handler.internal_errors == [], account.handler.internal_errors
    assert answer.status != 500, (operation, bytes(answer.body)[:300])
    request_id = answer.header("request-id")
    assert request_id is not None and REQUEST_ID_RE.match(request_id)
    if answer.status >= 400:
        envelope = json.loads(bytes(answer.body))
        assert envelope["type"] == "error" and envelope["request_id"] == request_id
        assert envelope["error"]["type"] == STATUS_TO_ERROR_TYPE[answer.status]
        assert isinstance(envelope["error"]["message"], str) and envelope["error"]["message"]
        assert account.visible() == before, f"a refused {operation} changed what others see"
