"""The fidelity suite: one test per row of docs/fidelity.md, against any backend.

Run it with ``pytest --pyargs pytest_claude_files.contract`` (the in-process fake), with
``--claude-files-backend=server`` (the emulator) or ``--claude-files-backend=real`` (your
account: ``ANTHROPIC_API_KEY``, or any ``ANTHROPIC_BASE_URL``). Every test calls the official
SDK through the ``contract`` fixture, which sends each call to the backend and to a fake in
this process and compares the answers. See docs/contract.md.
"""

from __future__ import annotations

__all__ = ["NOT_CHECKABLE"]

NOT_CHECKABLE: dict[str, str] = {
    "files.download.bytes": "only files made by Claude's tools are downloadable: checking it against an "
    "account needs a code-execution run (tests/test_sdk_files.py checks the fake)",
    "files.expires.download-expired": "needs an hour of waiting for the file to expire "
    "(tests/test_sdk_files.py moves the fake's clock)",
    "files.scope.outside-quota": "session-scoped files are made by managed-agent sessions, which a "
    "test cannot create cheaply (tests/test_service.py checks the fake)",
}
"""Rows of docs/fidelity.md that no contract test checks, and why (tests/ checks the fake)."""
