"""The official TypeScript SDK (``@anthropic-ai/sdk`` from npm) against the emulator.

Runs ``tests/node/workflow.mjs`` with the machine's ``node``: upload with ``toFile`` (with
and without a type: without one it is stored as octet-stream), an
auto-paginated list over several pages, metadata, the download error for an upload, a
download of a seeded downloadable file, delete, ``NotFoundError`` afterwards; and
``messages.mjs``: a file document in ``messages.create``, ``countTokens``, ``stream``,
``NotFoundError`` for a deleted file; and ``sessions.mjs``: a Managed Agents session mounting
an upload, its streamed turn, the session-scoped report listed and downloaded. The SDK is
installed with ``npm install`` into pytest's cache directory (git ignores it), once.
Skipped, with the reason, only where ``node`` or ``npm`` is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from pytest_claude_files.server import ServerHandle, start_server

pytestmark = pytest.mark.node

NODE_DIR = Path(__file__).parent / "node"
NODE = shutil.which("node")
NPM = shutil.which("npm")
KEY = "sk-ant-node-workflow"
SEEDED = 15  # with limit=7, the list spans three pages


@pytest.fixture(scope="module")
def node_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if NODE is None or NPM is None:
        pytest.skip("node and npm are needed for the TypeScript SDK check (not found on PATH)")
    cache = getattr(request.config, "cache", None)
    where = cache.mkdir("claude-files-node") if cache is not None else tmp_path_factory.mktemp("node")
    for name in ("package.json", "workflow.mjs", "messages.mjs", "sessions.mjs", "skills.mjs"):
        shutil.copy(NODE_DIR / name, where / name)
    if not (where / "node_modules" / "@anthropic-ai" / "sdk" / "package.json").exists():
        done = subprocess.run(
            [NPM, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=where, capture_output=True, text=True, timeout=300,
        )
        assert done.returncode == 0, f"npm install failed:\n{done.stderr}"
    return Path(where)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


def run_node(project: Path, server: ServerHandle, script: str, *args: str, **env_vars: str) -> Any:
    env = {**os.environ, "CLAUDE_FILES_BASE_URL": server.base_url, "CLAUDE_FILES_API_KEY": KEY, **env_vars}
    done = subprocess.run(
        [str(NODE), script, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"node {script} failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_workflow(project: Path, server: ServerHandle, surface: str, downloadable_id: str) -> Any:
    return run_node(project, server, "workflow.mjs", surface, CLAUDE_FILES_DOWNLOADABLE_ID=downloadable_id)


@pytest.mark.parametrize("surface", ["files", "beta.files"])
def test_typescript_sdk_full_workflow(node_project: Path, server: ServerHandle, surface: str) -> None:
    server.tenants.get(KEY).reset()  # files, counts and faults of this key
    fake = server.files(KEY)
    seeded = fake.add_files(SEEDED)
    report = fake.add_file("report.csv", b"a,b\n1,2\n", downloadable=True)

    seen = run_workflow(node_project, server, surface, report.id)

    uploaded = seen["uploaded"]
    assert uploaded["filename"] == "hello-node.txt"
    assert uploaded["mime_type"] == "text/plain"
    assert uploaded["size_bytes"] == len(b"hello from node\n")
    assert uploaded["downloadable"] is False
    # the auto-paginated list walked every page, newest first, no file twice
    expected = [uploaded["id"], report.id, *[m.id for m in reversed(seeded)]]
    assert seen["listed"] == expected
    assert seen["metadata"] == uploaded
    assert seen["downloadError"]["isBadRequest"] is True
    assert seen["downloadError"]["status"] == 400
    assert seen["downloadError"]["errorCode"] == "file_not_downloadable"
    assert seen["downloaded"] == "a,b\n1,2\n"
    assert seen["downloadedType"] == "text/csv"
    assert seen["deleted"] == {"id": uploaded["id"], "type": "file_deleted"}
    assert seen["afterDelete"]["isNotFound"] is True
    assert seen["afterDelete"]["status"] == 404
    assert uploaded["id"] not in fake
    # toFile(buf, "x.pdf") without a type is stored as sent: octet-stream, as by the real API
    assert seen["untyped"]["filename"] == "x.pdf"
    assert seen["untyped"]["mime_type"] == "application/octet-stream"
    assert server.tenants.get(KEY).request_counts()["list"] == 3


def test_typescript_sdk_messages_with_files(node_project: Path, server: ServerHandle) -> None:
    """create with a file document, countTokens, stream, and the error class of a deleted file."""
    server.tenants.get(KEY).reset()
    fake = server.files(KEY)
    pdf = fake.add_file("report.pdf", b"%PDF-1.4 node", mime_type="application/pdf")
    gone = fake.add_file("gone.pdf", b"%PDF")
    fake.delete(gone.id)
    fake.messages.reply("Created by the fake.")
    fake.messages.reply("Streamed by the fake.")

    seen = run_node(node_project, server, "messages.mjs",
                    CLAUDE_FILES_PDF_ID=pdf.id, CLAUDE_FILES_GONE_ID=gone.id)

    assert seen["created"]["text"] == "Created by the fake."
    assert seen["created"]["stopReason"] == "end_turn"
    assert seen["counted"] == seen["created"]["usage"]["input_tokens"]
    assert seen["counted"] == seen["stream"]["usage"]["input_tokens"]
    assert seen["stream"]["deltas"] == ["Streamed ", "by ", "the ", "fake."]
    assert seen["stream"]["final"] == "Streamed by the fake."
    raw = seen["stream"]["events"]
    events = [e for i, e in enumerate(raw) if i == 0 or raw[i - 1] != e]
    assert events == ["message_start", "content_block_start", "content_block_delta", "content_block_stop",
                      "message_delta", "message_stop"]
    error = seen["deletedError"]
    assert error["isNotFound"] is True and error["isBadRequest"] is False and error["status"] == 404
    assert error["type"] == "not_found_error"
    assert error["message"].startswith("File not found:")
    assert error["requestId"].startswith("req_01")
    assert [r.file_ids for r in fake.messages.requests] == [[pdf.id]] * 3 + [[gone.id]]


def test_typescript_sdk_managed_agents_session(node_project: Path, server: ServerHandle) -> None:
    """``sessions.mjs``: environment, agent, a mounted PDF, the streamed turn, the scoped report."""
    server.tenants.get(KEY).reset()
    server.control(KEY).session_reply("done", output_files={"report.md": b"# R"})

    seen = run_node(node_project, server, "sessions.mjs")

    session = seen["session"]
    assert session["status"] == "idle" and session["id"].startswith("sesn_")
    assert session["mounted"]["file_id"] != session["uploadId"]
    assert session["mounted"]["mount_path"] == f"/mnt/session/uploads/{session['uploadId']}"
    turn = ["user.message", "session.status_running", "span.model_request_start", "agent.tool_use",
            "span.model_request_end", "agent.tool_result", "span.model_request_start", "agent.message",
            "span.model_request_end", "session.status_idle"]
    assert seen["streamed"] == turn and seen["listed"] == turn
    assert seen["agentText"] == "done" and seen["statusAfter"] == "idle"
    by_name = {f["filename"]: f for f in seen["scoped"]}
    assert by_name["report.md"]["downloadable"] and not by_name["paper.pdf"]["downloadable"]
    assert by_name["report.md"]["scope"] == {"type": "session", "id": session["id"]}
    assert seen["report"] == "# R"
    assert seen["unknownAgent"] == {"notFound": True, "status": 404}
    assert seen["noHeader"] == {"badRequest": True, "status": 400}


def test_typescript_sdk_skills_flow(node_project: Path, server: ServerHandle) -> None:
    """``skills.mjs``: list Anthropic's skills, create one, use both in a container, download the xlsx."""
    server.tenants.get(KEY).reset()
    server.control(KEY).reply("Budget ready.", output_files={"budget.xlsx": b"PK fake xlsx"})

    seen = run_node(node_project, server, "skills.mjs")

    assert seen["anthropic"] == ["pptx", "xlsx", "docx", "pdf"]
    assert seen["skill"]["id"].startswith("skill_01") and seen["skill"]["displayName"] == "node-skill"
    assert seen["missingSkillMd"] == "SKILL.md file must be exactly in the top-level folder."
    assert seen["containerSkills"] == [
        {"type": "anthropic", "skill_id": "xlsx", "version": "20251013"},
        {"type": "custom", "skill_id": seen["skill"]["id"], "version": seen["skill"]["latest"]},
    ]
    assert seen["downloaded"] == {"filename": "budget.xlsx", "content": "PK fake xlsx"}
    assert seen["deleted"] == "skill_deleted"
