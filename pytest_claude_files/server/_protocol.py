"""uvicorn's HTTP/1.1 protocol with the emulator's bounds: a deadline for request headers
(slow or stuck clients are closed, so a few dozen sockets cannot use up the server) and the
API's JSON envelope, not text/plain, when the request line or headers are refused.

Imported only when a server starts (uvicorn is an optional dependency of the plugin).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from pytest_claude_files._core import ids as _ids

__all__ = ["BoundedH11Protocol"]


class BoundedH11Protocol(H11Protocol):
    """``H11Protocol`` plus a header deadline (``header_timeout`` seconds; see :meth:`bounded`).

    The deadline starts when a connection opens, or when the first byte of a next request
    arrives on a kept-alive one, and does not move with each byte (a client sending one
    byte a second is closed all the same). Idle kept-alive connections are uvicorn's
    ``timeout_keep_alive``; a stuck body is the app's ``read_timeout`` (a 408 envelope).
    """

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_deadline: Optional[asyncio.TimerHandle] = None
        self.max_head_bytes: int = config.h11_max_incomplete_event_size or 16 * 1024

    header_timeout: float = 30.0

    @classmethod
    def bounded(cls, header_timeout: float) -> type[BoundedH11Protocol]:
        """This protocol with another header deadline (uvicorn takes a class, not an instance)."""
        return type(cls.__name__, (cls,), {"header_timeout": header_timeout})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.header_deadline is None and self._between_requests():
            self._arm()
        super().data_received(data)
        if not self._between_requests():
            self._disarm()  # the headers are in: the request is the app's now

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """The request line or headers could not be parsed, or were over the parser's bound:
        the API's envelope (414 for a request line that never ended, else 400), then close."""
        data, _ = self.conn.trailing_data
        oversized = len(data) > self.max_head_bytes
        status, message = 400, "Invalid HTTP request: the request line or headers could not be parsed."
        if oversized and b"\n" not in data:
            status, message = 414, "Request-URI too long."
        elif oversized:
            message = f"Request header fields too large (more than {self.max_head_bytes} bytes)."
        request_id = _ids.new_request_id()
        body = json.dumps({"type": "error", "error": {"type": "invalid_request_error", "message": message},
                           "request_id": request_id}).encode()
        head = [(b"content-type", b"application/json"), (b"request-id", request_id.encode()),
                (b"connection", b"close"), (b"content-length", str(len(body)).encode())]
        try:
            for event in (h11.Response(status_code=status, headers=head), h11.Data(data=body),
                          h11.EndOfMessage()):
                self.transport.write(self.conn.send(event) or b"")
        except h11.LocalProtocolError:
            pass  # h11 cannot answer in this state: just close
        self.transport.close()

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self.header_deadline = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _expire(self) -> None:
        self.header_deadline = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()
