"""What the Managed Agents resources share: ids, pages, the checks of a request body.

Managed Agents objects (agents, environments, sessions, session resources, events) have
sortable ids in the shape of file ids with their own prefix (``agent_01…``, ``env_01…``,
``sesn_01…``, ``sesrsc_01…``, ``sevt_01…``; decision: the real ids' bodies are opaque),
are listed in pages of ``{"data", "next_page"}`` with an opaque ``page_…`` cursor (the
SDK's ``SyncPageCursor`` / ``SyncBidirectionalPageCursor``), and belong to a workspace
(another workspace gets a 404 when workspaces are partitioned).
"""

from __future__ import annotations

import base64
import binascii
import bisect
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence, TypeVar

from pytest_claude_files._core import ids as _ids
from pytest_claude_files.errors import InvalidRequestError, shown

__all__ = [
    "BETA", "DEFAULT_PAGE", "MAX_OBJECTS", "MAX_PAGE", "check_metadata", "check_str", "new_id",
    "page_of", "parse_bool", "parse_limit",
]

BETA = "managed-agents-2026-04-01"
"""The beta header every Managed Agents request carries (the SDK sets it)."""
DEFAULT_PAGE = 20
MAX_PAGE = 1000
"""Decision: list ``limit`` from 1 to 1000 (the resources list's documented maximum), default 20."""
MAX_OBJECTS = 10_000
"""Decision: at most 10,000 agents, environments or sessions in one fake account (bounded memory)."""
MAX_METADATA_PAIRS, MAX_METADATA_KEY, MAX_METADATA_VALUE = 16, 64, 512
_PAGE_PREFIX = "page_"
_T = TypeVar("_T")


def new_id(prefix: str, moment: datetime) -> str:
    """A sortable id ``{prefix}_01…`` (made later on the fake's clock, sorts later)."""
    return prefix + "_" + _ids.new_file_id(moment)[len("file_"):]


def check_str(body: Mapping[str, Any], key: str, *, required: bool = False, max_len: int = 256,
              nullable: bool = True) -> Optional[str]:
    """``body[key]`` as a string, in the API's 400 words when it is not one."""
    if key not in body or (body[key] is None and nullable and not required):
        if required:
            raise InvalidRequestError(f"{key}: Field required")
        return None
    value = body[key]
    if not isinstance(value, str):
        raise InvalidRequestError(f"{key}: Input should be a valid string")
    if required and not value.strip():
        raise InvalidRequestError(f"{key}: String should have at least 1 character")
    if len(value) > max_len:
        raise InvalidRequestError(f"{key}: String should have at most {max_len} characters")
    return value


def check_metadata(value: Any) -> dict[str, str]:
    """``metadata``: at most 16 pairs, keys up to 64 characters, values up to 512 (the SDK's docstring)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRequestError("metadata: Input should be a valid dictionary")
    if len(value) > MAX_METADATA_PAIRS:
        raise InvalidRequestError(f"metadata: at most {MAX_METADATA_PAIRS} pairs, got {len(value)}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise InvalidRequestError("metadata: keys and values must be strings")
        if len(key) > MAX_METADATA_KEY:
            raise InvalidRequestError(f"metadata: key {shown(key[:80])!r} is longer than {MAX_METADATA_KEY}")
        if len(item) > MAX_METADATA_VALUE:
            raise InvalidRequestError(
                f"metadata: value of {shown(key)!r} is longer than {MAX_METADATA_VALUE}")
    return dict(value)


def parse_limit(value: Optional[str], default: int = DEFAULT_PAGE) -> int:
    """A list's ``limit`` query value (400 unless 1 to 1000)."""
    if value is None:
        return default
    text = value.strip()
    if not text.isdigit() or not text.isascii() or len(text) > 6 or not 1 <= int(text) <= MAX_PAGE:
        raise InvalidRequestError(f"limit: must be an integer from 1 to {MAX_PAGE}, got {shown(value)!r}.")
    return int(text)


def parse_bool(name: str, value: Optional[str]) -> bool:
    if value is None:
        return False
    low = value.strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise InvalidRequestError(f"{name}: Input should be a valid boolean, got {shown(value)!r}.")


def _encode(after: str) -> str:
    return _PAGE_PREFIX + base64.urlsafe_b64encode(after.encode()).decode().rstrip("=")


def _decode(token: str) -> str:
    body = token[len(_PAGE_PREFIX):] if token.startswith(_PAGE_PREFIX) else None
    try:
        if body is None:
            raise ValueError
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidRequestError(f"page: invalid page token {shown(token)!r}.") from None


def page_of(ids: Sequence[str], objects: Mapping[str, _T], *, limit: int, page: Optional[str],
            newest_first: bool = True) -> tuple[list[_T], Optional[str]]:
    """One page of ``ids`` (sorted ascending, creation order) and the next page's token.

    The cursor is a position (decision, as for files): it keeps working when the object it
    names was deleted in the meantime."""
    if newest_first:
        end = len(ids) if page is None else bisect.bisect_left(ids, _decode(page))
        start = max(0, end - limit)
        chosen = list(reversed(ids[start:end]))
        more = start > 0
    else:
        start = 0 if page is None else bisect.bisect_right(ids, _decode(page))
        chosen = list(ids[start:start + limit])
        more = start + limit < len(ids)
    data = [objects[i] for i in chosen]
    return data, (_encode(chosen[-1]) if more and chosen else None)
