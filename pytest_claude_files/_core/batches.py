"""The fake Message Batches: ``claude_files.batches`` (no HTTP).

Each request of a batch is a Messages request, checked and answered by the service's
:class:`~pytest_claude_files._core.messages.FakeMessages` (file references resolved in the
batch's workspace, the size limit, scripted replies): a request the Messages side refuses
becomes that request's ``errored`` result holding the API's error object, the others
succeed. The batch itself is checked at creation (:mod:`~pytest_claude_files._core.batch_check`).

Its life, on the service's clock (docs/batches.md, docs/fidelity.md):

- ``create`` answers ``in_progress``, every request ``processing``;
- a batch that is not held has ended by the time the client looks at it again (retrieve,
  list, results, delete): its requests are answered then, in request order (scripted
  replies are used in that order), so tests never wait;
- a held batch (:meth:`FakeBatches.hold`) stays ``in_progress`` until :meth:`FakeBatches.end`,
  or until its ``expires_at`` (24 hours after creation) passes: then every request is
  ``expired``;
- ``cancel`` moves a batch in progress to ``canceling``; it ends (at the next look, or at
  ``end()`` when held) with every request ``canceled``;
- results stay downloadable for 29 days after creation (``archived_at`` then), and within
  :attr:`FakeBatches.max_stored_bytes` (the oldest ended batches' results are archived
  first beyond it).
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Optional, Protocol

from pytest_claude_files._core import batch_check as _check
from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core.clock import parse_aware as _when
from pytest_claude_files._core.messages import FakeMessages, Reply
from pytest_claude_files._core.resource import Renamed, Resource, ServiceLike
from pytest_claude_files.errors import FilesAPIError, InvalidRequestError, NotFoundError, shown
from pytest_claude_files.models import format_timestamp


class Service(ServiceLike, Protocol):
    """What the batches need of the service (``FakeService`` is one; no import cycle)."""

    messages: FakeMessages


__all__ = ["PROCESSING_WINDOW", "RESULTS_KEPT", "FakeBatches"]

MB = 1024 * 1024
PROCESSING_WINDOW = timedelta(hours=24)
"""A batch expires 24 hours after creation (``expires_at``; the batch processing guide)."""
RESULTS_KEPT = timedelta(days=29)
"""Results are available for 29 days after creation (the batch processing guide)."""
DEFAULT_MAX_STORED_BYTES = 512 * MB
"""Decision: the requests and results the fake keeps, over every batch, at most 512 MB."""
MAX_BATCHES_KEPT = 100_000
"""Decision: at most 100,000 batches kept; beyond, the oldest ended batch is forgotten."""
API_BASE = "https://api.anthropic.com"
RESULTS_PATH = "/v1/messages/batches/{batch_id}/results"
NOT_FOUND = "Message batch `{batch_id}` not found."
CANNOT_CANCEL = "Message batch `{batch_id}` has already ended and can no longer be canceled."
CANNOT_DELETE = (
    "Message Batches can only be deleted once they've finished processing; "
    "cancel message batch `{batch_id}` first."
)
NOT_ENDED = "Message batch `{batch_id}` has not finished processing: its results are not available yet."
ARCHIVED = (
    "The results of message batch `{batch_id}` are no longer available "
    "(results are kept 29 days after a batch is created)."
)
STREAM_REFUSED = "stream: Message Batches do not support streaming; remove `stream` from the request params."
COUNT_KEYS = ("processing", "succeeded", "errored", "canceled", "expired")


@dataclass
class _Batch:
    id: str
    created_at: datetime
    workspace: Optional[str]
    api_version: Optional[str]
    betas: frozenset[str]
    items: Optional[list[_check.BatchItem]]
    size: int
    held: bool
    status: str = "in_progress"
    counts: dict[str, int] = field(default_factory=dict)
    cancel_initiated_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    archived_at: Optional[datetime] = None
    results: Optional[bytes] = None

    @property
    def expires_at(self) -> datetime:
        return self.created_at + PROCESSING_WINDOW

    @property
    def stored(self) -> int:
        return self.size if self.items is not None else len(self.results or b"")


class FakeBatches(Resource):
    """The Message Batches API of one fake: ``claude_files.batches``.

    Script a request's answer by its ``custom_id`` with :meth:`reply` (else the next
    ``claude_files.messages.reply()`` answers, in request order); keep batches in progress
    with :meth:`hold` and end them with :meth:`end`; look with :meth:`get` and :meth:`results`.
    """

    require_all_replies_used = Renamed("assert_all_scripted_used")

    name = "batches"

    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self.service: Service = service
        self.max_bytes = _check.MAX_BATCH_BYTES
        """A batch's request body at most this many bytes (413 beyond; 256 MB)."""
        self.max_requests = _check.MAX_REQUESTS
        """At most this many requests a batch (100,000)."""
        self.max_stored_bytes = DEFAULT_MAX_STORED_BYTES
        """Requests and results kept over every batch; beyond, the oldest results are archived."""
        self.results_in_request_order = False
        """Give results in request order (default: a fixed order that is not; see ``results_order``)."""
        self.assert_all_scripted_used = True
        """Fail the test at teardown when a :meth:`reply` was never used (default True)."""
        self._lock = threading.RLock()
        self._holding = False
        self._batches: dict[str, _Batch] = {}
        self._order: list[str] = []  # ids, oldest first (ids sort by creation)
        self._replies: dict[str, deque[Reply]] = {}
        self._stored = 0
        self._dirty: set[str] = set()  # batches changed since their record was last kept

    def load_records(self) -> None:
        """The batches the service's ``records`` kept (an emulator's restart), as they were:
        one in progress is still in progress, and ends by the rules above."""
        def restore(key: str, record: dict[str, Any]) -> None:
            batch = _from_record(record)
            if batch.id != key or key in self._batches:
                raise ValueError("the record of another batch")
            self._batches[key] = batch
            bisect.insort(self._order, key)
            self._stored += batch.stored

        with self._lock:
            self.service.records.load(self.name, restore)

    def _flush(self, strict: bool) -> None:
        """Keep the record of every batch changed (a gone one: dropped)."""
        dirty, self._dirty = sorted(self._dirty), set()
        if not self.keeps_records:
            return
        for batch_id in dirty:
            batch = self._batches.get(batch_id)
            if batch is None:
                self._drop(batch_id)
            else:
                self._save(batch_id, _to_record(batch), strict=strict)

    # -- the test's side ------------------------------------------------------------
    def reset(self) -> None:
        """Forget every batch and scripted reply; new batches are not held."""
        with self._lock:
            self._holding = False
            self._batches.clear()
            self._order.clear()
            self._replies.clear()
            self._stored = 0
            self._dirty.clear()
            self._clear_records()

    def is_empty(self, kept: bool = False) -> bool:
        """No batch (unless ``kept``), no scripted reply, not holding, the settings at their defaults."""
        with self._lock:
            return not ((self._batches and not kept) or self._replies or self._holding) and (
                self.max_bytes, self.max_requests, self.max_stored_bytes, self.results_in_request_order,
                self.assert_all_scripted_used,
            ) == (_check.MAX_BATCH_BYTES, _check.MAX_REQUESTS, DEFAULT_MAX_STORED_BYTES, False, True)

    def reply(self, custom_id: str, text: Optional[str] = None, **kwargs: Any) -> Reply:
        """Script the answer to the batch request with this ``custom_id``; the keywords are
        those of ``claude_files.messages.reply()`` (``output_files``, ``tool_use``,
        ``stop_reason``, ``citations``, ...). Replies for one ``custom_id`` are used in order,
        one per batch request with that id that succeeds; an unused one fails the test."""
        try:
            _check.check_custom_id(custom_id)
        except InvalidRequestError as exc:
            raise ValueError(f"claude_files.batches.reply({custom_id!r}): {exc.message}") from None
        return self.queue(custom_id, FakeMessages.make_reply(text, **kwargs))

    def queue(self, custom_id: str, reply: Reply) -> Reply:
        """Queue a :class:`Reply` (``FakeMessages.make_reply``) for ``custom_id`` (as :meth:`reply`)."""
        with self._lock:
            self._replies.setdefault(custom_id, deque()).append(reply)
        return reply

    @property
    def pending_replies(self) -> dict[str, list[Reply]]:
        """Replies scripted with :meth:`reply` that no request has used, by ``custom_id``."""
        with self._lock:
            return {cid: list(queue) for cid, queue in self._replies.items() if queue}

    def problems(self) -> list[str]:
        """Unused :meth:`reply` scripts (the ``claude_files`` fixture fails the test on them)."""
        pending = self.pending_replies
        if not self.assert_all_scripted_used or not pending:
            return []
        count = sum(len(v) for v in pending.values())
        named = ", ".join(sorted(pending)[:10]) + (", ..." if len(pending) > 10 else "")
        return [
            f"{count} scripted reply(ies) of claude_files.batches.reply() were never used (custom_id: "
            f"{named}): no batch request with that custom_id succeeded (set "
            "claude_files.batches.assert_all_scripted_used = False to allow it)."
        ]

    def hold(self, held: bool = True) -> None:
        """Keep the batches created from now on ``in_progress`` until :meth:`end` (or their
        24 hours pass); ``hold(False)``: new batches end by the client's next look again."""
        with self._lock:
            self._holding = held

    @property
    def holding(self) -> bool:
        """Whether new batches are held (:meth:`hold`)."""
        return self._holding

    def end(self, batch_id: Optional[str] = None) -> list[dict[str, Any]]:
        """End a batch in progress now (every one when ``batch_id`` is ``None``): its requests
        are answered (or ``canceled`` when it was canceling). Returns the ended batches as
        the API shows them; a batch that had ended already is left as it is."""
        with self._lock:
            if batch_id is not None:
                chosen = [self._find(batch_id, None, anywhere=True)]
            else:
                chosen = [self._batches[i] for i in self._order]
            for batch in chosen:
                self._expire(batch)
                if batch.status != "ended":
                    self._finish(batch)
            self._flush(strict=False)
            return [self._api(batch, API_BASE) for batch in chosen]

    def get(self, batch_id: str) -> dict[str, Any]:
        """A batch as the API shows it now, without the client's look ending it."""
        with self._lock:
            batch = self._find(batch_id, None, anywhere=True)
            self._expire(batch)
            self._flush(strict=False)
            return self._api(batch, API_BASE)

    def results_of(self, batch_id: str) -> list[dict[str, Any]]:
        """The results of an ended batch, parsed, in the order the results file gives them."""
        import json

        with self._lock:
            batch = self._find(batch_id, None, anywhere=True)
            self._expire(batch)
            self._flush(strict=False)
            data = batch.results or b""
        return [json.loads(line) for line in data.splitlines() if line]

    def __len__(self) -> int:
        return len(self._batches)

    @property
    def stored_bytes(self) -> int:
        """Bytes of requests (batches in progress) and results (ended ones) kept now."""
        return self._stored

    # -- the API's side -------------------------------------------------------------
    def create(
        self, body: Any, *, body_size: int, api_version: Optional[str] = None,
        betas: frozenset[str] = frozenset(), workspace_id: Optional[str] = None, base_url: str = API_BASE,
    ) -> dict[str, Any]:
        """``POST /v1/messages/batches``: the new batch, ``in_progress``."""
        items = _check.check_batch(body, body_size, max_bytes=self.max_bytes, max_requests=self.max_requests)
        with self._lock:
            now = self.service.clock.now()
            batch = _Batch(_ids.new_batch_id(now), now, workspace_id, api_version, betas, items,
                           _check.items_bytes(items), self._holding)
            batch.counts = dict.fromkeys(COUNT_KEYS, 0)
            batch.counts["processing"] = len(items)
            if self.keeps_records:
                self._save(batch.id, _to_record(batch))  # kept before it is acknowledged
            self._batches[batch.id] = batch
            bisect.insort(self._order, batch.id)
            self._stored += batch.size
            self._bound(keep=batch.id)
            self._dirty.discard(batch.id)
            self._flush(strict=False)
            return self._api(batch, base_url)

    def retrieve(self, batch_id: str, *, workspace_id: Optional[str] = None,
                 base_url: str = API_BASE) -> dict[str, Any]:
        """``GET /v1/messages/batches/{id}``."""
        with self._lock:
            batch = self._look(batch_id, workspace_id)
            self._flush(strict=False)
            return self._api(batch, base_url)

    def list(
        self, *, limit: int = 20, before_id: Optional[str] = None, after_id: Optional[str] = None,
        workspace_id: Optional[str] = None, base_url: str = API_BASE,
    ) -> dict[str, Any]:
        """``GET /v1/messages/batches``: newest first; ``after_id`` pages to older batches,
        ``before_id`` to newer ones (``data``, ``has_more``, ``first_id``, ``last_id``)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise InvalidRequestError(f"limit: must be an integer from 1 to 1000, got {shown(limit)!r}.")
        if before_id is not None and after_id is not None:
            raise InvalidRequestError("before_id and after_id cannot both be given.")
        with self._lock:
            seq = [i for i in self._order if self._visible(self._batches[i], workspace_id)]
            if before_id is not None:
                pos = bisect.bisect_right(seq, before_id)
                ids = seq[pos:pos + limit]
                has_more = pos + limit < len(seq)
            else:
                end = len(seq) if after_id is None else bisect.bisect_left(seq, after_id)
                start = max(0, end - limit)
                ids = seq[start:end]
                has_more = start > 0
            data = []
            for batch_id in reversed(ids):
                batch = self._batches[batch_id]
                self._settle(batch)
                data.append(self._api(batch, base_url))
            self._flush(strict=False)
            return {"data": data, "has_more": has_more, "first_id": data[0]["id"] if data else None,
                    "last_id": data[-1]["id"] if data else None}

    def cancel(self, batch_id: str, *, workspace_id: Optional[str] = None,
               base_url: str = API_BASE) -> dict[str, Any]:
        """``POST /v1/messages/batches/{id}/cancel``: ``canceling`` (already canceling: as it is)."""
        with self._lock:
            batch = self._find(batch_id, workspace_id)
            self._expire(batch)
            if batch.status == "ended":
                self._flush(strict=False)
                raise InvalidRequestError(CANNOT_CANCEL.format(batch_id=batch.id))
            if batch.status == "in_progress":
                batch.status = "canceling"
                batch.cancel_initiated_at = self.service.clock.now()
                self._dirty.add(batch.id)
            self._flush(strict=True)
            return self._api(batch, base_url)

    def delete(self, batch_id: str, *, workspace_id: Optional[str] = None) -> dict[str, Any]:
        """``DELETE /v1/messages/batches/{id}``: only an ended batch."""
        with self._lock:
            batch = self._look(batch_id, workspace_id)
            if batch.status != "ended":
                self._flush(strict=False)
                raise InvalidRequestError(CANNOT_DELETE.format(batch_id=batch.id))
            self._forget(batch)
            self._flush(strict=True)
            return {"id": batch.id, "type": "message_batch_deleted"}

    def results(self, batch_id: str, *, workspace_id: Optional[str] = None) -> bytes:
        """``GET`` of a batch's ``results_url``: the results file (JSONL)."""
        with self._lock:
            batch = self._look(batch_id, workspace_id)
            self._flush(strict=False)
            if batch.status != "ended":
                raise InvalidRequestError(NOT_ENDED.format(batch_id=batch.id))
            if batch.results is None:
                raise NotFoundError(ARCHIVED.format(batch_id=batch.id))
            return batch.results

    # -- internals ------------------------------------------------------------------
    def _find(self, batch_id: str, workspace_id: Optional[str], anywhere: bool = False) -> _Batch:
        batch = self._batches.get(batch_id)
        if batch is None or not (anywhere or self._visible(batch, workspace_id)):
            if anywhere:
                raise KeyError(f"no message batch {batch_id!r} in this fake")
            raise NotFoundError(NOT_FOUND.format(batch_id=shown(batch_id)))
        return batch

    def _visible(self, batch: _Batch, workspace_id: Optional[str]) -> bool:
        return batch.workspace == workspace_id or not self.service.settings.partition_workspaces

    def _look(self, batch_id: str, workspace_id: Optional[str]) -> _Batch:
        """The batch a client looks at: ended now unless held (or past its clock times)."""
        batch = self._find(batch_id, workspace_id)
        self._settle(batch)
        return batch

    def _settle(self, batch: _Batch) -> None:
        self._expire(batch)
        if batch.status != "ended" and not batch.held:
            self._finish(batch)

    def _expire(self, batch: _Batch) -> None:
        """Apply the clock: 24 hours in progress expire the requests; 29 days archive results."""
        now = self.service.clock.now()
        if batch.status != "ended" and now >= batch.expires_at:
            self._finish(batch, at=batch.expires_at)
        archive_at = batch.created_at + RESULTS_KEPT
        if batch.archived_at is None and batch.status == "ended" and now >= archive_at:
            self._archive(batch, archive_at)

    def _finish(self, batch: _Batch, at: Optional[datetime] = None) -> None:
        """End a batch: answer its requests (or cancel / expire them), build the results."""
        items = batch.items or []
        ids = [item.custom_id for item in items]
        if batch.status == "canceling":
            kind: Optional[dict[str, Any]] = _check.CANCELED
        elif at is not None:
            kind = _check.EXPIRED
        else:
            kind = None
        lines: list[bytes] = []
        counts = dict.fromkeys(COUNT_KEYS, 0)
        for item in items:
            if kind is not None:
                result = kind
            else:
                result = self._answer(batch, item)
            counts[result["type"]] += 1
            lines.append(_check.result_line(item.custom_id, result))
        order = _check.results_order(ids, self.results_in_request_order)
        results = b"".join(lines[i] + b"\n" for i in order)
        self._stored += len(results) - batch.size
        batch.items, batch.results, batch.counts = None, results, counts
        batch.status = "ended"
        batch.ended_at = at or self.service.clock.now()
        self._dirty.add(batch.id)
        self._bound(keep=batch.id)

    def _answer(self, batch: _Batch, item: _check.BatchItem) -> dict[str, Any]:
        """One request, as ``POST /v1/messages`` would answer it: succeeded or errored."""
        queue = self._replies.get(item.custom_id)
        scripted = queue[0] if queue else None
        try:
            if item.params.get("stream") is True:
                raise InvalidRequestError(STREAM_REFUSED)
            message = self.service.messages.create(
                item.params, api_version=batch.api_version, betas=batch.betas, body_size=item.size,
                workspace_id=batch.workspace, reply=scripted)
        except FilesAPIError as exc:
            return _check.errored(exc, _ids.new_request_id())
        if queue:
            queue.popleft()
        return _check.succeeded(message)

    def _archive(self, batch: _Batch, at: datetime) -> None:
        self._stored -= len(batch.results or b"")
        batch.results = None
        batch.archived_at = at
        self._dirty.add(batch.id)

    def _forget(self, batch: _Batch) -> None:
        self._stored -= batch.stored
        del self._batches[batch.id]
        self._dirty.add(batch.id)
        index = bisect.bisect_left(self._order, batch.id)
        if index < len(self._order) and self._order[index] == batch.id:
            del self._order[index]

    def _bound(self, keep: str) -> None:
        """Keep within ``max_stored_bytes`` (archive the oldest results) and the batch count."""
        if self._stored > self.max_stored_bytes:
            now = self.service.clock.now()
            for batch_id in self._order:
                if self._stored <= self.max_stored_bytes:
                    break
                batch = self._batches[batch_id]
                if batch_id != keep and batch.results is not None:
                    self._archive(batch, now)
        while len(self._order) > MAX_BATCHES_KEPT:
            oldest = next((self._batches[i] for i in self._order
                           if self._batches[i].status == "ended" and i != keep), None)
            if oldest is None:
                break
            self._forget(oldest)

    def _api(self, batch: _Batch, base_url: str) -> dict[str, Any]:
        """The ``MessageBatch`` object, keys in the API's order."""
        ended = batch.status == "ended"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": batch.status,
            "request_counts": dict(batch.counts),
            "ended_at": _stamp(batch.ended_at),
            "created_at": format_timestamp(batch.created_at),
            "expires_at": format_timestamp(batch.expires_at),
            "archived_at": _stamp(batch.archived_at),
            "cancel_initiated_at": _stamp(batch.cancel_initiated_at),
            "results_url": base_url.rstrip("/") + RESULTS_PATH.format(batch_id=batch.id) if ended else None,
        }


