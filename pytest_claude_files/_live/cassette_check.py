"""``claude-files-fake cassettes check DIR``: replay recorded requests against the fake.

Each cassette's requests are sent, in order, to a fresh fake (one account per cassette,
through the one ``FilesHandler``), and each answer is compared with the recorded one:
status, error type and message, the JSON fields (ids are mapped: the fake makes its own,
and a later request naming a recorded id gets the fake's), the order of SSE event types,
and the headers that matter (content type, ``request-id`` present). What a model writes
(text, token counts) and when (timestamps) differ by nature and are compared by type only.
Every difference is printed with the ``docs/fidelity.md`` row it belongs to when one can
be found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, TextIO

from pytest_claude_files._core.cassette import CassetteError, body_bytes, part_bytes, read_cassette

__all__ = ["Difference", "check_cassette", "check_directory", "run"]

KEY = "sk-ant-api03-cassette-check"
VOLATILE = frozenset({
    "created_at", "expires_at", "text", "input_tokens", "output_tokens", "cache_creation_input_tokens",
    "cache_read_input_tokens", "content", "usage", "stop_reason", "stop_sequence", "request_id",
    "signature", "thinking", "partial_json", "model", "service_tier", "container", "cache_creation",
    "server_tool_use", "inference_geo",
})
"""Fields whose value is the model's or the clock's (compared by type only)."""
_OPERATION_ROWS = {
    "upload": "files.upload", "list": "files.list", "retrieve_metadata": "files.metadata",
    "download": "files.download", "delete": "files.errors", "messages": "messages",
    "count_tokens": "messages.tokens",
}


@dataclass(frozen=True)
class Difference:
    cassette: str
    index: int
    request: str
    what: str
    row: Optional[str] = None

    def __str__(self) -> str:
        row = f" [fidelity: {self.row}]" if self.row else ""
        return f"{self.cassette} #{self.index} {self.request}: {self.what}{row}"


class _Ids:
    """Recorded id <-> the fake's id, learnt from the answers."""

    def __init__(self) -> None:
        self.to_fake: dict[str, str] = {}

    def learn(self, real: Any, fake: Any) -> None:
        if isinstance(real, dict) and isinstance(fake, dict):
            for key, value in real.items():
                other = fake.get(key)
                named = key in ("id", "next_page") or key.endswith("_id")
                if named and isinstance(value, str) and isinstance(other, str) and value != other \
                        and "_" in value:
                    self.to_fake.setdefault(value, other)
                else:
                    self.learn(value, other)
        elif isinstance(real, list) and isinstance(fake, list):
            for a, b in zip(real, fake, strict=False):
                self.learn(a, b)

    def forward(self, text: str) -> str:
        for real, fake in self.to_fake.items():
            text = text.replace(real, fake)
        return text

    def back(self, value: Any) -> Any:
        """The fake's value with the fake's ids put back to the recorded ones (in text too)."""
        if isinstance(value, str):
            for real, fake in self.to_fake.items():
                value = value.replace(fake, real)
        return value


def _fields(real: Any, fake: Any, ids: _Ids, where: str, out: list[str]) -> None:
    if isinstance(real, dict) and isinstance(fake, dict):
        for key in sorted(set(real) | set(fake)):
            path = f"{where}.{key}" if where else key
            if key not in fake:
                out.append(f"field {path}: the real API sends it, the fake does not")
            elif key not in real:
                out.append(f"field {path}: the fake sends it, the real API did not")
            elif key in VOLATILE:
                if type(real[key]) is not type(fake[key]) and None not in (real[key], fake[key]):
                    kinds = f"real {type(real[key]).__name__}, fake {type(fake[key]).__name__}"
                    out.append(f"field {path}: {kinds}")
            else:
                _fields(real[key], fake[key], ids, path, out)
    elif isinstance(real, list) and isinstance(fake, list):
        if len(real) != len(fake):
            out.append(f"field {where}: real has {len(real)} items, fake {len(fake)}")
        for index, (a, b) in enumerate(zip(real, fake, strict=False)):
            _fields(a, b, ids, f"{where}[{index}]", out)
    elif real != ids.back(fake):
        out.append(f"field {where}: real {real!r}, fake {ids.back(fake)!r}")


