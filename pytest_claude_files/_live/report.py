"""The cleanup summary a live session prints: ``claude-files: uploaded N, deleted N, left N``."""

from __future__ import annotations

from typing import Optional

from pytest_claude_files._live.backends import (
    ENV_API_KEY,
)
from pytest_claude_files._live.state import OPTION_SWEEP, LiveState

SUMMARY_PREFIX = "claude-files:"
MAX_LEFT_LINES = 20


def summary_lines(state: LiveState) -> list[str]:
    lines: list[str] = []
    if state.backend.missing_key_reason:
        lines.append(f"{SUMMARY_PREFIX} backend real: {ENV_API_KEY} is not set; tests that need it "
                     f"were skipped and nothing was sent")
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
        lines.append(f"{SUMMARY_PREFIX} uploaded {totals.uploaded}, deleted {totals.deleted}, "
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
