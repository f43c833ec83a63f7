"""Recording uploads and deleting them again: the logic, with no pytest in it.

- :class:`Secret` holds an API key in memory; its ``repr``/``str`` show a fingerprint.
- :class:`Recorder` is the session's record of uploads and of files the API made in reply
  (in memory, and in the crash-safe ledger of :mod:`._ledger`); the clients' response
  hooks call it.
- :func:`delete_all` deletes a list of uploads, retrying 408/409/429/5xx and connection
  errors with bounded backoff that honours ``retry-after-ms`` / ``retry-after``; a 404
  counts as already gone. It never deletes an id that is not in the list it is given.
- :func:`sweep` claims the ledgers of sessions that are over and deletes what they list
  for the credentials at hand.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Protocol

from pytest_claude_files._live.ledger import (
    LedgerWriter,
    Upload,
    claim_ledgers,
    key_fingerprint,
    ledger_mac_key,
    normalize_base_url,
    valid_file_id,
)

__all__ = [
    "CUT_ANSWER",
    "Attempt",
    "CleanupReport",
    "Deleter",
    "Recorder",
    "RetryPolicy",
    "SDKDeleter",
    "Secret",
    "SweepReport",
    "Unknown",
    "delete_all",
    "redact",
    "sweep",
]


class Secret:
    """An API key kept in memory only; every text form shows its fingerprint instead."""

    __slots__ = ("_value", "fingerprint", "mac_key")

    def __init__(self, value: str) -> None:
        self._value = value
        self.fingerprint = key_fingerprint(value)
        self.mac_key = ledger_mac_key(value)  # signs this key's ledger lines

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"<Secret {self.fingerprint}>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> Any:  # never pickled (xdist, multiprocessing) by accident
        raise TypeError("a claude-files Secret cannot be pickled")


REDACT_ANYWHERE = 12
"""Keys at least this long are redacted wherever they appear; a shorter one (a test's
``k`` or ``test``) only where it stands as a whole token, so the summary's words survive."""


def redact(text: str, secrets: Iterable[Secret]) -> str:
    """``text`` with every key in ``secrets`` replaced by its fingerprint (defence in depth)."""
    for secret in secrets:
        value = secret.reveal()
        if not value or value not in text:
            continue
        shown = f"<key {secret.fingerprint}>"
        if len(value) >= REDACT_ANYWHERE:
            text = text.replace(value, shown)
        else:
            token = re.compile(rf"(?<![A-Za-z0-9_.\-]){re.escape(value)}(?![A-Za-z0-9_.\-])")
            text = token.sub(shown.replace("\\", "\\\\"), text)
    return text


# -- deleting with retries --------------------------------------------------------------

RETRY_STATUSES = frozenset({408, 409, 429})


def should_retry(status: Optional[int]) -> bool:
    """Connection errors (``None``), 408, 409, 429 and every 5xx (529 overloaded too)."""
    return status is None or status in RETRY_STATUSES or status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: at most ``attempts`` tries a file, waits capped at ``max_delay``
    seconds each and ``budget`` seconds in total for a cleanup run."""

    attempts: int = 8
    max_delay: float = 30.0
    base_delay: float = 0.5
    max_backoff: float = 8.0
    budget: float = 300.0

    def delay(self, retry_number: int, headers: Mapping[str, str], rng: random.Random) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based): the server's
        ``retry-after-ms`` / ``retry-after`` when given, else exponential backoff with jitter."""
        hinted = retry_after_seconds(headers)
        if hinted is not None:
            return min(hinted, self.max_delay)
        backoff = min(self.base_delay * 2.0 ** (retry_number - 1), self.max_backoff)
        return float(min(backoff * (1 - 0.25 * rng.random()), self.max_delay))


def retry_after_seconds(headers: Mapping[str, str]) -> Optional[float]:
    """The wait a response asks for: ``retry-after-ms``, then ``retry-after`` (seconds or an HTTP date)."""
    low = {k.lower(): v for k, v in headers.items()}
    ms = low.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000
        except ValueError:
            value = -1
        if value >= 0:
            return value
    text = low.get("retry-after")
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        value = (when - datetime.now(timezone.utc)).total_seconds()
    return max(0.0, value)


