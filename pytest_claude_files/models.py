"""Pydantic models of the Files API objects, serialized exactly as the API writes them.

``FileMetadata.to_api(dialect)`` gives the JSON object of one dialect: the beta
dialect has no ``expires_at`` key, the GA dialect always has it (``null`` unless the
upload set an expiry). Timestamps are RFC 3339 with microseconds and ``Z``.
``FileMetadata.to_api_json(dialect)`` gives the same object as the JSON bytes the HTTP
layer sends (:func:`dump_json`), made once per file and dialect: metadata never changes.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

__all__ = [
    "BETA_HEADER_VALUE",
    "BetaFileList",
    "DeletedFile",
    "Dialect",
    "ErrorDetails",
    "ErrorObject",
    "ErrorResponse",
    "FileMetadata",
    "FileScope",
    "GAFileList",
    "dump_json",
    "format_timestamp",
]

Dialect = Literal["beta", "ga"]
BETA_HEADER_VALUE = "files-api-2025-04-14"
"""An ``anthropic-beta`` header listing this value selects the beta dialect."""


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 with microseconds and ``Z``: ``2025-04-15T18:37:24.100435Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# One encoder for every answer: json.dumps() with options builds a new one per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dump_json(obj: Any) -> bytes:
    """``obj`` as the API's JSON: compact, UTF-8, non-ASCII characters as they are."""
    # backslashreplace: a lone surrogate echoed from a request becomes the JSON escape
    # ``\udXXX`` instead of an encoding error.
    return _ENCODER.encode(obj).encode("utf-8", "backslashreplace")


class _APIModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileScope(_APIModel):
    """The scope a file belongs to (``{"id": ..., "type": "session"}``)."""

    id: str = Field(min_length=1)
    type: Literal["session"] = "session"


class FileMetadata(_APIModel):
    """One file's metadata, as ``GET /v1/files/{file_id}`` returns it."""

    # Not fields: the JSON bytes per dialect, made on first use (see ``to_api_json``), and
    # what the Messages rules read in the content (``_core/message_rules.file_facts``).
    # A slot is not compared, copied, pickled or serialized with the model.
    __slots__ = ("_api_json", "_content_facts")

    id: str = Field(min_length=1)
    type: Literal["file"] = "file"
    filename: str = Field(min_length=1, max_length=500)
    mime_type: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(ge=0)
    created_at: datetime
    downloadable: bool = False
    scope: Optional[FileScope] = None
    expires_at: Optional[datetime] = None

    @field_validator("created_at", "expires_at")
    @classmethod
    def _utc(cls, value: Optional[datetime]) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    @field_serializer("created_at", "expires_at")
    def _ser_time(self, value: Optional[datetime]) -> Optional[str]:
        return None if value is None else format_timestamp(value)

    def to_api(self, dialect: Dialect = "ga") -> dict[str, Any]:
        """The JSON object the API writes for this file in ``dialect``."""
        data = self.model_dump(mode="json")
        if dialect == "beta":
            del data["expires_at"]
        return data

    def to_api_json(self, dialect: Dialect = "ga") -> bytes:
        """``dump_json(self.to_api(dialect))``, made once per dialect and kept with the
        (immutable) metadata, so a file's JSON is built once however often it is served."""
        cache: Optional[dict[str, bytes]] = getattr(self, "_api_json", None)
        if cache is None:
            cache = {}
            object.__setattr__(self, "_api_json", cache)
        data = cache.get(dialect)
        if data is None:
            data = cache[dialect] = dump_json(self.to_api(dialect))
        return data


class DeletedFile(_APIModel):
    """The answer to ``DELETE /v1/files/{file_id}``."""

    id: str = Field(min_length=1)
    type: Literal["file_deleted"] = "file_deleted"


class BetaFileList(_APIModel):
    """A page of the beta dialect: ``before_id``/``after_id`` cursors."""

    data: list[FileMetadata]
    has_more: bool
    first_id: Optional[str]
    last_id: Optional[str]


class GAFileList(_APIModel):
    """A page of the GA dialect: an opaque ``next_page`` token (``page_...``) or null."""

    data: list[FileMetadata]
    next_page: Optional[str]


class ErrorDetails(BaseModel):
    """``error.details``: ``error_code`` plus any keys the code carries (``appeal_url``...)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    error_code: str


class ErrorObject(_APIModel):
    type: str
    message: str
    details: Optional[ErrorDetails] = None


class ErrorResponse(_APIModel):
    """The error envelope: ``{"type": "error", "error": {...}, "request_id": ...}``."""

    type: Literal["error"] = "error"
    error: ErrorObject
    request_id: str

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
