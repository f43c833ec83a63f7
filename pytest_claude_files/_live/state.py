"""What one pytest session knows of its live uploads: the recorder, the ledger, deleters, counts."""

from __future__ import annotations

import secrets as _secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

import pytest

from pytest_claude_files._core.settings_table import spelling
from pytest_claude_files._live.backends import (
    Backend,
)
from pytest_claude_files._live.cleanup import (
    CleanupReport,
    Deleter,
    Recorder,
    RetryPolicy,
    Secret,
    SweepReport,
    delete_all,
    redact,
)
from pytest_claude_files._live.ledger import LedgerWriter, Upload

OPTION_CLEANUP = spelling("cleanup", "option")  # the names, from the one table (_core/settings_table.py)
OPTION_RECORD_ALL = spelling("record_all", "option")
OPTION_SWEEP = spelling("sweep", "option")
SESSION_INPUT = "claude_files_session"


# -- the session state ---------------------------------------------------------------------


@dataclass
class Totals:
    uploaded: int = 0
    made: int = 0  # files the API made in reply to the session's requests (code execution's output)
    deleted: int = 0
    left: list[tuple[str, Optional[str], str]] = field(default_factory=list)  # id, test, reason
    unknown: list[tuple[str, Optional[str], str]] = field(default_factory=list)  # base URL, test, reason
    problems: list[str] = field(default_factory=list)
    sent: int = 0  # requests any client sent to the real API while it had no key (tests' own clients)
    sent_tests: list[str] = field(default_factory=list)

    def add(self, other: Mapping[str, Any]) -> None:
        self.uploaded += int(other.get("uploaded", 0))
        self.made += int(other.get("made", 0))
        self.deleted += int(other.get("deleted", 0))
        self.left.extend((str(a), b, str(c)) for a, b, c in other.get("left", []))
        self.unknown.extend((str(a), b, str(c)) for a, b, c in other.get("unknown", []))
        self.problems.extend(str(p) for p in other.get("problems", []))
        self.sent += int(other.get("sent", 0))
        self.sent_tests.extend(str(t) for t in other.get("sent_tests", []) if t not in self.sent_tests)

    def add_report(self, report: SweepReport, why: str) -> None:
        """Count a sweep of this session's own ledgers (forked children, dead xdist workers)."""
        self.uploaded += report.found + report.other_credentials
        self.deleted += len(report.cleanup.deleted) + len(report.dropped)
        self.left.extend((u.file_id, u.test, r) for u, r in report.cleanup.left)
        self.left.extend((u.file_id, u.test, f"{why} to {u.base_url} with another key or base URL "
                          f"than the backend's; kept in the ledger") for u in report.others)
        self.problems.extend(report.problems)

    def to_dict(self) -> dict[str, Any]:
        return {"uploaded": self.uploaded, "made": self.made, "deleted": self.deleted,
                "left": [list(x) for x in self.left],
                "unknown": [list(x) for x in self.unknown], "problems": list(self.problems),
                "sent": self.sent, "sent_tests": list(self.sent_tests)}


@dataclass
class SweepTotals:
    found: int = 0
    deleted: int = 0
    left: list[tuple[str, Optional[str], str]] = field(default_factory=list)
    dropped: int = 0
    other_credentials: int = 0
    problems: list[str] = field(default_factory=list)

    def add_report(self, report: SweepReport, reason_suffix: str = "") -> None:
        self.found += report.found
        self.deleted += len(report.cleanup.deleted)
        self.left.extend((u.file_id, u.test, r + reason_suffix) for u, r in report.cleanup.left)
        self.dropped += len(report.dropped)
        self.other_credentials += report.other_credentials
        self.problems.extend(report.problems)

    @property
    def anything(self) -> bool:
        return bool(self.found or self.dropped or self.other_credentials)


