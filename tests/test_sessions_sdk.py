"""Managed Agents sessions through the official SDK (sync and async): mounted files,
session-scoped outputs, the agent turn a test scripts (``claude_files.sessions.reply``)."""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import pytest

from .conftest import NO_UNRELATED_PLUGINS, sdk_at_least

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.claude_files(now=datetime(2026, 4, 15, 9, 0, tzinfo=timezone.utc), max_retries=0),
    pytest.mark.skipif(not sdk_at_least(2, 17), reason="client.beta.sessions arrived with anthropic 2.17"),
]
MANAGED = "managed-agents-2026-04-01"
PDF = b"%PDF-1.4\n% a small test pdf\n"
MESSAGE = {"type": "user.message", "content": [{"type": "text", "text": "Summarise the paper."}]}


async def _r(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def _items(page: Any) -> list[Any]:
    page = await _r(page)
    if hasattr(page, "__aiter__"):
        return [item async for item in page]
    return list(page)


async def _setup(client: Any) -> tuple[Any, Any]:
    environment = await _r(client.beta.environments.create(name="research"))
    agent = await _r(client.beta.agents.create(name="researcher", model="claude-opus-4-7"))
    return environment, agent


async def test_the_whole_flow(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    assert environment.id.startswith("env_") and agent.id.startswith("agent_") and agent.version == 1
    upload = await _r(sdk_client.beta.files.upload(file=("paper.pdf", PDF, "application/pdf")))
    used = claude_files.storage_used
    session = await _r(sdk_client.beta.sessions.create(
        agent=agent.id, environment_id=environment.id, resources=[{"type": "file", "file_id": upload.id}]))
    assert session.id.startswith("sesn_") and session.status == "idle"
    assert session.agent.id == agent.id and session.environment_id == environment.id
    (mounted,) = session.resources
    assert mounted.type == "file" and mounted.file_id != upload.id
    assert mounted.mount_path == f"/mnt/session/uploads/{upload.id}"
    copy = await _r(sdk_client.beta.files.retrieve_metadata(mounted.file_id))
    assert copy.scope is not None and copy.scope.type == "session" and copy.scope.id == session.id
    assert copy.filename == "paper.pdf" and copy.size_bytes == len(PDF) and not copy.downloadable
    assert claude_files.storage_used == used  # the session's copy is outside the quota

    claude_files.sessions.reply("done", output_files={"report.md": b"# R"})
    sent = await _r(sdk_client.beta.sessions.events.send(session.id, events=[MESSAGE]))
    assert [e.type for e in sent.data] == ["user.message"]
    events = await _items(sdk_client.beta.sessions.events.list(session.id))
    assert [e.type for e in events] == [  # the agent writes its report, then answers
        "user.message", "session.status_running", "span.model_request_start", "agent.tool_use",
        "span.model_request_end", "agent.tool_result", "span.model_request_start", "agent.message",
        "span.model_request_end", "session.status_idle"]
    assert events[3].name == "write" and events[3].input == {"file_path": "/mnt/session/outputs/report.md",
                                                             "content": "# R"}
    assert events[5].tool_use_id == events[3].id and events[5].is_error is False
    assert events[7].content[0].text == "done" and events[-1].stop_reason.type == "end_turn"
    assert (await _r(sdk_client.beta.sessions.retrieve(session.id))).status == "idle"

    listed = await _items(sdk_client.beta.files.list(scope_id=session.id, betas=[MANAGED]))
    report = next(f for f in listed if f.filename == "report.md")
    assert report.downloadable and report.scope.id == session.id
    assert {f.filename for f in listed} == {"report.md", "paper.pdf"}
    content = await _r(sdk_client.beta.files.download(report.id))
    assert await _r(content.read()) == b"# R"


async def test_scope_id_listing_needs_the_managed_agents_header(sdk_client: Any, claude_files: Any) -> None:
    with pytest.raises(anthropic.BadRequestError, match="scope_id"):
        await _items(sdk_client.beta.files.list(scope_id="sesn_011CZkZaBF1tNoB5wlCeusgy"))


async def test_a_101st_mount_is_refused(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    uploads = claude_files.add_files(101)
    session = await _r(sdk_client.beta.sessions.create(
        agent=agent.id, environment_id=environment.id,
        resources=[{"type": "file", "file_id": f.id} for f in uploads[:100]]))
    assert len(await _items(sdk_client.beta.sessions.resources.list(session.id))) == 100
    with pytest.raises(anthropic.BadRequestError, match="maximum of 100 files"):
        await _r(sdk_client.beta.sessions.resources.add(session.id, type="file", file_id=uploads[100].id))
    with pytest.raises(anthropic.BadRequestError, match="maximum of 100 files"):
        await _r(sdk_client.beta.sessions.create(
            agent=agent.id, environment_id=environment.id,
            resources=[{"type": "file", "file_id": f.id} for f in uploads]))


async def test_an_unknown_or_archived_agent_or_environment_is_refused(
    sdk_client: Any, claude_files: Any
) -> None:
    environment, agent = await _setup(sdk_client)
    with pytest.raises(anthropic.NotFoundError, match="agent_unknown"):
        await _r(sdk_client.beta.sessions.create(agent="agent_unknown", environment_id=environment.id))
    with pytest.raises(anthropic.NotFoundError) as unknown_env:
        await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id="env_unknown"))
    assert type(unknown_env.value).__name__ == "BetaEnvironmentNotFoundError"
    await _r(sdk_client.beta.environments.archive(environment.id))
    with pytest.raises(anthropic.BadRequestError) as archived_env:
        await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id))
    assert type(archived_env.value).__name__ == "BetaEnvironmentArchivedError"
    other = await _r(sdk_client.beta.environments.create(name="other"))
    with pytest.raises(anthropic.BadRequestError, match="no version 2"):
        await _r(sdk_client.beta.sessions.create(agent={"type": "agent", "id": agent.id, "version": 2},
                                                 environment_id=other.id))
    pinned = await _r(sdk_client.beta.sessions.create(agent={"type": "agent", "id": agent.id, "version": 1},
                                                      environment_id=other.id))
    assert pinned.agent.version == 1
    await _r(sdk_client.beta.agents.archive(agent.id))
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=other.id))


