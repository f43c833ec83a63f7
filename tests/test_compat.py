"""The compatibility modules: every private member of respx, the SDK and httpx/httpx2 the
package uses, checked on the installed versions (tox runs the SDK generations; respx 0.22
and pytest 8 in their own environments)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import httpx
import pytest
import respx
from respx.mocks import Mocker

from pytest_claude_files._respx import compat as respx_compat
from pytest_claude_files._sdk import compat as sdk_compat


# -- respx --------------------------------------------------------------------------
@pytest.mark.parametrize("name", respx_compat.PRIVATE_MEMBERS)
def test_respx_route_still_has_the_private_members_we_override(name: str) -> None:
    route = respx.Route(method="GET")
    assert hasattr(route, name), f"respx {respx.__version__} has no Route.{name}"


def test_respx_next_side_effect_raises_stop_iteration_when_a_list_is_used_up() -> None:
    route = respx.Route(method="GET")
    route.side_effect = [httpx.Response(201)]
    first = route._next_side_effect()
    assert isinstance(first, httpx.Response) and first.status_code == 201
    with pytest.raises(StopIteration):
        route._next_side_effect()


def test_adopt_route_keeps_the_route_and_its_state() -> None:
    route = respx.Route(method="GET", path="/x")
    route.return_value = httpx.Response(204)
    adopted = respx_compat.adopt_route(route)
    assert adopted is route and isinstance(route, respx_compat.ClaudeFilesRoute)
    assert route.return_value is not None and route.return_value.status_code == 204
    assert respx_compat.adopt_route(route) is route


def test_the_httpx2_mocker_is_registered_by_subclassing() -> None:
    httpx2_mod = pytest.importorskip("httpx2")
    from pytest_claude_files._respx.httpx2 import HTTPX2Mocker

    assert Mocker.registry["httpx2"] is HTTPX2Mocker
    assert issubclass(HTTPX2Mocker, Mocker)
    assert all(t.startswith("httpx2.") and "._" not in t for t in HTTPX2Mocker.targets)
    for target in HTTPX2Mocker.targets:
        cls = getattr(httpx2_mod, target.split(".")[1])
        assert any(hasattr(cls, m) for m in HTTPX2Mocker.target_methods), target


def test_a_reimported_module_reuses_the_registered_mocker_and_serves_requests() -> None:
    httpx2_mod = pytest.importorskip("httpx2")
    name = "pytest_claude_files._respx.httpx2"
    first = importlib.import_module(name).HTTPX2Mocker
    saved = sys.modules.pop(name)
    try:
        again = importlib.import_module(name)
        assert again is not saved and again.HTTPX2Mocker is first  # no second registration
        with respx.mock(using="httpx2", base_url="https://example.test") as router:
            router.get("/ping").respond(200, json={"ok": True})
            with httpx2_mod.Client() as client:
                response = client.get("https://example.test/ping")
        assert isinstance(response, httpx2_mod.Response)  # converted by the module loaded now
        assert response.json() == {"ok": True}
    finally:
        sys.modules[name] = saved


# -- anthropic / httpx / httpx2 ------------------------------------------------------
def test_the_sdk_still_computes_retry_waits_where_we_wrap_them() -> None:
    module, owner, method = sdk_compat.RETRY_TIMEOUT
    assert callable(getattr(getattr(importlib.import_module(module), owner), method))


def test_patch_retry_timeout_passes_the_sdk_delay_through_decide() -> None:
    import anthropic

    seen: list[float] = []
    with pytest.MonkeyPatch.context() as patch:
        sdk_compat.patch_retry_timeout(patch, lambda delay: seen.append(delay) or 0.0)
        client = anthropic.Anthropic(api_key="k", base_url="http://127.0.0.1:9")
        options = importlib.import_module("anthropic._models").FinalRequestOptions.construct(
            method="get", url="/v1/files")
        wait = client._calculate_retry_timeout(1, options, None)  # the method we wrap
    assert wait == 0.0 and len(seen) == 1 and seen[0] >= 0
    assert anthropic.Anthropic._calculate_retry_timeout.__name__ == "_calculate_retry_timeout"


def test_sdk_http_library_is_httpx_or_httpx2() -> None:
    assert sdk_compat.sdk_http_library().__name__ in ("httpx", "httpx2")


@pytest.mark.parametrize("lib_name", ["httpx", "httpx2"])
def test_response_helpers_on_each_http_library(lib_name: str) -> None:
    lib: Any = pytest.importorskip(lib_name)
    request = lib.Request("GET", "https://example.test/")
    response = sdk_compat.in_memory_response(lib, 200, [("content-type", "text/plain")], b"hi", None)
    assert sdk_compat.is_read(response) and response.content == b"hi" and response.text == "hi"
    streamed = lib.Response(200, stream=lib.ByteStream(b"x"))
    assert not sdk_compat.is_read(streamed)
    sdk_compat.attach_request(response, request)
    assert response.request is request
    sdk_compat.attach_request(response, lib.Request("GET", "https://other.test/"))
    assert response.request is request  # kept
