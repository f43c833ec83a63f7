"""``--data-dir`` keeps more than files (issue 24): Message Batches, skills and their versions,
Managed Agents agents, environments and sessions, and each tenant's clock survive a restart of
the emulator, as the official SDK sees them; a corrupt record is quarantined with a warning; a
write the disk refuses is the API's 500 and stores nothing."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_claude_files.server import ServerHandle, start_server
from pytest_claude_files.server._store import StoreIO
from pytest_claude_files.server._tenants import tenant_label
from pytest_claude_files.strategies import skill_files

from .conftest import sdk_at_least

anthropic = pytest.importorskip("anthropic")
pytestmark = pytest.mark.skipif(not sdk_at_least(2, 17), reason="sessions and GA skills arrived with 2.17")
KEY = "sk-ant-state"
MODEL = "claude-fake-model"


def ask(custom_id: str) -> dict[str, Any]:
    return {"custom_id": custom_id, "params": {"model": MODEL, "max_tokens": 64,
                                               "messages": [{"role": "user", "content": "Hello"}]}}


def sdk(server: ServerHandle) -> Any:
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)


def restart(server: ServerHandle, data_dir: Path) -> ServerHandle:
    server.stop()
    return start_server("127.0.0.1", 0, data_dir=data_dir)


def state_dir(data_dir: Path) -> Path:
    return data_dir / "tenants" / tenant_label(KEY) / "state"


def test_batches_come_back_as_they_were(tmp_path: Path) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        client, control = sdk(server), server.control(KEY)
        ended = client.messages.batches.create(requests=[ask("a"), ask("b")])
        ended_results = [r.model_dump() for r in client.messages.batches.results(ended.id)]
        gone = client.messages.batches.create(requests=[ask("x")])
        assert client.messages.batches.retrieve(gone.id).processing_status == "ended"
        client.messages.batches.delete(gone.id)
        control.hold_batches()
        held = client.messages.batches.create(requests=[ask("h1"), ask("h2")])
        canceling = client.messages.batches.cancel(client.messages.batches.create(requests=[ask("c")]).id)
        assert canceling.processing_status == "canceling"

        server = restart(server, tmp_path)
        client, control = sdk(server), server.control(KEY)

        batches = client.messages.batches
        assert batches.retrieve(ended.id).processing_status == "ended"
        assert [r.model_dump() for r in batches.results(ended.id)] == ended_results
        with pytest.raises(anthropic.NotFoundError):
            batches.retrieve(gone.id)
        again = batches.retrieve(held.id)  # a batch in progress at the stop is still in progress
        assert again.processing_status == "in_progress" and again.request_counts.processing == 2
        assert again.created_at == held.created_at and again.expires_at == held.expires_at
        assert batches.retrieve(canceling.id).processing_status == "canceling"
        control.end_batches()
        assert batches.retrieve(held.id).request_counts.succeeded == 2
        assert {r.custom_id for r in batches.results(held.id)} == {"h1", "h2"}
        assert [r.result.type for r in batches.results(canceling.id)] == ["canceled"]
        listed = [b.id for b in batches.list(limit=100)]
        assert listed == sorted([ended.id, held.id, canceling.id], reverse=True)
    finally:
        server.stop()


def test_skills_and_their_versions_come_back(tmp_path: Path) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        client = sdk(server)
        skill = client.skills.create(files=skill_files("budget-maker", "Makes budgets.",
                                                       {"ref.md": b"\x00\xffbinary"}))
        second = client.skills.versions.create(skill.id, files=skill_files("budget-maker", "Version two."))
        first_version = skill.latest_version_id
        dropped = client.skills.create(files=skill_files("dropped"))
        client.skills.delete(dropped.id)
        before = client.skills.retrieve(skill.id)

        server = restart(server, tmp_path)
        client = sdk(server)

        after = client.skills.retrieve(skill.id)
        assert after.model_dump() == before.model_dump() and after.latest_version_id == second.id
        versions = [v.id for v in client.skills.versions.list(skill.id)]
        assert sorted(versions) == sorted([first_version, second.id])
        assert client.skills.versions.retrieve(second.id, skill_id=skill.id).description == "Version two."
        with pytest.raises(anthropic.NotFoundError):
            client.skills.retrieve(dropped.id)
        third = client.skills.versions.create(skill.id, files=skill_files("budget-maker", "Three."))
        assert client.skills.retrieve(skill.id).latest_version_id == third.id  # newest after the restart too
        client.skills.versions.delete(first_version, skill_id=skill.id)

        server = restart(server, tmp_path)
        client = sdk(server)
        assert sorted(v.id for v in client.skills.versions.list(skill.id)) == sorted([second.id, third.id])
    finally:
        server.stop()


def test_agents_environments_and_sessions_come_back(tmp_path: Path) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        client, control = sdk(server), server.control(KEY)
        environment = client.beta.environments.create(name="research")
        agent = client.beta.agents.create(name="researcher", model="claude-opus-4-7")
        old = client.beta.agents.create(name="old", model="claude-opus-4-7")
        client.beta.agents.archive(old.id)
        upload = client.beta.files.upload(file=("paper.txt", b"the paper", "text/plain"))
        session = client.beta.sessions.create(agent=agent.id, environment_id=environment.id, title="t",
                                              resources=[{"type": "file", "file_id": upload.id}])
        control.session_reply("done", output_files={"report.md": b"# R"})
        client.beta.sessions.events.send(session.id, events=[
            {"type": "user.message", "content": [{"type": "text", "text": "Write it."}]}])
        running = client.beta.sessions.create(agent=agent.id, environment_id=environment.id)
        control.session_reply("later", running_reads=2)
        client.beta.sessions.events.send(running.id, events=[
            {"type": "user.message", "content": [{"type": "text", "text": "Take your time."}]}])
        gone = client.beta.sessions.create(agent=agent.id, environment_id=environment.id)
        client.beta.sessions.delete(gone.id)
        events = [e.model_dump() for e in client.beta.sessions.events.list(session.id)]
        kept = client.beta.sessions.retrieve(session.id).model_dump()

        server = restart(server, tmp_path)
        client = sdk(server)

        assert client.beta.environments.retrieve(environment.id).name == "research"
        assert client.beta.agents.retrieve(old.id).archived_at is not None
        assert [a.id for a in client.beta.agents.list()] == [agent.id]
        back = client.beta.sessions.retrieve(session.id).model_dump()
        back.pop("stats"), kept.pop("stats")  # durations: the clock ran on
        assert back == kept
        assert [e.model_dump() for e in client.beta.sessions.events.list(session.id)] == events
        with pytest.raises(anthropic.NotFoundError):
            client.beta.sessions.retrieve(gone.id)
        # the turn running at the stop goes on where it was: two reads of it to go, then idle
        assert client.beta.sessions.retrieve(running.id).status == "running"
        assert client.beta.sessions.retrieve(running.id).status == "idle"
        texts = [e.content[0].text for e in client.beta.sessions.events.list(running.id)
                 if e.type == "agent.message"]
        assert texts == ["later"]
        outputs = [f for f in client.beta.files.list(scope_id=session.id, betas=["managed-agents-2026-04-01"])
                   if f.filename == "report.md"]
        assert client.beta.files.download(outputs[0].id).read() == b"# R"
    finally:
        server.stop()


def test_an_expired_file_stays_expired_after_a_restart(tmp_path: Path) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        client, control = sdk(server), server.control(KEY)
        short = client.files.upload(file=("short.txt", b"soon gone", "text/plain"), expires_in_seconds=3600)
        assert short.expires_at is not None
        moved = control.advance_clock(7200)
        with pytest.raises(anthropic.NotFoundError, match="expired"):
            client.files.download(short.id)

        server = restart(server, tmp_path)
        client, control = sdk(server), server.control(KEY)

        assert control.state()["now"] >= moved  # the clock kept its shift from real time
        with pytest.raises(anthropic.NotFoundError, match="expired"):
            client.files.download(short.id)
        control.reset()  # a reset starts the clock at real time again, and keeps that too
        server = restart(server, tmp_path)
        assert server.control(KEY).state()["now"] < moved
    finally:
        server.stop()


def test_a_frozen_clock_stays_frozen(tmp_path: Path) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        server.files(KEY).clock.freeze()
        frozen = server.control(KEY).set_clock("2030-01-02T03:04:05Z")
        server = restart(server, tmp_path)
        assert server.control(KEY).state()["now"] == frozen == "2030-01-02T03:04:05Z"
    finally:
        server.stop()


def test_a_corrupt_record_is_quarantined_and_the_rest_served(tmp_path: Path, caplog: Any) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        client = sdk(server)
        kept = client.messages.batches.create(requests=[ask("a")])
        agent = client.beta.agents.create(name="a", model="m")
        server.stop()
        batches = state_dir(tmp_path) / "batches"
        (batches / "msgbatch_01broken.json").write_bytes(b'{"id": "msgbatch_01broken", "stat')
        (batches / "msgbatch_01other.json").write_text(json.dumps({"id": "msgbatch_01other"}))
        (batches / f"{kept.id}.json.tmp").write_bytes(b"half")
        (state_dir(tmp_path) / "agents" / f"{agent.id}.json").write_bytes(b"")

        server = start_server("127.0.0.1", 0, data_dir=tmp_path)

        warnings = server.tenants.warnings
        assert len(warnings) == 4, warnings
        assert any("msgbatch_01broken.json" in w and "not JSON" in w for w in warnings)
        assert any("msgbatch_01other.json" in w and "no 'status'" in w for w in warnings)
        quarantined = tmp_path / "quarantine" / tenant_label(KEY)
        assert sorted(p.name for p in (quarantined / "batches").iterdir()) == [
            f"{kept.id}.json.tmp", "msgbatch_01broken.json", "msgbatch_01other.json"]
        assert (quarantined / "agents" / f"{agent.id}.json").exists()
        client = sdk(server)
        assert client.messages.batches.retrieve(kept.id).processing_status == "ended"
        with pytest.raises(anthropic.NotFoundError):
            client.beta.agents.retrieve(agent.id)
    finally:
        server.stop()


class FullDisk(StoreIO):
    def write(self, fd: int, data: memoryview) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_the_disk_refuses_is_a_500_and_stores_nothing(tmp_path: Path) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        client = sdk(server)
        made = client.messages.batches.create(requests=[ask("a")])
        tenant = server.tenants.get(KEY)
        assert tenant.records is not None
        tenant.records.io = FullDisk()
        with pytest.raises(anthropic.InternalServerError, match="disk is full"):
            client.messages.batches.create(requests=[ask("b")])
        with pytest.raises(anthropic.InternalServerError, match="disk is full"):
            client.skills.create(files=skill_files("nope"))
        with pytest.raises(anthropic.InternalServerError, match="disk is full"):
            client.beta.agents.create(name="a", model="m")
        assert [b.id for b in client.messages.batches.list()] == [made.id]  # reads still served
        assert [s.source.type for s in client.skills.list()] == ["anthropic"] * 4
        assert list(client.beta.agents.list()) == []
        tenant.records.io = StoreIO()
        server = restart(server, tmp_path)
        assert [b.id for b in sdk(server).messages.batches.list()] == [made.id]
    finally:
        server.stop()


def test_a_reset_forgets_what_was_kept(tmp_path: Path) -> None:
    server = start_server("127.0.0.1", 0, data_dir=tmp_path)
    try:
        client = sdk(server)
        client.messages.batches.create(requests=[ask("a")])
        client.skills.create(files=skill_files("s"))
        client.beta.environments.create(name="e")
        server.control(KEY).reset()
        server = restart(server, tmp_path)
        client = sdk(server)
        assert list(client.messages.batches.list()) == [] and list(client.beta.environments.list()) == []
        assert [s.source.type for s in client.skills.list()] == ["anthropic"] * 4
    finally:
        server.stop()


def test_seed_files_are_stored_once_a_deleted_one_stays_deleted(tmp_path: Path) -> None:
    seeds = [{"filename": "seed.txt", "content": "seeded"}]
    server = start_server("127.0.0.1", 0, data_dir=tmp_path, seeds=seeds)
    try:
        client = sdk(server)
        (seeded,) = client.files.list().data
        client.files.delete(seeded.id)
        server.stop()
        server = start_server("127.0.0.1", 0, data_dir=tmp_path, seeds=seeds)
        assert sdk(server).files.list().data == []  # the space was held: no seeds again
        other = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-new", max_retries=0)
        assert [f.filename for f in other.files.list()] == ["seed.txt"]  # a new space gets them
    finally:
        server.stop()


def test_every_object_keeps_its_workspace_across_a_restart(tmp_path: Path) -> None:
    def in_workspace(server: ServerHandle, workspace: str) -> Any:
        return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                                   default_headers={"anthropic-workspace-id": workspace})

    server = start_server("127.0.0.1", 0, data_dir=tmp_path)  # workspaces partitioned by default
    try:
        mine = in_workspace(server, "wrkspc_a")
        batch = mine.messages.batches.create(requests=[ask("a")])
        skill = mine.skills.create(files=skill_files("walled"))
        environment = mine.beta.environments.create(name="walled")
        agent = mine.beta.agents.create(name="walled", model="m")
        session = mine.beta.sessions.create(agent=agent.id, environment_id=environment.id)

        server = restart(server, tmp_path)

        mine, theirs = in_workspace(server, "wrkspc_a"), in_workspace(server, "wrkspc_b")
        reads = [
            lambda c: c.messages.batches.retrieve(batch.id), lambda c: c.skills.retrieve(skill.id),
            lambda c: c.beta.environments.retrieve(environment.id),
            lambda c: c.beta.agents.retrieve(agent.id),
            lambda c: c.beta.sessions.retrieve(session.id),
        ]
        for read in reads:
            assert read(mine).id
            with pytest.raises(anthropic.NotFoundError):
                read(theirs)
    finally:
        server.stop()
