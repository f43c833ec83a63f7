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
=========================  =====================================================

Fault vocabulary (the same as the respx scenarios): ``operation`` (``upload``, ``list``,
``retrieve_metadata``, ``download``, ``delete`` or ``*``), ``times`` (next N calls,
``null`` = every call), ``after`` (let that many calls through first), and what happens:
``status`` / ``error_type`` / ``error_code`` / ``message`` / ``retry_after`` /
``retry_after_ms`` / ``should_retry`` / ``headers`` for an API error; ``latency``
(seconds, before the answer); ``drop`` (close the connection, no answer);
``truncate_at`` (send that many bytes of the body, then close).
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional
from urllib.parse import parse_qsl

from pytest_claude_files._http.handler import HTTPRequest, HTTPResponse, error_response
from pytest_claude_files._http.routes import OPERATIONS
from pytest_claude_files.errors import (
    AuthenticationError,
    FilesAPIError,
    InvalidRequestError,
    NotFoundError,
    RequestTooLargeError,
    error_class_for,
)

if TYPE_CHECKING:
    from pytest_claude_files.server._app import Tenant, Tenants

__all__ = [
    "CONTROL_PREFIX",
    "ControlAPI",
    "ControlAPIError",
    "ControlClient",
    "Fault",
    "FaultSchedule",
    "file_spec_kwargs",
    "parse_fault",
]

CONTROL_PREFIX = "/_claude_files/"
"""The reserved path prefix of the control API."""
MAX_CONTROL_BODY = 64 * 1024 * 1024
"""Largest control request body (a seeded file's base64 content included)."""
ANY_OPERATION = "*"


# -- faults -------------------------------------------------------------------------
@dataclass
class Fault:
    """One scripted misbehaviour of the server for the next ``times`` calls of ``operation``."""

    operation: str = ANY_OPERATION
    times: Optional[int] = 1
    after: int = 0
    status: Optional[int] = None
    error_type: Optional[str] = None
    error_code: Optional[str] = None
    message: Optional[str] = None
    retry_after: Optional[float] = None
    retry_after_ms: Optional[float] = None
    should_retry: Optional[bool] = None
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    drop: bool = False
    truncate_at: Optional[int] = None
    id: int = 0
    used: int = 0

    @property
    def is_error(self) -> bool:
        return self.status is not None or self.error_type is not None

    def error(self) -> FilesAPIError:
        """The ``FilesAPIError`` this fault answers with."""
        cls = error_class_for(self.status if self.status is not None else str(self.error_type))
        if self.error_type is not None and cls.error_type != self.error_type:
            cls = type(cls.__name__, (cls,), {"error_type": self.error_type})
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers["retry-after"] = _number(self.retry_after)
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = _number(self.retry_after_ms)
        if self.should_retry is not None:
            headers["x-should-retry"] = "true" if self.should_retry else "false"
        message = self.message or f"Injected fault: {cls.error_type} ({cls.status})."
        return cls(message, error_code=self.error_code, headers=headers)

    def response(self) -> HTTPResponse:
        return error_response(self.error())

    def to_json(self) -> dict[str, Any]:
        """The fault as JSON: what was set (``times`` always, ``null`` = every call)."""
        return {
            k: v for k, v in self.__dict__.items()
            if k in ("id", "operation", "times", "after", "used")
            or not (v is None or v is False or v == {} or (k == "latency" and not v))
        }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_FAULT_FIELDS = {
    "operation": str, "times": (int, type(None)), "after": int, "status": int,
    "error_type": str, "error_code": str, "message": str, "retry_after": (int, float),
    "retry_after_ms": (int, float), "should_retry": bool, "headers": dict,
    "latency": (int, float), "drop": bool, "truncate_at": int,
}


