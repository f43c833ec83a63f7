"""Ids: the API's shape, sortable by creation time, unique under threads."""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core.ids import (
    BASE58_ALPHABET,
    FILE_ID_RE,
    REQUEST_ID_RE,
    is_file_id,
    new_file_id,
    new_request_id,
)

T0 = datetime(2025, 4, 15, 18, 37, 24, 100435, tzinfo=timezone.utc)


def test_alphabet_is_base58_in_ascii_order() -> None:
    assert len(BASE58_ALPHABET) == 58 == len(set(BASE58_ALPHABET))
    assert list(BASE58_ALPHABET) == sorted(BASE58_ALPHABET)
    assert not set("0OIl") & set(BASE58_ALPHABET)


def test_shapes() -> None:
    file_id, request_id = new_file_id(T0), new_request_id()
    assert FILE_ID_RE.match(file_id) and len(file_id) == len("file_011CNha8iCJcU1wXNR6q4V8w")
    assert REQUEST_ID_RE.match(request_id) and len(request_id) == len("req_011CQFYcrRp7mCHLDsAYT8Qt")
    assert FILE_ID_RE.match("file_011CNha8iCJcU1wXNR6q4V8w") and REQUEST_ID_RE.match(
        "req_011CQFYcrRp7mCHLDsAYT8Qt"
    )
    assert is_file_id(file_id) and not is_file_id("file_0OIl" + "1" * 20) and not is_file_id(file_id + "1")


def test_ids_sort_by_creation_time() -> None:
    moments = [T0 + timedelta(microseconds=m) for m in (0, 1, 2, 10**6, 10**9, 10**12)]
    ids = [new_file_id(m) for m in moments]
    assert ids == sorted(ids)
    assert new_file_id(T0 - timedelta(days=365 * 20)) < ids[0]


def test_ids_made_in_the_same_microsecond_keep_their_order() -> None:
    ids = [new_file_id(T0) for _ in range(1000)]
    assert ids == sorted(ids) and len(set(ids)) == 1000


def test_unique_across_threads() -> None:
    with ThreadPoolExecutor(4) as pool:
        batches = list(pool.map(lambda _: [new_file_id(T0) for _ in range(500)], range(8)))
    every = [i for batch in batches for i in batch]
    assert len(set(every)) == len(every)
    assert all(batch == sorted(batch) for batch in batches)
    assert len({new_request_id() for _ in range(2000)}) == 2000


def test_moments_the_ids_cannot_order_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the range"):
        new_file_id(datetime(1969, 12, 31, 23, 59, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="outside the range"):
        new_file_id(datetime(9999, 1, 1, tzinfo=timezone.utc))
    assert new_file_id(datetime(1970, 1, 1)) < new_file_id(datetime(5000, 1, 1, tzinfo=timezone.utc))


def test_request_ids_are_uniform_over_the_alphabet() -> None:
    ids = [new_request_id() for _ in range(20_000)]
    assert all(REQUEST_ID_RE.match(i) and len(i) == len("req_011CQFYcrRp7mCHLDsAYT8Qt") for i in ids)
    assert len(set(ids)) == len(ids)
    counts = Counter(ch for i in ids for ch in i[len("req_01"):])
    expected = 20_000 * 22 / 58  # about 7,586 per character, standard deviation about 86
    assert set(counts) == set(BASE58_ALPHABET)
    assert all(abs(n - expected) < 0.1 * expected for n in counts.values())  # no skew to the first 24


def test_request_ids_draw_again_when_too_few_bytes_are_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    usable = bytes(range(232)) * (_ids._RANDOM_BYTES // 232 + 1)
    unusable = (bytes(range(232, 256)) * _ids._RANDOM_BYTES)[:_ids._RANDOM_BYTES]
    draws = iter([unusable, usable[:_ids._RANDOM_BYTES]])  # none usable, then plenty

    monkeypatch.setattr(_ids._rng, "getrandbits", lambda bits: int.from_bytes(next(draws), "little"))
    _ids._pool.clear()  # (ids made before the patch would be used first)
    request_id = new_request_id()
    assert request_id == "req_01" + BASE58_ALPHABET[:22]
    second = new_request_id()  # from the pool the same draw filled
    assert second == "req_01" + (BASE58_ALPHABET * 2)[22:44]
    assert all(REQUEST_ID_RE.match(i) for i in (request_id, second, *_ids._pool))
    assert len(_ids._pool) == _ids._POOLED - 2


def test_request_ids_are_not_shared_with_a_forked_child() -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    new_request_id()  # the pool holds ids now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.close(read)
        os.write(write, ",".join(new_request_id() for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split(",")
    os.waitpid(pid, 0)
    parent = [new_request_id() for _ in range(5)]
    assert len(child) == 5 and not set(child) & set(parent)


@pytest.mark.parametrize("bad", ["0", "O", "I", "l"])
def test_the_file_id_pattern_refuses_characters_outside_base58(bad: str) -> None:
    good = "file_011CNha8iCJcU1wXNR6q4V8w"
    assert FILE_ID_RE.match(good)
    for i in range(7, len(good)):
        assert not FILE_ID_RE.match(good[:i] + bad + good[i + 1:]), (i, bad)
