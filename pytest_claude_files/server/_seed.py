"""Seeding files from JSON specs: the control API's ``POST files``, ``--seed`` and the
persisted state all read the same spec."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, Mapping

__all__ = ["file_spec_kwargs"]

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
        kwargs[name] = value
    downloadable = spec.get("downloadable", False)
    if not isinstance(downloadable, bool):
        raise ValueError(f"{where}.downloadable: true or false")
    kwargs["downloadable"] = downloadable
    for name in ("created_at", "expires_at"):
        value = spec.get(name)
        if value is None:
            kwargs[name] = None
            continue
        try:
            kwargs[name] = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{where}.{name}: not an RFC 3339 timestamp: {value!r}") from None
    return kwargs
