"""pytest_claude_files.scenarios: pagination through the SDK (both dialects, sync and
async), and the effects and triggers at the router level."""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any

import httpx
import pytest

from pytest_claude_files import scenarios
from pytest_claude_files._sdk.client import sdk_version

from .conftest import Sdk

SDK = sdk_version() or (0,)
GA_ONLY = SDK >= (1, 2)
API = "https://api.anthropic.com"


SURFACES = ["beta", "ga"]


@pytest.fixture(params=SURFACES)
def lister(sdk: Sdk, request: pytest.FixtureRequest) -> Any:
    """``await lister(**params)``: every file id the SDK lists, {sync, async} x {beta, ga}."""
    surface = request.param
    client = sdk.client()
    if surface == "ga" and getattr(client, "files", None) is None:
        pytest.skip("this SDK has no client.files")

    async def list_all(**kwargs: Any) -> list[str]:
        return [f.id for f in await sdk.list_all(client, surface, **kwargs)]

    list_all.beta = surface == "beta" and not GA_ONLY  # type: ignore[attr-defined]
    return list_all


def _last_page(router: Any) -> dict[str, Any]:
    return router.calls_of("list")[-1].response.json()  # type: ignore[no-any-return]


def _assert_last_page(router: Any, beta: bool) -> None:
    page = _last_page(router)
    if beta:
        assert page["has_more"] is False
    else:
        assert page["next_page"] is None


# -- pagination through the SDK ----------------------------------------------------------------
@pytest.mark.anyio
async def test_n_files_in_pages_of_k(claude_files_respx: Any, lister: Any) -> None:
    seeded = scenarios.paginate(claude_files_respx, total=7, page_size=3)
    ids = await lister()
    assert ids == [f.id for f in seeded]
    calls = claude_files_respx.calls_of("list")
    assert [len(c.response.json()["data"]) for c in calls] == [3, 3, 1]
    assert all(c.beta is lister.beta for c in calls)
    _assert_last_page(claude_files_respx, lister.beta)


@pytest.mark.anyio
async def test_client_limit_below_the_page_size(claude_files_respx: Any, lister: Any) -> None:
    scenarios.paginate(claude_files_respx, total=5, page_size=3)
    assert len(await lister(limit=2)) == 5
    assert [c.limit for c in claude_files_respx.calls_of("list")] == [2, 2, 2]
    assert [len(c.response.json()["data"]) for c in claude_files_respx.calls_of("list")] == [2, 2, 1]


@pytest.mark.anyio
async def test_empty_list(claude_files_respx: Any, lister: Any) -> None:
    assert scenarios.paginate(claude_files_respx, total=0) == []
    assert await lister() == []
    assert claude_files_respx["list"].call_count == 1
    _assert_last_page(claude_files_respx, lister.beta)
    if lister.beta:
        assert _last_page(claude_files_respx)["first_id"] is None


@pytest.mark.anyio
async def test_exactly_one_page(claude_files_respx: Any, lister: Any) -> None:
    seeded = scenarios.paginate(claude_files_respx, total=4, page_size=4)
    assert await lister() == [f.id for f in seeded]
    assert claude_files_respx["list"].call_count == 1
    _assert_last_page(claude_files_respx, lister.beta)


@pytest.mark.anyio
async def test_cursor_pointing_at_a_deleted_file(
    claude_files_respx: Any, claude_files: Any, lister: Any
) -> None:
    seeded = scenarios.paginate(claude_files_respx, total=6, page_size=2, delete_cursor_after_page=1)
    cursor_file = seeded[1]
    ids = await lister()
    assert ids == [f.id for f in seeded]  # the deleted one was already on page 1
    assert cursor_file.id not in claude_files
    second = claude_files_respx.calls_of("list")[1]
    if lister.beta:
        assert second.params["after_id"] == cursor_file.id
    else:
        assert second.params["page"].startswith("page_")
    assert [c.status for c in claude_files_respx.calls_of("list")] == [200, 200, 200]