def _events(sse: str) -> list[str]:
    names = [line[6:].strip() for line in sse.splitlines() if line.startswith("event:")]
    collapsed: list[str] = []
    for name in names:  # how many deltas a model sends is its own business
        if not collapsed or collapsed[-1] != name:
            collapsed.append(name)
    return collapsed


def _request(recorded: dict[str, Any], ids: _Ids) -> Any:
    from pytest_claude_files._http.endpoint import HTTPRequest

    headers = {k: v for k, v in (recorded.get("headers") or {}).items()}
    headers["x-api-key"] = KEY
    body = recorded.get("body") or {}
    if "multipart" in body:
        boundary = "cassette-check-boundary"
        chunks = []
        for part in body["multipart"]:
            data = part_bytes(part)
            if data is None:  # recorded by hash only: same size, zero bytes
                data = b"\0" * int(part.get("size") or 0)
            disposition = f'form-data; name="{part.get("name")}"'
            head = f"--{boundary}\r\nContent-Disposition: {disposition}"
            if "filename" in part:
                head += f'; filename="{part.get("filename")}"\r\nContent-Type: {part.get("content_type")}'
            chunks.append(head.encode() + b"\r\n\r\n" + data + b"\r\n")
        raw = b"".join(chunks) + f"--{boundary}--\r\n".encode()
        headers["content-type"] = f"multipart/form-data; boundary={boundary}"
    else:
        raw = ids.forward(body_bytes(body).decode("utf-8", "replace")).encode("utf-8") if body else b""
    from urllib.parse import urlencode

    query = urlencode([(k, ids.forward(v)) for k, v in recorded.get("query") or ()])
    return HTTPRequest.build(recorded["method"], ids.forward(recorded["path"]), query, headers, raw)


def _compare(real: dict[str, Any], fake: Any, ids: _Ids) -> list[str]:
    out: list[str] = []
    if real["status"] != fake.status:
        out.append(f"status: real {real['status']}, fake {fake.status}")
    real_headers = {k.lower(): v for k, v in (real.get("headers") or {}).items()}
    real_type = real_headers.get("content-type", "").split(";")[0].strip()
    fake_type = (fake.header("content-type") or "").split(";")[0].strip()
    if real_type != fake_type:
        out.append(f"header content-type: real {real_type!r}, fake {fake_type!r}")
    if "request-id" in real_headers and fake.header("request-id") is None:
        out.append("header request-id: the real API sends it, the fake does not")
    body = real.get("body") or {}
    data = bytes(fake.body)
    if "json" in body:
        try:
            mine = json.loads(data)
        except ValueError:
            return [*out, "body: the real API answered JSON, the fake did not"]
        real_json = body["json"]
        is_error = isinstance(real_json, dict) and isinstance(real_json.get("error"), dict)
        if is_error and isinstance(mine, dict):
            for key in ("type", "message"):
                a, b = real_json["error"].get(key), ids.back((mine.get("error") or {}).get(key))
                if a != b:
                    out.append(f"error {key}: real {a!r}, fake {b!r}")
            return out
        ids.learn(real_json, mine)
        _fields(real_json, mine, ids, "", out)
    elif "sse" in body:
        a, b = _events(str(body["sse"])), _events(data.decode("utf-8", "replace"))
        if a != b:
            out.append(f"stream events: real {a}, fake {b}")
    elif body_bytes(body) != data and real["status"] < 400:
        out.append(f"body: real {len(body_bytes(body))} bytes, fake {len(data)} bytes differ")
    return out


def _fidelity_rows() -> list[tuple[str, str]]:
    try:
        from pytest_claude_files._core.docs import DocsError, read_section

        text = read_section("fidelity")
    except (DocsError, OSError, ImportError):
        return []
    rows = []
    for line in text.splitlines():
        match = re.match(r"\|\s*`([^`]+)`\s*\|(.*)", line)
        if match:
            rows.append((match.group(1), match.group(2)))
    return rows


