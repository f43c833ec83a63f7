"""Sortable identifiers in the shape the Files API uses.

``file_`` + ``01`` + 22 base58 characters (``file_011CNha8iCJcU1wXNR6q4V8w``) and
``req_`` + ``01`` + 22 base58 characters for request ids.

The base58 alphabet is in ASCII order, so a fixed-width encoding of an increasing
integer sorts as text in the same order as the integer. The integer is
``(microseconds since the epoch << 72) | (sequence << 32) | random``: ids made later
(by the fake's clock) sort later, ids made in the same microsecond keep their order
through the process-wide sequence, and the random low bits keep two processes apart.
Client code must not parse ids ("the format and length of IDs may change"); the fake
relies on the order for O(log n) cursors. Request ids need no order: they are 22 base58
characters drawn uniformly at random (about 129 bits), one per response, so they are made
cheaply from random bytes, many at a time (see :func:`new_request_id`).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import struct
import threading
from collections import deque
from datetime import datetime, timezone

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ID_BODY_LENGTH = 22
FILE_ID_PREFIX = "file_01"
BATCH_ID_PREFIX = "msgbatch_01"
REQUEST_ID_PREFIX = "req_01"
FILE_ID_RE = re.compile(r"^file_01[1-9A-HJ-NP-Za-km-z]{22}$")
REQUEST_ID_RE = re.compile(r"^req_01[1-9A-HJ-NP-Za-km-z]{22}$")
BATCH_ID_RE = re.compile(r"^msgbatch_01[1-9A-HJ-NP-Za-km-z]{22}$")

_MAX = 58**ID_BODY_LENGTH
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_sequence = itertools.count()
_lock = threading.Lock()
_rng = random.Random()

# Request ids: random bytes mapped to base58 in one ``bytes.translate``. 232 = 4 * 58, so
# the bytes 0-231 map uniformly onto the alphabet and the bytes 232-255 are dropped (the
# characters left are independent and uniform). Every response needs one, so they are made
# _POOLED at a time, from one draw of random bytes, and handed out from a deque: its
# ``popleft`` and ``extend`` are each one step under the GIL (no lock), and an id is used once.
_BYTE_TO_BASE58 = bytes(ord(BASE58_ALPHABET[i % 58]) for i in range(256))
_UNEVEN_BYTES = bytes(range(4 * 58, 256))
_POOLED = 128
_RANDOM_BYTES = _POOLED * 28  # an id needs 22; 25.4 of 28 survive on average (too few: 24 sigma off)
_pool: deque[str] = deque()
pooled_request_id = _pool.popleft
"""A request id from the pool, ``IndexError`` when it is empty (then :func:`new_request_id`):
for a caller that needs one per request and no Python call for it."""
_split_bodies = struct.Struct(f"{ID_BODY_LENGTH}s" * _POOLED).unpack_from  # -> _POOLED bodies (bytes)
_PREFIX_BYTES = REQUEST_ID_PREFIX.encode()
_SEPARATED = b" " + _PREFIX_BYTES


def _after_fork() -> None:  # a forked child must not repeat its parent's ids
    _rng.seed()
    _pool.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _encode(value: int) -> str:
    value %= _MAX
    out = []
    for _ in range(ID_BODY_LENGTH):
        value, rem = divmod(value, 58)
        out.append(BASE58_ALPHABET[rem])
    return "".join(reversed(out))


def _micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def new_file_id(created_at: datetime) -> str:
    """A new file id that sorts after every id made for an earlier ``created_at``.

    ``created_at`` must lie between 1970 and the year 6000 (the range the ids can order).
    """
    return _sortable_id(FILE_ID_PREFIX, created_at)


def new_batch_id(created_at: datetime) -> str:
    """A new Message Batch id (``msgbatch_01`` + 22 base58 characters), ordered as file ids are."""
    return _sortable_id(BATCH_ID_PREFIX, created_at)


def _sortable_id(prefix: str, created_at: datetime) -> str:
    micros = _micros(created_at if created_at.tzinfo else created_at.replace(tzinfo=timezone.utc))
    if micros < 0 or (micros + 1) << 72 > _MAX:
        raise ValueError(
            f"created_at {created_at.isoformat()} is outside the range ids can order (1970-6000)"
        )
    with _lock:
        seq = next(_sequence) & 0xFF_FFFF_FFFF
        low = _rng.getrandbits(32)
    return prefix + _encode((micros << 72) | (seq << 32) | low)


def new_request_id() -> str:
    """A new request id (``req_01`` + 22 base58 characters, uniformly random)."""
    try:
        return _pool.popleft()
    except IndexError:
        return _refill()


def _refill() -> str:
    """Make _POOLED request ids: one for the caller, the others into the pool."""
    text = b""
    while len(text) < _POOLED * ID_BODY_LENGTH:  # (one draw, all but always)
        raw = _rng.getrandbits(_RANDOM_BYTES * 8).to_bytes(_RANDOM_BYTES, "little")  # = randbytes()
        text += raw.translate(_BYTE_TO_BASE58, _UNEVEN_BYTES)
    # cut into ids in C (a slice and a concatenation per id in Python cost twice as much):
    # b"req_01<22> req_01<22> ...", decoded once and split on the spaces
    made = (_PREFIX_BYTES + _SEPARATED.join(_split_bodies(text))).decode("ascii").split(" ")
    _pool.extend(made[1:])
    return made[0]


def is_file_id(value: str) -> bool:
    """Whether ``value`` has the shape of a file id the fake can place in its order."""
    return FILE_ID_RE.match(value) is not None
