"""Settings from ini options and ``@pytest.mark.claude_files``, merged and validated.

Order of precedence (later wins): defaults -> ini options -> module marker -> class
marker -> test marker. Bad values become usage errors that name the option and the fix.
The rules themselves are in ``_core.settings`` (shared with ``mock_claude_files()``).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files._core.settings import (
    DOCS_HINT_MARKER,
    DOCS_INI,
    DOCS_MARKER,
    MARKER_ARGS,
    ClaudeFilesConfig,
    ConfigError,
    describe,
    parse_positive_int,
    parse_size,
    validate,
)

__all__ = [
    "DOCS_HINT_MARKER",
    "DOCS_INI",
    "DOCS_MARKER",
    "INI_SETTINGS",
    "MARKERS_READ",
    "MARKER_ARGS",
    "ClaudeFilesConfig",
    "ConfigError",
    "describe",
    "from_ini",
    "ini_settings",
    "marker_read",
    "parse_positive_int",
    "parse_size",
    "validate",
]

INI_API_KEYS = "claude_files_api_keys"
INI_STORAGE_QUOTA = "claude_files_storage_quota"
INI_MAX_FILE_SIZE = "claude_files_max_file_size"
INI_RATE_LIMIT = "claude_files_rate_limit"
INI_MAX_RETRIES = "claude_files_max_retries"


def from_ini(getini: Any) -> dict[str, Any]:
    """Raw settings from the ini options (values validated by :func:`validate`)."""
    raw: dict[str, Any] = {}
    keys = [k for k in getini(INI_API_KEYS) if k.strip()]
    if keys:
        raw["api_keys"] = keys
    for ini, key in (
        (INI_STORAGE_QUOTA, "storage_quota"),
        (INI_MAX_FILE_SIZE, "max_file_size"),
        (INI_RATE_LIMIT, "rate_limit"),
        (INI_MAX_RETRIES, "max_retries"),
    ):
        value = getini(ini)
        if value not in (None, ""):
            raw[key] = value
    return raw


INI_SETTINGS = pytest.StashKey[tuple[dict[str, Any], ClaudeFilesConfig]]()
"""``config.stash`` key of the ini settings (raw, validated), parsed once in ``pytest_configure``."""


def ini_settings(config: pytest.Config) -> tuple[dict[str, Any], ClaudeFilesConfig]:
    """The ini settings (raw, validated), parsed once in ``pytest_configure``."""
    found = config.stash.get(INI_SETTINGS, None)
    if found is None:  # a config this plugin did not configure (defensive: parse now)
        raw = from_ini(config.getini)
        found = config.stash[INI_SETTINGS] = (raw, validate(raw, "ini options"))
    return found


MARKERS_READ = pytest.StashKey[set[str]]()
"""``item.stash`` key: the claude-files markers a fixture of this test read."""


def marker_read(request: pytest.FixtureRequest, name: str) -> None:
    """Note that a fixture read the marker ``name`` (a marker no fixture reads warns)."""
    node = request.node
    read = node.stash.get(MARKERS_READ, None)
    if read is None:
        read = node.stash[MARKERS_READ] = set()
    read.add(name)
