"""The Skills API and citations through the other adapters: ``claude_files_respx`` (any client
in the test) and ``mock_claude_files()`` (outside pytest fixtures), sync and async."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import anthropic
import pytest

from pytest_claude_files import mock_claude_files
from pytest_claude_files.strategies import pdf_with_pages, skill_files

pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(max_retries=0)]
CODE_EXECUTION = {"type": "code_execution_20250825", "name": "code_execution"}


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> Any:
    cls = anthropic.AsyncAnthropic if request.param == "async" else anthropic.Anthropic
    return cls(api_key="sk-ant-test", max_retries=0)


async def _(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def test_respx_serves_the_skills_routes(
        client: Any, claude_files_respx: Any, claude_files: Any) -> None:
    names = {route.name for route in claude_files_respx.routes}
    assert {"skills.create", "skills.versions.delete"} <= names
    skill = await _(client.skills.create(files=skill_files("via-respx")))
    assert claude_files.skills.get(skill.id).name == "via-respx"
    assert (await _(client.skills.retrieve(skill.id))).display_name == "via-respx"
    assert claude_files_respx.calls_of("skills.create")
    claude_files.messages.reply("ok", output_files={"out.xlsx": b"PK"})
    reply = await _(client.messages.create(
        model="m", max_tokens=10, tools=[CODE_EXECUTION], messages=[{"role": "user", "content": "go"}],
        container={"skills": [{"type": "custom", "skill_id": skill.id}]}))
    assert reply.container.skills[0].version == skill.latest_version_id


async def test_respx_citations(client: Any, claude_files_respx: Any, claude_files: Any) -> None:
    pdf = claude_files.add_file("r.pdf", pdf_with_pages(["one", "two"]), mime_type="application/pdf")
    claude_files.messages.reply("Two.", citations=[{"file_id": pdf.id, "cited_text": "two"}])
    reply = await _(client.messages.create(model="m", max_tokens=10, messages=[{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": pdf.id}, "citations": {"enabled": True}},
        {"type": "text", "text": "?"}]}]))
    assert reply.content[0].citations[0].file_id == pdf.id
    assert reply.content[0].citations[0].start_page_number == 2


def test_mock_claude_files_serves_skills_sync_and_async() -> None:
    with mock_claude_files() as fake:
        client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)
        skill = client.skills.create(files=skill_files("mocked"))
        assert fake.skills.get(skill.id).name == "mocked"
        assert [s.id for s in client.skills.list(source="anthropic")] == ["pptx", "xlsx", "docx", "pdf"]

        async def run() -> Any:
            async_client = anthropic.AsyncAnthropic(api_key="sk-ant-test", max_retries=0)
            return await async_client.skills.retrieve(skill.id)

        assert asyncio.run(run()).id == skill.id
