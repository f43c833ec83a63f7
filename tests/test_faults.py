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


def test_cut_body_is_the_control_api_name_and_truncate_at_its_old_one() -> None:
    assert parse_fault({"operation": "download", "cut_body": 10}).cut_body == 10
    old = parse_fault({"operation": "download", "truncate_at": 10})
    assert old.cut_body == 10 and old.to_json()["cut_body"] == 10 and "truncate_at" not in old.to_json()
    with pytest.raises(InvalidRequestError, match="give cut_body only"):
        parse_fault({"operation": "download", "truncate_at": 1, "cut_body": 2})
    with pytest.raises(InvalidRequestError, match=r"fault\.cut_body: must be >= 0"):
        parse_fault({"operation": "download", "truncate_at": -1})


@pytest.mark.parametrize(("old", "new", "args"), [
    ("api_error", "error", (429,)),
    ("read_timeout", "timeout", ()),
])
def test_old_scenario_names_warn_and_still_work(old: str, new: str, args: tuple[Any, ...]) -> None:
    with pytest.warns(DeprecationWarning, match=f"scenarios.{old}\\(\\) is deprecated; use scenarios.{new}"):
        effect = getattr(scenarios, old)(*args)
    assert effect.__name__ == getattr(scenarios, new)(*args).__name__


class _Recording(ControlClient):
    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", "k")
        self.sent: list[Any] = []

    def _call(self, method: str, name: str, body: Any = None) -> Any:
        self.sent.append((method, name, body))
        return {}


@pytest.mark.parametrize(("old", "new", "args", "kwargs", "new_kwargs"), [
    ("fail", "error", ("list", 500), {"times": 2}, {"times": 2}),
    ("delay", "latency", ("list", 0.5), {}, {}),
    ("truncate", "cut_body", ("download",), {"at": 7}, {"after": 7}),
])
def test_old_control_client_names_warn_and_send_the_same_fault(
    old: str, new: str, args: tuple[Any, ...], kwargs: dict[str, Any], new_kwargs: dict[str, Any]
) -> None:
    client = _Recording()
    with pytest.warns(DeprecationWarning, match=f"ControlClient.{old}\\(\\) is deprecated"):
        getattr(client, old)(*args, **kwargs)
    getattr(client, new)(*args, **new_kwargs)
    assert client.sent[0] == client.sent[1] and client.sent[0][:2] == ("POST", "faults")
    parse_fault(client.sent[0][2])  # a valid fault
