"""The Skills API over HTTP: ``/v1/skills`` and ``/v1/skills/{skill_id}/versions``.

Endpoints of :class:`~pytest_claude_files._core.skills.FakeSkills` (``claude_files.skills``),
GA and the ``skills-2025-10-02`` beta mirror (the dialect is the beta header's:
:func:`~pytest_claude_files._core.skills.rules_for`). Creation reads the multipart
``files[]`` parts (``files`` too) and ``display_name`` (``display_title`` on the beta).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from pytest_claude_files._core.skills import SkillRules, page_offset, page_token, parse_limit, rules_for
from pytest_claude_files._http.endpoint import Endpoint, HTTPResponse
from pytest_claude_files._http.multipart import parse_multipart
from pytest_claude_files.errors import InvalidRequestError, shown

__all__ = ["ENDPOINTS"]

_FILE_FIELDS = ("files[]", "files")


def _rules(ep: Endpoint) -> SkillRules:
    return rules_for(ep.betas)


def _bundle(ep: Endpoint, *, allow_title: bool) -> tuple[list[tuple[Optional[str], bytes]], Optional[str]]:
    parts = parse_multipart(ep.request.headers.get("content-type"), ep.request.body)
    files: list[tuple[Optional[str], bytes]] = []
    title: Optional[str] = None
    for part in parts:
        if part.name in _FILE_FIELDS or part.name.startswith("files["):
            files.append((part.filename, bytes(part.data)))
        elif allow_title and part.name in ("display_name", "display_title"):
            title = bytes(part.data).decode("utf-8", "replace")
        else:
            raise InvalidRequestError(f"{shown(part.name)}: Extra inputs are not permitted")
    return files, title


def _page(ep: Endpoint, items: list[Any], rules: SkillRules) -> HTTPResponse:
    query = ep.query()
    limit = parse_limit(query.get("limit", [None])[-1])
    start = page_offset(query.get("page", [None])[-1])
    chosen = items[start:start + limit]
    more = start + limit < len(items)
    body: dict[str, Any] = {"data": [item.to_api(rules) for item in chosen],
                            "next_page": page_token(start + limit) if more else None}
    if rules.beta:
        body["has_more"] = more
    return ep.ok(body)


def create(ep: Endpoint) -> HTTPResponse:
    files, title = _bundle(ep, allow_title=True)
    skill = ep.service.skills.create(files, title, _rules(ep), ep.workspace)
    return ep.ok(skill.to_api(_rules(ep)))


def list_skills(ep: Endpoint) -> HTTPResponse:
    source = ep.query().get("source", [None])[-1] or None
    if source not in (None, "custom", "anthropic"):
        raise InvalidRequestError("source: Input should be 'custom' or 'anthropic'")
    return _page(ep, ep.service.skills.listing(ep.workspace, source), _rules(ep))


def retrieve(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.skills.get(ep.params["skill_id"], ep.workspace).to_api(_rules(ep)))


def delete(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.skills.delete(ep.params["skill_id"], _rules(ep), ep.workspace))


def create_version(ep: Endpoint) -> HTTPResponse:
    files, _ = _bundle(ep, allow_title=False)
    record = ep.service.skills.create_version(ep.params["skill_id"], files, _rules(ep), ep.workspace)
    return ep.ok(record.to_api(_rules(ep)))


def list_versions(ep: Endpoint) -> HTTPResponse:
    skill = ep.service.skills.get(ep.params["skill_id"], ep.workspace)
    if skill.source == "anthropic":
        return ep.ok({"data": [], "next_page": None})  # decision: Anthropic's versions are not listed
    return _page(ep, list(reversed(skill.versions)), _rules(ep))


def retrieve_version(ep: Endpoint) -> HTTPResponse:
    store = ep.service.skills
    skill = store.get(ep.params["skill_id"], ep.workspace)
    record = store.find_version(skill, ep.params["version"], _rules(ep))
    return ep.ok(record.to_api(_rules(ep)))


def delete_version(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.skills.delete_version(ep.params["skill_id"], ep.params["version"], _rules(ep),
                                                  ep.workspace))


ENDPOINTS: dict[str, Callable[[Endpoint], HTTPResponse]] = {
    "skills.create": create,
    "skills.list": list_skills,
    "skills.retrieve": retrieve,
    "skills.delete": delete,
    "skills.versions.create": create_version,
    "skills.versions.list": list_versions,
    "skills.versions.retrieve": retrieve_version,
    "skills.versions.delete": delete_version,
}
