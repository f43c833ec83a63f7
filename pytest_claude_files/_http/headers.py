"""The request headers the API checks: ``anthropic-version`` and ``anthropic-beta``.

FILES_API.md, "Errors": a missing or unknown ``anthropic-version`` is a 400; an
``anthropic-beta`` item that is not a beta name is a 400. Known names are the newest
SDK's ``AnthropicBetaParam`` list plus documented names it omits (:data:`KNOWN_BETAS`);
a well-formed but unknown name (``words-YYYY-MM-DD``) is served, with a misuse notice.
"""

from __future__ import annotations

import re
from typing import Optional, TypeVar, Union

from pytest_claude_files.errors import InvalidRequestError, shown

__all__ = [
    "ANTHROPIC_VERSIONS",
    "DOCUMENTED_BETAS",
    "GA_PAGINATING_VERSIONS",
    "KNOWN_BETAS",
    "SDK_BETAS",
    "beta_names",
    "check_beta",
    "check_version",
    "keep_name",
]

ANTHROPIC_VERSIONS = frozenset({"2023-01-01", "2023-06-01", "2026-10-21"})
"""The ``anthropic-version`` values the API serves."""
VERSION_HINT = ("send the header anthropic-version: 2023-06-01 (what curl examples and SDKs before 2.0 "
                "send) or anthropic-version: 2026-10-21 (SDK 2.x)")
"""The fake's hint for a missing or unknown version (the ``x-claude-files-hint`` header)."""
GA_PAGINATING_VERSIONS = frozenset({"2026-10-21"})
"""Versions only SDKs that paginate with ``page`` / ``next_page`` send (Python and TS 2.x)."""

SDK_BETAS = frozenset({
    # anthropic 2.14.0, anthropic/types/anthropic_beta_param.py (AnthropicBetaParam's Literal)
    "computer-use-2024-10-22", "computer-use-2025-01-24", "output-128k-2025-02-19",
    "mcp-client-2025-04-04", "mcp-client-2025-11-20", "dev-full-thinking-2025-05-14",
    "interleaved-thinking-2025-05-14", "code-execution-2025-05-22", "context-1m-2025-08-07",
    "context-management-2025-06-27", "model-context-window-exceeded-2025-08-26",
    "fast-mode-2026-02-01", "output-300k-2026-03-24", "user-profiles-2026-03-24",
    "user-profiles-2026-08-18", "user-profiles-2026-09-04", "advisor-tool-2026-03-01",
    "managed-agents-2026-04-01", "dreaming-2026-04-21", "thinking-token-count-2026-05-13",
    "server-side-fallback-2026-06-01", "server-side-fallback-2026-07-01",
    "fallback-credit-2026-06-01", "fallback-credit-2026-07-01", "agent-memory-2026-07-22",
    "mid-conversation-tool-changes-2026-07-01", "compact-2026-01-12", "computer-use-2025-11-24",
    "mcp-tunnels-2026-06-22", "structured-outputs-2025-11-13", "task-budgets-2026-03-13",
    "thinking-display-updates-2026-08-18", "mid-conversation-output-config-2026-07-01",
    "thinking-binding-controls-2026-08-01", "mid-conversation-system-clear-at-2026-08-21",
    "compact-2026-09-04", "inline-tools-2026-09-15", "mcp-client-2026-09-15",
    "ce-plugins-2026-09-01", "spend-limit-reads-2026-09-26", "telemetry-destinations-2026-08-11",
    "webhooks-2026-10-07", "admin-user-sign-out-2026-10-08", "message-threads-2026-08-12",
    "analytics-usage-cost-2026-08-24", "experimental-claude-tag-2026-10-21",
    "message-batches-2024-09-24", "prompt-caching-2024-07-31", "pdfs-2024-09-25",
    "token-counting-2024-11-01", "token-efficient-tools-2025-02-19", "files-api-2025-04-14",
    "extended-cache-ttl-2025-04-11", "skills-2025-10-02", "cache-diagnosis-2026-04-07",
    "ce-user-management-2026-07-13", "ce-claude-code-managed-settings-2026-10-06",
    "efs-2026-10-01", "google-managed-data-controls-2026-09-01", "user-profiles-billing-2026-10-01",
})
"""The newest SDK's beta names (a test checks this set against the installed SDK's list)."""
DOCUMENTED_BETAS = frozenset({"code-execution-2025-08-25"})
"""Documented names that no SDK's list has (Python 0.125 - 2.14, TS 1.14)."""
KNOWN_BETAS = SDK_BETAS | DOCUMENTED_BETAS
"""Accepted silently; the ``known_betas`` setting adds more."""

