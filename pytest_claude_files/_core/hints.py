"""Fake-only explanations of a refused Messages request: which file, which block, the fix.

The API's answer keeps its own wording (MESSAGES_FILES.md: "File not found: The specified
file_id doesn't exist or you don't have access to it", "Invalid file type: The file type
doesn't match the content block type"); what the fake knows beyond it goes to the
error's ``hint`` (kept on the recorded request, ``claude_files.messages.requests[i].hint``,
and shown in the fake's reports), and an expired file referenced is a misuse notice.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pytest_claude_files._core.message_check import FileReference
from pytest_claude_files.errors import FilesAPIError
from pytest_claude_files.models import FileMetadata, format_timestamp

__all__ = ["expired_hint", "expired_notice", "hinted", "mismatch_hint", "unknown_hint"]

E = TypeVar("E", bound=FilesAPIError)
_DOCUMENT_TYPES = ("application/pdf", "text/plain")


def hinted(error: E, hint: str) -> E:
    error.hint = hint
    return error


def unknown_hint(ref: FileReference) -> str:
    return (f"{ref.path}: {ref.file_id} is not a file of this account (never uploaded, deleted, or in "
            "another workspace)")


def expired_hint(ref: FileReference, meta: FileMetadata) -> str:
    when = format_timestamp(meta.expires_at) if meta.expires_at is not None else "?"
    return f"{ref.path}: {ref.file_id} ({meta.filename!r}) expired at {when}"


def right_block(mime: str) -> str:
    """The block a file of ``mime`` belongs in."""
    base = mime.split(";", 1)[0].strip().lower()
    if base.startswith("image/"):
        return '{"type": "image", "source": {"type": "file", ...}} (JPEG, PNG, GIF or WebP)'
    if base in _DOCUMENT_TYPES:
        return '{"type": "document", "source": {"type": "file", ...}}'
    return ('{"type": "container_upload", "file_id": ...} with the code execution tool (documents take '
            "PDF or plain text, images JPEG, PNG, GIF or WebP)")


def mismatch_hint(ref: FileReference, meta: FileMetadata) -> str:
    return (f"{ref.path}: {ref.file_id} ({meta.filename!r}) is {meta.mime_type}, which a {ref.block_type} "
            f"block does not take; send it as {right_block(meta.mime_type)}")


def expired_notice(files: Any, ref: FileReference, meta: FileMetadata) -> None:
    misuse = getattr(files, "misuse", None)
    if misuse is None:
        return
    misuse.notice(
        "expired-file-referenced",
        f"{expired_hint(ref, meta)}, and a Messages request still referenced it (the API answers 404): "
        "upload it again, or keep files the code still uses without expires_in_seconds.",
        once_key=ref.file_id,
    )
