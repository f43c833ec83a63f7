"""The official TypeScript SDK (``@anthropic-ai/sdk`` from npm) against the emulator.

Runs ``tests/node/workflow.mjs`` with the machine's ``node``: upload with ``toFile`` (with
and without a type: without one it is stored as octet-stream), an
auto-paginated list over several pages, metadata, the download error for an upload, a
download of a seeded downloadable file, delete, ``NotFoundError`` afterwards. The SDK is
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
    for name in ("package.json", "workflow.mjs"):
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


def run_workflow(project: Path, server: ServerHandle, surface: str, downloadable_id: str) -> Any:
    env = {
        **os.environ,
        "CLAUDE_FILES_BASE_URL": server.base_url,
        "CLAUDE_FILES_API_KEY": KEY,
        "CLAUDE_FILES_DOWNLOADABLE_ID": downloadable_id,
    }
    done = subprocess.run(
        [str(NODE), "workflow.mjs", surface], cwd=project, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"node workflow.mjs {surface} failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


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