BETA_NAME_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}\Z")
"""The shape of a beta name: lower-case words and a date, ``files-api-2025-04-14``."""


def check_version(value: Optional[str]) -> None:
    """``InvalidRequestError`` for a missing or unknown ``anthropic-version``."""
    if value is None or not value.strip():
        error = InvalidRequestError("anthropic-version: header is required")
        error.hint = VERSION_HINT
        raise error
    if value.strip() not in ANTHROPIC_VERSIONS:
        error = InvalidRequestError(f'anthropic-version: "{shown(value.strip())}" is not a valid version')
        error.hint = VERSION_HINT
        raise error


_BETA_SETS: dict[str, frozenset[str]] = {}


def beta_names(value: Optional[str]) -> frozenset[str]:
    """The names an ``anthropic-beta`` header lists (stripped, blanks dropped); the same value,
    sent request after request, is split once (at most :data:`_BETAS_KEPT` values kept)."""
    if not value:
        return frozenset()
    names = _BETA_SETS.get(value)
    if names is None:
        names = frozenset(v.strip() for v in value.split(",") if v.strip())
        if len(_BETA_SETS) < _BETAS_KEPT and len(value) <= 1024:
            _BETA_SETS[value] = names
    return names


_CHECKED_BETAS: dict[tuple[str, frozenset[str]], list[str]] = {}
_BETAS_KEPT = 256


def check_beta(value: str, extra: frozenset[str] = frozenset()) -> list[str]:
    """The unknown but well-formed names of an ``anthropic-beta`` header; 400 for malformed items.

    A client sends the same value request after request: a well-formed one is checked once
    (at most :data:`_BETAS_KEPT` values are kept; a malformed one is never kept)."""
    known = _CHECKED_BETAS.get((value, extra))
    if known is not None:
        return list(known)
    unknown = _check_beta(value, extra)
    if len(_CHECKED_BETAS) < _BETAS_KEPT and len(value) <= 1024:
        _CHECKED_BETAS[(value, extra)] = unknown
    return list(unknown)


def _check_beta(value: str, extra: frozenset[str]) -> list[str]:
    items = [item.strip() for item in value.split(",")]
    bad = [item for item in items if not item or (item not in extra and not BETA_NAME_RE.match(item))]
    if bad:
        raise InvalidRequestError(
            f"Unexpected value(s) `{shown(', '.join(bad))}` for the `anthropic-beta` header. "
            "Please consult our documentation at docs.claude.com or try again without the header."
        )
    return [item for item in items if item not in KNOWN_BETAS and item not in extra]


# -- header names, decoded once -----------------------------------------------------------
# The adapters (the ASGI server, the in-process transports) see the same twenty or so header
# names request after request: each keeps a cache of a raw name and its decoded (or encoded)
# form. Only names are kept, never values (which hold API keys): at most NAMES_KEPT of each,
# of at most NAME_KEPT_BYTES bytes.
NAMES_KEPT = 512
NAME_KEPT_BYTES = 64
_Raw = TypeVar("_Raw", bound=Union[bytes, str])
_Name = TypeVar("_Name", bound=Union[bytes, str])


def keep_name(cache: dict[_Raw, _Name], raw: _Raw, name: _Name) -> _Name:
    """``name``, the decoded (or encoded) form of the header name ``raw``, kept in ``cache``
    while the cache has room and ``raw`` is short."""
    if len(cache) < NAMES_KEPT and len(raw) <= NAME_KEPT_BYTES:
        cache[raw] = name
    return name