async def test_an_unknown_or_deleted_file_is_not_found(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    gone = claude_files.add_file("gone.txt", b"x")
    claude_files.delete(gone.id)
    with pytest.raises(anthropic.NotFoundError, match=gone.id):
        await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id,
                                                 resources=[{"type": "file", "file_id": gone.id}]))
    assert len(claude_files.sessions) == 0  # nothing made by a refused create


async def test_resources_add_retrieve_update_delete(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    upload = claude_files.add_file("data.csv", b"a,b\n1,2\n")
    session = await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id))
    added = await _r(sdk_client.beta.sessions.resources.add(
        session.id, type="file", file_id=upload.id, mount_path="/workspace/data.csv"))
    assert added.mount_path == "/workspace/data.csv" and added.file_id != upload.id
    got = await _r(sdk_client.beta.sessions.resources.retrieve(added.id, session_id=session.id))
    assert got.id == added.id and got.file_id == added.file_id
    with pytest.raises(anthropic.BadRequestError, match="github_repository"):
        await _r(sdk_client.beta.sessions.resources.update(added.id, session_id=session.id,
                                                           authorization_token="t"))
    deleted = await _r(sdk_client.beta.sessions.resources.delete(added.id, session_id=session.id))
    assert deleted.type == "session_resource_deleted"
    assert await _items(sdk_client.beta.sessions.resources.list(session.id)) == []
    assert added.file_id in claude_files and upload.id in claude_files  # files are independent
    with pytest.raises(anthropic.NotFoundError):
        await _r(sdk_client.beta.sessions.resources.retrieve(added.id, session_id=session.id))


async def test_initial_events_run_at_creation(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    claude_files.sessions.reply("first answer")
    session = await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id,
                                                       initial_events=[MESSAGE]))
    messages = await _items(sdk_client.beta.sessions.events.list(session.id, types=["agent.message"]))
    assert [m.content[0].text for m in messages] == ["first answer"]


async def test_the_stream_opened_before_the_send_carries_the_turn(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    session = await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id))
    claude_files.sessions.reply("streamed")
    stream = await _r(sdk_client.beta.sessions.events.stream(session.id))
    await _r(sdk_client.beta.sessions.events.send(session.id, events=[MESSAGE]))
    seen = []
    if hasattr(stream, "__aiter__"):
        async for event in stream:
            seen.append(event)
    else:
        seen.extend(stream)
    assert [e.type for e in seen][-1] == "session.status_idle"
    assert [e.content[0].text for e in seen if e.type == "agent.message"] == ["streamed"]


async def test_list_archive_delete(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    upload = claude_files.add_file("a.txt", b"a")
    first = await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id))
    second = await _r(sdk_client.beta.sessions.create(
        agent=agent.id, environment_id=environment.id, resources=[{"type": "file", "file_id": upload.id}]))
    assert [s.id for s in await _items(sdk_client.beta.sessions.list())] == [second.id, first.id]
    archived = await _r(sdk_client.beta.sessions.archive(first.id))
    assert archived.archived_at is not None
    assert [s.id for s in await _items(sdk_client.beta.sessions.list())] == [second.id]
    assert len(await _items(sdk_client.beta.sessions.list(include_archived=True))) == 2
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        await _r(sdk_client.beta.sessions.events.send(first.id, events=[MESSAGE]))
    copy_id = second.resources[0].file_id
    gone = await _r(sdk_client.beta.sessions.delete(second.id))
    assert gone.type == "session_deleted"
    assert copy_id in claude_files and upload.id in claude_files  # files are independent resources
    with pytest.raises(anthropic.NotFoundError):
        await _r(sdk_client.beta.sessions.retrieve(second.id))


async def test_an_unused_reply_is_a_problem(claude_files: Any) -> None:
    claude_files.sessions.reply("never asked for")
    assert "never used" in " ".join(claude_files.problems())
    claude_files.sessions.reset()