def parse_fault(spec: Mapping[str, Any]) -> Fault:
    """A :class:`Fault` from its JSON form; ``InvalidRequestError`` naming the bad field."""
    if not isinstance(spec, Mapping):
        raise InvalidRequestError("fault: the body must be a JSON object.")
    for key, value in spec.items():
        expected = _FAULT_FIELDS.get(key)
        if expected is None:
            raise InvalidRequestError(
                f"fault.{key}: unknown field; expected one of {sorted(_FAULT_FIELDS)}."
            )
        if isinstance(value, bool) and expected is not bool:
            raise InvalidRequestError(f"fault.{key}: must not be a boolean.")
        if value is not None and not isinstance(value, expected):  # type: ignore[arg-type]
            raise InvalidRequestError(f"fault.{key}: wrong type {type(value).__name__}.")
    fault = Fault(**{k: v for k, v in spec.items() if not (v is None and k != "times")})
    if fault.operation not in (*OPERATIONS, ANY_OPERATION):
        raise InvalidRequestError(
            f"fault.operation: {fault.operation!r} is not one of {[*OPERATIONS, ANY_OPERATION]}."
        )
    if fault.times is not None and fault.times < 1:
        raise InvalidRequestError("fault.times: must be >= 1 (or null for every call).")
    if fault.after < 0:
        raise InvalidRequestError("fault.after: must be >= 0.")
    if fault.latency < 0 or fault.latency > 60:
        raise InvalidRequestError("fault.latency: must be 0 to 60 seconds.")
    if fault.truncate_at is not None and fault.truncate_at < 0:
        raise InvalidRequestError("fault.truncate_at: must be >= 0 bytes.")
    if fault.status is not None and not 400 <= fault.status <= 599:
        raise InvalidRequestError("fault.status: an error status is 400 to 599.")
    if fault.status is None and fault.error_type is not None:
        try:
            error_class_for(fault.error_type)
        except ValueError as exc:
            raise InvalidRequestError(f"fault.error_type: {exc}.") from None
    if not (fault.is_error or fault.drop or fault.latency or fault.truncate_at is not None):
        raise InvalidRequestError(
            "fault: say what happens: status/error_type, drop, latency or truncate_at."
        )
    if fault.drop and (fault.is_error or fault.truncate_at is not None):
        raise InvalidRequestError("fault.drop: a dropped connection has no status or body.")
    for name, value in fault.headers.items():
        if not isinstance(value, str):
            raise InvalidRequestError(f"fault.headers.{name}: header values are strings.")
    return fault


