"""Benchmarks of the Messages side of the fake, run by hand (never a timed unit test).

Two figures, each a ratio against a peer measured in the same run (the house pattern of
``bench_core.py``: variants interleaved round by round, order alternating, the median of
the per-round ratios with its quartiles, process CPU time by default):

1. ``create``: an SDK ``messages.create`` that references one PDF through the fake (our
   transport, ``FilesHandler``, ``FakeMessages``: the reference resolved, tokens counted,
   the reply built and recorded) vs the same call through a transport of the same HTTP
   library that returns the fake's own answer, canned. Goal <= 1.25x.
2. ``stream``: ``with client.messages.stream(...)`` of a scripted 200-word reply through
   the fake vs the same stream from a canned SSE body (the fake's own bytes). Goal <= 1.3x.

Usage::

    python bench/bench_messages.py                # both, print a table
    python bench/bench_messages.py --json         # also write bench/results-messages-<sdk>.json
    python bench/bench_messages.py --quick        # a smoke run (5 rounds)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
for where in (str(HERE.parent), str(HERE)):
    if where not in sys.path:  # run from a checkout without installing
        sys.path.insert(0, where)

import bench_core  # noqa: E402
from bench_core import canned_transport_class, compare, machine, print_rows, sdk_client_with  # noqa: E402

from pytest_claude_files._core.service import FakeFiles  # noqa: E402
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest  # noqa: E402
from pytest_claude_files._sdk.client import FAKE_API_KEY, make_sdk_client, sdk_http_library  # noqa: E402

GOALS = {"create": 1.25, "stream": 1.3}
MODEL = "claude-fake-model"
WORDS = 200
FILES_BETA = {"anthropic-beta": "files-api-2025-04-14"}  # (SDKs before 2.0 need it for file sources)


def _request(handler: FilesHandler, body: dict[str, Any]) -> Any:
    headers = [("x-api-key", FAKE_API_KEY), ("content-type", "application/json"),
               ("anthropic-version", "2023-06-01"), *FILES_BETA.items()]
    return handler(HTTPRequest.build("POST", "/v1/messages", "", headers, json.dumps(body).encode()))


def _pair(handler: FilesHandler, body: dict[str, Any]) -> tuple[Any, Any]:
    """An SDK client over the fake and one over a transport answering the fake's own answer."""
    lib = sdk_http_library()
    canned = _request(handler, body)
    assert canned.status == 200, canned.body
    return make_sdk_client(handler), sdk_client_with(canned_transport_class(lib, canned)())


def pdf_case() -> tuple[FakeFiles, list[dict[str, Any]], dict[str, Any]]:
    """The ``create`` figure's request: a fake holding a 4 KB PDF, the messages that
    reference it, the whole body (bench_instructions.py measures the same request)."""
    fake = FakeFiles()
    fake.messages.assert_all_scripted_used = False
    pdf = fake.add_file("report.pdf", b"%PDF-1.7 " + b"x" * 4000)
    messages = [{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": pdf.id}},
        {"type": "text", "text": "Summarise this report in three bullet points."}]}]
    return fake, messages, {"model": MODEL, "max_tokens": 512, "messages": messages}


def bench_create(rounds: int) -> list[dict[str, Any]]:
    fake, messages, body = pdf_case()
    fake_client, canned_client = _pair(FilesHandler(fake), body)

    def call(client: Any) -> Callable[[], Any]:
        def one() -> Any:
            fake.messages.reset()  # (the record of requests would grow over the run)
            return client.messages.create(model=MODEL, max_tokens=512, messages=messages,
                                          extra_headers=FILES_BETA)
        return one

    calls = {"fake": call(fake_client), "canned": call(canned_client)}
    assert calls["fake"]().usage.input_tokens == calls["canned"]().usage.input_tokens
    return [compare("messages.create, one PDF document: fake / canned transport", calls, "fake",
                    "canned", rounds, GOALS["create"])]


def bench_stream(rounds: int) -> list[dict[str, Any]]:
    fake = FakeFiles()
    text = " ".join(f"word{i}" for i in range(WORDS))
    fake.messages.respond_with(lambda request: text)
    messages = [{"role": "user", "content": "Tell me a story."}]
    body = {"model": MODEL, "max_tokens": 4096, "messages": messages, "stream": True}
    fake_client, canned_client = _pair(FilesHandler(fake), body)

    def call(client: Any) -> Callable[[], Any]:
        def one() -> Any:
            fake.messages.reset()
            fake.messages.respond_with(lambda request: text)
            with client.messages.stream(model=MODEL, max_tokens=4096, messages=messages) as stream:
                for _ in stream:
                    pass
                return stream.get_final_message()
        return one

    calls = {"fake": call(fake_client), "canned": call(canned_client)}
    assert calls["fake"]().content[0].text == calls["canned"]().content[0].text == text
    return [compare(f"messages.stream, a {WORDS}-word reply: fake / canned SSE body", calls, "fake",
                    "canned", rounds, GOALS["stream"])]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["create", "stream"], action="append")
    parser.add_argument("--rounds", type=int, default=101, help="interleaved rounds (default 101)")
    parser.add_argument("--clock", choices=list(bench_core.CLOCKS), default="cpu")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 rounds")
    parser.add_argument("--json", nargs="?", const="", default=None, metavar="PATH",
                        help="write the results as JSON (default: bench/results-messages-<sdk>.json)")
    args = parser.parse_args(argv)
    bench_core.CLOCK = bench_core.CLOCKS[args.clock]
    rounds = 5 if args.quick else args.rounds
    which = args.only or ["create", "stream"]
    info = machine()
    info["clock"] = args.clock
    print("# bench_messages: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    results: dict[str, Any] = {"machine": info, "rounds": rounds}
    if "create" in which:
        results["create"] = bench_create(rounds)
        print_rows("messages.create through the SDK: fake vs canned transport", results["create"])
    if "stream" in which:
        results["stream"] = bench_stream(rounds)
        print_rows("a streamed reply through the SDK: fake vs canned SSE", results["stream"])
    failed = [r["label"] for rows in results.values() if isinstance(rows, list) for r in rows if not r["ok"]]
    print("\nall goals met" if not failed else "\nover goal: " + "; ".join(failed))
    if args.json is not None:
        path = Path(args.json) if args.json else HERE / f"results-messages-{info['anthropic']}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path}")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
