"""Client-misuse notices: patterns that pass against the fake but bite in production.

The fake records each notice (``FakeFiles.warnings``) and warns with
:class:`~pytest_claude_files.errors.ClaudeFilesMisuseWarning`, pointing at the user's
line that caused it (the first frame outside this package, the SDK, its HTTP stack and
pytest; at teardown, the line kept when the request was made). A warning that the
warning filters turn into an exception (``-W error::...``) is kept, not raised inside
the request (that would become a 500 the SDK retries): the plugin fails the test with it
at teardown, as it does for every notice under ``misuse_warnings="error"``.

Every notice, and every lifecycle finding (``FINDING_CODES``: reported by the session
verdict only, never warned), also goes to the callables in :data:`SINKS`: the pytest
plugin's end-of-session verdict collects them there, so no filter makes one disappear.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from dataclasses import dataclass, field
from types import FrameType
from typing import Callable, Optional

__all__ = ["CODES", "FINDING_CODES", "SINKS", "ListingTracker", "Misuse", "MisuseLog", "user_frame"]

CODES = {
    "container-upload-ignored": "a container_upload block in a request without a code execution tool",
    "beta-dialect-trap": "a client that paginates with next_page was served beta-dialect pages",
    "octet-stream-upload": "an upload stored as application/octet-stream whose extension says otherwise",
    "unfinished-listing": "a listing stopped at a page that said there was more",
    "unknown-beta": "an anthropic-beta name the fake does not know",
    "non-retryable-retried": "the same request sent again after an error that retrying cannot fix",
    "retry-after-ignored": "a request sent sooner than the retry-after of the answer before said",
    "expired-file-referenced": "a Messages request referenced a file past its expires_at",
    "duplicate-upload": "the same bytes uploaded again while the first file_id still existed",
    "upload-never-deleted": "a file uploaded and neither deleted nor given an expiry by the end of the test",
}
"""Every notice the fake gives, by code (docs/fidelity.md, section Warnings)."""
FINDING_CODES = frozenset({"duplicate-upload", "upload-never-deleted"})
"""Codes only the session verdict reports (never a warning: a test may do it on purpose)."""

DOCS = "claude-files-fake docs fidelity#warnings"


@dataclass(frozen=True)
class Misuse:
    """One notice: its ``code`` (a key of ``CODES``), the message shown to the user, and
    ``where``: ``"path:line"`` of the user's code that caused it, when known."""

    code: str
    message: str
    where: Optional[str] = None

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


SINKS: list[Callable[[Misuse, bool], None]] = []
"""The last one is called with every notice and finding of every fake, and whether the
warning filters escalated it (the pytest plugin's session verdict; a pytest session run
inside another, as ``pytester`` does, registers last and collects alone). A sink with a
``consumed(items)`` method is told which escalated notices a test was failed with."""


NOTICES_KEPT = 1000
"""Distinct notices one fake records (and warns) at most: a long-lived emulator whose
clients send ever new bad paths does not grow with them (a test never comes near)."""


