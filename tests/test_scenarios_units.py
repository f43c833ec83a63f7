"""Scenario effects and rules one by one, without an SDK: fast checks of their arithmetic."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from pytest_claude_files import scenarios
from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._http.handler import HTTPResponse
from pytest_claude_files._respx.rules import Rule

BODY = b"0123456789"


def _ctx(clock: FakeClock | None = None, body: bytes = BODY) -> Any:
    return SimpleNamespace(
        clock=clock or FakeClock(datetime(2025, 1, 1, tzinfo=timezone.utc), frozen=True),
        call_fake=lambda: HTTPResponse(200, [("content-type", "application/octet-stream")], body),
        request=httpx.Request("GET", "https://api.anthropic.com/v1/files/x/content"),
    )


def _read(response: httpx.Response) -> tuple[bytes, Exception | None]:
    got = b""
    try:
        for chunk in response.stream:  # type: ignore[union-attr]
            got += chunk
    except httpx.RemoteProtocolError as error:
        return got, error
    return got, None


@pytest.mark.parametrize(("after", "received"), [(0, b""), (3, b"012"), (9, b"012345678"),
                                                  (100, b"012345678"), (0.5, b"01234")])
def test_cut_body_delivers_only_the_head_then_fails(after: float, received: bytes) -> None:
    response = scenarios.cut_body(after=after)(_ctx())
    assert response.headers["content-length"] == str(len(BODY))
    got, error = _read(response)
    assert got == received and error is not None
    assert f"received {len(received)} bytes, expected {len(BODY)}" in str(error)


def test_the_token_bucket_never_holds_more_than_its_capacity() -> None:
    clock = FakeClock(datetime(2025, 1, 1, tzinfo=timezone.utc), frozen=True)
    bucket = scenarios.token_bucket(2, refill_per_second=1.0)
    ctx = _ctx(clock)
    assert [bucket(ctx).status for _ in range(3)] == [200, 200, 429]
    clock.advance(3600)  # an hour refills 3600 tokens' worth: still only 2
    statuses = [bucket(ctx).status for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert bucket.tokens <= bucket.capacity
    clock.advance(1)
    answer = bucket(ctx)
    assert answer.status == 200 and answer.header("anthropic-ratelimit-requests-remaining") == "0"


def test_an_nth_rule_is_used_up_on_the_nth_call() -> None:
    rule = Rule(None, lambda ctx: None, nth=2)
    assert (rule.should_fire(), rule.used_up) == (False, False)
    assert (rule.should_fire(), rule.used_up) == (True, True)
    first = Rule(None, lambda ctx: None, nth=1)
    assert (first.should_fire(), first.used_up) == (True, True)


def test_a_times_rule_is_used_up_after_its_last_call() -> None:
    rule = Rule(None, lambda ctx: None, times=2)
    assert [(rule.should_fire(), rule.used_up) for _ in range(3)] == [
        (True, False), (True, True), (False, True)]
