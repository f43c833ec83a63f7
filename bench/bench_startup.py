"""Start-up cost of the plugin: pytest with it vs without it, run by hand.

A suite of trivial tests that use no fixture of ours is run in a fresh ``python -m
pytest`` process, with the plugin (as installed, through its ``pytest11`` entry point)
and without it (``-p no:claude_files``), interleaved many times (the order alternates
round by round); the figure is the median of the per-round ratios. Goal <= 1.15x.

Two set-ups are measured:

* ``autoload``: every plugin installed in the environment loads (what users run);
* ``alone``: ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``, pytest alone vs pytest plus the plugin
  (``PYTEST_PLUGINS=pytest_claude_files.plugin``): the strictest comparison, nothing else
  hides our cost.

It also reports what ``python -X importtime`` says importing ``pytest_claude_files.plugin``
costs once pytest is imported, and checks that the run imported no heavy module.

Usage::

    python bench/bench_startup.py              # 30 rounds, print a table
    python bench/bench_startup.py --rounds 60 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

from pytest_claude_files._plugin.extras import HEAVY_MODULES

HERE = Path(__file__).resolve().parent
GOAL = 1.15
PLUGIN = "claude_files"
HEAVY = HEAVY_MODULES
TEST_MODULE = """\
import pytest


@pytest.mark.parametrize("n", range({per_module}))
def test_number(n):
    assert n + 0 == n


def test_text():
    assert "files".upper() == "FILES"


class TestPlain:
    def test_list(self):
        assert sorted([3, 1, 2]) == [1, 2, 3]
