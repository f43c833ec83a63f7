"""What a Message Batch create request says, checked as the API checks it: no HTTP, no state.

``POST /v1/messages/batches`` takes ``{"requests": [{"custom_id": ..., "params": {...}}]}``:
1 to 100,000 requests, 256 MB in all, each ``custom_id`` 1-64 characters of
``[a-zA-Z0-9_-]`` and unique in the batch (the API reference of batches.create; the batch
processing guide). A bad batch is a 400 (413 beyond 256 MB) for the whole batch; what is
inside ``params`` is the Messages side's to check, request by request, when the batch runs.

Also here: the lines of the results file (``succeeded`` / ``errored`` / ``canceled`` /
``expired``) and the deterministic order they come in (:func:`results_order`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Optional

from pytest_claude_files.errors import FilesAPIError, InvalidRequestError, RequestTooLargeError, shown
from pytest_claude_files.models import dump_json

__all__ = [
    "CUSTOM_ID_PATTERN",
    "MAX_BATCH_BYTES",
    "MAX_REQUESTS",
    "BatchItem",
    "check_batch",
    "check_custom_id",
    "result_line",
    "results_order",
]

MB = 1024 * 1024
MAX_REQUESTS = 100_000
"""At most 100,000 requests a batch (batch processing guide; batches.create ``maxItems``)."""
MAX_BATCH_BYTES = 256 * MB
"""A batch's request body at most 256 MB (batch processing guide; decision: binary megabytes)."""
CUSTOM_ID_PATTERN = "^[a-zA-Z0-9_-]{1,64}$"
"""``custom_id``: 1 to 64 characters, this pattern (batches.create API reference)."""
_CUSTOM_ID_RE = re.compile(r"\A[a-zA-Z0-9_-]{1,64}\Z")
MAX_CUSTOM_ID = 64
TOO_LARGE = "Request exceeds the maximum allowed number of bytes: {size} > {limit}."
DUPLICATE_CUSTOM_ID = (
    "requests.{index}.custom_id: custom_id `{custom_id}` is used by more than one request; "
    "it must be unique for each request within the Message Batch."
)
"""Decision: the API's wording for a repeated ``custom_id`` is not public."""


@dataclass
class BatchItem:
    """One request of a batch: its ``custom_id``, its Messages body, its size in bytes."""

    custom_id: str
    params: Any
    size: int


def check_custom_id(custom_id: Any, where: str = "custom_id") -> str:
    """``custom_id`` as the API checks it (pydantic's wording, its order: type, length, pattern)."""
    if not isinstance(custom_id, str):
        raise InvalidRequestError(f"{where}: Input should be a valid string")
    if not custom_id:
        raise InvalidRequestError(f"{where}: String should have at least 1 character")
    if len(custom_id) > MAX_CUSTOM_ID:
        raise InvalidRequestError(f"{where}: String should have at most {MAX_CUSTOM_ID} characters")
    if not _CUSTOM_ID_RE.match(custom_id):
        raise InvalidRequestError(f"{where}: String should match pattern '{CUSTOM_ID_PATTERN}'")
    return custom_id


def check_batch(
    body: Any, body_size: int, *, max_bytes: int = MAX_BATCH_BYTES, max_requests: int = MAX_REQUESTS,
) -> list[BatchItem]:
    """The requests of a batch create body; the API's 400 (413 beyond ``max_bytes``) if bad.

    ``body_size``: the body's bytes (each item's own size is counted from its JSON)."""
    if body_size > max_bytes:
        raise RequestTooLargeError(TOO_LARGE.format(size=body_size, limit=max_bytes))
    if not isinstance(body, dict):
        raise InvalidRequestError("Input should be a valid dictionary")
    for key in body:
        if key != "requests":
            raise InvalidRequestError(f"{shown(key)}: Extra inputs are not permitted")
    if "requests" not in body:
        raise InvalidRequestError("requests: Field required")
    requests = body["requests"]
    if not isinstance(requests, list):
        raise InvalidRequestError("requests: Input should be a valid list")
    if not requests:
        raise InvalidRequestError("requests: List should have at least 1 item after validation, not 0")
    if len(requests) > max_requests:
        raise InvalidRequestError(
            f"requests: List should have at most {max_requests} items after validation, not {len(requests)}")
    items: list[BatchItem] = []
    seen: set[str] = set()
    for index, request in enumerate(requests):
        where = f"requests.{index}"
        if not isinstance(request, dict):
            raise InvalidRequestError(f"{where}: Input should be a valid dictionary")
        for key in request:
            if key not in ("custom_id", "params"):
                raise InvalidRequestError(f"{where}.{shown(key)}: Extra inputs are not permitted")
        for key in ("custom_id", "params"):
            if key not in request:
                raise InvalidRequestError(f"{where}.{key}: Field required")
        custom_id = check_custom_id(request["custom_id"], f"{where}.custom_id")
        if custom_id in seen:
            raise InvalidRequestError(DUPLICATE_CUSTOM_ID.format(index=index, custom_id=custom_id))
        seen.add(custom_id)
        params = request["params"]
        if not isinstance(params, dict):
            raise InvalidRequestError(f"{where}.params: Input should be a valid dictionary")
        items.append(BatchItem(custom_id, params, len(dump_json(params))))
    return items


# -- the results file -----------------------------------------------------------------
def result_line(custom_id: str, result: dict[str, Any]) -> bytes:
    """One line of the results file (without its newline)."""
    return dump_json({"custom_id": custom_id, "result": result})


def succeeded(message: dict[str, Any]) -> dict[str, Any]:
    return {"type": "succeeded", "message": message}


def errored(error: FilesAPIError, request_id: str) -> dict[str, Any]:
    """The ``errored`` result: the API's error object, as an error answer's body."""
    return {"type": "errored", "error": error.envelope(request_id)}


CANCELED: dict[str, Any] = {"type": "canceled"}
EXPIRED: dict[str, Any] = {"type": "expired"}


def results_order(custom_ids: list[str], in_request_order: bool = False) -> list[int]:
    """The order of the results file, as indexes of the requests.

    Decision: the API gives results "not in request order"; the fake's order is fixed by
    the ``custom_id`` values (their SHA-256), so it is the same on every run, and is never
    the request order when there are two requests or more (reversed if the hashes happen
    to give it), so code that pairs results with requests by position fails here too.
    ``in_request_order`` keeps the request order.
    """
    order = list(range(len(custom_ids)))
    if in_request_order or len(order) < 2:
        return order
    shuffled = sorted(order, key=lambda i: hashlib.sha256(custom_ids[i].encode()).digest())
    return shuffled[::-1] if shuffled == order else shuffled


def items_bytes(items: Optional[list[BatchItem]]) -> int:
    """The bytes the requests of a batch hold (its memory bound counts them)."""
    return sum(item.size for item in items or ())
