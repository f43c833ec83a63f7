"""The emulator server's control API (like moto's ``/moto-api/``) and its Python client.

Everything lives under one reserved prefix, :data:`CONTROL_PREFIX` (``/_claude_files/``),
outside the Files API's ``/v1``. A control request acts on the **caller's tenant**: the
space of the API key it sends (``x-api-key`` or ``Authorization: Bearer``), exactly the
space the same key sees through ``/v1/files``. With ``--shared`` there is one space and
the key may be omitted.

=========================  =====================================================
``GET  health``            ``{"status": "ok", "tenants": n, "shared": bool}``
``POST reset``             forget the tenant's files, calls, counts and faults
                           (``{"all": true}``: every tenant)
``GET  state``             files, storage used, request counts, pending faults
``GET  files``             the tenant's files (GA metadata, newest first)
``POST files``             seed a file (``downloadable`` too), JSON below
``GET  requests``          request counts per operation and the recorded calls
``GET  faults``            pending faults;  ``POST faults`` adds one;
                           ``DELETE faults`` clears them
``POST clock``             ``{"advance": seconds}`` or ``{"set": "2025-01-01T00:00:00Z"}``
``GET  openapi.json``      the OpenAPI document (also at ``/openapi.json``)
``messages/replies``       ``POST`` queues scripted Messages replies, ``GET`` lists
                           the unused ones, ``DELETE`` drops them
``GET  messages/requests`` the Messages requests and their resolved file references
``batches/...``            hold, end and script Message Batches (``_control_batches.py``)
``sessions/replies``       ``POST`` queues scripted Managed Agents turns, ``GET`` lists
                           the unused ones, ``DELETE`` drops them
=========================  =====================================================

Fault vocabulary (the same as the respx scenarios): ``operation`` (``upload``, ``list``,
``retrieve_metadata``, ``download``, ``delete`` or ``*``), ``times`` (next N calls,
``null`` = every call), ``after`` (let that many calls through first), and what happens:
``status`` / ``error_type`` / ``error_code`` / ``message`` / ``retry_after`` /
``retry_after_ms`` / ``should_retry`` / ``headers`` for an API error; ``latency``
(seconds, before the answer); ``drop`` (close the connection, no answer);
``cut_body`` (send that many bytes of the body, then close; ``truncate_at`` is its
deprecated old name). The one table of both fronts is docs/faults.md.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional
from urllib.parse import parse_qsl, urlsplit

from pytest_claude_files._http.handler import HTTPRequest, HTTPResponse, error_response
from pytest_claude_files.errors import (
    AuthenticationError,
    FilesAPIError,
    FilesInternalError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RequestTooLargeError,
    ServiceUnavailableError,
    shown,
)
from pytest_claude_files.server import _control_batches as _cb
from pytest_claude_files.server import _control_messages as _cm
from pytest_claude_files.server import _control_sessions as _cs
from pytest_claude_files.server._budget import CONTROL_BODY_BUDGET, ByteBudget
from pytest_claude_files.server._faults import parse_fault
from pytest_claude_files.server._names import CONTROL_PREFIX
from pytest_claude_files.server._seed import file_spec_kwargs, in_range, parse_moment

if TYPE_CHECKING:
    from pytest_claude_files.server._tenants import Tenant, Tenants

__all__ = ["CONTROL_PREFIX", "ControlAPI", "file_spec_kwargs"]

MAX_CONTROL_BODY = 64 * 1024 * 1024
"""Largest control request body (a seeded file's base64 content included)."""
CONTROL_TOKEN_HEADER = "x-control-token"
"""The header that carries the admin token (``--control-token``) of cross-tenant operations."""
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
logger = logging.getLogger("pytest_claude_files.server")


# -- the server side ----------------------------------------------------------------
def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_loopback_host(host: Optional[str]) -> bool:
    """``localhost``, a ``*.localhost`` name, or a loopback address (``127.0.0.0/8``, ``::1``);
    a name that merely starts like one (``127.0.0.1.evil.example``) is not."""
    name = (host or "").lower().rstrip(".")
    if name in _LOOPBACK_HOSTS or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_loopback_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin.strip())
        return _is_loopback_host(parts.hostname)
    except ValueError:
        return False


def _host_name(value: str) -> Optional[str]:
    """The host of a ``Host`` header (``[::1]:8000`` -> ``::1``); None when malformed."""
    try:
        return urlsplit(f"//{value.strip()}").hostname
    except ValueError:
        return None


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


MAX_CONTROL_DEPTH = 64
"""Deepest nesting of a control body (a deeper one would break reading it back later)."""


