"""Message Batches: custom ids, batch requests that reference files (public via ``strategies``).

:func:`batch_requests` draws the ``requests=`` of ``client.messages.batches.create``:
unique valid ``custom_id`` values (:func:`custom_ids`), each with a Messages body that
references the given files correctly (``messages_requests``). :func:`batches_with_a_bad_reference`
draws such a batch with one request referencing a file the API refuses (an unknown id,
the wrong block, a deleted file): that request's result must be ``errored`` with the
error of its :class:`~pytest_claude_files._gen.messages.InvalidReference`, every other one
``succeeded``. :func:`invalid_custom_ids` draws the ids the API refuses, with the message.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from pytest_claude_files._core.batch_check import CUSTOM_ID_PATTERN, MAX_CUSTOM_ID
from pytest_claude_files._core.ids import new_batch_id
from pytest_claude_files._gen.messages import (
    MODEL,
    Files,
    InvalidReference,
    invalid_file_references,
    messages_requests,
)

__all__ = [
    "BatchWithBadReference",
    "batch_ids",
    "batch_requests",
    "batches_with_a_bad_reference",
    "custom_ids",
    "invalid_custom_ids",
]

CUSTOM_ID_ALPHABET = string.ascii_letters + string.digits + "_-"


def custom_ids(*, max_size: int = MAX_CUSTOM_ID) -> SearchStrategy[str]:
    """A valid ``custom_id``: 1 to 64 characters of ``[a-zA-Z0-9_-]``; shrinks to ``"a"``."""
    return st.text(CUSTOM_ID_ALPHABET, min_size=1, max_size=min(max_size, MAX_CUSTOM_ID))


def invalid_custom_ids() -> SearchStrategy[tuple[Any, str]]:
    """``(custom_id, message)``: a ``custom_id`` the API refuses and the message of its 400
    (without the ``requests.N.custom_id: `` prefix)."""
    return st.one_of(
        st.just(("", "String should have at least 1 character")),
        st.text(CUSTOM_ID_ALPHABET, min_size=MAX_CUSTOM_ID + 1, max_size=MAX_CUSTOM_ID + 20).map(
            lambda s: (s, f"String should have at most {MAX_CUSTOM_ID} characters")),
        st.tuples(custom_ids(max_size=30), st.sampled_from(" ./:@#é\t"), custom_ids(max_size=30)).map(
            lambda t: (t[0] + t[1] + t[2], f"String should match pattern '{CUSTOM_ID_PATTERN}'")),
        st.integers().map(lambda n: (n, "Input should be a valid string")),
    )


def batch_ids() -> SearchStrategy[str]:
    """Ids in the shape the fake makes (``msgbatch_01`` + 22 base58 characters)."""
    return st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(timezone.utc)).map(
        new_batch_id)


def batch_requests(files: Files, *, min_size: int = 1, max_size: int = 5, **kwargs: Any,
                   ) -> SearchStrategy[list[dict[str, Any]]]:
    """``requests=`` of a batch: ``min_size`` to ``max_size`` requests with unique ``custom_id``
    values, each a Messages body referencing ``files`` (keyword arguments go to ``message_contents``)."""
    return st.lists(
        st.tuples(custom_ids(max_size=16), messages_requests(files, **kwargs)),
        min_size=min_size, max_size=max_size, unique_by=lambda pair: pair[0],
    ).map(lambda pairs: [{"custom_id": cid, "params": params} for cid, params in pairs])


@dataclass(frozen=True)
class BatchWithBadReference:
    """A batch's ``requests`` in which the one with ``bad_custom_id`` references a file the
    API refuses (``invalid``: its block, status, error type and message)."""

    requests: list[dict[str, Any]]
    bad_custom_id: str
    invalid: InvalidReference

    @property
    def good_custom_ids(self) -> list[str]:
        return [r["custom_id"] for r in self.requests if r["custom_id"] != self.bad_custom_id]


def batches_with_a_bad_reference(
    files: Files, *, deleted_ids: Sequence[str] = (), kind: Optional[str] = None, max_size: int = 3,
) -> SearchStrategy[BatchWithBadReference]:
    """A batch of 1 to ``max_size`` good requests plus one, at any position, that references
    a file the API refuses (``kind``: ``unknown_id``, ``wrong_block`` or ``deleted``, as
    ``invalid_file_references``)."""

    @st.composite
    def build(draw: Any) -> BatchWithBadReference:
        good = draw(batch_requests(files, max_size=max_size, max_blocks=2))
        taken = {r["custom_id"] for r in good}
        bad_id = draw(custom_ids(max_size=16))
        while bad_id in taken:  # (no filter: a rejected draw costs the health checks)
            bad_id += "_"
        invalid = draw(invalid_file_references(files, deleted_ids=deleted_ids, kind=kind))
        bad = {"custom_id": bad_id, "params": {"model": MODEL, "max_tokens": 256,
                                               "messages": [{"role": "user", "content": invalid.content}]}}
        position = draw(st.integers(0, len(good)))
        return BatchWithBadReference([*good[:position], bad, *good[position:]], bad_id, invalid)

    return build()
