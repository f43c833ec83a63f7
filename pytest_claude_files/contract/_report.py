"""The fidelity suite's results: per behaviour (row of docs/fidelity.md), the summary, the JSON.

A row is **confirmed** when all its tests passed, **differs** when a call answered
differently on the backend than on the fake (the difference names the request and both
answers), **failed** when a test failed otherwise (the behaviour the row documents does
not hold, on both sides alike, or the test broke), and **not checked** when its tests were
skipped here (with the reason).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from pytest_claude_files.contract._harness import Exchange

__all__ = ["FIDELITY_DOC", "ContractReport", "TestResult"]

FIDELITY_DOC = "claude-files-fake docs fidelity"
PREFIX = "claude-files contract:"
MAX_SHOWN = 400  # characters of one answer in the terminal (the JSON report has it all)


@dataclass
class TestResult:
    nodeid: str
    row: str
    outcome: str = "passed"  # passed, failed, skipped
    reason: str = ""
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def differences(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.same]

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.nodeid,
            "row": self.row,
            "outcome": self.outcome,
            "reason": self.reason,
            "calls": [e.to_dict() for e in self.exchanges],
        }


@dataclass
class ContractReport:
    backend: str = "fake"
    base_url: Optional[str] = None
    sdk: str = ""
    results: dict[str, TestResult] = field(default_factory=dict)

    def result(self, nodeid: str, row: str) -> TestResult:
        if nodeid not in self.results:
            self.results[nodeid] = TestResult(nodeid, row)
        return self.results[nodeid]

    def rows(self) -> dict[str, str]:
        """row -> its status: differs, failed, confirmed or skipped (worst of its tests)."""
        order = {"differs": 0, "failed": 1, "confirmed": 2, "skipped": 3}
        status: dict[str, str] = {}
        for result in self.results.values():
            if result.differences:
                mine = "differs"
            elif result.outcome == "failed":
                mine = "failed"
            elif result.outcome == "skipped":
                mine = "skipped"
            else:
                mine = "confirmed"
            old = status.get(result.row)
            if old is None or order[mine] < order[old]:
                status[result.row] = mine
        return status

    def counts(self) -> dict[str, int]:
        counts = {"confirmed": 0, "differs": 0, "failed": 0, "skipped": 0}
        for value in self.rows().values():
            counts[value] += 1
        return counts

    def summary_lines(self) -> list[str]:
        if not self.results:
            return []
        counts = self.counts()
        where = f" ({self.base_url})" if self.base_url else ""
        lines = [
            f"{PREFIX} backend={self.backend}{where}, {self.sdk}: "
            f"{counts['confirmed']} behaviours confirmed, {counts['differs']} differ, "
            f"{counts['failed']} failed, {counts['skipped']} not checked here (rows of {FIDELITY_DOC})"
        ]
        rows = self.rows()
        for result in self.results.values():
            for exchange in result.differences:
                lines.append(
                    f"{PREFIX} DIFFERS {result.row} ({FIDELITY_DOC}, row `{result.row}`): {result.nodeid}"
                )
                lines.append(f"    call:    {exchange.label} (differs in {', '.join(exchange.fields)})")
                lines.append(f"    request: {'; '.join(exchange.requests) or '(none reached the fake)'}")
                lines.append(f"    fake:    {_short(exchange.fake)}")
                lines.append(f"    backend: {_short(exchange.backend)}")
        for result in self.results.values():
            if result.outcome == "failed" and not result.differences:
                lines.append(
                    f"{PREFIX} FAILED {result.row} ({FIDELITY_DOC}): {result.nodeid}: {result.reason}"
                )
        skipped = sorted(
            {
                (r.row, r.reason)
                for r in self.results.values()
                if r.outcome == "skipped" and rows.get(r.row) == "skipped"
            }
        )
        for row, reason in skipped:
            lines.append(f"{PREFIX} not checked: {row}: {reason}")
        if counts["differs"]:
            lines.append(
                f"{PREFIX} please send us each difference "
                f"(claude-files-fake docs contract#send-us-a-difference)"
            )
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "backend": self.backend,
            "base_url": self.base_url,
            "sdk": self.sdk,
            "counts": self.counts(),
            "rows": self.rows(),
            "tests": [r.to_dict() for r in self.results.values()],
        }

    def write(self, path: str) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(self.to_json(), indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        return target


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."
