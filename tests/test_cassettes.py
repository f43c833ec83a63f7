# ruff: noqa: F811 - fixtures imported from _cleanup_support are arguments here
"""Record once against the "real" API (the emulator on loopback), replay offline.

The subprocess sessions record with ``--claude-files-backend=real`` and
``ANTHROPIC_BASE_URL`` at the emulator, then replay with ``--claude-files-backend=replay``
with the emulator stopped (or unreachable) and no key: the same answers, the same ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_claude_files.server._cli import main

from ._cleanup_support import (  # noqa: F401 - fixtures
    ENV_NAMES,
    Account,
    account,
    emulator,
    live_env,
)
from .conftest import NO_UNRELATED_PLUGINS

SUITE = r'''
import json, os
import anthropic
import pytest

MODEL = "claude-sonnet-4-5"
BETA = ["files-api-2025-04-14"]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def ask(file_id):
    return [{"role": "user", "content": [
        {"type": "text", "text": "What does the file say?"},
        {"type": "document", "source": {"type": "file", "file_id": file_id}},
    ]}]


def save(name, answers):
    with open(os.environ["ANSWERS"] + "-" + name + ".json", "w") as out:
        json.dump(answers, out, sort_keys=True, default=str)


def test_sync(claude_files_client):
    c = claude_files_client
    meta = c.beta.files.upload(file=("notes.txt", b"hello cassette", "text/plain"))
    listed = [f.id for f in c.beta.files.list().data]
    message = c.beta.messages.create(model=MODEL, max_tokens=64, messages=ask(meta.id), betas=BETA)
    counted = c.beta.messages.count_tokens(model=MODEL, messages=ask(meta.id), betas=BETA)
    with c.beta.messages.stream(model=MODEL, max_tokens=64, messages=ask(meta.id), betas=BETA) as stream:
        events = [event.type for event in stream]
        final = stream.get_final_message()
    EXTRA
    deleted = c.beta.files.delete(meta.id)
    with pytest.raises(anthropic.NotFoundError) as gone:
        c.beta.files.retrieve_metadata(meta.id)
    assert meta.id in listed and deleted.id == meta.id and events
    save("sync", {"meta": meta.to_dict(), "listed": listed, "message": message.to_dict(),
                  "counted": counted.to_dict(), "events": events, "final": final.to_dict(),
                  "deleted": deleted.to_dict(), "gone": gone.value.message})


@pytest.mark.anyio
async def test_async(claude_files_async_client):
    c = claude_files_async_client
    pdf = b"%PDF-1.4\n" + bytes(range(256))
    meta = await c.beta.files.upload(file=("report.pdf", pdf, "application/pdf"))
    listed = [f.id async for f in c.beta.files.list()]
    message = await c.beta.messages.create(model=MODEL, max_tokens=64, messages=ask(meta.id), betas=BETA)
    streamed = c.beta.messages.stream(model=MODEL, max_tokens=64, messages=ask(meta.id), betas=BETA)
    async with streamed as stream:
        events = [event.type async for event in stream]
        final = await stream.get_final_message()
    deleted = await c.beta.files.delete(meta.id)
    assert meta.id in listed and deleted.id == meta.id
    save("async", {"meta": meta.to_dict(), "listed": listed, "message": message.to_dict(),
                   "events": events, "final": final.to_dict(), "deleted": deleted.to_dict()})
'''

SWALLOWED = '''
    try:
        c.beta.files.retrieve_metadata("file_011CNotRecordedBeforeXYZ")
    except Exception:
        pass  # the code under test swallows the SDK's exception
'''


def _suite(extra: str = "    pass\n") -> str:
    return SUITE.replace("    EXTRA\n", extra)


def _replay_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    # a base URL nothing listens on: a request that leaked past the replay would fail to connect
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")


def _answers(root: Path, run: str, name: str) -> Any:
    return json.loads((root / f"{run}-{name}.json").read_text())


def _record(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("ANSWERS", str(pytester.path / "recorded"))
    return pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "--claude-files-record", *args, timeout=180)


def _replay(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    _replay_env(monkeypatch)
    monkeypatch.setenv("ANSWERS", str(pytester.path / "replayed"))
    return pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "--claude-files-backend=replay", *args,
                                         timeout=180)


def test_record_against_the_emulator_then_replay_offline(
    pytester: pytest.Pytester, live_env: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_flow=_suite())
    recorded = _record(pytester, monkeypatch)
    recorded.assert_outcomes(passed=2)
    assert "claude-files: uploaded 2, deleted 2, left 0" in recorded.stdout.str()
    assert not live_env.ids(), "the recording's uploads are cleaned up"
    cassettes = sorted((pytester.path / "cassettes" / "test_flow").glob("*.yaml"))
    assert [p.name for p in cassettes] == ["test_async.yaml", "test_sync.yaml"]
    for path in cassettes:
        text = path.read_text()
        assert live_env.key not in text and "TOPSECRET" not in text
        assert "x-api-key" not in text.lower() and "authorization" not in text.lower()
        cassette = json.loads(text)
        paths = [(i["request"]["method"], i["request"]["path"]) for i in cassette["interactions"]]
        assert ("POST", "/v1/files") in paths and ("POST", "/v1/messages") in paths
        upload = cassette["interactions"][0]["request"]["body"]["multipart"]
        file_part = next(p for p in upload if "filename" in p)
        assert len(file_part["sha256"]) == 64 and "boundary" not in json.dumps(upload)
        assert any("sse" in i["response"]["body"] for i in cassette["interactions"])

    # the fake answers as the "real API" recorded (the emulator is the fake over HTTP)
    assert main(["cassettes", "check", str(pytester.path / "cassettes")]) == 0

    live_env.handle.stop()  # the "real API" is gone: the replay has no server and no key
    replayed = _replay(pytester, monkeypatch)
    replayed.assert_outcomes(passed=2)
    for name in ("sync", "async"):
        assert _answers(pytester.path, "replayed", name) == _answers(pytester.path, "recorded", name)
    assert _answers(pytester.path, "replayed", "sync")["meta"]["id"].startswith("file_")

    # a request added after recording fails the replay, though the test swallowed the error
    pytester.makepyfile(test_flow=_suite(SWALLOWED))
    added = _replay(pytester, monkeypatch, "-k", "test_sync")
    added.assert_outcomes(passed=1, errors=1)
    added.stdout.fnmatch_lines([
        "*ERROR at teardown of test_sync*",
        "claude-files replay: 1 request(s) the cassette does not hold:",
        "  GET /v1/files/file_011CNotRecordedBeforeXYZ*: not in the cassette *test_sync.yaml; "
        "nearest recorded: GET /v1/files/file_*",
    ])


def test_replay_without_a_cassette_fails_with_the_command_to_record_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_x(claude_files_client):\n    claude_files_client.beta.files.list()\n")
    result = _replay(pytester, monkeypatch)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*claude-files replay: no cassette for this test at *cassettes*test_x.yaml*"
                                 "--claude-files-backend=real --claude-files-record*"])
