"""Peak server memory while receiving a 256 MiB upload stays under 64 MiB above idle.

The server runs as ``claude-files-fake serve`` in its own process; its peak resident set
(``VmHWM`` in ``/proc/PID/status``, which counts file-backed pages too) is read from
outside after the upload, and compared with its resident set when idle. The client
streams the multipart body from a generator, so the test process stays small too.
Marked ``slow`` (about 5 s); Linux only (``/proc``).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import stop_process

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to read VmHWM"),
]

MiB = 1024 * 1024
UPLOAD = 256 * MiB
BUDGET = 64 * MiB
CHUNK = MiB


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not in /proc/{pid}/status")


@pytest.fixture
def server_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_claude_files", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
    try:
        yield process, url
    finally:
        stop_process(process, timeout=15)


def request(url: str, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
            ) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        sent = {"x-api-key": "sk-mem", "anthropic-version": "2023-06-01", **(headers or {})}
        conn.request(method, path, body=body, headers=sent)  # type: ignore[arg-type]
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def streamed_upload(url: str, size: int) -> tuple[int, bytes]:
    boundary = "----claudefilesmemorytest"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    block = bytes(range(256)) * (CHUNK // 256)

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(size // CHUNK):
            yield block
        yield tail

    headers = {"content-type": f"multipart/form-data; boundary={boundary}",
               "content-length": str(len(head) + size + len(tail))}
    return request(url, "POST", "/v1/files", body(), headers)


def test_256_mib_upload_peak_memory(server_process: tuple[subprocess.Popen[str], str]) -> None:
    process, url = server_process
    status, _ = request(url, "GET", "/v1/files")  # warm: imports, first request served
    assert status == 200
    idle = status_kib(process.pid, "VmRSS")

    status, body = streamed_upload(url, UPLOAD)

    assert status == 200, body[:500]
    meta = json.loads(body)
    assert meta["size_bytes"] == UPLOAD
    peak = status_kib(process.pid, "VmHWM")
    grew = peak - idle
    print(f"server RSS idle {idle / MiB:.1f} MiB, peak {peak / MiB:.1f} MiB, "
          f"+{grew / MiB:.1f} MiB for 256 MiB")
    assert grew < BUDGET, f"peak grew by {grew / MiB:.1f} MiB (budget {BUDGET / MiB:.0f} MiB)"
    status, _ = request(url, "DELETE", f"/v1/files/{meta['id']}")
    assert status == 200


def test_300_mib_upload_with_data_dir_leaves_no_spool_mapped(tmp_path: Path) -> None:
    """With ``--data-dir`` the upload is copied into the store and its spool let go at once:
    after the answer, the server's resident set is back near idle, no spool file is still
    mapped (no disk held twice), and the stored file is served from the store."""
    spool, data = tmp_path / "spool", tmp_path / "data"
    spool.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_claude_files", "serve", "--port", "0", "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(spool)},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        assert request(url, "GET", "/v1/files")[0] == 200
        idle = status_kib(process.pid, "VmRSS")
        status, body = streamed_upload(url, 300 * MiB)
        assert status == 200, body[:500]
        file_id = json.loads(body)["id"]
        assert request(url, "GET", f"/v1/files/{file_id}")[0] == 200  # the request is over
        after = status_kib(process.pid, "VmRSS")
        maps = Path(f"/proc/{process.pid}/maps").read_text()
        print(f"server RSS idle {idle / MiB:.1f} MiB, after a 300 MiB upload {after / MiB:.1f} MiB "
              f"(+{(after - idle) / MiB:.1f} MiB)")
        assert str(spool) not in maps  # the spool is unmapped: its disk space is free again
        assert after - idle < BUDGET, f"RSS grew by {(after - idle) / MiB:.1f} MiB and stayed"
        stored = next(data.glob("tenants/*/*.bin"))
        assert stored.stat().st_size == 300 * MiB
    finally:
        stop_process(process, timeout=15)
