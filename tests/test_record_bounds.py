"""Issue 24: what a long-lived emulator records is bounded in bytes, and a test proves each bound.

The records of one tenant (``calls``, ``journal``, the retry watch, the misuse notices)
were bounded by count only, so the size of what each entry held multiplied by the count:
10,000 lookups of an 8 KiB file id held 212 MiB, 10,000 listings with 999 ``ids`` 3.6 GiB,
a 60 kB workspace header 577 MiB, and every refused upload kept its whole body alive through
the error's traceback in ``calls`` (20 refused 4 MiB uploads: +80 MiB). The Messages record
has its own byte bound (``tests/test_trust_guards.py::test_the_messages_record_is_bounded_by_bytes``),
tenants theirs (``tests/test_bounds.py``).
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Callable, Iterator

import pytest

from pytest_claude_files._core.calls import CALLS_KEPT_BYTES, Call, CallRecord, call_size
from pytest_claude_files._core.journal import JOURNAL_KEPT, PATH_KEPT
from pytest_claude_files._core.misuse import NOTICES_KEPT, MisuseLog
from pytest_claude_files._http.handler import HTTPRequest, HTTPResponse
from pytest_claude_files.errors import NotFoundError
from pytest_claude_files.server._tenants import CALLS_KEPT, Tenant, Tenants

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
MiB = 1024 * 1024


@pytest.fixture
def tenant() -> Iterator[Tenant]:
    yield Tenants().get("k")


def grown(run: Callable[[], object]) -> float:
    """MiB the traced heap keeps after ``run``."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        run()
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (after - before) / MiB


def call(tenant: Tenant, method: str, path: str, query: str = "", body: bytes = b"",
         **headers: str) -> HTTPResponse:
    sent = {**HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return tenant.handler(HTTPRequest(method, path, query, sent, body, "http"))


def test_a_refused_upload_does_not_keep_its_body(tenant: Tenant) -> None:
    """The recorded error kept the handler's frames (and the request body) through its traceback."""
    def run() -> None:
        for number in range(20):
            body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\x01.txt"\r\n'
                    b"Content-Type: text/plain\r\n\r\n" + bytes([65 + number]) * (4 * MiB) + b"\r\n--b--\r\n")
            kind = "multipart/form-data; boundary=b"
            answer = call(tenant, "POST", "/v1/files", body=body, content_type=kind)
            assert answer.status == 400

    kept = grown(run)
    assert len(tenant.files.calls) == 20 and all(c.error is not None for c in tenant.files.calls)
    assert kept < 2, f"20 refused 4 MiB uploads keep {kept:.1f} MiB (80 MiB before)"


def test_the_files_calls_are_bounded_by_bytes(tenant: Tenant) -> None:
    """Lookups of 8 KiB file ids (the longest path is 8 KiB): the record keeps at most
    ``max_bytes`` of them (16 MiB by default; 1 MiB here, to stay quick), newest first."""
    calls = tenant.files.calls
    assert calls.max_bytes == CALLS_KEPT_BYTES == 16 * MiB and calls.kept == CALLS_KEPT
    calls.max_bytes = MiB

    def run() -> None:
        for number in range(1000):
            assert call(tenant, "GET", f"/v1/files/file_{'a' * 8000}{number}").status == 404

    kept = grown(run)
    assert sum(map(call_size, calls)) == calls.bytes <= MiB
    assert calls[-1].file_id.endswith("999") and 50 <= len(calls) <= 130
    assert kept < 4, f"1,000 lookups of 8 KiB ids keep {kept:.1f} MiB (16 MiB before)"


@pytest.mark.parametrize("kept, max_bytes", [(None, CALLS_KEPT_BYTES), (10, CALLS_KEPT_BYTES), (1000, 4000)])
def test_a_found_lookup_is_recorded_as_append_records_it(kept: int | None, max_bytes: int) -> None:
    """``CallRecord.found`` (the metadata GET's shortcut) keeps what ``append`` keeps, bounds
    by count and by bytes alike, and the same estimate of bytes."""
    shortcut, general = CallRecord(kept, max_bytes), CallRecord(kept, max_bytes)
    for number in range(50):
        file_id = f"file_{'d' * (number % 7) * 30}{number}"
        shortcut.found("retrieve_metadata", file_id)
        general.append(Call("retrieve_metadata", file_id, {}, None))
        assert list(shortcut) == list(general) and shortcut.bytes == general.bytes
    assert all(type(c) is Call for c in shortcut) and shortcut[-1].file_id.endswith("49")
    assert len(shortcut) == (50 if kept is None else len(general)) and (kept is None or len(shortcut) < 50)
    assert kept is None or shortcut.bytes == sum(map(call_size, shortcut)) <= max_bytes


def test_a_trimmed_record_counts_its_bytes_as_call_size_does() -> None:
    """Trimmed by count, the record sums what it keeps without call_size for each lookup."""
    record = CallRecord(kept=40)
    error = NotFoundError("File `x` not found.")
    for number in range(200):
        kind = number % 4
        record.append(Call("list", None, {"ids": ["a" * number]}, None) if kind == 0 else
                      Call("retrieve_metadata", "f" * number, {}, error) if kind == 1 else
                      Call("upload", None, {}, None) if kind == 2 else
                      Call("retrieve_metadata", "file_" + "g" * number, {}, None))
        assert record.bytes == sum(map(call_size, record)), number
    assert 20 <= len(record) <= 40 and record[-1].operation == "retrieve_metadata"