# -- effects at the router level -------------------------------------------------------------
def _get(router: Any, path: str = "/v1/files", **headers: str) -> httpx.Response:
    headers.setdefault("x-api-key", "k")
    headers.setdefault("anthropic-version", "2023-06-01")
    response = router.handler(httpx.Request("GET", API + path, headers=headers))
    response.read()
    return response  # type: ignore[no-any-return]


def test_api_error_envelope_and_headers(claude_files_respx: Any) -> None:
    claude_files_respx.inject(
        "list",
        scenarios.error(
            "rate_limit_error",
            "slow down",
            error_code="too_fast",
            retry_after=3,
            retry_after_ms=2500.5,
            should_retry=False,
            request_id="req_011CQFYcrRp7mCHLDsAYT8Qt",
            headers={"x-extra": "1"},
        ),
    )
    response = _get(claude_files_respx)
    assert response.status_code == 429
    assert response.json() == {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "slow down", "details": {"error_code": "too_fast"}},
        "request_id": "req_011CQFYcrRp7mCHLDsAYT8Qt",
    }
    assert response.headers["request-id"] == "req_011CQFYcrRp7mCHLDsAYT8Qt"
    assert response.headers["retry-after"] == "3"
    assert response.headers["retry-after-ms"] == "2500.5"
    assert response.headers["x-should-retry"] == "false"
    assert response.headers["x-extra"] == "1"


@pytest.mark.parametrize(
    ("given", "status", "error_type"),
    [
        (529, 529, "overloaded_error"),
        ("not_found_error", 404, "not_found_error"),
        (408, 408, "timeout_error"),
        (503, 503, "api_error"),
        (418, 418, "invalid_request_error"),
    ],
)
def test_api_error_by_status_or_type(
    claude_files_respx: Any, given: Any, status: int, error_type: str
) -> None:
    claude_files_respx.inject("list", scenarios.error(given))
    response = _get(claude_files_respx)
    assert response.status_code == status
    assert response.json()["error"]["type"] == error_type
    assert response.json()["request_id"] == response.headers["request-id"]


def test_api_error_rejects_unknown_types() -> None:
    with pytest.raises(ValueError, match="unknown error type 'nope_error'"):
        scenarios.error("nope_error")


def _fired(router: Any, n: int) -> list[int]:
    return [_get(router).status_code for _ in range(n)]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({"times": 2}, [500, 500, 200, 200, 200, 200]),
        ({"nth": 3}, [200, 200, 500, 200, 200, 200]),
        ({"every": 2}, [200, 500, 200, 500, 200, 500]),
        ({}, [500] * 6),
        ({"probability": 0.0, "seed": 1}, [200] * 6),
        ({"probability": 1.0}, [500] * 6),
    ],
)
def test_triggers(claude_files_respx: Any, when: dict[str, Any], expected: list[int]) -> None:
    claude_files_respx.inject("list", scenarios.error(500), **when)
    assert _fired(claude_files_respx, 6) == expected


def test_probability_is_reproducible_from_the_seed(claude_files_respx: Any) -> None:
    rule = claude_files_respx.inject("list", scenarios.error(503), probability=0.5, seed=7)
    first = _fired(claude_files_respx, 20)
    rule.remove()
    claude_files_respx.inject("list", scenarios.error(503), probability=0.5, seed=7)
    assert _fired(claude_files_respx, 20) == first
    assert 0 < first.count(503) < 20


