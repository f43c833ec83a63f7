"""What the Hypothesis strategies and the Faker provider share (no hypothesis, no faker).

Constants derived from the core's rules (``_naming``, ``_ids``) and the
``UploadPayload`` type, so that both generators produce the same kinds of values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from pytest_claude_files._core import naming as _naming
from pytest_claude_files.models import Dialect

__all__ = ["DIALECTS", "EXTENSIONS", "INVALID_FILENAME_KINDS", "UploadPayload"]

DIALECTS: tuple[Dialect, ...] = ("beta", "ga")
MIN_CREATED_AT = datetime(2025, 4, 14, tzinfo=timezone.utc)
"""The Files API beta (``files-api-2025-04-14``) started here; no file is older."""
MAX_CREATED_AT = datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
SCOPE_ID_PREFIX = "sesn_01"
LOW_BITS = 72  # the sequence and random bits below the microseconds in a file id (``_ids``)

KNOWN_EXTENSIONS: tuple[str, ...] = (
    ".txt", *sorted(ext for ext in _naming._KNOWN_BY_EXTENSION if ext != ".txt")
)
EXTENSIONS: tuple[str, ...] = (*KNOWN_EXTENSIONS, ".bin", "")
"""Extensions to pick from: every one the fake knows, one it does not, none."""
UPLOAD_KINDS: tuple[tuple[str, str], ...] = tuple(
    (ext, _naming.decide_mime_type(None, "a" + ext)) for ext in EXTENSIONS
)
"""``(extension, the mime type the API stores for it)``."""

INVALID_FILENAME_KINDS = ("empty", "forbidden", "control", "too_long")
FORBIDDEN_PRINTABLE = "".join(
    sorted(c for c in _naming.FORBIDDEN_FILENAME_CHARS if ord(c) >= 0x20 and c != "/")
)
"""Forbidden printable characters; "/" is left out: the API keeps only the final path
component, so "a/b.txt" is the valid "b.txt"."""
CONTROL = "".join(sorted(c for c in _naming.FORBIDDEN_FILENAME_CHARS if ord(c) < 0x20))

DOCUMENTED_MIME_TYPES: tuple[str, ...] = (
    "text/plain", *(t for t in _naming._EXTENSION_BY_TYPE if t != "text/plain")
)
KNOWN_MIME_TYPES: tuple[str, ...] = DOCUMENTED_MIME_TYPES + tuple(
    sorted(
        {*_naming._KNOWN_BY_EXTENSION.values(), _naming.DEFAULT_MIME_TYPE}
        - set(DOCUMENTED_MIME_TYPES)
    )
)

_ZIP = (b"PK\x03\x04", b"")
SIGNATURES: dict[str, tuple[bytes, bytes]] = {
    "application/pdf": (b"%PDF-1.7\n", b"\n%%EOF\n"),
    # an image's header says 1 x 1 pixels: random bytes after a bare signature would read as
    # any size, and the API refuses images over 8000 pixels on a side (image_dimensions_too_large)
    "image/png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01", b""),
    "image/jpeg": (b"\xff\xd8\xff\xe0", b"\xff\xd9"),
    "image/gif": (b"GIF89a\x01\x00\x01\x00", b""),
    "application/zip": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
}
"""Leading and trailing bytes of a file of each type (WebP is framed by ``webp``); images
are 1 x 1 pixels by their header."""


def webp(body: bytes) -> bytes:
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body


def is_text(mime: str) -> bool:
    return mime.startswith("text/") or mime.endswith("xml")


@dataclass(frozen=True)
class UploadPayload:
    """What an upload sends: a filename, bytes, and the part's Content-Type."""

    filename: str
    content: bytes
    content_type: Optional[str]

    @property
    def mime_type(self) -> str:
        """The ``mime_type`` the API stores for this upload."""
        return _naming.upload_mime_type(self.content_type, self.filename)

    def as_file(self) -> tuple[str, bytes, Optional[str]]:
        """The ``file=`` argument of ``client.files.upload`` / ``client.beta.files.upload``."""
        return (self.filename, self.content, self.content_type)
