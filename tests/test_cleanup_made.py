# ruff: noqa: F811 - fixtures imported from _cleanup_support are arguments here
"""Cleanup of files the API made in reply to the session's requests (code execution's output).

The emulator on loopback stands in for the real API (``--claude-files-backend=real``);
its account is scripted in process to answer with output files, as code execution does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_claude_files._live.made import MadeFilesScanner, made_file_ids, makes_files

from ._cleanup_support import (  # noqa: F401 - fixtures
    Account,
    account,
    emulator,
    live_env,
)
from .conftest import NO_UNRELATED_PLUGINS

CODE_EXECUTION = """
TOOLS = [{"type": "code_execution_20250825", "name": "code_execution"}]

def ask(client, **kwargs):
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=64, tools=TOOLS,
                                  messages=[{"role": "user", "content": "make a chart"}], **kwargs)
"""

SESSION = CODE_EXECUTION + """
import asyncio

def test_uploads_and_asks_for_a_chart(claude_files_client):
    for i in range(4):
        claude_files_client.beta.files.upload(file=(f"in-{i}.txt", b"data", "text/plain"))
    message = ask(claude_files_client)
    assert message.container is not None

def test_streams_the_answer(claude_files_client):
    with claude_files_client.messages.stream(
            model="claude-sonnet-4-5", max_tokens=64, tools=TOOLS,
            messages=[{"role": "user", "content": "make a table"}]) as stream:
        final = stream.get_final_message()
    assert final.container is not None

def test_async_client_too(claude_files_async_client):
    async def main():
        return await claude_files_async_client.messages.create(
            model="claude-sonnet-4-5", max_tokens=64, tools=TOOLS,
            messages=[{"role": "user", "content": "make a csv"}])
    assert asyncio.run(main()).container is not None
"""


def made_ids(account: Account) -> set[str]:
    return {m.id for m in account.files.files if m.downloadable}


@pytest.mark.slow
def test_files_code_execution_made_are_deleted_and_counted(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    theirs = live_env.upload(3)
    messages = live_env.files.messages
    messages.reply("chart", output_files={"chart.png": (b"\x89PNG", "image/png")})
    messages.reply("table", output_files={"table.csv": (b"a,b\n", "text/csv")})
    messages.reply("csv", output_files={"out.csv": (b"c\n", "text/csv")})
    pytester.makepyfile(test_made=SESSION)

    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, timeout=120)

    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["claude-files: uploaded 4, made 3, deleted 7, left 0"])
    assert live_env.ids() == theirs  # the uploads and the made files are gone, theirs kept
    assert not made_ids(live_env)
    assert sum(live_env.delete_calls().values()) == 7
    assert not messages.pending_replies


KILLED = CODE_EXECUTION + """
import os, signal

def test_asks_then_dies(claude_files_client):
    ask(claude_files_client)
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_next_session_sweeps_what_a_killed_session_had_made(
    pytester: pytest.Pytester, live_env: Account
) -> None:
    theirs = live_env.upload(2)
    live_env.files.messages.reply(output_files={"a.png": (b"\x89PNG", "image/png"), "b.csv": b"x,y\n"})
    pytester.makepyfile(test_killed=KILLED)

    killed = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "test_killed.py", timeout=120)

    assert killed.ret == -9
    made = made_ids(live_env)
    assert len(made) == 2
    ledgers = list((pytester.path / ".claude-files-ledger").glob("*.jsonl"))
    assert len(ledgers) == 1
    lines = [json.loads(line) for line in ledgers[0].read_text().splitlines()]
    assert {r["id"] for r in lines if r["event"] == "upload" and r.get("made")} == made

    pytester.makepyfile(test_other="def test_nothing(): pass")
    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "test_other.py", timeout=120)

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["claude-files: swept 2 files left by earlier sessions: deleted 2, left 0"])
    assert live_env.ids() == theirs
    assert set(live_env.delete_calls()) == made


# -- the scanner, without a server ----------------------------------------------------------------

ANSWER: dict[str, Any] = {
    "type": "message",
    "content": [
        {"type": "text", "text": 'it said {"type": "x_output", "file_id": "file_fake"}'},
        {"type": "bash_code_execution_tool_result", "tool_use_id": "srvtoolu_1",
         "content": {"type": "bash_code_execution_result", "return_code": 0,
                     "content": [{"type": "bash_code_execution_output", "file_id": "file_A"},
                                 {"type": "bash_code_execution_output", "file_id": "file_B"}]}},
        {"type": "code_execution_tool_result", "tool_use_id": "srvtoolu_2",
         "content": {"type": "code_execution_result",
                     "content": [{"type": "code_execution_output", "file_id": "file_C"}]}},
    ],
}


def test_output_blocks_are_found_and_text_that_looks_like_one_is_not() -> None:
    assert made_file_ids(ANSWER) == ["file_A", "file_B", "file_C"]


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_json_answer_is_scanned_when_complete(chunk: int) -> None:
    found: list[str] = []
    scanner = MadeFilesScanner("application/json", found.append)
    body = json.dumps(ANSWER).encode()
    for at in range(0, len(body), chunk):
        scanner.feed(body[at:at + chunk])
    assert found == []  # not before the last byte
    scanner.close()
    assert found == ["file_A", "file_B", "file_C"]


@pytest.mark.parametrize("chunk", [1, 13, 10_000])
def test_event_stream_is_scanned_event_by_event(chunk: int) -> None:
    from pytest_claude_files._http.sse import render

    found: list[str] = []
    scanner = MadeFilesScanner("text/event-stream; charset=utf-8", found.append)
    message = {**ANSWER, "id": "msg_1", "role": "assistant", "model": "m", "stop_reason": "end_turn",
               "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}
    body = render(message)
    cut = body.index(b"file_C")  # halfway: the first tool result has arrived, the second not
    for at in range(0, cut, chunk):
        scanner.feed(body[at:min(at + chunk, cut)])
    assert found == ["file_A", "file_B"]
    for at in range(cut, len(body), chunk):
        scanner.feed(body[at:at + chunk])
    scanner.close()
    assert found == ["file_A", "file_B", "file_C"]


def test_only_messages_answers_are_watched() -> None:
    assert makes_files("POST", "/v1/messages")
    assert not makes_files("POST", "/v1/messages/count_tokens")
    assert not makes_files("GET", "/v1/messages")
    assert not makes_files("POST", "/v1/files")
