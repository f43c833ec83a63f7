"""A small client of the emulator's control API, for tests and scripts in Python."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any, Optional

from pytest_claude_files.server._names import ANY_OPERATION, CONTROL_PREFIX

if TYPE_CHECKING:
    pass


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
                 prefix: str = CONTROL_PREFIX, control_token: Optional[str] = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._control_token = control_token
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
        if self._control_token:
            request.add_header("x-control-token", self._control_token)
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
        """Forget this tenant's files, calls, counts and faults (``all_tenants``: everyone's,
        which needs the server's admin token: ``ControlClient(..., control_token=...)``)."""
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
    def error(self, operation: str = ANY_OPERATION, status: Optional[int] = None, *,
              times: Optional[int] = 1, **fields: Any) -> dict[str, Any]:
        """Answer the next ``times`` calls of ``operation`` with an API error.

        ``fields``: ``error_type``, ``error_code``, ``details``, ``message``, ``retry_after``,
        ``retry_after_ms``, ``should_retry``, ``headers``, ``after``, ``latency``.
        """
        spec = {"operation": operation, "times": times, **fields}
        if status is not None:
            spec["status"] = status
        return self._fault(spec)

    def drop(
        self, operation: str = ANY_OPERATION, *, times: Optional[int] = 1, after: int = 0
    ) -> dict[str, Any]:
        """Close the connection without an answer on the next ``times`` calls."""
        return self._fault({"operation": operation, "times": times, "after": after, "drop": True})

    def latency(self, operation: str = ANY_OPERATION, seconds: float = 1.0, *,
                times: Optional[int] = 1) -> dict[str, Any]:
        """Answer the next ``times`` calls ``seconds`` late."""
        return self._fault({"operation": operation, "times": times, "latency": seconds})

    def cut_body(
        self, operation: str = "download", after: int = 0, *, times: Optional[int] = 1
    ) -> dict[str, Any]:
        """Send only ``after`` bytes of the next answers' bodies, then close the connection."""
        return self._fault({"operation": operation, "times": times, "cut_body": after})

    def _fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", "faults", spec))

    def __getattr__(self, name: str) -> Any:
        new = _RENAMED.get(name)
        if new is not None:  # the names before one vocabulary (docs/faults.md)
            raise AttributeError(f"ControlClient.{name}() is now ControlClient.{new}() (the same fault; "
                                 "one vocabulary: claude-files-fake docs faults)")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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

    # Messages
    def reply(
        self,
        text: Optional[str] = None,
        *,
        output_files: Optional[dict[str, Any]] = None,
        **fields: Any,
    ) -> list[dict[str, Any]]:
        """Queue the next Messages reply, as ``claude_files.messages.reply()``; the pending replies.

        ``output_files`` maps a filename to bytes or ``(bytes, mime_type)``; the other
        keywords (``tool_use``, ``stop_reason``, ``command``, ``stdout``...) go as they are.
        """
        return list(self._call("POST", "messages/replies", _reply_spec(text, output_files, fields))["data"])

    def session_reply(
        self,
        text: Optional[str] = None,
        *,
        output_files: Optional[dict[str, Any]] = None,
        **fields: Any,
    ) -> list[dict[str, Any]]:
        """Queue the next Managed Agents turn, as ``claude_files.sessions.reply()``; the pending turns.

        ``output_files`` maps a filename to bytes or ``(bytes, mime_type)`` (written to
        ``/mnt/session/outputs/``); ``stop_reason`` and ``session_id`` go as they are.
        """
        spec: dict[str, Any] = dict(fields)
        if text is not None:
            spec["text"] = text
        if output_files:
            files: dict[str, Any] = {}
            for name, value in output_files.items():
                data, mime = value if isinstance(value, tuple) else (value, None)
                files[name] = {"content_base64": base64.b64encode(bytes(data)).decode()}
                if mime is not None:
                    files[name]["mime_type"] = mime
            spec["output_files"] = files
        return list(self._call("POST", "sessions/replies", spec)["data"])

    def pending_session_replies(self) -> list[dict[str, Any]]:
        """The Managed Agents turns no ``user.message`` has used yet."""
        return list(self._call("GET", "sessions/replies")["data"])

    def clear_session_replies(self) -> int:
        """Drop the unused Managed Agents turns; how many there were."""
        return int(self._call("DELETE", "sessions/replies")["cleared"])

    def pending_replies(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "messages/replies")["data"])

    def message_requests(self) -> list[dict[str, Any]]:
        """The Messages requests received (operation, files resolved, error, body)."""
        return list(self._call("GET", "messages/requests")["data"])

    # Message Batches
    def hold_batches(self, held: bool = True) -> None:
        """New batches stay ``in_progress`` until :meth:`end_batches` (``claude_files.batches.hold()``)."""
        self._call("POST", "batches/hold", {"held": held})

    def end_batches(self, batch_id: Optional[str] = None) -> list[dict[str, Any]]:
        """End one batch (every batch in progress when ``None``); the ended batches."""
        body = {} if batch_id is None else {"batch_id": batch_id}
        return list(self._call("POST", "batches/end", body)["data"])

    def batch_reply(
        self, custom_id: str, text: Optional[str] = None, *,
        output_files: Optional[dict[str, Any]] = None, **fields: Any,
    ) -> dict[str, Any]:
        """Script the answer to the batch request with ``custom_id`` (``claude_files.batches.reply()``;
        the keywords of :meth:`reply`); the unused batch replies by ``custom_id``."""
        spec = {"custom_id": custom_id, **_reply_spec(text, output_files, fields)}
        return dict(self._call("POST", "batches/replies", spec)["data"])


def _reply_spec(
    text: Optional[str], output_files: Optional[dict[str, Any]], fields: dict[str, Any],
) -> dict[str, Any]:
    """A reply as the control API takes it (output files' bytes as base64)."""
    spec: dict[str, Any] = dict(fields)
    if text is not None:
        spec["text"] = text
    if output_files:
        files: dict[str, Any] = {}
        for name, value in output_files.items():
            data, mime = value if isinstance(value, tuple) else (value, None)
            files[name] = {"content_base64": base64.b64encode(bytes(data)).decode()}
            if mime is not None:
                files[name]["mime_type"] = mime
        spec["output_files"] = files
    return spec


_RENAMED = {"fail": "error", "delay": "latency", "truncate": "cut_body"}
