"""The control API acts on the caller's own tenant; cross-tenant operations need the admin
token given at start; what a web page could make a browser send is refused; every control
value is validated (a 400 envelope, the tenant unchanged), and a body cut off never runs."""

from __future__ import annotations

import json
import socket
from typing import Any, Iterator, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_claude_files._http.handler import HTTPRequest
from pytest_claude_files.server import ServerHandle, start_server
from pytest_claude_files.server._control import ControlAPI
from pytest_claude_files.server._faults import Fault
from pytest_claude_files.server._tenants import Tenants
from tests.test_server import raw

A, B = "sk-tenant-a", "sk-tenant-b"
JSON = {"content-type": "application/json"}
MODES = {
    "default": {},
    "api-key": {"api_keys": [A, B]},
    "shared": {"shared": True},
    "shared-api-key": {"shared": True, "api_keys": [A, B]},
    "token-not-sent": {"api_keys": [A, B], "control_token": "s3cret"},
}


def snapshot(server: ServerHandle) -> list[Any]:
    """Everything a control request could change, in every tenant."""
    return [(t.label, [m.id for m in t.files.files], [f.to_json() for f in t.faults.pending()],
             t.files.clock.state())  # (its shift or freeze: not the time, which moves on)
            for t in sorted(server.tenants, key=lambda t: t.label)]


ATTACKS: list[tuple[str, str, Optional[bytes], dict[str, str]]] = [
    ("POST", "/_claude_files/reset?all=1", b"", JSON),
    ("POST", "/_claude_files/reset?all=true", None, JSON),
    ("POST", "/_claude_files/reset", b'{"all": true}', JSON),
    ("POST", "/_claude_files/reset", b'{"all": true}', {**JSON, "x-control-token": ""}),
    ("POST", "/_claude_files/reset", b'{"all": true}', {**JSON, "x-control-token": "guess"}),
    ("POST", "/_claude_files/reset", b"{}", {"content-type": "application/x-www-form-urlencoded"}),
    ("POST", "/_claude_files/reset", b"{}", {"content-type": "text/plain"}),
    ("POST", "/_claude_files/reset", b"{}", {**JSON, "origin": "https://evil.example"}),
    ("POST", "/_claude_files/reset", b"{}", {**JSON, "sec-fetch-site": "cross-site"}),
    ("POST", "/_claude_files/faults", b'{"status": 500}', {"content-type": "text/plain"}),
    ("DELETE", "/_claude_files/faults", None, {"origin": "null"}),
    ("POST", "/_claude_files/clock", b'{"advance": 3600}',
     {"content-type": "multipart/form-data; boundary=x"}),
]


@pytest.fixture(params=list(MODES), scope="module")
def mode_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, ServerHandle]]:
    with start_server(**MODES[request.param]) as server:
        yield request.param, server


@pytest.mark.parametrize("key", [None, A, "sk-not-configured", "Bearer"],
                         ids=["no-key", "key-a", "other", "bearer"])
def test_nothing_without_the_admin_token_changes_another_tenant(
    mode_server: tuple[str, ServerHandle], key: Optional[str]
) -> None:
    mode, server = mode_server
    server.control(B).reset() if mode == "shared" else server.tenants.get(B).reset()
    server.tenants.get(B).files.add_file("b.txt", b"b")
    server.tenants.get(B).faults.add(Fault(status=500))
    before = snapshot(server)
    for method, path, body, headers in ATTACKS:
        sent = dict(headers)
        use_key: Optional[str] = key
        if key == "Bearer":
            sent["authorization"] = f"Bearer {A}"
            use_key = None
        status, _, answer = raw(server, method, path, key=use_key, body=body, headers=sent)
        assert 400 <= status < 500, (method, path, headers, status)
        envelope = json.loads(answer)
        assert envelope["type"] == "error" and envelope["request_id"].startswith("req_")
    assert snapshot(server) == before


