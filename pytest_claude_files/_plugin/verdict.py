"""The session verdict: one end-of-session report of the file lifecycle.

Every misuse notice and lifecycle finding of every fake in the session (fixtures, bare
``FakeFiles()``, ``mock_claude_files()``, in-process emulators) reaches the collector
through ``_core.misuse.SINKS``, with the test that was running and the user's line. At the
end: a terminal summary section (by code, each with the test and the line), a JSON report
with ``--claude-files-report=PATH``, and with ``--claude-files-verdict=fail`` (or the
``claude_files_verdict`` ini option) a session that exits non-zero when the verdict lists
anything. A notice the warning filters escalated (``-W error::...ClaudeFilesMisuseWarning``)
that no test was failed with (a bare ``FakeFiles()``, no fixture to fail it) fails the session.

Loaded from ``plugin.py`` (``pytest_plugins``); imports pytest and the stdlib-only
``_core.misuse`` (the fake's own modules load when a test uses one).
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Generator, Optional

import pytest

from pytest_claude_files._core import misuse as _misuse
from pytest_claude_files._core.settings_table import by_name, spelling

OPTION_REPORT = spelling("report", "option")  # the names, from the one table (_core/settings_table.py)
OPTION_VERDICT = spelling("verdict", "option")
INI_REPORT = spelling("report", "ini")
INI_VERDICT = spelling("verdict", "ini")
DOCS = "claude-files-fake docs reference#the-session-verdict"
REPORT_VERSION = 1
MAX_LINES_PER_CODE = 10
MESSAGE_SHOWN = 200
_WORKER_OUTPUT = "claude_files_verdict"

__all__ = ["INI_REPORT", "INI_VERDICT", "OPTION_REPORT", "OPTION_VERDICT", "Collector"]


class Collector:
    """The notices and findings of the session, each with its test and line (thread-safe)."""

    def __init__(self) -> None:
        self.current: Optional[str] = None
        self.entries: list[dict[str, Any]] = []
        self._seen: set[tuple[Any, ...]] = set()
        self._escalated: dict[int, dict[str, Any]] = {}  # id(Misuse) -> entry
        self._lock = threading.Lock()

    def __call__(self, item: _misuse.Misuse, escalated: bool) -> None:
        entry = {
            "code": item.code,
            "kind": "finding" if item.code in _misuse.FINDING_CODES else "notice",
            "description": _misuse.CODES.get(item.code, ""),
            "message": item.message,
            "test": self.current,
            "where": item.where,
            "escalated": escalated,
        }
        if escalated:
            entry["failed_a_test"] = False
            with self._lock:
                self._escalated[id(item)] = entry
        self.add(entry)

    def consumed(self, items: list[_misuse.Misuse]) -> None:
        """A fixture (or ``mock_claude_files``) failed its test with these escalated notices."""
        with self._lock:
            for item in items:
                entry = self._escalated.get(id(item))
                if entry is not None:
                    entry["failed_a_test"] = True

    def add(self, entry: dict[str, Any]) -> None:
        key = (entry.get("code"), entry.get("test"), entry.get("where"), entry.get("message"))
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            self.entries.append(entry)

    @property
    def escalated(self) -> list[dict[str, Any]]:
        """Notices the warning filters raised that no test was failed with (a bare fake)."""
        return [e for e in self.entries if e.get("escalated") and not e.get("failed_a_test")]


_COLLECTOR = pytest.StashKey[Collector]()
_MODE = pytest.StashKey[str]()


def _mode(config: pytest.Config) -> str:
    from pytest_claude_files._plugin.config import read_setting

    return str(read_setting(config, by_name("verdict"))[0] or "report")  # option, then ini; its row parses


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_MODE] = _mode(config)
    if config.stash[_MODE] == "off":
        return
    collector = Collector()
    config.stash[_COLLECTOR] = collector
    _misuse.SINKS.append(collector)


def pytest_unconfigure(config: pytest.Config) -> None:
    collector = config.stash.get(_COLLECTOR, None)
    if collector is not None and collector in _misuse.SINKS:
        _misuse.SINKS.remove(collector)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    collector = item.config.stash.get(_COLLECTOR, None)
    if collector is not None:
        collector.current = item.nodeid
    try:
        return (yield)
    finally:
        if collector is not None:
            collector.current = None


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    collector = node.config.stash.get(_COLLECTOR, None)
    output = getattr(node, "workeroutput", None) or {}
    if collector is None:
        return
    for entry in output.get(_WORKER_OUTPUT, []):
        collector.add(dict(entry))


def _report_path(config: pytest.Config) -> Optional[Path]:
    value = config.getoption(by_name("report").dest, None) or str(config.getini(INI_REPORT) or "").strip()
    if not value:
        return None
    path = Path(os.path.expanduser(str(value)))
    return path if path.is_absolute() else config.invocation_params.dir / path


def report(collector: Collector, mode: str) -> dict[str, Any]:
    """The verdict as JSON: every entry, counts by code, and whether it fails the session."""
    counts = Counter(str(e["code"]) for e in collector.entries)
    fails = bool(collector.escalated) or (mode == "fail" and bool(collector.entries))
    return {
        "version": REPORT_VERSION,
        "verdict": mode,
        "fails_session": fails,
        "counts": dict(sorted(counts.items())),
        "entries": collector.entries,
    }


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    collector = config.stash.get(_COLLECTOR, None)
    if collector is None:
        return
    if getattr(config, "workerinput", None) is not None:  # an xdist worker: the controller reports
        config.workeroutput[_WORKER_OUTPUT] = collector.entries  # type: ignore[attr-defined]
        return
    data = report(collector, config.stash[_MODE])
    path = _report_path(config)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if data["fails_session"] and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _shorten(text: str) -> str:
    text = text.replace(" (see " + _misuse.DOCS + ")", "")
    return text if len(text) <= MESSAGE_SHOWN else text[:MESSAGE_SHOWN - 3] + "..."


def verdict_lines(collector: Collector, mode: str) -> list[str]:
    """The terminal section: one block per code, each entry with its test and the user's line."""
    entries = collector.entries
    by_code: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_code.setdefault(str(entry["code"]), []).append(entry)
    tests = {e.get("test") for e in entries if e.get("test")}
    lines = [f"{len(entries)} finding(s) of {len(by_code)} kind(s) in {len(tests)} test(s)"
             + (" (--claude-files-verdict=fail: the session fails)" if mode == "fail" else "")]
    for code, items in sorted(by_code.items()):
        lines.append(f"{code} ({len(items)}): {_misuse.CODES.get(code, '')}")
        for entry in items[:MAX_LINES_PER_CODE]:
            test = entry.get("test") or "outside a test"
            where = f" at {entry['where']}" if entry.get("where") else ""
            raised = " [raised as an error by the warning filters]" if entry.get("escalated") else ""
            lines.append(f"  {test}{where}{raised}: {_shorten(str(entry['message']))}")
        if len(items) > MAX_LINES_PER_CODE:
            lines.append(f"  ... and {len(items) - MAX_LINES_PER_CODE} more")
    if collector.escalated:
        lines.append(f"{len(collector.escalated)} notice(s) were raised as errors by the warning filters "
                     "and no test failed with them: the session fails")
    return lines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    config = terminalreporter.config
    if getattr(config, "workerinput", None) is not None:
        return
    collector = config.stash.get(_COLLECTOR, None)
    if collector is None or not collector.entries:
        return
    terminalreporter.write_sep("=", "claude-files verdict")
    for line in verdict_lines(collector, config.stash[_MODE]):
        terminalreporter.write_line(line)
