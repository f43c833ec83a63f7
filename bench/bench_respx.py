"""An SDK call through ``claude_files_respx`` vs the same call through a plain respx route.

Both sides make the same ``client.beta.files.retrieve_metadata(file_id)`` call with the
installed ``anthropic`` (httpx or httpx2). The peer is a plain ``respx`` route returning a
canned ``httpx.Response`` (on httpx2 through this plugin's httpx2 mocker, as respx alone
does not see httpx2). Rounds alternate A/B so both sides share the machine's noise; the
figures are the ratios of the medians and of the best rounds (the best round is the least
disturbed by other load on the machine). Goal: <= 1.2x.

    python bench/bench_respx.py [--calls 300] [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any, Callable

import anthropic
import httpx
import respx

from pytest_claude_files import FakeFiles, FilesHandler
from pytest_claude_files._respx.httpx2 import HTTPX2Mocker
from pytest_claude_files._respx.router import ClaudeFilesRouter
from pytest_claude_files._sdk.client import sdk_http_library, sdk_version
from pytest_claude_files.models import BETA_HEADER_VALUE

BASE = "https://api.anthropic.com"


def timed(fn: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per round and side")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    lib = sdk_http_library()
    client = anthropic.Anthropic(api_key="sk-ant-bench", max_retries=0)

    # A: claude_files_respx's router, backed by the fake
    fake = FakeFiles()
    meta = fake.add_file("bench.txt", b"x" * 64)
    router = ClaudeFilesRouter(FilesHandler(fake))

    # B: a plain respx route with the same answer, canned
    dialect = "beta" if sdk_version() < (1, 2) else "ga"  # type: ignore[operator]
    canned = httpx.Response(
        200, json=meta.to_api(dialect), headers={"request-id": "req_011CQFYcrRp7mCHLDsAYT8Qt"}
    )
    using = "httpx2" if lib.__name__ == "httpx2" else "httpcore"
    plain = respx.mock(using=using, base_url=BASE, assert_all_called=False)
    plain.get(f"/v1/files/{meta.id}").mock(return_value=canned)

    def call() -> Any:
        return client.beta.files.retrieve_metadata(meta.id)

    with router:
        assert call().id == meta.id
    with plain:
        assert call().id == meta.id

    fake_times, plain_times = [], []
    for _ in range(args.rounds):
        with router:
            fake_times.append(timed(call, args.calls))
        with plain:
            plain_times.append(timed(call, args.calls))

    a, b = statistics.median(fake_times), statistics.median(plain_times)
    best_a, best_b = min(fake_times), min(plain_times)
    print(
        f"anthropic {'.'.join(map(str, sdk_version() or ()))} on {lib.__name__}, "
        f"Python {sys.version.split()[0]}, {args.rounds} rounds x {args.calls} calls "
        f"(beta header {BETA_HEADER_VALUE if dialect == 'beta' else 'not sent'})"
    )
    print("                              median      best")
    print(f"claude_files_respx (fake)  : {a * 1e6:7.1f}   {best_a * 1e6:7.1f} us/call")
    print(f"plain respx route (canned) : {b * 1e6:7.1f}   {best_b * 1e6:7.1f} us/call")
    print(f"ratio                      : {a / b:7.3f}x  {best_a / best_b:7.3f}x  (goal <= 1.2x)")
    assert HTTPX2Mocker.name == "httpx2"


if __name__ == "__main__":
    main()
