"""Benchmark: generating FileMetadata with our strategies and Faker provider vs the peers.

1. Hypothesis examples per second: ``strategies.file_metadata()`` against
   ``st.builds(FileMetadata)`` (Hypothesis infers every field from the pydantic model's
   annotations and constraints). Both run as a ``@given`` test with the same settings;
   the time includes Hypothesis' own per-example work, as users see it.
2. Objects per second: ``ClaudeFilesProvider.claude_file_metadata()`` on a seeded Faker
   against polyfactory's ``ModelFactory[FileMetadata].build()``.

Both pairs are measured in the same run, interleaved, best of ``--rounds``, in CPU
time of this process (``time.process_time``), so that other load on a shared machine
counts less; the ratios are what to compare across machines. Run by hand (never a timed unit test)::

    python bench/bench_strategies.py            # default sizes
    python bench/bench_strategies.py --examples 2000 --objects 20000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from typing import Any, Callable

# Hypothesis' own inference only: our ``hypothesis`` entry point would otherwise register
# strategies for the nested FileScope that st.builds() resolves.
os.environ["HYPOTHESIS_NO_PLUGINS"] = "1"

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pytest_claude_files import strategies as cfs
from pytest_claude_files.models import FileMetadata


def examples_per_second(strategy: st.SearchStrategy[Any], examples: int) -> tuple[float, int]:
    """Examples per second of a ``@given`` test drawing from ``strategy`` (and how many ran)."""
    seen = 0

    @settings(max_examples=examples, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value: Any) -> None:
        nonlocal seen
        seen += 1

    start = time.process_time()
    run()
    return seen / (time.process_time() - start), seen


def objects_per_second(make: Callable[[], Any], count: int) -> float:
    start = time.process_time()
    for _ in range(count):
        make()
    return count / (time.process_time() - start)


def stateful_runs_per_second(via: str, dialect: str, runs: int) -> float:
    """Runs (of 30 steps) per second of ``FilesStateMachine`` through ``via``."""
    from hypothesis.stateful import run_state_machine_as_test

    from pytest_claude_files.stateful import FilesStateMachine

    machine = type("Bench", (FilesStateMachine,), {"via": via, "dialect": dialect})
    start = time.process_time()
    run_state_machine_as_test(machine, settings=settings(
        max_examples=runs, stateful_step_count=30, deadline=None, database=None))
    return runs / (time.process_time() - start)


def health_of_builds() -> str:
    """Whether ``st.builds(FileMetadata)`` passes the default health checks."""
    @given(st.builds(FileMetadata))
    def run(value: Any) -> None:
        pass

    try:
        run()
    except Exception as exc:
        return f"fails: {type(exc).__name__}"
    return "passes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="Hypothesis examples per measurement")
    parser.add_argument("--objects", type=int, default=10000,
                        help="Faker / polyfactory objects per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best of each is kept")
    parser.add_argument("--stateful-runs", type=int, default=100,
                        help="FilesStateMachine runs per dialect and path (0: skip)")
    args = parser.parse_args()

    from faker import Faker
    from polyfactory.factories.pydantic_factory import ModelFactory

    from pytest_claude_files.faker_provider import ClaudeFilesProvider

    class FileMetadataFactory(ModelFactory[FileMetadata]):
        __model__ = FileMetadata
        __check_model__ = False

    FileMetadataFactory.seed_random(1)
    fake = Faker()
    fake.add_provider(ClaudeFilesProvider)
    fake.seed_instance(1)

    ours_h, theirs_h, ours_f, theirs_f = 0.0, 0.0, 0.0, 0.0
    for _ in range(args.rounds):  # interleaved, so that load on the machine hits both alike
        ours_h = max(ours_h, examples_per_second(cfs.file_metadata(), args.examples)[0])
        theirs_h = max(theirs_h, examples_per_second(st.builds(FileMetadata), args.examples)[0])
        ours_f = max(ours_f, objects_per_second(fake.claude_file_metadata, args.objects))
        theirs_f = max(theirs_f, objects_per_second(FileMetadataFactory.build, args.objects))

    from importlib.metadata import version

    import faker
    import hypothesis
    import pydantic

    print(f"python {platform.python_version()} on {platform.machine()}, hypothesis {hypothesis.__version__}, "
          f"faker {faker.VERSION}, polyfactory {version('polyfactory')}, "
          f"pydantic {pydantic.VERSION}")
    print(f"best of {args.rounds} rounds; {args.examples} Hypothesis examples, {args.objects} objects each")
    print()
    print("| generator | per second | ratio (ours / peer) |")
    print("|---|---:|---:|")
    print(f"| `strategies.file_metadata()` | {ours_h:,.0f} examples | {ours_h / theirs_h:.2f} |")
    print(f"| `st.builds(FileMetadata)` (Hypothesis inference) | {theirs_h:,.0f} examples | 1.00 |")
    print(f"| Faker `claude_file_metadata()` | {ours_f:,.0f} objects | {ours_f / theirs_f:.2f} |")
    print(f"| polyfactory `ModelFactory.build()` | {theirs_f:,.0f} objects | 1.00 |")
    print()
    print(f"st.builds(FileMetadata) under the default health checks: {health_of_builds()}")
    if args.stateful_runs:
        from pytest_claude_files._sdk.client import sdk_version

        print()
        print(f"FilesStateMachine, {args.stateful_runs} runs of 30 steps, anthropic {sdk_version()}:")
        print()
        print("| dialect | service runs/s | SDK runs/s | service / SDK |")
        print("|---|---:|---:|---:|")
        for dialect in ("beta", "ga"):
            service = stateful_runs_per_second("service", dialect, args.stateful_runs)
            sdk = stateful_runs_per_second("sdk", dialect, args.stateful_runs)
            print(f"| {dialect} | {service:.1f} | {sdk:.1f} | {service / sdk:.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
