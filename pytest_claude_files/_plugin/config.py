"""The plugin's options and settings, all from the settings table (``_core/settings_table.py``).

``register`` adds every ``--claude-files-*`` option and ini option from the table's rows.
A setting is read from its option, else its environment variable, else its ini option
(``read_setting``), parsed by its row; for the ``@pytest.mark.claude_files`` settings the
markers merge over those (module, then class, then test: the closest wins). Bad values
become usage errors that name the source's spelling, the value and the fix
(``settings_table.usage_message``). The marker's rules are in ``_core.config`` (shared with
``mock_claude_files()``).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping, Optional

import pytest

from pytest_claude_files._core import settings_table as _table
from pytest_claude_files._core.config import (
    DOCS_HINT_MARKER,
    DOCS_INI,
    DOCS_MARKER,
    MARKER_ARGS,
    ClaudeFilesConfig,
    ConfigError,
    describe,
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
    "read_setting",
    "register",
    "suite_raw",
    "validate",
]


GROUP = "claude-files"


def register(parser: pytest.Parser) -> None:
    """Every ``--claude-files-*`` option and ``claude_files_*`` ini option, from the table's rows
    (the only place the plugin registers options)."""
    group = parser.getgroup(GROUP, "pytest-claude-files: a fake Claude Files API")
    for setting in _table.options():
        assert setting.option is not None
        if setting.option_flag:
            group.addoption(setting.option, dest=setting.dest, action="store_true", default=None,
                            help=setting.option_help)
        else:
            group.addoption(setting.option, dest=setting.dest, default=None, metavar=setting.metavar,
                            help=setting.option_help)
    for setting in _table.ini_options():
        assert setting.ini is not None
        if setting.ini_type == "linelist":
            parser.addini(setting.ini, type="linelist", default=[], help=setting.ini_help)
        else:
            parser.addini(setting.ini, default="", help=setting.ini_help)


def read_setting(
    config: pytest.Config, setting: _table.Setting, environ: Optional[Mapping[str, str]] = None
) -> tuple[Any, Optional[str]]:
    """``setting``'s value from the session's sources, first set wins: its
    ``--claude-files-*`` option, its environment variable, its ini option; parsed by its row.
    Returns ``(value, source)`` (``(None, None)``: not set); a bad value is a
    ``pytest.UsageError`` naming the source's spelling, the value and the fix."""
    env = os.environ if environ is None else environ
    found: list[tuple[str, Any]] = []
    if setting.option is not None:
        value = config.getoption(setting.dest, None)
        if value not in (None, False, ""):
            found.append(("option", value))
    if setting.env is not None and env.get(setting.env, "").strip():
        found.append(("env", env[setting.env]))
    if setting.ini is not None:
        value = config.getini(setting.ini)
        if setting.ini_type == "linelist":
            value = [line for line in value if line.strip()] or None
        if value not in (None, "", []):
            found.append(("ini", value))
    if not found:
        return None, None
    source, value = found[0]
    try:
        return _table.parse_from(setting, source, value), source
    except _table.SourceError as exc:
        raise pytest.UsageError(str(exc)) from None


def suite_raw(config: pytest.Config, environ: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """The suite-wide values of the marker's settings (ini options, environment variables,
    ``--claude-files-*`` options), parsed; markers merge over them."""
    raw: dict[str, Any] = {}
    for setting in _table.marker_settings():
        value, _ = read_setting(config, setting, environ)
        if value is not None:
            raw[setting.name] = value
    return raw


def from_ini(getini: Callable[[str], Any]) -> dict[str, Any]:
    """The marker settings' ini options alone, parsed (a bad value raises ``ConfigError``
    with the usage message)."""
    raw: dict[str, Any] = {}
    for setting in _table.marker_settings():
        if setting.ini is None:
            continue
        value = getini(setting.ini)
        if setting.ini_type == "linelist":
            value = [line for line in value if line.strip()] or None
        if value in (None, "", []):
            continue
        try:
            raw[setting.name] = _table.parse_from(setting, "ini", value)
        except _table.SourceError as exc:
            raise ConfigError(str(exc), setting=setting.name) from None
    return raw


INI_SETTINGS = pytest.StashKey[tuple[dict[str, Any], ClaudeFilesConfig]]()
"""``config.stash`` key of the ini settings (raw, validated), parsed once in ``pytest_configure``."""


def ini_settings(config: pytest.Config) -> tuple[dict[str, Any], ClaudeFilesConfig]:
    """The ini settings (raw, validated), parsed once in ``pytest_configure``."""
    found = config.stash.get(INI_SETTINGS, None)
    if found is None:  # a config this plugin did not configure (defensive: parse now)
        raw = suite_raw(config)
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
