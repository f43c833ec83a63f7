"""The cleanup summary a live session prints: ``claude-files: uploaded N, deleted N, left N``
(``uploaded 4, made 2, deleted 6, left 0`` when the API made files in reply: code execution's
output files are the session's to delete too)."""

from __future__ import annotations

from typing import Optional

from pytest_claude_files._live.backends import (
    ENV_API_KEY,
)
from pytest_claude_files._live.state import OPTION_RECORD_ALL, OPTION_SWEEP, LiveState

SUMMARY_PREFIX = "claude-files:"
MAX_LEFT_LINES = 20


def summary_lines(state: LiveState) -> list[str]:
    lines: list[str] = []
    if state.backend.missing_key_reason:
        lines.append(_no_key_line(state))
    sw = state.start_sweep
    if state.sweep_ran and (sw.anything or state.sweep_only):
        text = (f"{SUMMARY_PREFIX} swept {sw.found} file{'s' if sw.found != 1 else ''} left by "
                f"earlier sessions: deleted {sw.deleted}, left {len(sw.left)}")
        if sw.other_credentials:
            text += (f"; {sw.other_credentials} more recorded for another key or base URL "
                     f"(kept in the ledger)")
        lines.append(text)
        lines.extend(left_lines(state, sw.left))
    problems = list(sw.problems) + list(state.problems)
    if not state.sweep_only:
        totals = state.totals()
        problems.extend(totals.problems)
        unknown = f"unknown {len(totals.unknown)}, " if totals.unknown else ""
        made = f"made {totals.made}, " if totals.made else ""
        lines.append(f"{SUMMARY_PREFIX} uploaded {totals.uploaded}, {made}deleted {totals.deleted}, "
                     f"{unknown}left {len(totals.left)}")
        lines.extend(left_lines(state, totals.left))
        lines.extend(unknown_lines(totals.unknown))
        if totals.left:
            lines.append(f"{SUMMARY_PREFIX} the ledger keeps what is left: the next session "
                         f"(or pytest {OPTION_SWEEP}) deletes it")
    lines.extend(f"{SUMMARY_PREFIX} warning: {problem}" for problem in dict.fromkeys(problems))
    return [state._redact(line) for line in lines]


def _capped(lines: list[str], more: str) -> list[str]:
    """At most ``MAX_LEFT_LINES`` lines, then one line counting the rest."""
    if len(lines) <= MAX_LEFT_LINES:
        return lines
    return [*lines[:MAX_LEFT_LINES], f"{SUMMARY_PREFIX} ... and {len(lines) - MAX_LEFT_LINES} more {more}"]


def unknown_lines(unknown: list[tuple[str, Optional[str], str]]) -> list[str]:
    return _capped([f"{SUMMARY_PREFIX} unknown: an upload{f' in {test}' if test else ''} "
                    f"to {base_url}: {reason}" for base_url, test, reason in unknown], "unknown")


def left_lines(state: LiveState, left: list[tuple[str, Optional[str], str]]) -> list[str]:
    return _capped([f"{SUMMARY_PREFIX} left {file_id}{f' (uploaded in {test})' if test else ''}: {reason}"
                    for file_id, test, reason in left], "left")


def _no_key_line(state: LiveState) -> str:
    """The real backend without a key: the fixture clients sent nothing, and the clients the
    tests built themselves were counted on their way to the API (``backends.count_sent``)."""
    head = f"{SUMMARY_PREFIX} backend real: {ENV_API_KEY} is not set; tests that need it were skipped"
    totals = state.totals()
    if state.sent is None and not totals.sent:
        return f"{head}; the fixture clients sent nothing"
    if not totals.sent:
        return f"{head} and nothing was sent"
    tests = totals.sent_tests
    where = ""
    if tests:
        shown = ", ".join(tests[:3]) + (f" and {len(tests) - 3} more" if len(tests) > 3 else "")
        where = f" (from {shown})"
    record = ("recorded by --claude-files-record-all with the key each carried" if state.record_all
              else f"not recorded nor cleaned up: only {OPTION_RECORD_ALL} records clients the tests "
                   f"build themselves")
    plural = "s" if totals.sent != 1 else ""
    return (f"{head}, but clients the tests built themselves sent {totals.sent} request{plural} to "
            f"{state.backend.base_url}{where}; their uploads are {record}")
