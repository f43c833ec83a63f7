"""Settings from ini options and ``@pytest.mark.claude_files``, merged and validated.

Order of precedence (later wins): defaults -> ini options -> module marker -> class
marker -> test marker. Bad values become usage errors that name the option and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Union

DOCS_MARKER = "docs/reference.md#the-claude_files-marker"
DOCS_INI = "docs/reference.md#ini-options"

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
                              "workspace's file is a 404. true/false, default false.",
    INI_MISUSE_WARNINGS: "Client-misuse warnings: warn (default), error (fail the test) or ignore "
                         "(only record on claude_files.warnings).",
}
_BOOL_ARGS = ("guess_mime_type", "check_anthropic_version", "check_anthropic_beta", "partition_workspaces")
MISUSE_MODES = ("warn", "error", "ignore")

MARKER_ARGS: dict[str, str] = {
    "api_keys": "keys the fake accepts (a list of strings); default: any non-empty key",
    "api_key": "the key the fixture clients send; default: the first of api_keys, or a fake key",
    "storage_quota": "organization storage in bytes or with a unit ('10MB'); default 1TB",
    "max_file_size": "largest file in bytes or with a unit ('1MB'); default 500MB",
    "rate_limit": "requests per minute before 429 rate_limit_error; default unlimited",
    "now": "the clock's start (datetime or ISO 8601 string); default the real time",
    "freeze_time": "stop the clock (True) so created_at values are predictable; default False",
    "max_retries": "the fixture clients' max_retries; default the SDK's (2)",
    "guess_mime_type": "guess a type for parts sent as application/octet-stream (opt-in); default False",
    "check_anthropic_version": "refuse a missing or unknown anthropic-version (400); default True",
    "check_anthropic_beta": "refuse malformed anthropic-beta values (400); default True",
    "known_betas": "beta names accepted without a warning, besides the built-in list; default none",
    "partition_workspaces": "another anthropic-workspace-id's file is a 404; default False (shared)",
    "misuse_warnings": "client-misuse warnings: 'warn', 'error' (fail the test) or 'ignore'; default 'warn'",
}

_UNITS = {
    "": 1, "b": 1,
    "kb": 1024, "kib": 1024,
    "mb": 1024**2, "mib": 1024**2,
    "gb": 1024**3, "gib": 1024**3,
    "tb": 1024**4, "tib": 1024**4,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


class ConfigError(ValueError):
    """A bad setting; the message names the setting and how to fix it."""


def parse_size(value: Union[int, str], name: str) -> int:
    """``1048576``, ``"1MB"``, ``"1.5 GiB"`` -> bytes (units are binary: 1KB = 1024 B)."""
    if isinstance(value, bool):
        raise ConfigError(f"{name}: expected a size such as 1048576 or '10MB', got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"{name}: a size cannot be negative, got {value}")
        return value
    match = _SIZE_RE.match(str(value))
    unit = match.group(2).lower() if match else None
    if not match or unit not in _UNITS:
        raise ConfigError(
            f"{name}: expected a size such as 1048576, '10MB' or '1TB', got {value!r}"
        )
    return int(float(match.group(1)) * _UNITS[unit])


def parse_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ConfigError(f"{name}: expected a whole number >= {minimum}, got {value!r}")
    return number


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
    raise ConfigError(f"{name}: expected True or False (ini: true or false), got {value!r}")


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
            f"known_betas: expected beta names such as 'files-api-2025-04-14', got {value!r}"
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


def validate(raw: Mapping[str, Any], where: str) -> ClaudeFilesConfig:
    """Check merged raw settings; ``where`` names their source for the error message."""
    unknown = sorted(set(raw) - set(MARKER_ARGS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown argument(s) {', '.join(unknown)}. "
            f"Known arguments: {', '.join(MARKER_ARGS)}. See {DOCS_MARKER}"
        )
    kwargs: dict[str, Any] = {}
    try:
        if raw.get("api_keys") is not None:
            keys = raw["api_keys"]
            if isinstance(keys, str):
                keys = [keys]
            keys = tuple(keys)
            if not keys or not all(isinstance(k, str) and k.strip() for k in keys):
                raise ConfigError("api_keys: expected a non-empty list of non-empty strings")
            kwargs["api_keys"] = keys
        if raw.get("api_key") is not None:
            if not isinstance(raw["api_key"], str) or not raw["api_key"]:
                raise ConfigError("api_key: expected a non-empty string")
            kwargs["api_key"] = raw["api_key"]
        for name in ("storage_quota", "max_file_size"):
            if raw.get(name) is not None:
                kwargs[name] = parse_size(raw[name], name)
        if raw.get("rate_limit") is not None:
            kwargs["rate_limit"] = parse_positive_int(raw["rate_limit"], "rate_limit")
        if raw.get("max_retries") is not None:
            kwargs["max_retries"] = parse_positive_int(raw["max_retries"], "max_retries", minimum=0)
        if raw.get("now") is not None:
            now = raw["now"]
            if isinstance(now, str):
                try:
                    datetime.fromisoformat(now.replace("Z", "+00:00"))
                except ValueError:
                    raise ConfigError(
                        f"now: expected a datetime or an ISO 8601 string, got {now!r}"
                    ) from None
            elif not isinstance(now, datetime):
                raise ConfigError(f"now: expected a datetime or an ISO 8601 string, got {now!r}")
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
                )
            kwargs["misuse_warnings"] = mode.strip().lower()
        if "freeze_time" in raw:
            if not isinstance(raw["freeze_time"], bool):
                raise ConfigError(f"freeze_time: expected True or False, got {raw['freeze_time']!r}")
            kwargs["freeze_time"] = raw["freeze_time"]
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return ClaudeFilesConfig(**kwargs)


def _size_text(value: int) -> str:
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}B"


def describe(config: ClaudeFilesConfig) -> str:
    """One line of the settings in force (for the report header); keys are counted, never shown."""
    keys = "any" if not config.api_keys else f"{len(config.api_keys)} accepted"
    quota = "1TB" if config.storage_quota is None else _size_text(config.storage_quota)
    largest = "500MB" if config.max_file_size is None else _size_text(config.max_file_size)
    rate = "unlimited" if config.rate_limit is None else f"{config.rate_limit}/min"
    retries = "SDK default" if config.max_retries is None else str(config.max_retries)
    return (f"api_keys={keys}, storage_quota={quota}, max_file_size={largest}, "
            f"rate_limit={rate}, max_retries={retries}")
