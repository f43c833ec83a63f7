"""The base of the resources beside Files and Messages (Message Batches, Skills, Sessions).

It lives apart from ``service.py`` so that a resource module can subclass it while the
service imports the resource (no import cycle); ``service.Resource`` is the same class.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Resource"]


class Resource:
    """What the service asks of a resource besides Files and Messages (Batches, Skills,
    Sessions): built with the service, reset with it, and asked at the end of a test for
    the problems that must fail it (unused scripted replies, script mistakes)."""

    name: str = ""

    def __init__(self, service: Any) -> None:
        self.service = service

    def reset(self) -> None:
        """Forget this resource's state (the service's settings and clock stay)."""

    def problems(self) -> list[str]:
        """What fails the test at teardown (none by default)."""
        return []
