"""One request straight into an ASGI app, in process (no sockets): the bounds and trust tests
use it to drive the emulator's ``FilesASGIApp`` and read its status and body."""

from __future__ import annotations

import asyncio
from typing import Any, Optional


async def asgi_call(app: Any, method: str, path: str, key: str, body: bytes = b"",
                    host: Optional[bytes] = None) -> tuple[int, bytes]:
    """``(status, body)`` of ``method path`` with ``x-api-key: key`` and a JSON ``body``
    (``host``: a ``Host`` header too). A second ``receive`` waits, as a client that sent
    everything does."""
    sent: list[dict[str, Any]] = []
    done = False

    async def receive() -> dict[str, Any]:
        nonlocal done
        if done:
            await asyncio.sleep(3600)
        done = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"x-api-key", key.encode()), (b"anthropic-version", b"2023-06-01")]
    if host is not None:
        headers.append((b"host", host))
    headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers}
    await app(scope, receive, send)
    status = next(int(m["status"]) for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
