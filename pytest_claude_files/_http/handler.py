"""The one HTTP layer: an ``HTTPRequest`` in, an ``HTTPResponse`` out.

Every adapter (httpx and httpx2 transports, respx routes, the ASGI server) turns its own
request type into an ``HTTPRequest``, calls :class:`FilesHandler`, and turns the
``HTTPResponse`` back. All parsing and validation of HTTP input happens here; all
errors become the API's envelope in :func:`error_response`. The handler never raises.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import traceback
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping, Optional
from urllib.parse import parse_qsl, quote, unquote

from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core import pages as _pages
from pytest_claude_files._core.files import DEFAULT_LIMIT
from pytest_claude_files._core.service import FakeService
from pytest_claude_files._http import endpoints as _endpoints
from pytest_claude_files._http import routes as _routes
from pytest_claude_files._http import sse as _sse
from pytest_claude_files._http.endpoint import (
    JSON,
    Endpoint,
    HTTPRequest,
    HTTPResponse,
    error_response,
    json_response,
)
from pytest_claude_files._http.endpoint import dumps as _dumps
from pytest_claude_files._http.headers import (
    ANTHROPIC_VERSIONS,
    GA_PAGINATING_VERSIONS,
    beta_names,
    check_beta,
    check_version,
)
from pytest_claude_files._http.message_json import dump_message
from pytest_claude_files._http.multipart import parse_multipart
from pytest_claude_files._http.retries import RetryWatch
from pytest_claude_files._http.routes import api_key_of
from pytest_claude_files.errors import (
    AuthenticationError,
    FilesAPIError,
    FilesInternalError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    shown,
)
from pytest_claude_files.models import BETA_HEADER_VALUE, Dialect, FileMetadata

__all__ = [
    "FilesHandler", "HTTPRequest", "HTTPResponse", "InternalError", "api_key_of", "dialect_of",
    "error_response", "ratelimit_headers",
]

log = logging.getLogger("pytest_claude_files")

Hook = Callable[["HTTPRequest", Optional[str]], Optional["HTTPResponse"]]


def dialect_of(headers: Mapping[str, str]) -> Dialect:
    """Beta when ``anthropic-beta`` lists ``files-api-2025-04-14``, else GA."""
    return "beta" if BETA_HEADER_VALUE in beta_names(headers.get("anthropic-beta")) else "ga"


_MESSAGES_OPERATIONS = frozenset(_routes.MESSAGES_OPERATIONS)
HINT_HEADER = "x-claude-files-hint"
"""A fake-only response header on a refused request: what the fake knows beyond the API's
wording (which header value to send, which file and block). The real API never sends it."""
_BODY_NOT_JSON = "There was an error parsing the body of your request: it must be a JSON object"
_JSON_DECODER = json.JSONDecoder()
"""What ``json.loads`` of a str uses (after refusing a leading BOM, which a body starting with ``{``
has not): its ``raw_decode`` is called directly on the Messages hot path."""
_NO_HEADERS: tuple[tuple[str, str], ...] = ()
_JSON_CONTENT = ("content-type", JSON)
_api_json = FileMetadata.to_api_json  # (= meta.to_api_json(dialect): a method looked up on a
# pydantic model goes through its __getattr__ hook and is bound anew, a third of the call's cost)


def _json_ok(body: bytes, request_id: str, extra: Iterable[tuple[str, str]]) -> HTTPResponse:
    """A 200 with a body that is JSON already (``json_response`` without the encoding)."""
    headers = [("content-type", JSON), ("request-id", request_id)]
    if extra:
        headers.extend(extra)
    return HTTPResponse(200, headers, body)


def _page_json(files: list[FileMetadata], dialect: Dialect, rest: dict[str, Any]) -> bytes:
    """``_dumps({"data": [m.to_api(dialect) ...], **rest})``, from each file's cached JSON."""
    items = b",".join([_api_json(meta, dialect) for meta in files])
    return b'{"data":[' + items + b"]," + _dumps(rest)[1:]


RATE_WINDOW_SECONDS = 60.0
"""The rate limit counts requests in a sliding window of one minute (on the fake's clock)."""


def ratelimit_reset_value(moment: datetime) -> str:
    """``anthropic-ratelimit-requests-reset``: when the limit is replenished, RFC 3339."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ratelimit_headers(
    limit: int, remaining: float, reset_at: datetime, retry_in: Optional[float] = None
) -> list[tuple[str, str]]:
    """The ``anthropic-ratelimit-requests-{limit,remaining,reset}`` headers, and with
    ``retry_in`` (a refused request) ``retry-after`` in whole seconds, at least 1."""
    headers = [
        ("anthropic-ratelimit-requests-limit", str(limit)),
        ("anthropic-ratelimit-requests-remaining", str(max(0, math.floor(remaining)))),
        ("anthropic-ratelimit-requests-reset", ratelimit_reset_value(reset_at)),
    ]
    if retry_in is not None:
        headers.append(("retry-after", str(max(1, math.ceil(retry_in)))))
    return headers


class _RateLimiter:
    """A sliding one-minute window of request times, on the fake's clock."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self, now: datetime) -> tuple[bool, list[tuple[str, str]]]:
        """Count a request at ``now``: (allowed, the rate-limit headers to send)."""
        stamp = now.timestamp()
        with self._lock:
            while self._times and self._times[0] <= stamp - RATE_WINDOW_SECONDS:
                self._times.popleft()
            allowed = len(self._times) < self.per_minute
            if allowed:
                self._times.append(stamp)
            reset_in = RATE_WINDOW_SECONDS - (stamp - self._times[0]) if self._times else 0.0
            remaining = self.per_minute - len(self._times)
        reset_at = now + timedelta(seconds=max(0.0, reset_in))
        return allowed, ratelimit_headers(self.per_minute, remaining, reset_at,
                                          None if allowed else reset_in)


@dataclass(frozen=True)
class InternalError:
    """A bug in the fake: an exception other than an API error, caught while serving.

    The client gets a 500 (as from the real API), but the test must not pass through the
    SDK's retries as if the API were flaky: the fixtures fail the test at teardown with
    :meth:`report`. Faults a test asks for (scenarios, control API faults, hooks that
    answer) are answers, not internal errors.
    """

    method: str
    path: str
    error: BaseException
    traceback: str

    def report(self) -> str:
        return f"{self.method} {self.path} raised {type(self.error).__name__}: {self.error}\n{self.traceback}"


def internal_errors_report(errors: Iterable[InternalError], where: str) -> str:
    """The teardown failure message for the internal errors of a fake."""
    listed = list(errors)
    body = "\n".join(e.report() for e in listed)
    return (
        f"{where}: the fake Files API hit {len(listed)} internal error(s) (a bug in "
        f"pytest-claude-files or in code patched into it; the client saw a 500):\n{body}"
    )


class FilesHandler:
    """Serves the five Files endpoints of a :class:`FakeService`, in both dialects, and its
    Messages side (``POST /v1/messages``, ``POST /v1/messages/count_tokens``).

    ``hooks`` are called with each request and its operation name (``None`` for an
    unknown route) before it is served; the first one to return a response answers
    instead (fault injection, scripted errors).
    """

    def __init__(self, files: FakeService) -> None:
        self.files = files
        self.hooks: list[Hook] = []
        self.internal_errors: list[InternalError] = []
        """Exceptions of the fake itself (answered with a 500); the fixtures fail on them."""
        self._limiter: Optional[_RateLimiter] = None
        self._limiter_lock = threading.Lock()
        self._retries = RetryWatch(files)  # notices of retries the code under test makes itself

    def __call__(self, request: HTTPRequest) -> HTTPResponse:
        try:  # (= _ids.new_request_id(), without a Python call but once in _ids._POOLED answers)
            request_id = _ids.pooled_request_id()
        except IndexError:
            request_id = _ids.new_request_id()
        workspace = request.headers.get(WORKSPACE_HEADER)
        try:
            try:
                retries = self._retries
                if retries.active:  # (else nothing was refused yet: no call)
                    retries.before(request)
                response = self._serve(request, request_id, workspace)
            except FilesAPIError as exc:
                response = error_response(exc, request_id)
                # a recorded error (``calls``) must not keep the request alive through its
                # traceback's frames: a refused 500 MB upload, kept 10,000 times
                exc.__traceback__ = None
                if exc.hint:  # the fake's own explanation, beside the API's unchanged wording
                    response.headers.append((HINT_HEADER, exc.hint.encode("ascii", "replace").decode()[:500]))
        except Exception as exc:
            self._record_internal_error(request, exc)
            response = error_response(FilesInternalError("Internal server error"), request_id)
        if workspace is not None:  # echoed on every answer, errors too (APIStatusError.workspace_id)
            response.headers.append((WORKSPACE_HEADER, workspace))
        status = response.status
        error_type = None
        if status >= 400:
            try:
                self._retries.after(request, response)
            except Exception as exc:  # bookkeeping of the fake: a bug, never a raise to the client
                self._record_internal_error(request, exc)
            error_type = _error_type(response)
        route = request.route
        self.files.journal.add((request.method, request.path, route[0] if route is not None else None, status,
                                error_type, request_id, workspace))
        return response

    def _record_internal_error(self, request: HTTPRequest, exc: Exception) -> None:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.internal_errors.append(InternalError(request.method, request.path, exc, text))
        log.error("internal error of the fake serving %s %s", request.method, request.path, exc_info=exc)

    # -- pipeline -----------------------------------------------------------------
    # Every request passes here (the in-process transports, respx routes and the server
    # alike), so the common path is kept lean: routing without regular expressions for
    # the usual paths, the query parsed only by the operations that read it, no rate-limit
    # work unless a limit is set, and each file's JSON built once (FileMetadata.to_api_json).
    def _serve(self, request: HTTPRequest, request_id: str, workspace: Optional[str]) -> HTTPResponse:
        route = request.route  # matched once, by the adapter that had to know it first
        if route is None:
            # (the journal reads it too)
            route = request.route = _routes.match(request.method, _unquoted(request.path))
        operation, file_id = route
        if self.hooks:
            for hook in self.hooks:
                answer = hook(request, operation)
                if answer is not None:
                    return answer
        request_headers = request.headers
        settings = self.files.files.settings  # (= self.files.settings, without the property's call)
        if settings.api_keys is not None or not request_headers.get("x-api-key", "").strip():
            self._authenticate(request_headers)  # (else: any non-empty x-api-key is accepted)
        extra = _NO_HEADERS if settings.rate_limit is None else self._rate_limit()
        if operation is None:
            raise NotFoundError(f"Not found: {shown(request.method)} {shown(request.path)}")
        if settings.check_anthropic_version:
            version = request_headers.get("anthropic-version")
            if version not in ANTHROPIC_VERSIONS:  # (a known version, as sent: no call)
                check_version(version)
        beta = request_headers.get("anthropic-beta")
        dialect: Dialect = "ga"
        if beta:
            if settings.check_anthropic_beta:
                for name in check_beta(beta, settings.known_betas):
                    self.files.misuse.notice(
                        "unknown-beta",
                        f"anthropic-beta: {name!r} is not a beta name the fake knows; check its spelling "
                        "(the real API refuses names it does not know). If it is real, add it with the "
                        "known_betas setting.",
                        once_key=name,
                    )
            dialect = dialect_of(request_headers)
        if operation == "retrieve_metadata":  # the most frequent request first
            assert file_id is not None
            headers = [_JSON_CONTENT, ("request-id", request_id)]
            if extra:
                headers.extend(extra)
            meta = self.files.files.retrieve(file_id, workspace_id=workspace)
            return HTTPResponse(200, headers, _api_json(meta, dialect))
        endpoint = _endpoints.ENDPOINTS.get(operation)
        if endpoint is not None:  # Message Batches, Skills, Managed Agents: see _http/endpoints.py
            return endpoint(Endpoint(
                request, self.files, operation,
                _routes.path_params(operation, request.method, _unquoted(request.path)),
                request_id, tuple(extra), workspace,
                frozenset(v.strip() for v in (beta or "").split(",") if v.strip()),
                request_headers.get("anthropic-version"),
            ))
        if operation in _MESSAGES_OPERATIONS:
            return self._messages(request, operation, request_id, extra, workspace)
        if operation == "list":
            body = self._list(dialect, _query(request.query), workspace, request_headers, beta)
            return _json_ok(body, request_id, extra)
        if operation == "upload":
            meta = self._upload(request, dialect, _query(request.query), workspace)
            self.files.lifecycle.uploaded(meta, workspace)
            return _json_ok(meta.to_api_json(dialect), request_id, extra)
        assert file_id is not None
        if operation == "download":
            meta, content = self.files.download(file_id, workspace_id=workspace)
            headers = [
                ("content-type", meta.mime_type),
                ("request-id", request_id),
                ("content-disposition", _attachment(meta.filename)),
                *extra,
            ]
            return HTTPResponse(200, headers, content)
        deleted = self.files.delete(file_id, workspace_id=workspace)
        return json_response(200, deleted.model_dump(mode="json"), request_id, extra)

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        key = api_key_of(headers)
        if not key:
            raise AuthenticationError(
                "x-api-key header is required (or Authorization: Bearer <key>)."
            )
        accepted = self.files.settings.api_keys
        if accepted is not None and key not in accepted:
            raise AuthenticationError("invalid x-api-key")

    def _rate_limit(self) -> list[tuple[str, str]]:
        per_minute = self.files.settings.rate_limit
        if per_minute is None:
            return []
        with self._limiter_lock:
            if self._limiter is None or self._limiter.per_minute != per_minute:
                self._limiter = _RateLimiter(per_minute)
            limiter = self._limiter
        allowed, headers = limiter.take(self.files.clock.now())
        if not allowed:
            raise RateLimitError(
                f"Number of requests has exceeded your per-minute rate limit ({per_minute}).",
                headers=dict(headers),
            )
        return headers

    # -- operations ---------------------------------------------------------------
    def _messages(
        self, request: HTTPRequest, operation: str, request_id: str, extra: Iterable[tuple[str, str]],
        workspace: Optional[str],
    ) -> HTTPResponse:
        """``POST /v1/messages`` (JSON or Server-Sent Events) and ``/v1/messages/count_tokens``."""
        raw = request.body if type(request.body) is bytes else bytes(request.body)  # (no copy of bytes)
        try:  # an empty or blank body is no JSON (isspace: no stripped copy of a large body)
            if raw[:1] == b"{":  # an object: parsed as json.loads parses it, without the two
                text = raw.decode("utf-8", "surrogatepass")  # whitespace matches around it
                body, end = _JSON_DECODER.raw_decode(text)
                if end != len(text):  # something after the object: blank or not, json decides
                    body = _JSON_DECODER.decode(text)
            else:
                body = json.loads(raw) if raw and not raw.isspace() else None
        except (ValueError, RecursionError) as exc:  # (UnicodeDecodeError is a ValueError)
            raise InvalidRequestError(f"{_BODY_NOT_JSON}: {shown(exc)}") from None
        if body is None:
            raise InvalidRequestError(_BODY_NOT_JSON)
        headers = request.headers
        version = headers.get("anthropic-version")
        betas = beta_names(headers.get("anthropic-beta"))
        fake = self.files.messages
        if operation == "count_tokens":
            answer = fake.count_tokens(body, api_version=version, betas=betas, body_size=len(raw),
                                       workspace_id=workspace)
            return json_response(200, answer, request_id, extra)
        message = fake.create(body, api_version=version, betas=betas, body_size=len(raw),
                                       workspace_id=workspace)
        if body.get("stream") is True:
            sse_headers = [("content-type", _sse.CONTENT_TYPE), ("request-id", request_id),
                           ("cache-control", "no-cache"), *extra]
            return HTTPResponse(200, sse_headers, _sse.render(message))
        return HTTPResponse(200, [_JSON_CONTENT, ("request-id", request_id), *extra], dump_message(message))

    def _upload(
        self, request: HTTPRequest, dialect: Dialect, query: list[tuple[str, str]], workspace: Optional[str]
    ) -> FileMetadata:
        parts = parse_multipart(request.headers.get("content-type"), request.body)
        file_part = None
        expires: Optional[int] = None
        for part in parts:
            if part.name == "file":
                if file_part is not None:
                    raise InvalidRequestError("file: only one file part may be sent.")
                file_part = part
            elif part.name == "expires_in_seconds":
                if dialect == "beta":
                    raise InvalidRequestError(
                        "expires_in_seconds: Extra inputs are not permitted in the beta Files API."
                    )
                expires = _parse_int("expires_in_seconds", bytes(part.data).decode("utf-8", "replace"))
            else:
                raise InvalidRequestError(f"{shown(part.name)}: Extra inputs are not permitted.")
        if file_part is None:
            raise InvalidRequestError("file: Field required (a multipart part named `file`).")
        return self.files.upload(
            file_part.data,
            file_part.filename,
            content_type=file_part.content_type,
            dialect=dialect,
            expires_in_seconds=expires,
            workspace_id=workspace,
        )

    def _list(
        self, dialect: Dialect, query: list[tuple[str, str]], workspace: Optional[str],
        headers: Mapping[str, str], beta: Optional[str],
    ) -> bytes:
        single, sent_ids = _routes.split_list_query(query)
        ids = None if sent_ids is None else [i for i in sent_ids if i]
        betas = frozenset(v.strip() for v in beta.split(",")) if beta else frozenset()
        if "scope_id" in single and not _pages.scope_filter_allowed(betas):
            raise InvalidRequestError(_pages.SCOPE_ID_REFUSED)
        scope_id = single.get("scope_id") or None
        limit = _parse_int("limit", single["limit"]) if "limit" in single else None
        if dialect == "ga" and _pages.list_shape(betas) == "agents":
            return self._list_agents(single, ids, limit, scope_id, workspace)
        if dialect == "beta":
            for name in ("page", "ids"):
                if name in single or (name == "ids" and ids is not None):
                    raise InvalidRequestError(
                        f"{name}: not supported in the beta Files API; use before_id/after_id."
                    )
            page = self.files.list_beta(
                limit=DEFAULT_LIMIT if limit is None else limit,
                before_id=single.get("before_id"),
                after_id=single.get("after_id"),
                scope_id=scope_id,
                workspace_id=workspace,
            )
            listings = self.files.listings
            listings.continued("beta", scope_id, workspace, single.get("after_id"))
            if page.has_more and page.last_id is not None and "before_id" not in single:
                trap = _beta_trap_note(headers) if _paginates_with_next_page(headers) else ""
                if trap or limit is None:
                    listings.served("beta", scope_id, workspace, page.last_id, len(page.data), trap)
            return _page_json(page.data, "beta", {
                "has_more": page.has_more,
                "first_id": page.first_id,
                "last_id": page.last_id,
            })
        for name in ("before_id", "after_id"):
            if name in single:
                raise InvalidRequestError(f"{name}: not supported; use the `page` cursor.")
        ga = self.files.list_ga(limit=limit, page=single.get("page"), ids=ids, scope_id=scope_id,
                                workspace_id=workspace)
        self.files.listings.continued("ga", scope_id, workspace, single.get("page"))
        if ga.next_page is not None and limit is None:
            self.files.listings.served("ga", scope_id, workspace, ga.next_page, len(ga.data))
        return _page_json(ga.data, "ga", {"next_page": ga.next_page})

    def _list_agents(
        self, single: dict[str, str], ids: Optional[list[str]], limit: Optional[int],
        scope_id: Optional[str], workspace: Optional[str],
    ) -> bytes:
        """The managed-agents shape (``anthropic-beta: managed-agents-2026-04-01``)."""
        page = self.files.list_agents(limit=limit, page=single.get("page"), ids=ids,
                                      before_id=single.get("before_id"), after_id=single.get("after_id"),
                                      scope_id=scope_id, workspace_id=workspace)
        return _page_json(page.data, "ga", {
            "has_more": page.has_more, "first_id": page.first_id, "last_id": page.last_id,
            "next_page": page.next_page,
        })


def _beta_trap_note(headers: Mapping[str, str]) -> str:
    """The beta-dialect trap notice, given if the client never asks for the next page."""
    return (
            f"this client paginates with `page`/`next_page` (anthropic-version "
            f"{headers.get('anthropic-version', '?')}, SDK {_sdk_version(headers) or '?'}) but sent "
            f"`anthropic-beta: {BETA_HEADER_VALUE}`, so the API answered a beta-dialect page "
            "(has_more/last_id, no next_page) and the SDK stops auto-pagination after this first page. "
            f"Fix: drop betas=[\"{BETA_HEADER_VALUE}\"] (the Files API is GA on this SDK)."
    )


WORKSPACE_HEADER = "anthropic-workspace-id"


def _sdk_version(headers: Mapping[str, str]) -> Optional[str]:
    return headers.get("x-stainless-package-version")


def _paginates_with_next_page(headers: Mapping[str, str]) -> bool:
    """Whether the client's SDK reads GA pages (``next_page``) even on ``client.beta.files``.

    Python SDKs from 1.2 on and every 2.x SDK (``anthropic-version: 2026-10-21``) do.
    """
    if headers.get("anthropic-version") in GA_PAGINATING_VERSIONS:
        return True
    version = _sdk_version(headers)
    if version is None or headers.get("x-stainless-lang") != "python":
        return False
    parts = version.split(".")
    try:
        major, minor = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return False
    return (major, minor) >= (1, 2)


def _unquoted(path: str) -> str:
    return unquote(path) if "%" in path else path


def _query(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True) if query else []


def _parse_int(name: str, value: str) -> int:
    text = value.strip()
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii() or len(body) > 18:
        raise InvalidRequestError(f"{name}: must be an integer, got {shown(value)!r}.")
    return int(text)


def _attachment(filename: str) -> str:
    """``Content-Disposition`` of a download: an ASCII fallback plus RFC 5987 ``filename*``."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
    if ascii_name == filename:
        return f'attachment; filename="{ascii_name}"'
    encoded = quote(filename, safe="", errors="replace")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def _error_type(response: HTTPResponse) -> Optional[str]:
    """``error.type`` of an error answer (``None`` when its body is not the envelope)."""
    try:
        found = response.json()["error"]["type"]
    except (ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None
