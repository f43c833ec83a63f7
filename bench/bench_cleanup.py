"""Benchmark: the cost of recording uploads (crash-safe ledger) and of the cleanup's deletes.

Against the emulator server (its own process, loopback), in the same run:

- uploads through a plain ``anthropic.Anthropic`` vs through the live client of the plugin,
  whose response hook appends and ``fsync``-s one ledger line per upload;
- deletes in a plain SDK loop vs the cleanup's ``delete_all`` (one request per file,
  retries off because nothing fails here).

Short rounds alternate (plain, recorded, plain, ...) so drift on a shared machine hits
both; the figure is the median of per-pair ratios (recorded / plain, in files per second).

    python bench/bench_cleanup.py [--files 50] [--rounds 6] [--ledger-dir DIR]

Run by hand (never a timed unit test); figures go to docs/benchmarks-cleanup.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEY = "sk-ant-bench-cleanup"


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_claude_files", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "serving on " in line:
            return proc, line.rsplit("serving on ", 1)[1].strip()
    raise SystemExit("the emulator did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--ledger-dir", default=None, help="where the ledger goes (default: a temp dir)")
    args = parser.parse_args()

    import anthropic

    from pytest_claude_files._live.backends import make_live_client
    from pytest_claude_files._live.cleanup import Recorder, RetryPolicy, SDKDeleter, Secret, delete_all
    from pytest_claude_files._live.ledger import LedgerWriter

    proc, base_url = start_emulator()
    ledger_root = Path(args.ledger_dir or tempfile.mkdtemp(prefix="claude-files-bench-"))
    key = Secret(KEY)
    up_ratios, del_ratios = [], []
    rows = []
    try:
        plain = anthropic.Anthropic(api_key=KEY, base_url=base_url)
        for round_no in range(args.rounds):
            writer = LedgerWriter(ledger_root, f"bench{round_no}", "main")
            recorder = Recorder(writer)
            recorded = make_live_client(base_url, key, recorder)

            def upload(client: object, tag: str) -> tuple[float, list[str]]:
                start = time.perf_counter()
                files = client.beta.files  # type: ignore[attr-defined]
                ids = [files.upload(file=(f"{tag}-{i}.txt", b"x" * 64, "text/plain")).id
                       for i in range(args.files)]
                return args.files / (time.perf_counter() - start), ids

            plain_rate, plain_ids = upload(plain, "plain")
            rec_rate, _ = upload(recorded, "recorded")
            assert len(recorder.pending) == args.files

            start = time.perf_counter()
            for file_id in plain_ids:
                plain.beta.files.delete(file_id)
            plain_del = args.files / (time.perf_counter() - start)
            deleter = SDKDeleter(base_url, key)
            start = time.perf_counter()
            report = delete_all(recorder.pending, deleter, RetryPolicy(), on_gone=recorder.mark_gone)
            cleanup_del = args.files / (time.perf_counter() - start)
            assert not report.left
            deleter.close()
            recorded.close()
            writer.finish(remove=True)

            up_ratios.append(rec_rate / plain_rate)
            del_ratios.append(cleanup_del / plain_del)
            rows.append((plain_rate, rec_rate, plain_del, cleanup_del))
            print(f"round {round_no}: uploads/s plain {plain_rate:7.1f} recorded {rec_rate:7.1f} | "
                  f"deletes/s plain {plain_del:7.1f} cleanup {cleanup_del:7.1f}")
        plain.close()
    finally:
        proc.terminate()
        proc.wait(10)

    print()
    print(f"python {platform.python_version()}, anthropic {anthropic.__version__}, "
          f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}, ledger on {ledger_root}")
    rounds = len(up_ratios)
    print(f"uploads: recorded / plain = {statistics.median(up_ratios):.2f} (median of {rounds} rounds)")
    print(f"deletes: cleanup / plain  = {statistics.median(del_ratios):.2f} (median of {rounds} rounds)")


if __name__ == "__main__":
    main()
