"""A small multipart/form-data parser that does not copy the parts' bytes.

Each part's data is a ``memoryview`` into the request body, so a 256 MiB upload costs
the body once, not twice. The body may also be an ``mmap.mmap`` (the emulator server
spools large uploads to a temporary file and maps it): then boundaries are searched
window by window and each scanned window is released again (``MADV_DONTNEED``), so
parsing a 500 MB upload does not make the process resident in 500 MB. Malformed bodies
raise ``InvalidRequestError``.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass, field
from typing import Callable, Optional, Union
from urllib.parse import unquote

from pytest_claude_files.errors import InvalidRequestError

Body = Union[bytes, bytearray, memoryview, mmap.mmap]

SCAN_WINDOW = 8 * 1024 * 1024
"""Bytes of a mapped body searched (and then released) at a time."""


@dataclass
class Part:
    name: str
    filename: Optional[str]
    content_type: Optional[str]
    data: memoryview
    headers: dict[str, str] = field(default_factory=dict)


_PARAM_RE = re.compile(
    r';\s*([A-Za-z0-9_.*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.DOTALL
)


def parse_header_params(value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="file"; filename="a.txt"`` -> ``("form-data", {...})``."""
    head, sep, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(sep + rest):
        key, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):
            charset, _, encoded = raw.partition("''")
            try:
                raw = unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                raise InvalidRequestError(f"multipart: cannot decode parameter {key}.") from None
            key = key[:-1]
            params[key] = raw
            continue
        params.setdefault(key, raw)
    return head.strip().lower(), params


def boundary_of(content_type: Optional[str]) -> bytes:
    if not content_type:
        raise InvalidRequestError(
            "Content-Type must be multipart/form-data with a file part named `file`."
        )
    kind, params = parse_header_params(content_type)
    if kind != "multipart/form-data":
        raise InvalidRequestError(
            f"Content-Type must be multipart/form-data, got {kind!r}."
        )
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise InvalidRequestError("multipart/form-data needs a boundary parameter.")
    try:
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidRequestError("multipart boundary must be ASCII.") from None


def parse_multipart(content_type: Optional[str], body: Body) -> list[Part]:
    """The parts of a multipart/form-data body."""
    boundary = boundary_of(content_type)
    raw: Union[bytes, bytearray, mmap.mmap]
    if isinstance(body, (bytes, bytearray, mmap.mmap)):
        raw = body
    elif isinstance(body.obj, (bytes, bytearray, mmap.mmap)) and body.nbytes == len(body.obj):
        raw = body.obj  # a view of a whole buffer: search the buffer itself, no copy
    else:
        raw = bytes(body)
    view = memoryview(raw)
    find = _windowed_find(raw) if isinstance(raw, mmap.mmap) else raw.find
    delimiter = b"--" + boundary
    pos = find(delimiter, 0)
    if pos < 0:
        raise InvalidRequestError("multipart body has no boundary line.")
    parts: list[Part] = []
    pos += len(delimiter)
    while True:
        if raw[pos:pos + 2] == b"--":
            return parts
        if raw[pos:pos + 2] != b"\r\n":
            raise InvalidRequestError("multipart body is malformed (no CRLF after boundary).")
        pos += 2
        header_end = find(b"\r\n\r\n", pos)
        if header_end < 0:
            raise InvalidRequestError("multipart part has no end of headers.")
        headers = _parse_part_headers(bytes(raw[pos:header_end]))
        data_start = header_end + 4
        next_delim = find(b"\r\n" + delimiter, data_start)
        if next_delim < 0:
            raise InvalidRequestError("multipart body is truncated (no closing boundary).")
        disposition = headers.get("content-disposition")
        if disposition is None:
            raise InvalidRequestError("multipart part has no Content-Disposition header.")
        kind, params = parse_header_params(disposition)
        if kind != "form-data" or "name" not in params:
            raise InvalidRequestError("multipart part must be form-data with a name.")
        parts.append(
            Part(
                name=params["name"],
                filename=params.get("filename"),
                content_type=headers.get("content-type"),
                data=view[data_start:next_delim],
                headers=headers,
            )
        )
        pos = next_delim + 2 + len(delimiter)


def _windowed_find(mapped: mmap.mmap) -> Callable[[bytes, int], int]:
    """``mapped.find``, window by window, releasing each searched window's pages."""
    page = mmap.PAGESIZE
    can_release = hasattr(mapped, "madvise") and hasattr(mmap, "MADV_DONTNEED")

    def find(needle: bytes, start: int) -> int:
        size = len(mapped)
        while start < size:
            end = min(size, start + SCAN_WINDOW + len(needle) - 1)
            found = mapped.find(needle, start, end)
            if can_release:
                low = start - start % page
                try:
                    mapped.madvise(mmap.MADV_DONTNEED, low, end - low)
                except (OSError, ValueError):  # pragma: no cover - best effort
                    pass
            if found >= 0 or end == size:
                return found
            start = end - len(needle) + 1
        return -1

    return find


def _parse_part_headers(block: bytes) -> dict[str, str]:
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequestError("multipart part headers are not valid UTF-8.") from None
    headers: dict[str, str] = {}
    for line in text.split("\r\n"):
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise InvalidRequestError(f"multipart part header is malformed: {line[:80]!r}.")
        headers[name.strip().lower()] = value.strip()
    return headers
