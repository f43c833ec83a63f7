"""The Skills API and skills in Messages, through the official SDK (sync and async).

GA (``client.skills``) and the beta mirror (``client.beta.skills`` with
``betas=["skills-2025-10-02"]``) on the fixture clients; the cookbook flow (list, create,
use in ``container``, download the xlsx) also against the emulator.
"""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timezone
from typing import Any

import anthropic
import pytest

from pytest_claude_files._core.skill_bundle import NO_SKILL_MD, ONE_DIRECTORY
from pytest_claude_files._core.skills import CODE_EXECUTION_REQUIRED
from pytest_claude_files.strategies import skill_files

NOW = datetime(2025, 10, 20, 12, 0, 0, tzinfo=timezone.utc)
MODEL = "claude-fake-model"
SKILLS_BETA = "skills-2025-10-02"
CODE_EXECUTION = {"type": "code_execution_20250825", "name": "code_execution"}
XLSX = b"PK\x03\x04 fake xlsx bytes"
pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(now=NOW, freeze_time=True, max_retries=0)]


async def _(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def _all(page: Any) -> list[Any]:
    page = await _(page)
    if hasattr(page, "__aiter__"):
        return [item async for item in page]
    return list(page)


def _beta(client: Any) -> Any:
    return client.beta.skills


def _field(obj: Any, name: str) -> Any:
    """A field of an answer whether the installed SDK declares it (0.125: the beta's
    ``latest_version``, ``display_title``) or keeps it as an extra (2.x)."""
    return getattr(obj, name, None) if name in type(obj).model_fields else (obj.model_extra or {})[name]


def _in(workspace: str) -> dict[str, Any]:
    """The workspace header, as every SDK generation can send it (2.x also takes workspace_id=)."""
    return {"extra_headers": {"anthropic-workspace-id": workspace}}


# -- create ------------------------------------------------------------------------------
async def test_create_a_skill_from_a_valid_bundle(sdk_client: Any, claude_files: Any) -> None:
    skill = await _(sdk_client.skills.create(files=skill_files("budget-maker", "Makes budgets.",
                                                                {"make.py": b"print(1)"})))
    assert isinstance(skill, anthropic.types.Skill)
    assert re.fullmatch(r"skill_01[1-9A-HJ-NP-Za-km-z]{22}", skill.id)
    assert skill.display_name == "budget-maker"  # derived from the front-matter name
    assert skill.source.type == "custom" and skill.type == "skill"
    assert skill.latest_version_id.startswith("skver_01")
    assert skill.created_at == NOW
    assert claude_files.skills.get(skill.id).name == "budget-maker"


async def test_display_name_is_kept_and_bounded(sdk_client: Any) -> None:
    skill = await _(sdk_client.skills.create(files=skill_files("a-skill"), display_name="Budget Maker"))
    assert skill.display_name == "Budget Maker"
    with pytest.raises(anthropic.BadRequestError, match="display_name: String should have at most 255"):
        await _(sdk_client.skills.create(files=skill_files("b-skill"), display_name="x" * 256))


@pytest.mark.parametrize(("files", "message"), [
    ([("my-skill/README.md", b"no skill")], NO_SKILL_MD),
    ([("my-skill/docs/SKILL.md", b"---\nname: a\ndescription: b\n---\n")], NO_SKILL_MD),
    ([*skill_files("my-skill"), ("other/x.txt", b"x")], ONE_DIRECTORY),
    (skill_files("My Skill"), "name: must contain only lowercase letters, numbers and hyphens"),
    (skill_files("claude-helper"), "must not contain the reserved word 'claude'"),
    (skill_files("x" * 65), "name: String should have at most 64 characters"),
    (skill_files("ok", "d" * 1025), "description: String should have at most 1024 characters"),
    (skill_files("ok", "uses <b>tags</b>"), "description: must not contain XML tags"),
    ([("my-skill/SKILL.md", b"# no front matter")], "must start with YAML frontmatter"),
])
async def test_a_bad_bundle_is_a_400_with_the_apis_wording(sdk_client: Any, files: Any, message: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await _(sdk_client.skills.create(files=files))
    assert caught.value.status_code == 400
    assert caught.value.body["error"]["type"] == "invalid_request_error"
    assert message in caught.value.body["error"]["message"]


async def test_bundle_size_limits_ga_30_mb_beta_8_mb(sdk_client: Any) -> None:
    nine_mb = {"data.bin": b"\0" * (9 * 1024 * 1024)}
    with pytest.raises(anthropic.BadRequestError, match="Total upload size must be under 8MB"):
        await _(_beta(sdk_client).create(files=skill_files("big", files=nine_mb), betas=[SKILLS_BETA]))
    skill = await _(sdk_client.skills.create(files=skill_files("big", files=nine_mb)))
    assert skill.display_name == "big"


async def test_a_name_taken_in_the_workspace_is_refused(sdk_client: Any) -> None:
    first = await _(sdk_client.skills.create(files=skill_files("dup")))
    with pytest.raises(anthropic.BadRequestError, match=f"already used by skill {first.id}"):
        await _(sdk_client.skills.create(files=skill_files("dup")))


async def test_the_account_bound_on_skill_bytes(sdk_client: Any, claude_files: Any) -> None:
    claude_files.skills.max_total_bytes = 1000
    await _(sdk_client.skills.create(files=skill_files("small")))
    with pytest.raises(anthropic.APIStatusError) as caught:
        await _(sdk_client.skills.create(files=skill_files("large", files={"x": b"x" * 1000})))
    assert caught.value.status_code == 413


# -- list, retrieve, versions, delete ---------------------------------------------------------
async def test_anthropic_skills_exist_without_being_created(sdk_client: Any) -> None:
    listed = await _all(sdk_client.skills.list(source="anthropic"))
    assert [s.id for s in listed] == ["pptx", "xlsx", "docx", "pdf"]
    assert {s.source.type for s in listed} == {"anthropic"}
    xlsx = await _(sdk_client.skills.retrieve("xlsx"))
    assert xlsx.latest_version_id == "20251013"
    with pytest.raises(anthropic.BadRequestError, match="read-only"):
        await _(sdk_client.skills.delete("xlsx"))


async def test_list_pages_newest_first_then_anthropics(sdk_client: Any, claude_files: Any) -> None:
    made = []
    for index in range(3):
        made.append(await _(sdk_client.skills.create(files=skill_files(f"s-{index}"))))
        claude_files.clock.advance(seconds=1)
    first = await _(sdk_client.skills.list(limit=2))
    assert [s.id for s in first.data] == [made[2].id, made[1].id]
    assert first.next_page
    every = await _all(sdk_client.skills.list(limit=2))
    assert [s.id for s in every] == [made[2].id, made[1].id, made[0].id, "pptx", "xlsx", "docx", "pdf"]
    custom = await _all(sdk_client.skills.list(source="custom"))
    assert len(custom) == 3
    with pytest.raises(anthropic.BadRequestError, match="limit: Input should be less than or equal to 1000"):
        await _(sdk_client.skills.list(limit=1001))


async def test_versions_ga_by_id_and_latest(sdk_client: Any, claude_files: Any) -> None:
    skill = await _(sdk_client.skills.create(files=skill_files("ver", "one")))
    claude_files.clock.advance(seconds=5)
    second = await _(sdk_client.skills.versions.create(skill.id, files=skill_files("ver", "two")))
    assert second.description == "two" and second.name == "ver" and second.skill_id == skill.id
    latest = await _(sdk_client.skills.versions.retrieve("latest", skill_id=skill.id))
    assert latest.id == second.id
    first = await _(sdk_client.skills.versions.retrieve(skill.latest_version_id, skill_id=skill.id))
    assert first.description == "one"
    listed = await _all(sdk_client.skills.versions.list(skill.id))
    assert [v.id for v in listed] == [second.id, skill.latest_version_id]
    again = await _(sdk_client.skills.retrieve(skill.id))
    assert again.latest_version_id == second.id and again.updated_at > again.created_at
    with pytest.raises(anthropic.BadRequestError, match="must match the skill's name 'ver'"):
        await _(sdk_client.skills.versions.create(skill.id, files=skill_files("other")))
    with pytest.raises(anthropic.NotFoundError, match="Skill version not found"):
        await _(sdk_client.skills.versions.retrieve("skver_01nope", skill_id=skill.id))


async def test_ga_delete_takes_the_versions_with_it(sdk_client: Any) -> None:
    skill = await _(sdk_client.skills.create(files=skill_files("gone")))
    await _(sdk_client.skills.versions.create(skill.id, files=skill_files("gone")))
    deleted = await _(sdk_client.skills.delete(skill.id))
    assert deleted.id == skill.id and deleted.type == "skill_deleted"
    with pytest.raises(anthropic.NotFoundError):
        await _(sdk_client.skills.retrieve(skill.id))


# the second skills.delete repeats the refused request after the versions went (not a blind retry)
@pytest.mark.filterwarnings("ignore::pytest_claude_files.errors.ClaudeFilesMisuseWarning")
async def test_beta_versions_are_epoch_timestamps_and_delete_wants_them_gone(sdk_client: Any) -> None:
    beta = _beta(sdk_client)
    skill = await _(beta.create(files=skill_files("bet"), betas=[SKILLS_BETA]))
    stamp = _field(skill, "latest_version")
    assert stamp == str(int(NOW.timestamp() * 1_000_000))
    assert _field(skill, "display_title") == "bet"
    version = await _(beta.versions.retrieve(stamp, skill_id=skill.id, betas=[SKILLS_BETA]))
    assert version.id == skill.latest_version_id
    with pytest.raises(anthropic.BadRequestError, match="Delete all versions first"):
        await _(beta.delete(skill.id, betas=[SKILLS_BETA]))
    gone = await _(beta.versions.delete(stamp, skill_id=skill.id, betas=[SKILLS_BETA]))
    assert gone.type == "skill_version_deleted" and gone.id == stamp
    assert (await _(beta.delete(skill.id, betas=[SKILLS_BETA]))).type == "skill_deleted"


async def test_skills_are_private_to_a_workspace_when_partitioned(sdk_client: Any, claude_files: Any) -> None:
    claude_files.settings = type(claude_files.settings)(partition_workspaces=True)
    skill = await _(sdk_client.skills.create(files=skill_files("mine"), **_in("wrkspc_a")))
    with pytest.raises(anthropic.NotFoundError):
        await _(sdk_client.skills.retrieve(skill.id, **_in("wrkspc_b")))
    assert (await _(sdk_client.skills.retrieve(skill.id, **_in("wrkspc_a")))).id == skill.id


# -- skills in Messages ------------------------------------------------------------------------
async def _create(client: Any, container: Any, tools: Any = (CODE_EXECUTION,), **kwargs: Any) -> Any:
    return await _(client.messages.create(
        model=MODEL, max_tokens=1024, container=container, tools=list(tools),
        messages=[{"role": "user", "content": "Make a budget spreadsheet"}], **kwargs))


async def test_container_skills_resolve_and_output_files_download(sdk_client: Any, claude_files: Any) -> None:
    custom = await _(sdk_client.skills.create(files=skill_files("budget")))
    claude_files.messages.reply("Here is your budget.", output_files={"budget.xlsx": XLSX})
    reply = await _create(sdk_client, {"skills": [
        {"type": "anthropic", "skill_id": "xlsx", "version": "latest"},
        {"type": "custom", "skill_id": custom.id},
    ]})
    assert [(s.type, s.skill_id, s.version) for s in reply.container.skills] == [
        ("anthropic", "xlsx", "20251013"), ("custom", custom.id, custom.latest_version_id)]
    result = next(b for b in reply.content if b.type == "bash_code_execution_tool_result")
    file_id = result.content.content[0].file_id
    data = await _(sdk_client.files.download(file_id))
    assert await _(data.read()) == XLSX


async def test_container_skills_without_output_files_still_report_the_container(sdk_client: Any) -> None:
    reply = await _create(sdk_client, {"skills": [{"type": "anthropic", "skill_id": "pdf"}]})
    assert reply.container.id.startswith("container_01")
    assert reply.container.skills[0].version == "20251013"


async def test_container_skill_errors(sdk_client: Any) -> None:
    with pytest.raises(anthropic.NotFoundError, match="Skill not found: skill_01missing"):
        await _create(sdk_client, {"skills": [{"type": "custom", "skill_id": "skill_01missing"}]})
    with pytest.raises(anthropic.NotFoundError):
        await _create(sdk_client, {"skills": [{"type": "custom", "skill_id": "xlsx"}]})
    with pytest.raises(anthropic.BadRequestError) as caught:
        await _create(sdk_client, {"skills": [{"type": "anthropic", "skill_id": "xlsx"}]}, tools=())
    assert caught.value.body["error"]["message"] == CODE_EXECUTION_REQUIRED
    many = [{"type": "anthropic", "skill_id": "xlsx"}] * 9
    with pytest.raises(anthropic.BadRequestError, match="at most 8 items"):
        await _create(sdk_client, {"skills": many}, extra_headers={"anthropic-beta": SKILLS_BETA})
    await _create(sdk_client, {"skills": many})  # GA: up to 20
    with pytest.raises(anthropic.BadRequestError, match="at most 20 items"):
        await _create(sdk_client, {"skills": many * 3})


async def test_beta_messages_resolve_custom_versions_to_timestamps(sdk_client: Any) -> None:
    skill = await _(_beta(sdk_client).create(files=skill_files("stamped"), betas=[SKILLS_BETA]))
    stamp = _field(skill, "latest_version")
    reply = await _(sdk_client.beta.messages.create(
        model=MODEL, max_tokens=100, betas=[SKILLS_BETA, "code-execution-2025-08-25"],
        container={"skills": [{"type": "custom", "skill_id": skill.id, "version": stamp}]},
        tools=[CODE_EXECUTION], messages=[{"role": "user", "content": "go"}]))
    assert reply.container.skills[0].version == stamp


# -- the cookbook flow against the emulator ------------------------------------------------------
def test_the_cookbook_skills_flow_runs_against_the_emulator(tmp_path: Any) -> None:
    from pytest_claude_files.server import start_server

    with start_server("127.0.0.1", 0) as server:
        control = server.control("sk-ant-skills")
        client = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-skills", max_retries=0)
        assert {s.id for s in client.skills.list(source="anthropic")} == {"pptx", "xlsx", "docx", "pdf"}
        skill = client.skills.create(files=skill_files("financial-skill", "Docs example skill.",
                                                       {"analyze.py": b"print('analysis')"}))
        control.reply("Budget ready.", output_files={"budget.xlsx": XLSX})
        response = client.messages.create(
            model=MODEL, max_tokens=4096, tools=[CODE_EXECUTION],
            container={"skills": [{"type": "anthropic", "skill_id": "xlsx", "version": "latest"},
                                  {"type": "custom", "skill_id": skill.id, "version": "latest"}]},
            messages=[{"role": "user", "content": "Create an Excel file with a simple budget spreadsheet"}])
        file_ids = [f.file_id for item in response.content if item.type == "bash_code_execution_tool_result"
                    for f in item.content.content]
        assert len(file_ids) == 1
        meta = client.files.retrieve_metadata(file_ids[0])
        client.files.download(file_ids[0]).write_to_file(tmp_path / meta.filename)
        assert (tmp_path / "budget.xlsx").read_bytes() == XLSX
        assert client.skills.delete(skill.id).type == "skill_deleted"


# -- the strategies against the fake -------------------------------------------------------------
def test_drawn_bundles_are_accepted_and_invalid_ones_refused_as_announced() -> None:
    from hypothesis import given, settings

    from pytest_claude_files import FakeFiles
    from pytest_claude_files._core.skills import GA_RULES
    from pytest_claude_files.errors import InvalidRequestError
    from pytest_claude_files.strategies import invalid_skill_bundles, skill_bundles

    @settings(max_examples=40, deadline=None)
    @given(skill_bundles(), invalid_skill_bundles())
    def run(good: Any, bad: Any) -> None:
        fake = FakeFiles()
        skill = fake.skills.create(good, None, GA_RULES)
        assert skill.name == good[0][0].split("/")[0]
        kind, files, message = bad
        with pytest.raises(InvalidRequestError) as caught:
            fake.skills.create(files, None, GA_RULES)
        assert caught.value.message.startswith(message) or message in caught.value.message, kind

    run()
