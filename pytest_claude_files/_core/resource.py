"""The base of the resources beside Files and Messages (Batches, Skills, Managed Agents).

A resource gets the service it belongs to (what it needs of it is :class:`ServiceLike`,
so that resource modules need not import ``_core/service.py``, which imports them), is
reset with it, and is asked at the end of a test for the problems that must fail it.
``_core/service.py`` re-exports :class:`Resource`.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Protocol

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import FilesResource
from pytest_claude_files._core.misuse import MisuseLog
from pytest_claude_files._core.settings import FakeFilesSettings
from pytest_claude_files._core.storage import RecordStorage
from pytest_claude_files.errors import FilesAPIError

__all__ = ["Renamed", "Resource", "ServiceLike"]


class ServiceLike(Protocol):
    """What a resource sees of the service root (``FakeService`` is one)."""

    files: FilesResource
    misuse: MisuseLog
    records: RecordStorage

    @property
    def settings(self) -> FakeFilesSettings: ...

    @property
    def clock(self) -> FakeClock: ...


class Resource:
    """What the service asks of a resource besides Files and Messages (Batches, Skills,
    Sessions): built with the service, reset with it, and asked at the end of a test for
    the problems that must fail it (unused scripted replies, script mistakes)."""

    name: str = ""
    records_loaded = False
    """Set once the service's ``records`` were taken back: from then on a reset clears them."""

    def __init__(self, service: ServiceLike) -> None:
        self.service = service

    def reset(self) -> None:
        """Forget this resource's state (the service's settings and clock stay)."""

    def problems(self) -> list[str]:
        """What fails the test at teardown (none by default)."""
        return []

    def is_empty(self, kept: bool = False) -> bool:
        """Whether this resource holds nothing a later request could see: no object, no
        scripted reply, no setting changed from its default (records of past requests do
        not count); ``kept``: objects the service's ``records`` keep (``--data-dir``) do not
        count either, since they come back from there. The emulator drops an idle tenant
        only when every resource says so, so every resource must answer
        (``tests/test_bounds.py`` checks each one does)."""
        raise NotImplementedError(f"{type(self).__name__}.is_empty")

    def load_records(self) -> None:
        """Once, when the service is made: take back the objects its ``records`` kept
        (a restart of the emulator with ``--data-dir``; nothing by default)."""

    @property
    def keeps_records(self) -> bool:
        """Whether the service's ``records`` keep anything (else no record is built)."""
        return self.service.records.durable

    def _save(self, key: str, record: Mapping[str, Any], *, strict: bool = True, kind: str = "") -> None:
        """Keep an object's record (``strict``: a failure is the request's 500; else, for a
        change a read made, it is let go: the disk keeps the state before it)."""
        try:
            self.service.records.save(kind or self.name, key, record)
        except FilesAPIError:
            if strict:
                raise

    def _clear_records(self, *kinds: str) -> None:
        """A reset (under the resource's lock, so no write of a request can come in between):
        the records of this resource's kinds go too (not at the start: they are still to load)."""
        if self.records_loaded:
            for kind in kinds or (self.name,):
                self.service.records.clear(kind)

    def _drop(self, key: str, *, kind: str = "") -> None:
        self.service.records.drop(kind or self.name, key)


class Renamed:
    """An attribute's first name (it never reached PyPI): reading or setting it raises an
    ``AttributeError`` naming the new one, so ``obj.old = False`` is never a silent no-op."""

    def __init__(self, new: str) -> None:
        self.new = new
        self.name = ""
        self.owner = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.owner = name, owner.__name__

    def _error(self) -> AttributeError:
        return AttributeError(f"{self.owner}.{self.name} is now {self.new} (one vocabulary: "
                              "claude-files-fake docs reference#one-vocabulary)")

    def __get__(self, obj: Any, objtype: Optional[type] = None) -> Any:
        raise self._error()

    def __set__(self, obj: Any, value: Any) -> None:
        raise self._error()
