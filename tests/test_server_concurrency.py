"""16 concurrent SDK clients x 200 mixed operations against one server, one shared space.

Afterwards: no file lost, none duplicated, the list (walked page by page through the
SDK) is exactly the files that should exist, newest first, and nothing answered 500.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Iterator

import anthropic
import pytest

from pytest_claude_files.server import ServerHandle, start_server

CLIENTS = 16
OPERATIONS = 200
KEY = "sk-ant-concurrency"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


class Worker(threading.Thread):
    def __init__(self, number: int, base_url: str, downloadable: str, barrier: threading.Barrier) -> None:
        super().__init__(name=f"client-{number}")
        self.number = number
        self.client = anthropic.Anthropic(base_url=base_url, api_key=KEY, max_retries=0)
        self.downloadable = downloadable
        self.barrier = barrier
        self.random = random.Random(number)
        self.uploaded: list[str] = []
        self.deleted: list[str] = []
        self.done: Counter[str] = Counter()
        self.failures: list[str] = []

    def run(self) -> None:
        self.barrier.wait()
        for step in range(OPERATIONS):
            try:
                self.one(step)
            except anthropic.APIStatusError as exc:
                self.failures.append(f"{exc.status_code} {exc.message}")
            except Exception as exc:
                self.failures.append(repr(exc))
        self.client.close()

    def one(self, step: int) -> None:
        files = self.client.files
        alive = [i for i in self.uploaded if i not in self.deleted]
        roll = self.random.random()
        if roll < 0.4 or not alive:
            content = f"{self.number}:{step}".encode()
            meta = files.upload(file=(f"c{self.number}-{step}.txt", content, "text/plain"))
            assert meta.size_bytes == len(f"{self.number}:{step}")
            self.uploaded.append(meta.id)
            self.done["upload"] += 1
        elif roll < 0.6:
            page = files.list(limit=self.random.choice([1, 5, 20, 100]))
            assert len({f.id for f in page.data}) == len(page.data)
            self.done["list"] += 1
        elif roll < 0.8:
            target = self.random.choice(alive)
            assert files.retrieve_metadata(target).id == target
            self.done["retrieve_metadata"] += 1
        elif roll < 0.95:
            target = self.random.choice(alive)
            assert files.delete(target).id == target
            self.deleted.append(target)
            self.done["delete"] += 1
        else:
            assert files.download(self.downloadable).read() == b"shared,output\n"
            self.done["download"] += 1


def test_16_clients_x_200_mixed_operations(server: ServerHandle) -> None:
    tenant = server.tenants.get(KEY)
    tenant.reset()
    seeded = server.files(KEY).add_file("out.csv", b"shared,output\n", downloadable=True)
    barrier = threading.Barrier(CLIENTS)
    workers = [Worker(n, server.base_url, seeded.id, barrier) for n in range(CLIENTS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
        assert not worker.is_alive(), f"{worker.name} hung"

    failures = [f"{w.name}: {f}" for w in workers for f in w.failures]
    assert failures == []
    assert sum(sum(w.done.values()) for w in workers) == CLIENTS * OPERATIONS

    uploaded = [i for w in workers for i in w.uploaded]
    deleted = {i for w in workers for i in w.deleted}
    assert len(uploaded) == len(set(uploaded)), "an id was handed out twice"
    expected = (set(uploaded) - deleted) | {seeded.id}

    stored = [m.id for m in server.files(KEY).files]
    assert set(stored) == expected  # nothing lost, nothing resurrected
    walked = [f.id for f in anthropic.Anthropic(base_url=server.base_url, api_key=KEY).files.list(limit=37)]
    assert len(walked) == len(set(walked)), "a file was listed twice"
    assert walked == sorted(expected, reverse=True)  # newest first, every page consistent
    counts = tenant.request_counts()
    for name in ("upload", "list", "retrieve_metadata", "delete", "download"):
        assert counts[name] >= sum(w.done[name] for w in workers)
    assert all(c.error is None or c.error.status != 500 for c in server.files(KEY).calls)
