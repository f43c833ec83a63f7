"""Deleting with bounded retries that honour retry-after (sleeps are patched, never slept)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Optional

import pytest

from pytest_claude_files._live.cleanup import (
    Attempt,
    RetryPolicy,
    delete_all,
    retry_after_seconds,
    should_retry,
)
from pytest_claude_files._live.ledger import Upload

BASE = "https://api.example.test"


def uploads(*ids: str) -> list[Upload]:
    return [Upload(i, BASE, "sha256:0") for i in ids]


class Script:
    """A deleter answering from a script per id (then 200); records every call."""

    def __init__(self, **answers: list[Attempt]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, file_id: str) -> Attempt:
        self.calls.append(file_id)
        script = self.answers.get(file_id)
        return script.pop(0) if script else Attempt(200)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def run(deleter: Script, policy: RetryPolicy, *ids: str) -> tuple:
    t = FakeTime()
    report = delete_all(uploads(*ids), deleter, policy, sleep=t.sleep, clock=t.clock, rng=random.Random(1))
    return report, t


@pytest.mark.parametrize(("status", "retried"), [
    (None, True), (408, True), (409, True), (429, True), (500, True), (503, True), (529, True),
    (400, False), (401, False), (403, False), (413, False),
])
def test_which_failures_are_retried(status: Optional[int], retried: bool) -> None:
    assert should_retry(status) is retried


def test_404_counts_as_already_gone() -> None:
    deleter = Script(file_a=[Attempt(404)])
    report, t = run(deleter, RetryPolicy(), "file_a", "file_b")
    assert [(u.file_id, how) for u, how in report.deleted] == [
        ("file_a", "already-gone"), ("file_b", "cleanup")]
    assert deleter.calls == ["file_a", "file_b"] and t.sleeps == []


@pytest.mark.parametrize(("headers", "wait"), [
    ({"retry-after": "3"}, 3.0),
    ({"retry-after": "0"}, 0.0),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # -ms wins, as in the SDKs
    ({"Retry-After": "2.5"}, 2.5),
])
def test_retry_after_is_honoured(headers: dict, wait: float) -> None:
    deleter = Script(file_a=[Attempt(429, headers), Attempt(529, headers)])
    report, t = run(deleter, RetryPolicy(), "file_a")
    assert t.sleeps == [wait, wait]
    assert len(report.deleted) == 1 and deleter.calls == ["file_a"] * 3


def test_retry_after_as_an_http_date() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=20)
    seconds = retry_after_seconds({"retry-after": format_datetime(when, usegmt=True)})
    assert seconds is not None and 15 <= seconds <= 20


def test_retry_after_is_capped_by_max_delay() -> None:
    deleter = Script(file_a=[Attempt(429, {"retry-after": "3600"})])
    _, t = run(deleter, RetryPolicy(max_delay=5), "file_a")
    assert t.sleeps == [5]


def test_without_retry_after_the_backoff_grows_and_is_bounded() -> None:
    deleter = Script(file_a=[Attempt(500)] * 6)
    report, t = run(deleter, RetryPolicy(attempts=10, base_delay=0.5, max_backoff=4), "file_a")
    assert len(report.deleted) == 1
    assert 0.375 <= t.sleeps[0] <= 0.5 and all(s <= 4 for s in t.sleeps)
    assert t.sleeps[-1] >= 3  # reached the cap (minus jitter)


def test_attempts_are_bounded_and_the_reason_is_kept() -> None:
    deleter = Script(file_a=[Attempt(529, {"retry-after": "0"}, "overloaded_error")] * 10)
    report, _ = run(deleter, RetryPolicy(attempts=3), "file_a", "file_b")
    assert deleter.calls == ["file_a"] * 3 + ["file_b"]
    assert [(u.file_id, why) for u, why in report.left] == [
        ("file_a", "delete failed: 529 overloaded_error after 3 attempts")]


def test_the_time_budget_is_bounded() -> None:
    deleter = Script(file_a=[Attempt(429, {"retry-after": "20"})] * 10)
    report, t = run(deleter, RetryPolicy(attempts=10, max_delay=30, budget=50), "file_a")
    assert t.sleeps == [20, 20]
    assert "time budget (50 s) used up" in report.left[0][1]


def test_errors_that_will_not_heal_are_not_retried() -> None:
    deleter = Script(file_a=[Attempt(401, error_type="authentication_error")])
    report, t = run(deleter, RetryPolicy(), "file_a")
    assert deleter.calls == ["file_a"] and t.sleeps == []
    assert report.left[0][1] == "delete failed: 401 authentication_error"


def test_connection_errors_are_retried() -> None:
    deleter = Script(file_a=[Attempt(None, message="APIConnectionError")])
    report, t = run(deleter, RetryPolicy(), "file_a")
    assert len(report.deleted) == 1 and len(t.sleeps) == 1


def test_only_the_given_ids_are_ever_deleted() -> None:
    deleter = Script(file_a=[Attempt(429, {"retry-after": "0"})] * 2)
    gone: list[str] = []
    delete_all(uploads("file_a", "file_b"), deleter, RetryPolicy(), sleep=lambda s: None,
               on_gone=lambda u, how: gone.append(u.file_id))
    assert set(deleter.calls) == {"file_a", "file_b"} and gone == ["file_a", "file_b"]


@pytest.mark.parametrize("headers", [
    {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"},  # a date in the past
    {"retry-after": "-5"},
])
def test_retry_after_in_the_past_is_no_wait_not_a_negative_one(headers: dict) -> None:
    assert retry_after_seconds(headers) == 0.0
    deleter = Script(file_a=[Attempt(429, headers)])
    _, t = run(deleter, RetryPolicy(), "file_a")
    assert t.sleeps == [0.0]
