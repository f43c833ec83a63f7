"""The sessions strategies (``_gen/sessions.py``) and properties of the fake they drive."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_claude_files import FakeFiles
from pytest_claude_files import strategies as cfs

TURN = ["user.message", "session.status_running", "span.model_request_start", "agent.message",
        "span.model_request_end", "session.status_idle"]


@given(cfs.session_ids(), cfs.agent_ids(), cfs.environment_ids(), cfs.mount_paths())
def test_ids_and_paths_have_their_shapes(session_id: str, agent_id: str, env_id: str, path: str) -> None:
    assert session_id.startswith("sesn_01") and agent_id.startswith("agent_01")
    assert env_id.startswith("env_01")
    assert path.startswith("/") and "//" not in path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(0, 6), cfs.user_messages(), cfs.session_replies())
def test_any_mounts_and_any_turn(data: st.DataObject, count: int, message: dict, reply: dict) -> None:
    fake = FakeFiles()
    uploads = fake.add_files(count)
    used = fake.storage_used
    resources = data.draw(cfs.file_resources([f.id for f in uploads]))
    env = fake.environments.create({"name": "e"})
    agent = fake.agents.create({"name": "a", "model": "m"})
    body = {"agent": agent["id"], "environment_id": env["id"], "resources": resources}
    session = fake.sessions.create(body)
    assert len(session["resources"]) == len(resources) and fake.storage_used == used
    for given_, mounted in zip(resources, session["resources"], strict=True):
        copy = fake.get(mounted["file_id"])
        assert copy.id != given_["file_id"] and copy.scope is not None and copy.scope.id == session["id"]
        assert mounted["mount_path"] == given_.get("mount_path", f"/mnt/session/uploads/{given_['file_id']}")
    fake.sessions.reply(**reply)
    fake.sessions.send(session["id"], {"events": [message]})
    writes = len(reply["output_files"])
    expected = TURN if not writes else [*TURN[:3], *["agent.tool_use"] * writes, "span.model_request_end",
                                        *["agent.tool_result"] * writes, *TURN[2:]]
    assert [e["type"] for e in fake.sessions.events_of(session["id"])] == expected
    outputs = {m.filename: m for m in fake.files.list_ga(scope_id=session["id"], limit=1000).data
               if m.downloadable}
    assert set(outputs) == set(reply["output_files"])
    for name, data_ in reply["output_files"].items():
        assert fake.content(outputs[name].id) == data_
    assert fake.problems() == [] and fake.sessions.get(session["id"])["status"] == "idle"
