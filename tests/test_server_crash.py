"""100 ``kill -9`` of ``claude-files-fake serve --data-dir`` under load: every restart succeeds,
no acknowledged upload is lost, no deleted file comes back, no phantom appears.

Each server is a real process killed with SIGKILL at a random moment while a client uploads
and deletes. To keep 100 starts within about half a minute, the server process is forked from
the test process (its modules already imported) and runs the ``serve`` command's ``main()``.
An operation whose answer the kill cut off has an unknown outcome: its file may or may not be
there afterwards (a lost answer), and is then counted apart, never as lost or phantom.
Marked ``slow``; Linux/macOS (fork).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Optional

import httpx
import pytest

from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import FakeFilesSettings
from pytest_claude_files.server._persistence import PersistentFakeFiles
from pytest_claude_files.server._tenants import tenant_label

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]

KEY = "sk-ant-crash"
HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
KILLS = 100


def start(data_dir: Path, log: Path) -> tuple[int, str]:
    """Fork a server on ``data_dir``; its pid and URL (stderr, with any warning, goes to ``log``)."""
    read_end, write_end = os.pipe()
    err = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    pid = os.fork()
    if pid == 0:  # the server process
        code = 1
        try:
            os.close(read_end)
            os.dup2(err, 2)
            sys.stdout = os.fdopen(write_end, "w", buffering=1)
            sys.stderr = os.fdopen(2, "w", buffering=1)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            from pytest_claude_files.server._cli import main

            code = main(["serve", "--port", "0", "--data-dir", str(data_dir), "--log-level", "critical"])
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    os.close(err)
    with os.fdopen(read_end) as out:
        line = out.readline()
    assert line.startswith("claude-files-fake serving on "), f"restart failed: {log.read_text()}"
    return pid, line.split()[-1]


class Load(threading.Thread):
    """Uploads and deletes until the server dies; remembers what was acknowledged."""

    def __init__(self, url: str, book: dict[str, Any], rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.url, self.book, self.rng = url, book, rng
        self.in_flight: Optional[tuple[str, str]] = None  # ("upload", filename) / ("delete", id)
        self.acknowledged = threading.Event()  # one operation answered: the kill comes under load

    def run(self) -> None:
        book, rng = self.book, self.rng
        with httpx.Client(base_url=self.url, headers=HEADERS, timeout=10) as http:
            while True:
                live = [i for i in book["acked"] if i not in book["deleted"]]
                if live and rng.random() < 0.4:
                    victim = rng.choice(live)
                    self.in_flight = ("delete", victim)
                    try:
                        answer = http.delete(f"/v1/files/{victim}")
                    except httpx.HTTPError:
                        return
                    assert answer.status_code == 200, answer.text
                    book["deleted"].add(victim)
                else:
                    book["n"] += 1
                    name = f"u{book['n']}.bin"
                    data = rng.randbytes(rng.choice([10, 5000, 200_000]))
                    book["content"][name] = hashlib.sha256(data).hexdigest()
                    self.in_flight = ("upload", name)
                    try:
                        part = (name, data, "application/octet-stream")
                        answer = http.post("/v1/files", files={"file": part})
                    except httpx.HTTPError:
                        return
                    assert answer.status_code == 200, answer.text
                    book["acked"][answer.json()["id"]] = name
                self.in_flight = None
                self.acknowledged.set()


def test_kill_9_under_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "stderr.log"
    rng = random.Random(1913)
    book: dict[str, Any] = {"acked": {}, "deleted": set(), "content": {}, "n": 0}
    unknown = {"upload": 0, "delete": 0}
    phantoms: list[str] = []
    lost: list[str] = []
    back: list[str] = []
    pid, url = start(data_dir, log)
    for _ in range(KILLS):
        load = Load(url, book, rng)
        load.start()
        assert load.acknowledged.wait(30), "the restarted server answered nothing"
        load.join(rng.uniform(0.0, 0.15))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        load.join(15)
        assert not load.is_alive()
        pid, url = start(data_dir, log)  # every restart succeeds
        listed = {f["id"]: f["filename"] for f in httpx.get(
            f"{url}/v1/files", params={"limit": 1000}, headers=HEADERS, timeout=10).json()["data"]}
        cut = load.in_flight
        for file_id, name in listed.items():
            if file_id in book["acked"]:
                continue
            if cut == ("upload", name):  # stored, but the answer was lost to the kill
                unknown["upload"] += 1
                book["acked"][file_id] = name
            else:
                phantoms.append(name)
        for file_id in book["acked"]:
            present = file_id in listed
            if cut == ("delete", file_id):
                unknown["delete"] += 0 if present else 1
                if not present:
                    book["deleted"].add(file_id)
            elif file_id in book["deleted"] and present:
                back.append(file_id)
            elif file_id not in book["deleted"] and not present:
                lost.append(file_id)
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

    # the contents, byte for byte, as the store reads them
    directory = data_dir / "tenants" / tenant_label(KEY)
    store = PersistentFakeFiles(directory, FakeFilesSettings(), clock=FakeClock())
    kept = {m.id: m.filename for m in store.all()}
    for file_id, name in kept.items():
        assert hashlib.sha256(store.content(file_id)).hexdigest() == book["content"][name]
    uploads = len(book["acked"])
    warnings = log.read_text().count("warning: quarantined")
    print(f"\nkills={KILLS} acked_uploads={uploads} acked_deletes={len(book['deleted'])} "
          f"kept={len(kept)} lost={len(lost)} deleted_back={len(back)} phantoms={len(phantoms)} "
          f"unknown_uploads={unknown['upload']} unknown_deletes={unknown['delete']} "
          f"quarantine_warnings={warnings}")
    assert (lost, back, phantoms) == ([], [], [])
    assert uploads + len(book["deleted"]) >= KILLS  # every kill came under load
    assert set(kept) == set(book["acked"]) - book["deleted"]
