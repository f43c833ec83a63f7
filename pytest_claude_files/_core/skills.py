"""The Skills API of one account (``claude_files.skills``), and skills in a Messages container.

Skills are kept per workspace (custom skills are "private to your workspace"; another
workspace's skill is a 404 when ``partition_workspaces`` is on, as for files). The four
Anthropic skills (``pptx``, ``xlsx``, ``docx``, ``pdf``) exist for every account without
being created, source ``anthropic``, read-only.

Two dialects (:class:`SkillRules`), chosen per request by the ``skills-2025-10-02`` beta
header, as the SDK 2.17 docstrings and the Skills guide describe them:

- GA (``client.skills``): versions addressed by their id ``skver_01...`` (or ``latest``),
  at most 20 skills in a container, 30 MB a bundle, deleting a skill deletes its versions;
- beta (``client.beta.skills`` with ``betas=["skills-2025-10-02"]``): versions addressed by
  their Unix epoch timestamp in microseconds (``"1759178010641129"``), at most 8 skills in a
  container, 8 MB a bundle, a skill deleted only after its versions (400 otherwise).

Objects are the SDK 2.17 shapes (``display_name``, ``latest_version_id``, ``source``
object); beta answers add the beta's own fields (``display_title``, ``latest_version``,
a version's ``version`` and ``directory``) for the SDKs of that beta.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core.clock import parse_aware as _when
from pytest_claude_files._core.resource import Resource
from pytest_claude_files._core.skill_bundle import (
    BETA_MAX_BUNDLE_BYTES,
    GA_MAX_BUNDLE_BYTES,
    Bundle,
    check_bundle,
    check_display_name,
)
from pytest_claude_files.errors import InvalidRequestError, NotFoundError, RequestTooLargeError, shown
from pytest_claude_files.models import format_timestamp

__all__ = [
    "ANTHROPIC_SKILLS",
    "BETA_RULES",
    "GA_RULES",
    "SKILLS_BETA",
    "FakeSkills",
    "SkillRecord",
    "SkillRules",
    "SkillVersionRecord",
    ]

SKILLS_BETA = "skills-2025-10-02"
MB = 1024 * 1024
DEFAULT_MAX_TOTAL_BYTES = 512 * MB
"""Decision: the skills of one account hold at most 512 MB (the fake stays bounded)."""
ANTHROPIC_SKILL_VERSION = "20251013"
"""The Anthropic skills' version: "Date-based: 20251013" (the Skills guide)."""
ANTHROPIC_SKILLS = {
    "pptx": "Create, edit and analyze PowerPoint presentations.",
    "xlsx": "Create, edit and analyze Excel spreadsheets.",
    "docx": "Create, edit and analyze Word documents.",
    "pdf": "Extract text and tables from PDFs, fill forms, create and merge PDF files.",
}
_ANTHROPIC_CREATED = datetime(2025, 10, 13, tzinfo=timezone.utc)
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
SKILL_NOT_FOUND = "Skill not found: {skill_id}"
VERSION_NOT_FOUND = "Skill version not found: {version}"
VERSIONS_KIND = "skill_versions"
"""The kind of a skill version's record (``records``): one each, its bundle's files in it."""
CODE_EXECUTION_REQUIRED = "Skills beta requires the code_execution tool to be included in the request."


@dataclass(frozen=True)
class SkillRules:
    """What a dialect of the Skills API allows."""

    beta: bool
    max_bundle_bytes: int
    max_container_skills: int
    delete_cascades: bool


GA_RULES = SkillRules(False, GA_MAX_BUNDLE_BYTES, 20, True)
BETA_RULES = SkillRules(True, BETA_MAX_BUNDLE_BYTES, 8, False)


def rules_for(betas: frozenset[str]) -> SkillRules:
    """The beta rules when the request names ``skills-2025-10-02``, else GA."""
    return BETA_RULES if SKILLS_BETA in betas else GA_RULES


