"""Settings from ini options and ``@pytest.mark.claude_files``, merged and validated.

Order of precedence (later wins): defaults -> ini options -> module marker -> class
marker -> test marker. Bad values become usage errors that name the option and the fix.
The rules themselves are in ``_core.config`` (shared with ``mock_claude_files()``).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files._core import settings_table as _table
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


def _ini(name: str) -> str:
    ini = _table.by_name(name).ini
    assert ini is not None
    return ini


INI_API_KEYS = _ini("api_keys")
INI_STORAGE_QUOTA = _ini("storage_quota")
INI_MAX_FILE_SIZE = _ini("max_file_size")
INI_RATE_LIMIT = _ini("rate_limit")
INI_MAX_RETRIES = _ini("max_retries")
INI_GUESS_MIME_TYPE = _ini("guess_mime_type")
INI_CHECK_ANTHROPIC_VERSION = _ini("check_anthropic_version")
INI_CHECK_ANTHROPIC_BETA = _ini("check_anthropic_beta")
INI_KNOWN_BETAS = _ini("known_betas")
INI_PARTITION_WORKSPACES = _ini("partition_workspaces")
INI_MISUSE_WARNINGS = _ini("misuse_warnings")
FIDELITY_INIS: dict[str, str] = {
    s.ini: s.ini_help for s in _table.ini_options()
    if s.ini is not None and s.name in (*_BOOL_ARGS, "known_betas", "misuse_warnings")
}
"""The ini options of the fidelity settings (name -> help), from the one table."""


def from_ini(getini: Any) -> dict[str, Any]:
    """Raw settings from the ini options (values validated by :func:`validate`)."""
    raw: dict[str, Any] = {}
    keys = [k for k in getini(INI_API_KEYS) if k.strip()]
    if keys:
        raw["api_keys"] = keys
    for setting in _table.ini_options():
        ini, key = setting.ini, setting.name
        if key == "api_keys" or ini is None:
            continue
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
