"""Issue 24, the bounds: idle empty tenants are freed, and what each resource holds decides it.

A tenant per API key ever seen used to stay in memory for good (20,000 keys: +107 MiB).
Now the least recently used tenants that hold nothing are dropped once there are more
than ``Tenants.max_idle``; "holds nothing" is asked of every resource of the service root.
"""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from typing import Any, Callable

import pytest

from pytest_claude_files import FakeService
from pytest_claude_files._core.resource import Resource
from pytest_claude_files.server._app import make_app
from pytest_claude_files.server._faults import Fault
from pytest_claude_files.server._tenants import MAX_IDLE_TENANTS, Tenants

from ._asgi_support import asgi_call as _asgi_call


async def asgi_call(app: Any, method: str, path: str, key: str, body: bytes = b"") -> tuple[int, bytes]:
    return await _asgi_call(app, method, path, key, body, host=b"127.0.0.1")


# -- every resource answers "is it empty?" ------------------------------------------------------
FILLS: dict[str, Callable[[FakeService], object]] = {
    "batches": lambda s: s.batches.hold(),
    "skills": lambda s: setattr(s.skills, "max_total_bytes", 1),
    "agents": lambda s: s.agents.create({"name": "a", "model": "claude-sonnet-4-5"}),
    "environments": lambda s: s.environments.create({"name": "e"}),
    "sessions": lambda s: s.sessions.reply("hi"),
}


def test_every_resource_of_the_service_root_answers_is_empty() -> None:
    service = FakeService()
    assert set(service.resources) == set(FILLS), "a new resource: add how to fill it to FILLS"
    for name, resource in service.resources.items():
        assert type(resource).is_empty is not Resource.is_empty, f"{name} must answer is_empty()"
        assert resource.is_empty() is True, name
    assert service.is_empty()
    for name, fill in FILLS.items():
        fresh = FakeService()
        fill(fresh)
        assert not fresh.resources[name].is_empty(), name
        assert not fresh.is_empty(), name
        kept_on_disk = name in ("agents", "environments")  # objects; the others hold a script or a setting
        assert fresh.resources[name].is_empty(kept=True) is kept_on_disk, name
        fresh.reset()
        if name != "skills":  # a setting survives reset, as settings do
            assert fresh.is_empty(), name


@pytest.mark.parametrize("fill", [
    lambda s: s.add_file("a.txt", b"a"),
    lambda s: s.messages.reply("scripted"),
    lambda s: s.messages.respond_with(lambda request: None),
    lambda s: s.clock.advance(60),
    lambda s: s.clock.freeze(),
], ids=["file", "reply", "responder", "clock-advanced", "clock-frozen"])
def test_the_service_root_is_not_empty_with_files_replies_or_a_moved_clock(fill: Any) -> None:
    service = FakeService()
    fill(service)
    assert not service.is_empty()


def test_a_resource_that_does_not_answer_is_empty_says_so() -> None:
    with pytest.raises(NotImplementedError, match=r"Resource\.is_empty"):
        Resource(FakeService()).is_empty()


# -- the emulator's tenants --------------------------------------------------------------------
def test_idle_empty_tenants_are_dropped_and_tenants_holding_something_are_kept() -> None:
    app = make_app()
    tenants: Tenants = app.tenants
    tenants.max_idle = 8

    async def main() -> None:
        assert (await asgi_call(app, "POST", "/_claude_files/files", "sk-files",
                                json.dumps({"filename": "a.txt", "content": "a"}).encode()))[0] in (200, 201)
        assert (await asgi_call(app, "POST", "/_claude_files/faults", "sk-fault",
                                json.dumps({"status": 500, "operation": "list"}).encode()))[0] in (200, 201)
        assert (await asgi_call(app, "POST", "/_claude_files/clock", "sk-clock",
                                json.dumps({"advance": 3600}).encode()))[0] == 200
        assert (await asgi_call(app, "POST", "/_claude_files/messages/replies", "sk-reply",
                                json.dumps({"replies": [{"text": "hi"}]}).encode()))[0] in (200, 201)
        for number in range(60):
            status, _ = await asgi_call(app, "GET", "/v1/files", f"sk-idle-{number}")
            assert status == 200
        status, body = await asgi_call(app, "GET", "/_claude_files/state", "sk-files")
        assert status == 200 and json.loads(body)["file_count"] == 1
        status, _ = await asgi_call(app, "GET", "/v1/files", "sk-fault")
        assert status == 500  # the fault survived sixty new keys

    asyncio.run(main())
    assert len(tenants) <= tenants.max_idle + 1
    assert tenants.evicted >= 50
    kept = {t.label for t in tenants}
    from pytest_claude_files.server._tenants import tenant_label

    for key in ("sk-files", "sk-fault", "sk-clock", "sk-reply"):
        assert tenant_label(key) in kept, key
    assert len(tenants._by_key) <= len(tenants)  # the key cache lets go of dropped tenants' keys