def test_an_unused_turn_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_scripts_but_never_sends(claude_files):
            claude_files.sessions.reply("never used")

        def test_allowed(claude_files):
            claude_files.sessions.assert_all_scripted_used = False
            claude_files.sessions.reply("never used either")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *NO_UNRELATED_PLUGINS)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*1 scripted turn(s) of claude_files.sessions.reply() were never used*"])


async def test_deleting_the_upload_leaves_the_session_its_copy(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    upload = await _r(sdk_client.beta.files.upload(file=("paper.pdf", PDF, "application/pdf")))
    session = await _r(sdk_client.beta.sessions.create(
        agent=agent.id, environment_id=environment.id, resources=[{"type": "file", "file_id": upload.id}]))
    await _r(sdk_client.beta.files.delete(upload.id))
    (mounted,) = await _items(sdk_client.beta.sessions.resources.list(session.id))
    copy = await _r(sdk_client.beta.files.retrieve_metadata(mounted.file_id))  # a file of its own
    assert copy.size_bytes == len(PDF) and claude_files.content(copy.id) == PDF
    with pytest.raises(anthropic.NotFoundError):  # the upload itself cannot be mounted again
        await _r(sdk_client.beta.sessions.resources.add(session.id, type="file", file_id=upload.id))


async def test_a_turn_that_takes_time_has_no_outputs_until_idle(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    session = await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id))
    claude_files.sessions.reply("done", output_files={"report.md": b"# R"}, running_reads=2)
    await _r(sdk_client.beta.sessions.events.send(session.id, events=[MESSAGE]))

    async def outputs() -> list[str]:
        listed = await _items(sdk_client.beta.files.list(scope_id=session.id, betas=[MANAGED]))
        return [f.filename for f in listed]

    # a collector that does not wait for idle finds nothing: the session is still running
    assert (await _r(sdk_client.beta.sessions.retrieve(session.id))).status == "running"
    assert await outputs() == []
    assert (await _r(sdk_client.beta.sessions.retrieve(session.id))).status == "idle"  # the 2nd read
    assert await outputs() == ["report.md"]
    types = [e.type for e in await _items(sdk_client.beta.sessions.events.list(session.id))]
    assert types[-1] == "session.status_idle" and types.count("session.status_running") == 1
    with pytest.raises(ValueError, match="running_reads"):
        claude_files.sessions.reply(running_reads=-1)


async def test_a_stream_waits_out_a_turn_that_takes_time(sdk_client: Any, claude_files: Any) -> None:
    environment, agent = await _setup(sdk_client)
    session = await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id))
    claude_files.sessions.reply("slow", running_reads=5)
    stream = await _r(sdk_client.beta.sessions.events.stream(session.id))
    await _r(sdk_client.beta.sessions.events.send(session.id, events=[MESSAGE]))
    if hasattr(stream, "__aiter__"):
        types = [event.type async for event in stream]
    else:
        types = [event.type for event in stream]
    assert types[-1] == "session.status_idle" and "agent.message" in types


def _doc_message(file_id: str) -> dict[str, Any]:
    return {"type": "user.message", "content": [
        {"type": "document", "source": {"type": "file", "file_id": file_id}},
        {"type": "text", "text": "What does it say?"}]}


async def test_an_event_naming_a_file_the_caller_cannot_see_is_a_404(
        sdk_client: Any, claude_files: Any) -> None:
    """A user.message may carry document and image blocks whose source is a file (the SDK's
    types): the file must exist, in the caller's workspace, unexpired, as in a Messages
    request. The fake took any id here before (issue 24's workspace walk found it)."""
    environment, agent = await _setup(sdk_client)
    session = await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id))
    mine = await _r(sdk_client.beta.files.upload(file=("paper.pdf", PDF, "application/pdf")))
    other = claude_files.add_file("theirs.pdf", PDF, workspace_id="wrkspc_other")
    claude_files.sessions.reply("read it")
    sent = await _r(sdk_client.beta.sessions.events.send(session.id, events=[_doc_message(mine.id)]))
    assert sent.data[0].type == "user.message"
    for file_id in ("file_011CNha8iCJcU1wXNR6q4V8w", other.id):
        with pytest.raises(anthropic.NotFoundError, match="File not found"):
            await _r(sdk_client.beta.sessions.events.send(session.id, events=[_doc_message(file_id)]))
        with pytest.raises(anthropic.NotFoundError, match="File not found"):
            await _r(sdk_client.beta.sessions.create(agent=agent.id, environment_id=environment.id,
                                                     initial_events=[_doc_message(file_id)]))
    short = claude_files.add_file("short.pdf", PDF, expires_at=claude_files.clock.now() + timedelta(hours=1))
    claude_files.clock.advance(hours=2)
    with pytest.raises(anthropic.NotFoundError, match="File not found"):
        await _r(sdk_client.beta.sessions.events.send(session.id, events=[_doc_message(short.id)]))
    events = await _items(sdk_client.beta.sessions.events.list(session.id))
    assert sum(e.type == "user.message" for e in events) == 1  # the refused sends recorded nothing