@dataclass(frozen=True)
class Attempt:
    """The outcome of one delete request: a status (``None`` for a connection error)."""

    status: Optional[int]
    headers: Mapping[str, str] = field(default_factory=dict)
    error_type: Optional[str] = None
    message: str = ""

    def describe(self) -> str:
        if self.status is None:
            return f"connection error ({self.message or 'no response'})"
        kind = f" {self.error_type}" if self.error_type else ""
        return f"{self.status}{kind}"


class Deleter(Protocol):
    def __call__(self, file_id: str) -> Attempt: ...


@dataclass
class CleanupReport:
    """What a cleanup run did: ``deleted`` (upload, how) and ``left`` (upload, reason)."""

    deleted: list[tuple[Upload, str]] = field(default_factory=list)
    left: list[tuple[Upload, str]] = field(default_factory=list)
    requests: int = 0
    final: list[Upload] = field(default_factory=list)  # left for a reason retrying cannot fix (401, 403)

    def extend(self, other: CleanupReport) -> None:
        self.deleted.extend(other.deleted)
        self.left.extend(other.left)
        self.requests += other.requests
        self.final.extend(other.final)


def delete_all(
    uploads: Iterable[Upload],
    deleter: Deleter,
    policy: RetryPolicy = RetryPolicy(),
    *,
    on_gone: Optional[Callable[[Upload, str], None]] = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: Optional[random.Random] = None,
    deadline: Optional[float] = None,
) -> CleanupReport:
    """Delete each upload once it answers 200 (or 404: already gone); see :class:`RetryPolicy`.

    ``deadline`` (a ``clock()`` value) shares one time budget between calls; by default the
    budget starts now."""
    rng = rng or random.Random()
    report = CleanupReport()
    if deadline is None:
        deadline = clock() + policy.budget
    for upload in uploads:
        tries = 0
        while True:
            tries += 1
            attempt = deleter(upload.file_id)
            report.requests += 1
            if attempt.status is not None and 200 <= attempt.status < 300:
                how = "cleanup"
                break
            if attempt.status == 404:
                how = "already-gone"
                break
            if not should_retry(attempt.status):
                how = ""
                report.left.append((upload, f"delete failed: {attempt.describe()}"))
                report.final.append(upload)
                break
            if tries >= policy.attempts:
                how = ""
                plural = "s" if tries != 1 else ""
                reason = f"delete failed: {attempt.describe()} after {tries} attempt{plural}"
                report.left.append((upload, reason))
                break
            wait = policy.delay(tries, attempt.headers, rng)
            if clock() + wait > deadline:
                how = ""
                report.left.append(
                    (upload, f"delete failed: {attempt.describe()}; cleanup time budget "
                             f"({policy.budget:g} s) used up")
                )
                break
            sleep(wait)
        if how:
            report.deleted.append((upload, how))
            if on_gone is not None:
                on_gone(upload, how)
    return report


