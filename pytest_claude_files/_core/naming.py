"""Filename and mime-type rules of an upload (FILES_API.md, "FileMetadata")."""

from __future__ import annotations

import mimetypes
from typing import Any, Mapping, Optional

from pytest_claude_files.errors import InvalidRequestError

MAX_FILENAME_CHARS = 255
FORBIDDEN_FILENAME_CHARS = frozenset('<>:"|?*\\/') | frozenset(chr(c) for c in range(0x20))
DEFAULT_MIME_TYPE = "application/octet-stream"
MAX_MIME_TYPE_CHARS = 255
UNNAMED = "unnamed"

# The documented types first, so they never depend on the platform's mime tables.
_KNOWN_BY_EXTENSION = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".csv": "text/csv",
    ".json": "application/json",
    ".md": "text/markdown",
    ".html": "text/html",
    ".xml": "application/xml",
    ".zip": "application/zip",
    ".py": "text/x-python",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DOCUMENT_EXTENSIONS = {
    ext: _KNOWN_BY_EXTENSION[ext] for ext in (".pdf", ".txt", ".jpg", ".jpeg", ".png", ".gif", ".webp")
}
"""The extensions of the types Messages takes as ``document`` / ``image`` blocks."""
_EXTENSION_BY_TYPE = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
# Python's built-in table only (not /etc/mime.types), so every machine agrees.
_TABLE = mimetypes.MimeTypes(filenames=())


def final_component(filename: str) -> str:
    """Only the final path component of the part's filename is kept."""
    return filename.rsplit("/", 1)[-1]


def check_filename(filename: str) -> str:
    """The stored filename, or ``InvalidRequestError`` for one the API refuses."""
    name = final_component(filename)
    if not name:
        raise InvalidRequestError("filename: must not be empty.")
    if len(name) > MAX_FILENAME_CHARS:
        raise InvalidRequestError(
            f"filename: must be at most {MAX_FILENAME_CHARS} characters, got {len(name)}."
        )
    bad = sorted({c for c in name if c in FORBIDDEN_FILENAME_CHARS})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise InvalidRequestError(
            f"filename: contains characters that are not allowed ({shown}); "
            'filenames may not contain < > : " | ? * \\ or control characters '
            "(a path is cut to its last component: dir/a.txt is stored as a.txt)."
        )
    return name


def guess_mime_type(filename: str) -> Optional[str]:
    dot = filename.rfind(".")
    if dot <= 0:
        return None
    ext = filename[dot:].lower()
    known = _KNOWN_BY_EXTENSION.get(ext)
    if known:
        return known
    guessed, _ = _TABLE.guess_type("x" + ext, strict=False)
    return guessed


def decide_mime_type(content_type: Optional[str], filename: Optional[str]) -> str:
    """The part's Content-Type unless absent or octet-stream; else by extension; else octet-stream
    (the kind a filename names: what the strategies and the Faker provider pair with a name)."""
    return upload_mime_type(content_type, filename, guess_octet_stream=True)


def upload_mime_type(
    content_type: Optional[str], filename: Optional[str], *, guess_octet_stream: bool = False
) -> str:
    """The stored type of an uploaded part: its ``Content-Type`` **as sent**, octet-stream included.

    Only a part with no ``Content-Type`` (or an empty one) is given a guess from the
    filename's extension, else ``application/octet-stream`` (decision, FILES_API.md).
    ``guess_octet_stream`` (the opt-in ``guess_mime_type`` setting) also guesses for a
    part sent as ``application/octet-stream``; the real API does not.
    """
    if content_type is not None:
        value = content_type.strip()
        if len(value) > MAX_MIME_TYPE_CHARS:
            raise InvalidRequestError(
                f"mime_type: must be at most {MAX_MIME_TYPE_CHARS} characters."
            )
        if value:
            is_octet = value.split(";", 1)[0].strip().lower() == DEFAULT_MIME_TYPE
            if not (is_octet and guess_octet_stream):
                return value
    if filename:
        guessed = guess_mime_type(filename)
        if guessed:
            return guessed
    return DEFAULT_MIME_TYPE


def unnamed_filename(mime_type: str) -> str:
    """``unnamed`` plus the extension of ``mime_type`` when one is known."""
    base = mime_type.split(";", 1)[0].strip().lower()
    ext = _EXTENSION_BY_TYPE.get(base)
    if ext is None and base != DEFAULT_MIME_TYPE:
        ext = _TABLE.guess_extension(base, strict=False)
    return UNNAMED + (ext or "")


def check_output_files(
    output_files: Any, label: str = "output_files"
) -> tuple[tuple[str, bytes, Optional[str]], ...]:
    """A scripted reply's ``output_files`` (filename -> bytes or ``(bytes, mime_type)``) as
    ``(name, bytes, mime)`` triples; ``TypeError`` / ``ValueError`` naming ``label`` when bad.
    Messages and Managed Agents sessions script output files the same way."""
    if not isinstance(output_files, Mapping):
        raise TypeError(f"{label} maps a filename to bytes or to (bytes, mime_type)")
    out = []
    for name, value in output_files.items():
        try:
            check_filename(name if isinstance(name, str) else "")
        except InvalidRequestError as exc:
            raise ValueError(f"{label}: filename {name!r}: {exc.message}") from None
        mime: Optional[str] = None
        if isinstance(value, tuple):
            if len(value) != 2 or not isinstance(value[1], str):
                raise TypeError(f"output_files[{name!r}]: expected bytes or (bytes, mime_type)")
            value, mime = value
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"output_files[{name!r}]: expected bytes, not {type(value).__name__}")
        out.append((name, bytes(value), mime))
    return tuple(out)