def test_rules_apply_to_their_operations(claude_files_respx: Any) -> None:
    claude_files_respx.inject(["retrieve_metadata", "delete"], scenarios.error(500))
    assert _get(claude_files_respx).status_code == 200
    assert _get(claude_files_respx, "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w").status_code == 500
    claude_files_respx.clear_scenarios()
    assert _get(claude_files_respx, "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w").status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"times": 1, "nth": 2}, "at most one of times, nth, every, probability"),
        ({"times": 0}, "times must be a whole number >= 1"),
        ({"every": True}, "every must be a whole number >= 1"),
        ({"probability": 1.5}, "probability must be between 0 and 1"),
        ({"seed": 3}, "seed goes with probability="),
    ],
)
def test_trigger_validation(claude_files_respx: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        claude_files_respx.inject("list", scenarios.error(500), **kwargs)


def test_unknown_operation(claude_files_respx: Any) -> None:
    with pytest.raises(ValueError, match=r"unknown operation.*'lst'.*upload, list, retrieve_metadata"):
        claude_files_respx.inject("lst", scenarios.error(500))
    with pytest.raises(ValueError, match="unknown operation 'get'"):
        claude_files_respx.calls_of("get")


def test_token_bucket_headers_on_the_fake_clock(claude_files_respx: Any, claude_files: Any) -> None:
    claude_files.clock.freeze()
    scenarios.rate_limit(claude_files_respx, capacity=3, per_minute=60)
    statuses = _fired(claude_files_respx, 4)
    assert statuses == [200, 200, 200, 429]
    last = claude_files_respx.calls_of("list")[-1].response
    assert last.headers["retry-after"] == "1"
    assert last.json()["error"]["type"] == "rate_limit_error"
    reset = datetime.fromisoformat(last.headers["anthropic-ratelimit-requests-reset"].replace("Z", "+00:00"))
    # whole seconds, as the fake's own rate limit sends it (one builder: ratelimit_headers)
    assert 2.0 < (reset - claude_files.clock.now()).total_seconds() <= 3.0
    claude_files.clock.advance(1)
    response = _get(claude_files_respx)
    assert response.status_code == 200
    assert response.headers["anthropic-ratelimit-requests-remaining"] == "0"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capacity": 0, "refill_per_second": 1}, "capacity must be >= 1"),
        ({"capacity": 1}, "exactly one of refill_per_second and per_minute"),
        ({"capacity": 1, "refill_per_second": 1, "per_minute": 1}, "exactly one"),
        ({"capacity": 1, "refill_per_second": 0}, "refill rate must be > 0"),
    ],
)
def test_token_bucket_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scenarios.token_bucket(**kwargs)


def test_max_page_size_leaves_ids_lists_and_bad_limits_to_the_fake(
    claude_files_respx: Any, claude_files: Any
) -> None:
    seeded = claude_files.add_files(4)
    claude_files_respx.inject("list", scenarios.max_page_size(1))
    assert len(_get(claude_files_respx).json()["data"]) == 1
    ids = "&".join(f"ids[]={f.id}" for f in seeded[:3])
    assert len(_get(claude_files_respx, f"/v1/files?{ids}").json()["data"]) == 3
    assert _get(claude_files_respx, "/v1/files?limit=0").status_code == 400
    assert _get(claude_files_respx, "/v1/files?limit=x").status_code == 400


def test_cut_body_and_latency_validation() -> None:
    with pytest.raises(ValueError, match="fraction"):
        scenarios.cut_body(after=1.5)
    with pytest.raises(ValueError, match="byte count"):
        scenarios.cut_body(after=-1)
    with pytest.raises(ValueError, match="seconds must be >= 0"):
        scenarios.latency(-1)


def test_cut_body_by_fraction(claude_files_respx: Any, claude_files: Any) -> None:
    meta = claude_files.add_file("f.bin", b"0123456789", downloadable=True)
    claude_files_respx.inject("download", scenarios.cut_body(after=0.3))
    response = claude_files_respx.handler(
        httpx.Request("GET", f"{API}/v1/files/{meta.id}/content",
                      headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})
    )
    assert response.headers["content-length"] == "10"
    chunks = []
    with pytest.raises(httpx.RemoteProtocolError, match="received 3 bytes, expected 10"):
        for chunk in response.iter_raw():
            chunks.append(chunk)
    assert chunks == [b"012"]


def test_as_effect_rejects_what_it_cannot_script() -> None:
    with pytest.raises(TypeError, match="cannot script"):
        scenarios.as_effect(object())
    with pytest.raises(ValueError, match='then must be "fake" or "repeat"'):
        pytest.importorskip("pytest_claude_files._respx.router").ClaudeFilesRouter.script(
            None,
            "list",
            500,
            then="never",  # type: ignore[arg-type]
        )


def test_effects_have_readable_names() -> None:
    assert scenarios.error(429).__name__ == "error(429 rate_limit_error)"
    assert scenarios.cut_body(after=5).__name__ == "cut_body(after=5)"
    assert inspect.isfunction(scenarios.connect_error())
