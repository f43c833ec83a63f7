"""Benchmark of Message Batches results, run by hand (never a timed unit test).

One figure, a ratio against a peer measured in the same run (the house pattern of
``bench_core.py``: the two variants interleaved round by round, order alternating, the
median of the per-round ratios with its quartiles, process CPU time by default):

``results``: the results of a 10,000-request batch read through the SDK
(``client.messages.batches.results(id)``: the SDK retrieves the batch, follows its
``results_url`` and decodes the JSONL into ``MessageBatchIndividualResponse`` models)
through the fake (our transport, ``FilesHandler``, ``FakeBatches``) vs the same call
through a transport of the same HTTP library that answers the fake's own bytes, canned
(the batch for the retrieve, the JSONL for the results). Goal <= 1.5x.

Usage::

    python bench/bench_batches.py                 # print the row
    python bench/bench_batches.py --json          # also write bench/results-batches-<sdk>.json
    python bench/bench_batches.py --quick         # a smoke run (3 rounds, 1,000 requests)
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
from bench_core import compare, machine, print_rows, sdk_client_with  # noqa: E402

from pytest_claude_files._core.service import FakeFiles  # noqa: E402
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse  # noqa: E402
from pytest_claude_files._sdk.client import FAKE_API_KEY, make_sdk_client, sdk_http_library  # noqa: E402

GOAL = 1.5
MODEL = "claude-fake-model"
REQUESTS = 10_000


def _get(handler: FilesHandler, path: str) -> HTTPResponse:
    headers = [("x-api-key", FAKE_API_KEY), ("anthropic-version", "2023-06-01"),
               ("host", "api.anthropic.com")]
    answer = handler(HTTPRequest.build("GET", path, "", headers, b""))
    assert answer.status == 200, answer.body
    return answer


def canned_pair_transport(lib: Any, batch: HTTPResponse, results: HTTPResponse) -> Any:
    """A transport that answers a results path with ``results``, anything else with ``batch``."""

    class CannedBatchTransport(lib.BaseTransport):  # type: ignore[misc]
        def handle_request(self, request: Any) -> Any:
            request.read()
            answer = results if request.url.path.endswith("/results") else batch
            return lib.Response(answer.status, headers=answer.headers, content=answer.body, request=request)

    return CannedBatchTransport()


def bench_results(rounds: int, count: int) -> list[dict[str, Any]]:
    fake = FakeFiles()
    pdf = fake.add_file("report.pdf", b"%PDF-1.7 " + b"x" * 400, mime_type="application/pdf")
    params = {"model": MODEL, "max_tokens": 256, "messages": [{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": pdf.id}},
        {"type": "text", "text": "Summarise this report in one sentence."}]}]}
    body = {"requests": [{"custom_id": f"report-{i}", "params": params} for i in range(count)]}
    batch = fake.batches.create(body, body_size=len(json.dumps(body)), api_version="2026-10-21")
    fake.batches.end()
    fake.messages.reset()  # (the record of the batch's requests is not part of the figure)
    handler = FilesHandler(fake)
    canned = canned_pair_transport(sdk_http_library(), _get(handler, f"/v1/messages/batches/{batch['id']}"),
                                   _get(handler, f"/v1/messages/batches/{batch['id']}/results"))
    fake_client, canned_client = make_sdk_client(handler), sdk_client_with(canned)

    def call(client: Any) -> Callable[[], Any]:
        def one() -> Any:
            return sum(1 for _ in client.messages.batches.results(batch["id"]))
        return one

    calls = {"fake": call(fake_client), "canned": call(canned_client)}
    assert calls["fake"]() == calls["canned"]() == count
    return [compare(f"messages.batches.results, {count:,} requests: fake / canned transport", calls,
                    "fake", "canned", rounds, GOAL)]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="interleaved rounds (default 11)")
    parser.add_argument("--requests", type=int, default=REQUESTS,
                        help=f"requests in the batch ({REQUESTS:,})")
    parser.add_argument("--clock", choices=list(bench_core.CLOCKS), default="cpu")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 rounds, 1,000 requests")
    parser.add_argument("--json", nargs="?", const="", default=None, metavar="PATH",
                        help="write the results as JSON (default: bench/results-batches-<sdk>.json)")
    args = parser.parse_args(argv)
    bench_core.CLOCK = bench_core.CLOCKS[args.clock]
    rounds, count = (3, 1_000) if args.quick else (args.rounds, args.requests)
    info = machine()
    info["clock"] = args.clock
    print("# bench_batches: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    results: dict[str, Any] = {"machine": info, "rounds": rounds, "results": bench_results(rounds, count)}
    print_rows("batch results through the SDK: fake vs canned transport", results["results"])
    failed = [r["label"] for r in results["results"] if not r["ok"]]
    print("\nall goals met" if not failed else "\nover goal: " + "; ".join(failed))
    if args.json is not None:
        path = Path(args.json) if args.json else HERE / f"results-batches-{info['anthropic']}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path}")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
