"""Cassettes on the wire: a request and its answer as a cassette keeps them, and matching.

- :func:`request_record` / :func:`response_record`: an HTTP exchange as the cassette's
  dicts (see ``_core/cassette.py`` for the format), secrets left out: the API key headers,
  the organisation id and cookies are never written, and every known key is redacted
  from the text as well (``_live.cleanup.redact``).
- :func:`match_key`: what two requests must share to be the same request: method, path,
  query (in any order), the JSON body, and a multipart body's parts (name, filename,
  content type and the sha256 of the bytes; never the boundary, which changes every run).
- :class:`Recording`: the interactions one test made, and how a mode writes them.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence
from urllib.parse import parse_qsl, unquote

from pytest_claude_files._core.cassette import (
    body_record,
    dump_cassette,
    new_cassette,
    read_cassette,
)
from pytest_claude_files._http.routes import match as match_route
from pytest_claude_files._live.cleanup import Secret, redact

__all__ = [
    "MODES",
    "SECRET_HEADERS",
    "Recording",
    "describe",
    "match_key",
    "nearest",
    "request_record",
    "response_record",
]

MODES = ("once", "new_episodes", "all", "none")
BYTES_CHOICES = ("full", "hash")

SECRET_HEADERS = frozenset({
    "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie",
    "anthropic-organization-id", "x-organization-id", "anthropic-admin-api-key",
})
"""Headers a cassette never holds (keys, organisation ids, cookies)."""

_KEEP_REQUEST_HEADERS = ("anthropic-version", "anthropic-beta", "anthropic-workspace-id", "content-type",
                         "accept")
_DROP_RESPONSE_HEADERS = frozenset({
    "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
    "date", "server", "via", "alt-svc", "cf-ray", "cf-cache-status", "x-envoy-upstream-service-time",
    "strict-transport-security",
})


def _query_items(query: str) -> list[list[str]]:
    return [[k, v] for k, v in parse_qsl(query, keep_blank_values=True)]


def request_record(
    method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, *,
    keep_bytes: bool = True,
) -> dict[str, Any]:
    """A request as the cassette keeps it (no key, no cookies; a multipart body by part)."""
    low = {k.lower(): v for k, v in headers.items()}
    kept = {name: low[name] for name in _KEEP_REQUEST_HEADERS if name in low and name not in SECRET_HEADERS}
    content_type = low.get("content-type", "")
    record: dict[str, Any] = {"method": method.upper(), "path": path, "query": _query_items(query)}
    if content_type.lower().startswith("multipart/form-data"):
        kept["content-type"] = "multipart/form-data"  # the boundary changes every run
        record["body"] = {"multipart": _parts(content_type, body, keep_bytes)}
    else:
        record["body"] = body_record(content_type, body)
    record["headers"] = kept
    return record


def _parts(content_type: str, body: bytes, keep_bytes: bool) -> list[dict[str, Any]]:
    import base64

    from pytest_claude_files._http.multipart import parse_multipart

    out: list[dict[str, Any]] = []
    for part in parse_multipart(content_type, body):
        data = bytes(part.data)
        if part.filename is None:
            try:
                out.append({"name": part.name, "value": data.decode("utf-8")})
                continue
            except UnicodeDecodeError:
                pass
        item: dict[str, Any] = {
            "name": part.name, "filename": part.filename, "content_type": part.content_type,
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        }
        if keep_bytes:
            kind = (part.content_type or "").split(";")[0].strip().lower()
            try:
                if kind.startswith("text/") or kind in ("application/json", "text/csv"):
                    item["text"] = data.decode("utf-8")
                else:
                    raise UnicodeDecodeError("utf-8", b"", 0, 1, "binary")
            except UnicodeDecodeError:
                item["base64"] = base64.b64encode(data).decode("ascii")
        out.append(item)
    return out


def response_record(status: int, headers: Iterable[tuple[str, str]], body: bytes) -> dict[str, Any]:
    """An answer as the cassette keeps it (no cookies, no organisation id, no transport headers)."""
    kept: dict[str, str] = {}
    for key, value in headers:
        low = key.lower()
        if low in SECRET_HEADERS or low in _DROP_RESPONSE_HEADERS:
            continue
        kept[low] = f"{kept[low]}, {value}" if low in kept else value
    return {"status": status, "headers": kept, "body": body_record(kept.get("content-type"), body)}


def _part_key(part: Mapping[str, Any]) -> tuple[Any, ...]:
    if "value" in part:
        return (part.get("name"), "value", part.get("value"))
    return (part.get("name"), part.get("filename"), part.get("content_type"), part.get("sha256"))


def match_key(request: Mapping[str, Any]) -> str:
    """What makes two recorded requests the same (a string, so it hashes and diffs)."""
    body = request.get("body") or {}
    if "multipart" in body:
        shown: Any = {"multipart": sorted((_part_key(p) for p in body["multipart"]), key=repr)}
    else:
        shown = body
    query = sorted(tuple(item) for item in request.get("query") or ())
    return json.dumps([request["method"], request["path"], query, shown], sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))


def describe(request: Mapping[str, Any]) -> str:
    """``POST /v1/messages?beta=true {"model": ...}``: a request in one line, for messages."""
    query = "&".join(f"{k}={v}" for k, v in request.get("query") or ())
    text = f"{request['method']} {request['path']}{'?' + query if query else ''}"
    body = request.get("body") or {}
    if "json" in body:
        shown = json.dumps(body["json"], sort_keys=True, ensure_ascii=False)
        text += " " + (shown if len(shown) <= 300 else shown[:297] + "...")
    elif "multipart" in body:
        parts = []
        for part in body["multipart"]:
            if "value" in part:
                parts.append(f"{part.get('name')}={part.get('value')!r}")
            else:
                parts.append(f"{part.get('name')}=({part.get('filename')!r}, {part.get('content_type')}, "
                             f"sha256:{str(part.get('sha256'))[:12]})")
        text += " multipart[" + ", ".join(parts) + "]"
    return text


def nearest(request: Mapping[str, Any], recorded: Sequence[Mapping[str, Any]]) -> Optional[Mapping[str, Any]]:
    """The recorded request most like ``request``, or ``None``: the same method first, then the
    same path, then the same API operation (a metadata GET of another file id before the list,
    however alike the texts), then the most alike in text."""
    if not recorded:
        return None
    wanted = describe(request)
    operation = _operation(request)

    def score(candidate: Mapping[str, Any]) -> tuple[int, int, int, float]:
        return (
            int(candidate["method"] == request["method"]),
            int(candidate["path"] == request["path"]),
            int(operation is not None and _operation(candidate) == operation),
            difflib.SequenceMatcher(None, wanted, describe(candidate)).ratio(),
        )

    return max(recorded, key=score)


def _operation(request: Mapping[str, Any]) -> Optional[str]:
    """The API operation of a recorded request (``retrieve_metadata``, ``list``...), or None."""
    return match_route(str(request["method"]), unquote(str(request["path"])))[0]


class Recording:
    """The interactions one test made on a live backend, and where they go.

    ``mode`` decides what is written at the end of the test: ``once`` writes a cassette
    only where none exists, ``new_episodes`` adds the requests an existing cassette does
    not hold, ``all`` rewrites it, ``none`` writes nothing.
    """

    def __init__(self, path: Path, mode: str, secrets: Sequence[Secret], *, keep_bytes: bool = True,
                 backend: str = "real") -> None:
        self.path = path
        self.mode = mode
        self.secrets = list(secrets)
        self.keep_bytes = keep_bytes
        self.backend = backend
        self.interactions: list[dict[str, Any]] = []

    def add(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes,
            status: int, response_headers: Iterable[tuple[str, str]], response_body: bytes) -> None:
        for header in ("x-api-key", "authorization"):
            value = {k.lower(): v for k, v in headers.items()}.get(header, "")
            value = value[7:] if value.lower().startswith("bearer ") else value
            if value and all(value != s.reveal() for s in self.secrets):
                self.secrets.append(Secret(value))  # a key the test chose (with_options): never written
        self.interactions.append({
            "request": request_record(method, path, query, headers, body, keep_bytes=self.keep_bytes),
            "response": response_record(status, response_headers, response_body),
        })

    def would_write(self) -> bool:
        if self.mode == "none":
            return False
        if self.mode == "once":
            return not self.path.exists()
        return True

    def text(self) -> Optional[str]:
        """What the cassette file will hold, or ``None`` when nothing is to be written."""
        if not self.interactions or not self.would_write():
            return None
        cassette = new_cassette()
        interactions = list(self.interactions)
        if self.mode == "new_episodes" and self.path.exists():
            cassette = read_cassette(self.path)
            have: dict[str, int] = {}
            for item in cassette["interactions"]:
                key = match_key(item["request"])
                have[key] = have.get(key, 0) + 1
            new = []
            for item in interactions:
                key = match_key(item["request"])
                if have.get(key, 0):
                    have[key] -= 1
                else:
                    new.append(item)
            if not new:
                return None
            interactions = cassette["interactions"] + new
        cassette["interactions"] = interactions
        cassette["backend"] = self.backend
        text = redact(dump_cassette(cassette), self.secrets)
        for secret in self.secrets:  # defence in depth: a key in a body, escaped by JSON
            escaped = json.dumps(secret.reveal())[1:-1]
            if escaped and escaped in text:
                text = text.replace(escaped, f"<key {secret.fingerprint}>")
        return text

    def save(self) -> Optional[Path]:
        """Write the cassette (atomically); the path written, or ``None``."""
        text = self.text()
        if text is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.path)
        return self.path
