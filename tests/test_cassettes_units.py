"""Cassettes in process: the format, matching, modes, seeding, ``cassettes check``, and the
plugin's replay of ``claude_files_respx`` and its usage errors.

Cassettes here are recorded from the fake itself (the recording transport wrapped around
the fake's transport), so no server is needed; tests/test_cassettes.py records against the
emulator over HTTP.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from pytest_claude_files._core.cassette import CassetteError, read_cassette
from pytest_claude_files._core.service import FakeService
from pytest_claude_files._http.handler import FilesHandler
from pytest_claude_files._live.cassette import Recording
from pytest_claude_files._live.cleanup import Secret
from pytest_claude_files._live.replay import Replayer, make_replay_client, recording_transport
from pytest_claude_files._sdk.client import sdk_http_library
from pytest_claude_files._sdk.transports import make_transport
from pytest_claude_files.server._cli import main

KEY = "sk-ant-api03-UNITSECRET-0123456789abcdef-AA"
BASE = "https://api.anthropic.com"
MODEL = "claude-sonnet-4-5"


def record(path: Path, run: Callable[[Any], Any], *, mode: str = "all", keep_bytes: bool = True,
           service: FakeService | None = None) -> tuple[Recording, Any]:
    """Run ``run(client)`` against a fake, recording every exchange into ``path``."""
    import anthropic

    lib = sdk_http_library()
    recording = Recording(path, mode, [Secret(KEY)], keep_bytes=keep_bytes)
    inner = make_transport(FilesHandler(service or FakeService()), lib)
    client = anthropic.Anthropic(api_key=KEY, base_url=BASE, http_client=lib.Client(
        transport=recording_transport(lib, inner, recording, BASE)))
    result = run(client)
    recording.save()
    return recording, result


def upload_and_list(client: Any) -> Any:
    meta = client.beta.files.upload(file=("notes.txt", b"hello", "text/plain"))
    client.beta.files.list()
    return meta


def test_a_cassette_keeps_the_parts_and_never_the_key_or_boundary(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    _, meta = record(path, upload_and_list)
    text = path.read_text()
    assert KEY not in text and "UNITSECRET" not in text and "boundary" not in text
    cassette = read_cassette(path)
    part = cassette["interactions"][0]["request"]["body"]["multipart"][0]
    assert part == {"name": "file", "filename": "notes.txt", "content_type": "text/plain", "size": 5,
                    "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                    "text": "hello"}
    assert cassette["interactions"][0]["response"]["body"]["json"]["id"] == meta.id


def test_hash_only_keeps_no_bytes_and_cannot_seed(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    record(path, upload_and_list, keep_bytes=False)
    part = read_cassette(path)["interactions"][0]["request"]["body"]["multipart"][0]
    assert "text" not in part and "base64" not in part and part["size"] == 5
    with pytest.raises(CassetteError, match="kept only its hash"):
        FakeService().load_cassette(path)


@pytest.mark.parametrize("is_async", [False, True])
def test_replay_matches_an_upload_whatever_its_boundary_and_gives_the_recorded_ids(
    tmp_path: Path, is_async: bool
) -> None:
    import anyio

    path = tmp_path / "c.yaml"
    _, recorded = record(path, upload_and_list)
    replayer = Replayer(path)
    client = make_replay_client(replayer, is_async=is_async)

    async def run() -> Any:
        if is_async:
            meta = await client.beta.files.upload(file=("notes.txt", b"hello", "text/plain"))
            await client.beta.files.list()
            return meta
        return upload_and_list(client)

    meta = anyio.run(run)
    assert meta.id == recorded.id and replayer.unmatched == []


def test_an_unrecorded_request_is_a_404_named_with_the_nearest_recorded_one(tmp_path: Path) -> None:
    import anthropic

    path = tmp_path / "c.yaml"
    record(path, upload_and_list)
    replayer = Replayer(path)
    client = make_replay_client(replayer)
    with pytest.raises(anthropic.NotFoundError):
        client.beta.files.upload(file=("other.txt", b"changed", "text/plain"))
    assert len(replayer.unmatched) == 1
    beta = "?beta=true" if "?beta=true" in replayer.unmatched[0] else ""  # 0.125.0: the beta dialect
    assert replayer.unmatched[0].startswith(f"POST /v1/files{beta} multipart[file=('other.txt', text/plain")
    assert f"nearest recorded: POST /v1/files{beta} multipart[file=('notes.txt'" in replayer.unmatched[0]
    failure = replayer.failure()
    assert failure is not None and "--claude-files-record-mode=new_episodes" in failure


def test_the_nearest_recorded_request_is_one_of_the_same_operation_first() -> None:
    """A metadata GET of an id not recorded is shown beside the recorded metadata GET of another
    id, not the list, even when the list's text is a little more alike (random ids: a flaky pick)."""
    from pytest_claude_files._live.cassette import describe, nearest

    beta = [["beta", "true"]]
    wanted = {"method": "GET", "path": "/v1/files/file_011CNotRecordedBeforeXYZ", "query": beta}
    listing = {"method": "GET", "path": "/v1/files", "query": beta}
    other = {"method": "GET", "path": "/v1/files/file_011" + "k" * 21, "query": beta}
    upload = {"method": "POST", "path": "/v1/files", "query": beta}
    texts = [difflib.SequenceMatcher(None, describe(wanted), describe(r)).ratio() for r in (listing, other)]
    assert texts[0] > texts[1]  # by text alone the list would be picked
    assert nearest(wanted, [listing, other, upload]) is other
    assert nearest(wanted, [upload, listing]) is listing  # the same method before the operation
    same_path = {"method": "GET", "path": "/v1/files/file_011CNotRecordedBeforeXYZ", "query": []}
    assert nearest(wanted, [other, same_path]) is same_path  # the same path first
    assert nearest(wanted, []) is None


