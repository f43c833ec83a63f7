"""Everything that leans on private parts of the anthropic SDK, httpx and httpx2, in one place.

Supported: anthropic 0.125 (httpx), 1.0 and the newest (httpx2); tests/test_compat.py
checks each member below on the installed generation (tox runs the three).

- ``anthropic._base_client``: which HTTP library the SDK is built on (its module global
  ``httpx2`` or ``httpx``), and ``BaseClient._calculate_retry_timeout``, the one place the
  SDK decides how long to wait before a retry (wrapped so the fixtures can record the
  wait and skip it on the fake clock).
- ``Response._content`` / ``Response._request`` of httpx and httpx2: whether a response
  is already read, whether it has its request, and building a read response without
  running the body through the decoders again (several times cheaper).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable, Optional

__all__ = [
    "attach_request",
    "in_memory_response",
    "is_read",
    "patch_retry_timeout",
    "sdk_error_codes",
    "sdk_http_library",
]

RETRY_TIMEOUT = ("anthropic._base_client", "BaseClient", "_calculate_retry_timeout")
"""Module, class and method the SDK computes its retry wait in."""


ERROR_CLASSES = ("anthropic._error_classes", "ERROR_CLASSES")
"""Module and table where SDKs from 2.15 on map ``(status, error_code)`` to a class."""


def sdk_error_codes() -> Optional[dict[str, int]]:
    """``error_code -> status`` of every code the installed SDK maps to a class of its own
    (``None`` for SDKs without the table: 0.x, 1.x and 2.x before 2.15)."""
    module_name, attribute = ERROR_CLASSES
    try:
        table = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None
    return {code: status for (status, code) in table if isinstance(code, str)}


def sdk_http_library() -> ModuleType:
    """The HTTP library the installed SDK is built on: ``httpx2`` (1.0+) or ``httpx``."""
    base = importlib.import_module("anthropic._base_client")
    lib = getattr(base, "httpx2", None) or getattr(base, "httpx", None)
    if not isinstance(lib, ModuleType):  # pragma: no cover - a future SDK layout
        raise RuntimeError("cannot tell which HTTP library the installed anthropic SDK uses")
    return lib


def patch_retry_timeout(monkeypatch: Any, decide: Callable[[float], float]) -> None:
    """Make the SDK wait ``decide(delay)`` where it would wait ``delay`` before a retry.

    ``monkeypatch`` is anything with pytest's ``MonkeyPatch.setattr`` (undone by it).
    """
    module, owner_name, method = RETRY_TIMEOUT
    owner = getattr(importlib.import_module(module), owner_name)
    original = getattr(owner, method)

    def _calculate_retry_timeout(self: Any, *args: Any, **kwargs: Any) -> float:
        return decide(float(original(self, *args, **kwargs)))

    monkeypatch.setattr(owner, method, _calculate_retry_timeout)


def is_read(response: Any) -> bool:
    """True when an httpx/httpx2 ``Response`` holds its body in memory."""
    return hasattr(response, "_content")


def attach_request(response: Any, request: Any) -> None:
    """Give ``response`` its ``request`` unless it has one (``.request`` raises without)."""
    if request is not None and response._request is None:
        response.request = request


def in_memory_response(lib: Any, status: int, headers: Any, content: bytes, request: Any) -> Any:
    """A ``lib.Response`` already read (what ``Response(content=...)`` makes, without
    re-reading the body through the decoders)."""
    response = lib.Response(status, headers=headers, stream=lib.ByteStream(content), request=request)
    response._content = content
    return response
