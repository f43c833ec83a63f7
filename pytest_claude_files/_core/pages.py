"""List pages of the Files API: the three shapes, the cursors, the limits (no state here).

Three shapes (``models.Dialect`` names the first two):

- **beta** (``anthropic-beta: files-api-2025-04-14``): ``before_id`` / ``after_id`` in,
  ``has_more`` / ``first_id`` / ``last_id`` out (:class:`BetaPage`);
- **GA**: ``page`` / ``ids`` in, ``next_page`` out (:class:`GAPage`);
- **managed agents** (``anthropic-beta: managed-agents-2026-04-01`` without the files beta,
  GA Files guide, "Migrate from files-api-2025-04-14"): the GA shape plus ``before_id`` /
  ``after_id`` (not with ``page`` or ``ids``) and ``has_more`` / ``first_id`` / ``last_id``
  alongside ``next_page`` (:class:`AgentsPage`); ``scope_id`` filtering is a feature of
  this header only.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from dataclasses import dataclass
from typing import Literal, Optional

from pytest_claude_files._core import ids as _ids
from pytest_claude_files.errors import InvalidRequestError, shown
from pytest_claude_files.models import FileMetadata

__all__ = [
    "AGENTS_BETA",
    "DEFAULT_LIMIT",
    "MAX_IDS",
    "MAX_LIMIT",
    "MIN_LIMIT",
    "PAGE_TOKEN_PREFIX",
    "SCOPE_ID_REFUSED",
    "AgentsPage",
    "BetaPage",
    "GAPage",
    "ListShape",
    "check_cursor",
    "check_limit",
    "decode_page_token",
    "encode_page_token",
    "list_shape",
]

DEFAULT_LIMIT = 20
MIN_LIMIT, MAX_LIMIT = 1, 1000
MAX_IDS = 100
MIN_EXPIRES_IN, MAX_EXPIRES_IN = 3600, 7_776_000
PAGE_TOKEN_PREFIX = "page_"
AGENTS_BETA = "managed-agents-2026-04-01"
"""The Managed Agents beta whose requests get the third list shape (GA Files guide)."""
FILES_BETA = "files-api-2025-04-14"
SCOPE_ID_REFUSED = (
    "unknown field scope_id: filtering by scope_id is a Managed Agents beta feature; send "
    f"`anthropic-beta: {AGENTS_BETA}`."
)
"""``scope_id`` without a Managed Agents beta: 400 (GA Files guide: "``scope_id`` filtering under
a Managed Agents beta header"; FILES_API.md records "unknown field scope_id"). Decision: the
rest of the message, naming the fix."""


def scope_filter_allowed(betas: frozenset[str]) -> bool:
    """``scope_id`` is accepted under any Managed Agents beta (``managed-agents-*``)."""
    return any(name.startswith("managed-agents-") for name in betas)

ListShape = Literal["beta", "ga", "agents"]


def list_shape(betas: frozenset[str]) -> ListShape:
    """The list shape of a request with these ``anthropic-beta`` names."""
    if FILES_BETA in betas:
        return "beta"
    if AGENTS_BETA in betas:
        return "agents"
    return "ga"


@dataclass(frozen=True)
class BetaPage:
    data: list[FileMetadata]
    has_more: bool

    @property
    def first_id(self) -> Optional[str]:
        return self.data[0].id if self.data else None

    @property
    def last_id(self) -> Optional[str]:
        return self.data[-1].id if self.data else None


@dataclass(frozen=True)
class GAPage:
    data: list[FileMetadata]
    next_page: Optional[str]


@dataclass(frozen=True)
class AgentsPage(BetaPage):
    """The managed-agents shape: a beta page's fields and the GA ``next_page`` together.

    Decision: ``has_more`` says whether more files lie in the walk's direction (newer for
    ``before_id``, else older); ``next_page`` always points at the older files after this
    page (null when there are none), as a GA page's does.
    """

    next_page: Optional[str] = None


def encode_page_token(after_id: str) -> str:
    """The opaque GA cursor: the position after ``after_id`` (decision: a position)."""
    return PAGE_TOKEN_PREFIX + base64.urlsafe_b64encode(after_id.encode()).decode().rstrip("=")


def decode_page_token(token: str) -> str:
    if not token.startswith(PAGE_TOKEN_PREFIX):
        raise InvalidRequestError(f"page: invalid page token {shown(token)!r}.")
    body = token[len(PAGE_TOKEN_PREFIX):]
    try:
        after_id = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidRequestError(f"page: invalid page token {shown(token)!r}.") from None
    if not _ids.is_file_id(after_id):
        raise InvalidRequestError(f"page: invalid page token {shown(token)!r}.")
    return after_id


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise InvalidRequestError(
            f"limit: must be an integer from {MIN_LIMIT} to {MAX_LIMIT}, got {limit!r}."
        )
    return limit


def check_cursor(name: str, value: str) -> str:
    if not _ids.is_file_id(value):
        raise InvalidRequestError(f"{name}: invalid file id {shown(value)!r}.")
    return value


def cursor_walk(
    seq: list[str], limit: int, before_id: Optional[str], after_id: Optional[str]
) -> tuple[list[str], bool]:
    """The ids (oldest first) of a ``before_id``/``after_id`` page over ``seq``, and ``has_more``.

    ``after_id`` goes to older files, ``before_id`` to newer. Decision: both at once is a 400
    (no source says what the API does; the contract suite checks it).
    """
    check_limit(limit)
    if before_id is not None and after_id is not None:
        raise InvalidRequestError("before_id and after_id cannot both be given.")
    if before_id is not None:
        pos = bisect.bisect_right(seq, check_cursor("before_id", before_id))
        return seq[pos:pos + limit], pos + limit < len(seq)
    end = len(seq) if after_id is None else bisect.bisect_left(seq, check_cursor("after_id", after_id))
    start = max(0, end - limit)
    return seq[start:end], start > 0


def insert_sorted(seq: list[str], file_id: str) -> None:
    """Insert ``file_id`` in the sorted ``seq`` (ids sort by creation: usually at the end)."""
    if not seq or seq[-1] < file_id:
        seq.append(file_id)
    else:
        bisect.insort(seq, file_id)


