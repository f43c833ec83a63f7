"""The Message Batches strategies (``strategies.batch_requests`` and friends), against the fake."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_claude_files import FakeService
from pytest_claude_files import strategies as cfs
from pytest_claude_files._core.batch_check import check_batch, check_custom_id
from pytest_claude_files._core.ids import BATCH_ID_RE
from pytest_claude_files.errors import InvalidRequestError

QUICK = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def seeded() -> tuple[FakeService, list[Any], list[str]]:
    fake = FakeService()
    files = [fake.add_file("report.pdf", b"%PDF-1.4 r", mime_type="application/pdf"),
             fake.add_file("chart.png", b"\x89PNG....", mime_type="image/png"),
             fake.add_file("data.csv", b"a,b\n1,2\n", mime_type="text/csv")]
    gone = fake.add_file("old.pdf", b"%PDF-1.4 old", mime_type="application/pdf")
    fake.delete(gone.id)
    return fake, files, [gone.id]


FAKE, FILES, DELETED = seeded()


@QUICK
@given(cfs.custom_ids())
def test_custom_ids_are_valid(custom_id: str) -> None:
    assert check_custom_id(custom_id) == custom_id


@QUICK
@given(cfs.invalid_custom_ids())
def test_invalid_custom_ids_are_refused_with_their_message(case: tuple[Any, str]) -> None:
    custom_id, message = case
    body = {"requests": [{"custom_id": custom_id, "params": {}}]}
    with pytest.raises(InvalidRequestError) as caught:
        check_batch(body, 10)
    assert caught.value.message == f"requests.0.custom_id: {message}"


@QUICK
@given(cfs.batch_ids())
def test_batch_ids_have_the_shape(batch_id: str) -> None:
    assert BATCH_ID_RE.match(batch_id)


@QUICK
@given(cfs.batch_requests(FILES, max_size=4))
def test_batch_requests_all_succeed(requests: list[dict[str, Any]]) -> None:
    body = {"requests": requests}
    batch = FAKE.batches.create(body, body_size=len(json.dumps(body)))
    FAKE.batches.end(batch["id"])
    results = FAKE.batches.results_of(batch["id"])
    assert sorted(r["custom_id"] for r in results) == sorted(r["custom_id"] for r in requests)
    assert {r["result"]["type"] for r in results} == {"succeeded"}
    FAKE.batches.delete(batch["id"])


@QUICK
@given(cfs.batches_with_a_bad_reference(FILES, deleted_ids=DELETED), st.booleans())
def test_one_bad_reference_errors_alone(case: Any, held: bool) -> None:
    body = {"requests": case.requests}
    FAKE.batches.hold(held)
    batch = FAKE.batches.create(body, body_size=len(json.dumps(body)))
    ended = FAKE.batches.retrieve(batch["id"]) if not held else FAKE.batches.end(batch["id"])[0]
    results = {r["custom_id"]: r["result"] for r in FAKE.batches.results_of(batch["id"])}

    bad = results.pop(case.bad_custom_id)
    assert bad["type"] == "errored"
    assert bad["error"]["error"]["type"] == case.invalid.error_type
    assert bad["error"]["error"]["message"] == case.invalid.message
    assert sorted(results) == sorted(case.good_custom_ids)
    assert {r["type"] for r in results.values()} == {"succeeded"}
    assert ended["request_counts"]["errored"] == 1
    assert ended["request_counts"]["succeeded"] == len(case.good_custom_ids)
    FAKE.batches.delete(batch["id"])
    FAKE.batches.hold(False)
