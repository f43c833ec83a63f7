"""Helpers for the backend and cleanup tests: the emulator on loopback as the "real" API.

Each test gets its own account (a fresh API key = a fresh tenant on the emulator), so
tests sharing the module's server never see each other's files.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from pathlib import Path
from typing import Any, Generator, Iterable, Optional

import pytest

ENV_NAMES = (
    "CLAUDE_FILES_BACKEND", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
    "CLAUDE_FILES_SERVER_URL", "CLAUDE_FILES_SERVER_API_KEY", "ANTHROPIC_AUTH_TOKEN",
)


@pytest.fixture(scope="module")
def emulator() -> Generator[Any, None, None]:
    from pytest_claude_files.server import start_server

    handle = start_server("127.0.0.1", 0)
    try:
        yield handle
    finally:
        handle.stop()


class Account:
    """One API key's space on the emulator, inspected in process (no HTTP)."""

    def __init__(self, handle: Any, key: str) -> None:
        self.handle = handle
        self.key = key
        self.base_url: str = handle.base_url.rstrip("/")
        self.tenant = handle.tenants.get(key)
        self.files = self.tenant.files

    def ids(self) -> set[str]:
        return {m.id for m in self.files.files}

    def upload(self, count: int, name: str = "someone-else") -> set[str]:
        """Upload ``count`` files over HTTP with the account's key (someone else's files)."""
        import anthropic

        with anthropic.Anthropic(api_key=self.key, base_url=self.base_url) as client:
            return {
                client.beta.files.upload(file=(f"{name}-{i}.txt", b"theirs", "text/plain")).id
                for i in range(count)
            }

    def delete_calls(self) -> Counter[str]:
        """Successful deletes per file id, as the fake saw them."""
        return Counter(c.file_id for c in self.files.operations("delete") if c.error is None)

    def failed_delete_calls(self) -> list[Any]:
        """Deletes the fake answered with an error (a second delete of one id would be a 404)."""
        return [c for c in self.files.operations("delete") if c.error is not None]


@pytest.fixture
def account(emulator: Any) -> Account:
    return Account(emulator, f"sk-ant-api03-TOPSECRET-{secrets.token_hex(16)}-AA")


@pytest.fixture
def live_env(monkeypatch: pytest.MonkeyPatch, account: Account) -> Account:
    """``--claude-files-backend=real`` against the emulator, for pytester subprocess runs."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLAUDE_FILES_BACKEND", "real")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", account.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", account.key)
    return account


class FlakyDeletes:
    """A handler hook answering a share of deletes with 429 or 529 (seeded, so repeatable)."""

    def __init__(self, share: float, statuses: Iterable[int] = (429, 529), seed: int = 7,
                 retry_after: Optional[str] = "0") -> None:
        self.share = share
        self.statuses = tuple(statuses)
        self.rng = random.Random(seed)
        self.retry_after = retry_after
        self.failed: Counter[int] = Counter()
        self.seen = 0

    def __call__(self, request: Any, operation: Optional[str]) -> Any:
        if operation != "delete":
            return None
        self.seen += 1
        if self.rng.random() >= self.share:
            return None
        from pytest_claude_files._http.handler import error_response
        from pytest_claude_files.errors import error_class_for

        status = self.rng.choice(self.statuses)
        self.failed[status] += 1
        headers = {"retry-after": self.retry_after} if self.retry_after is not None else {}
        return error_response(error_class_for(status)("Injected by the test.", headers=headers))


def written_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def assert_key_absent(key: str, texts: Iterable[str], root: Path) -> None:
    """Neither ``texts`` nor any file under ``root`` contains ``key`` (or its tail)."""
    probes = {key, key[-24:]}
    for text in texts:
        for probe in probes:
            assert probe not in text, "the API key appears in the output"
    for path in written_files(root):
        data = path.read_bytes()
        for probe in probes:
            assert probe.encode() not in data, f"the API key appears in {path}"
