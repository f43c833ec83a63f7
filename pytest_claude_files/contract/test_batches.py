"""Message Batches (docs/fidelity.md, ## Message Batches).

Cost against the real API: the batches these tests send are refused whole (a bad
``custom_id``, no requests) or ask for an unknown batch, so nothing is created or billed.
The tests that create a batch run against the fake and the emulator only: a batch made on
an account cannot be deleted before it has ended (minutes to hours).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pytest_claude_files.contract._harness import Answer, Contract

fidelity = pytest.mark.claude_files_fidelity
MODEL = "claude-haiku-4-5"
MADE = "creates a batch, which an account cannot delete before it has ended (minutes to hours)"
UNKNOWN = "msgbatch_011CNha8iCJcU1wXNR6q4V8w"


def _request(custom_id: Any) -> dict[str, Any]:
    return {"custom_id": custom_id, "params": {"model": MODEL, "max_tokens": 1,
                                               "messages": [{"role": "user", "content": "Hi."}]}}


def _refused(answer: Answer, status: int, error_type: str) -> None:
    assert (answer.status, answer.error_type) == (status, error_type), answer


@fidelity("batches.create.in-progress", calls=("batches.create",), real=MADE)
def test_a_new_batch_is_in_progress(contract: Contract) -> None:
    answer = contract.run(
        "messages.batches.create with two requests",
        lambda c: c.messages.batches.create(requests=[_request("a"), _request("b")]),
        keys=("type", "processing_status", "request_counts", "results_url", "ended_at", "archived_at"),
    )
    assert answer.ok, answer
    assert answer.value.processing_status == "in_progress" and answer.value.request_counts.processing == 2
    assert answer.value.expires_at - answer.value.created_at == timedelta(hours=24)


@fidelity("batches.cancel.canceling", calls=("batches.create", "batches.cancel"), real=MADE)
def test_cancel_a_batch_in_progress(contract: Contract) -> None:
    made = contract.run("messages.batches.create", lambda c: c.messages.batches.create(
        requests=[_request("a")]), keys=("processing_status",))
    answer = contract.run("messages.batches.cancel", lambda c, b: c.messages.batches.cancel(b.id), made,
                          keys=("processing_status",))
    assert answer.ok and answer.value.processing_status == "canceling", answer
    assert answer.value.cancel_initiated_at is not None


@fidelity("batches.custom-id.rules", calls=("batches.create",))
def test_a_custom_id_outside_the_pattern_is_refused(contract: Contract) -> None:
    for custom_id in ("has space", "x" * 65):
        _refused(contract.run(f"messages.batches.create with custom_id {custom_id[:10]!r}",
                              lambda c, cid=custom_id: c.messages.batches.create(requests=[_request(cid)])),
                 400, "invalid_request_error")


@fidelity("batches.custom-id.unique", calls=("batches.create",))
def test_a_repeated_custom_id_is_refused(contract: Contract) -> None:
    _refused(contract.run("messages.batches.create with a repeated custom_id",
                          lambda c: c.messages.batches.create(requests=[_request("same"), _request("same")])),
             400, "invalid_request_error")


@fidelity("batches.requests.count", calls=("batches.create",))
def test_a_batch_without_requests_is_refused(contract: Contract) -> None:
    _refused(contract.run("messages.batches.create with no requests",
                          lambda c: c.messages.batches.create(requests=[])),
             400, "invalid_request_error")


@fidelity("batches.retrieve.unknown", calls=("batches.retrieve",))
def test_an_unknown_batch_is_not_found(contract: Contract) -> None:
    _refused(contract.run("messages.batches.retrieve of an unknown id",
                          lambda c: c.messages.batches.retrieve(UNKNOWN)),
             404, "not_found_error")
