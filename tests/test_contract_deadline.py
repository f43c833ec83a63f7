"""Issue 24: the fidelity suite has a time bound.

SDK 2.17 honours a ``retry-after`` of any size (up to 49 days), so a backend answering
``retry-after: 1e9`` stalled ``pytest --pyargs pytest_claude_files.contract`` for good. Each
check now has a deadline (``CHECK_DEADLINE``) and the waits it honours are capped
(``RETRY_AFTER_CAP``): such a check fails at once, naming the deadline and the header.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest

from pytest_claude_files.contract._deadline import CHECK_DEADLINE, RETRY_AFTER_CAP, Deadline, DeadlineExceeded
from pytest_claude_files.server import start_server
from pytest_claude_files.server._faults import Fault
from tests._cleanup_support import ENV_NAMES
from tests.test_contract import SUITE


class _Response:
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        import httpx

        self.status_code = status
        self.headers = httpx.Headers(headers)


@pytest.mark.parametrize("headers", [{"retry-after": "1e9"}, {"retry-after-ms": "120000"},
                                     {"retry-after": "Wed, 21 Oct 2099 07:28:00 GMT"}])
def test_a_wait_over_the_cap_is_not_retried_and_fails_the_check(headers: dict[str, str]) -> None:
    deadline = Deadline()
    response = _Response(429, headers)
    deadline.on_response(response)
    assert response.headers["x-should-retry"] == "false"
    with pytest.raises(DeadlineExceeded, match=r"CHECK_DEADLINE") as failed:
        deadline.check("list")
    assert next(iter(headers.values())) in str(failed.value) and "RETRY_AFTER_CAP" in str(failed.value)


def test_a_short_wait_within_the_deadline_is_honoured() -> None:
    deadline = Deadline()
    response = _Response(429, {"retry-after": "2"})
    deadline.on_response(response)
    assert "x-should-retry" not in response.headers
    deadline.check("list")  # nothing to fail


def test_a_wait_past_the_deadline_is_not_honoured_and_the_end_of_time_fails() -> None:
    now = [0.0]
    deadline = Deadline(10, clock=lambda: now[0])
    now[0] = 8.0
    response = _Response(503, {"retry-after": "5"})  # under the cap, past the deadline
    deadline.on_response(response)
    assert response.headers["x-should-retry"] == "false"

    class _Request:
        extensions: dict[str, Any] = {
            "timeout": {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": None}}

    deadline.on_request(_Request)
    assert _Request.extensions["timeout"] == {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}
    fresh = Deadline(10, clock=lambda: now[0])
    now[0] = 30.0
    with pytest.raises(DeadlineExceeded, match="past its deadline of 10 s"):
        fresh.check("upload")
    assert (CHECK_DEADLINE, RETRY_AFTER_CAP) == (300.0, 60.0)


def test_a_backend_answering_retry_after_1e9_fails_the_check_in_seconds(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case through the real suite: the emulator stands in for the real API and
    answers every listing 429 with ``retry-after: 1000000000``; the check fails within
    seconds with the deadline and the header in its message, the sync and async clients alike."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    key = f"sk-ant-api03-deadline-{secrets.token_hex(8)}"
    with start_server() as server:
        faults = server.tenants.get(key).faults
        faults.add(Fault(operation="list", times=None, status=429, retry_after=1e9))
        faults.add(Fault(operation="delete", times=1, status=529, retry_after=1e9))  # the async test's
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", key)
        started = time.monotonic()
        # in a child process with a timeout: without the bound the suite never ends
        result = pytester.runpytest_subprocess(
            *SUITE, "--claude-files-backend=real", "-k",
            "test_a_listing_is_newest_first or test_the_async_client_uploads_and_deletes", timeout=90)
        took = time.monotonic() - started
    output = result.stdout.str()
    assert took < 60, f"the suite took {took:.0f} s"  # measured: about 4 s
    assert result.parseoutcomes().get("failed", 0) == 2, output
    assert "429 with retry-after: 1000000000" in output and "CHECK_DEADLINE" in output, output
    assert "'delete (async)': the backend answered 529 with retry-after: 1000000000" in output, output