def _row_for(rows: list[tuple[str, str]], operation: Optional[str], what: str, status: int) -> Optional[str]:
    quoted = re.findall(r"'([^']{12,})'", what)
    for piece in quoted:  # an error message the row quotes
        for row_id, text in rows:
            if piece[:40] in text:
                return row_id
    prefix = _OPERATION_ROWS.get(operation or "", "")
    if not prefix:
        return None
    scoped = [(i, t) for i, t in rows if i.startswith(prefix)]
    if what.startswith(("status", "error")):
        errors = [(i, t) for i, t in rows if i.startswith(("files.errors", prefix)) and str(status) in t]
        if errors:
            return errors[0][0]
    return scoped[0][0] if scoped else None


def _seed_others(service: Any, cassette: dict[str, Any]) -> None:
    """Files the recorded account held that the cassette did not upload (a live account is
    shared by the session's tests): seeded with their recorded metadata and zero bytes, so
    a listing answers as it did."""
    from datetime import datetime

    from pytest_claude_files._core.cassette import uploads

    own = {meta["id"] for _, meta in uploads(cassette)}
    seen: dict[str, dict[str, Any]] = {}
    for item in cassette["interactions"]:
        data = (item["response"].get("body") or {}).get("json")
        found: list[Any] = (data["data"] if isinstance(data, dict) and isinstance(data.get("data"), list)
                            else [data])
        for meta in found:
            if isinstance(meta, dict) and meta.get("type") == "file" and isinstance(meta.get("id"), str) \
                    and meta["id"] not in own:
                seen.setdefault(meta["id"], meta)
    for file_id, meta in sorted(seen.items(), key=lambda pair: str(pair[1].get("created_at"))):
        try:
            created = datetime.fromisoformat(str(meta.get("created_at")).replace("Z", "+00:00"))
        except ValueError:
            created = None
        try:
            service.add_file(str(meta.get("filename") or "file"), b"\0" * int(meta.get("size_bytes") or 0),
                             mime_type=meta.get("mime_type"), downloadable=bool(meta.get("downloadable")),
                             created_at=created, file_id=file_id)
        except Exception:  # an id or name the fake refuses: the difference will show
            continue


def check_cassette(path: Path, rows: list[tuple[str, str]], name: Optional[str] = None) -> list[Difference]:
    """The differences between the fake and the recorded answers of one cassette."""
    from pytest_claude_files._core.service import FakeService
    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._http.routes import match
    from pytest_claude_files._live.cassette import describe

    cassette = read_cassette(path)
    service = FakeService()
    _seed_others(service, cassette)
    handler = FilesHandler(service)
    ids = _Ids()
    found = []
    for index, item in enumerate(cassette["interactions"], 1):
        recorded, answer = item["request"], item["response"]
        fake = handler(_request(recorded, ids))
        operation, _ = match(recorded["method"], recorded["path"])
        for what in _compare(answer, fake, ids):
            shown = describe(recorded).split(" {")[0].split(" multipart")[0]
            found.append(Difference(name or str(path), index, shown, what,
                                    _row_for(rows, operation, what, answer["status"])))
    return found


def check_directory(directory: Path) -> tuple[int, list[Difference]]:
    """``(cassettes checked, differences)`` of every ``*.yaml`` cassette under ``directory``."""
    rows = _fidelity_rows()
    paths = sorted(directory.rglob("*.yaml")) if directory.is_dir() else [directory]
    found: list[Difference] = []
    for path in paths:
        shown = str(path.relative_to(directory)) if directory.is_dir() else str(path)
        found.extend(check_cassette(path, rows, shown))
    return len(paths), found


def run(directory: str, out: TextIO) -> int:
    """The command: 0 when the fake answers as recorded, 1 on a difference; ``CassetteError``
    (exit 2) on bad input."""
    where = Path(directory)
    if not where.exists():
        raise CassetteError(f"{directory}: no such directory (give the directory of the cassettes)")
    import warnings

    with warnings.catch_warnings():  # the fake's client-misuse notices are not differences
        warnings.simplefilter("ignore")
        count, found = check_directory(where)
    if count == 0:
        raise CassetteError(f"{directory}: no cassettes (*.yaml) in it")
    for difference in found:
        print(difference, file=out)
    cassettes = len({d.cassette for d in found})
    verdict = f"{len(found)} difference(s) in {cassettes}" if found else "the fake answers as recorded"
    print(f"checked {count} cassette(s): {verdict}", file=out)
    return 1 if found else 0
