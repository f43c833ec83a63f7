"""Benchmarks of the core fake, run by hand (never a timed unit test).

Three figures, each a ratio against a peer measured in the same run:

1. ``retrieve``: an SDK ``retrieve_metadata`` through the fake (our transport and
   ``FilesHandler``) vs the same SDK call through a transport of the same HTTP library
   that returns a canned response. Goal <= 1.25x.
2. ``page``: one 10-item page from the middle of the list at 100,000 files vs at 1,000
   files, beta and GA dialects, through the handler and through the SDK. Goal <= 2x.
3. ``memory``: peak memory of a 256 MiB upload through the SDK into the fake, in a fresh
   subprocess (tracemalloc and the RSS high-water mark), in copies of the content.
   Goal: at most one extra copy.

The machine is noisy, so the variants are interleaved round by round (the order
alternates) and each figure is the median of many rounds; a ratio is the median of the
per-round ratios, with its quartiles.

Usage::

    python bench/bench_core.py                 # all three, print a table
    python bench/bench_core.py --json          # also write bench/results-core-<sdk>.json
    python bench/bench_core.py --only page --rounds 41
    python bench/bench_core.py --quick         # a smoke run (few rounds, 32 MiB upload)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from pytest_claude_files._core.files import encode_page_token  # noqa: E402
from pytest_claude_files._core.service import FakeFiles  # noqa: E402
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse  # noqa: E402
from pytest_claude_files._sdk.client import (  # noqa: E402
    FAKE_API_KEY,
    FAKE_BASE_URL,
    make_sdk_client,
    sdk_http_library,
)
from pytest_claude_files._sdk.transports import make_transport  # noqa: E402
from pytest_claude_files.models import BETA_HEADER_VALUE  # noqa: E402

MIB = 1024 * 1024
GOALS = {"retrieve": 1.25, "page": 2.0, "memory": 1.0}
SMALL, LARGE = 1_000, 100_000
PAGE_LIMIT = 10
VERSION = ("anthropic-version", "2023-06-01")  # (the fake requires it, as the API does)
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
CLOCK = CLOCKS["cpu"]
"""The process's CPU time by default: on a shared machine, time spent preempted by other
processes is not ours (``--clock wall`` measures elapsed time instead)."""


# -- helpers --------------------------------------------------------------------------
def sdk_version() -> str:
    return metadata.version("anthropic")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lib = sdk_http_library()
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "anthropic": sdk_version(),
        "http_library": f"{lib.__name__} {metadata.version(lib.__name__)}",
        "pydantic": metadata.version("pydantic"),
    }


def quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 4:
        mid = statistics.median(values)
        return min(values), mid, max(values)
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def time_batch(call: Callable[[], Any], n: int) -> float:
    """Seconds per call over a batch of ``n`` calls."""
    start = CLOCK()
    for _ in range(n):
        call()
    return (CLOCK() - start) / n


def calibrate(call: Callable[[], Any], target: float = 0.02) -> int:
    """A batch size that takes about ``target`` seconds."""
    call()
    n = 1
    while True:
        elapsed = time_batch(call, n) * n
        if elapsed >= target / 4 or n >= 1 << 16:
            return max(1, int(n * target / max(elapsed, 1e-9)))
        n *= 4


def interleaved(
    variants: dict[str, Callable[[], Any]], rounds: int, target: float = 0.003
) -> dict[str, list[float]]:
    """Per-call seconds of each variant, one batch of each per round, order alternating."""
    sizes = {name: calibrate(call, target) for name, call in variants.items()}
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    # One collection before, none between rounds: the batch right after a gc.collect()
    # runs up to 2x slower (the freed arenas come back as page faults), which would
    # favour whichever variant does not follow it.
    gc.collect()
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            samples[name].append(time_batch(variants[name], sizes[name]))
    return samples


def ratio_row(label: str, samples: dict[str, list[float]], num: str, den: str, goal: float) -> dict[str, Any]:
    per_round = [a / b for a, b in zip(samples[num], samples[den], strict=True)]
    q1, med, q3 = quartiles(per_round)
    return {
        "label": label,
        "numerator": num,
        "denominator": den,
        "numerator_us": statistics.median(samples[num]) * 1e6,
        "denominator_us": statistics.median(samples[den]) * 1e6,
        "ratio": med,
        "ratio_q1": q1,
        "ratio_q3": q3,
        # best of the rounds on each side: the figure least disturbed by other processes
        "ratio_of_minimums": min(samples[num]) / min(samples[den]),
        "rounds": len(per_round),
        "goal": goal,
        "ok": med <= goal,
    }


def compare(
    label: str,
    calls: dict[str, Callable[[], Any]],
    num: str,
    den: str,
    rounds: int,
    goal: float,
) -> dict[str, Any]:
    """Interleave exactly two variants (ABBA order), so each follows itself as often as
    it follows the other: with more, the warm caches of a repeated variant favour some."""
    samples = interleaved({num: calls[num], den: calls[den]}, rounds)
    return ratio_row(label, samples, num, den, goal)


# -- 1. retrieve_metadata: fake vs canned transport -----------------------------------
def canned_transport_class(lib: Any, response: HTTPResponse) -> type:
    """A transport of the SDK's HTTP library that answers every request with ``response``."""

    class CannedTransport(lib.AsyncBaseTransport, lib.BaseTransport):  # type: ignore[misc]
        def handle_request(self, request: Any) -> Any:
            request.read()
            return lib.Response(
                response.status, headers=response.headers, content=response.body, request=request
            )

        async def handle_async_request(self, request: Any) -> Any:
            await request.aread()
            return lib.Response(
                response.status, headers=response.headers, content=response.body, request=request
            )

    return CannedTransport