class SDKDeleter:
    """Deletes through the installed ``anthropic`` SDK, one request per call (SDK retries off)."""

    def __init__(self, base_url: str, key: Secret, *, timeout: float = 30.0) -> None:
        import anthropic

        self.base_url = base_url
        self._key = key
        self._anthropic = anthropic
        self._client = anthropic.Anthropic(
            api_key=key.reveal(), base_url=base_url, max_retries=0, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"<SDKDeleter {self.base_url} key={self._key.fingerprint}>"

    def __call__(self, file_id: str) -> Attempt:
        anthropic = self._anthropic
        try:
            self._client.beta.files.delete(file_id)
        except anthropic.APIStatusError as exc:
            error_type = getattr(exc, "type", None)
            if error_type is None:
                try:
                    error_type = exc.response.json()["error"]["type"]
                except Exception:
                    error_type = None
            return Attempt(exc.status_code, dict(exc.response.headers), error_type)
        except anthropic.APIConnectionError as exc:
            return Attempt(None, message=redact(type(exc).__name__, [self._key]))
        return Attempt(200)

    def close(self) -> None:
        self._client.close()


# -- the session's record ------------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    """An upload whose outcome is unknown: the server may have stored a file whose id never
    reached us (the answer was lost), so nobody can delete it, and the SDK's retry (if any)
    made a second copy, which is recorded as usual."""

    base_url: str
    test: Optional[str]
    reason: str


CUT_ANSWER = ("the server answered 200 (it stored the file) but the answer broke off before its id "
              "arrived: a retry may have left that copy behind, which nothing can delete")
LOST_ANSWER = ("no answer arrived (a dropped connection or a timeout): the server may have stored "
               "the file, and a retry may have left that copy behind, which nothing can delete")


class Recorder:
    """Every upload the session's clients saw answered, in memory and in the ledger.

    Thread-safe. ``writer`` is ``None`` when nothing is written (tests of this class).
    Per-test trackers (function-scoped cleanup) get each upload too. Uploads that were
    sent and never answered are counted as :class:`Unknown`.
    """

    def __init__(self, writer: Optional[LedgerWriter] = None) -> None:
        self.writer = writer
        self.uploads: dict[tuple[str, str], Upload] = {}
        self.gone: dict[tuple[str, str], str] = {}
        self.keys: dict[str, Secret] = {}
        self.current_test: Optional[str] = None
        self.trackers: list[list[Upload]] = []
        self.ephemeral_urls: set[str] = set()
        self.unknown: list[Unknown] = []
        self._in_flight: dict[int, tuple[Any, str, Optional[str]]] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"<Recorder uploaded={len(self.uploads)} gone={len(self.gone)} unknown={len(self.unknown)}>"

    def record_upload(
        self, file_id: str, base_url: str, key: Secret, *, made: bool = False
    ) -> Optional[Upload]:
        """Record an answered upload (append + fsync to the ledger before returning); ``made``:
        a file the API made in reply to a request (code execution's output), deleted alike."""
        base = normalize_base_url(base_url)
        with self._lock:
            if not valid_file_id(file_id):
                shown = repr(file_id)[:40]
                self.unknown.append(Unknown(base, self.current_test,
                                            f"the answer's id {shown} is not a file id; nothing deletes it"))
                return None
            if (base, file_id) in self.uploads:
                return None  # seen by two hooks (client hook and process-wide patch)
            self.keys.setdefault(key.fingerprint, key)
            upload = Upload(file_id, base, key.fingerprint, self.current_test, base in self.ephemeral_urls,
                            made=made)
            if self.writer is not None:
                self.writer.record_upload(upload, key.mac_key)
            self.uploads[(base, file_id)] = upload
            for tracker in self.trackers:
                tracker.append(upload)
            return upload

    def record_made(self, file_id: str, base_url: str, key: Secret) -> Optional[Upload]:
        """Record a file the API made in reply to a request (an output block of an answer)."""
        return self.record_upload(file_id, base_url, key, made=True)

    @property
    def made(self) -> int:
        """How many of the recorded files the API made (the rest were uploaded)."""
        with self._lock:
            return sum(1 for u in self.uploads.values() if u.made)

    def add_tracker(self, tracker: list[Upload]) -> None:
        """``tracker`` gets every upload recorded from now on (a test's ``claude_files_cleanup``)."""
        with self._lock:
            self.trackers.append(tracker)

    def remove_tracker(self, tracker: list[Upload]) -> None:
        """Stop feeding ``tracker`` (by identity: two trackers may hold equal lists)."""
        with self._lock:
            self.trackers[:] = [t for t in self.trackers if t is not tracker]

    # uploads in flight: sent, not answered yet
    def upload_sent(self, request: Any, base_url: str) -> None:
        """An upload request is about to be sent (the client's request hook)."""
        token = id(request)

        def lost(_ref: Any, token: int = token) -> None:  # the request is gone, never answered
            self._lose(token, LOST_ANSWER)

        try:
            ref: Any = weakref.ref(request, lost)
        except TypeError:  # pragma: no cover - not weak-referenceable: keep it alive
            ref = request
        with self._lock:
            self._in_flight[token] = (ref, normalize_base_url(base_url), self.current_test)

    def upload_answered(self, request: Any) -> None:
        """The server answered the upload request (whatever the status)."""
        with self._lock:
            self._in_flight.pop(id(request), None)

    def is_tracked(self, request: Any) -> bool:
        with self._lock:
            return id(request) in self._in_flight

    def upload_lost(self, request: Any, base_url: str, reason: str = LOST_ANSWER) -> None:
        """The upload was sent (and maybe stored) but its answer did not arrive whole."""
        with self._lock:
            entry = self._in_flight.pop(id(request), None)
            test = entry[2] if entry is not None else self.current_test
            self.unknown.append(Unknown(normalize_base_url(base_url), test, reason))

    def _lose(self, token: int, reason: str) -> None:
        with self._lock:
            entry = self._in_flight.pop(token, None)
            if entry is not None:
                self.unknown.append(Unknown(entry[1], entry[2], reason))

    def settle(self) -> None:
        """Session end: uploads still waiting for an answer count as unknown."""
        with self._lock:
            for token in list(self._in_flight):
                self._lose(token, LOST_ANSWER)

    def record_gone(self, file_id: str, base_url: str, how: str) -> None:
        base = normalize_base_url(base_url)
        with self._lock:
            upload = self.uploads.get((base, file_id))
            if upload is None or (base, file_id) in self.gone:
                return  # never delete-track what this session did not upload
            self.gone[(base, file_id)] = how
            if self.writer is not None:
                key = self.keys.get(upload.key)
                self.writer.record_gone(upload, how, key.mac_key if key is not None else None)

    def mark_gone(self, upload: Upload, how: str) -> None:
        self.record_gone(upload.file_id, upload.base_url, how)

    @property
    def pending(self) -> list[Upload]:
        with self._lock:
            return [u for k, u in self.uploads.items() if k not in self.gone]

    def secrets(self) -> list[Secret]:
        return list(self.keys.values())


# -- sweeping ledgers of sessions that are over ---------------------------------------------


@dataclass
class SweepReport:
    """Ledgers claimed, and what became of their pending uploads."""

    ledgers: int = 0
    cleanup: CleanupReport = field(default_factory=CleanupReport)
    dropped: list[Upload] = field(default_factory=list)  # in-process emulators, gone with their process
    other_credentials: int = 0  # pending uploads for another key or base URL: kept for later
    others: list[Upload] = field(default_factory=list)  # those uploads
    problems: list[str] = field(default_factory=list)  # ledgers or lines skipped, and why
    busy: list[Path] = field(default_factory=list)  # ledgers locked by a writer still running

    @property
    def found(self) -> int:
        return len(self.cleanup.deleted) + len(self.cleanup.left)


def sweep(
    directory: Path,
    deleters: Mapping[tuple[str, str], Deleter],
    policy: RetryPolicy = RetryPolicy(),
    *,
    prefix: str = "",
    exclude: frozenset[Path] = frozenset(),
    secrets: Iterable[Secret] = (),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    deadline: Optional[float] = None,
) -> SweepReport:
    """Delete what the ledgers of sessions that are over still list.

    ``deleters`` maps ``(base_url, key fingerprint)`` to a deleter: only uploads made to
    that base URL with that key are deleted. Uploads to an in-process emulator (marked
    ``ephemeral``) are dropped from the ledger: they went away with their process.
    A line of a key in ``secrets`` is acted on only when its signature checks out.
    """
    report = SweepReport()
    mac_keys = {s.fingerprint: s.mac_key for s in secrets}
    if deadline is None:
        deadline = clock() + policy.budget
    for claimed in claim_ledgers(directory, prefix=prefix, exclude=exclude, mac_keys=mac_keys,
                                 problems=report.problems, busy=report.busy):
        report.ledgers += 1
        try:
            groups: dict[tuple[str, str], list[Upload]] = {}
            for upload in claimed.state.pending:
                if upload.ephemeral:
                    claimed.mark(upload, "dropped", "emulator-gone")
                    report.dropped.append(upload)
                elif upload.target in deleters and upload.key in mac_keys:  # signature checked
                    groups.setdefault(upload.target, []).append(upload)
                else:
                    report.other_credentials += 1
                    report.others.append(upload)
            for target, uploads in groups.items():
                def on_gone(upload: Upload, how: str, _claimed: Any = claimed) -> None:
                    _claimed.mark(upload, "deleted", how)

                report.cleanup.extend(
                    delete_all(uploads, deleters[target], policy, on_gone=on_gone, sleep=sleep,
                               clock=clock, deadline=deadline)
                )
        finally:
            claimed.release()
    return report