class FaultSchedule:
    """The pending faults of one tenant, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._next_id = 1

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def take(self, operation: Optional[str]) -> Optional[Fault]:
        """The fault that applies to this call of ``operation`` (and use it up), if any."""
        if not self._faults:
            return None
        with self._lock:
            chosen = None
            for fault in self._faults:
                if fault.operation not in (ANY_OPERATION, operation) or operation is None:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                if chosen is None:
                    chosen = fault
            if chosen is None:
                return None
            chosen.used += 1
            if chosen.times is not None:
                chosen.times -= 1
                if chosen.times == 0:
                    self._faults.remove(chosen)
            return chosen

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> int:
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
            return count


# -- seeding ------------------------------------------------------------------------
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


# -- the server side ----------------------------------------------------------------
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
        }

    def __call__(self, request: HTTPRequest, *, too_large: bool = False) -> HTTPResponse:
        try:
            if too_large:
                raise RequestTooLargeError(f"control request bodies are at most {self.max_body} bytes.")
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
                    body = json.loads(bytes(request.body))
                except ValueError:
                    raise InvalidRequestError("control API: the body must be JSON.") from None
            return route(request, body)
        except FilesAPIError as exc:
            return error_response(exc)

    def _tenant(self, request: HTTPRequest) -> Tenant:
        tenant = self.tenants.for_control(request.headers)
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
        everyone = (isinstance(body, dict) and body.get("all") is True) or query.get("all") in ("1", "true")
        if everyone:
            keys = self.tenants.settings.api_keys
            if keys is not None and self.tenants.for_control(request.headers) is None:
                raise AuthenticationError("control API: resetting every space needs an accepted API key.")
            count = self.tenants.reset_all()
            return _ok({"reset": "all", "tenants": count})
        tenant = self._tenant(request)
        tenant.reset()
        return _ok({"reset": tenant.label})

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
        made = [tenant.files.add_file(**kw) for kw in kwargs]
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
        if not isinstance(body, dict) or not ({"advance", "set"} & set(body)):
            raise InvalidRequestError('clock: send {"advance": seconds} or {"set": "<RFC 3339>"}.')
        try:
            if "set" in body:
                clock.set(str(body["set"]))
            if "advance" in body:
                step = body["advance"]
                if isinstance(step, bool) or not isinstance(step, (int, float)):
                    raise ValueError("clock.advance: a number of seconds")
                clock.advance(float(step))
        except ValueError as exc:
            raise InvalidRequestError(f"clock: {exc}") from None
        return _ok({"now": clock.now().isoformat().replace("+00:00", "Z")})

    def _openapi(self, request: HTTPRequest, body: Any) -> HTTPResponse:
        from pytest_claude_files.server._openapi import openapi_document

        return _ok(openapi_document())


# -- the client side (stdlib only) ---------------------------------------------------
class ControlAPIError(Exception):
    """The control API answered with an error (``status``, ``message``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class ControlClient:
    """A small client of the control API for one tenant (its API key), stdlib only.

    ``ControlClient(base_url, api_key)``; every method is one HTTP call and returns
    the decoded JSON. Errors raise :class:`ControlAPIError`.
    """

    def __init__(self, base_url: str, api_key: Optional[str] = None, *, timeout: float = 30.0,
                 prefix: str = CONTROL_PREFIX) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"<ControlClient {self.base_url}{self.prefix}>"

    def _call(self, method: str, name: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}{self.prefix}{name}", data=data, method=method,
            headers={"content-type": "application/json"},
        )
        if self._api_key:
            request.add_header("x-api-key", self._api_key)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            try:
                message = json.loads(text)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = text
            raise ControlAPIError(exc.code, message) from None

    # state
    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "health"))

    def reset(self, *, all_tenants: bool = False) -> dict[str, Any]:
        """Forget this tenant's files, calls, counts and faults (``all_tenants``: everyone's)."""
        return dict(self._call("POST", "reset", {"all": True} if all_tenants else {}))

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "state"))

    def files(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "files")["data"])

    def request_counts(self) -> dict[str, int]:
        """Requests received per operation (``upload``, ``list``, ... and ``unknown``)."""
        return dict(self._call("GET", "requests")["counts"])

    def calls(self) -> list[dict[str, Any]]:
        """The calls the tenant's fake recorded (operation, file_id, params, error)."""
        return list(self._call("GET", "requests")["calls"])

    # seeding
    def add_file(
        self,
        filename: str,
        content: bytes | str = b"",
        *,
        mime_type: Optional[str] = None,
        downloadable: bool = False,
        scope_id: Optional[str] = None,
        created_at: Optional[str] = None,
        expires_at: Optional[str] = None,
    ) -> dict[str, Any]:
        """Seed a file (``downloadable=True`` makes one as Claude's tools would); its metadata."""
        spec: dict[str, Any] = {"filename": filename, "downloadable": downloadable}
        if isinstance(content, str):
            spec["content"] = content
        else:
            spec["content_base64"] = base64.b64encode(bytes(content)).decode()
        for key, value in (("mime_type", mime_type), ("scope_id", scope_id),
                           ("created_at", created_at), ("expires_at", expires_at)):
            if value is not None:
                spec[key] = value
        return dict(self._call("POST", "files", spec))

    def add_files(self, count: int, *, prefix: str = "file") -> list[dict[str, Any]]:
        """Seed ``count`` small text files named ``{prefix}-{i}.txt``, oldest first."""
        specs = [{"filename": f"{prefix}-{i}.txt", "content": f"content {i}"} for i in range(count)]
        return list(self._call("POST", "files", {"files": specs})["data"])

    # faults
    def fail(self, operation: str = ANY_OPERATION, status: Optional[int] = None, *,
             times: Optional[int] = 1, **fields: Any) -> dict[str, Any]:
        """Answer the next ``times`` calls of ``operation`` with an API error.

        ``fields``: ``error_type``, ``error_code``, ``message``, ``retry_after``,
        ``retry_after_ms``, ``should_retry``, ``headers``, ``after``, ``latency``.
        """
        spec = {"operation": operation, "times": times, **fields}
        if status is not None:
            spec["status"] = status
        return dict(self._call("POST", "faults", spec))

    def drop(
        self, operation: str = ANY_OPERATION, *, times: Optional[int] = 1, after: int = 0
    ) -> dict[str, Any]:
        """Close the connection without an answer on the next ``times`` calls."""
        return dict(self._call("POST", "faults", {"operation": operation, "times": times,
                                                  "after": after, "drop": True}))

    def delay(self, operation: str = ANY_OPERATION, seconds: float = 1.0, *,
              times: Optional[int] = 1) -> dict[str, Any]:
        """Answer the next ``times`` calls ``seconds`` late."""
        return dict(self._call("POST", "faults", {"operation": operation, "times": times,
                                                  "latency": seconds}))

    def truncate(
        self, operation: str = "download", at: int = 0, *, times: Optional[int] = 1
    ) -> dict[str, Any]:
        """Send only ``at`` bytes of the next answers' bodies, then close the connection."""
        return dict(self._call("POST", "faults", {"operation": operation, "times": times,
                                                  "truncate_at": at}))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults")["data"])

    def clear_faults(self) -> int:
        return int(self._call("DELETE", "faults")["cleared"])

    # clock
    def advance_clock(self, seconds: float) -> str:
        """Move this tenant's clock forward (expiry of GA uploads); the new time."""
        return str(self._call("POST", "clock", {"advance": seconds})["now"])

    def set_clock(self, moment: str) -> str:
        return str(self._call("POST", "clock", {"set": moment})["now"])
