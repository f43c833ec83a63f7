"""The fake's settings as the marker, the ini options and ``mock_claude_files()`` take them,
validated in one place (no pytest here; ``_plugin.config`` adds the ini options).

Bad values raise :class:`ConfigError`, naming the setting (``.setting``) and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Union

from pytest_claude_files._core import settings_table as _table
from pytest_claude_files._core.sizes import SizeError, format_size
from pytest_claude_files._core.sizes import parse_size as _parse_size
from pytest_claude_files._core.suggest import did_you_mean

DOCS_MARKER = "claude-files-fake docs reference#the-claude_files-marker"
DOCS_HINT_MARKER = f"See {DOCS_MARKER}"
DOCS_INI = "claude-files-fake docs reference#ini-options"

_BOOL_ARGS = ("guess_mime_type", "check_anthropic_version", "check_anthropic_beta", "partition_workspaces")
MISUSE_MODES = ("warn", "error", "ignore")

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


def parse_size(value: Union[int, float, str], name: str) -> int:
    """``1048576``, ``"1MB"``, ``"1.5 GiB"`` -> bytes (the package's one size syntax)."""
    try:
        return _parse_size(value)
    except SizeError as exc:
        raise ConfigError(f"{name}: {exc}", setting=name) from None


def parse_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ConfigError(f"{name}: expected a whole number >= {minimum}, got {value!r}", setting=name)
    return number


def parse_rate_limit(value: Any) -> int:
    """``rate_limit``: a whole number >= 1, or a preset name (``"documented"``: 500 a minute)."""
    from pytest_claude_files._core.settings import RATE_LIMIT_PRESETS

    if isinstance(value, str) and value.strip().lower() in RATE_LIMIT_PRESETS:
        return RATE_LIMIT_PRESETS[value.strip().lower()]
    try:
        return parse_positive_int(value, "rate_limit")
    except ConfigError:
        raise ConfigError(
            f"rate_limit: expected a whole number >= 1 (requests per minute) or one of "
            f"{', '.join(repr(k) for k in RATE_LIMIT_PRESETS)}, got {value!r}", setting="rate_limit"
        ) from None


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def parse_bool(value: Any, name: str, *, strict: bool = False) -> bool:
    """``True``/``False``; unless ``strict`` (markers) also the ini words ``true``/``false``,
    ``yes``/``no``, ``on``/``off``, ``1``/``0``."""
    if isinstance(value, bool):
        return value
    text = None if strict or not isinstance(value, str) else value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{name}: expected True or False (ini: true or false), got {value!r}", setting=name)


def parse_betas(value: Any) -> tuple[str, ...]:
    """A list of beta names, or (ini) one string separated by commas or whitespace."""
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else value
    try:
        names = tuple(str(item).strip() for item in items if str(item).strip())
    except TypeError:
        names = ()
    shape = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}\Z")
    bad = [n for n in names if not shape.match(n)]
    if not names or bad or not isinstance(value, (str, list, tuple, set, frozenset)):
        raise ConfigError(
            f"known_betas: expected beta names such as 'files-api-2025-04-14', got {value!r}",
            setting="known_betas",
        )
    return names


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

    def settings_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``FakeFilesSettings`` that these settings change."""
        out: dict[str, Any] = {}
        if self.api_keys is not None:
            out["api_keys"] = frozenset(self.api_keys)
        if self.storage_quota is not None:
            out["storage_quota"] = self.storage_quota
        if self.max_file_size is not None:
            out["max_file_size"] = self.max_file_size
        if self.rate_limit is not None:
            out["rate_limit"] = self.rate_limit
        for name in (*_BOOL_ARGS, "misuse_warnings"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.known_betas is not None:
            out["known_betas"] = frozenset(self.known_betas)
        return out

    @property
    def client_key(self) -> Optional[str]:
        """The key the client fixtures send: ``api_key``, else the first of ``api_keys``."""
        if self.api_key:
            return self.api_key
        return self.api_keys[0] if self.api_keys else None


def validate(raw: Mapping[str, Any], where: str) -> ClaudeFilesConfig:
    """Check merged raw settings; ``where`` names their source for the error message."""
    unknown = sorted(set(raw) - set(MARKER_ARGS))
    if unknown:
        named = ", ".join(f"{name}{did_you_mean(name, MARKER_ARGS)}" for name in unknown)
        raise ConfigError(
            f"{where}: unknown argument(s) {named}. "
            f"Known arguments: {', '.join(MARKER_ARGS)}. {DOCS_HINT_MARKER}"
        )
    kwargs: dict[str, Any] = {}
    try:
        if raw.get("api_keys") is not None:
            keys = raw["api_keys"]
            if isinstance(keys, str):
                keys = [keys]
            keys = tuple(keys)
            if not keys or not all(isinstance(k, str) and k.strip() for k in keys):
                raise ConfigError("api_keys: expected a non-empty list of non-empty strings",
                                  setting="api_keys")
            kwargs["api_keys"] = keys
        if raw.get("api_key") is not None:
            if not isinstance(raw["api_key"], str) or not raw["api_key"]:
                raise ConfigError("api_key: expected a non-empty string", setting="api_key")
            kwargs["api_key"] = raw["api_key"]
        for name in ("storage_quota", "max_file_size"):
            if raw.get(name) is not None:
                kwargs[name] = parse_size(raw[name], name)
        if raw.get("rate_limit") is not None:
            kwargs["rate_limit"] = parse_rate_limit(raw["rate_limit"])
        if raw.get("max_retries") is not None:
            kwargs["max_retries"] = parse_positive_int(raw["max_retries"], "max_retries", minimum=0)
        if raw.get("now") is not None:
            now = raw["now"]
            if isinstance(now, str):
                try:
                    datetime.fromisoformat(now.replace("Z", "+00:00"))
                except ValueError:
                    raise ConfigError(
                        f"now: expected a datetime or an ISO 8601 string, got {now!r}", setting="now"
                    ) from None
            elif not isinstance(now, datetime):
                raise ConfigError(f"now: expected a datetime or an ISO 8601 string, got {now!r}",
                                  setting="now")
            kwargs["now"] = now
        for name in _BOOL_ARGS:
            if raw.get(name) is not None:
                kwargs[name] = parse_bool(raw[name], name, strict=True)
        if raw.get("known_betas") is not None:
            kwargs["known_betas"] = parse_betas(raw["known_betas"])
        if raw.get("misuse_warnings") is not None:
            mode = raw["misuse_warnings"]
            if not isinstance(mode, str) or mode.strip().lower() not in MISUSE_MODES:
                raise ConfigError(
                    f"misuse_warnings: expected one of {', '.join(MISUSE_MODES)}, got {mode!r}"
                    f"{did_you_mean(mode, MISUSE_MODES)}",
                    setting="misuse_warnings",
                )
            kwargs["misuse_warnings"] = mode.strip().lower()
        if raw.get("cassette") is not None:
            import os

            if not isinstance(raw["cassette"], (str, os.PathLike)) or not str(raw["cassette"]).strip():
                raise ConfigError(
                    f"cassette: expected the path of a recorded cassette, got {raw['cassette']!r}",
                    setting="cassette",
                )
            kwargs["cassette"] = os.fspath(raw["cassette"])
        if "freeze_time" in raw:
            if not isinstance(raw["freeze_time"], bool):
                raise ConfigError(f"freeze_time: expected True or False, got {raw['freeze_time']!r}",
                                  setting="freeze_time")
            kwargs["freeze_time"] = raw["freeze_time"]
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}", setting=exc.setting) from None
    return ClaudeFilesConfig(**kwargs)


def describe(config: ClaudeFilesConfig) -> str:
    """One line of the settings in force (for the report header); keys are counted, never shown."""
    keys = "any" if not config.api_keys else f"{len(config.api_keys)} accepted"
    quota = "1TB" if config.storage_quota is None else format_size(config.storage_quota)
    largest = "500MB" if config.max_file_size is None else format_size(config.max_file_size)
    rate = "unlimited" if config.rate_limit is None else f"{config.rate_limit}/min"
    retries = "SDK default" if config.max_retries is None else str(config.max_retries)
    return (f"api_keys={keys}, storage_quota={quota}, max_file_size={largest}, "
            f"rate_limit={rate}, max_retries={retries}")