@dataclass
class MisuseLog:
    """The notices of one fake, those the warning filters escalated to errors, and the
    lifecycle findings."""

    mode: str = "warn"
    records: list[Misuse] = field(default_factory=list)
    escalated: list[Misuse] = field(default_factory=list)
    findings: list[Misuse] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def notice(self, code: str, message: str, *, once_key: Optional[str] = None,
               where: Optional[tuple[str, int]] = None) -> None:
        """Record (and, unless ``ignore``, warn) once per ``(code, once_key or message)``;
        the warning points at ``where`` (``(path, line)``), else at the user's line now."""
        key = (code, once_key if once_key is not None else message)
        with self._lock:
            if key in self._seen or len(self._seen) >= NOTICES_KEPT:
                return
            self._seen.add(key)
        location = where or user_frame()
        item = Misuse(code, f"{message} (see {DOCS})", _format(location))
        with self._lock:
            self.records.append(item)
        escalated = False
        if self.mode != "ignore":
            from pytest_claude_files.errors import ClaudeFilesMisuseWarning  # made on first use (pytest)

            warning = ClaudeFilesMisuseWarning(str(item))
            try:
                if location is not None:
                    warnings.warn_explicit(warning, ClaudeFilesMisuseWarning, location[0], location[1])
                else:
                    warnings.warn(warning, stacklevel=2)
            except ClaudeFilesMisuseWarning:
                escalated = True
                with self._lock:
                    self.escalated.append(item)
        _publish(item, escalated)

    def finding(self, code: str, message: str, *, where: Optional[tuple[str, int]] = None) -> None:
        """A lifecycle finding (``FINDING_CODES``): kept in :attr:`findings` and given to the
        session verdict, never warned."""
        item = Misuse(code, f"{message} (see {DOCS})", _format(where))
        with self._lock:
            self.findings.append(item)
        _publish(item, False)

    def failures(self) -> list[Misuse]:
        """What must fail the test: every notice under ``error``, else the escalated ones."""
        with self._lock:
            escalated = list(self.escalated)
        consumed = getattr(SINKS[-1], "consumed", None) if SINKS else None
        if consumed is not None and escalated:
            consumed(escalated)
        return list(self.records) if self.mode == "error" else escalated

    def clear(self) -> None:
        with self._lock:
            self.records.clear()
            self.escalated.clear()
            self.findings.clear()
            self._seen.clear()


def _publish(item: Misuse, escalated: bool) -> None:
    sinks = SINKS[-1:]
    for sink in sinks:
        try:
            sink(item, escalated)
        except Exception:  # pragma: no cover - a collector must never break a request
            pass


def _format(location: Optional[tuple[str, int]]) -> Optional[str]:
    if location is None:
        return None
    path, line = location
    try:
        shown = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive (Windows)
        shown = path
    return f"{path if shown.startswith('..') else shown}:{line}"


_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.dirname(path)) + os.sep
    for path in (__file__,)
) + tuple(
    os.path.join(os.path.dirname(os.__file__), name)
    for name in ("asyncio", "threading.py", "concurrent", "contextlib.py", "unittest", "functools.py")
)
_SKIPPED_PACKAGES = (
    "anthropic", "httpx", "httpx2", "httpcore", "anyio", "respx", "sniffio", "uvicorn", "h11",
    "_pytest", "pytest", "pluggy",
)


def user_frame() -> Optional[tuple[str, int]]:
    """``(path, line)`` of the first frame outside this package, the SDK, its HTTP stack and
    pytest: the user's line that made the request (``None`` when there is none)."""
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        module = str(frame.f_globals.get("__name__", ""))
        if not (name.startswith(_LIBRARY_DIRS) or module.split(".")[0] in _SKIPPED_PACKAGES
                or name.startswith("<")):
            return name, frame.f_lineno
        frame = frame.f_back
    return None


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
    where: dict[tuple[str, Optional[str], Optional[str], str], tuple[str, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def served(self, dialect: str, scope_id: Optional[str], workspace: Optional[str], cursor: str,
               count: int, note: str = "") -> None:
        """A page with more was served; ``note`` is the client's description for a trap notice."""
        location = user_frame()  # kept: the notice comes at teardown, far from this line
        with self._lock:
            self.open[(dialect, scope_id, workspace, cursor)] = (count, note)
            if location is not None:
                self.where[(dialect, scope_id, workspace, cursor)] = location

    def continued(self, dialect: str, scope_id: Optional[str], workspace: Optional[str],
                  cursor: Optional[str]) -> None:
        if cursor is None or not self.open:
            return
        with self._lock:
            self.open.pop((dialect, scope_id, workspace, cursor), None)
            self.where.pop((dialect, scope_id, workspace, cursor), None)

    def unfinished(self) -> list[tuple[str, int, str]]:
        """``(dialect, count, note)`` of each page whose next page nobody asked for."""
        with self._lock:
            return [(key[0], count, note) for key, (count, note) in self.open.items()]

    def unfinished_at(self) -> list[tuple[str, int, str, Optional[tuple[str, int]]]]:
        """:meth:`unfinished` with the user's line that asked for each page."""
        with self._lock:
            return [(key[0], count, note, self.where.get(key)) for key, (count, note) in self.open.items()]

    def clear(self) -> None:
        with self._lock:
            self.open.clear()
            self.where.clear()
