"""Benchmark by instructions: what a request costs in machine instructions, which a busy
machine does not change (valgrind's ``cachegrind`` counts them; run by hand, Linux only).

Timed benchmarks on a shared 2-core machine move by 10 % from run to run; an instruction
count moves by well under 1 %. Each figure is the difference of two runs of the same
process, one with ``--calls N`` requests and one with none, divided by N (start-up cancels
out), with ``PYTHONHASHSEED=0`` so that both runs lay out their dicts alike. The ratios are
of the same kind as the timed ones in docs/benchmarks.md, against the same peers:

- ``create``: SDK ``messages.create`` with one PDF through the fake / through a transport
  answering the fake's own bytes, canned (``bench_messages.py``'s figure);
- ``transport``: the same call through the fake's transport whose handler answers canned
  bytes (what the transport alone adds);
- ``server``: a metadata GET through the emulator's ASGI app (``FilesASGIApp`` and
  ``FilesHandler``) and through the adapter with a canned handler, each above a minimal
  ASGI app, called in-process (``bench_server.py --in-process``'s figure).

Instructions are not time: code that misses the CPU's caches costs more per instruction
(in the server every layer costs three to four times its in-process time), so a ratio of
instructions is a floor under the timed ratio, not the same figure.

    python bench/bench_instructions.py                 # every figure
    python bench/bench_instructions.py --only server   # one
    python bench/bench_instructions.py --calls 500     # fewer calls (faster, coarser)
    python bench/bench_instructions.py --only server --variant emulator   # one variant and its floor

Each variant costs two runs under valgrind, mostly Python's start-up and imports at small
``--calls`` (about 8 s each for ``server``, 19 s for ``create`` on a 2-core EPYC);
``--variant`` measures only the named variants, plus the figure's floor that the ratios
are against. tests/test_bench_scripts.py runs ``--only server --variant minimal --calls 2``
(and each ``--child`` once, without valgrind).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
KEY = "sk-ant-bench"


# -- what each child process runs ------------------------------------------------------------
Call = tuple[Callable[[], Any], Callable[[], str]]
"""(one counted call, one more call that describes its answer: the child's last line)"""


def _messages_call(variant: str) -> Call:
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    import bench_messages as bm

    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._sdk.client import make_sdk_client

    fake, messages, body = bm.pdf_case()
    fake_client, canned_client = bm._pair(FilesHandler(fake), body)
    client = {"fake": fake_client, "canned": canned_client}.get(variant)
    if variant == "transport":
        canned = bm._request(FilesHandler(fake), body)
        client = make_sdk_client(lambda request: canned)

    def one() -> Any:
        fake.messages.reset()
        return client.messages.create(model=bm.MODEL, max_tokens=512, messages=messages,
                                      extra_headers=bm.FILES_BETA)

    def check() -> str:
        answer = one()
        return f"{type(answer).__name__}, {answer.usage.input_tokens} input tokens"
    return one, check


def _server_call(variant: str) -> Call:
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    import bench_server as bs

    from pytest_claude_files._http.handler import HTTPResponse
    from pytest_claude_files.server import make_app

    ours = make_app()
    meta = ours.tenants.get(KEY).files.add_file("report.pdf", b"%PDF-1.4 bench")
    path = f"/v1/files/{meta.id}"
    raw = [(b"host", b"127.0.0.1:1"), (b"x-api-key", KEY.encode()), (b"anthropic-version", b"2023-06-01"),
           (b"accept", b"application/json"), (b"user-agent", b"bench")]
    body = meta.to_api_json("ga")
    app: Any = ours
    if variant == "minimal":
        app = bs.minimal_app(body)
    elif variant == "adapter":
        app = make_app()
        canned = HTTPResponse(200, [("content-type", "application/json"), ("request-id", "req_x")], body)
        app.tenants.get(KEY).handler = lambda request: canned
    scope = bs.get_scope(path, raw)

    loop = asyncio.new_event_loop()
    statuses: list[int] = []

    async def seen(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    def check() -> str:  # (the last call: it closes the loop, not left to the interpreter's exit)
        loop.run_until_complete(app(dict(scope), bs.receive, seen))
        loop.close()
        return f"HTTP {statuses[-1]}"
    return lambda: loop.run_until_complete(app(dict(scope), bs.receive, bs.send)), check


FIGURES: dict[str, tuple[Callable[[str], Call], tuple[str, ...], str]] = {
    "create": (_messages_call, ("canned", "transport", "fake"), "canned"),
    "server": (_server_call, ("minimal", "adapter", "emulator"), "minimal"),
}


def child(figure: str, variant: str, calls: int) -> None:
    one, check = FIGURES[figure][0](variant)
    for _ in range(30):  # warm: imports done, caches of the fake filled
        one()
    for _ in range(calls):
        one()
    # One more call, whose answer the last line describes (a smoke check that the variant
    # still answers as it should): the same work in both counted runs, so it cancels out.
    print(f"{figure} {variant}: {check()}", flush=True)


# -- the parent: valgrind, twice per variant -------------------------------------------------
def instructions(figure: str, variant: str, calls: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, __file__, "--child", figure, variant, str(calls)],
        env=env, capture_output=True, text=True, check=True,
    ).stderr
    found = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{out[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_call(figure: str, variant: str, calls: int) -> float:
    return (instructions(figure, variant, calls) - instructions(figure, variant, 0)) / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(FIGURES))
    parser.add_argument("--calls", type=int, default=1000, help="calls per counted run (default 1000)")
    parser.add_argument("--variant", action="append", metavar="NAME",
                        choices=sorted({v for _, names, _ in FIGURES.values() for v in names}),
                        help="measure only this variant (repeatable; the figure's floor is always "
                        "measured, as the ratios are against it)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if shutil.which("valgrind") is None:
        print("bench_instructions: valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    import anthropic

    print(f"python {sys.version.split()[0]}, anthropic {anthropic.__version__}; "
          f"{args.calls} calls a run, instructions per call (valgrind cachegrind)")
    for figure in [args.only] if args.only else list(FIGURES):
        _, variants, floor = FIGURES[figure]
        if args.variant:
            variants = tuple(v for v in variants if v == floor or v in args.variant)
        counts = {variant: per_call(figure, variant, args.calls) for variant in variants}
        base = counts[floor]
        for variant, count in counts.items():
            extra = "" if variant == floor else f"  {count / base:.3f}x {floor}, +{count - base:,.0f}"
            print(f"  {figure:7s} {variant:10s} {count:12,.0f}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
