"""Issue 24: under partitioned workspaces, a walk over every endpoint the fake has.

Workspace A tries each operation of the route tables (Files, Messages, Message Batches,
Skills, Managed Agents) on what belongs to workspace B: B's file, B's session (with B's
file mounted in it), B's batch (whose request references B's file). Every probe must be a
404 (or leave B's file out of what A sees), and the same probe on A's own things must work,
so a probe that fails for another reason proves nothing. An endpoint added to the route
tables fails :func:`test_every_endpoint_is_walked` until it gets a probe here or a reason
why it touches no file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pytest

from pytest_claude_files._core.service import FakeService
from pytest_claude_files._http import routes
from pytest_claude_files._http.endpoint import HTTPRequest
from pytest_claude_files._http.handler import FilesHandler

A, B = "wrkspc_A", "wrkspc_B"
HEADERS = {"x-api-key": "sk-ant-walk", "anthropic-version": "2023-06-01", "content-type": "application/json",
           "anthropic-beta": "files-api-2025-04-14,managed-agents-2026-04-01"}
SECRET_NAME = "b-secret-report.pdf"


@dataclass
class World:
    fake: FakeService
    handler: FilesHandler
    ids: dict[str, dict[str, str]]  # workspace -> {"file", "session", "resource", "batch", "agent", "env"}

    def call(self, workspace: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        path, _, query = path.partition("?")
        headers = {**HEADERS, "anthropic-workspace-id": workspace}
        request = HTTPRequest.build(method, path, query, headers=headers,
                                    body=b"" if body is None else json.dumps(body).encode())
        response = self.handler(request)
        raw = bytes(response.body)
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw


def doc(file_id: str) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "file", "file_id": file_id}}


def ask(file_id: str) -> dict[str, Any]:
    message = {"role": "user", "content": [doc(file_id)]}
    return {"model": "claude-fake-model", "max_tokens": 16, "messages": [message]}


def build_world() -> World:
    fake = FakeService(partition_workspaces=True)
    world = World(fake, FilesHandler(fake), {})
    for workspace, name in ((A, "a-report.pdf"), (B, SECRET_NAME)):
        ids: dict[str, str] = {}
        ids["file"] = fake.add_file(name, b"%PDF-" + workspace.encode(), workspace_id=workspace,
                                   downloadable=True).id
        ids["env"] = world.call(workspace, "POST", "/v1/environments", {"name": "e"})[1]["id"]
        agent = {"name": "a", "model": "claude-opus-4-7"}
        ids["agent"] = world.call(workspace, "POST", "/v1/agents", agent)[1]["id"]
        status, session = world.call(workspace, "POST", "/v1/sessions", {
            "agent": ids["agent"], "environment_id": ids["env"],
            "resources": [{"type": "file", "file_id": ids["file"]}]})
        assert status == 200, session
        ids["session"] = session["id"]
        ids["resource"] = session["resources"][0]["id"]
        status, batch = world.call(workspace, "POST", "/v1/messages/batches",
                                   {"requests": [{"custom_id": "r", "params": ask(ids["file"])}]})
        assert status == 200, batch
        ids["batch"] = batch["id"]
        world.ids[workspace] = ids
    return world


Probe = Callable[[World, str, str], Optional[str]]
"""``probe(world, actor, owner)``: what ``actor`` does to ``owner``'s things; returns why it
leaked (a string) or None. Run once as (A, B): must not leak; once as (A, A): must work."""


def expect(status: int, answer: Any, own: bool, *, hidden_ok: bool = False) -> Optional[str]:
    if own:
        return None if status == 200 else f"own call failed: {status} {answer}"
    if status == 404 and answer["error"]["type"] == "not_found_error":
        return None
    return f"another workspace's: {status} {str(answer)[:200]}"


def _file_op(method: str, suffix: str = "") -> Probe:
    def probe(world: World, actor: str, owner: str) -> Optional[str]:
        status, answer = world.call(actor, method, f"/v1/files/{world.ids[owner]['file']}{suffix}")
        return expect(status, answer, actor == owner)
    return probe


def _list_files(world: World, actor: str, owner: str) -> Optional[str]:
    status, answer = world.call(actor, "GET", "/v1/files?limit=1000")
    listed = {f["id"] for f in answer["data"]}
    if (world.ids[owner]["file"] in listed) != (actor == owner):
        return f"list shows {sorted(listed)}"
    scope = world.ids[owner]["session"]  # the session's mounted copy is listed under its scope
    status, answer = world.call(actor, "GET", f"/v1/files?scope_id={scope}&limit=1000")
    shown = status == 200 and bool(answer["data"])
    return None if shown == (actor == owner) else f"scoped list: {status} {str(answer)[:200]}"


def _messages(path: str) -> Probe:
    def probe(world: World, actor: str, owner: str) -> Optional[str]:
        body = ask(world.ids[owner]["file"])
        if path.endswith("count_tokens"):
            del body["max_tokens"]
        status, answer = world.call(actor, "POST", path, body)
        return expect(status, answer, actor == owner)
    return probe


def _batch_create(world: World, actor: str, owner: str) -> Optional[str]:
    status, batch = world.call(actor, "POST", "/v1/messages/batches",
                               {"requests": [{"custom_id": "x", "params": ask(world.ids[owner]["file"])}]})
    if status != 200:
        return f"create: {status}"
    status, raw = world.call(actor, "GET", f"/v1/messages/batches/{batch['id']}/results")
    result = json.loads(raw if isinstance(raw, bytes) else json.dumps(raw))["result"]
    if actor == owner:
        return None if result["type"] == "succeeded" else f"own batch: {result}"
    if result["type"] == "errored" and result["error"]["error"]["type"] == "not_found_error":
        return None
    return f"another workspace's file in a batch: {result}"


def _batch_op(method: str, suffix: str = "") -> Probe:
    def probe(world: World, actor: str, owner: str) -> Optional[str]:
        batch = world.ids[owner]["batch"]
        status, answer = world.call(actor, method, f"/v1/messages/batches/{batch}{suffix}")
        if actor == owner and method == "POST" and suffix == "/cancel":  # an ended batch cannot be canceled
            return None if status in (200, 400) else f"own cancel: {status} {answer}"
        return expect(status, answer if isinstance(answer, dict) else {}, actor == owner)
    return probe


def _batch_list(world: World, actor: str, owner: str) -> Optional[str]:
    _, answer = world.call(actor, "GET", "/v1/messages/batches?limit=100")
    listed = {b["id"] for b in answer["data"]}
    return None if (world.ids[owner]["batch"] in listed) == (actor == owner) else f"batches listed {listed}"


def _session_create(world: World, actor: str, owner: str) -> Optional[str]:
    mine = world.ids[actor]
    status, answer = world.call(actor, "POST", "/v1/sessions", {
        "agent": mine["agent"], "environment_id": mine["env"],
        "resources": [{"type": "file", "file_id": world.ids[owner]["file"]}]})
    return expect(status, answer, actor == owner)


def _resource_add(world: World, actor: str, owner: str) -> Optional[str]:
    session = world.ids[actor]["session"]  # the actor's own session, the owner's file
    status, answer = world.call(actor, "POST", f"/v1/sessions/{session}/resources",
                                {"type": "file", "file_id": world.ids[owner]["file"],
                                 "mount_path": "/workspace/again.pdf"})
    return expect(status, answer, actor == owner)


def _session_op(method: str, suffix: str = "", body: Any = None, own: tuple[int, ...] = (200,)) -> Probe:
    def probe(world: World, actor: str, owner: str) -> Optional[str]:
        ids = world.ids[owner]
        path = f"/v1/sessions/{ids['session']}{suffix.format(resource=ids['resource'])}"
        status, answer = world.call(actor, method, path, body)
        if actor == owner:
            return None if status in own else f"own call failed: {status} {str(answer)[:200]}"
        if status == 404:
            return None
        return f"another workspace's session: {status} {str(answer)[:200]}"
    return probe


def _session_list(world: World, actor: str, owner: str) -> Optional[str]:
    _, answer = world.call(actor, "GET", "/v1/sessions?limit=100")
    listed = {s["id"] for s in answer["data"]}
    return None if (world.ids[owner]["session"] in listed) == (actor == owner) else f"sessions {listed}"


def _events_send(world: World, actor: str, owner: str) -> Optional[str]:
    # an event's document names the owner's file: another workspace's is a 404, as in Messages
    session = world.ids[actor]["session"]
    event = {"type": "user.message", "content": [doc(world.ids[owner]["file"])]}
    status, answer = world.call(actor, "POST", f"/v1/sessions/{session}/events", {"events": [event]})
    return expect(status, answer, actor == owner)


PROBES: dict[str, Probe] = {
    "retrieve_metadata": _file_op("GET"),
    "download": _file_op("GET", "/content"),
    "delete": _file_op("DELETE"),
    "list": _list_files,
    "messages": _messages("/v1/messages"),
    "count_tokens": _messages("/v1/messages/count_tokens"),
    "batches.create": _batch_create,
    "batches.list": _batch_list,
    "batches.retrieve": _batch_op("GET"),
    "batches.results": _batch_op("GET", "/results"),
    "batches.cancel": _batch_op("POST", "/cancel"),
    "batches.delete": _batch_op("DELETE"),
    "sessions.create": _session_create,
    "sessions.list": _session_list,
    "sessions.retrieve": _session_op("GET"),
    "sessions.update": _session_op("POST", "", {"title": "renamed"}),
    "sessions.archive": _session_op("POST", "/archive"),
    "sessions.delete": _session_op("DELETE"),
    "sessions.resources.add": _resource_add,
    "sessions.resources.list": _session_op("GET", "/resources"),
    "sessions.resources.retrieve": _session_op("GET", "/resources/{resource}"),
    "sessions.resources.update": _session_op("POST", "/resources/{resource}", {"authorization_token": "t"},
                                               own=(400,)),  # (a file resource has no token to rotate)
    "sessions.resources.delete": _session_op("DELETE", "/resources/{resource}"),
    "sessions.events.send": _events_send,
    "sessions.events.list": _session_op("GET", "/events"),
}
NO_FILE = {
    "upload": "makes a file in the actor's own workspace (checked by every probe's setup)",
    "sessions.events.stream": "the stream of the session's events: sessions.events.list shows the same",
    **{op: "agents and environments hold no file" for _, _, op in routes.SESSIONS_ROUTES
       if op.startswith(("agents.", "environments."))},
    **{op: "skills are uploaded as their own bundles, never from a file id"
       for _, _, op in routes.SKILLS_ROUTES},
}


def all_operations() -> set[str]:
    return {op for _, _, op in (*routes.ROUTES, *routes.MESSAGES_ROUTES, *routes.RESOURCE_ROUTES)}


def test_every_endpoint_is_walked() -> None:
    missing = sorted(all_operations() - set(PROBES) - set(NO_FILE))
    assert missing == [], f"endpoints without a workspace probe (add one, or a reason in NO_FILE): {missing}"
    assert sorted(set(PROBES) - all_operations()) == []


# mutating probes on the owner's own things run last, each on a fresh world
ORDER = sorted(PROBES)


@pytest.mark.parametrize("operation", ORDER)
def test_workspace_a_cannot_reach_workspace_bs_file(operation: str) -> None:
    world = build_world()
    probe = PROBES[operation]
    before = {m.id for m in world.fake.files.all()}
    assert probe(world, A, B) is None
    assert world.ids[B]["file"] in {m.id for m in world.fake.files.all()} and world.ids[B]["file"] in before
    assert probe(world, A, A) is None  # the same call on A's own things works: the probe is real
