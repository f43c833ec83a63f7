"""Managed Agents agents and environments, as far as a session needs them.

``claude_files.agents`` (:class:`FakeAgents`) and ``claude_files.environments``
(:class:`FakeEnvironments`): create, retrieve, list and archive, in the shapes of the
SDK's ``BetaManagedAgentsAgent`` and ``BetaEnvironment``. A session names an agent (its id,
or ``{"type": "agent", "id", "version"}``) and an environment id; :meth:`FakeAgents.resolve`
and :meth:`FakeEnvironments.resolve` give the API's answer when it names an unknown or an
archived one (docs/fidelity.md, "Managed Agents").
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from pytest_claude_files._core.managed import MAX_OBJECTS, check_metadata, check_str, new_id, page_of
from pytest_claude_files._core.resource import Resource, ServiceLike
from pytest_claude_files.errors import ConflictError, InvalidRequestError, NotFoundError, shown
from pytest_claude_files.models import format_timestamp

__all__ = ["FakeAgents", "FakeEnvironments"]

MAX_SYSTEM = 100_000
"""Decision: a system prompt of at most 100,000 characters (bounded memory)."""
MAX_TOOLS = 256
"""At most 256 tools across all toolsets (the SDK's docstring)."""
DEFAULT_CLOUD_CONFIG: dict[str, Any] = {
    "type": "cloud",
    "networking": {"type": "unrestricted"},
    "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [], "pip": []},
}


@dataclass
class _Stored:
    obj: dict[str, Any]
    workspace: Optional[str]


class _Objects(Resource):
    """A table of objects by sortable id, per workspace (the part agents and environments share)."""

    kind = ""

    def __init__(self, service: ServiceLike) -> None:
        super().__init__(service)
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._items: dict[str, _Stored] = {}
            self._order: list[str] = []
            self._clear_records()

    def is_empty(self, kept: bool = False) -> bool:
        """No object made (archived ones count: they are still shown), unless ``kept``."""
        with self._lock:
            return kept or not self._items

    def __len__(self) -> int:
        return len(self._items)

    def load_records(self) -> None:
        """The objects the service's ``records`` kept (an emulator's restart)."""
        def restore(key: str, record: dict[str, Any]) -> None:
            obj, workspace = record["obj"], record["workspace"]
            if not isinstance(obj, dict) or obj.get("id") != key or key in self._items:
                raise ValueError(f"not the record of {self.kind} {key}")
            if workspace is not None and not isinstance(workspace, str):
                raise ValueError("the workspace is not a string")
            self._items[key] = _Stored(obj, workspace)
            bisect.insort(self._order, key)

        with self._lock:
            self.service.records.load(self.name, restore)

    def _persist(self, stored: _Stored) -> None:
        if not self.keeps_records:
            return
        self._save(stored.obj["id"], {"obj": stored.obj, "workspace": stored.workspace})

    def all(self) -> list[dict[str, Any]]:
        """Every object (archived ones too), newest first, as the API shows it."""
        with self._lock:
            return [dict(self._items[i].obj) for i in reversed(self._order)]

    def _visible(self, stored: _Stored, workspace: Optional[str]) -> bool:
        return stored.workspace == workspace or not self.service.settings.partition_workspaces

    def _lookup(self, object_id: str, workspace: Optional[str]) -> _Stored:
        stored = self._items.get(object_id)
        if stored is None or not self._visible(stored, workspace):
            raise NotFoundError(f"{self.kind.capitalize()} `{shown(object_id)}` not found.",
                                error_code=self._not_found_code())
        return stored

    def _not_found_code(self) -> Optional[str]:
        return None

    def _add(self, obj: dict[str, Any], workspace: Optional[str]) -> dict[str, Any]:
        if len(self._items) >= MAX_OBJECTS:
            raise InvalidRequestError(f"This fake account already holds {MAX_OBJECTS} {self.kind}s "
                                      "(pytest-claude-files' bound); archive or reset some.")
        stored = _Stored(obj, workspace)
        self._persist(stored)  # kept before it is acknowledged
        self._items[obj["id"]] = stored
        bisect.insort(self._order, obj["id"])
        return dict(obj)

    def retrieve(self, object_id: str, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        with self._lock:
            return dict(self._lookup(object_id, workspace_id).obj)

    def list(self, *, limit: int = 20, page: Optional[str] = None, include_archived: bool = False,
             workspace_id: Optional[str] = None) -> tuple[list[dict[str, Any]], Optional[str]]:
        """One page, newest first, and the next page's token (archived ones only when asked)."""
        with self._lock:
            ids = [i for i in self._order if self._visible(self._items[i], workspace_id)
                   and (include_archived or self._items[i].obj["archived_at"] is None)]
            data, next_page = page_of(ids, {i: self._items[i].obj for i in ids}, limit=limit, page=page)
            return [dict(o) for o in data], next_page

    def archive(self, object_id: str, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """Archive (idempotent: archiving again keeps the first time)."""
        with self._lock:
            stored = self._lookup(object_id, workspace_id)
            obj = stored.obj
            if obj["archived_at"] is None:
                now = format_timestamp(self.service.clock.now())
                obj["archived_at"] = now
                obj["updated_at"] = now
                self._persist(stored)
            return dict(obj)


class FakeAgents(_Objects):
    """``claude_files.agents``: the Managed Agents agents of this fake."""

    name = "agents"
    kind = "agent"

    def create(self, body: Mapping[str, Any], *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/agents`` (``name`` and ``model`` required)."""
        name = check_str(body, "name", required=True)
        model = _model_config(body.get("model"))
        description = check_str(body, "description", max_len=2048)
        system = check_str(body, "system", max_len=MAX_SYSTEM)
        tools = _list_of(body, "tools", MAX_TOOLS)
        now = self.service.clock.now()
        stamp = format_timestamp(now)
        obj: dict[str, Any] = {
            "id": new_id("agent", now),
            "type": "agent",
            "name": name,
            "description": description,
            "system": system,
            "model": model,
            "tools": tools,
            "mcp_servers": _list_of(body, "mcp_servers", 20),
            "skills": _list_of(body, "skills", 64),
            "multiagent": body.get("multiagent"),
            "execution_identity": body.get("execution_identity") or {"type": "service_account"},
            "metadata": check_metadata(body.get("metadata")),
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
            "archived_at": None,
        }
        with self._lock:
            return self._add(obj, workspace_id)

    def resolve(self, ref: Any, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """The agent a session names (``"agent_…"`` or ``{"type": "agent", "id", "version"?}``):
        404 when unknown, 400 when archived or when the version does not exist."""
        version: Optional[int] = None
        if isinstance(ref, Mapping):
            agent_id = ref.get("id")
            version = ref.get("version")
            if ref.get("type") != "agent":
                raise InvalidRequestError("agent.type: Input should be 'agent'")
            if version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                        or version < 1):
                raise InvalidRequestError("agent.version: Input should be an integer of at least 1")
        else:
            agent_id = ref
        if not isinstance(agent_id, str) or not agent_id:
            raise InvalidRequestError("agent: Field required (an agent id, or an agent object with its id)")
        with self._lock:
            obj = self._lookup(agent_id, workspace_id).obj
            if obj["archived_at"] is not None:
                raise InvalidRequestError(
                    f"Agent `{shown(agent_id)}` is archived; a new session cannot use it.")
            if version is not None and version != obj["version"]:
                raise InvalidRequestError(f"Agent `{shown(agent_id)}` has no version {version}.")
            return dict(obj)


class FakeEnvironments(_Objects):
    """``claude_files.environments``: the Managed Agents environments of this fake."""

    name = "environments"
    kind = "environment"

    def _not_found_code(self) -> Optional[str]:
        return "environment_not_found"

    def create(self, body: Mapping[str, Any], *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``POST /v1/environments`` (``name`` required and unique: 409 for a name in use)."""
        name = check_str(body, "name", required=True)
        config = body.get("config")
        if config is None:
            config = DEFAULT_CLOUD_CONFIG
        elif not isinstance(config, Mapping) or config.get("type") not in ("cloud", "self_hosted"):
            raise InvalidRequestError("config.type: Input should be 'cloud' or 'self_hosted'")
        else:
            config = {**DEFAULT_CLOUD_CONFIG, **config} if config.get("type") == "cloud" else dict(config)
        scope = body.get("scope")
        if scope == "account":
            raise InvalidRequestError("scope: API organizations support only 'organization'.")
        if scope not in (None, "organization"):
            raise InvalidRequestError("scope: Input should be 'organization' or 'account'")
        now = self.service.clock.now()
        stamp = format_timestamp(now)
        obj: dict[str, Any] = {
            "id": new_id("env", now),
            "type": "environment",
            "name": name,
            "description": check_str(body, "description", max_len=2048),
            "config": config,
            "metadata": check_metadata(body.get("metadata")),
            "scope": "organization",
            "created_at": stamp,
            "updated_at": stamp,
            "archived_at": None,
        }
        with self._lock:
            for stored in self._items.values():
                if stored.obj["name"] == name and self._visible(stored, workspace_id):
                    raise ConflictError(f"An environment named {shown(name)!r} already exists.")
            return self._add(obj, workspace_id)

    def resolve(self, environment_id: Any, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """The environment a session names: 404 ``environment_not_found`` when unknown, 400
        ``environment_archived`` when archived."""
        if not isinstance(environment_id, str) or not environment_id:
            raise InvalidRequestError("environment_id: Field required")
        with self._lock:
            obj = self._lookup(environment_id, workspace_id).obj
            if obj["archived_at"] is not None:
                raise InvalidRequestError(
                    f"Environment `{shown(environment_id)}` is archived; a new session cannot use it.",
                    error_code="environment_archived")
            return dict(obj)


def _model_config(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value.strip():
        return {"id": value, "speed": "standard"}
    if isinstance(value, Mapping) and isinstance(value.get("id"), str) and value["id"].strip():
        return {"speed": "standard", **value}
    if value is None:
        raise InvalidRequestError("model: Field required")
    raise InvalidRequestError("model: Input should be a model name or a model config object with an id")


def _list_of(body: Mapping[str, Any], key: str, most: int) -> list[Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRequestError(f"{key}: Input should be a valid list")
    if len(value) > most:
        raise InvalidRequestError(f"{key}: at most {most} items, got {len(value)}")
    return list(value)
