"""Pages of a listing: the two dialects' page objects, the GA page token, the bounds of a page."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Optional

from pytest_claude_files._core import ids as _ids
from pytest_claude_files.errors import InvalidRequestError, shown
from pytest_claude_files.models import FileMetadata

__all__ = ["BetaPage", "GAPage", "check_cursor", "check_limit", "decode_page_token", "encode_page_token"]

DEFAULT_LIMIT = 20
MIN_LIMIT, MAX_LIMIT = 1, 1000
MAX_IDS = 100
MIN_EXPIRES_IN, MAX_EXPIRES_IN = 3600, 7_776_000
PAGE_TOKEN_PREFIX = "page_"


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
