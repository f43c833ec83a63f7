"""Managed Agents sessions through the other adapters: ``claude_files_respx`` (a client built
anywhere), ``mock_claude_files()``, and the HTTP rules every adapter shares (the beta
header, workspaces, the stream's framing)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from pytest_claude_files import FakeFiles, mock_claude_files
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest

from .conftest import sdk_at_least

anthropic = pytest.importorskip("anthropic")
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.claude_files(max_retries=0),
    pytest.mark.skipif(not sdk_at_least(2, 17), reason="client.beta.sessions arrived with anthropic 2.17"),
]
MESSAGE = {"type": "user.message", "content": [{"type": "text", "text": "go"}]}
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01", "anthropic-beta": "managed-agents-2026-04-01",
           "content-type": "application/json"}


async def _r(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> Any:
    cls = anthropic.AsyncAnthropic if request.param == "async" else anthropic.Anthropic
    return cls(api_key="sk-ant-test", max_retries=0)


def _flow(client: Any) -> tuple[Any, Any]:
    environment = client.beta.environments.create(name="e")
    agent = client.beta.agents.create(name="a", model="claude-opus-4-7")
    return environment, agent


async def test_respx_routes_serve_sessions(client: Any, claude_files_respx: Any, claude_files: Any) -> None:
    names = {route.name for route in claude_files_respx.routes}
    assert {"sessions.create", "sessions.events.send", "sessions.events.stream", "agents.create"} <= names
    environment = await _r(client.beta.environments.create(name="e"))
    agent = await _r(client.beta.agents.create(name="a", model="claude-opus-4-7"))
    upload = claude_files.add_file("paper.pdf", b"%PDF-1.4", mime_type="application/pdf")
    session = await _r(client.beta.sessions.create(agent=agent.id, environment_id=environment.id,
                                                   resources=[{"type": "file", "file_id": upload.id}]))
    claude_files.sessions.reply("read it", output_files={"notes.md": b"# n"})
    stream = await _r(client.beta.sessions.events.stream(session.id))
    await _r(client.beta.sessions.events.send(session.id, events=[MESSAGE]))
    if hasattr(stream, "__aiter__"):
        types = [event.type async for event in stream]
    else:
        types = [event.type for event in stream]
    assert types == ["user.message", "session.status_running", "span.model_request_start", "agent.tool_use",
                     "span.model_request_end", "agent.tool_result", "span.model_request_start",
                     "agent.message", "span.model_request_end", "session.status_idle"]
    outputs = [m for m in claude_files.files if m.filename == "notes.md"]
    assert len(outputs) == 1 and outputs[0].scope is not None and outputs[0].scope.id == session.id
    assert claude_files_respx["sessions.events.send"].call_count == 1


def test_mock_claude_files_serves_sessions() -> None:
    with mock_claude_files() as fake:
        assert isinstance(fake, FakeFiles)
        client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)
        environment, agent = _flow(client)
        session = client.beta.sessions.create(agent=agent.id, environment_id=environment.id,
                                              initial_events=[MESSAGE])
        texts = [e.content[0].text for e in client.beta.sessions.events.list(session.id)
                 if e.type == "agent.message"]
        assert texts == ["pytest-claude-files fake agent. No files mounted."]
        assert fake.sessions.get(session.id)["status"] == "idle"


def _call(handler: FilesHandler, method: str, path: str, body: Any = None, **headers: str) -> Any:
    merged = {**HEADERS, **headers}
    raw = b"" if body is None else json.dumps(body).encode()
    return handler(HTTPRequest.build(method, path, "", merged, raw))


def test_every_endpoint_needs_the_managed_agents_beta() -> None:
    handler = FilesHandler(FakeFiles())
    answer = _call(handler, "POST", "/v1/agents", {"name": "a", "model": "m"}, **{"anthropic-beta": ""})
    assert answer.status == 400
    assert "managed-agents-2026-04-01" in answer.json()["error"]["message"]
    assert _call(handler, "GET", "/v1/sessions").status == 200


def test_sessions_are_per_workspace_when_partitioned() -> None:
    fake = FakeFiles(partition_workspaces=True)
    handler = FilesHandler(fake)
    space = {"anthropic-workspace-id": "wrkspc_a"}
    env = _call(handler, "POST", "/v1/environments", {"name": "e"}, **space).json()
    agent = _call(handler, "POST", "/v1/agents", {"name": "a", "model": "m"}, **space).json()
    mine = fake.add_file("a.txt", b"a", workspace_id="wrkspc_a")
    session = _call(handler, "POST", "/v1/sessions", {
        "agent": agent["id"], "environment_id": env["id"],
        "resources": [{"type": "file", "file_id": mine.id}]}, **space).json()
    assert _call(handler, "GET", f"/v1/sessions/{session['id']}", **space).status == 200
    other = {"anthropic-workspace-id": "wrkspc_b"}
    assert _call(handler, "GET", f"/v1/sessions/{session['id']}", **other).status == 404
    assert _call(handler, "GET", "/v1/sessions", **other).json()["data"] == []
    assert _call(handler, "POST", "/v1/sessions", {"agent": agent["id"], "environment_id": env["id"]},
                 **other).status == 404
    copy = fake.files.get(session["resources"][0]["file_id"], workspace_id="wrkspc_a")
    assert copy.scope is not None and copy.scope.id == session["id"]  # the copy is in the same workspace


def test_the_stream_is_event_then_data() -> None:
    fake = FakeFiles()
    handler = FilesHandler(fake)
    env = _call(handler, "POST", "/v1/environments", {"name": "e"}).json()
    agent = _call(handler, "POST", "/v1/agents", {"name": "a", "model": "m"}).json()
    body = {"agent": agent["id"], "environment_id": env["id"]}
    session = _call(handler, "POST", "/v1/sessions", body).json()
    fake.sessions.stream_wait_seconds = 0.01
    answer = _call(handler, "GET", f"/v1/sessions/{session['id']}/events/stream")
    assert answer.status == 200 and answer.header("content-type").startswith("text/event-stream")
    assert _call(handler, "POST", f"/v1/sessions/{session['id']}/events", {"events": [MESSAGE]}).status == 200
    assert answer.stream is not None
    body = b"".join(answer.stream).decode()
    frames = [frame.split("\n") for frame in body.strip().split("\n\n")]
    assert frames[0][0] == "event: user.message"
    for name, data in frames:
        assert json.loads(data[len("data: "):])["type"] == name[len("event: "):]
    assert frames[-1][0] == "event: session.status_idle"
    nothing = _call(handler, "GET", f"/v1/sessions/{session['id']}/events/stream")
    assert nothing.stream is not None and b"".join(nothing.stream) == b""  # ends, never hangs


def test_bad_bodies_are_the_apis_400() -> None:
    handler = FilesHandler(FakeFiles())
    env = _call(handler, "POST", "/v1/environments", {"name": "e"}).json()
    agent = _call(handler, "POST", "/v1/agents", {"name": "a", "model": "m"}).json()
    assert _call(handler, "POST", "/v1/environments", {"name": "e"}).status == 409  # names are unique
    base = {"agent": agent["id"], "environment_id": env["id"]}
    bad = [
        {"environment_id": env["id"]},
        {**base, "resources": [{"type": "file"}]},
        {**base, "resources": [{"type": "file", "file_id": "file_x", "mount_path": "relative/path"}]},
        {**base, "resources": [{"type": "github_repository", "url": "https://github.com/a/b"}]},
        {**base, "initial_events": [{"type": "user.interrupt"}]},
        {**base, "initial_events": [MESSAGE] * 51},
        {**base, "metadata": {str(i): "v" for i in range(17)}},
    ]
    for body in bad:
        answer = _call(handler, "POST", "/v1/sessions", body)
        assert answer.status == 400, body
        assert answer.json()["error"]["type"] == "invalid_request_error"
    session = _call(handler, "POST", "/v1/sessions", base).json()
    for events in ([], [{"type": "agent.message", "content": []}], [{"type": "user.message", "content": []}]):
        answer = _call(handler, "POST", f"/v1/sessions/{session['id']}/events", {"events": events})
        assert answer.status == 400, events
    assert _call(handler, "GET", f"/v1/sessions/{session['id']}/events", None).status == 200
    assert _call(handler, "GET", "/v1/sessions/sesn_nope/events").status == 404