def test_a_listing_with_999_ids_is_counted_by_its_ids(tenant: Tenant) -> None:
    calls = tenant.files.calls
    calls.max_bytes = MiB
    query = "&".join(f"ids=file_{'c' * 60}{n}" for n in range(999))

    def run() -> None:
        for _ in range(100):
            assert call(tenant, "GET", "/v1/files", query).status == 400

    kept = grown(run)
    assert calls.bytes <= MiB and len(calls) < 20
    assert kept < 4, f"100 listings of 999 ids keep {kept:.1f} MiB (36 MiB before)"


def test_the_journal_cuts_paths_and_workspaces(tenant: Tenant) -> None:
    def run() -> None:
        for number in range(1000):
            workspace = f"{'w' * 60_000}{number}"
            assert call(tenant, "GET", "/v1/files", anthropic_workspace_id=workspace).status == 200

    kept = grown(run)
    journal = tenant.files.journal
    assert len(journal) == 1000 and all(len(e.workspace or "") <= PATH_KEPT for e in journal)
    assert kept < 4, f"1,000 requests with a 60 kB workspace keep {kept:.1f} MiB (57 MiB before)"
    assert JOURNAL_KEPT == 10_000  # so at most 10,000 x (2 x 512 characters + a tuple): about 12 MiB


def test_the_retry_watch_remembers_a_refused_query_by_its_digest(tenant: Tenant) -> None:
    def run() -> None:
        for number in range(1000):
            assert call(tenant, "GET", "/v1/files", f"after_id={'b' * 60_000}{number}").status == 400

    kept = grown(run)
    assert kept < 4, f"1,000 refused 60 kB queries keep {kept:.1f} MiB (57 MiB before)"


def test_distinct_notices_are_recorded_up_to_a_bound() -> None:
    log = MisuseLog(mode="ignore")
    for number in range(NOTICES_KEPT + 500):
        log.notice("non-retryable-retried", f"GET /v1/files/{number} was sent again", once_key=str(number))
    assert len(log.records) == NOTICES_KEPT == 1000


def test_the_sent_session_events_are_bounded_by_bytes() -> None:
    """``claude_files.sessions.sent`` kept the last 10,000 events of up to 1,000,000
    characters each (10 GB); now also at most ``SENT_KEPT_BYTES`` (64 MiB; 1 MiB here)."""
    from pytest_claude_files import FakeService
    from pytest_claude_files._core.record import SENT_KEPT_BYTES, json_size

    service = FakeService()
    sessions = service.sessions
    assert sessions._sent_trim.max_bytes == SENT_KEPT_BYTES == 64 * MiB
    sessions._sent_trim.max_bytes = MiB
    agent = service.agents.create({"name": "a", "model": "claude-sonnet-4-5"})
    environment = service.environments.create({"name": "e"})
    session = sessions.create({"agent": agent["id"], "environment_id": environment["id"]})
    event = {"type": "user.interrupt"}
    big = {"type": "system.message", "content": [{"type": "text", "text": "x" * 100_000}]}
    for number in range(40):
        sessions.send(session["id"], {"events": [big if number % 2 else event]})
    assert sum(map(json_size, sessions.sent)) <= MiB and 15 <= len(sessions.sent) < 40
    sessions.sent.clear()  # a reader may clear it: counting starts again
    sessions.send(session["id"], {"events": [event]})
    assert len(sessions.sent) == 1 and sessions._sent_trim.bytes == json_size(event)


def test_a_sessions_own_events_are_bounded_by_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session kept its last 10,000 events whatever their size (10,000 of 1 MB: 10 GB);
    now also at most ``EVENTS_KEPT_BYTES`` of their JSON (64 MiB; 1 MiB here), the oldest
    going first as past the count, the newest always kept, and a stream's position intact."""
    from pytest_claude_files import FakeService
    from pytest_claude_files._core import session_state
    from pytest_claude_files._core.record import json_size

    assert session_state.EVENTS_KEPT_BYTES == 64 * MiB
    monkeypatch.setattr(session_state, "EVENTS_KEPT_BYTES", MiB)
    service = FakeService()
    sessions = service.sessions
    agent = service.agents.create({"name": "a", "model": "claude-sonnet-4-5"})
    environment = service.environments.create({"name": "e"})
    session = sessions.create({"agent": agent["id"], "environment_id": environment["id"]})
    big = {"type": "system.message", "content": [{"type": "text", "text": "x" * 100_000}]}
    for number in range(30):
        sessions.send(session["id"], {"events": [big if number % 3 else {"type": "user.interrupt"}]})
    kept, _ = sessions.list_events(session["id"], limit=1000)
    assert sum(map(json_size, kept)) <= MiB and 8 <= len(kept) < 30
    assert kept[-1]["type"] == "system.message"  # the newest stays
    state = sessions._sessions[session["id"]]
    assert state.sequence >= 30 and state.event_bytes == sum(map(json_size, state.events))
    huge = {"type": "system.message", "content": [{"type": "text", "text": "y" * 600_000}] * 2}
    sessions.send(session["id"], {"events": [huge]})  # one event over the bound: it alone stays
    kept, _ = sessions.list_events(session["id"], limit=1000)
    assert len(kept) == 1 and kept[0]["content"][1]["text"] == "y" * 600_000
