"""The Python SDK in another process, through ``base_url``: sync, async and aiohttp.

The workflow below runs in a subprocess with this interpreter and, if set, with every
interpreter listed in ``CLAUDE_FILES_SDK_PYTHONS`` (``os.pathsep``-separated, e.g. a
venv with ``anthropic==0.125.0``), so one run covers several SDK generations. The
aiohttp variant is skipped, with the reason, where that SDK/interpreter lacks it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from pytest_claude_files.server import ServerHandle, start_server

WORKFLOW = textwrap.dedent(
    '''
    import asyncio, json, sys
    import anthropic

    base_url, api_key, mode, downloadable_id = sys.argv[1:5]
    out = {"sdk": anthropic.__version__, "mode": mode}

    def surfaces(client):
        found = [("beta.files", client.beta.files)]
        if hasattr(client, "files"):
            found.append(("files", client.files))
        return found

    def describe(exc):
        body = getattr(exc, "body", None) or {}
        details = (body.get("error") or {}).get("details") or {}
        return {"class": type(exc).__name__, "status": getattr(exc, "status_code", None),
                "error_code": details.get("error_code")}

    async def maybe(value):
        return await value if asyncio.iscoroutine(value) else value

    async def workflow(client, name, files):
        seen = {}
        meta = await maybe(files.upload(file=(f"{name}.txt", b"from another process", "text/plain")))
        seen["upload"] = {"id": meta.id, "filename": meta.filename, "size": meta.size_bytes,
                          "downloadable": meta.downloadable}
        listed = []
        pager = files.list(limit=3)
        if hasattr(pager, "__aiter__"):
            async for item in pager:
                listed.append(item.id)
        else:
            for item in await maybe(pager):
                listed.append(item.id)
        seen["listed"] = listed
        seen["metadata_id"] = (await maybe(files.retrieve_metadata(meta.id))).id
        try:
            await maybe(files.download(meta.id))
            seen["download_error"] = None
        except anthropic.APIStatusError as exc:
            seen["download_error"] = describe(exc)
        response = await maybe(files.download(downloadable_id))
        seen["downloaded"] = (await maybe(response.read())).decode()
        seen["deleted"] = (await maybe(files.delete(meta.id))).id
        try:
            await maybe(files.retrieve_metadata(meta.id))
            seen["after_delete"] = None
        except anthropic.APIStatusError as exc:
            seen["after_delete"] = describe(exc)
        return seen

    async def main():
        if mode == "sync":
            client = anthropic.Anthropic(base_url=base_url, api_key=api_key, max_retries=0)
        else:
            kwargs = {}
            if mode == "aiohttp":
                try:
                    kwargs["http_client"] = anthropic.DefaultAioHttpClient()
                except (AttributeError, RuntimeError, ImportError) as exc:
                    out["unavailable"] = f"anthropic {anthropic.__version__}: {exc}"
                    return
            client = anthropic.AsyncAnthropic(base_url=base_url, api_key=api_key, max_retries=0, **kwargs)
        for name, files in surfaces(client):
            out[name] = await workflow(client, name.replace(".", "-"), files)
        await maybe(client.close())

    asyncio.run(main())
    print(json.dumps(out))
    '''
)

KEY_PREFIX = "sk-ant-subprocess"


def interpreters() -> list[str]:
    extra = [p for p in os.environ.get("CLAUDE_FILES_SDK_PYTHONS", "").split(os.pathsep) if p]
    return [sys.executable, *extra]


def _id(path: str) -> str:
    return "this-python" if path == sys.executable else Path(path).parent.parent.name or path


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


@pytest.mark.parametrize("mode", ["sync", "async", "aiohttp"])
@pytest.mark.parametrize("python", interpreters(), ids=_id)
def test_sdk_in_another_process(server: ServerHandle, tmp_path: Path, python: str, mode: str) -> None:
    key = f"{KEY_PREFIX}-{mode}-{abs(hash(python)) % 10_000}"
    server.tenants.get(key).reset()
    fake = server.files(key)
    seeded = fake.add_files(4)
    report = fake.add_file("report.csv", b"a,b\n", downloadable=True)
    script = tmp_path / "workflow.py"
    script.write_text(WORKFLOW)
    done = subprocess.run(
        [python, str(script), server.base_url, key, mode, report.id],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out: Any = json.loads(done.stdout.strip().splitlines()[-1])
    if "unavailable" in out:
        pytest.skip(f"aiohttp client not offered here: {out['unavailable']}")

    surfaces = [name for name in ("beta.files", "files") if name in out]
    assert surfaces[0] == "beta.files"
    for name in surfaces:
        seen = out[name]
        uploaded = seen["upload"]
        assert uploaded["size"] == len(b"from another process") and uploaded["downloadable"] is False
        assert seen["listed"][0] == uploaded["id"]
        assert set(seen["listed"]) >= {report.id, *(m.id for m in seeded)}
        assert len(seen["listed"]) == len(set(seen["listed"]))  # auto-pagination, no repeats
        assert seen["metadata_id"] == uploaded["id"]
        assert seen["download_error"]["status"] == 400
        assert seen["download_error"]["error_code"] == "file_not_downloadable"
        assert seen["downloaded"] == "a,b\n"
        assert seen["deleted"] == uploaded["id"]
        assert seen["after_delete"]["class"].endswith("NotFoundError")
        assert uploaded["id"] not in fake
    counts = server.tenants.get(key).request_counts()
    assert counts["upload"] == len(surfaces) and counts["delete"] == len(surfaces)
