"""Settings from ini options and ``@pytest.mark.claude_files``, merged and validated.

Order of precedence (later wins): defaults -> ini options -> module marker -> class
marker -> test marker. Bad values become usage errors that name the option and the fix.
The rules themselves are in ``_core.config`` (shared with ``mock_claude_files()``).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files._core.config import (
    _BOOL_ARGS,
    DOCS_HINT_MARKER,
    DOCS_INI,
    DOCS_MARKER,
    MARKER_ARGS,
    MISUSE_MODES,
    ClaudeFilesConfig,
    ConfigError,
    describe,
    parse_betas,
    parse_bool,
    parse_positive_int,
    parse_size,
    validate,
)

__all__ = [
    "DOCS_HINT_MARKER",
    "DOCS_INI",
    "DOCS_MARKER",
    "FIDELITY_INIS",
    "INI_SETTINGS",
    "MARKERS_READ",
    "MARKER_ARGS",
    "MISUSE_MODES",
    "ClaudeFilesConfig",
    "ConfigError",
    "describe",
    "from_ini",
    "ini_settings",
    "marker_read",
    "parse_betas",
    "parse_bool",
    "parse_positive_int",
    "parse_size",
    "validate",
]

INI_API_KEYS = "claude_files_api_keys"
INI_STORAGE_QUOTA = "claude_files_storage_quota"
INI_MAX_FILE_SIZE = "claude_files_max_file_size"
INI_RATE_LIMIT = "claude_files_rate_limit"
INI_MAX_RETRIES = "claude_files_max_retries"
INI_GUESS_MIME_TYPE = "claude_files_guess_mime_type"
INI_CHECK_ANTHROPIC_VERSION = "claude_files_check_anthropic_version"
INI_CHECK_ANTHROPIC_BETA = "claude_files_check_anthropic_beta"
INI_KNOWN_BETAS = "claude_files_known_betas"
INI_PARTITION_WORKSPACES = "claude_files_partition_workspaces"
INI_MISUSE_WARNINGS = "claude_files_misuse_warnings"
FIDELITY_INIS: dict[str, str] = {
    INI_GUESS_MIME_TYPE: "Store a guess from the filename for parts sent as application/octet-stream "
                         "(the real API keeps octet-stream); true/false, default false.",
    INI_CHECK_ANTHROPIC_VERSION: "Refuse a missing or unknown anthropic-version header (400) as the API "
                                 "does; true/false, default true.",
    INI_CHECK_ANTHROPIC_BETA: "Refuse malformed anthropic-beta values (400) as the API does; "
                              "true/false, default true.",
    INI_KNOWN_BETAS: "Beta names to accept without a warning, besides the built-in list "
                     "(comma- or space-separated).",
    INI_PARTITION_WORKSPACES: "Files belong to the anthropic-workspace-id they were made in; another "
                              "workspace's file is a 404 (the real API's rule). true/false, default true.",
    INI_MISUSE_WARNINGS: "Client-misuse warnings: warn (default), error (fail the test) or ignore "
                         "(only record on claude_files.warnings).",
}


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
        (INI_GUESS_MIME_TYPE, "guess_mime_type"),
        (INI_CHECK_ANTHROPIC_VERSION, "check_anthropic_version"),
        (INI_CHECK_ANTHROPIC_BETA, "check_anthropic_beta"),
        (INI_KNOWN_BETAS, "known_betas"),
        (INI_PARTITION_WORKSPACES, "partition_workspaces"),
        (INI_MISUSE_WARNINGS, "misuse_warnings"),
    ):
        value = getini(ini)
        if value not in (None, ""):
            raw[key] = parse_bool(value, key) if key in _BOOL_ARGS else value
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