def sdk_client_with(transport: Any, *, is_async: bool = False) -> Any:
    """An SDK client built exactly as ``make_sdk_client`` builds one, over ``transport``."""
    import anthropic

    lib = sdk_http_library()
    http_client = (lib.AsyncClient if is_async else lib.Client)(transport=transport)
    cls = anthropic.AsyncAnthropic if is_async else anthropic.Anthropic
    return cls(api_key=FAKE_API_KEY, base_url=FAKE_BASE_URL, http_client=http_client)


def bench_retrieve(rounds: int) -> list[dict[str, Any]]:
    lib = sdk_http_library()
    fake = FakeFiles()
    fake.add_files(SMALL)
    handler = FilesHandler(fake)
    file_id = fake.files[SMALL // 2].id
    # The canned answer is the fake's own answer to the same request, so both clients
    # parse the same bytes and headers.
    headers = [("x-api-key", FAKE_API_KEY), VERSION]
    canned = handler(HTTPRequest.build("GET", f"/v1/files/{file_id}", "", headers, b""))
    assert canned.status == 200, canned.body
    canned_cls = canned_transport_class(lib, canned)

    fake_sync = make_sdk_client(handler)
    canned_sync = sdk_client_with(canned_cls())
    # Our transport over a handler that answers the canned response at once: the cost of
    # the adapter alone (request and response conversion), without the fake's work.
    stub_sync = sdk_client_with(make_transport(lambda request: canned, lib))
    fake_async = make_sdk_client(handler, is_async=True)
    canned_async = sdk_client_with(canned_cls(), is_async=True)
    loop = asyncio.new_event_loop()

    def async_call(client: Any) -> Callable[[], Any]:
        retrieve = client.beta.files.retrieve_metadata

        async def many(n: int) -> None:
            for _ in range(n):
                await retrieve(file_id)

        def one() -> Any:
            return loop.run_until_complete(many(20))

        return one

    assert fake_sync.beta.files.retrieve_metadata(file_id).id == file_id
    assert canned_sync.beta.files.retrieve_metadata(file_id).id == file_id
    sync = {
        "fake sync": lambda: fake_sync.beta.files.retrieve_metadata(file_id),
        "canned sync": lambda: canned_sync.beta.files.retrieve_metadata(file_id),
        "adapter sync": lambda: stub_sync.beta.files.retrieve_metadata(file_id),
    }
    goal = GOALS["retrieve"]
    try:
        return [
            compare(
                "SDK retrieve_metadata, sync: fake / canned", sync, "fake sync", "canned sync", rounds, goal
            ),
            compare(
                "  of which the adapter alone (our transport, stub handler) / canned",
                sync,
                "adapter sync",
                "canned sync",
                rounds,
                goal,
            ),
            compare(
                "SDK retrieve_metadata, async (20 calls a batch): fake / canned",
                {"fake async": async_call(fake_async), "canned async": async_call(canned_async)},
                "fake async",
                "canned async",
                rounds,
                goal,
            ),
        ]
    finally:
        loop.run_until_complete(fake_async.close())
        loop.run_until_complete(canned_async.close())
        loop.close()


# -- 2. one page from the middle: 100,000 files vs 1,000 ------------------------------
def seeded(n: int) -> FakeFiles:
    fake = FakeFiles()
    fake.add_files(n)
    return fake


def bench_page(rounds: int) -> list[dict[str, Any]]:
    major = int(sdk_version().split(".")[0])
    minor = int(sdk_version().split(".")[1])
    sdk_speaks_beta = (major, minor) < (1, 2)
    fakes = {SMALL: seeded(SMALL), LARGE: seeded(LARGE)}
    variants: dict[str, Callable[[], Any]] = {}
    for n, fake in fakes.items():
        handler = FilesHandler(fake)
        middle = fake.files[n // 2].id
        token = encode_page_token(middle)
        beta_req = HTTPRequest.build(
            "GET",
            "/v1/files",
            f"limit={PAGE_LIMIT}&after_id={middle}",
            [("x-api-key", FAKE_API_KEY), VERSION, ("anthropic-beta", BETA_HEADER_VALUE)],
            b"",
        )
        ga_req = HTTPRequest.build(
            "GET", "/v1/files", f"limit={PAGE_LIMIT}&page={token}", [("x-api-key", FAKE_API_KEY), VERSION],
            b"",
        )
        for req in (beta_req, ga_req):  # the page really is a full page from the middle
            answer = handler(req).json()
            assert answer["data"][0]["id"] < middle and len(answer["data"]) == PAGE_LIMIT, answer
        client = make_sdk_client(handler, max_retries=0)
        variants[f"handler beta {n}"] = functools.partial(handler, beta_req)
        variants[f"handler ga {n}"] = functools.partial(handler, ga_req)
        if sdk_speaks_beta:
            variants[f"sdk beta {n}"] = functools.partial(
                client.beta.files.list, limit=PAGE_LIMIT, after_id=middle
            )
        else:  # SDK >= 1.2 sends neither the beta header nor after_id: add them by hand
            variants[f"sdk beta {n}"] = functools.partial(
                client.beta.files.list,
                limit=PAGE_LIMIT,
                extra_headers={"anthropic-beta": BETA_HEADER_VALUE},
                extra_query={"after_id": middle},
            )
        beta_page = variants[f"sdk beta {n}"]()
        assert len(beta_page.data) == PAGE_LIMIT and beta_page.data[0].id < middle
        page = client.files.list(limit=PAGE_LIMIT, page=token)
        assert len(page.data) == PAGE_LIMIT and page.data[0].id < middle
        variants[f"sdk ga {n}"] = functools.partial(client.files.list, limit=PAGE_LIMIT, page=token)
    goal = GOALS["page"]
    rows = []
    for path in ("handler", "sdk"):
        for dialect in ("beta", "ga"):
            num, den = f"{path} {dialect} {LARGE}", f"{path} {dialect} {SMALL}"
            if num in variants:
                label = f"{PAGE_LIMIT}-item page from the middle, {path}, {dialect}: {LARGE:,} / {SMALL:,}"
                rows.append(compare(label, variants, num, den, rounds, goal))
    if not sdk_speaks_beta:
        rows.append(
            {
                "label": f"(sdk beta: anthropic {sdk_version()} speaks only the GA dialect; the beta "
                "header and after_id were added with extra_headers/extra_query)",
                "skipped": True,
            }
        )
    return rows


# -- 3. peak memory of a large upload -------------------------------------------------
MEMORY_MODES = {
    "fake": "our transport + FilesHandler + FakeFiles (stores the file)",
    "read": "peer: a transport that reads the body (request.read()) and answers a canned response",
    "stream": "peer: a transport that iterates the body chunks without keeping them (SDK floor)",
}


def _vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def memory_child(mode: str, metric: str, size: int) -> dict[str, Any]:
    """Runs in a fresh interpreter: upload ``size`` bytes once, report the extra peak."""
    import tracemalloc

    lib = sdk_http_library()
    fake = FakeFiles()
    handler = FilesHandler(fake)
    if mode == "fake":
        client = make_sdk_client(handler)
    else:
        canned = handler(
            HTTPRequest.build(
                "POST",
                "/v1/files",
                "",
                [("x-api-key", FAKE_API_KEY), VERSION, ("content-type", "multipart/form-data; boundary=b")],
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="c.bin"\r\n'
                b"Content-Type: application/octet-stream\r\n\r\nxyz\r\n--b--\r\n",
            )
        )
        assert canned.status == 200, canned.body

        class Peer(lib.BaseTransport):  # type: ignore[misc,name-defined]
            def handle_request(self, request: Any) -> Any:
                if mode == "read":
                    request.read()
                else:
                    for _chunk in request.stream:
                        pass
                return lib.Response(200, headers=canned.headers, content=canned.body, request=request)

        client = sdk_client_with(Peer())
    files = client.beta.files
    # Warm up every code path (lazy imports, caches) with a small upload first.
    files.upload(file=("warm.bin", b"w" * 4096, "application/octet-stream"))
    content = bytes(range(256)) * (size // 256)
    fake.reset()
    gc.collect()
    if metric == "tracemalloc":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        try:  # reset the RSS high-water mark (Linux >= 4.0)
            Path("/proc/self/clear_refs").write_text("5")
            reset = True
        except OSError:
            reset = False
        before = _vm_kib("VmRSS") * 1024 if reset else _vm_kib("VmHWM") * 1024
    meta = files.upload(file=("big.bin", content, "application/octet-stream"))
    if metric == "tracemalloc":
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    else:
        peak = _vm_kib("VmHWM") * 1024
        current = _vm_kib("VmRSS") * 1024
    if mode == "fake":
        assert meta.size_bytes == size and fake.get(meta.id).size_bytes == size
    return {
        "mode": mode,
        "metric": metric,
        "size": size,
        "peak_extra_bytes": peak - before,
        "retained_bytes": current - before,
        "peak_extra_copies": (peak - before) / size,
        "retained_copies": (current - before) / size,
    }


def bench_memory(size: int) -> list[dict[str, Any]]:
    rows = []
    for metric in ("tracemalloc", "rss"):
        for mode in MEMORY_MODES:
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--memory-child", mode, metric, str(size)],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                raise RuntimeError(f"memory child {mode}/{metric} failed:\n{out.stderr}")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["label"] = f"{size // MIB} MiB upload, {metric}, {mode}: {MEMORY_MODES[mode]}"
            if mode == "fake":
                result["goal"] = GOALS["memory"]
                # The fake keeps the file: that is the one copy allowed.
                result["ok"] = result["peak_extra_copies"] <= GOALS["memory"] + 0.05
            rows.append(result)
    return rows


# -- output ---------------------------------------------------------------------------
def print_rows(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n## {title}")
    for row in rows:
        if row.get("skipped"):
            print(f"  {row['label']}")
        elif "ratio" in row:
            verdict = "ok" if row["ok"] else "OVER GOAL"
            print(f"  {row['label']}")
            print(
                f"      {row['numerator_us']:9.1f} us / {row['denominator_us']:9.1f} us"
                f"  ratio {row['ratio']:.3f}  (IQR {row['ratio_q1']:.3f}-{row['ratio_q3']:.3f},"
                f" {row['rounds']} rounds; of minimums {row['ratio_of_minimums']:.3f})"
                f"  goal <= {row['goal']}: {verdict}"
            )
        else:
            verdict = (
                ""
                if "ok" not in row
                else (f"  goal <= {row['goal']} extra copy: {'ok' if row['ok'] else 'OVER GOAL'}")
            )
            print(f"  {row['label']}")
            print(
                f"      peak extra {row['peak_extra_copies']:.3f} copies"
                f" ({row['peak_extra_bytes'] / MIB:.1f} MiB), retained {row['retained_copies']:.3f}{verdict}"
            )


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["retrieve", "page", "memory"], action="append")
    parser.add_argument("--rounds", type=int, default=101, help="interleaved rounds (default 101)")
    parser.add_argument("--size-mib", type=int, default=256, help="upload size for --only memory")
    parser.add_argument(
        "--clock",
        choices=list(CLOCKS),
        default="cpu",
        help="cpu: process CPU time (default; robust on a shared machine); wall: elapsed time",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 rounds, 32 MiB")
    parser.add_argument(
        "--json",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="write the results as JSON (default: bench/results-core-<sdk>.json)",
    )
    parser.add_argument("--memory-child", nargs=3, metavar=("MODE", "METRIC", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = CLOCKS[args.clock]
    if args.memory_child:
        mode, metric, size = args.memory_child
        print(json.dumps(memory_child(mode, metric, int(size))))
        return 0
    rounds = 5 if args.quick else args.rounds
    size = (32 if args.quick else args.size_mib) * MIB
    which = args.only or ["retrieve", "page", "memory"]
    info = machine()
    info["clock"] = args.clock
    print("# bench_core: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    results: dict[str, Any] = {"machine": info, "rounds": rounds}
    if "retrieve" in which:
        results["retrieve"] = bench_retrieve(rounds)
        print_rows("retrieve_metadata through the SDK: fake vs canned transport", results["retrieve"])
    if "page" in which:
        results["page"] = bench_page(rounds)
        print_rows(
            f"one {PAGE_LIMIT}-item page from the middle: {LARGE:,} vs {SMALL:,} files", results["page"]
        )
    if "memory" in which:
        results["memory"] = bench_memory(size)
        print_rows("peak memory of an upload through the SDK (fresh subprocess each)", results["memory"])
    failed = [
        r["label"]
        for rows in results.values()
        if isinstance(rows, list)
        for r in rows
        if r.get("ok") is False
    ]
    print("\nall goals met" if not failed else "\nover goal: " + "; ".join(failed))
    if args.json is not None:
        path = Path(args.json) if args.json else HERE / f"results-core-{info['anthropic']}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
