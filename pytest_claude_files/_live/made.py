"""Files the API made in reply to a request: found in the answer as it passes, JSON or SSE.

Code execution (and Skills, which run in the same container) writes files that become
Files API files of the account; a Messages answer names each in an output block
(``{"type": "bash_code_execution_output", "file_id": "file_01…"}``, or
``code_execution_output`` for the older tool), inside the tool-result blocks
(MESSAGES_FILES.md, "Files that Claude's tools create"). The session deletes them like
uploads, so they are recorded in the ledger the moment their block has arrived:

- a JSON answer is parsed when its last byte has arrived (before the SDK hands the
  ``Message`` to the test);
- an event stream is parsed event by event (a tool-result block arrives whole in its
  ``content_block_start``), so a test that stops reading halfway has its files recorded
  as far as they came.

:class:`MadeFilesScanner` takes the decoded bytes of one answer; :func:`watch_response`
hooks it into an httpx/httpx2 ``Response`` without changing what the SDK reads.
"""

from __future__ import annotations

import json
import re
from typing import Any, AsyncIterator, Callable, Iterator, Optional

__all__ = [
    "MAX_SCANNED_BYTES",
    "MadeFilesScanner",
    "made_file_ids",
    "makes_files",
    "watch_response",
]

MAX_SCANNED_BYTES = 64 * 1024 * 1024
"""An answer longer than this is not scanned further (a Messages answer is far smaller)."""
_MAKING_PATHS = (re.compile(r"^/v1/messages$"),)
"""``POST`` paths whose answers can name files the API made (add rows for further resources)."""
_OUTPUT_SUFFIX = "_output"


def makes_files(method: str, path: str) -> bool:
    """Whether a ``method`` request to ``path`` (below the base URL) can answer made files."""
    return method == "POST" and any(p.match(path.rstrip("/")) for p in _MAKING_PATHS)


def made_file_ids(obj: Any) -> list[str]:
    """The ``file_id`` of every output block in ``obj`` (a decoded answer or event), in order."""
    found: list[str] = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            kind = item.get("type")
            file_id = item.get("file_id")
            if isinstance(kind, str) and kind.endswith(_OUTPUT_SUFFIX) and isinstance(file_id, str):
                found.append(file_id)
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return list(dict.fromkeys(found))


class MadeFilesScanner:
    """Feed it the decoded bytes of one answer; ``on_made(file_id)`` is called for each made file."""

    def __init__(self, content_type: str, on_made: Callable[[str], None]) -> None:
        self.stream = content_type.split(";", 1)[0].strip().lower() == "text/event-stream"
        self.on_made = on_made
        self.closed = False
        self.seen: set[str] = set()
        self._buffer = bytearray()
        self._size = 0

    def _found(self, obj: Any) -> None:
        for file_id in made_file_ids(obj):
            if file_id not in self.seen:
                self.seen.add(file_id)
                self.on_made(file_id)

    def feed(self, chunk: bytes) -> None:
        if self.closed or self._size > MAX_SCANNED_BYTES:
            return
        self._size += len(chunk)
        self._buffer += chunk
        if self.stream:
            self._events(final=False)

    def _events(self, *, final: bool) -> None:
        text = bytes(self._buffer).replace(b"\r\n", b"\n")
        *whole, rest = text.split(b"\n\n")
        if final:
            whole.append(rest)
            rest = b""
        self._buffer = bytearray(rest)
        for event in whole:
            lines = event.split(b"\n")
            data = b"\n".join(line[5:].lstrip(b" ") for line in lines if line.startswith(b"data:"))
            if data and b"file_id" in data:
                try:
                    self._found(json.loads(data))
                except ValueError:
                    continue

    def close(self) -> None:
        """The answer is complete: parse a JSON body (an event stream's last event too)."""
        if self.closed:
            return
        self.closed = True
        if self._size > MAX_SCANNED_BYTES:
            return
        if self.stream:
            self._events(final=True)
        elif b"file_id" in self._buffer:
            try:
                self._found(json.loads(bytes(self._buffer)))
            except ValueError:
                pass
        self._buffer = bytearray()


def watch_response(response: Any, on_made: Callable[[str], None]) -> Optional[MadeFilesScanner]:
    """Scan ``response`` (httpx or httpx2, sync or async) as the SDK reads it.

    Wraps the response's ``iter_bytes`` / ``aiter_bytes`` (what ``read()``, ``aread()`` and the
    SDK's event streams read through), so the bytes are the decoded ones and the SDK gets them
    unchanged. Only answers of a JSON or event-stream type are watched.
    """
    content_type = str(response.headers.get("content-type", ""))
    base = content_type.split(";", 1)[0].strip().lower()
    if base not in ("application/json", "text/event-stream"):
        return None
    scanner = MadeFilesScanner(content_type, on_made)
    sync_iter = response.iter_bytes
    async_iter = response.aiter_bytes

    def iter_bytes(chunk_size: Optional[int] = None) -> Iterator[bytes]:
        for chunk in sync_iter(chunk_size):
            scanner.feed(chunk)
            yield chunk
        scanner.close()

    async def aiter_bytes(chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        async for chunk in async_iter(chunk_size):
            scanner.feed(chunk)
            yield chunk
        scanner.close()

    response.iter_bytes = iter_bytes
    response.aiter_bytes = aiter_bytes
    return scanner