def test_each_recorded_answer_plays_once(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    record(path, lambda c: c.beta.files.list())
    replayer = Replayer(path)
    client = make_replay_client(replayer, max_retries=0)
    client.beta.files.list()
    with pytest.raises(Exception, match="fewer times"):
        client.beta.files.list()


def test_the_modes(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    record(path, lambda c: c.beta.files.list())
    first = path.read_text()
    once, _ = record(path, upload_and_list, mode="once")
    assert path.read_text() == first and not once.would_write()
    record(path, upload_and_list, mode="none")
    assert path.read_text() == first
    record(path, upload_and_list, mode="new_episodes")
    methods = [i["request"]["method"] for i in read_cassette(path)["interactions"]]
    assert methods == ["GET", "POST"]  # the list was there; the upload is new
    record(path, lambda c: c.beta.files.list(), mode="all")
    assert [i["request"]["method"] for i in read_cassette(path)["interactions"]] == ["GET"]


def test_load_cassette_seeds_the_uploads_with_their_recorded_ids(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"

    def run(client: Any) -> Any:
        kept = client.beta.files.upload(file=("kept.txt", b"kept", "text/plain"))
        gone = client.beta.files.upload(file=("gone.bin", bytes(range(10)), "application/octet-stream"))
        client.beta.files.delete(gone.id)
        return kept, gone

    _, (kept, gone) = record(path, run)
    fake = FakeService()
    added = fake.load_cassette(path)
    assert [m.id for m in added] == [kept.id]
    assert fake.get(kept.id).filename == "kept.txt" and fake.content(kept.id) == b"kept"
    assert fake.get(kept.id).created_at == kept.created_at
    again = FakeService()
    again.load_cassette(path, include_deleted=True)
    assert again.content(gone.id) == bytes(range(10))


def _messages(client: Any) -> None:
    meta = client.beta.files.upload(file=("notes.txt", b"hello", "text/plain"))
    ask = [{"role": "user", "content": [{"type": "document", "source": {"type": "file", "file_id": meta.id}},
                                        {"type": "text", "text": "hi"}]}]
    client.beta.messages.create(model=MODEL, max_tokens=20, messages=ask, betas=["files-api-2025-04-14"])
    with client.beta.messages.stream(model=MODEL, max_tokens=20, messages=ask,
                                     betas=["files-api-2025-04-14"]) as stream:
        stream.get_final_message()
    import anthropic

    with pytest.raises(anthropic.NotFoundError):
        client.beta.files.retrieve_metadata("file_011CNoSuchFileAtAll123")


def test_cassettes_check_agrees_then_names_an_edited_status_and_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mod" / "test_a.yaml"
    path.parent.mkdir()
    record(path, _messages)
    assert main(["cassettes", "check", str(tmp_path)]) == 0
    assert "checked 1 cassette(s): the fake answers as recorded" in capsys.readouterr().out
    cassette = json.loads(path.read_text())
    cassette["interactions"][0]["response"]["status"] = 201
    cassette["interactions"][-1]["response"]["body"]["json"]["error"]["message"] = "Edited."
    path.write_text(json.dumps(cassette))
    assert main(["cassettes", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.replace("?beta=true", "").splitlines()  # 0.125.0: the beta dialect
    assert out[0].startswith("mod/test_a.yaml #1 POST /v1/files: status: real 201, fake 200 "
                             "[fidelity: files.")
    assert out[1].startswith("mod/test_a.yaml #4 GET /v1/files/file_011CNoSuchFileAtAll123: error message: "
                             "real 'Edited.', fake 'File `file_011CNoSuchFileAtAll123` not found.'")
    assert "[fidelity: " in out[1] and out[2] == "checked 1 cassette(s): 2 difference(s) in 1"


@pytest.mark.parametrize("content", ["not json", '{"interactions": 3}'])
def test_cassettes_check_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    (tmp_path / "bad.yaml").write_text(content)
    assert main(["cassettes", "check", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("claude-files-fake: error: ") and "bad.yaml" in err[0]
    assert main(["cassettes", "check", str(tmp_path / "missing")]) == 2


# -- the plugin ---------------------------------------------------------------------------------


RESPX_SUITE = """
def test_respx(claude_files_respx, claude_files_client):
    meta = claude_files_client.beta.files.upload(file=("notes.txt", b"hello", "text/plain"))
    claude_files_client.beta.files.list()
    assert meta.id == "RECORDED_ID"
    assert claude_files_respx["upload"].call_count == 1
"""


def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLAUDE_FILES_BACKEND", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_replay_serves_claude_files_respx_from_the_cassette(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch)
    path = pytester.path / "cassettes" / "test_r" / "test_respx.yaml"
    _, meta = record(path, upload_and_list)
    pytester.makepyfile(test_r=RESPX_SUITE.replace("RECORDED_ID", meta.id))
    result = pytester.runpytest("--claude-files-backend=replay")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["claude-files: backend=replay, cassettes from *; nothing is sent"])


def test_a_test_that_needs_the_real_api_runs_from_its_cassette_on_replay(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch)
    _, meta = record(pytester.path / "cassettes" / "test_m" / "test_real.yaml", upload_and_list)
    pytester.makepyfile(test_m=f"""
import pytest

@pytest.mark.claude_files_real
def test_real(claude_files_client):
    meta = claude_files_client.beta.files.upload(file=("notes.txt", b"hello", "text/plain"))
    claude_files_client.beta.files.list()
    assert meta.id == "{meta.id}"
""")
    pytester.runpytest("--claude-files-backend=replay").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(skipped=1)  # on the fake it still needs the real API


def test_replay_refuses_a_request_of_another_client_without_a_socket(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch)
    path = pytester.path / "cassettes" / "test_o" / "test_other.yaml"
    _, meta = record(path, upload_and_list)
    pytester.makepyfile(test_o=f"""
import anthropic, httpx2, pytest

def test_other(claude_files_cassette):
    client = anthropic.Anthropic(api_key="k", base_url="http://127.0.0.1:9")  # its own client
    assert client.beta.files.upload(file=("notes.txt", b"hello", "text/plain")).id == "{meta.id}"
    client.beta.files.list()
    with pytest.raises(httpx2.ConnectError, match="never opens a socket"):
        httpx2.get("http://127.0.0.1:9/elsewhere")
""" if sdk_http_library().__name__ == "httpx2" else f"""
import anthropic, httpx, pytest

def test_other(claude_files_cassette):
    client = anthropic.Anthropic(api_key="k", base_url="http://127.0.0.1:9")  # its own client
    assert client.beta.files.upload(file=("notes.txt", b"hello", "text/plain")).id == "{meta.id}"
    client.beta.files.list()
    with pytest.raises(httpx.ConnectError, match="never opens a socket"):
        httpx.get("http://127.0.0.1:9/elsewhere")
""")
    result = pytester.runpytest("--claude-files-backend=replay")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--claude-files-record-mode=sometimes"], "",
         "ERROR: --claude-files-record-mode: expected one of once, new_episodes, all, none, got "
         "'sometimes'. See claude-files-fake docs cassettes"),
        (["--claude-files-record"], "",
         "ERROR: --claude-files-record: records the answers of a live backend, and the backend is fake "
         "(from default); add --claude-files-backend=real (with ANTHROPIC_API_KEY) or "
         "--claude-files-backend=server. See claude-files-fake docs cassettes"),
        (["--claude-files-backend=replay"], "claude_files_cassette_dir = recorded",
         "ERROR: claude_files_cassette_dir = recorded (ini option): */recorded is not a directory, and "
         "--claude-files-backend=replay answers from the cassettes in it; record them first "
         "(--claude-files-backend=real --claude-files-record) or fix the path. "
         "See claude-files-fake docs cassettes"),
        ([], "claude_files_cassette_bytes = some",
         "ERROR: claude_files_cassette_bytes (ini option): expected one of full, hash, got 'some'. "
         "Fix the value in your pytest configuration; see claude-files-fake docs cassettes"),
    ],
)
def test_usage_errors_name_the_setting_and_the_fix(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], ini: str, message: str
) -> None:
    _env(monkeypatch)
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_cassettes_check_seeds_the_files_the_recorded_account_already_held(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = FakeService()  # a live account is shared by the session's tests
    shared.add_files(3, prefix="someone-else")

    def run(client: Any) -> None:
        mine = client.beta.files.upload(file=("mine.txt", b"mine", "text/plain"))
        page = client.beta.files.list(limit=2)
        assert page.has_next_page()
        page.get_next_page()
        client.beta.files.delete(mine.id)

    record(tmp_path / "test_shared.yaml", run, service=shared)
    assert main(["cassettes", "check", str(tmp_path)]) == 0, capsys.readouterr().out


def test_a_binary_download_replays_byte_for_byte(tmp_path: Path) -> None:
    service = FakeService()
    data = bytes(range(256)) * 4
    made = service.add_file("chart.png", data, mime_type="image/png", downloadable=True)
    path = tmp_path / "c.yaml"
    record(path, lambda c: c.beta.files.download(made.id).read(), service=service)
    assert "base64" in read_cassette(path)["interactions"][0]["response"]["body"]
    assert make_replay_client(Replayer(path)).beta.files.download(made.id).read() == data


def test_a_key_written_into_a_body_is_redacted(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"

    def run(client: Any) -> None:
        ask = [{"role": "user", "content": f"my key is {KEY}"}]
        client.messages.count_tokens(model=MODEL, messages=ask)

    record(path, run)
    text = path.read_text()
    assert KEY not in text and "my key is <key sha256:" in text


def test_the_marker_argument_seeds_the_fake_from_a_cassette(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch)
    _, meta = record(pytester.path / "recorded" / "upload.yaml", upload_and_list)
    pytester.makepyfile(test_seeded=f"""
import pytest

@pytest.mark.claude_files(cassette="recorded/upload.yaml")
def test_seeded(claude_files, claude_files_client):
    assert claude_files_client.beta.files.retrieve_metadata("{meta.id}").filename == "notes.txt"
    assert claude_files.content("{meta.id}") == b"hello"

@pytest.mark.claude_files(cassette="recorded/missing.yaml")
def test_missing(claude_files):
    pass
""")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.claude_files(cassette='recorded/missing.yaml'): "
                                 "*missing.yaml: cannot read the cassette*"
                                 "See claude-files-fake docs cassettes"])
