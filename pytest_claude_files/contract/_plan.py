"""What a run of the fidelity suite will send, from the tests' declared budgets; and its bound.

Every contract test declares on its marker what it sends at most:
``@pytest.mark.claude_files_fidelity("row.id", uploads=2, bytes=10, calls=("upload", "delete"))``.
Before the first request against ``real`` the suite prints the sum, and refuses to run
over :data:`MAX_FILES` / :data:`MAX_BYTES`. The ``contract`` fixture checks at teardown that
a test stayed within what it declared (on every backend, so CI keeps the declarations true).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from pytest_claude_files._core.settings_table import spelling

__all__ = [
    "CALLS",
    "DOCS",
    "MARKER_FIDELITY",
    "MAX_BYTES",
    "MAX_FILES",
    "MAX_MESSAGES",
    "MAX_UPLOADS",
    "OPTION_REPORT",
    "Budget",
    "BudgetError",
    "Plan",
    "budget_of",
    "over_budget",
    "plan_of",
]

MARKER_FIDELITY = "claude_files_fidelity"
OPTION_REPORT = spelling("contract_report", "option")  # from the one table (_core/settings_table.py)
DOCS = "claude-files-fake docs contract"

MAX_FILES = 46
"""Most files one run may create on a real account that answers as documented (each deleted
by the session cleanup)."""
MAX_UPLOADS = 54
"""Most upload requests one run may send: the files above plus the uploads the API should refuse
(each becomes a file if the API accepts it instead: a difference, cleaned up like any upload)."""
MAX_BYTES = 256 * 1024
"""Most bytes one run may upload to a real account, all files together."""
MAX_MESSAGES = 24
"""Most Messages requests (max_tokens=1, the smallest model) one run may send (most of the rows of
issue 19 are refusals, which are not billed)."""

CALLS: dict[str, str] = {
    "upload": "POST /v1/files",
    "list": "GET /v1/files",
    "retrieve_metadata": "GET /v1/files/{id}",
    "download": "GET /v1/files/{id}/content",
    "delete": "DELETE /v1/files/{id}",
    "messages": "POST /v1/messages",
    "count_tokens": "POST /v1/messages/count_tokens",
    "skills.list": "GET /v1/skills",
    "skills.create": "POST /v1/skills",
    "skills.delete": "DELETE /v1/skills/{id}",
    "batches.create": "POST /v1/messages/batches",
    "batches.retrieve": "GET /v1/messages/batches/{id}",
    "batches.cancel": "POST /v1/messages/batches/{id}/cancel",
    "agents.create": "POST /v1/agents",
    "sessions.create": "POST /v1/sessions",
}


class BudgetError(ValueError):
    """A marker that declares its budget wrongly (a bad name or value)."""


@dataclass(frozen=True)
class Budget:
    row: str
    uploads: int = 0
    bytes: int = 0
    calls: tuple[str, ...] = ()
    refused: int = 0  # uploads sent that the API should refuse (no file is made)
    real: Optional[str] = None  # why the test cannot run against the real API
    live: Optional[str] = None  # why it cannot run against any live backend (server, real)


def budget_of(mark: Any) -> Budget:
    """The budget a ``claude_files_fidelity`` marker declares (``BudgetError`` if malformed)."""
    if len(mark.args) != 1 or not isinstance(mark.args[0], str) or not mark.args[0]:
        raise BudgetError(f"takes one row id of docs/fidelity.md, got {mark.args!r}")
    kwargs = dict(mark.kwargs)
    unknown = sorted(set(kwargs) - {"uploads", "bytes", "calls", "refused", "real", "live"})
    if unknown:
        raise BudgetError(f"unknown argument(s) {', '.join(unknown)}")
    calls = tuple(kwargs.get("calls", ()))
    bad = [c for c in calls if c not in CALLS]
    if bad:
        raise BudgetError(f"unknown call(s) {', '.join(bad)}; known: {', '.join(CALLS)}")
    for name in ("uploads", "bytes", "refused"):
        value = kwargs.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BudgetError(f"{name}= must be a whole number >= 0, got {value!r}")
    return Budget(
        mark.args[0],
        int(kwargs.get("uploads", 0)),
        int(kwargs.get("bytes", 0)),
        calls,
        int(kwargs.get("refused", 0)),
        kwargs.get("real"),
        kwargs.get("live"),
    )


@dataclass
class Plan:
    """The sum of the budgets of the tests that will run."""

    tests: int = 0
    uploads: int = 0
    refused: int = 0
    bytes: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> tests

    def add(self, budget: Budget) -> None:
        self.tests += 1
        self.uploads += budget.uploads
        self.refused += budget.refused
        self.bytes += budget.bytes
        for call in budget.calls:
            self.calls[call] = self.calls.get(call, 0) + 1

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    @property
    def messages(self) -> int:
        return self.calls.get("messages", 0) + self.calls.get("count_tokens", 0)

    @property
    def billed(self) -> int:
        return self.calls.get("messages", 0)

    def over_bound(self) -> Optional[str]:
        problems = []
        if self.uploads > MAX_FILES:
            problems.append(f"{self.uploads} uploads (bound {MAX_FILES})")
        if self.uploads + self.refused > MAX_UPLOADS:
            problems.append(f"{self.uploads + self.refused} upload requests (bound {MAX_UPLOADS})")
        if self.bytes > MAX_BYTES:
            problems.append(f"{self.bytes} bytes (bound {MAX_BYTES})")
        if self.messages > MAX_MESSAGES:
            problems.append(f"{self.messages} Messages requests (bound {MAX_MESSAGES})")
        return ", ".join(problems) or None

    def lines(self, backend: str, where: str) -> list[str]:
        endpoints = ", ".join(
            f"{CALLS[c]} ({n} test{'s' if n != 1 else ''})"
            for c, n in sorted(self.calls.items(), key=lambda kv: list(CALLS).index(kv[0]))
        )
        out = [
            f"claude-files contract: {self.tests} tests against {backend} ({where}) will upload at most "
            f"{self.uploads} files, {self.bytes} bytes in all (bound {MAX_FILES} files, {MAX_BYTES} bytes), "
            f"and send {self.refused} uploads the API should refuse (bound {MAX_UPLOADS} upload requests); "
            f"every file is deleted by the session cleanup",
            f"claude-files contract: endpoints: {endpoints or 'none'}",
        ]
        if self.messages:
            out.append(
                f"claude-files contract: {self.billed} tests send Messages requests (max_tokens=1, "
                f"the smallest model, documents of a few bytes; only accepted requests are billed, "
                f"about 40 input tokens and 1 output token each), "
                f"{self.calls.get('count_tokens', 0)} count tokens (free); "
                f"see claude-files-fake docs contract#what-it-costs"
            )
        for reason, count in sorted(self.skipped.items()):
            out.append(f"claude-files contract: {count} skipped here: {reason}")
        return out


def over_budget(
    budget: Budget, *, uploads: int, sent: int, operations: set[str], attempts: Optional[int] = None
) -> Optional[str]:
    """What a test sent beyond its declared budget (``None``: within it).

    ``uploads`` and ``sent``: files the fake made and their bytes; ``attempts``: upload requests.
    """
    undeclared = sorted(operations - set(budget.calls))
    tried = uploads if attempts is None else attempts
    if (
        uploads <= budget.uploads
        and sent <= budget.bytes
        and not undeclared
        and (tried <= budget.uploads + budget.refused)
    ):
        return None
    return (
        f"{uploads} uploads (declared {budget.uploads}), {tried} upload requests (declared "
        f"{budget.uploads + budget.refused} with refused=), {sent} bytes (declared {budget.bytes}), "
        f"calls {sorted(operations)} (declared {list(budget.calls)})"
    )


def plan_of(budgets: Iterable[tuple[Budget, Optional[str]]]) -> Plan:
    """``(budget, skip reason or None)`` pairs -> the plan."""
    plan = Plan()
    for budget, skipped in budgets:
        if skipped:
            plan.skip(skipped)
        else:
            plan.add(budget)
    return plan
