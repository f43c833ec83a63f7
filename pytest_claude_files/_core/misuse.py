"""Client-misuse notices: patterns that pass against the fake but bite in production.

The fake records each notice (``FakeFiles.warnings``) and warns with
:class:`~pytest_claude_files.errors.ClaudeFilesMisuseWarning`. A warning that the
warning filters turn into an exception (``-W error::...``) is kept, not raised inside
the request (that would become a 500 the SDK retries): the plugin fails the test with it
at teardown, as it does for every notice under ``misuse_warnings="error"``.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from dataclasses import dataclass, field
from typing import Optional

__all__ = ["CODES", "ListingTracker", "Misuse", "MisuseLog"]

CODES = {
    "container-upload-ignored": "a container_upload block in a request without a code execution tool",
    "beta-dialect-trap": "a client that paginates with next_page was served beta-dialect pages",
    "octet-stream-upload": "an upload stored as application/octet-stream whose extension says otherwise",
    "unfinished-listing": "a listing stopped at a page that said there was more",
    "unknown-beta": "an anthropic-beta name the fake does not know",
}
"""Every notice the fake gives, by code (docs/fidelity.md, section Warnings)."""

DOCS = "claude-files-fake docs fidelity#warnings"


@dataclass(frozen=True)
class Misuse:
    """One notice: its ``code`` (a key of ``CODES``) and the message shown to the user."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@dataclass
class MisuseLog:
    """The notices of one fake, and those the warning filters escalated to errors."""

    mode: str = "warn"
    records: list[Misuse] = field(default_factory=list)
    escalated: list[Misuse] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def notice(self, code: str, message: str, *, once_key: Optional[str] = None) -> None:
        """Record (and, unless ``ignore``, warn) once per ``(code, once_key or message)``."""
        key = (code, once_key if once_key is not None else message)
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            item = Misuse(code, f"{message} (see {DOCS})")
            self.records.append(item)
        if self.mode == "ignore":
            return
        from pytest_claude_files.errors import ClaudeFilesMisuseWarning  # made on first use (pytest)

        try:
            warnings.warn(ClaudeFilesMisuseWarning(str(item)), stacklevel=_caller_level())
        except ClaudeFilesMisuseWarning:
            with self._lock:
                self.escalated.append(item)

    def failures(self) -> list[Misuse]:
        """What must fail the test: every notice under ``error``, else the escalated ones."""
        return list(self.records) if self.mode == "error" else list(self.escalated)

    def clear(self) -> None:
        with self._lock:
            self.records.clear()
            self.escalated.clear()
            self._seen.clear()


_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.dirname(path)) + os.sep
    for path in (__file__,)
) + tuple(
    os.path.join(os.path.dirname(os.__file__), name) for name in ("asyncio", "threading.py", "concurrent")
)
_SKIPPED_PACKAGES = (
    "anthropic", "httpx", "httpx2", "httpcore", "anyio", "respx", "sniffio", "uvicorn", "h11",
)


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside this package, the SDK and its HTTP stack,
    so the warning points at the user's line that made the request."""
    frame = sys._getframe(2)  # the caller of notice()
    level = 2
    while frame is not None:
        name = frame.f_code.co_filename
        module = frame.f_globals.get("__name__", "")
        if not (name.startswith(_LIBRARY_DIRS) or module.split(".")[0] in _SKIPPED_PACKAGES):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return 2


@dataclass
class ListingTracker:
    """Pages served that said "there is more", and whether the next page was asked for.

    Decision (docs/fidelity.md, ``warnings.unfinished-listing``): only a page the caller
    asked for **without** ``limit`` counts (a beta page served to a client that paginates
    with ``next_page`` counts always: that is the beta-dialect trap). Code that sets
    ``limit=`` and takes one page
    chose its page size; code that never set one and stopped after the default 20 read
    one page as if it were everything. A page is finished when any later request asks
    for the cursor that continues it (``after_id`` = its ``last_id``, or ``page`` = its
    ``next_page``), in the same scope.
    """

    open: dict[tuple[str, Optional[str], Optional[str], str], tuple[int, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def served(self, dialect: str, scope_id: Optional[str], workspace: Optional[str], cursor: str,
               count: int, note: str = "") -> None:
        """A page with more was served; ``note`` is the client's description for a trap notice."""
        with self._lock:
            self.open[(dialect, scope_id, workspace, cursor)] = (count, note)

    def continued(self, dialect: str, scope_id: Optional[str], workspace: Optional[str],
                  cursor: Optional[str]) -> None:
        if cursor is None or not self.open:
            return
        with self._lock:
            self.open.pop((dialect, scope_id, workspace, cursor), None)

    def unfinished(self) -> list[tuple[str, int, str]]:
        """``(dialect, count, note)`` of each page whose next page nobody asked for."""
        with self._lock:
            return [(key[0], count, note) for key, (count, note) in self.open.items()]

    def clear(self) -> None:
        with self._lock:
            self.open.clear()
