"""Managed Agents sessions served by the emulator over real HTTP: the SDK against
``start_server``, agent turns scripted through the control API (``session_reply``)."""

from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest

from pytest_claude_files.server import ServerHandle, start_server
from pytest_claude_files.server.control_client import ControlAPIError

from .conftest import sdk_at_least

anthropic = pytest.importorskip("anthropic")
pytestmark = pytest.mark.skipif(not sdk_at_least(2, 17), reason="client.beta.sessions arrived with 2.17")
KEY = "sk-ant-sessions-server"
MESSAGE = {"type": "user.message", "content": [{"type": "text", "text": "Write the report."}]}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


@pytest.fixture
def control(server: ServerHandle) -> Any:
    ctl = server.control(KEY)
    ctl.reset()
    return ctl


@pytest.fixture
def client(server: ServerHandle) -> Any:
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)


def test_a_session_over_http(control: Any, client: Any) -> None:
    environment = client.beta.environments.create(name="research")
    agent = client.beta.agents.create(name="researcher", model="claude-opus-4-7")
    upload = client.beta.files.upload(file=("paper.pdf", b"%PDF-1.4 x", "application/pdf"))
    session = client.beta.sessions.create(agent=agent.id, environment_id=environment.id,
                                          resources=[{"type": "file", "file_id": upload.id}])
    assert session.resources[0].file_id != upload.id
    queued = control.session_reply("done", output_files={"report.md": b"# R"})
    assert queued[0]["output_files"] == ["report.md"]
    with client.beta.sessions.events.stream(session.id) as stream:
        client.beta.sessions.events.send(session.id, events=[MESSAGE])
        types = [event.type for event in stream]
    assert types[0] == "user.message" and types[-1] == "session.status_idle"
    assert client.beta.sessions.retrieve(session.id).status == "idle"
    outputs = [f for f in client.beta.files.list(scope_id=session.id, betas=["managed-agents-2026-04-01"])
               if f.filename == "report.md"]
    assert client.beta.files.download(outputs[0].id).read() == b"# R"
    assert control.session_reply("unused") and control.pending_replies() == []
    assert [r["text"] for r in control.pending_session_replies()] == ["unused"]
    assert control.clear_session_replies() == 1 and control.pending_session_replies() == []


def test_a_stream_waits_for_a_send_from_another_thread(
    control: Any, client: Any, server: ServerHandle
) -> None:
    environment = client.beta.environments.create(name="threads")
    agent = client.beta.agents.create(name="a", model="claude-opus-4-7")
    session = client.beta.sessions.create(agent=agent.id, environment_id=environment.id)
    control.session_reply("from the other side")
    seen: list[str] = []
    with client.beta.sessions.events.stream(session.id) as stream:
        sender = threading.Timer(0.2, lambda: anthropic.Anthropic(
            base_url=server.base_url, api_key=KEY, max_retries=0).beta.sessions.events.send(
                session.id, events=[MESSAGE]))
        sender.start()
        for event in stream:
            seen.append(event.type)
            if event.type == "session.status_idle":
                break
        sender.join()
    assert seen[-1] == "session.status_idle" and "agent.message" in seen


def test_a_bad_turn_is_refused_by_the_control_api(control: Any) -> None:
    with pytest.raises(ControlAPIError, match="stop_reason"):
        control.session_reply("x", stop_reason="whenever")
