"""One fault vocabulary (docs/faults.md): the respx scenarios and the control API name the
same faults alike, build errors in one place, and keep the old names for one release."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files import errors, scenarios
from pytest_claude_files.errors import InvalidRequestError
from pytest_claude_files.server._faults import parse_fault
from pytest_claude_files.server.control_client import ControlClient


@pytest.mark.parametrize("spec", [
    {"status": 429, "retry_after": 2, "message": "slow down"},
    {"status": 529, "retry_after_ms": 1500.5, "should_retry": True},
    {"error_type": "overloaded_error"},
    {"status": 404, "error_code": "file_expired", "headers": {"x-extra": "1"}},
])
def test_both_fronts_build_the_same_error(spec: dict[str, Any]) -> None:
    fault = parse_fault({"operation": "list", **spec}).error()
    kwargs = {k: v for k, v in spec.items() if k not in ("status", "error_type")}
    effect = scenarios.error(spec.get("status") or spec["error_type"], **kwargs)
    answer = effect(None)  # type: ignore[arg-type]
    assert (answer.status, answer.json()["error"]) == (
        fault.status, {"type": fault.error_type, "message": fault.message,
                       **({"details": {"error_code": fault.error_code}} if fault.error_code else {})})
    assert {k: v for k, v in answer.headers if k not in ("request-id", "content-type")} == fault.headers


def test_explicit_retry_headers_win_over_headers() -> None:
    made = errors.injected_error(429, retry_after=3, headers={"retry-after": "9", "x-a": "b"})
    assert made.headers == {"retry-after": "3", "x-a": "b"}
    assert made.message == errors.DEFAULT_MESSAGES["rate_limit_error"]
    with pytest.raises(ValueError):
        errors.injected_error()


def test_a_type_other_than_the_status_own_keeps_the_status() -> None:
    made = errors.injected_error(500, "overloaded_error")
    assert (made.status, made.error_type) == (500, "overloaded_error")
    with pytest.raises(ValueError):
        errors.injected_error(500, "nope_error")


def test_cut_body_is_the_control_api_name_and_truncate_at_is_refused_naming_it() -> None:
    assert parse_fault({"operation": "download", "cut_body": 10}).cut_body == 10
    with pytest.raises(InvalidRequestError, match=r"fault\.truncate_at: now named cut_body"):
        parse_fault({"operation": "download", "truncate_at": 10})


@pytest.mark.parametrize(("old", "new"), [("api_error", "error"), ("read_timeout", "timeout")])
def test_first_scenario_names_say_the_new_one(old: str, new: str) -> None:
    with pytest.raises(AttributeError, match=f"scenarios.{old}\\(\\) is now scenarios.{new}\\(\\)"):
        getattr(scenarios, old)
    assert callable(getattr(scenarios, new))
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        scenarios.nothing  # noqa: B018


class _Recording(ControlClient):
    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", "k")
        self.sent: list[Any] = []

    def _call(self, method: str, name: str, body: Any = None) -> Any:
        self.sent.append((method, name, body))
        return {}


@pytest.mark.parametrize(("old", "new"), [("fail", "error"), ("delay", "latency"), ("truncate", "cut_body")])
def test_first_control_client_names_say_the_new_one(old: str, new: str) -> None:
    client = _Recording()
    with pytest.raises(AttributeError, match=f"ControlClient.{old}\\(\\) is now ControlClient.{new}\\(\\)"):
        getattr(client, old)
    assert client.sent == [] and callable(getattr(client, new))
