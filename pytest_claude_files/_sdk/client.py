"""SDK clients bound to the fake, whichever ``anthropic`` generation is installed."""

from __future__ import annotations

from importlib import metadata
from typing import Any, Optional

from pytest_claude_files._http.handler import FilesHandler
from pytest_claude_files._http.routes import API_BASE_URL
from pytest_claude_files._sdk.compat import sdk_http_library
from pytest_claude_files._sdk.transports import make_transport

__all__ = [
    "FAKE_API_KEY",
    "FAKE_BASE_URL",
    "make_routed_client",
    "make_sdk_client",
    "sdk_http_library",
    "sdk_version",
]

FAKE_API_KEY = "sk-ant-api03-fake-key-for-tests"
FAKE_BASE_URL = API_BASE_URL


def sdk_version() -> Optional[tuple[int, ...]]:
    """The installed ``anthropic`` version as a tuple, or ``None`` when it is not installed."""
    try:
        text = metadata.version("anthropic")
    except metadata.PackageNotFoundError:
        return None
    nums = []
    for piece in text.split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        nums.append(int(digits or 0))
    return tuple(nums)


def make_sdk_client(
    handler: FilesHandler,
    *,
    is_async: bool = False,
    api_key: Optional[str] = None,
    base_url: str = FAKE_BASE_URL,
    **kwargs: Any,
) -> Any:
    """An ``anthropic.Anthropic`` (or ``AsyncAnthropic``) whose traffic goes to ``handler``."""
    import anthropic

    lib = sdk_http_library()
    transport = make_transport(handler, lib)
    http_client = (lib.AsyncClient if is_async else lib.Client)(transport=transport)
    cls = anthropic.AsyncAnthropic if is_async else anthropic.Anthropic
    return cls(
        api_key=api_key or FAKE_API_KEY,
        base_url=base_url,
        http_client=http_client,
        **kwargs,
    )


def make_routed_client(
    base_url: str = FAKE_BASE_URL, *, is_async: bool = False, api_key: Optional[str] = None, **kwargs: Any
) -> Any:
    """An ``anthropic`` client on the SDK's own default transport (no transport of ours).

    While ``claude_files_respx`` (or ``mock_claude_files``) is active, respx's mockers
    intercept that transport, so the client's requests go through the router's routes:
    scripted results, faults and latency apply to it like to any client in the code under test.
    """
    import anthropic

    cls = anthropic.AsyncAnthropic if is_async else anthropic.Anthropic
    return cls(api_key=api_key or FAKE_API_KEY, base_url=base_url, **kwargs)


def close_async_client(client: Any) -> None:
    """Close an ``AsyncAnthropic`` from synchronous code (a fixture's teardown).

    Its connections may belong to an event loop the test already closed: closing them on a
    new loop then raises ``RuntimeError`` ("Event loop is closed"), and they are gone anyway.
    """
    import asyncio

    if client.is_closed():
        return
    try:
        asyncio.run(client.close())
    except RuntimeError:
        pass