"""


def make_suite(root: Path, modules: int, per_module: int) -> int:
    """A directory of trivial tests (no fixture of ours); returns the number of tests."""
    (root / "pytest.ini").write_text("[pytest]\n")
    for i in range(modules):
        (root / f"test_trivial_{i:03d}.py").write_text(TEST_MODULE.format(per_module=per_module))
    return modules * (per_module + 2)


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    }
    env.update(extra)
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(cmd: list[str], env: dict[str, str], cwd: Path, clock: str = "cpu") -> float:
    """Seconds one pytest process took: its CPU time (user + system, default), which
    time spent preempted by other processes does not inflate, or the elapsed time."""
    start, cpu = time.perf_counter(), _children_cpu()
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return cpu if clock == "cpu" else elapsed


SETUPS = {
    "autoload": ("autoload (all installed plugins)", "autoload, with plugin", "autoload, -p no:claude_files"),
    "alone": ("alone (PYTEST_DISABLE_PLUGIN_AUTOLOAD=1)", "alone, with plugin", "alone, pytest only"),
}
"""set-up -> (label, variant with the plugin, variant without it)"""


def variants(suite: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)]
    auto, alone = clean_env(), clean_env(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    # PYTEST_PLUGINS imports the module directly; ``-p NAME`` would also scan every
    # installed distribution's entry points, a cost that is pytest's, not the plugin's.
    alone_with = {**alone, "PYTEST_PLUGINS": "pytest_claude_files.plugin"}
    return {
        "autoload, with plugin": (base, auto),
        "autoload, -p no:claude_files": ([*base, "-p", f"no:{PLUGIN}"], auto),
        "alone, with plugin": (base, alone_with),
        "alone, pytest only": (base, alone),
    }


def heavy_modules_after_run(suite: Path) -> dict[str, Any]:
    """Run the suite once in-process (in a subprocess) and list heavy modules it imported."""
    probe = (
        "import json, sys, pytest\n"
        "class P:\n"
        "    loaded = None\n"
        "    def pytest_unconfigure(self, config):\n"
        f"        P.loaded = config.pluginmanager.hasplugin({PLUGIN!r})\n"
        f"rc = pytest.main(['-q', '-p', 'no:cacheprovider', '-p', {PLUGIN!r}, sys.argv[1]], plugins=[P()])\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print(json.dumps({'rc': int(rc), 'loaded': P.loaded, 'heavy': heavy}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(suite)],
        capture_output=True,
        text=True,
        env=clean_env(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"),
        check=False,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def plugin_import_us() -> float:
    """Cumulative import time of pytest_claude_files.plugin after pytest (``-X importtime``)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pytest; import pytest_claude_files.plugin"],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=True,
    )
    for line in out.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "pytest_claude_files.plugin":
            return float(parts[1])
    raise RuntimeError("pytest_claude_files.plugin not in -X importtime output")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds (default 30)")
    parser.add_argument("--modules", type=int, default=20, help="test modules in the suite (default 20)")
    parser.add_argument("--per-module", type=int, default=8, help="parametrized cases per module")
    parser.add_argument(
        "--json",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="write the results as JSON (default: bench/results-startup-<sdk>.json)",
    )
    parser.add_argument(
        "--setup",
        choices=list(SETUPS),
        action="append",
        help="measure only this set-up (repeatable; default: both)",
    )
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="cpu: the pytest process's user+system time (default); wall: elapsed time",
    )
    args = parser.parse_args(argv)
    setups = args.setup or list(SETUPS)
    try:
        sdk = metadata.version("anthropic")
    except metadata.PackageNotFoundError:
        sdk = "none"
    info = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "pytest": metadata.version("pytest"),
        "anthropic": sdk,
        "clock": args.clock,
    }
    print("# bench_startup: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    with tempfile.TemporaryDirectory(prefix="claude-files-startup-") as tmp:
        suite = Path(tmp)
        count = make_suite(suite, args.modules, args.per_module)
        probe = heavy_modules_after_run(suite)
        cases = {
            name: case
            for name, case in variants(suite).items()
            if any(name in SETUPS[setup][1:] for setup in setups)
        }
        for cmd, env in cases.values():  # warm the file cache and .pyc files
            run_once(cmd, env, suite)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        names = list(cases)
        for r in range(args.rounds):
            for name in names if r % 2 == 0 else reversed(names):
                cmd, env = cases[name]
                samples[name].append(run_once(cmd, env, suite, args.clock))
    import_us = plugin_import_us()
    rows = []
    for setup, with_, without in (SETUPS[name] for name in setups):
        per_round = [a / b for a, b in zip(samples[with_], samples[without], strict=True)]
        if len(per_round) < 4:  # (a smoke run: too few rounds for quartiles; min, median, max)
            q1, med, q3 = min(per_round), statistics.median(per_round), max(per_round)
        else:
            q1, med, q3 = statistics.quantiles(per_round, n=4, method="inclusive")
        rows.append(
            {
                "setup": setup,
                "with_ms": statistics.median(samples[with_]) * 1e3,
                "without_ms": statistics.median(samples[without]) * 1e3,
                "ratio": med,
                "ratio_q1": q1,
                "ratio_q3": q3,
                "ratio_of_minimums": min(samples[with_]) / min(samples[without]),
                "rounds": args.rounds,
                "goal": GOAL,
                "ok": med <= GOAL,
            }
        )
    print(f"\n## pytest start-up and run of {count} trivial tests, with vs without the plugin")
    for row in rows:
        print(
            f"  {row['setup']}: {row['with_ms']:.0f} ms / {row['without_ms']:.0f} ms"
            f"  ratio {row['ratio']:.3f} (IQR {row['ratio_q1']:.3f}-{row['ratio_q3']:.3f},"
            f" {row['rounds']} rounds; of minimums {row['ratio_of_minimums']:.3f})"
            f"  goal <= {GOAL}: {'ok' if row['ok'] else 'OVER GOAL'}"
        )
    print(f"  import of pytest_claude_files.plugin after pytest: {import_us / 1000:.2f} ms (-X importtime)")
    heavy_ok = probe["loaded"] and not probe["heavy"]
    print(
        f"  plugin loaded: {probe['loaded']}; heavy modules imported by the run: {probe['heavy'] or 'none'}"
    )
    ok = all(r["ok"] for r in rows) and heavy_ok
    print("\nall goals met" if ok else "\nOVER GOAL")
    if args.json is not None:
        path = Path(args.json) if args.json else HERE / f"results-startup-{sdk}.json"
        path.write_text(
            json.dumps(
                {
                    "machine": info,
                    "tests": count,
                    "rows": rows,
                    "plugin_import_us": import_us,
                    "probe": probe,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"wrote {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
