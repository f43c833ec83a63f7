"""The Message Batches resource without HTTP: its rules, its scripts, its memory bound."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_claude_files import FakeService
from pytest_claude_files._core.batch_check import check_batch, results_order
from pytest_claude_files._core.batches import PROCESSING_WINDOW
from pytest_claude_files.errors import InvalidRequestError, NotFoundError, RequestTooLargeError

from .conftest import NO_UNRELATED_PLUGINS

NOW = datetime(2025, 4, 15, 18, 37, 24, tzinfo=timezone.utc)


def service() -> FakeService:
    from pytest_claude_files._core.clock import FakeClock

    return FakeService(clock=FakeClock(NOW, frozen=True))


def ask(custom_id: str, text: str = "Hello.") -> dict[str, Any]:
    return {"custom_id": custom_id, "params": {"model": "m", "max_tokens": 64,
                                               "messages": [{"role": "user", "content": text}]}}


def create(fake: FakeService, *ids: str) -> dict[str, Any]:
    body = {"requests": [ask(i) for i in ids]}
    return fake.batches.create(body, body_size=len(json.dumps(body)))


def test_messages_replies_are_used_in_request_order_custom_id_replies_first() -> None:
    fake = service()
    fake.messages.reply("first queued")
    fake.messages.reply("second queued")
    fake.batches.reply("b", "for b")

    batch = create(fake, "a", "b", "c")
    fake.batches.end(batch["id"])

    texts = {r["custom_id"]: r["result"]["message"]["content"][0]["text"]
             for r in fake.batches.results_of(batch["id"])}
    assert texts == {"a": "first queued", "b": "for b", "c": "second queued"}
    assert fake.problems() == []


def test_an_unused_custom_id_reply_is_a_problem() -> None:
    fake = service()
    fake.batches.reply("never-sent", "unused")

    (problem,) = fake.problems()
    assert "claude_files.batches.reply()" in problem and "never-sent" in problem
    fake.batches.assert_all_scripted_used = False
    assert fake.problems() == []


def test_an_errored_request_does_not_use_its_reply() -> None:
    fake = service()
    fake.batches.reply("bad", "would have been")
    body = {"requests": [{"custom_id": "bad", "params": {"model": "m", "messages": []}}]}
    batch = fake.batches.create(body, body_size=100)
    fake.batches.end()

    (result,) = fake.batches.results_of(batch["id"])
    assert result["result"]["type"] == "errored"
    assert fake.batches.pending_replies == {"bad": [fake.batches.pending_replies["bad"][0]]}


@pytest.mark.parametrize("bad", ["", "x" * 65, "with space", 7])
def test_reply_checks_the_custom_id(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"claude_files\.batches\.reply"):
        service().batches.reply(bad, "text")


def test_results_order_is_fixed_and_never_the_request_order() -> None:
    for count in range(2, 40):
        ids = [f"id-{i}" for i in range(count)]
        order = results_order(ids)
        assert sorted(order) == list(range(count)) and order != list(range(count))
        assert results_order(ids) == order
    assert results_order(["only"]) == [0]
    assert results_order(["a", "b", "c"], in_request_order=True) == [0, 1, 2]


def test_results_in_request_order_when_asked() -> None:
    fake = service()
    fake.batches.results_in_request_order = True
    batch = create(fake, *[f"r{i}" for i in range(5)])
    fake.batches.end()

    assert [r["custom_id"] for r in fake.batches.results_of(batch["id"])] == [f"r{i}" for i in range(5)]


def test_get_is_a_peek_and_end_ends() -> None:
    fake = service()
    batch = create(fake, "a")

    assert fake.batches.get(batch["id"])["processing_status"] == "in_progress"
    assert fake.batches.retrieve(batch["id"])["processing_status"] == "ended"  # the client's look
    with pytest.raises(KeyError):
        fake.batches.end("msgbatch_01unknown")
    with pytest.raises(NotFoundError):
        fake.batches.retrieve("msgbatch_01unknown")


def test_a_canceling_batch_past_its_24_hours_ends_canceled() -> None:
    fake = service()
    fake.batches.hold()
    batch = create(fake, "a", "b")
    fake.batches.cancel(batch["id"])
    fake.clock.advance(PROCESSING_WINDOW)

    seen = fake.batches.retrieve(batch["id"])
    assert seen["processing_status"] == "ended" and seen["request_counts"]["canceled"] == 2
    assert seen["ended_at"] == seen["expires_at"]


def test_stored_results_are_bounded_oldest_archived_first() -> None:
    fake = service()
    old = create(fake, *[f"o{i}" for i in range(20)])
    fake.batches.end()
    one_batch = fake.batches.stored_bytes
    fake.batches.max_stored_bytes = one_batch + one_batch // 2
    fake.clock.advance(seconds=1)

    new = create(fake, *[f"n{i}" for i in range(20)])
    fake.batches.end()

    assert fake.batches.get(old["id"])["archived_at"] is not None
    with pytest.raises(NotFoundError):
        fake.batches.results(old["id"])
    assert len(fake.batches.results(new["id"]).splitlines()) == 20
    assert fake.batches.stored_bytes <= fake.batches.max_stored_bytes


def test_delete_frees_the_stored_bytes() -> None:
    fake = service()
    batch = create(fake, "a", "b")
    fake.batches.end()
    assert fake.batches.stored_bytes > 0

    fake.batches.delete(batch["id"])

    assert fake.batches.stored_bytes == 0 and len(fake.batches) == 0


def test_reset_forgets_batches_replies_and_hold() -> None:
    fake = service()
    fake.batches.hold()
    create(fake, "a")
    fake.batches.reply("x", "y")

    fake.reset()

    assert len(fake.batches) == 0 and fake.batches.pending_replies == {} and not fake.batches.holding


@pytest.mark.parametrize(("body", "message"), [
    ([], "Input should be a valid dictionary"),
    ({}, "requests: Field required"),
    ({"requests": {}}, "requests: Input should be a valid list"),
    ({"requests": [], "extra": 1}, "extra: Extra inputs are not permitted"),
    ({"requests": ["x"]}, "requests.0: Input should be a valid dictionary"),
    ({"requests": [{"custom_id": "a", "params": {}, "more": 1}]},
     "requests.0.more: Extra inputs are not permitted"),
    ({"requests": [{"params": {}}]}, "requests.0.custom_id: Field required"),
    ({"requests": [{"custom_id": 5, "params": {}}]},
     "requests.0.custom_id: Input should be a valid string"),
    ({"requests": [{"custom_id": "", "params": {}}]},
     "requests.0.custom_id: String should have at least 1 character"),
    ({"requests": [{"custom_id": "a", "params": []}]},
     "requests.0.params: Input should be a valid dictionary"),
])
def test_check_batch_wording(body: Any, message: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_batch(body, 10)
    assert caught.value.message == message


def test_check_batch_limits() -> None:
    with pytest.raises(InvalidRequestError, match="at most 3 items after validation, not 4"):
        check_batch({"requests": [ask(f"r{i}") for i in range(4)]}, 10, max_requests=3)
    with pytest.raises(RequestTooLargeError, match="2049 > 2048"):
        check_batch({"requests": [ask("a")]}, 2049, max_bytes=2048)
    assert len(check_batch({"requests": [ask(f"r{i}") for i in range(3)]}, 10, max_requests=3)) == 3


def test_an_unused_batch_reply_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_scripts_but_never_sends(claude_files):
            claude_files.batches.reply("summary-1", "never used")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *NO_UNRELATED_PLUGINS)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*claude_files.batches.reply()*summary-1*"])
