"""The benchmark scripts still run: each ``bench/*.py`` once, at its smallest settings.

They are run by hand (their figures are in docs/benchmarks*.md), never as timed tests, so
nothing else notices when one breaks: ``bench_core.py`` once stopped sending
``anthropic-version`` when the fake began to require it, and stayed broken for weeks.

These tests check correctness only, never timing. A few rounds on a busy machine give
noise, not figures, so a script may miss its goal here: it must then say so in its own
words and exit 1, and exit 0 only when it says every goal was met (a crash, a traceback
or an assertion of the script is a failure whatever its exit code). Each test asserts the
figure lines the script prints. Slow as a whole (about 45 s of CPU): CI runs it once, on
the newest SDK (tox.ini).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_claude_files

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parent.parent / "bench"
PACKAGE_ROOT = Path(pytest_claude_files.__file__).resolve().parent.parent
"""Where the package this test process imports lives: the scripts import the same one."""

RATIO = re.compile(r"ratio (\d+\.\d{3})")
"""A ratio row of the house format (bench_core.print_rows)."""


def run_bench(
    script: str, *args: str, tmp_path: Path, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
    env["TMPDIR"] = str(tmp_path)  # (whatever a script leaves behind stays in the test's tmp_path)
    return subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_ran(out: subprocess.CompletedProcess[str]) -> None:
    """Exit 0, nothing raised (stderr is printed by pytest on failure)."""
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 0, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"


def assert_verdict(out: subprocess.CompletedProcess[str], met: str, missed: str) -> None:
    """Exit 0 with the script's "goals met" verdict, or 1 with its "goal missed" one: a
    missed goal is timing noise here, but the exit code must match what the script says."""
    assert "Traceback" not in out.stderr, out.stderr
    if out.returncode == 0:
        assert met in out.stdout and missed not in out.stdout, out.stdout
    else:
        assert out.returncode == 1, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"
        assert missed in out.stdout, f"exit 1 without a missed goal:\n{out.stdout}\n{out.stderr}"


def assert_line(pattern: str, text: str) -> None:
    """A whole line of ``text`` matches ``pattern``."""
    assert re.search(rf"^{pattern}$", text, re.M), f"no line matches {pattern!r} in:\n{text}"


def test_bench_core_all_three_figures(tmp_path: Path) -> None:
    result = tmp_path / "core.json"
    out = run_bench("bench_core.py", "--rounds", "1", "--size-mib", "1", "--json", str(result),
                    tmp_path=tmp_path)
    assert_verdict(out, "all goals met", "over goal")
    text = out.stdout
    assert "## retrieve_metadata through the SDK: fake vs canned transport" in text
    assert "SDK retrieve_metadata, sync: fake / canned" in text
    assert "SDK retrieve_metadata, async (20 calls a batch): fake / canned" in text
    assert "## one 10-item page from the middle: 100,000 vs 1,000 files" in text
    for path in ("handler", "sdk"):
        for dialect in ("beta", "ga"):
            assert f"10-item page from the middle, {path}, {dialect}: 100,000 / 1,000" in text
    assert len(RATIO.findall(text)) == 3 + 4  # three retrieve rows, four page rows
    assert "## peak memory of an upload through the SDK (fresh subprocess each)" in text
    for metric in ("tracemalloc", "rss"):
        for mode in ("fake", "read", "stream"):
            assert f"1 MiB upload, {metric}, {mode}:" in text
    saved = json.loads(result.read_text())
    assert saved["rounds"] == 1 and saved["machine"]["anthropic"]
    assert [row["numerator"] for row in saved["retrieve"]] == ["fake sync", "adapter sync", "fake async"]
    memory = {(row["metric"], row["mode"]): row for row in saved["memory"]}
    assert len(memory) == 6
    # the fake keeps the uploaded file (tracemalloc counts exactly; the stream peer keeps nothing)
    assert memory["tracemalloc", "fake"]["retained_copies"] > 0.9
    assert memory["tracemalloc", "stream"]["retained_copies"] < 0.1


def test_bench_batches(tmp_path: Path) -> None:
    out = run_bench("bench_batches.py", "--rounds", "1", "--requests", "10", tmp_path=tmp_path)
    assert_verdict(out, "all goals met", "over goal")
    assert "messages.batches.results, 10 requests: fake / canned transport" in out.stdout
    assert len(RATIO.findall(out.stdout)) == 1


def test_bench_messages(tmp_path: Path) -> None:
    out = run_bench("bench_messages.py", "--rounds", "1", tmp_path=tmp_path)
    assert_verdict(out, "all goals met", "over goal")
    assert "messages.create, one PDF document: fake / canned transport" in out.stdout
    assert "messages.stream, a 200-word reply: fake / canned SSE body" in out.stdout
    assert len(RATIO.findall(out.stdout)) == 2


def test_bench_replay(tmp_path: Path) -> None:
    out = run_bench("bench_replay.py", "--calls", "2", "--rounds", "1", tmp_path=tmp_path)
    assert_verdict(out, "met", "MISSED")
    for operation in ("retrieve_metadata", "upload"):
        assert_line(rf"{operation}: fake [\d.]+ us, replay [\d.]+ us a call \(CPU\); "
                    r"replay / fake [\d.]+x .*goal <= 1\.3x: (met|MISSED)", out.stdout)


def test_bench_respx(tmp_path: Path) -> None:
    out = run_bench("bench_respx.py", "--calls", "2", "--rounds", "1", tmp_path=tmp_path)
    assert_ran(out)
    assert_line(r"claude_files_respx \(fake\)  : +[\d.]+ +[\d.]+ us/call", out.stdout)
    assert_line(r"plain respx route \(canned\) : +[\d.]+ +[\d.]+ us/call", out.stdout)
    assert_line(r"ratio +: +[\d.]+x +[\d.]+x  \(goal <= 1\.2x\)", out.stdout)


def test_bench_cleanup(tmp_path: Path) -> None:
    ledgers = tmp_path / "ledgers"
    ledgers.mkdir()
    out = run_bench("bench_cleanup.py", "--files", "2", "--rounds", "1", "--ledger-dir", str(ledgers),
                    tmp_path=tmp_path)
    assert_ran(out)
    assert re.search(r"^round 0: uploads/s plain +[\d.]+ recorded +[\d.]+ \| "
                     r"deletes/s plain +[\d.]+ cleanup +[\d.]+$", out.stdout, re.M), out.stdout
    assert re.search(r"^uploads: recorded / plain = [\d.]+ \(median of 1 rounds\)$", out.stdout, re.M)
    assert re.search(r"^deletes: cleanup / plain  = [\d.]+ \(median of 1 rounds\)$", out.stdout, re.M)


def test_bench_server_in_process(tmp_path: Path) -> None:
    out = run_bench("bench_server.py", "--in-process", "--rounds", "1", tmp_path=tmp_path)
    assert_ran(out)
    for name in ("minimal ASGI app", "our ASGI adapter, canned handler", "emulator (adapter + FilesHandler)",
                 "FilesHandler alone"):
        assert re.search(rf"^  {re.escape(name)} +[\d.]+ us$", out.stdout, re.M), out.stdout
    assert re.search(r"adapter adds -?[\d.]+ us, FilesHandler adds -?[\d.]+ us", out.stdout)


def test_bench_server_over_sockets(tmp_path: Path) -> None:
    out = run_bench("bench_server.py", "--rounds", "1", "--seconds", "0.2", "--connections", "2",
                    tmp_path=tmp_path)
    assert_verdict(out, "goal met", "GOAL MISSED")
    assert re.search(r"^emulator \(FilesASGIApp\):  median [\d,]+ req/s", out.stdout, re.M), out.stdout
    assert re.search(r"^minimal ASGI canned JSON: median [\d,]+ req/s", out.stdout, re.M), out.stdout
    figure = (r"^ratio of req/s \(median of paired rounds\): [\d.]+  \(goal >= 0\.80\); 95 % interval "
              r"of the median [\d.]+-[\d.]+; pairs' quartiles [\d.]+-[\d.]+$")
    assert re.search(figure, out.stdout, re.M), out.stdout
    assert "server CPU per request: minimal" in out.stdout
    assert not list(tmp_path.glob("bench-canned-*")), "the canned body file was left behind"


def test_the_server_figure_s_interval_of_the_median() -> None:
    """The interval bench_server.py prints: order statistics around the median, the whole
    range when there are too few pairs to say more."""
    sys.path.insert(0, str(BENCH))
    try:
        import bench_server
    finally:
        sys.path.remove(str(BENCH))
    assert bench_server.median_interval([0.9, 0.7, 0.8]) == (0.7, 0.9)
    values = [i / 100 for i in range(60, 100)]  # 40 pairs: 0.60 ... 0.99, median 0.795
    low, high = bench_server.median_interval(values)
    assert (low, high) == (0.72, 0.87)  # k = int(20 - 0.98 * 6.32) = 13: the 13th and 28th values
    assert low < statistics.median(values) < high
    # the verdict: the goal at the median, the margin when the whole interval is above it
    assert bench_server.verdict(0.79, 0.75) == ("GOAL MISSED: the median 0.79 is under 0.80", False)
    assert bench_server.verdict(0.82, 0.80)[1] and "no margin" in bench_server.verdict(0.82, 0.80)[0]
    assert bench_server.verdict(0.86, 0.83) == (
        "goal met with a margin: the interval of the median lies above 0.80", True)


def test_bench_startup(tmp_path: Path) -> None:
    result = tmp_path / "startup.json"
    out = run_bench("bench_startup.py", "--rounds", "1", "--modules", "1", "--per-module", "1",
                    "--setup", "alone", "--json", str(result), tmp_path=tmp_path)
    assert_verdict(out, "all goals met", "OVER GOAL")
    # not timing: the plugin loaded, and loading it imported nothing heavy
    assert "plugin loaded: True; heavy modules imported by the run: none" in out.stdout, out.stdout
    assert "## pytest start-up and run of 3 trivial tests, with vs without the plugin" in out.stdout
    assert re.search(r"^  alone \(PYTEST_DISABLE_PLUGIN_AUTOLOAD=1\): \d+ ms / \d+ ms  ratio [\d.]+",
                     out.stdout, re.M), out.stdout
    assert re.search(r"import of pytest_claude_files\.plugin after pytest: [\d.]+ ms", out.stdout)
    saved = json.loads(result.read_text())
    assert saved["tests"] == 3 and [row["rounds"] for row in saved["rows"]] == [1]


def test_bench_strategies(tmp_path: Path) -> None:
    out = run_bench("bench_strategies.py", "--examples", "5", "--objects", "5", "--rounds", "1",
                    "--stateful-runs", "1", tmp_path=tmp_path)
    assert_ran(out)
    for row in ("`strategies.file_metadata()`", "`st.builds(FileMetadata)` (Hypothesis inference)",
                "Faker `claude_file_metadata()`", "polyfactory `ModelFactory.build()`"):
        assert re.search(rf"^\| {re.escape(row)} \| [\d,]+ (examples|objects) \| [\d.]+ \|$",
                         out.stdout, re.M), out.stdout
    assert "st.builds(FileMetadata) under the default health checks: " in out.stdout
    for dialect in ("beta", "ga"):
        assert re.search(rf"^\| {dialect} \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$", out.stdout, re.M), out.stdout


INSTRUCTION_CHILDREN = [("create", v) for v in ("canned", "transport", "fake")] + [
    ("server", v) for v in ("minimal", "adapter", "emulator")
]


@pytest.mark.parametrize(("figure", "variant"), INSTRUCTION_CHILDREN)
def test_bench_instructions_child(tmp_path: Path, figure: str, variant: str) -> None:
    """What bench_instructions.py counts under valgrind, run once without it (cheap, and
    valgrind or not): each variant still answers."""
    out = run_bench("bench_instructions.py", "--child", figure, variant, "2", tmp_path=tmp_path)
    assert_ran(out)
    last = out.stdout.strip().splitlines()[-1]
    if figure == "create":
        assert re.fullmatch(rf"create {variant}: Message, [1-9]\d* input tokens", last), last
    else:
        assert last == f"server {variant}: HTTP 200"


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_bench_instructions_under_valgrind(tmp_path: Path) -> None:
    """The parent under valgrind, at its cheapest: one variant (the floor), two runs."""
    out = run_bench("bench_instructions.py", "--only", "server", "--variant", "minimal", "--calls", "2",
                    tmp_path=tmp_path)
    assert_ran(out)
    assert "2 calls a run, instructions per call (valgrind cachegrind)" in out.stdout
    assert re.search(r"^  server  minimal +-?[\d,]+$", out.stdout, re.M), out.stdout
