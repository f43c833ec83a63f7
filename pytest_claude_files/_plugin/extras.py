"""Optional extras: a fixture that needs one names the missing package and the fix."""

from __future__ import annotations

import importlib

import pytest

INSTALL_HINT = "pip install 'pytest-claude-files[{extra}]'"

HEAVY_MODULES = (
    "anthropic",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "respx",
    "hypothesis",
    "faker",
    "pydantic",
    "pydantic_core",
    "uvicorn",
)
"""Top-level modules that loading the plugin must not import (they load with a fixture)."""


def require(fixture: str, extra: str, *modules: str) -> None:
    """Fail the test as a usage error when ``modules`` of ``extra`` are not installed."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        pytest.fail(
            f"{fixture} needs {' and '.join(missing)}, which is not installed: "
            f"{INSTALL_HINT.format(extra=extra)}",
            pytrace=False,
        )
