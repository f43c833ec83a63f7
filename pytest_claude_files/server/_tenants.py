"""Tenants: the emulator keeps each API key's files apart (keys are never stored or shown)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import FakeFilesSettings, FilesResource
from pytest_claude_files._core.service import FakeService
from pytest_claude_files._http.handler import FilesHandler, api_key_of
from pytest_claude_files.errors import FilesAPIError
from pytest_claude_files.server._dirlock import DataDirLock
from pytest_claude_files.server._faults import FaultSchedule
from pytest_claude_files.server._persistence import PersistentFakeFiles, check_data_dir
from pytest_claude_files.server._records import STATE_DIR, DirectoryRecords

SHARED_LABEL = "shared"
CALLS_KEPT = 10_000
"""Recorded calls kept per tenant (the oldest are dropped), so a long run stays small."""
MAX_IDLE_TENANTS = 1024
"""Tenants kept in memory before the least recently used ones that hold nothing are
dropped (a key that only read, or deleted all it made, costs nothing once idle)."""
KEYS_CACHED = 100_000
"""API keys remembered (key -> tenant) so that a known key is not hashed per request."""
_ticks = itertools.count(1)


def tenant_label(api_key: str) -> str:
    """A stable, non-reversible name for a key's space (keys are never stored or shown)."""
    return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


# -- tenants ------------------------------------------------------------------------
@dataclass
class Tenant:
    """One API key's space: its fake, the handler over it, its faults and request counts."""

    label: str
    files: FakeService
    handler: FilesHandler
    seeds: Sequence[Mapping[str, Any]] = ()
    faults: FaultSchedule = field(default_factory=FaultSchedule)
    counts: dict[str, int] = field(default_factory=dict)
    """Requests by operation. Only the server's event loop counts them (``FilesASGIApp``, one
    thread), and a ``dict`` step is atomic under the GIL: no lock where every request passes;
    readers copy under ``_lock``. (A dict: counting in a ``Counter`` costs twice as much.)"""
    records: Optional[DirectoryRecords] = None
    """Where its batches, skills, sessions... and its clock are kept (``--data-dir``)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    serving: list[None] = field(default_factory=list, repr=False)
    """One entry per request being served (entered, not yet left): a tenant serving a
    request is never dropped. A list: ``append`` and ``pop`` are each one step under the
    GIL, so entering takes no lock (every request does it)."""
    last_used: int = 0
    pinned: bool = False
    """Given out to Python code (``Tenants.get``), which may keep it: never dropped."""
    evicted: bool = False
    keys: list[str] = field(default_factory=list, repr=False)

    def enter(self) -> bool:
        """Mark a request as being served here; ``False`` when the tenant was just dropped
        (the caller looks it up again). Lock-free against :meth:`try_evict`: each side
        marks first and looks at the other's mark after, so one of them backs off."""
        self.serving.append(None)
        if self.evicted:
            self.serving.pop()
            return False
        self.last_used = next(_ticks)
        return True

    def leave(self) -> None:
        self.serving.pop()

    @property
    def active(self) -> int:
        """Requests being served now."""
        return len(self.serving)

    def holds_nothing(self) -> bool:
        """Nothing a later request could see would be lost if this tenant were dropped and
        made again: no file, object, scripted reply, fault, hook, changed clock or setting,
        no seeds (those would come back), and no request being served."""
        kept = self.records is not None  # --data-dir: files, objects and clock come back from disk
        return (not self.active and not self.pinned and (kept or not self.seeds) and not self.faults.pending()
                and not self.handler.hooks and self.files.is_empty(kept))

    def try_evict(self) -> bool:
        """Drop this tenant if it holds nothing and serves nothing (see :meth:`enter`)."""
        with self._lock:
            if self.evicted or not self.holds_nothing():
                return False
            self.evicted = True
            # a request entered meanwhile keeps the tenant; one that entered, stored something
            # and left between the first look and the mark shows in a second look at the state
            if self.serving or not self.holds_nothing():
                self.evicted = False
                return False
            return True

    def request_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    def reset(self) -> None:
        """Back to the start: no files (but the seeds), no calls, no counts, no faults,
        and a clock that follows real time again."""
        self.files.reset()
        clock = FakeClock()
        if self.records is not None:
            self.records.watch(clock)
        self.files.clock = clock
        self.faults.clear()
        with self._lock:
            self.counts.clear()
        self.apply_seeds()

    def apply_seeds(self) -> None:
        from pytest_claude_files.server._seed import file_spec_kwargs

        for spec in self.seeds:
            self.files.add_file(**file_spec_kwargs(spec))
        self.files.calls.clear()


