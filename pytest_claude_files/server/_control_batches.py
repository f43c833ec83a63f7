"""The control API's Message Batches endpoints: hold, end and script batches from any language.

=============================  ==================================================
``POST   batches/hold``        ``{"held": true}`` (default) or ``false``: new batches
                               stay ``in_progress`` until ended (``claude_files.batches.hold()``)
``POST   batches/end``         end ``{"batch_id": ...}`` or every batch in progress; the
                               ended batches
``POST   batches/replies``     ``{"custom_id": ..., <reply fields>}``: the answer to the batch
                               request with that ``custom_id`` (``claude_files.batches.reply()``)
``GET    batches/replies``     the unused ones, by ``custom_id``
=============================  ==================================================

Reply fields are those of ``messages/replies`` (``_control_messages.parse_reply``).
"""

from __future__ import annotations

from typing import Any

from pytest_claude_files._core.batch_check import check_custom_id
from pytest_claude_files._core.batches import FakeBatches
from pytest_claude_files.errors import InvalidRequestError, NotFoundError, shown
from pytest_claude_files.server._control_messages import parse_reply, reply_json

__all__ = ["add_reply", "end", "hold", "replies_json"]


def hold(batches: FakeBatches, body: Any) -> dict[str, Any]:
    held = True if body is None else (body.get("held", True) if isinstance(body, dict) else body)
    if not isinstance(held, bool):
        raise InvalidRequestError('batches/hold: send {"held": true} or {"held": false}.')
    batches.hold(held)
    return {"held": held}


def end(batches: FakeBatches, body: Any) -> dict[str, Any]:
    batch_id = body.get("batch_id") if isinstance(body, dict) else None
    if batch_id is not None and not isinstance(batch_id, str):
        raise InvalidRequestError("batches/end: batch_id is a string (or absent: every batch).")
    try:
        return {"data": batches.end(batch_id)}
    except KeyError:
        raise NotFoundError(f"batches/end: no message batch {shown(batch_id)!r} in this tenant.") from None


def add_reply(batches: FakeBatches, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or "custom_id" not in body:
        raise InvalidRequestError('batches/replies: send {"custom_id": ..., "text": ..., ...}.')
    fields = dict(body)
    custom_id = check_custom_id(fields.pop("custom_id"), "batches/replies: custom_id")
    batches.queue(custom_id, parse_reply(fields))
    return replies_json(batches)


def replies_json(batches: FakeBatches) -> dict[str, Any]:
    return {"data": {cid: [reply_json(r) for r in queue] for cid, queue in batches.pending_replies.items()}}
