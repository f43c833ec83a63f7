"""Seeding files from JSON specs: the control API's ``POST files``, ``--seed`` and the
persisted state all read the same spec."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any, Mapping

__all__ = ["EARLIEST", "LATEST", "file_spec_kwargs", "in_range", "parse_moment"]

EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(6000, 1, 1, tzinfo=timezone.utc)
"""The clock and seeded dates stay within the range file ids can order (1970 to 6000)."""


def _check_text(where: str, value: str, *, empty: bool = True, limit: int = 1024) -> str:
    """``value`` as a header or id may carry it: no control characters, not too long."""
    if not empty and not value.strip():
        raise ValueError(f"{where}: must not be empty")
    if len(value) > limit:
        raise ValueError(f"{where}: at most {limit} characters, got {len(value)}")
    bad = sorted({c for c in value if ord(c) < 32 or ord(c) == 127})
    if bad:
        raise ValueError(f"{where}: control characters are not allowed ({', '.join(map(repr, bad))})")
    return value


def parse_moment(where: str, value: Any) -> datetime:
    """An RFC 3339 timestamp from 1970 to 6000 (no zone: UTC); ``ValueError`` naming ``where``."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: an RFC 3339 timestamp string is required")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{where}: not an RFC 3339 timestamp: {value!r}") from None
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return in_range(where, moment)


def in_range(where: str, moment: datetime) -> datetime:
    try:
        moment = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(f"{where}: outside 1970-01-01 to 6000-01-01") from None
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"{where}: {moment.isoformat()} is outside 1970-01-01 to 6000-01-01 "
                         "(the range file ids can order)")
    return moment


_FILE_FIELDS = {
    "filename", "content", "content_base64", "mime_type", "downloadable", "scope_id",
    "created_at", "expires_at",
}


def file_spec_kwargs(spec: Any, where: str = "file") -> dict[str, Any]:
    """``FakeFiles.add_file`` keyword arguments from a JSON file spec.

    ``{"filename": "out.csv", "content": "a,b\\n", "downloadable": true}``; binary content
    as ``content_base64``. Raises ``ValueError`` naming the field.
    """
    if not isinstance(spec, Mapping):
        raise ValueError(f"{where}: must be a JSON object with at least a filename")
    unknown = sorted(set(spec) - _FILE_FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r}; expected some of {sorted(_FILE_FIELDS)}")
    filename = spec.get("filename")
    if not isinstance(filename, str):
        raise ValueError(f"{where}.filename: a string is required")
    if "content" in spec and "content_base64" in spec:
        raise ValueError(f"{where}: give content or content_base64, not both")
    content: bytes = b""
    if "content_base64" in spec:
        try:
            content = base64.b64decode(spec["content_base64"], validate=True)
        except (ValueError, TypeError):
            raise ValueError(f"{where}.content_base64: not valid base64") from None
    elif "content" in spec:
        if not isinstance(spec["content"], str):
            raise ValueError(f"{where}.content: a string is required (or use content_base64)")
        content = spec["content"].encode()
    kwargs: dict[str, Any] = {"filename": filename, "content": content}
    for name in ("mime_type", "scope_id"):
        value = spec.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{where}.{name}: a string is required")
        if value is not None:
            _check_text(f"{where}.{name}", value, empty=name == "mime_type", limit=255)
        kwargs[name] = value
    downloadable = spec.get("downloadable", False)
    if not isinstance(downloadable, bool):
        raise ValueError(f"{where}.downloadable: true or false")
    kwargs["downloadable"] = downloadable
    for name in ("created_at", "expires_at"):
        value = spec.get(name)
        kwargs[name] = None if value is None else parse_moment(f"{where}.{name}", value)
    return kwargs