def test_a_tenant_being_served_or_given_to_python_is_never_dropped() -> None:
    tenants = Tenants()
    tenants.max_idle = 2
    serving = tenants.for_request({"x-api-key": "sk-serving"})  # entered, not yet left
    pinned = tenants.get("sk-pinned")
    for number in range(20):
        tenants.for_request({"x-api-key": f"sk-other-{number}"}).leave()
    labels = {t.label for t in tenants}
    assert serving.label in labels and pinned.label in labels and not serving.evicted
    serving.leave()
    for number in range(20, 40):
        tenants.for_request({"x-api-key": f"sk-other-{number}"}).leave()
    assert serving.evicted and serving.label not in {t.label for t in tenants}
    again = tenants.for_request({"x-api-key": "sk-serving"})  # made afresh
    assert again is not serving and not again.evicted
    again.leave()


def test_a_dropped_tenant_is_looked_up_again_not_used() -> None:
    tenants = Tenants()
    first = tenants.for_request({"x-api-key": "sk-a"})
    first.leave()
    assert first.try_evict()  # as a sweep in another thread would, between lookup and enter
    assert not first.enter()
    tenants._tenants.pop(first.label)
    tenants._by_key.pop("sk-a")
    second = tenants.for_request({"x-api-key": "sk-a"})
    assert second is not first and second.active == 1


