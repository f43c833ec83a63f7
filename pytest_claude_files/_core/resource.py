"""The base of the resources beside Files and Messages (Batches, Skills, Managed Agents).

A resource gets the service it belongs to (what it needs of it is :class:`ServiceLike`,
so that resource modules need not import ``_core/service.py``, which imports them), is
reset with it, and is asked at the end of a test for the problems that must fail it.
``_core/service.py`` re-exports :class:`Resource`.
"""

from __future__ import annotations

from typing import Protocol

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import FilesResource
from pytest_claude_files._core.misuse import MisuseLog
from pytest_claude_files._core.settings import FakeFilesSettings

__all__ = ["Resource", "ServiceLike"]


class ServiceLike(Protocol):
    """What a resource sees of the service root (``FakeService`` is one)."""

    files: FilesResource
    misuse: MisuseLog

    @property
    def settings(self) -> FakeFilesSettings: ...

    @property
    def clock(self) -> FakeClock: ...


class Resource:
    """What the service asks of a resource besides Files and Messages (Batches, Skills,
    Sessions): built with the service, reset with it, and asked at the end of a test for
    the problems that must fail it (unused scripted replies, script mistakes)."""

    name: str = ""

    def __init__(self, service: ServiceLike) -> None:
        self.service = service

    def reset(self) -> None:
        """Forget this resource's state (the service's settings and clock stay)."""

    def problems(self) -> list[str]:
        """What fails the test at teardown (none by default)."""
        return []
