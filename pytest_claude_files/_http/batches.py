"""The Message Batches endpoints (``/v1/messages/batches``), GA and beta alike.

The SDK's beta surface (``client.beta.messages.batches``) calls the same paths (with
``?beta=true`` and, in older SDKs, ``anthropic-beta: message-batches-2024-09-24``) and
reads the same objects, so one set of endpoints serves both. ``results_url`` names the
host the request came to (its ``Host`` header and scheme), so the SDK's ``results()``,
which follows that URL, comes back to the same fake: the emulator's own address, or
``api.anthropic.com`` for the in-process clients and respx.
"""

from __future__ import annotations

from typing import Callable, Optional

from pytest_claude_files._http.endpoint import Endpoint, HTTPResponse
from pytest_claude_files._http.routes import API_BASE_URL
from pytest_claude_files.errors import InvalidRequestError, shown

__all__ = ["ENDPOINTS", "RESULTS_CONTENT_TYPE"]

RESULTS_CONTENT_TYPE = "application/binary"
"""Decision: the results file is served as the ``Accept`` of the SDK's ``results()`` asks."""


def _base_url(ep: Endpoint) -> str:
    host = ep.request.headers.get("host")
    if not host:
        return API_BASE_URL
    return f"{ep.request.scheme}://{host}"


def _int(name: str, value: str) -> int:
    text = value.strip()
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii() or len(body) > 18:
        raise InvalidRequestError(f"{name}: must be an integer, got {shown(value)!r}.")
    return int(text)


def create(ep: Endpoint) -> HTTPResponse:
    size = len(bytes(ep.request.body))
    batch = ep.service.batches.create(ep.json_body(), body_size=size, api_version=ep.api_version,
                                      betas=ep.betas, workspace_id=ep.workspace, base_url=_base_url(ep))
    return ep.ok(batch)


def list_batches(ep: Endpoint) -> HTTPResponse:
    query = {key: values[-1] for key, values in ep.query().items()}
    limit = _int("limit", query["limit"]) if "limit" in query else 20
    before: Optional[str] = query.get("before_id") or None
    after: Optional[str] = query.get("after_id") or None
    return ep.ok(ep.service.batches.list(limit=limit, before_id=before, after_id=after,
                                         workspace_id=ep.workspace, base_url=_base_url(ep)))


def retrieve(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.batches.retrieve(ep.params["batch_id"], workspace_id=ep.workspace,
                                             base_url=_base_url(ep)))


def cancel(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.batches.cancel(ep.params["batch_id"], workspace_id=ep.workspace,
                                           base_url=_base_url(ep)))


def delete(ep: Endpoint) -> HTTPResponse:
    return ep.ok(ep.service.batches.delete(ep.params["batch_id"], workspace_id=ep.workspace))


def results(ep: Endpoint) -> HTTPResponse:
    data = ep.service.batches.results(ep.params["batch_id"], workspace_id=ep.workspace)
    return ep.raw(data, RESULTS_CONTENT_TYPE)


ENDPOINTS: dict[str, Callable[[Endpoint], HTTPResponse]] = {
    "batches.create": create,
    "batches.list": list_batches,
    "batches.retrieve": retrieve,
    "batches.cancel": cancel,
    "batches.delete": delete,
    "batches.results": results,
}
