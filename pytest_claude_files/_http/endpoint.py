"""What an endpoint of the fake sees and returns: the wire types, and one request's context.

``HTTPRequest`` / ``HTTPResponse`` are what every adapter converts to and from;
:func:`error_response` is the one place an API error becomes HTTP. :class:`Endpoint`
is what the handler gives the endpoints of the resources beside Files and Messages
(Message Batches, Skills, Managed Agents): the request, the service, the path's
parameters and the headers every answer carries. See ``_http/endpoints.py``.
"""

from __future__ import annotations

import collections.abc as _abc
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Optional, Union
from urllib.parse import parse_qsl

from pytest_claude_files._core import ids as _ids
from pytest_claude_files._http.multipart import Body
from pytest_claude_files.errors import FilesAPIError, InvalidRequestError, shown
from pytest_claude_files.models import dump_json

if TYPE_CHECKING:
    from pytest_claude_files._core.service import FakeService

__all__ = ["JSON", "Endpoint", "HTTPRequest", "HTTPResponse", "dumps", "error_response", "json_response"]

JSON = "application/json"
dumps = dump_json  # compact UTF-8 JSON, the same bytes as FileMetadata.to_api_json
BODY_NOT_JSON = "There was an error parsing the body of your request: it must be a JSON object"


@dataclass(slots=True)  # (slots: no per-request __dict__ to make and fill)
class HTTPRequest:
    """A request as the handler sees it. ``headers`` keys are lower-case; ``scheme`` is the
    URL's (``http`` from the emulator, what the client used in process), for the URLs an
    answer names (a Message Batch's ``results_url``)."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Body = b""
    scheme: str = "https"
    route: Optional[tuple[Optional[str], Optional[str]]] = None
    """``(operation, file_id)`` when the adapter already matched the route (the emulator
    does, to pick its faults): the handler then does not match it again."""

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        query: Union[str, bytes] = "",
        headers: Union[Mapping[str, str], Iterable[tuple[str, str]], None] = None,
        body: Body = b"",
        scheme: str = "https",
    ) -> HTTPRequest:
        """Normalise method, query and (possibly repeated) headers into an ``HTTPRequest``."""
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        merged: dict[str, str] = {}
        items = headers if type(headers) is list else (  # (a list of pairs: the transports')
            headers.items() if isinstance(headers, _abc.Mapping) else (headers or ()))
        for key, value in items:
            low = key.lower()
            merged[low] = f"{merged[low]}, {value}" if low in merged else value
        return cls(method.upper(), path, query, merged, body, scheme)


@dataclass(slots=True)
class HTTPResponse:
    """An answer. ``stream``, when set, is the body read lazily, piece by piece (an event
    stream whose events happen after the answer began); ``body`` is then empty."""

    status: int
    headers: list[tuple[str, str]]
    body: Body = b""
    stream: Optional[Iterator[bytes]] = None

    def header(self, name: str) -> Optional[str]:
        low = name.lower()
        for key, value in self.headers:
            if key.lower() == low:
                return value
        return None

    def json(self) -> Any:
        return json.loads(bytes(self.body))


def json_response(
    status: int, obj: Any, request_id: str, extra: Iterable[tuple[str, str]] = ()
) -> HTTPResponse:
    headers = [("content-type", JSON), ("request-id", request_id), *extra]
    return HTTPResponse(status, headers, dumps(obj))


def error_response(error: FilesAPIError, request_id: Optional[str] = None) -> HTTPResponse:
    """The API's error envelope for ``error``: the only place errors become HTTP."""
    rid = request_id or _ids.new_request_id()
    return json_response(error.status, error.envelope(rid), rid, error.headers.items())


@dataclass
class Endpoint:
    """One request as a resource endpoint serves it.

    ``params``: the path's named groups (``{"batch_id": ...}``); ``extra``: headers every
    answer carries (rate limits); ``workspace``: ``anthropic-workspace-id``; ``betas``: the
    ``anthropic-beta`` names; ``api_version``: ``anthropic-version``.
    """

    request: HTTPRequest
    service: FakeService
    operation: str
    params: dict[str, str]
    request_id: str
    extra: tuple[tuple[str, str], ...] = ()
    workspace: Optional[str] = None
    betas: frozenset[str] = frozenset()
    api_version: Optional[str] = None

    def query(self) -> dict[str, list[str]]:
        """The query string, each key with its values in order."""
        found: dict[str, list[str]] = {}
        for key, value in parse_qsl(self.request.query, keep_blank_values=True) if self.request.query else ():
            found.setdefault(key, []).append(value)
        return found

    def json_body(self) -> Any:
        """The body as JSON (a 400 in the API's words when it is not a JSON object)."""
        raw = bytes(self.request.body)
        try:
            body = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError) as exc:
            raise InvalidRequestError(f"{BODY_NOT_JSON}: {shown(exc)}") from None
        if not isinstance(body, dict):
            raise InvalidRequestError(BODY_NOT_JSON)
        return body

    def ok(self, obj: Any, status: int = 200) -> HTTPResponse:
        """``obj`` as a JSON answer with this request's id and headers."""
        return json_response(status, obj, self.request_id, self.extra)

    def streamed(self, pieces: Iterator[bytes], content_type: str) -> HTTPResponse:
        """A 200 whose body is read lazily from ``pieces`` (Server-Sent Events as they happen)."""
        return HTTPResponse(200, [("content-type", content_type), ("request-id", self.request_id),
                                  ("cache-control", "no-cache"), *self.extra], b"", pieces)

    def raw(self, body: bytes, content_type: str, headers: Iterable[tuple[str, str]] = ()) -> HTTPResponse:
        """A 200 of ``body`` as it is (JSONL results, Server-Sent Events, file bytes)."""
        return HTTPResponse(200, [("content-type", content_type), ("request-id", self.request_id),
                                  *headers, *self.extra], body)