def _check_json(body: Any) -> None:
    """400 for a control body nested deeper than :data:`MAX_CONTROL_DEPTH`, or holding text
    that is not Unicode (a lone surrogate, ``"\\ud800"``): either would be stored now and fail
    every later answer that shows it (``GET messages/requests``, a reply's filename)."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_CONTROL_DEPTH:
            raise InvalidRequestError(
                f"control API: the body is nested deeper than {MAX_CONTROL_DEPTH} levels.")
        if isinstance(value, dict):
            stack.extend((k, depth) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidRequestError(
                    "control API: the body holds text that is not Unicode (a lone surrogate such as "
                    "\\ud800).") from None


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, default=str).encode()


def _ok(obj: Any, status: int = 200) -> HTTPResponse:
    return HTTPResponse(status, [("content-type", "application/json")], _dumps(obj))


def _call_json(call: Any) -> dict[str, Any]:
    error = None
    if call.error is not None:
        error = {"status": call.error.status, "type": call.error.error_type,
                 "error_code": call.error.error_code, "message": call.error.message}
    return {"operation": call.operation, "file_id": call.file_id,
            "params": call.params, "error": error}


class ControlAPI:
    """Serves the control endpoints over the server's :class:`~pytest_claude_files.server.Tenants`."""

    max_body = MAX_CONTROL_BODY

    def __init__(self, tenants: Tenants, prefix: str = CONTROL_PREFIX) -> None:
        self.tenants = tenants
        self.prefix = prefix
        self.allowed_hosts: set[str] = set()
        """Host names (lower case) the control API answers besides IP addresses and
        ``localhost``: the server's ``--host`` when it is a name; ``*`` (any name) when it
        listens on every interface (``--host 0.0.0.0``: reached by names it cannot know)."""
        self.budget = ByteBudget(CONTROL_BODY_BUDGET)
        """Bytes of control request bodies held at once, over every request (503 beyond)."""
        self._held = threading.local()  # the tenants this thread's request entered
        self._routes: dict[tuple[str, str], Callable[[HTTPRequest, Any], HTTPResponse]] = {
            ("GET", "health"): self._health,
            ("POST", "reset"): self._reset,
            ("GET", "state"): self._state,
            ("GET", "files"): self._files,
            ("POST", "files"): self._seed,
            ("GET", "requests"): self._requests,
            ("GET", "faults"): self._faults,
            ("POST", "faults"): self._add_fault,
            ("DELETE", "faults"): self._clear_faults,
            ("POST", "clock"): self._clock,
            ("GET", "openapi.json"): self._openapi,
            ("POST", "messages/replies"): self._add_replies,
            ("GET", "messages/replies"): self._replies,
            ("DELETE", "messages/replies"): self._clear_replies,
            ("GET", "messages/requests"): self._messages_requests,
            ("POST", "batches/hold"): self._batches(_cb.hold),
            ("POST", "batches/end"): self._batches(_cb.end),
            ("POST", "batches/replies"): self._batches(_cb.add_reply),
            ("GET", "batches/replies"): self._batches(lambda batches, body: _cb.replies_json(batches)),
            ("POST", "sessions/replies"): self._add_session_replies,
            ("GET", "sessions/replies"): self._session_replies,
            ("DELETE", "sessions/replies"): self._clear_session_replies,
        }

    def __call__(
        self, request: HTTPRequest, *, too_large: bool = False, cut_off: bool = False, busy: bool = False
    ) -> HTTPResponse:
        """Serve one control request; every error is the API's envelope (never a traceback)."""
        held: list[Tenant] = []
        self._held.tenants = held
        try:
            try:
                if busy:
                    self._refuse_cross_site(request)
                    raise ServiceUnavailableError(
                        "control API: the control request bodies being received at once would pass "
                        f"{self.budget.total} bytes (one budget shared by every control request); "
                        "nothing was done, retry shortly.", headers={"retry-after": "1"})
                return self._serve(request, too_large, cut_off)
            except FilesAPIError as exc:
                return error_response(exc)
        except Exception:  # a bug: say so in the envelope and the log, keep serving
            logger.exception("claude-files-fake: control API error on %s %s", request.method, request.path)
            return error_response(
                FilesInternalError("Internal server error (control API); see the server log."))
        finally:
            for tenant in held:
                tenant.leave()
            self._held.tenants = []

    def _serve(self, request: HTTPRequest, too_large: bool, cut_off: bool) -> HTTPResponse:
        self._refuse_cross_site(request)
        if too_large:
            raise RequestTooLargeError(f"control request bodies are at most {self.max_body} bytes.")
        if cut_off:
            raise InvalidRequestError("control API: the request body was cut off; nothing was done.")
        name = request.path[len(self.prefix):].strip("/")
        route = self._routes.get((request.method, name))
        if route is None:
            known = sorted({n for _, n in self._routes})
            raise NotFoundError(
                f"No control endpoint {request.method} {request.path}; "
                f"endpoints under {self.prefix}: {', '.join(known)}."
            )
        body: Any = None
        if request.body:
            try:
                body = json.loads(bytes(request.body), parse_constant=_no_constant)
            except (ValueError, RecursionError):
                raise InvalidRequestError("control API: the body must be JSON.") from None
            _check_json(body)
        return route(request, body)

    def _host_allowed(self, headers: Mapping[str, str]) -> bool:
        """A ``Host`` a DNS-rebinding page cannot send: an IP address, a loopback name, or a
        name the server was bound to (``allowed_hosts``). No ``Host`` (HTTP/1.0): allowed."""
        value = headers.get("host")
        if value is None:
            return True
        name = _host_name(value)
        if name is None:
            return False
        name = name.lower().rstrip(".")
        allowed = self.allowed_hosts
        return _is_loopback_host(name) or _is_ip_literal(name) or name in allowed or "*" in allowed

    def _refuse_cross_site(self, request: HTTPRequest) -> None:
        """Refuse what a web page could make a browser send: a cross-site request, a request
        for a host name that is not the server's (DNS rebinding), or a state-changing one
        without a JSON content type (a CORS "simple request")."""
        headers = request.headers
        origin = headers.get("origin")
        if headers.get("sec-fetch-site", "").strip().lower() == "cross-site" or (
            origin is not None and not _is_loopback_origin(origin)
        ):
            raise PermissionDeniedError(
                "control API: cross-site requests are refused (an Origin that is not loopback, or "
                "Sec-Fetch-Site: cross-site); call it from a script or a test, not a web page."
            )
        if not self._host_allowed(headers):
            raise PermissionDeniedError(
                f"control API: Host {shown(headers.get('host', ''))!r} is not this server's (an IP "
                "address, localhost, or the --host it was started with); a page that rebinds its "
                "DNS name to this address cannot use the control API."
            )
        if request.method not in ("GET", "HEAD"):
            kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if kind != "application/json":
                raise InvalidRequestError(
                    f"control API: {request.method} needs Content-Type: application/json "
                    f"(got {kind or 'none'!r}); the ControlClient and `curl --json` send it."
                )

    def _tenant(self, request: HTTPRequest) -> Tenant:
        tenant = self.tenants.for_control(request.headers)
        if tenant is not None:  # entered: left when the request is answered (never dropped meanwhile)
            held = getattr(self._held, "tenants", None)
            if held is None:
                tenant.leave()
            else:
                held.append(tenant)
        if tenant is None:
            raise AuthenticationError(
                "control API: send the tenant's API key (x-api-key or Authorization: Bearer); "
                "each key has its own files unless the server runs with --shared."
            )
        return tenant

    def _health(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        return _ok({"status": "ok", "tenants": len(self.tenants), "shared": self.tenants.shared})

    def _reset(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        query = dict(parse_qsl(request.query))
        if body is not None and not (isinstance(body, dict) and set(body) <= {"all"}
                                     and isinstance(body.get("all", False), bool)):
            raise InvalidRequestError('reset: send {} or {"all": true}.')
        everyone = (isinstance(body, dict) and body.get("all") is True) or query.get("all") in ("1", "true")
        if everyone:
            self._require_admin(request, "resetting every tenant")
            count = self.tenants.reset_all()
            return _ok({"reset": "all", "tenants": count})
        tenant = self._tenant(request)
        tenant.reset()
        return _ok({"reset": tenant.label})

    def _require_admin(self, request: HTTPRequest, what: str) -> None:
        """Cross-tenant operations need the admin token given at start, whatever the keys."""
        if self.tenants.control_token is None:
            raise PermissionDeniedError(
                f"control API: {what} acts on other keys' files, which needs an admin token: start "
                "the server with --control-token TOKEN (or CLAUDE_FILES_CONTROL_TOKEN=TOKEN, or "
                f"start_server(control_token=...)) and send it as {CONTROL_TOKEN_HEADER}."
            )
        if not self.tenants.is_admin(request.headers):
            raise PermissionDeniedError(
                f"control API: {what} needs the admin token in {CONTROL_TOKEN_HEADER} "
                "(the one the server was started with)."
            )

    def _state(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        files = tenant.files.files
        return _ok({
            "tenant": tenant.label,
            "files": [m.to_api("ga") for m in files],
            "file_count": len(files),
            "storage_used": tenant.files.storage_used,
            "request_counts": tenant.request_counts(),
            "faults": [f.to_json() for f in tenant.faults.pending()],
            "now": tenant.files.clock.now().isoformat().replace("+00:00", "Z"),
        })

    def _files(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        return _ok({"data": [m.to_api("ga") for m in tenant.files.files]})

    def _seed(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        specs = body.get("files") if isinstance(body, dict) and "files" in body else [body]
        if not isinstance(specs, list):
            raise InvalidRequestError("files: a list of file objects.")
        kwargs = []
        for i, spec in enumerate(specs):
            try:
                kwargs.append(file_spec_kwargs(spec, f"files[{i}]" if len(specs) > 1 else "file"))
            except ValueError as exc:
                raise InvalidRequestError(str(exc)) from None
        try:  # every rule (the tenant's quota included) checked before anything is stored
            made = tenant.files.files.add_all(kwargs)
        except ValueError as exc:
            raise InvalidRequestError(str(exc)) from None
        data = [m.to_api("ga") for m in made]
        return _ok(data[0] if len(data) == 1 and "files" not in (body or {}) else {"data": data})

    def _requests(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        return _ok({
            "counts": tenant.request_counts(),
            "calls": [_call_json(c) for c in list(tenant.files.calls)],
        })

    def _faults(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        return _ok({"data": [f.to_json() for f in tenant.faults.pending()]})

    def _add_fault(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        fault = tenant.faults.add(parse_fault(body if body is not None else {}))
        return _ok(fault.to_json())

    def _clear_faults(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        return _ok({"cleared": tenant.faults.clear()})

    def _clock(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        tenant = self._tenant(request)
        clock = tenant.files.clock
        fields = set(body) if isinstance(body, dict) else set()
        if not fields or fields - {"advance", "set"}:
            raise InvalidRequestError('clock: send {"advance": seconds} or {"set": "<RFC 3339>"}.')
        try:  # the new time is checked before the clock moves
            target = parse_moment("clock.set", body["set"]) if "set" in body else clock.now()
            if "advance" in body:
                step = body["advance"]
                if isinstance(step, bool) or not isinstance(step, (int, float)) or not math.isfinite(step):
                    raise ValueError("clock.advance: a number of seconds")
                try:
                    target = target + timedelta(seconds=step)
                except OverflowError:
                    raise ValueError(f"clock.advance: {step} seconds is outside 1970 to 6000") from None
                in_range("clock.advance", target)
        except ValueError as exc:
            raise InvalidRequestError(f"clock: {exc}") from None
        if "set" in body:
            clock.set(parse_moment("clock.set", body["set"]))
        if "advance" in body:
            clock.advance(float(body["advance"]))
        return _ok({"now": clock.now().isoformat().replace("+00:00", "Z")})

    def _openapi(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        from pytest_claude_files.server._openapi import openapi_document

        return _ok(openapi_document())

    def _add_replies(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        messages = self._tenant(request).files.messages
        many = isinstance(body, dict) and "replies" in body
        specs = body["replies"] if many else [body]
        if not isinstance(specs, list):
            raise InvalidRequestError("replies: a list of reply objects.")
        replies = [_cm.parse_reply(spec) for spec in specs]  # all checked before any is queued
        for reply in replies:
            messages.queue(reply)
        return _ok(_cm.replies_json(messages))

    def _replies(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        return _ok(_cm.replies_json(self._tenant(request).files.messages))

    def _clear_replies(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        messages = self._tenant(request).files.messages
        count = len(messages.pending_replies)
        messages.reset_replies()
        return _ok({"cleared": count})

    def _messages_requests(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        return _ok(_cm.requests_json(self._tenant(request).files.messages))

    def _batches(self, action: Callable[[Any, Any], Any]) -> Callable[[HTTPRequest, Any], HTTPResponse]:
        """A control endpoint acting on the tenant's ``batches`` (``_control_batches.py``)."""
        return lambda request, body: _ok(action(self._tenant(request).files.batches, body))

    def _add_session_replies(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        sessions = self._tenant(request).files.sessions
        specs = body["replies"] if isinstance(body, dict) and "replies" in body else [body]
        if not isinstance(specs, list):
            raise InvalidRequestError("replies: a list of reply objects.")
        for reply in [_cs.parse_session_reply(spec) for spec in specs]:  # all checked first
            sessions.queue(reply)
        return _ok(_cs.session_replies_json(sessions))

    def _session_replies(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        return _ok(_cs.session_replies_json(self._tenant(request).files.sessions))

    def _clear_session_replies(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        sessions = self._tenant(request).files.sessions
        count = len(sessions.pending_replies)
        sessions.reset_replies()
        return _ok({"cleared": count})
