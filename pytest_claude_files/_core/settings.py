"""What a test can configure on the fake: limits, header checks, workspaces, warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

MB = 1024 * 1024
MAX_FILE_BYTES = 500 * MB
"""One file at most 500 MB (decision: binary megabytes); larger is 413 ``request_too_large``."""
DEFAULT_STORAGE_QUOTA_BYTES = 1024**4
"""Organization storage, 1 TB today (decision: binary terabyte)."""
EXPIRED_METADATA_WINDOW = timedelta(days=30)
"""An expired file's metadata stays readable, and listed, for up to 30 days after its
``expires_at`` (GA Files guide, "File expiration"); then the file is gone. Decision: the
full 30 days (the guide's upper bound)."""
MISUSE_MODES = ("warn", "error", "ignore")
DOCUMENTED_FILES_RATE_LIMIT = 500
"""File calls: "about 500 requests per minute" (GA Files guide, rate limits)."""
RATE_LIMIT_PRESETS: dict[str, int] = {"documented": DOCUMENTED_FILES_RATE_LIMIT}
"""Named ``rate_limit`` values: ``rate_limit="documented"`` is the published figure (off by default)."""
"""``misuse_warnings``: warn (default), fail the test at teardown, or only record."""


@dataclass(frozen=True)
class FakeFilesSettings:
    """What a test can configure on the fake (also through ``@pytest.mark.claude_files``).

    ``api_keys``: the keys the HTTP layer accepts; ``None`` accepts any non-empty key.
    ``rate_limit``: requests per minute before 429 (``None``: unlimited, the default, so
    that large pagination tests are not throttled).
    ``guess_mime_type``: opt-in; store a guess from the filename for a part sent as
    ``application/octet-stream`` (the real API keeps octet-stream).
    ``check_anthropic_version`` / ``check_anthropic_beta``: refuse a missing or unknown
    ``anthropic-version`` and a malformed ``anthropic-beta`` as the API does (on by default).
    ``known_betas``: beta names accepted silently besides the built-in list.
    ``partition_workspaces``: files belong to the ``anthropic-workspace-id`` they were
    made in; another workspace's file is a 404 (on by default, as the GA Files guide says:
    "the workspace is the isolation boundary"; ``False``: one space shared by every workspace).
    ``misuse_warnings``: ``"warn"``, ``"error"`` (fail the test) or ``"ignore"`` (record only).
    """

    max_file_size: int = MAX_FILE_BYTES
    storage_quota: int = DEFAULT_STORAGE_QUOTA_BYTES
    api_keys: Optional[frozenset[str]] = None
    rate_limit: Optional[int] = None
    guess_mime_type: bool = False
    check_anthropic_version: bool = True
    check_anthropic_beta: bool = True
    known_betas: frozenset[str] = frozenset()
    partition_workspaces: bool = True
    misuse_warnings: str = "warn"

    def __post_init__(self) -> None:
        if self.max_file_size < 0:
            raise ValueError(f"max_file_size must be >= 0, got {self.max_file_size}")
        if self.storage_quota < 0:
            raise ValueError(f"storage_quota must be >= 0, got {self.storage_quota}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError(f"rate_limit must be >= 1 request per minute, got {self.rate_limit}")
        if self.api_keys is not None:
            keys = frozenset(self.api_keys)
            if not keys or not all(isinstance(k, str) and k for k in keys):
                raise ValueError("api_keys must be a non-empty collection of non-empty strings")
            object.__setattr__(self, "api_keys", keys)
        if self.misuse_warnings not in MISUSE_MODES:
            raise ValueError(f"misuse_warnings must be one of {', '.join(MISUSE_MODES)}, "
                             f"got {self.misuse_warnings!r}")
        betas = frozenset(self.known_betas)
        if not all(isinstance(b, str) and b.strip() for b in betas):
            raise ValueError("known_betas must be non-empty strings")
        object.__setattr__(self, "known_betas", betas)
