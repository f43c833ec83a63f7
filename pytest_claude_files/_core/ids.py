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
cheaply from random bytes (see :func:`new_request_id`).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading
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
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's ids
    os.register_at_fork(after_in_child=_rng.seed)

# Request ids: random bytes mapped to base58 in one ``bytes.translate``. 232 = 4 * 58, so
# the bytes 0-231 map uniformly onto the alphabet and the bytes 232-255 are dropped.
_BYTE_TO_BASE58 = bytes(ord(BASE58_ALPHABET[i % 58]) for i in range(256))
_UNEVEN_BYTES = bytes(range(4 * 58, 256))
_RANDOM_BYTES = 36  # at least 22 of 36 bytes survive the drop but for odds of 1 in 3 million


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
    while True:
        raw = _rng.getrandbits(_RANDOM_BYTES * 8).to_bytes(_RANDOM_BYTES, "little")  # = randbytes()
        body = raw.translate(_BYTE_TO_BASE58, _UNEVEN_BYTES)
        if len(body) >= ID_BODY_LENGTH:
            return REQUEST_ID_PREFIX + body[:ID_BODY_LENGTH].decode("ascii")


def is_file_id(value: str) -> bool:
    """Whether ``value`` has the shape of a file id the fake can place in its order."""
    return FILE_ID_RE.match(value) is not None
