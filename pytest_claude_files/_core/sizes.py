"""The one size syntax of the package: marker, ini options, environment and command line.

``1048576``, ``"10MB"``, ``"10MiB"``, ``"512k"``, ``"1.5GiB"`` -> bytes. Units are binary
(``1KB`` = ``1KiB`` = ``1k`` = 1024 bytes), case does not matter, a space may separate the
number and the unit. A size must come to a whole number of bytes: ``"1.5"`` (bytes) and
``"1.3k"`` are refused rather than truncated, and so is anything else (``"5i"``).
"""

from __future__ import annotations

import re
from typing import Union

__all__ = ["ACCEPTED_SIZES", "SizeError", "format_size", "parse_size"]

ACCEPTED_SIZES = "a size such as 1048576, 10MB, 10MiB, 512k or 1.5GiB (binary units: 1KB = 1024 bytes)"
"""The accepted forms, as error messages name them."""

_UNITS = {"": 0, "b": 0, "k": 1, "m": 2, "g": 3, "t": 4}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))?\s*$", re.IGNORECASE)


class SizeError(ValueError):
    """A value that is not a size; the message names the accepted forms."""


def parse_size(value: Union[int, float, str]) -> int:
    """``value`` in bytes; :class:`SizeError` (naming the accepted forms) when it is not a size."""
    if isinstance(value, bool):
        raise SizeError(f"expected {ACCEPTED_SIZES}, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise SizeError(f"a size cannot be negative, got {value}")
        return value
    if isinstance(value, float):
        if value < 0 or not value.is_integer():
            raise SizeError(f"{value!r} is not a whole number of bytes; expected {ACCEPTED_SIZES}")
        return int(value)
    if not isinstance(value, str):
        raise SizeError(f"expected {ACCEPTED_SIZES}, got {value!r}")
    found = _SIZE_RE.match(value)
    if not found:
        raise SizeError(f"expected {ACCEPTED_SIZES}, got {value!r}")
    number, unit = found.group(1), (found.group(2) or "").lower()
    scale: int = 1024 ** _UNITS[unit]
    if "." in number:
        whole, _, frac = number.partition(".")
        numerator = (int(whole) * 10 ** len(frac) + int(frac)) * scale
        denominator = 10 ** len(frac)
        if numerator % denominator:
            raise SizeError(f"{value!r} is not a whole number of bytes; expected {ACCEPTED_SIZES}")
        return int(numerator // denominator)
    return int(number) * int(scale)


def format_size(value: int) -> str:
    """``1048576`` -> ``"1MB"``: the largest binary unit that divides ``value``."""
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}B"
