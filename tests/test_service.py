"""The service directly (``FakeFiles``): rules, inspection, seeding, and thread safety."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import (
    DEFAULT_LIMIT,
    DEFAULT_STORAGE_QUOTA_BYTES,
    MAX_FILE_BYTES,
    MAX_IDS,
    Call,
    FakeFilesSettings,
    decode_page_token,
    encode_page_token,
)
from pytest_claude_files._core.ids import FILE_ID_RE
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files.errors import InvalidRequestError, NotFoundError, RequestTooLargeError
from pytest_claude_files.models import FileMetadata, dump_json

T0 = datetime(2025, 4, 15, 18, 37, 24, 100435, tzinfo=timezone.utc)


@pytest.fixture
def fake() -> FakeFiles:
    return FakeFiles(clock=FakeClock(T0, frozen=True))


def test_documented_limits() -> None:
    assert MAX_FILE_BYTES == 500 * 1024 * 1024
    assert DEFAULT_STORAGE_QUOTA_BYTES == 1024**4
    settings = FakeFilesSettings()
    assert (settings.max_file_size, settings.storage_quota, settings.api_keys, settings.rate_limit) == (
        MAX_FILE_BYTES,
        DEFAULT_STORAGE_QUOTA_BYTES,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_file_size": -1}, "max_file_size must be >= 0"),
        ({"storage_quota": -1}, "storage_quota must be >= 0"),
        ({"rate_limit": 0}, "rate_limit must be >= 1"),
        ({"api_keys": frozenset()}, "api_keys must be a non-empty collection"),
        ({"api_keys": frozenset({""})}, "api_keys must be a non-empty collection"),
    ],
)
def test_settings_are_validated(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FakeFilesSettings(**kwargs)


def test_overrides_replace_settings() -> None:
    fake = FakeFiles(FakeFilesSettings(storage_quota=10), max_file_size=5)
    assert (fake.settings.storage_quota, fake.settings.max_file_size) == (10, 5)


def test_upload_stores_metadata_and_content(fake: FakeFiles) -> None:
    meta = fake.upload(b"hello", "dir/hello.txt", content_type="text/plain")
    assert FILE_ID_RE.match(meta.id)
    assert (meta.filename, meta.mime_type, meta.size_bytes, meta.created_at) == (
        "hello.txt",
        "text/plain",
        5,
        T0,
    )
    assert meta.downloadable is False and meta.scope is None and meta.expires_at is None
    assert fake.get(meta.id) == meta and fake.content(meta.id) == b"hello"
    assert meta.id in fake and len(fake) == 1 and fake.storage_used == 5
    assert fake.operations("upload")[0].file_id == meta.id


def test_upload_expiry_ga_and_beta(fake: FakeFiles) -> None:
    meta = fake.upload(b"x", "a.txt", content_type="text/plain", expires_in_seconds=3600)
    assert meta.expires_at == T0 + timedelta(hours=1)
    with pytest.raises(InvalidRequestError, match="expires_in_seconds"):
        fake.upload(b"x", "a.txt", content_type="text/plain", dialect="beta", expires_in_seconds=3600)
    with pytest.raises(InvalidRequestError, match="Content-Type"):
        fake.upload(b"x", "a.txt", content_type=None, dialect="beta")
    assert len(fake) == 1


def test_expired_content_is_dropped_and_frees_storage(fake: FakeFiles) -> None:
    meta = fake.add_file("out.bin", b"12345", downloadable=True, expires_at=T0 + timedelta(seconds=10))
    assert fake.download(meta.id)[1] == b"12345"
    fake.clock.advance(seconds=10)
    assert fake.storage_used == 0
    with pytest.raises(NotFoundError) as caught:
        fake.download(meta.id)
    assert caught.value.error_code == "file_expired"
    with pytest.raises(NotFoundError):
        fake.content(meta.id)
    assert fake.get(meta.id).id == meta.id  # metadata stays until deleted
    fake.delete(meta.id)
    assert fake.storage_used == 0 and len(fake) == 0


def test_expiry_is_a_function_of_the_clock_alone(fake: FakeFiles) -> None:
    meta = fake.add_file("out.bin", b"12345", downloadable=True, expires_at=T0 + timedelta(seconds=10))
    fake.clock.advance(seconds=10)
    with pytest.raises(NotFoundError):  # no download or storage_used needed to notice
        fake.content(meta.id)
    assert fake.storage_used == 0


def test_download_refuses_uploaded_files(fake: FakeFiles) -> None:
    meta = fake.upload(b"x", "a.txt", content_type="text/plain")
    with pytest.raises(InvalidRequestError) as caught:
        fake.download(meta.id)
    assert caught.value.error_code == "file_not_downloadable"
    assert fake.calls[-1].error is caught.value


def test_too_large_and_quota(fake: FakeFiles) -> None:
    small = FakeFiles(clock=fake.clock, max_file_size=4, storage_quota=6)
    small.upload(b"1234", "a.txt", content_type="text/plain")
    with pytest.raises(RequestTooLargeError):
        small.upload(b"12345", "b.txt", content_type="text/plain")
    with pytest.raises(InvalidRequestError) as caught:
        small.upload(b"123", "c.txt", content_type="text/plain")
    assert caught.value.error_code == "storage_quota_exceeded"
    with pytest.raises(InvalidRequestError):
        small.add_file("d.txt", b"123")  # seeding obeys the quota too
    assert small.storage_used == 4 and len(small) == 1


def test_the_500_mb_limit_without_allocating_it(fake: FakeFiles) -> None:
    class Huge(bytes):
        def __len__(self) -> int:
            return MAX_FILE_BYTES + 1

    with pytest.raises(RequestTooLargeError):
        fake.upload(Huge(), "big.bin", content_type="application/octet-stream")
    assert len(fake) == 0


def test_add_file_seeds_what_no_upload_can(fake: FakeFiles) -> None:
    past = T0 - timedelta(days=3)
    meta = fake.add_file("result.png", b"\x89PNG", downloadable=True, scope_id="sesn_9", created_at=past)
    assert (meta.mime_type, meta.downloadable, meta.scope.id, meta.created_at) == (
        "image/png",
        True,
        "sesn_9",
        past,
    )
    assert fake.download(meta.id) == (meta, b"\x89PNG")
    text = fake.add_file("notes.txt", "héllo")
    assert fake.content(text.id) == "héllo".encode()
    assert fake.add_file("data", b"{}", mime_type="application/json").mime_type == "application/json"
    with pytest.raises(InvalidRequestError):
        fake.add_file("bad|name.txt")


def test_add_files_are_oldest_first(fake: FakeFiles) -> None:
    made = fake.add_files(5, prefix="doc")
    assert [m.filename for m in made] == [f"doc-{i}.txt" for i in range(5)]
    assert [m.id for m in fake.files] == [m.id for m in reversed(made)]


def test_order_follows_created_at(fake: FakeFiles) -> None:
    late = fake.add_file("late.txt", created_at=T0 + timedelta(days=1))
    early = fake.add_file("early.txt", created_at=T0 - timedelta(days=1))
    now = fake.add_file("now.txt")
    assert [f.id for f in fake.files] == [late.id, now.id, early.id]


def test_reset_forgets_files_and_calls_keeps_settings(fake: FakeFiles) -> None:
    fake.settings = FakeFilesSettings(storage_quota=100)
    fake.add_files(3)
    fake.reset()
    assert len(fake) == 0 and fake.calls == [] and fake.storage_used == 0
    assert fake.settings.storage_quota == 100 and fake.clock.now() == T0


def test_list_beta_cursors(fake: FakeFiles) -> None:
    ids = [m.id for m in fake.add_files(10)]  # oldest first
    page = fake.list_beta(limit=3)
    assert [m.id for m in page.data] == ids[:-4:-1]
    assert (page.has_more, page.first_id, page.last_id) == (True, ids[9], ids[7])
    older = fake.list_beta(limit=3, after_id=page.last_id)
    assert [m.id for m in older.data] == [ids[6], ids[5], ids[4]]
    newer = fake.list_beta(limit=3, before_id=ids[2])
    assert [m.id for m in newer.data] == [ids[5], ids[4], ids[3]] and newer.has_more
    end = fake.list_beta(limit=3, after_id=ids[2])
    assert [m.id for m in end.data] == [ids[1], ids[0]] and not end.has_more
    empty = fake.list_beta(after_id=ids[0])
    assert (empty.data, empty.has_more, empty.first_id, empty.last_id) == ([], False, None, None)


def test_list_ga_tokens(fake: FakeFiles) -> None:
    ids = [m.id for m in fake.add_files(5)]
    first = fake.list_ga(limit=2)
    assert [m.id for m in first.data] == [ids[4], ids[3]]
    assert first.next_page == encode_page_token(ids[3]) and first.next_page.startswith("page_")
    assert decode_page_token(first.next_page) == ids[3]
    last = fake.list_ga(limit=3, page=first.next_page)
    assert [m.id for m in last.data] == [ids[2], ids[1], ids[0]] and last.next_page is None
    assert len(fake.list_ga().data) == 5  # DEFAULT_LIMIT
    assert DEFAULT_LIMIT == 20


@pytest.mark.parametrize("limit", [0, -1, 1001, True, 2.5])
def test_limit_validation(fake: FakeFiles, limit: Any) -> None:
    with pytest.raises(InvalidRequestError, match="limit"):
        fake.list_ga(limit=limit)
    with pytest.raises(InvalidRequestError, match="limit"):
        fake.list_beta(limit=limit)


def test_ids_rules(fake: FakeFiles) -> None:
    ids = [m.id for m in fake.add_files(MAX_IDS + 1)]
    assert len(fake.list_ga(ids=ids[:MAX_IDS] * 2).data) == MAX_IDS
    with pytest.raises(InvalidRequestError, match="at most 100"):
        fake.list_ga(ids=ids)
    with pytest.raises(InvalidRequestError):
        fake.list_ga(ids=ids[:1], limit=5)
    with pytest.raises(InvalidRequestError):
        fake.list_ga(ids=ids[:1], page=encode_page_token(ids[0]))


def test_scope_filter(fake: FakeFiles) -> None:
    a = fake.add_file("a.txt", scope_id="s1")
    fake.add_file("b.txt", scope_id="s2")
    fake.add_file("c.txt")
    assert [m.id for m in fake.list_ga(scope_id="s1").data] == [a.id]
    assert [m.id for m in fake.list_beta(scope_id="s1").data] == [a.id]
    assert fake.list_ga(scope_id="nope").data == []
    fake.delete(a.id)
    assert fake.list_ga(scope_id="s1").data == []


@pytest.mark.parametrize("token", ["", "page_", "page_@@", "nope", encode_page_token("file_x")])
def test_malformed_page_tokens(fake: FakeFiles, token: str) -> None:
    with pytest.raises(InvalidRequestError, match="page"):
        fake.list_ga(page=token)


def test_a_rejected_call_is_recorded_and_changes_nothing(fake: FakeFiles) -> None:
    fake.add_file("a.txt", b"abc")
    before = (list(fake.files), fake.storage_used)
    with pytest.raises(NotFoundError):
        fake.delete("file_011CNha8iCJcU1wXNR6q4V8w")
    assert (list(fake.files), fake.storage_used) == before
    call = fake.operations("delete")[0]
    assert (call.file_id, type(call.error)) == ("file_011CNha8iCJcU1wXNR6q4V8w", NotFoundError)


def test_inspection(fake: FakeFiles) -> None:
    meta = fake.add_file("a.txt", b"abc")
    assert list(fake) == [meta] and repr(fake) == "<FakeService files=1 used=3B>"
    with pytest.raises(NotFoundError):
        fake.get("file_011CNha8iCJcU1wXNR6q4V8w")
    assert [c.operation for c in fake.calls] == ["add_file"]


def test_concurrent_uploads_and_deletes_lose_nothing() -> None:
    fake = FakeFiles()  # a running clock: many files share a microsecond
    keep = fake.add_files(200, prefix="keep")
    doomed = fake.add_files(400, prefix="doomed")
    start = threading.Barrier(8)

    def upload(worker: int) -> list[str]:
        start.wait()
        return [fake.upload(b"x" * 3, f"w{worker}-{i}.txt", content_type="text/plain").id for i in range(150)]

    def delete(chunk: list[Any]) -> int:
        start.wait()
        return sum(1 for meta in chunk if fake.delete(meta.id))

    with ThreadPoolExecutor(8) as pool:
        uploads = [pool.submit(upload, w) for w in range(4)]
        deletes = [pool.submit(delete, doomed[i::4]) for i in range(4)]
        uploaded = [i for f in uploads for i in f.result()]
        assert sum(f.result() for f in deletes) == 400

    expected = {m.id for m in keep} | set(uploaded)
    assert len(uploaded) == len(set(uploaded)) == 600
    assert {m.id for m in fake.files} == expected and len(fake) == 800
    assert fake.storage_used == sum(m.size_bytes for m in keep) + 600 * 3
    listed = [m.id for m in fake.files]
    assert listed == sorted(listed, reverse=True)
    walked, page = [], fake.list_ga(limit=7)
    while True:
        walked += [m.id for m in page.data]
        if page.next_page is None:
            break
        page = fake.list_ga(limit=7, page=page.next_page)
    assert walked == listed


class _CountingList(list):  # type: ignore[type-arg]
    reads = 0

    def __getitem__(self, index: Any) -> Any:
        type(self).reads += 1
        return super().__getitem__(index)


class _CountingDict(dict):  # type: ignore[type-arg]
    reads = 0

    def __getitem__(self, key: Any) -> Any:
        type(self).reads += 1
        return super().__getitem__(key)


@pytest.mark.parametrize("n_files", [1_000, 50_000])
def test_a_page_costs_limit_plus_log_n_reads(n_files: int) -> None:
    """Not a timing: the reads of the id order and of the files a middle page makes."""
    fake = FakeFiles(clock=FakeClock(T0, frozen=True)).files
    fake.add_files(n_files)
    middle = fake._order[n_files // 2]
    # workspaces are partitioned (the default): a list walks its workspace's id order
    fake._by_workspace[None] = _CountingList(fake._by_workspace[None])
    fake._files = _CountingDict(fake._files)
    _CountingList.reads = _CountingDict.reads = 0

    ga = fake.list_ga(limit=10, page=encode_page_token(middle))
    beta = fake.list_beta(limit=10, after_id=middle)

    assert [m.id for m in ga.data] == [m.id for m in beta.data] and len(ga.data) == 10
    log_n = n_files.bit_length()
    assert log_n <= _CountingList.reads <= 2 * (log_n + 1)  # two binary searches, two slices
    assert _CountingDict.reads == 2 * 10  # one lookup per listed file


def test_each_files_json_is_built_once_per_dialect_and_equals_to_api(fake: FakeFiles) -> None:
    plain = fake.add_file("a.txt", b"abc")
    odd = fake.add_file("ünïcödé €.txt", b"x", scope_id="sesn_1", downloadable=True)
    expiring = fake.upload(b"abc", "e.txt", content_type="text/plain", expires_in_seconds=3600)
    for meta in (plain, odd, expiring):
        for dialect in ("beta", "ga"):
            data = meta.to_api_json(dialect)
            assert data == dump_json(meta.to_api(dialect))
            assert json.loads(data) == meta.to_api(dialect)
            assert meta.to_api_json(dialect) is data
    assert "ünïcödé €.txt".encode() in odd.to_api_json("ga")
    assert b'"expires_at":"2025-04-15T19:37:24.100435Z"' in expiring.to_api_json("ga")
    assert b"expires_at" not in expiring.to_api_json("beta")


def test_the_json_cache_is_not_part_of_the_model(fake: FakeFiles) -> None:
    meta = fake.add_file("a.txt", b"abc")
    before = (meta.model_dump(), repr(meta), hash(meta))
    cached = meta.to_api_json("ga")
    assert (meta.model_dump(), repr(meta), hash(meta)) == before
    assert meta == FileMetadata(**meta.model_dump()) and meta == pickle.loads(pickle.dumps(meta))
    renamed = meta.model_copy(update={"filename": "b.txt"})
    assert b'"filename":"b.txt"' in renamed.to_api_json("ga") and renamed.to_api_json("ga") != cached
    assert copy.copy(meta).to_api_json("ga") == cached


@pytest.mark.parametrize("how", ["delete", "reset"])
def test_the_json_cache_goes_with_the_file(fake: FakeFiles, how: str) -> None:
    meta = fake.add_file("a.txt", b"abc")
    fake.retrieve(meta.id).to_api_json("ga")
    fake.retrieve(meta.id).to_api_json("beta")
    file_id, ref = meta.id, weakref.ref(meta)
    del meta
    fake.delete(file_id) if how == "delete" else fake.reset()
    gc.collect()
    assert ref() is None


def test_retrieve_records_each_call(fake: FakeFiles) -> None:
    meta = fake.add_file("a.txt", b"abc")
    assert fake.retrieve(meta.id) is fake.retrieve(meta.id) is fake.get(meta.id)
    with pytest.raises(NotFoundError) as caught:
        fake.retrieve("file_011CNha8iCJcU1wXNR6q4V8w")
    calls = fake.operations("retrieve_metadata")
    assert calls == [
        Call("retrieve_metadata", meta.id, {}, None),
        Call("retrieve_metadata", meta.id, {}, None),
        Call("retrieve_metadata", "file_011CNha8iCJcU1wXNR6q4V8w", {}, caught.value),
    ]
    assert all(type(c) is Call for c in calls) and calls[0].error is None
    assert calls[0].operation == "retrieve_metadata" and calls[0].params is not calls[1].params


def test_ga_ids_listing_keeps_to_the_scope() -> None:
    files = FakeFiles()
    scope = "sesn_011CNha8iCJcU1wXNR6q4V8w"
    inside = files.add_file("in.txt", b"a", scope_id=scope)
    outside = files.add_file("out.txt", b"b")
    page = files.list_ga(ids=[inside.id, outside.id], scope_id=scope)
    assert [m.id for m in page.data] == [inside.id]
    assert {m.id for m in files.list_ga(ids=[inside.id, outside.id]).data} == {inside.id, outside.id}


@pytest.mark.parametrize("bad", ["0", "O", "I", "l"])
def test_cursors_with_a_character_outside_base58_are_refused(bad: str) -> None:
    files = FakeFiles()
    good = files.add_file("a.txt", b"a").id
    cursor = good[:-1] + bad
    for name in ("before_id", "after_id"):
        with pytest.raises(InvalidRequestError, match=f"{name}: invalid file id"):
            files.list_beta(**{name: cursor})
