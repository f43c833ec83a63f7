"""The cassette format: what a recorded test said to the API and what it answered.

A cassette is one JSON document (JSON is a subset of YAML 1.2, so the files keep
pytest-recording's ``.yaml`` names and any YAML tool reads them; this package reads and
writes them with the standard library's ``json``, no PyYAML needed)::

    {"version": 1, "recorded_with": "pytest-claude-files", "interactions": [
      {"request": {"method": "POST", "path": "/v1/files", "query": [],
                   "headers": {"anthropic-version": "2023-06-01", ...},
                   "body": {"multipart": [{"name": "file", "filename": "a.txt",
                                           "content_type": "text/plain", "size": 5,
                                           "sha256": "...", "text": "hello"}]}},
       "response": {"status": 200, "headers": {"content-type": "application/json", ...},
                    "body": {"json": {"id": "file_011...", ...}}}}]}

A body is one of ``{"json": ...}``, ``{"text": "..."}``, ``{"sse": "..."}`` (a stream's
bytes as text), ``{"base64": "..."}``, ``{"multipart": [parts]}`` or ``{}`` (empty). A
multipart part is a field (``{"name", "value"}``) or a file (``name``, ``filename``,
``content_type``, ``size``, ``sha256`` and its bytes as ``text`` or ``base64``, or
neither when the recording kept only the hash).

This module is the standard library only (``_core``): the service seeds itself from a
cassette with it (:func:`seed_service`); matching and replay live in ``_live``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from pytest_claude_files.models import FileMetadata

__all__ = [
    "VERSION",
    "CassetteError",
    "body_bytes",
    "body_record",
    "dump_cassette",
    "new_cassette",
    "read_cassette",
    "seed_service",
]

VERSION = 1


class CassetteError(ValueError):
    """A cassette that cannot be read: the message names the file and what is wrong."""


def new_cassette() -> dict[str, Any]:
    return {"version": VERSION, "recorded_with": "pytest-claude-files", "interactions": []}


def read_cassette(path: Union[str, Path]) -> dict[str, Any]:
    """The cassette at ``path`` (a dict with ``interactions``); ``CassetteError`` if unusable."""
    where = Path(path)
    try:
        text = where.read_text(encoding="utf-8")
    except OSError as exc:
        raise CassetteError(f"{where}: cannot read the cassette ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CassetteError(
            f"{where}: not a cassette of pytest-claude-files (JSON, a subset of YAML, expected: {exc})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{where}: not a cassette of pytest-claude-files (no 'interactions' list)")
    if data.get("version") != VERSION:
        raise CassetteError(
            f"{where}: cassette version {data.get('version')!r}; this release reads {VERSION}"
        )
    for index, item in enumerate(data["interactions"]):
        if not (isinstance(item, dict) and isinstance(item.get("request"), dict)
                and isinstance(item.get("response"), dict)
                and isinstance(item["request"].get("method"), str)
                and isinstance(item["request"].get("path"), str)
                and isinstance(item["response"].get("status"), int)):
            raise CassetteError(
                f"{where}: interaction {index + 1} needs request.method, request.path and response.status"
            )
    return data


def dump_cassette(cassette: dict[str, Any]) -> str:
    """The cassette's text: indented JSON, keys in a stable order, one interaction after another."""
    return json.dumps(cassette, indent=1, ensure_ascii=False) + "\n"


_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


def body_record(content_type: Optional[str], data: bytes) -> dict[str, Any]:
    """A body as the cassette keeps it: parsed JSON, an SSE stream's text, text, or base64."""
    if not data:
        return {}
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "text/event-stream":
        try:
            return {"sse": data.decode("utf-8")}
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(data).decode("ascii")}
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return {"json": json.loads(data)}
        except ValueError:
            pass
    if kind.startswith(_TEXT_TYPES):
        try:
            return {"text": data.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"base64": base64.b64encode(data).decode("ascii")}


def body_bytes(body: dict[str, Any]) -> bytes:
    """The bytes of a recorded (non-multipart) body, as they went over the wire (JSON compact)."""
    if "json" in body:
        return json.dumps(body["json"], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if "sse" in body:
        return str(body["sse"]).encode("utf-8")
    if "text" in body:
        return str(body["text"]).encode("utf-8")
    if "base64" in body:
        return base64.b64decode(body["base64"])
    return b""


def part_bytes(part: dict[str, Any]) -> Optional[bytes]:
    """A recorded multipart part's bytes, or ``None`` when only its hash was kept."""
    if "value" in part:
        return str(part["value"]).encode("utf-8")
    if "text" in part:
        return str(part["text"]).encode("utf-8")
    if "base64" in part:
        return base64.b64decode(part["base64"])
    return None


def _when(value: Any) -> Optional[datetime]:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def uploads(cassette: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``(file part, answered metadata)`` of each upload the cassette holds, in order."""
    found = []
    for item in cassette["interactions"]:
        request, response = item["request"], item["response"]
        if request["method"] != "POST" or request["path"].rstrip("/") != "/v1/files":
            continue
        meta = response.get("body", {}).get("json")
        parts = request.get("body", {}).get("multipart", [])
        file_part = next((p for p in parts if isinstance(p, dict) and "filename" in p), None)
        if response["status"] == 200 and isinstance(meta, dict) and isinstance(meta.get("id"), str) \
                and file_part is not None:
            found.append((file_part, meta))
    return found


def _deleted(cassette: dict[str, Any]) -> set[str]:
    gone = set()
    for item in cassette["interactions"]:
        request, response = item["request"], item["response"]
        parts = request["path"].rstrip("/").split("/")
        if request["method"] == "DELETE" and len(parts) == 4 and parts[1:3] == ["v1", "files"] \
                and response["status"] in (200, 404):
            gone.add(parts[3])
    return gone


def seed_service(
    service: Any, path: Union[str, Path], *, include_deleted: bool = False
) -> list[FileMetadata]:
    """Add to ``service`` (a ``FakeService``; ``Any`` here, as it imports this module) the
    files the cassette at ``path`` uploaded, with their recorded ids,
    names, types, creation times and bytes. Files the cassette deleted again are left out
    unless ``include_deleted``. A file recorded by its hash only cannot be seeded
    (``CassetteError``: record with the bytes)."""
    cassette = read_cassette(path)
    gone = set() if include_deleted else _deleted(cassette)
    added = []
    for part, meta in uploads(cassette):
        file_id = meta["id"]
        if file_id in gone:
            continue
        data = part_bytes(part)
        if data is None:
            raise CassetteError(
                f"{path}: the upload of {part.get('filename')!r} ({file_id}) kept only its hash "
                f"(claude_files_cassette_bytes = hash); seeding needs the bytes: record it with "
                f"claude_files_cassette_bytes = full"
            )
        existing = {m.id for m in service.files}
        if file_id in existing:
            continue
        added.append(service.add_file(
            str(meta.get("filename", part.get("filename") or "file")), data,
            mime_type=meta.get("mime_type") or part.get("content_type"),
            downloadable=bool(meta.get("downloadable", False)),
            created_at=_when(meta.get("created_at")),
            file_id=file_id,
        ))
    return added
