"""The Skills boundary (docs/fidelity.md, ## Skills and citations): what can be checked
without leaving a skill on the account.

Every call uses ``client.beta.skills`` with ``skills-2025-10-02`` (every SDK generation has
it). The bundles sent are refused (400), so no skill is made; the Messages requests are
refused before any model runs (not billed).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files.contract._harness import Answer, Contract

fidelity = pytest.mark.claude_files_fidelity
SKILLS_BETA = "skills-2025-10-02"
MODEL = "claude-haiku-4-5"
ANTHROPIC = ("pptx", "xlsx", "docx", "pdf")


def _refused(answer: Answer, status: int, error_type: str) -> None:
    assert (answer.status, answer.error_type) == (status, error_type), answer


def _create(files: list[tuple[str, bytes]]) -> Any:
    return lambda c: c.beta.skills.create(files=files, betas=[SKILLS_BETA])


@fidelity("skills.anthropic.builtin", calls=("skills.list",))
def test_the_anthropic_skills_are_listed(contract: Contract) -> None:
    answer = contract.run(
        "skills.list(source='anthropic')",
        lambda c: sorted(s.id for s in c.beta.skills.list(source="anthropic", betas=[SKILLS_BETA])
                         if s.id in ANTHROPIC),
    )
    assert answer.ok and answer.value == sorted(ANTHROPIC), answer


@fidelity("skills.anthropic.read-only", calls=("skills.delete",))
def test_an_anthropic_skill_cannot_be_deleted(contract: Contract) -> None:
    answer = contract.run("skills.delete('xlsx')",
                          lambda c: c.beta.skills.delete("xlsx", betas=[SKILLS_BETA]))
    assert not answer.ok and answer.status is not None and 400 <= answer.status < 500, answer


@fidelity("skills.bundle.skill-md", calls=("skills.create",))
def test_a_bundle_without_skill_md_is_refused(contract: Contract) -> None:
    answer = contract.run("skills.create without SKILL.md", _create([("my-skill/README.md", b"no skill")]))
    _refused(answer, 400, "invalid_request_error")


@fidelity("skills.bundle.one-directory", calls=("skills.create",))
def test_a_bundle_in_two_directories_is_refused(contract: Contract) -> None:
    files = [("my-skill/SKILL.md", b"---\nname: my-skill\ndescription: d\n---\n"), ("other/x.txt", b"x")]
    _refused(contract.run("skills.create in two directories", _create(files)), 400, "invalid_request_error")


@fidelity("skills.bundle.front-matter", calls=("skills.create",))
def test_a_name_with_capitals_is_refused(contract: Contract) -> None:
    files = [("my-skill/SKILL.md", b"---\nname: My Skill\ndescription: d\n---\n")]
    _refused(contract.run("skills.create named 'My Skill'", _create(files)), 400, "invalid_request_error")


@fidelity("skills.list", calls=("skills.list",))
def test_a_limit_over_1000_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "skills.list(limit=1001)", lambda c: c.beta.skills.list(limit=1001, betas=[SKILLS_BETA]))
    _refused(answer, 400, "invalid_request_error")


def _ask(c: Any, container: Any, tools: list[Any]) -> Any:
    return c.beta.messages.create(
        model=MODEL, max_tokens=1, betas=[SKILLS_BETA, "code-execution-2025-08-25"], container=container,
        tools=tools, messages=[{"role": "user", "content": "Reply with one word."}])


@fidelity("messages.skills.code-execution-required", calls=("messages",))
def test_skills_without_the_code_execution_tool_are_refused(contract: Contract) -> None:
    answer = contract.run("messages.create with skills, no tools",
                          lambda c: _ask(c, {"skills": [{"type": "anthropic", "skill_id": "xlsx"}]}, []))
    _refused(answer, 400, "invalid_request_error")


@fidelity("messages.skills.unknown", calls=("messages",))
def test_an_unknown_custom_skill_is_not_found(contract: Contract) -> None:
    tools = [{"type": "code_execution_20250825", "name": "code_execution"}]
    skills = [{"type": "custom", "skill_id": "skill_01NoSuchSkillForTheSuite0", "version": "latest"}]
    answer = contract.run("messages.create with an unknown custom skill",
                          lambda c: _ask(c, {"skills": skills}, tools))
    _refused(answer, 404, "not_found_error")


@fidelity("citations.all-or-none", uploads=2, bytes=10, calls=("upload", "messages"))
def test_citations_on_one_document_of_two_are_refused(contract: Contract) -> None:
    first = contract.upload("a.txt", b"alpha")
    second = contract.upload("b.txt", b"beta")

    def ask(c: Any, a: Any, b: Any) -> Any:
        plain = {"type": "document", "source": {"type": "file", "file_id": b.id}}
        cited = {"type": "document", "source": {"type": "file", "file_id": a.id},
                 "citations": {"enabled": True}}
        return c.beta.messages.create(
            model=MODEL, max_tokens=1, betas=["files-api-2025-04-14"], messages=[{"role": "user", "content": [
                cited, plain, {"type": "text", "text": "Reply with one word."}]}])

    _refused(contract.run("messages.create, citations on one document of two", ask, first, second),
             400, "invalid_request_error")