def test_the_admin_token_resets_every_tenant() -> None:
    with start_server(control_token="s3cret") as server:
        for key in (A, B):
            server.files(key).add_file("x.txt", b"x")
        status, _, answer = raw(server, "POST", "/_claude_files/reset?all=1", key=None, body=b"{}",
                                headers={**JSON, "x-control-token": "s3cret"})
        assert status == 200 and json.loads(answer) == {"reset": "all", "tenants": 2}
        assert len(server.files(A)) == 0 and len(server.files(B)) == 0


def test_without_a_configured_token_the_refusal_names_the_fix() -> None:
    with start_server() as server:
        status, _, answer = raw(server, "POST", "/_claude_files/reset", key=A, body=b'{"all": true}',
                                headers=JSON)
        assert status == 403
        message = json.loads(answer)["error"]["message"]
        assert "--control-token" in message and "CLAUDE_FILES_CONTROL_TOKEN" in message


def test_shared_with_api_keys_needs_the_key() -> None:
    with start_server(shared=True, api_keys=[A]) as server:
        assert raw(server, "GET", "/_claude_files/state", key=None)[0] == 401
        assert raw(server, "GET", "/_claude_files/state", key=A)[0] == 200
    with start_server(shared=True) as open_server:  # no keys configured: the key may be left out
        assert raw(open_server, "GET", "/_claude_files/state", key=None)[0] == 200


def test_a_cross_site_form_post_is_refused() -> None:
    with start_server() as server:
        server.files(A).add_file("a.txt", b"a")
        status, _, answer = raw(
            server, "POST", "/_claude_files/reset", key=A, body=b"all=1",
            headers={"content-type": "application/x-www-form-urlencoded", "origin": "https://evil.example",
                     "sec-fetch-site": "cross-site"})
        assert status == 403 and json.loads(answer)["error"]["type"] == "permission_error"
        status, _, _ = raw(server, "POST", "/_claude_files/reset", key=A, body=b"{}",
                           headers={"content-type": "text/plain"})  # a "simple request", same origin
        assert status == 400
        assert len(server.files(A)) == 1
        # a page on a loopback origin (a local dev tool) may use it, with JSON
        status, _, _ = raw(server, "POST", "/_claude_files/reset", key=A, body=b"{}",
                           headers={**JSON, "origin": "http://localhost:5173", "sec-fetch-site": "same-site"})
        assert status == 200 and len(server.files(A)) == 0


# -- validation of every control value -------------------------------------------------------------
BAD_BODIES = [
    ("clock", {"advance": 3e11}),
    ("clock", {"advance": -3e11}),
    ("clock", {"advance": 1e308}),
    ("clock", {"set": "1969-12-31T23:59:59Z"}),
    ("clock", {"set": "1900-01-01"}),
    ("clock", {"set": "9999-12-31T23:59:59Z"}),
    ("clock", {"set": 12}),
    ("clock", {"advance": "60"}),
    ("clock", {"advance": True}),
    ("clock", {"advance": 1, "freeze": True}),
    ("clock", [1]),
    ("files", {"filename": "a.txt", "mime_type": "text/plain\r\nX-Evil: 1"}),
    ("files", {"filename": "a.txt", "scope_id": ""}),
    ("files", {"filename": "a.txt", "scope_id": "a\nb"}),
    ("files", {"filename": "a.txt", "created_at": "1960-01-01T00:00:00Z"}),
    ("files", {"filename": "a.txt", "created_at": 5}),
    ("files", {"filename": "a.txt", "expires_at": "soon"}),
    ("files", {"filename": "a.txt", "downloadable": "yes"}),
    ("files", {"filename": 7}),
    ("files", {"files": [{"filename": "ok.txt"}, {"filename": "bad/<>.txt"}]}),
    ("files", {"files": "a.txt"}),
    ("faults", {"status": 500, "headers": {"x-a": "1\r\nSet-Cookie: x=1"}}),
    ("faults", {"status": 500, "headers": {"bad name": "1"}}),
    ("faults", {"status": 500, "headers": {"x-a": 1}}),
    ("faults", {"status": 500, "retry_after": 1e300}),
    ("faults", {"status": 500, "retry_after": -1}),
    ("faults", {"status": 99}),
    ("faults", {"status": "500"}),
    ("faults", {"latency": 1e9}),
    ("faults", []),
    ("reset", {"all": "yes"}),
    ("reset", {"everyone": True}),
    ("reset", [True]),
]


