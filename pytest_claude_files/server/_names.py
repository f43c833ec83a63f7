"""The emulator's names that clients need too (stdlib only: ``control_client`` imports it)."""

from __future__ import annotations

__all__ = ["ANY_OPERATION", "CONTROL_PREFIX"]

CONTROL_PREFIX = "/_claude_files/"
"""The reserved path prefix of the control API."""
ANY_OPERATION = "*"
"""The fault operation that matches every call."""
