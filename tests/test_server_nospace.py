"""A restart on a data dir with no room for new files (no inodes left, issue 24): the server
starts, serves what the directory holds, and answers writes with the API's 500 envelope.

No filesystem can be mounted here, so the disk is simulated: every new file or directory
under the data dir (``os.open`` with ``O_CREAT`` of a path that is not there, ``os.mkdir``,
``Path.mkdir``) fails with ``ENOSPC``, as an inode-full filesystem answers; existing files open, read,
rename and unlink as before."""

from __future__ import annotations

import errno
import os
import pathlib
from pathlib import Path
from typing import Any

import pytest

from pytest_claude_files.server import ServerError, start_server
from pytest_claude_files.server._dirlock import LOCK_NAME
from pytest_claude_files.server._tenants import tenant_label
from pytest_claude_files.strategies import skill_files

from .conftest import sdk_at_least

anthropic = pytest.importorskip("anthropic")
pytestmark = pytest.mark.skipif(not sdk_at_least(2, 17), reason="sessions and GA skills arrived with 2.17")
KEY = "sk-ant-nospace"
ASK = {"model": "claude-fake-model", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}


def no_inodes(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[str]:
    """New files and directories under ``root`` fail with ENOSPC; the refused paths."""
    real_open, real_mkdir = os.open, os.mkdir
    refused: list[str] = []

    def new_under_root(path: Any) -> bool:
        text = os.path.abspath(os.fspath(path))
        return text.startswith(str(root)) and not os.path.lexists(text)

    def fake_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: Any = None) -> int:
        if flags & os.O_CREAT and new_under_root(path):
            refused.append(os.fspath(path))
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(path))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    def fake_mkdir(path: Any, mode: int = 0o777, *, dir_fd: Any = None) -> None:
        if new_under_root(path):
            refused.append(os.fspath(path))
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(path))
        real_mkdir(path, mode, dir_fd=dir_fd)

    real_path_mkdir = pathlib.Path.mkdir

    def fake_path_mkdir(self: Path, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        # (Python 3.10's pathlib holds the os.mkdir of its import, not the patched one)
        if new_under_root(self):
            refused.append(os.fspath(self))
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(self))
        real_path_mkdir(self, mode, parents=parents, exist_ok=exist_ok)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    monkeypatch.setattr(pathlib.Path, "mkdir", fake_path_mkdir)
    return refused


def test_a_restart_with_no_inodes_left_serves_reads_and_refuses_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    with start_server("127.0.0.1", 0, data_dir=data_dir) as server:
        client, control = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0), \
            server.control(KEY)
        seeded = control.add_file("report.csv", b"a,b\n", downloadable=True)
        upload = client.files.upload(file=("notes.txt", b"notes", "text/plain"))
        ended = client.messages.batches.create(requests=[{"custom_id": "a", "params": ASK}])
        results = [r.model_dump() for r in client.messages.batches.results(ended.id)]
        control.hold_batches()
        held = client.messages.batches.create(requests=[{"custom_id": "h", "params": ASK}])
        skill = client.skills.create(files=skill_files("kept"))
        environment = client.beta.environments.create(name="env")
        agent = client.beta.agents.create(name="agent", model="claude-opus-4-7")
        session = client.beta.sessions.create(agent=agent.id, environment_id=environment.id)
    tenant_dir = data_dir / "tenants" / tenant_label(KEY)
    (tenant_dir / "upload-cut.tmp").write_bytes(b"half an upload")  # to quarantine: no room for that
    (data_dir / LOCK_NAME).unlink()  # and no room for the lock file either
    refused = no_inodes(monkeypatch, tmp_path)

    with start_server("127.0.0.1", 0, data_dir=data_dir) as server:
        warnings = server.tenants.warnings
        assert any("no room for new files" in w for w in warnings), warnings
        assert any("upload-cut.tmp (not served; left in place" in w for w in warnings), warnings
        client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
        # reads: everything it held
        assert {f.id for f in client.files.list()} == {seeded["id"], upload.id}
        assert client.files.download(seeded["id"]).read() == b"a,b\n"
        assert [r.model_dump() for r in client.messages.batches.results(ended.id)] == results
        assert client.messages.batches.retrieve(held.id).processing_status == "in_progress"
        assert client.skills.retrieve(skill.id).display_name == "kept"
        assert client.beta.sessions.retrieve(session.id).status == "idle"
        assert [a.id for a in client.beta.agents.list()] == [agent.id]
        other = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-newcomer", max_retries=0)
        assert other.files.list().data == []  # a new tenant: nothing to make on disk to read
        # writes: the API's 500 envelope, nothing stored
        for write in (
            lambda: client.files.upload(file=("new.txt", b"new", "text/plain")),
            lambda: client.messages.batches.create(requests=[{"custom_id": "b", "params": ASK}]),
            lambda: client.skills.create(files=skill_files("new-one")),
            lambda: client.beta.agents.create(name="new", model="claude-opus-4-7"),
            lambda: client.beta.sessions.create(agent=agent.id, environment_id=environment.id),
        ):
            with pytest.raises(anthropic.InternalServerError) as caught:
                write()
            assert caught.value.body["error"]["type"] == "api_error"  # type: ignore[index]
            assert "disk is full" in caught.value.message
        assert {f.id for f in client.files.list()} == {seeded["id"], upload.id}
        assert len(list(client.beta.sessions.list())) == 1 and len(list(client.messages.batches.list())) == 2
        client.files.delete(upload.id)  # a delete frees room: it needs none
        assert [f.id for f in client.files.list()] == [seeded["id"]]
        with pytest.raises(ServerError, match="another claude-files-fake server uses it"):
            start_server("127.0.0.1", 0, data_dir=data_dir)  # the directory itself is locked
    assert refused and all(p.startswith(str(tmp_path)) for p in refused)


def test_a_new_data_dir_on_a_full_disk_is_still_a_clear_error(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    no_inodes(monkeypatch, tmp_path)
    with pytest.raises(ServerError, match="not a writable directory"):
        start_server("127.0.0.1", 0, data_dir=tmp_path / "never-made")
