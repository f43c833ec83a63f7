"""What ``claude_files_server`` yields: a running emulator and this session's key.

Outside ``_plugin`` so that the public name (``pytest_claude_files.ClaudeFilesServer``)
does not reach into the pytest glue; imports only the standard library at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from pytest_claude_files._core.service import FakeFiles
    from pytest_claude_files.server._app import ServerHandle
    from pytest_claude_files.server.control_client import ControlClient

__all__ = ["ClaudeFilesServer"]


class ClaudeFilesServer:
    """What ``claude_files_server`` yields: a running emulator and this session's key.

    - ``base_url``: give it to any client (``anthropic.Anthropic(base_url=...)``, the
      TypeScript SDK, curl);
    - ``api_key``: this session's key (its own space of files on the server);
    - ``control``: the control API client for that space (``reset()``, ``add_file()``,
      ``fail()``, ``drop()``, ``delay()``, ``request_counts()``, ``state()``...);
    - ``client()`` / ``async_client()``: SDK clients pointed at the server;
    - ``files``: the ``FakeFiles`` behind the key, when the server runs in this process.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        handle: Optional[ServerHandle] = None,
        *,
        max_retries: Optional[int] = None,
    ) -> None:
        from pytest_claude_files.server.control_client import ControlClient

        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.handle = handle
        self.max_retries = max_retries
        self.control: ControlClient = ControlClient(self.base_url, api_key)

    def __repr__(self) -> str:
        where = "in-process" if self.handle is not None else "external"
        return f"<ClaudeFilesServer {self.base_url} ({where})>"

    @property
    def files(self) -> FakeFiles:
        """The in-process ``FakeFiles`` of this session's key (not for an external server)."""
        if self.handle is None:
            raise RuntimeError(
                f"claude_files_server.files: the server at {self.base_url} runs in another "
                "process; use claude_files_server.control.state() instead."
            )
        return self.handle.files(self.api_key)

    def internal_errors(self) -> list[Any]:
        """Internal errors of the fake (bugs answered with a 500) of every key's space, when
        the server runs in this process; an external server logs its own."""
        if self.handle is None:
            return []
        return [error for tenant in self.handle.tenants for error in tenant.handler.internal_errors]

    def reset(self) -> None:
        """Forget this session's files, calls, counts and faults on the server."""
        self.control.reset()

    def _kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("api_key", self.api_key)
        if self.max_retries is not None:
            kwargs.setdefault("max_retries", self.max_retries)
        return kwargs

    def client(self, **kwargs: Any) -> Any:
        """An ``anthropic.Anthropic`` talking real HTTP to the server."""
        import anthropic

        return anthropic.Anthropic(**self._kwargs(kwargs))

    def async_client(self, **kwargs: Any) -> Any:
        """An ``anthropic.AsyncAnthropic`` talking real HTTP to the server."""
        import anthropic

        return anthropic.AsyncAnthropic(**self._kwargs(kwargs))