class Tenants:
    """The server's spaces: one :class:`Tenant` per API key (or one shared space).

    A request without a key, or with a key outside ``settings.api_keys``, goes to a
    tenant that holds nothing, whose handler answers 401 as the API does.
    """

    def __init__(
        self,
        settings: Optional[FakeFilesSettings] = None,
        *,
        shared: bool = False,
        data_dir: Optional[os.PathLike[str] | str] = None,
        seeds: Sequence[Mapping[str, Any]] = (),
        control_token: Optional[str] = None,
    ) -> None:
        self.settings = settings or FakeFilesSettings()
        self.control_token = control_token or None
        self.warnings: list[str] = []
        """What the start found wrong on disk and set aside (quarantined files), one line each."""
        self.shared = shared
        self.data_dir = None if data_dir is None else Path(data_dir)
        self.seeds = list(seeds)
        self._tenants: dict[str, Tenant] = {}
        self._by_key: dict[str, Tenant] = {}  # a cache: no hashing of the key per request
        self._lock = threading.Lock()
        self.max_idle = MAX_IDLE_TENANTS
        """Tenants kept before idle empty ones are dropped, least recently used first."""
        self.evicted = 0
        """How many idle empty tenants were dropped so far."""
        self._outsider = self._make("outsider", persistent=False, seeded=False)
        self.dir_lock: Optional[DataDirLock] = None
        if self.data_dir is not None:
            no_room = check_data_dir(self.data_dir)
            if no_room is not None:
                self.warnings.append(no_room)
            self.dir_lock = DataDirLock(self.data_dir)  # one server per directory
            # Bring back every space that was persisted (keys are not stored: labels are).
            root = self.data_dir / "tenants"
            for path in sorted(root.iterdir()) if root.is_dir() else ():
                if path.is_dir():
                    tenant = self._tenants[path.name] = self._make(path.name)
                    self.warnings.extend(getattr(tenant.files.files, "start_warnings", ()))
                    self.warnings.extend(tenant.records.start_warnings if tenant.records else ())
            if len(self._tenants) > self.max_idle:  # what is on disk comes back when asked for
                with self._lock:
                    self._drop_idle()

    def close(self) -> None:
        """Give the data directory's lock back (the server stopped)."""
        if self.dir_lock is not None:
            self.dir_lock.release()

    def __len__(self) -> int:
        return len(self._tenants)

    def __iter__(self) -> Any:
        return iter(list(self._tenants.values()))

    def _make(self, label: str, *, persistent: bool = True, seeded: bool = True) -> Tenant:
        fresh = True
        records: Optional[DirectoryRecords] = None
        if persistent and self.data_dir is not None:
            directory = self.data_dir / "tenants" / label
            fresh = not directory.exists()  # seeded once: a tenant that deleted them keeps them gone
            records = DirectoryRecords(directory / STATE_DIR, quarantine=self.data_dir / "quarantine" / label)
            clock = records.load_clock()  # before the files: an expired file stays expired
            files = FakeService(files=PersistentFakeFiles(
                directory, self.settings, clock=clock, calls_kept=CALLS_KEPT
            ), records=records)
        else:  # the record of calls is bounded by the resource itself (CALLS_KEPT)
            files = FakeService(files=FilesResource(self.settings, clock=FakeClock(), calls_kept=CALLS_KEPT))
        tenant = Tenant(label, files, FilesHandler(files), self.seeds if seeded else (), records=records)
        if fresh and seeded:
            try:
                tenant.apply_seeds()
            except FilesAPIError as exc:  # a full disk: the tenant starts without them
                self.warnings.append(f"tenant {label}: its seed files were not stored: {exc.message}")
        return tenant

    def get(self, api_key: str) -> Tenant:
        """The tenant of ``api_key`` (made on first use), for Python code: it is pinned
        (never dropped while idle), since the caller may keep it."""
        tenant = self._lookup(api_key)
        tenant.pinned = True
        return tenant

    def _lookup(self, api_key: str) -> Tenant:
        cached = self._by_key.get(api_key)
        if cached is not None:
            return cached
        label = SHARED_LABEL if self.shared else tenant_label(api_key)
        with self._lock:
            tenant = self._tenants.get(label)
            if tenant is None:
                if len(self._tenants) >= self.max_idle:
                    self._drop_idle()
                tenant = self._tenants[label] = self._make(label)
                tenant.last_used = next(_ticks)
            if len(self._by_key) < KEYS_CACHED:
                self._by_key[api_key] = tenant
                tenant.keys.append(api_key)
        return tenant

    def enter(self, api_key: str) -> Tenant:
        """The tenant of ``api_key``, marked active until :meth:`Tenant.leave`."""
        while True:
            tenant = self._lookup(api_key)
            if tenant.enter():
                return tenant

    def _drop_idle(self) -> None:
        """Under ``_lock``: drop the least recently used tenants that hold nothing, down to
        three quarters of ``max_idle`` (so a sweep runs once per quarter of new keys)."""
        target = self.max_idle * 3 // 4
        for tenant in sorted(self._tenants.values(), key=lambda t: t.last_used):
            if len(self._tenants) <= target:
                break
            if tenant.try_evict():
                del self._tenants[tenant.label]
                for key in tenant.keys:
                    if self._by_key.get(key) is tenant:
                        del self._by_key[key]
                tenant.keys.clear()
                self.evicted += 1

    def accepts(self, api_key: str) -> bool:
        keys = self.settings.api_keys
        return bool(api_key) and (keys is None or api_key in keys)

    def for_request(self, headers: Mapping[str, str]) -> Tenant:
        """The tenant a Files API request belongs to, entered (call its ``leave()`` once
        the request is answered)."""
        known = self._by_key.get(headers.get("x-api-key", ""))
        if known is not None and known.enter():  # (the eviction protocol lives in enter() alone)
            return known
        key = api_key_of(headers)
        if key and self.accepts(key):
            return self.enter(key)
        self._outsider.enter()
        return self._outsider

    def for_control(self, headers: Mapping[str, str]) -> Optional[Tenant]:
        """The tenant a control request acts on, entered (as :meth:`for_request`): the
        caller's own (its accepted key's); ``None`` without one. With ``--shared`` and no
        ``--api-key``, the key may be left out."""
        key = api_key_of(headers)
        if key and self.accepts(key):
            return self.enter(key)
        if self.shared and not key and self.settings.api_keys is None:
            return self.enter("")
        return None

    def is_admin(self, headers: Mapping[str, str]) -> bool:
        """Whether a control request carries the admin token given at start (``--control-token``)."""
        token = self.control_token
        sent = headers.get("x-control-token", "")
        return token is not None and hmac.compare_digest(sent.encode(), token.encode())

    def reset_all(self) -> int:
        tenants = list(self._tenants.values())
        for tenant in tenants:
            tenant.reset()
        return len(tenants)