class LiveState:
    def __init__(self, config: pytest.Config, backend: Backend, *, cleanup: bool, record_all: bool,
                 policy: RetryPolicy, sweep_only: bool) -> None:
        self.config = config
        self.backend = backend
        self.cleanup = cleanup
        self.record_all = record_all
        self.policy = policy
        self.sweep_only = sweep_only
        workerinput: Optional[dict[str, Any]] = getattr(config, "workerinput", None)
        self.is_worker = workerinput is not None
        self.worker = str(workerinput.get("workerid", "gw")) if workerinput else "main"
        token = workerinput.get(SESSION_INPUT) if workerinput else None
        self.session = str(token) if token else new_session_token()
        self.recorder: Optional[Recorder] = None
        self.writer: Optional[LedgerWriter] = None
        self.ledger_dir: Optional[Path] = None
        self.undo_patch: Optional[Callable[[], None]] = None
        self.deleters: dict[tuple[str, str], Any] = {}
        self.left_reasons: dict[tuple[str, str], str] = {}
        self.server_stopped = False
        self.finished = False
        self.start_sweep = SweepTotals()
        self.sweep_ran = False
        self.workers = Totals()
        self.reported_ledgers: set[Path] = set()
        self.worker_reports = 0
        self.problems: list[str] = []  # ledger problems of this process (warnings in the summary)
        self.own = Totals()  # this process's own ledgers beyond the writer's: forked children
        self.attempted: set[tuple[str, str]] = set()  # uploads no later pass asks for again
        self.deadline: Optional[float] = None  # one time budget for the session's cleanup
        self.sent: Any = None  # a backends.SentCount while the real backend has no key

    # which secrets this process knows (for redaction)
    def secrets(self) -> list[Secret]:
        found = [self.backend.key] if self.backend.key else []
        if self.recorder is not None:
            found.extend(self.recorder.secrets())
        return found

    def deleter_for(self, base_url: str, key: Secret) -> Deleter:
        target = (base_url, key.fingerprint)
        if target not in self.deleters:
            from pytest_claude_files._live.cleanup import SDKDeleter

            self.deleters[target] = SDKDeleter(base_url, key)
        deleter: Deleter = self.deleters[target]
        return deleter

    def close_deleters(self) -> None:
        for deleter in self.deleters.values():
            try:
                deleter.close()
            except Exception:
                pass
        self.deleters.clear()

    def session_deadline(self) -> float:
        """The end of the one time budget that the session's cleanup (and sweeps) share."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.policy.budget
        return self.deadline

    def delete(self, uploads: Iterable[Upload], *, session_pass: bool = False) -> CleanupReport:
        """Delete ``uploads`` (all recorded by this process) with the keys they were made with.

        The session's pass (``session_pass``) runs once per upload, within one time budget;
        a test's own cleanup leaves what it could not delete to it, unless retrying cannot
        help (401, 403)."""
        assert self.recorder is not None
        recorder = self.recorder
        report = CleanupReport()
        uploads = [u for u in uploads if (u.base_url, u.file_id) not in self.attempted]
        deadline = self.session_deadline() if session_pass else None
        groups: dict[tuple[str, str], list[Upload]] = {}
        for upload in uploads:
            groups.setdefault(upload.target, []).append(upload)
        for (base_url, fingerprint), group in groups.items():
            key = recorder.keys.get(fingerprint)
            if group[0].ephemeral and self.server_stopped:
                for upload in group:  # the in-process emulator is gone, and its files with it
                    recorder.mark_gone(upload, "emulator-stopped")
                    report.deleted.append((upload, "emulator-stopped"))
                continue
            if key is None:  # pragma: no cover - every recorded upload has its key
                report.left.extend((u, "no key in memory to delete it") for u in group)
                continue
            report.extend(
                delete_all(group, self.deleter_for(base_url, key), self.policy, on_gone=recorder.mark_gone,
                           deadline=deadline)
            )
        for upload, reason in report.left:
            self.left_reasons[(upload.base_url, upload.file_id)] = reason
        done = uploads if session_pass else report.final
        self.attempted.update((u.base_url, u.file_id) for u in done)
        return report

    def totals(self) -> Totals:
        """This process's counts (plus those of xdist workers, on the controller)."""
        own = Totals()
        if self.recorder is not None:
            recorder = self.recorder
            own.made = recorder.made
            own.uploaded = len(recorder.uploads) - own.made
            own.deleted = len(recorder.gone)
            for upload in recorder.pending:
                reason = self.left_reasons.get((upload.base_url, upload.file_id))
                if reason is None:
                    reason = (f"auto-cleanup is off ({OPTION_CLEANUP}=off)" if not self.cleanup
                              else "not deleted yet")
                own.left.append((upload.file_id, upload.test, self._redact(reason)))
            own.unknown.extend((u.base_url, u.test, u.reason) for u in recorder.unknown)
        if self.sent is not None:
            own.sent = self.sent.requests
            own.sent_tests = list(self.sent.tests)
        own.add(self.own.to_dict())
        own.add(self.workers.to_dict())
        return own

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets())


def new_session_token() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{_secrets.token_hex(4)}"


class FileCleanup:
    """The ``claude_files_cleanup`` fixture: the files this test uploaded, deleted at teardown."""

    def __init__(self, state: LiveState, backend: Optional[Backend]) -> None:
        self._state = state
        self._backend = backend
        self.uploaded: list[Upload] = []

    def __repr__(self) -> str:
        return f"<FileCleanup uploaded={[u.file_id for u in self.uploaded]}>"

    @property
    def file_ids(self) -> list[str]:
        return [u.file_id for u in self.uploaded]

    def track(self, file_id: str) -> None:
        """Also delete ``file_id`` (uploaded to this backend by other means) at teardown."""
        recorder = self._state.recorder
        backend = self._backend
        if recorder is None or backend is None or backend.base_url is None or backend.key is None:
            return  # the fake backend: the fake is thrown away after each test anyway
        upload = recorder.record_upload(file_id, backend.base_url, backend.key)
        if upload is None:  # already recorded by a client hook: make sure we hold it
            found = recorder.uploads.get((backend.base_url, file_id))
            if found is not None and found not in self.uploaded:
                self.uploaded.append(found)

    def delete_now(self) -> list[str]:
        """Delete what this test uploaded so far; returns the ids still left."""
        recorder = self._state.recorder
        if recorder is None:
            return []
        pending = [u for u in self.uploaded if (u.base_url, u.file_id) not in recorder.gone]
        report = self._state.delete(pending)
        return [u.file_id for u, _ in report.left]