def test_a_request_that_stores_and_leaves_inside_the_sweeps_window_keeps_its_tenant(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep looks at the state, then marks the tenant dropped, then looks whether a
    request came in. A whole request (enter, upload, leave) can run in another thread
    between the first look and the mark (the GIL switches threads every few ms): its file
    must keep the tenant, not go with it. Played here in one thread, step by step."""
    tenants = Tenants()
    tenant = tenants.for_request({"x-api-key": "sk-window"})
    tenant.leave()
    real = tenant.holds_nothing
    looks: list[bool] = []

    def first_look_then_a_whole_request() -> bool:
        answer = real()
        if not looks:  # between the first look and the mark: a request runs to its end
            assert tenant.enter()
            tenant.files.add_file("kept.txt", b"mine")
            tenant.leave()
        looks.append(answer)
        return answer

    monkeypatch.setattr(tenant, "holds_nothing", first_look_then_a_whole_request)
    assert not tenant.try_evict()
    assert not tenant.evicted and [m.filename for m in tenant.files.files] == ["kept.txt"]


def test_threads_entering_while_tenants_are_dropped_never_use_a_dropped_one() -> None:
    """Entering takes no lock: a request marks the tenant, then looks whether it was dropped;
    a sweep marks it dropped, then looks whether a request came in. Four threads on a few
    hot keys and many new ones, with a bound of 4, never hold a tenant that got dropped."""
    import threading

    tenants = Tenants()
    tenants.max_idle = 4
    wrong: list[str] = []

    def work(worker: int) -> None:
        for number in range(1500):
            key = f"sk-hot-{number % 3}" if number % 2 else f"sk-new-{worker}-{number}"
            tenant = tenants.for_request({"x-api-key": key})
            if tenant.evicted:
                wrong.append(f"entered a dropped tenant ({key})")
            _ = [tenant.files.clock for _ in range(20)]  # (some work while entered)
            if tenant.evicted:
                wrong.append(f"dropped while serving ({key})")
            tenant.leave()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert wrong == [] and tenants.evicted > 1000
    assert all(t.active == 0 for t in tenants) and len(tenants) <= tenants.max_idle + 4


def test_a_seeded_tenant_or_one_with_a_hook_is_kept() -> None:
    tenants = Tenants(seeds=[{"filename": "seed.txt", "content": "s"}])
    tenant = tenants.for_request({"x-api-key": "sk-seeded"})
    tenant.leave()
    tenant.files.files.reset()  # even with its seeded files deleted: they would come back
    assert not tenant.try_evict()
    bare = Tenants().for_request({"x-api-key": "sk-hooked"})
    bare.leave()
    bare.handler.hooks.append(lambda request, operation: None)
    assert not bare.try_evict()
    bare.handler.hooks.clear()
    bare.faults.add(Fault(status=500))
    assert not bare.try_evict()


def test_twenty_thousand_keys_that_only_read_stay_under_a_byte_bound() -> None:
    """The issue's figure: 20,000 keys each doing a GET cost +107 MiB and 20,000 tenants.
    Now at most ``MAX_IDLE_TENANTS`` tenants stay (a tenant is about 11 kB traced), so
    the traced heap grows by less than 16 MiB over 3,000 new keys once the bound is
    reached (measured: about 9 MiB; 33 MiB without dropping), and 20,000 keys leave at
    most 1,024 tenants. (tracemalloc slows requests sixfold: only 3,000 are traced.)"""
    app = make_app()
    assert app.tenants.max_idle == MAX_IDLE_TENANTS == 1024

    async def run(first: int, count: int) -> None:
        for number in range(first, first + count):
            status, _ = await asgi_call(app, "GET", "/v1/files", f"sk-ant-reader-{number:06d}")
            assert status == 200

    asyncio.run(run(0, 1200))  # warm: the bound is reached, caches are filled
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        asyncio.run(run(1200, 3000))
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = after - before
    assert grown < 16 * 1024 * 1024, f"the heap grew by {grown / 2**20:.1f} MiB"
    asyncio.run(run(4200, 15_800))
    assert len(app.tenants) <= MAX_IDLE_TENANTS
    assert app.tenants.evicted >= 20_000 - MAX_IDLE_TENANTS
    assert len(app.tenants._by_key) <= MAX_IDLE_TENANTS


def test_with_a_data_dir_idle_tenants_holding_data_are_dropped_and_come_back_from_disk(tmp_path: Any) -> None:
    """Under ``--data-dir`` a tenant's files, objects and clock are on disk: an idle tenant
    whose only state is there may be dropped too, and the next request loads it as it was.
    A tenant with a fault (not kept on disk) stays."""
    from pytest_claude_files.server._tenants import tenant_label

    app = make_app(data_dir=tmp_path)
    tenants: Tenants = app.tenants
    tenants.max_idle = 8
    keys = [f"sk-data-{n}" for n in range(6)]
    before: dict[str, Any] = {}

    async def state(key: str) -> dict[str, Any]:
        status, body = await asgi_call(app, "GET", "/_claude_files/state", key)
        assert status == 200
        return dict(json.loads(body))

    async def main() -> None:
        for key in keys:
            seeded = json.dumps({"filename": f"{key}.txt", "content": key, "downloadable": True}).encode()
            assert (await asgi_call(app, "POST", "/_claude_files/files", key, seeded))[0] in (200, 201)
            moved = await asgi_call(app, "POST", "/_claude_files/clock", key, b'{"advance": 86400}')
            assert moved[0] == 200
            tenants.get(key).files.agents.create({"name": key, "model": "claude-sonnet-4-5"})
            tenants._tenants[tenant_label(key)].pinned = False  # (get() pins: let it go again)
            before[key] = await state(key)
        assert (await asgi_call(app, "POST", "/_claude_files/faults", "sk-data-fault",
                                json.dumps({"status": 500, "operation": "list"}).encode()))[0] in (200, 201)
        made = {key: id(tenants._tenants[tenant_label(key)]) for key in keys}
        for number in range(40):
            assert (await asgi_call(app, "GET", "/v1/files", f"sk-reader-{number}"))[0] == 200
        gone = [key for key in keys if tenant_label(key) not in tenants._tenants]
        assert gone, "no tenant holding data was dropped"
        for key in keys:  # each comes back as it was (a dropped one, from disk)
            now = await state(key)
            assert now["files"] == before[key]["files"] and now["tenant"] == before[key]["tenant"]
            assert now["now"][:13] == before[key]["now"][:13]  # the clock still one day ahead
            status, content = await asgi_call(app, "GET", f"/v1/files/{now['files'][0]['id']}/content", key)
            assert status == 200 and content == key.encode()
            agents = tenants._tenants[tenant_label(key)].files.agents.all()
            assert [a["name"] for a in agents] == [key]
        assert any(id(tenants._tenants[tenant_label(key)]) != made[key] for key in gone)
        assert (await asgi_call(app, "GET", "/v1/files", "sk-data-fault"))[0] == 500

    asyncio.run(main())
    assert len(tenants) <= tenants.max_idle + len(keys)


# -- one byte budget for every control body being received -------------------------------------
def _chunked_head(port: int, key: str, path: str = "/_claude_files/files") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nx-api-key: {key}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _read_answer(sock: Any, deadline: float) -> tuple[int, dict[str, str], bytes]:
    import time

    data = b""
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    pairs = (line.split(":", 1) for line in lines[1:] if ":" in line)
    headers = {k.strip().lower(): v.strip() for k, v in pairs}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length and time.monotonic() < deadline:
        piece = sock.recv(65536)
        if not piece:
            break
        rest += piece
    return int(lines[0].split()[1]), headers, rest


def test_concurrent_chunked_control_bodies_share_one_byte_budget() -> None:
    """Three chunked seeds of 1.5 MiB each against a 4 MiB budget: two are received, the third
    is refused with a 503 envelope (request-id, retry-after) once it would pass the budget,
    and stores nothing; the budget never holds more than its total, and is all given back."""
    import socket
    import time

    from pytest_claude_files.server import start_server
    from pytest_claude_files.server._budget import CONTROL_BODY_BUDGET

    assert CONTROL_BODY_BUDGET == 128 * 1024 * 1024  # the documented figure
    size = 1536 * 1024
    key = "sk-ant-budget"
    with start_server() as server:
        budget = server.app.control.budget  # type: ignore[union-attr]
        assert budget.total == CONTROL_BODY_BUDGET
        budget.total = 4 * 1024 * 1024
        deadline = time.monotonic() + 30
        held = []
        for number in range(2):
            sock = socket.create_connection((server.host, server.port), timeout=10)
            sock.sendall(_chunked_head(server.port, key)
                         + _chunk(f'{{"filename": "held-{number}.txt", "content": "'.encode())
                         + _chunk(b"x" * size))
            held.append(sock)
        while budget.used < 2 * size and time.monotonic() < deadline:
            time.sleep(0.01)
        assert budget.used >= 2 * size
        third = socket.create_connection((server.host, server.port), timeout=10)
        third.sendall(_chunked_head(server.port, key) + _chunk(b'{"filename": "third.txt", "content": "'))
        answer: tuple[int, dict[str, str], bytes] | None = None
        for _ in range(size // (128 * 1024)):  # a piece at a time: the refusal comes mid-body
            third.sendall(_chunk(b"y" * (128 * 1024)))
            third.settimeout(0.2)
            try:
                if third.recv(1, socket.MSG_PEEK):
                    third.settimeout(10)
                    answer = _read_answer(third, deadline)
                    break
            except (TimeoutError, BlockingIOError):
                continue
        third.close()
        assert answer is not None, "the third body was received whole: no budget"
        status, headers, body = answer
        envelope = json.loads(body)
        assert status == 503 and envelope["type"] == "error" and envelope["error"]["type"] == "api_error"
        message = envelope["error"]["message"]
        assert "4194304 bytes" in message and "nothing was done" in message
        assert headers["request-id"].startswith("req_") and headers["retry-after"] == "1"
        assert budget.peak <= budget.total
        for sock in held:  # the two held bodies end and are stored
            sock.sendall(_chunk(b'"}') + b"0\r\n\r\n")
            sock.settimeout(10)
            assert _read_answer(sock, deadline)[0] in (200, 201)
            sock.close()
        names = sorted(f.filename for f in server.files(key))
        assert names == ["held-0.txt", "held-1.txt"]  # nothing of the refused one
        while budget.used and time.monotonic() < deadline:
            time.sleep(0.01)
        assert budget.used == 0


# -- a neighbour's p99 at the scale ---------------------------------------------------------
@pytest.mark.slow
def test_a_neighbours_p99_stays_under_100ms_while_another_tenant_seeds_5000_files_and_resets(
    tmp_path: Any,
) -> None:
    """The issue's figures: with ``--data-dir``, seeding 5,000 files blocked neighbours
    5-105 s, a reset of 2,000 files 0.6-13 s. One tenant seeds 5,000 files in one control
    request, then resets them all (5,000 >= 2,000), while a neighbour reads its file every
    5 ms; its p99 stays under 100 ms in each phase (measured: p99 0.2 ms, worst 123 ms, over
    11,000 requests; the seed took 52 s and the reset 15 s on a 2-core machine, fsync-bound)."""
    import time

    app = make_app(data_dir=tmp_path)
    neighbour = app.tenants.get("sk-ant-neighbour").files.add_file("n.txt", b"n")
    seed = json.dumps({"files": [{"filename": f"f{i}.txt", "content": "x"} for i in range(5000)]}).encode()
    latencies: dict[str, list[float]] = {"seed": [], "reset": []}
    phase = ["seed"]

    async def main() -> tuple[int, int]:
        async def busy() -> tuple[int, int]:
            seeded, _ = await asgi_call(app, "POST", "/_claude_files/files", "sk-ant-busy", seed)
            phase[0] = "reset"
            reset, _ = await asgi_call(app, "POST", "/_claude_files/reset", "sk-ant-busy", b"{}")
            return seeded, reset

        task = asyncio.ensure_future(busy())
        started = time.monotonic()
        while not task.done():
            assert time.monotonic() - started < 600, "the seed and reset took over 10 minutes"
            sent = time.perf_counter()
            status, _ = await asgi_call(app, "GET", f"/v1/files/{neighbour.id}", "sk-ant-neighbour")
            latencies[phase[0]].append(time.perf_counter() - sent)
            assert status == 200
            await asyncio.sleep(0.005)
        return await task

    assert asyncio.run(main()) == (200, 200)
    assert len(app.tenants.get("sk-ant-busy").files) == 0
    for name, measured in latencies.items():
        assert len(measured) >= 20, f"the {name} was too quick to measure anything"
        ordered = sorted(measured)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        assert p99 < 0.100, f"neighbour p99 {p99 * 1000:.0f} ms during the {name} ({len(ordered)} requests)"


def test_absurd_max_tokens_and_a_1_mb_model_are_refused_as_the_api_does() -> None:
    """The issue's list 8: ``max_tokens: 10**30`` and a 1 MB ``model`` were accepted."""
    import anthropic

    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._sdk.client import make_sdk_client

    client = make_sdk_client(FilesHandler(FakeService()))
    messages: Any = [{"role": "user", "content": "x"}]
    with pytest.raises(anthropic.BadRequestError, match="maximum allowed number of output tokens"):
        client.messages.create(model="claude-sonnet-4-5", max_tokens=10**30, messages=messages, timeout=30)
    with pytest.raises(anthropic.BadRequestError, match="at most 256 characters"):
        client.messages.create(model="m" * 2**20, max_tokens=1, messages=messages)
    with pytest.raises(anthropic.BadRequestError, match="at most 256 characters"):
        client.messages.count_tokens(model="m" * 2**20, messages=messages)