def _stamp(moment: Optional[datetime]) -> Optional[str]:
    return None if moment is None else format_timestamp(moment)


def _to_record(batch: _Batch) -> dict[str, Any]:
    """A batch as its kept record (JSON-able; requests while in progress, results once ended)."""
    items = None if batch.items is None else [[i.custom_id, i.params, i.size] for i in batch.items]
    return {
        "id": batch.id, "created_at": batch.created_at.isoformat(), "workspace": batch.workspace,
        "api_version": batch.api_version, "betas": sorted(batch.betas), "items": items, "size": batch.size,
        "held": batch.held, "status": batch.status, "counts": batch.counts,
        "cancel_initiated_at": _iso(batch.cancel_initiated_at), "ended_at": _iso(batch.ended_at),
        "archived_at": _iso(batch.archived_at),
        "results": None if batch.results is None else batch.results.decode("utf-8"),
    }


def _from_record(record: dict[str, Any]) -> _Batch:
    """The batch a kept record holds (``ValueError`` / ``KeyError`` / ``TypeError`` if it is not one)."""
    if record["status"] not in ("in_progress", "canceling", "ended"):
        raise ValueError(f"unknown processing_status {record['status']!r}")
    raw_items = record["items"]
    items = None if raw_items is None else [
        _check.BatchItem(str(cid), params, int(size)) for cid, params, size in raw_items]
    if (items is None) != (record["status"] == "ended"):
        raise ValueError("requests and status disagree")
    results = record["results"]
    counts = {key: int(record["counts"][key]) for key in COUNT_KEYS}
    return _Batch(
        str(record["id"]), _when(record["created_at"]), record["workspace"], record["api_version"],
        frozenset(record["betas"]), items, int(record["size"]), bool(record["held"]), record["status"],
        counts, _opt_when(record["cancel_initiated_at"]), _opt_when(record["ended_at"]),
        _opt_when(record["archived_at"]), None if results is None else str(results).encode("utf-8"))


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return None if moment is None else moment.isoformat()



def _opt_when(text: Any) -> Optional[datetime]:
    return None if text is None else _when(text)