@dataclass
class SkillVersionRecord:
    """One version: its id, its epoch-timestamp version, and the bundle it was made from."""

    id: str
    version: str
    skill_id: str
    created_at: datetime
    bundle: Bundle

    def to_api(self, rules: SkillRules) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "created_at": format_timestamp(self.created_at),
            "description": self.bundle.description, "name": self.bundle.name,
            "skill_id": self.skill_id, "type": "skill_version",
        }
        if rules.beta:
            out.update(version=self.version, directory=self.bundle.directory)
        return out


@dataclass
class SkillRecord:
    """A skill: custom (with its versions, oldest first) or Anthropic's."""

    id: str
    display_name: str
    source: str
    created_at: datetime
    updated_at: datetime
    name: str
    workspace: Optional[str] = None
    versions: list[SkillVersionRecord] = field(default_factory=list)

    @property
    def latest(self) -> Optional[SkillVersionRecord]:
        return self.versions[-1] if self.versions else None

    def to_api(self, rules: SkillRules) -> dict[str, Any]:
        latest = self.latest
        if self.source == "anthropic":
            latest_id: Optional[str] = ANTHROPIC_SKILL_VERSION
            latest_version: Optional[str] = ANTHROPIC_SKILL_VERSION
        else:
            latest_id = latest.id if latest else None
            latest_version = latest.version if latest else None
        out: dict[str, Any] = {
            "id": self.id, "created_at": format_timestamp(self.created_at),
            "display_name": self.display_name, "latest_version_id": latest_id,
            "source": {"type": self.source}, "type": "skill",
            "updated_at": format_timestamp(self.updated_at),
        }
        if rules.beta:
            out.update(display_title=self.display_name, latest_version=latest_version)
        return out


def _new_id(prefix: str) -> str:
    return prefix + _ids.new_request_id()[len(_ids.REQUEST_ID_PREFIX):]


