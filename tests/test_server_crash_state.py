"""``kill -9`` with batches, skills and sessions in flight (issue 24): 10 cycles of the harness
in ``tests/crash_cycles.py`` (100 by hand: ``python -m tests.crash_cycles``). Every restart
succeeds and no acknowledged operation is lost, comes back after its delete, or appears
unasked. Marked ``slow``; Linux/macOS (fork)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]
pytest.importorskip("anthropic")


def test_ten_kills_with_every_surface_in_flight_lose_nothing_acknowledged(tmp_path: Path) -> None:
    from .conftest import sdk_at_least

    if not sdk_at_least(2, 17):
        pytest.skip("sessions and GA skills arrived with 2.17")
    from .crash_cycles import run

    figures = run(10, tmp_path / "data", seed=24)

    print(f"\n{figures}")
    assert (figures["lost"], figures["back"], figures["phantoms"], figures["errors"]) == ([], [], [], [])
    assert figures["clean_exit"]
    done = figures["acked_by_operation"]
    for operation in ("file.upload", "batch.create", "skill.create", "session.create", "session.send"):
        assert done.get(operation, 0) >= 3, done  # every surface was under load
    assert figures["seconds"] < 60
