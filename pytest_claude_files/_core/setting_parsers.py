"""The value parsers of the settings table (``_core/settings_table.py``), one per kind of value.

A parser is ``parse(value, text) -> value``: ``value`` as a source gave it (a marker's Python
object, or the text of an ini option, a ``--claude-files-*`` option, an environment variable or
a ``claude-files-fake serve`` flag, with ``text=True``). It returns the setting's value, and
accepts its own output (a value parsed from the ini options is parsed again when markers are
merged over it). A bad value raises :class:`SettingValueError` with the problem only
(``expected a size such as ..., got 'lots'``); the caller adds the source's spelling of the
setting and the fix (``settings_table.usage_message``). Standard library only.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any, Callable, Optional

from pytest_claude_files._core.suggest import did_you_mean

__all__ = [
    "Parser",
    "SettingValueError",
    "api_key",
    "api_keys",
    "api_url",
    "betas",
    "cassette",
    "choice",
    "flag",
    "hosts",
    "instant",
    "on_off",
    "path",
    "port",
    "positive_int",
    "rate_limit",
    "seconds",
    "seed",
    "size",
    "strict_flag",
    "string",
    "timeout",
    "token",
    "whole",
]

Parser = Callable[[Any, bool], Any]


class SettingValueError(ValueError):
    """A bad value; the message is the problem only (``expected ..., got ...``)."""


def size(value: Any, text: bool) -> int:
    """``1048576``, ``"1MB"``, ``"1.5 GiB"`` -> bytes (the package's one size syntax)."""
    from pytest_claude_files._core.sizes import SizeError, parse_size

    try:
        return parse_size(value)
    except SizeError as exc:
        raise SettingValueError(str(exc)) from None


def whole(minimum: int) -> Parser:
    """A whole number ``>= minimum``."""

    def parse(value: Any, text: bool) -> int:
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or number < minimum:
            raise SettingValueError(f"expected a whole number >= {minimum}, got {value!r}")
        return number

    return parse


positive_int = whole(1)


def rate_limit(value: Any, text: bool) -> int:
    """A whole number >= 1 (requests per minute), or a preset name (``documented``: 500)."""
    from pytest_claude_files._core.settings import RATE_LIMIT_PRESETS

    if isinstance(value, str) and value.strip().lower() in RATE_LIMIT_PRESETS:
        return RATE_LIMIT_PRESETS[value.strip().lower()]
    try:
        return int(positive_int(value, text))
    except SettingValueError:
        raise SettingValueError(
            f"expected a whole number >= 1 (requests per minute) or one of "
            f"{', '.join(repr(k) for k in RATE_LIMIT_PRESETS)}, got {value!r}"
        ) from None


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _bool(value: Any, text: bool, expected: str) -> bool:
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if text and isinstance(value, str) else None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise SettingValueError(f"expected {expected}, got {value!r}")


def flag(value: Any, text: bool) -> bool:
    """``True``/``False``; as text also ``true``/``false``, ``yes``/``no``, ``on``/``off``, ``1``/``0``."""
    return _bool(value, text, "True or False (ini: true or false)")


def strict_flag(value: Any, text: bool) -> bool:
    """``True``/``False`` only (``freeze_time``)."""
    return _bool(value, False, "True or False")


def on_off(value: Any, text: bool) -> bool:
    """``on``/``off`` (and the other words of :func:`flag`)."""
    return _bool(value, text, "on or off (true/false)")


def betas(value: Any, text: bool) -> tuple[str, ...]:
    """A list of beta names, or one string separated by commas or whitespace."""
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else value
    try:
        names = tuple(str(item).strip() for item in items if str(item).strip())
    except TypeError:
        names = ()
    shape = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}\Z")
    bad = [n for n in names if not shape.match(n)]
    if not names or bad or not isinstance(value, (str, list, tuple, set, frozenset)):
        raise SettingValueError(f"expected beta names such as 'files-api-2025-04-14', got {value!r}")
    return names


def api_keys(value: Any, text: bool) -> tuple[str, ...]:
    """A non-empty list of non-empty keys (or one key)."""
    keys = [value] if isinstance(value, str) else value
    try:
        found = tuple(keys)
    except TypeError:
        found = ()
    if not found or not all(isinstance(k, str) and k.strip() for k in found):
        raise SettingValueError("expected a non-empty list of non-empty strings")
    return tuple(k.strip() for k in found) if text else found


def api_key(value: Any, text: bool) -> str:
    if not isinstance(value, str) or not value:
        raise SettingValueError("expected a non-empty string")
    return value


def instant(value: Any, text: bool) -> Any:
    """A ``datetime`` or an ISO 8601 string (kept as given)."""
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise SettingValueError(f"expected a datetime or an ISO 8601 string, got {value!r}") from None
        return value
    if not isinstance(value, datetime):
        raise SettingValueError(f"expected a datetime or an ISO 8601 string, got {value!r}")
    return value


class choice:  # lower case: used as the other parsers are, p.choice("warn", "error", "ignore")
    """One of ``choices`` (any case); the error suggests the nearest. ``.choices`` lists them."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def __call__(self, value: Any, text: bool) -> str:
        word = value.strip().lower() if isinstance(value, str) else None
        if word is None or word not in self.choices:
            hint = did_you_mean(value.strip().lower(), self.choices) if isinstance(value, str) else ""
            raise SettingValueError(f"expected one of {', '.join(self.choices)}, got {value!r}{hint}")
        return word


def path(value: Any, text: bool) -> str:
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise SettingValueError(f"expected a path, got {value!r}")
    return os.fspath(value).strip()


def cassette(value: Any, text: bool) -> str:
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise SettingValueError(f"expected the path of a recorded cassette, got {value!r}")
    return os.fspath(value)


def string(value: Any, text: bool) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingValueError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def token(value: Any, text: bool) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingValueError(f"expected a non-empty token (or none: cross-tenant control operations "
                                f"are then refused), got {value!r}")
    return value.strip()


def api_url(value: Any, text: bool) -> str:
    """A scheme and a host (no path): ``https://api.anthropic.com``."""
    from urllib.parse import urlsplit

    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise SettingValueError(
            f"expected a scheme and host such as 'https://api.anthropic.com', got {value!r}")
    return str(value)


def hosts(value: Any, text: bool) -> tuple[str, ...]:
    """A host name (``*.example.com``, ``*``) or a list of them."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple, set, frozenset)) or not all(
            isinstance(h, str) and h for h in names):
        raise SettingValueError(f"expected a host name or a list of them, got {value!r}")
    return tuple(names)


def port(value: Any, text: bool) -> int:
    """A TCP port, 0 to 65535 (0: any free one)."""
    word = str(value).strip()
    if isinstance(value, bool) or not word.isdigit() or not 0 <= int(word) <= 65535:
        raise SettingValueError(f"not a port: {value!r} (0 to 65535; 0 picks a free one)")
    return int(word)


def timeout(value: Any, text: bool) -> float:
    """Seconds, more than 0 and at most 3600."""
    try:
        number = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        number = -1.0
    if not 0 < number <= 3600:
        raise SettingValueError(f"not a number of seconds: {value!r} (more than 0, at most 3600)")
    return number


def seconds(value: Any, text: bool) -> float:
    """A number of seconds >= 0."""
    try:
        number: Optional[float] = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise SettingValueError(f"expected a number of seconds >= 0, got {value!r}")
    return number


def seed(value: Any, text: bool) -> int:
    """An integer (``0x`` prefixes allowed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip(), 0)
    except ValueError:
        raise SettingValueError(f"expected an integer seed, got {value!r}") from None
