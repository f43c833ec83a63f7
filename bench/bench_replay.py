"""Benchmark: an SDK call replayed from a cassette vs the same call through the fake.

Both sides are the installed ``anthropic`` SDK on its own HTTP library (httpx2 for
anthropic >= 1.0, httpx before), with a transport of this package: the fake's
``FilesHandler`` on one side, the cassette ``Replayer`` on the other (what
``--claude-files-backend=replay`` gives the client fixtures). The call is
``beta.files.retrieve_metadata(id)``, and, as a second figure, ``beta.files.upload`` of a
small file (the replay matches a multipart body by its parts, hashing the bytes). The
cassette is recorded from the fake by the recording transport (what
``--claude-files-record`` wraps around a live client), one interaction per call (each
recorded answer plays once).

Rounds alternate the order (fake first, then replay first); the figure is the median of
per-round ratios (replay / fake, CPU time of the process: the machine is shared), with
its quartiles, and the ratio of the best rounds.

    python bench/bench_replay.py [--calls 300] [--rounds 12]

Run by hand (never a timed unit test); figures go to docs/benchmarks.md. Exit 1 when a
ratio is above the goal (1.3).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

GOAL = 1.3
KEY = "sk-ant-api03-bench-replay"
BASE = "https://api.anthropic.com"


Makers = tuple[Callable[[], Any], Callable[[], Any]]


def clients(calls: int, directory: Path) -> tuple[dict[str, Makers], str]:
    """For each operation, (a maker of fresh fake clients, a maker of fresh replay clients),
    and the id of the file the calls retrieve."""
    import anthropic

    from pytest_claude_files._core.service import FakeService
    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._live.cassette import Recording
    from pytest_claude_files._live.cleanup import Secret
    from pytest_claude_files._live.replay import Replayer, make_replay_client, recording_transport
    from pytest_claude_files._sdk.client import make_sdk_client, sdk_http_library
    from pytest_claude_files._sdk.transports import make_transport

    lib = sdk_http_library()
    service = FakeService()
    seeded = service.add_file("notes.txt", b"hello", mime_type="text/plain")
    path = directory / "bench.yaml"
    recording = Recording(path, "all", [Secret(KEY)])
    recorder = anthropic.Anthropic(api_key=KEY, base_url=BASE, http_client=lib.Client(
        transport=recording_transport(lib, make_transport(FilesHandler(service), lib), recording, BASE)))
    for _ in range(calls):
        recorder.beta.files.retrieve_metadata(seeded.id)
    for _ in range(calls):
        recorder.beta.files.upload(file=("a.txt", b"abc", "text/plain"))
    recording.save()

    def fake() -> Any:
        fresh = FakeService()
        fresh.add_file("notes.txt", b"hello", mime_type="text/plain", file_id=seeded.id)
        return make_sdk_client(FilesHandler(fresh), api_key=KEY)

    def replay() -> Any:
        return make_replay_client(Replayer(path), api_key=KEY)

    return {
        "retrieve_metadata": (fake, replay),
        "upload": (fake, replay),
    }, seeded.id


def run_round(make: Callable[[], Any], operation: str, file_id: str, calls: int) -> float:
    client = make()
    if operation == "retrieve_metadata":
        start = time.process_time()
        for _ in range(calls):
            client.beta.files.retrieve_metadata(file_id)
    else:
        start = time.process_time()
        for _ in range(calls):
            client.beta.files.upload(file=("a.txt", b"abc", "text/plain"))
    spent = time.process_time() - start
    client.close()
    return spent / calls


def quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 4:  # (a smoke run: too few rounds for quartiles; min, median, max)
        return min(values), statistics.median(values), max(values)
    q = statistics.quantiles(values, n=4)
    return q[0], statistics.median(values), q[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args(argv)
    import anthropic

    from pytest_claude_files._sdk.client import sdk_http_library

    print(f"python {platform.python_version()}, anthropic {anthropic.__version__} "
          f"({sdk_http_library().__name__}), {args.calls} calls x {args.rounds} rounds")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        table, file_id = clients(args.calls, Path(tmp))
        for operation, (fake, replay) in table.items():
            samples: dict[str, list[float]] = {"fake": [], "replay": []}
            run_round(fake, operation, file_id, min(args.calls, 20))  # warm up
            run_round(replay, operation, file_id, min(args.calls, 20))
            for index in range(args.rounds):
                order = [("fake", fake), ("replay", replay)]
                if index % 2:
                    order.reverse()
                for name, make in order:
                    samples[name].append(run_round(make, operation, file_id, args.calls))
            ratios = [r / f for r, f in zip(samples["replay"], samples["fake"], strict=True)]
            q1, med, q3 = quartiles(ratios)
            best = min(samples["replay"]) / min(samples["fake"])
            met = med <= GOAL
            failed |= not met
            print(f"{operation}: fake {statistics.median(samples['fake']) * 1e6:.1f} us, "
                  f"replay {statistics.median(samples['replay']) * 1e6:.1f} us a call (CPU); "
                  f"replay / fake {med:.2f}x (quartiles {q1:.2f}-{q3:.2f}, of minimums {best:.2f}x); "
                  f"goal <= {GOAL}x: {'met' if met else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