@pytest.fixture(scope="module")
def plain() -> Iterator[ServerHandle]:
    with start_server() as server:
        yield server


@pytest.mark.parametrize(("endpoint", "body"), BAD_BODIES,
                         ids=[f"{e}-{i}" for i, (e, _) in enumerate(BAD_BODIES)])
def test_bad_control_values_are_400_envelopes_and_change_nothing(
    plain: ServerHandle, endpoint: str, body: Any
) -> None:
    plain.control(A).reset()
    plain.files(A).add_file("kept.txt", b"kept")
    before = snapshot(plain)
    status, headers, answer = raw(plain, "POST", f"/_claude_files/{endpoint}", key=A,
                                  body=json.dumps(body).encode(), headers=JSON)
    assert status == 400, answer
    assert headers["content-type"] == "application/json"
    envelope = json.loads(answer)
    assert envelope["error"]["type"] == "invalid_request_error"
    assert headers["request-id"] == envelope["request_id"]
    assert snapshot(plain) == before
    # the tenant still works
    assert raw(plain, "GET", "/v1/files", key=A)[0] == 200


@pytest.mark.parametrize("text", [b'{"advance": NaN}', b'{"advance": Infinity}', b"[" * 100_000, b"\xff"])
def test_bodies_that_are_not_json_are_400(plain: ServerHandle, text: bytes) -> None:
    status, _, answer = raw(plain, "POST", "/_claude_files/clock", key=A, body=text, headers=JSON)
    assert status == 400 and json.loads(answer)["error"]["type"] == "invalid_request_error"


def test_a_body_cut_off_does_not_run(plain: ServerHandle) -> None:
    plain.control(A).reset()
    plain.files(A).add_file("kept.txt", b"kept")
    with socket.create_connection((plain.host, plain.port), timeout=10) as sock:
        sock.sendall(b"POST /_claude_files/reset HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: application/json\r\n"
                     b"x-api-key: " + A.encode() + b"\r\nContent-Length: 50\r\n\r\n{}")
        sock.shutdown(socket.SHUT_WR)  # the rest never comes
        while sock.recv(65536):
            pass
    # the server has seen the disconnect once a next request is served on another connection
    assert raw(plain, "GET", "/_claude_files/health", key=None)[0] == 200
    assert [m.filename for m in plain.files(A).files] == ["kept.txt"]


# -- a bounded fuzz of control bodies, in process ----------------------------------------------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_fields = st.sampled_from([
    "advance", "set", "all", "filename", "content", "content_base64", "mime_type", "scope_id", "downloadable",
    "created_at", "expires_at", "files", "operation", "times", "after", "status", "error_type", "error_code",
    "message", "retry_after", "retry_after_ms", "should_retry", "headers", "latency", "drop", "truncate_at",
])
_bodies = st.one_of(_json, st.dictionaries(_fields, _json, max_size=5))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(["clock", "files", "faults", "reset"]), body=_bodies)
def test_fuzzed_control_bodies_never_answer_500_and_a_refusal_changes_nothing(
    endpoint: str, body: Any
) -> None:
    tenants = Tenants()
    control = ControlAPI(tenants)
    tenant = tenants.get(A)
    tenant.files.add_file("kept.txt", b"kept")
    tenant.files.clock.freeze()
    before = ([m.id for m in tenant.files.files], [f.to_json() for f in tenant.faults.pending()],
              tenant.files.clock.now())
    request = HTTPRequest.build("POST", f"/_claude_files/{endpoint}", "", {**JSON, "x-api-key": A},
                                json.dumps(body).encode())
    answer = control(request)
    assert answer.status < 500, answer.body
    if answer.status >= 400:
        assert answer.json()["type"] == "error"
        assert ([m.id for m in tenant.files.files], [f.to_json() for f in tenant.faults.pending()],
                tenant.files.clock.now()) == before
    else:
        assert tenant.files.list_ga().data == list(tenant.files.files)  # the tenant still answers