def _micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class FakeSkills(Resource):
    """The skills of one account: the state behind ``/v1/skills`` (see the module docstring).

    ``service`` gives the clock and the settings (``partition_workspaces``); ``max_total_bytes``
    bounds the bytes of every version of every skill (413 beyond).
    """

    name = "skills"

    def __init__(self, service: Any, *, max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES) -> None:
        super().__init__(service)
        self.max_total_bytes = max_total_bytes
        self._lock = threading.RLock()
        self._skills: dict[str, SkillRecord] = {}
        self._last_micros = 0

    def reset(self) -> None:
        with self._lock:
            self._skills.clear()
            self._clear_records(self.name, VERSIONS_KIND)

    def load_records(self) -> None:
        """The skills and versions the service's ``records`` kept (an emulator's restart); a
        version whose skill was not kept is refused (the storage sets it aside)."""
        def skill(key: str, record: dict[str, Any]) -> None:
            found = SkillRecord(str(record["id"]), str(record["display_name"]), "custom",
                                _when(record["created_at"]), _when(record["updated_at"]),
                                str(record["name"]), record["workspace"])
            if found.id != key or key in self._skills:
                raise ValueError("the record of another skill")
            self._skills[key] = found

        versions: list[SkillVersionRecord] = []

        def version(key: str, record: dict[str, Any]) -> None:
            bundle = record["bundle"]
            files = tuple((str(path), base64.b64decode(data, validate=True))
                          for path, data in bundle["files"])
            found = SkillVersionRecord(str(record["id"]), str(int(record["version"])),
                                       str(record["skill_id"]), _when(record["created_at"]),
                                       Bundle(str(bundle["directory"]), str(bundle["name"]),
                                              str(bundle["description"]), files))
            if found.id != key or found.skill_id not in self._skills:
                raise ValueError("a version of no kept skill (deleted or made as the server stopped)")
            versions.append(found)

        with self._lock:
            self.service.records.load(self.name, skill)
            self.service.records.load(VERSIONS_KIND, version)
            for found in sorted(versions, key=lambda v: int(v.version)):
                self._skills[found.skill_id].versions.append(found)
                self._last_micros = max(self._last_micros, int(found.version))

    def _persist(self, skill: SkillRecord, version: Optional[SkillVersionRecord] = None) -> None:
        """The records of a change, the version first, then the skill (its commit point)."""
        if not self.keeps_records:
            return
        if version is not None:
            bundle = version.bundle
            self._save(version.id, {
                "id": version.id, "version": version.version, "skill_id": version.skill_id,
                "created_at": version.created_at.isoformat(),
                "bundle": {"directory": bundle.directory, "name": bundle.name,
                           "description": bundle.description,
                           "files": [[path, base64.b64encode(data).decode()] for path, data in bundle.files]},
            }, kind=VERSIONS_KIND)
        self._save(skill.id, {
            "id": skill.id, "display_name": skill.display_name, "created_at": skill.created_at.isoformat(),
            "updated_at": skill.updated_at.isoformat(), "name": skill.name, "workspace": skill.workspace})

    def is_empty(self, kept: bool = False) -> bool:
        """No custom skill (unless ``kept``), and the byte bound at its default."""
        with self._lock:
            return (kept or not self._skills) and self.max_total_bytes == DEFAULT_MAX_TOTAL_BYTES

    @property
    def bytes_used(self) -> int:
        with self._lock:
            return sum(v.bundle.size for s in self._skills.values() for v in s.versions)

    def _now(self) -> datetime:
        now: datetime = self.service.clock.now()
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    def _stamp(self, now: datetime) -> str:
        micros = max(_micros(now), self._last_micros + 1)
        self._last_micros = micros
        return str(micros)

    def _visible(self, skill: SkillRecord, workspace: Optional[str]) -> bool:
        return skill.workspace == workspace or not self.service.settings.partition_workspaces

    # -- lookups ------------------------------------------------------------------------
    def anthropic(self, skill_id: str) -> Optional[SkillRecord]:
        if skill_id not in ANTHROPIC_SKILLS:
            return None
        return SkillRecord(skill_id, skill_id, "anthropic", _ANTHROPIC_CREATED, _ANTHROPIC_CREATED, skill_id)

    def get(self, skill_id: str, workspace: Optional[str] = None) -> SkillRecord:
        """A skill (Anthropic's or a custom one of this workspace); 404 otherwise."""
        with self._lock:
            found = self.anthropic(skill_id)
            if found is not None:
                return found
            skill = self._skills.get(skill_id)
            if skill is None or not self._visible(skill, workspace):
                raise NotFoundError(SKILL_NOT_FOUND.format(skill_id=shown(skill_id)))
            return skill

    def _custom(self, skill_id: str, workspace: Optional[str], doing: str) -> SkillRecord:
        skill = self.get(skill_id, workspace)
        if skill.source != "custom":
            raise InvalidRequestError(f"Skill {shown(skill_id)!r} is an Anthropic skill: it is read-only "
                                      f"(cannot {doing}).")
        return skill

    def find_version(self, skill: SkillRecord, version: str, rules: SkillRules,
                     *, allow_latest: bool = True) -> SkillVersionRecord:
        """A version by its id (GA) or epoch timestamp (beta), or ``latest``; 404 otherwise."""
        if version == "latest" and allow_latest and skill.latest is not None:
            return skill.latest
        for record in skill.versions:
            if (record.version if rules.beta else record.id) == version:
                return record
        raise NotFoundError(VERSION_NOT_FOUND.format(version=shown(version)))

    # -- the operations -----------------------------------------------------------------
    def create(self, files: Sequence[tuple[Optional[str], bytes]], display_name: Optional[str],
               rules: SkillRules, workspace: Optional[str] = None) -> SkillRecord:
        """``POST /v1/skills``: a new custom skill with its first version."""
        title = check_display_name(display_name)
        bundle = check_bundle(files, max_bytes=rules.max_bundle_bytes, allow_root=not rules.beta)
        with self._lock:
            for other in self._skills.values():
                if other.name == bundle.name and self._visible(other, workspace):
                    raise InvalidRequestError(
                        f"Skill name {bundle.name!r} is already used by skill {other.id} in this workspace: "
                        f"create a new version of it (POST /v1/skills/{other.id}/versions) or choose "
                        "another name in SKILL.md.")
            self._room_for(bundle)
            now = self._now()
            skill = SkillRecord(_new_id("skill_01"), title or bundle.name, "custom", now, now,
                                bundle.name, workspace)
            skill.versions.append(SkillVersionRecord(_new_id("skver_01"), self._stamp(now), skill.id,
                                                     now, bundle))
            self._persist(skill, skill.versions[0])  # kept before it is acknowledged
            self._skills[skill.id] = skill
            return skill

    def create_version(self, skill_id: str, files: Sequence[tuple[Optional[str], bytes]],
                       rules: SkillRules, workspace: Optional[str] = None) -> SkillVersionRecord:
        """``POST /v1/skills/{id}/versions``: a full new snapshot with the skill's name."""
        bundle = check_bundle(files, max_bytes=rules.max_bundle_bytes, allow_root=not rules.beta)
        with self._lock:
            skill = self._custom(skill_id, workspace, "create a version")
            if bundle.name != skill.name:
                raise InvalidRequestError(
                    f"SKILL.md frontmatter: name {bundle.name!r} must match the skill's name {skill.name!r}.")
            self._room_for(bundle)
            now = self._now()
            record = SkillVersionRecord(_new_id("skver_01"), self._stamp(now), skill.id, now, bundle)
            before = skill.updated_at
            skill.updated_at = now
            try:
                self._persist(skill, record)
            except Exception:
                skill.updated_at = before
                raise
            skill.versions.append(record)
            return record

    def _room_for(self, bundle: Bundle) -> None:
        used = self.bytes_used
        if used + bundle.size > self.max_total_bytes:
            raise RequestTooLargeError(
                f"Skill storage of this account is full: {used} + {bundle.size} bytes > "
                f"{self.max_total_bytes} bytes.")

    def delete(self, skill_id: str, rules: SkillRules, workspace: Optional[str] = None) -> dict[str, Any]:
        """``DELETE /v1/skills/{id}``: GA deletes the versions too; the beta wants them gone first."""
        with self._lock:
            skill = self._custom(skill_id, workspace, "delete it")
            if skill.versions and not rules.delete_cascades:
                raise InvalidRequestError(
                    f"Cannot delete skill {skill.id}: it has {len(skill.versions)} version(s). Delete all "
                    "versions first (DELETE /v1/skills/{skill_id}/versions/{version}).")
            self._drop(skill.id)  # the commit point; its versions' records follow
            del self._skills[skill.id]
            for version in skill.versions:
                self._drop(version.id, kind=VERSIONS_KIND)
            return {"id": skill.id, "type": "skill_deleted"}

    def delete_version(self, skill_id: str, version: str, rules: SkillRules,
                       workspace: Optional[str] = None) -> dict[str, Any]:
        """``DELETE /v1/skills/{id}/versions/{version}`` (by id on GA, by timestamp on the beta)."""
        with self._lock:
            skill = self._custom(skill_id, workspace, "delete its versions")
            if version == "latest" and not rules.beta:
                raise InvalidRequestError("version: a version is deleted by its version ID, not `latest`.")
            record = self.find_version(skill, version, rules)
            if not rules.delete_cascades or len(skill.versions) > 1:
                skill.versions.remove(record)
            else:
                raise InvalidRequestError(
                    f"Cannot delete the only version of skill {skill.id}: a skill holds at least one "
                    "version; delete the skill instead.")
            skill.updated_at = self._now()
            self._drop(record.id, kind=VERSIONS_KIND)
            self._persist(skill)
            return {"id": record.version if rules.beta else record.id, "type": "skill_version_deleted"}

    def listing(self, workspace: Optional[str], source: Optional[str]) -> list[SkillRecord]:
        """Every skill a list shows: custom ones newest first, then Anthropic's."""
        with self._lock:
            custom = sorted((s for s in self._skills.values() if self._visible(s, workspace)),
                            key=lambda s: (s.created_at, s.id), reverse=True)
        anthropic = [r for r in map(self.anthropic, ANTHROPIC_SKILLS) if r is not None]
        if source == "custom":
            return custom
        if source == "anthropic":
            return anthropic
        return [*custom, *anthropic]

    # -- skills in a Messages request ---------------------------------------------------
    def resolve_container(self, body: Any, betas: frozenset[str], workspace: Optional[str],
                          code_execution: bool) -> Optional[list[dict[str, Any]]]:
        """``container.skills`` of a Messages request, resolved to the versions that load
        (``None``: the request names no skills). 404 for an unknown skill or version, 400 for
        too many skills or skills without the code execution tool."""
        container = body.get("container") if isinstance(body, dict) else None
        if not isinstance(container, dict) or container.get("skills") is None:
            return None
        skills = container["skills"]
        if not isinstance(skills, list):
            raise InvalidRequestError("container.skills: Input should be a valid list")
        rules = rules_for(betas)
        if len(skills) > rules.max_container_skills:
            raise InvalidRequestError(
                f"container.skills: List should have at most {rules.max_container_skills} items after "
                f"validation, not {len(skills)}")
        if skills and not code_execution:
            raise InvalidRequestError(CODE_EXECUTION_REQUIRED)
        resolved = []
        for index, item in enumerate(skills):
            where = f"container.skills.{index}"
            if not isinstance(item, dict):
                raise InvalidRequestError(f"{where}: Input should be a valid dictionary")
            kind, skill_id, version = item.get("type"), item.get("skill_id"), item.get("version", "latest")
            if kind not in ("anthropic", "custom"):
                raise InvalidRequestError(f"{where}.type: Input should be 'anthropic' or 'custom'")
            if not isinstance(skill_id, str) or not skill_id:
                raise InvalidRequestError(f"{where}.skill_id: Field required")
            if not isinstance(version, str):
                raise InvalidRequestError(f"{where}.version: Input should be a valid string")
            skill = self.get(skill_id, workspace)
            if skill.source != kind:
                raise NotFoundError(SKILL_NOT_FOUND.format(skill_id=shown(skill_id)))
            if kind == "anthropic":
                if version not in ("latest", ANTHROPIC_SKILL_VERSION):
                    raise NotFoundError(VERSION_NOT_FOUND.format(version=shown(version)))
                resolved.append({"type": kind, "skill_id": skill_id, "version": ANTHROPIC_SKILL_VERSION})
                continue
            record = self.find_version(skill, version, rules)
            resolved.append({"type": kind, "skill_id": skill_id,
                             "version": record.version if rules.beta else record.id})
        return resolved


def page_token(offset: int) -> str:
    """An opaque ``next_page`` token (decision: the offset, encoded)."""
    return "page_" + base64.urlsafe_b64encode(f"skills:{offset}".encode()).decode().rstrip("=")


def page_offset(token: Optional[str]) -> int:
    """The offset a ``page`` token names (400 for a token the fake did not make)."""
    if not token:
        return 0
    try:
        raw = token[len("page_"):] if token.startswith("page_") else "!"
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "skills" or not number.isdigit():
            raise ValueError
        return int(number)
    except ValueError:
        raise InvalidRequestError(f"page: invalid page token {shown(token)!r}") from None


def parse_limit(values: Optional[str]) -> int:
    if values is None or values == "":
        return DEFAULT_LIMIT
    text = values.strip()
    if not text.lstrip("-").isdigit():
        raise InvalidRequestError("limit: Input should be a valid integer")
    limit = int(text)
    if limit < 1:
        raise InvalidRequestError("limit: Input should be greater than or equal to 1")
    if limit > MAX_LIMIT:
        raise InvalidRequestError(f"limit: Input should be less than or equal to {MAX_LIMIT}")
    return limit

