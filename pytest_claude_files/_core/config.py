"""The fake's settings as the marker, the ini options and ``mock_claude_files()`` take them,
validated in one place (no pytest here; ``_plugin.config`` adds the ini options).

Bad values raise :class:`ConfigError`, naming the setting (``.setting``) and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Mapping, Optional, Union

from pytest_claude_files._core import settings_table as _table
from pytest_claude_files._core.setting_parsers import SettingValueError
from pytest_claude_files._core.sizes import format_size
from pytest_claude_files._core.suggest import did_you_mean

DOCS_MARKER = _table.DOCS_MARKER
DOCS_HINT_MARKER = f"See {DOCS_MARKER}"
DOCS_INI = _table.DOCS_INI

MARKER_ARGS: dict[str, str] = _table.marker_args()
"""The marker's arguments and doc lines, from the one table (``_core/settings_table.py``)."""


class ConfigError(ValueError):
    """A bad setting; the message names the setting and how to fix it.

    ``setting`` is the name of the bad setting (``"storage_quota"``), ``None`` when the
    problem is not one setting's (an unknown argument).
    """

    def __init__(self, message: str, *, setting: Optional[str] = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class ClaudeFilesConfig:
    """The settings in force for one test (the ``claude_files_config`` fixture).

    The ini options merged with ``@pytest.mark.claude_files`` (module, class, test), and
    validated. ``None`` means "the default": any key, 1TB, 500MB, no rate limit, the real
    time, the SDK's ``max_retries``. Sizes are in bytes.

    Attributes:
        api_keys: keys the fake accepts (``None``: any non-empty key).
        api_key: the key the client fixtures send (see ``client_key``).
        storage_quota: organization storage, bytes.
        max_file_size: largest file, bytes.
        rate_limit: requests per minute before 429.
        now: where the fake's clock starts (a datetime or an ISO 8601 string).
        freeze_time: whether the clock stands still.
        max_retries: ``max_retries`` of the client fixtures.
        guess_mime_type: guess a type for octet-stream parts (opt-in, unfaithful).
        check_anthropic_version: refuse a missing or unknown ``anthropic-version``.
        check_anthropic_beta: refuse malformed ``anthropic-beta`` values.
        known_betas: more beta names to accept silently.
        partition_workspaces: files per ``anthropic-workspace-id``.
        misuse_warnings: ``warn``, ``error`` or ``ignore``.
        cassette: a recorded cassette the fake is seeded from (``load_cassette``).
    """

    api_keys: Optional[tuple[str, ...]] = None
    api_key: Optional[str] = None
    storage_quota: Optional[int] = None
    max_file_size: Optional[int] = None
    rate_limit: Optional[int] = None
    now: Optional[Union[datetime, str]] = None
    freeze_time: bool = False
    max_retries: Optional[int] = None
    guess_mime_type: Optional[bool] = None
    check_anthropic_version: Optional[bool] = None
    check_anthropic_beta: Optional[bool] = None
    known_betas: Optional[tuple[str, ...]] = None
    partition_workspaces: Optional[bool] = None
    misuse_warnings: Optional[str] = None
    cassette: Optional[str] = None

    extra: tuple[tuple[str, Any], ...] = ()
    """Settings of table rows that have no attribute here (``get(name)`` reads them)."""

    def get(self, name: str) -> Any:
        """The value of the setting ``name`` (an attribute, or a row added without one)."""
        if name in _FIELDS:
            return getattr(self, name)
        _table.by_name(name)  # KeyError for a name that is not a setting
        return dict(self.extra).get(name)

    def settings_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``FakeFilesSettings`` that these settings change: every
        test setting of the table that is a field of ``FakeFilesSettings`` and not the default."""
        from pytest_claude_files._core.settings import FakeFilesSettings

        fake_fields = {f.name for f in fields(FakeFilesSettings)}
        out: dict[str, Any] = {}
        for setting in _table.marker_settings():
            value = self.get(setting.name)
            if setting.name in fake_fields and value is not None:
                out[setting.name] = frozenset(value) if isinstance(value, tuple) else value
        return out

    @property
    def client_key(self) -> Optional[str]:
        """The key the client fixtures send: ``api_key``, else the first of ``api_keys``."""
        if self.api_key:
            return self.api_key
        return self.api_keys[0] if self.api_keys else None


_FIELDS = frozenset(f.name for f in fields(ClaudeFilesConfig)) - {"extra"}


def validate(raw: Mapping[str, Any], where: str) -> ClaudeFilesConfig:
    """Check merged raw settings with each row's parser; ``where`` names their source for the
    error message (``@pytest.mark.claude_files: storage_quota: expected ..., got 'lots'``)."""
    known = _table.marker_args()
    unknown = sorted(set(raw) - set(known))
    if unknown:
        named = ", ".join(f"{name}{did_you_mean(name, known)}" for name in unknown)
        raise ConfigError(
            f"{where}: unknown argument(s) {named}. "
            f"Known arguments: {', '.join(known)}. {DOCS_HINT_MARKER}"
        )
    kwargs: dict[str, Any] = {}
    extra: list[tuple[str, Any]] = []
    for setting in _table.marker_settings():
        value = raw.get(setting.name)
        if value is None:
            continue
        try:
            value = setting.parse(value, False)
        except SettingValueError as exc:
            raise ConfigError(f"{where}: {setting.name}: {exc}", setting=setting.name) from None
        if setting.name in _FIELDS:
            kwargs[setting.name] = value
        else:
            extra.append((setting.name, value))
    return ClaudeFilesConfig(**kwargs, extra=tuple(extra))


def describe(config: ClaudeFilesConfig) -> str:
    """One line of the settings in force (for the report header); keys are counted, never shown."""
    from pytest_claude_files._core.settings import FakeFilesSettings

    settings = FakeFilesSettings(**config.settings_kwargs())  # the fake's defaults where none is set
    keys = "any" if not config.api_keys else f"{len(config.api_keys)} accepted"
    quota, largest = format_size(settings.storage_quota), format_size(settings.max_file_size)
    rate = "unlimited" if config.rate_limit is None else f"{config.rate_limit}/min"
    retries = "SDK default" if config.max_retries is None else str(config.max_retries)
    return (f"api_keys={keys}, storage_quota={quota}, max_file_size={largest}, "
            f"rate_limit={rate}, max_retries={retries}")
