"""``pytest_claude_files.mock_claude_files()``: a context manager and a decorator that intercept
every anthropic client (httpx and httpx2) in the process and leave nothing patched."""

from __future__ import annotations

import asyncio
import importlib
import io
import subprocess
import sys
import unittest
from typing import Any

import pytest

anthropic = pytest.importorskip("anthropic")
pytest.importorskip("respx")

from pytest_claude_files import FakeFiles, mock_claude_files  # noqa: E402


def transport_methods() -> list[Any]:
    """What the mockers patch: httpcore's pool (httpx) and httpx2's default transports."""
    import httpcore

    found = [httpcore.ConnectionPool.handle_request, httpcore.AsyncConnectionPool.handle_async_request]
    try:
        default = importlib.import_module("httpx2._transports.default")
    except ImportError:
        return found
    return [*found, default.HTTPTransport.handle_request, default.AsyncHTTPTransport.handle_async_request]


@pytest.fixture
def untouched() -> Any:
    before = transport_methods()
    yield
    assert transport_methods() == before, "mock_claude_files left a transport patched"


def upload(client: Any, name: str = "a.txt", data: bytes = b"abc") -> Any:
    return client.files.upload(file=(name, data, "text/plain"))


def test_context_manager_yields_the_fake_and_intercepts_any_client(untouched: None) -> None:
    before = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)  # made before: intercepted too
    with mock_claude_files(storage_quota="1KB") as fake:
        assert isinstance(fake, FakeFiles)
        meta = upload(before)
        assert fake.content(meta.id) == b"abc"
        with pytest.raises(anthropic.BadRequestError) as info:
            upload(anthropic.Anthropic(api_key="sk-ant-test", max_retries=0), "b.txt", b"x" * 2000)
        assert info.value.status_code == 400


def test_each_block_gets_a_fresh_fake(untouched: None) -> None:
    mocker = mock_claude_files()
    with mocker as first:
        upload(mocker.client())
    with mocker as second:
        assert second is not first and list(second.files) == []


def test_the_settings_are_the_markers(untouched: None) -> None:
    with pytest.raises(ValueError) as info:
        mock_claude_files(storage_quote="1MB")
    assert str(info.value) == (
        "mock_claude_files(): unknown argument(s) storage_quote (did you mean 'storage_quota'?). Known "
        "arguments: api_keys, api_key, storage_quota, max_file_size, rate_limit, now, freeze_time, "
        "max_retries, guess_mime_type, check_anthropic_version, check_anthropic_beta, known_betas, "
        "partition_workspaces, misuse_warnings, cassette. "
        "See claude-files-fake docs reference#the-claude_files-marker"
    )
    with mock_claude_files(api_keys=["sk-ant-right"]) as fake:
        with pytest.raises(anthropic.AuthenticationError):
            upload(anthropic.Anthropic(api_key="sk-ant-wrong", max_retries=0))
        upload(anthropic.Anthropic(api_key="sk-ant-right"))
        assert len(fake.files) == 1


def test_decorates_sync_and_async_functions(untouched: None) -> None:
    mocker = mock_claude_files()

    @mocker
    def sync() -> str:
        return str(mocker.fake.get(upload(anthropic.Anthropic(api_key="k")).id).filename)

    @mocker
    async def run_async() -> str:
        client = anthropic.AsyncAnthropic(api_key="k")
        meta = await client.files.upload(file=("z.txt", b"z", "text/plain"))
        return str(mocker.fake.get(meta.id).filename)

    assert sync() == "a.txt"
    assert asyncio.run(run_async()) == "z.txt"
    with pytest.raises(RuntimeError, match="mock_claude_files is not active"):
        mocker.fake  # noqa: B018


def test_unittest_case_as_context_manager_and_decorator(untouched: None) -> None:
    seen: list[str] = []
    mocked = mock_claude_files()

    class Case(unittest.TestCase):
        def test_with(self) -> None:
            with mock_claude_files() as fake:
                upload(anthropic.Anthropic(api_key="k"))
                self.assertEqual(len(fake.files), 1)
                seen.append("with")

        @mocked
        def test_decorated(self) -> None:
            upload(anthropic.Anthropic(api_key="k"))
            self.assertEqual(len(mocked.fake.files), 1)
            seen.append("decorated")

    @mock_claude_files()
    class WholeClass(unittest.TestCase):
        def test_one(self) -> None:
            upload(anthropic.Anthropic(api_key="k"))
            seen.append("class")

    class AsyncCase(unittest.IsolatedAsyncioTestCase):
        @mocked
        async def test_async(self) -> None:
            client = anthropic.AsyncAnthropic(api_key="k")
            meta = await client.files.upload(file=("q.txt", b"q", "text/plain"))
            self.assertEqual(mocked.fake.get(meta.id).size_bytes, 1)
            seen.append("async")

        async def test_async_with(self) -> None:
            async with mock_claude_files() as fake:
                await anthropic.AsyncAnthropic(api_key="k").files.upload(file=("q.txt", b"q", "text/plain"))
                self.assertEqual(len(fake.files), 1)
                seen.append("async with")

    suite = unittest.TestSuite()
    for case in (Case, WholeClass, AsyncCase):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    assert result.wasSuccessful(), result.errors + result.failures
    assert sorted(seen) == ["async", "async with", "class", "decorated", "with"]


def test_an_unused_scripted_result_fails_the_block(untouched: None) -> None:
    mocker = mock_claude_files()
    with pytest.raises(AssertionError) as info, mocker:
        mocker.router.script("upload", 429)
    assert str(info.value) == (
        "mock_claude_files: 1 scripted result(s) were never used:\n"
        "  upload: result 1 of 1 (error(429 rate_limit_error))\n"
        "(if that is expected: mocker.router.assert_all_scripted_used = False)"
    )


def test_importing_the_package_stays_cheap() -> None:
    code = (
        "import sys, pytest_claude_files as p; p.mock_claude_files; "
        "print(sorted(m for m in ('anthropic', 'respx', 'httpx', 'httpx2', 'pydantic', 'pytest') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_max_retries_is_refused_with_the_fix() -> None:
    with pytest.raises(TypeError, match=r"does not take max_retries=.*anthropic.Anthropic\(max_retries=0\)"):
        mock_claude_files(max_retries=0)


def test_an_unused_reply_fails_the_block_sync_and_async(untouched: None) -> None:
    with pytest.raises(AssertionError, match=r"(?s)mock_claude_files: 1 scripted reply .*'nobody asks'"):
        with mock_claude_files() as fake:
            fake.messages.reply("nobody asks")

    mocker = mock_claude_files()

    @mocker
    async def run() -> None:
        mocker.fake.messages.reply("nobody asks either")

    with pytest.raises(AssertionError, match="nobody asks either"):
        asyncio.run(run())

    async def block() -> None:
        async with mock_claude_files() as fake:
            fake.messages.reply("nor this one")

    with pytest.raises(AssertionError, match="nor this one"):
        asyncio.run(block())


def test_misuse_under_error_and_a_scripting_mistake_fail_the_block(untouched: None) -> None:
    with pytest.raises(AssertionError) as info:
        with mock_claude_files(misuse_warnings="error") as fake:
            client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)
            client.beta.files.upload(file=("report.pdf", b"%PDF-1.4", "application/octet-stream"))
            fake.messages.reply("chart", output_files={"chart.png": b"PNG"})
            with pytest.raises(anthropic.BadRequestError):
                client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    text = str(info.value)
    assert "[octet-stream-upload]" in text
    assert "output_files (chart.png)" in text


def test_an_internal_error_of_the_fake_fails_the_block(
    untouched: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_claude_files._core.files import FilesResource

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug of the fake")

    monkeypatch.setattr(FilesResource, "retrieve", broken)
    with pytest.raises(AssertionError, match=r"(?s)internal error.*ZeroDivisionError"):
        with mock_claude_files():
            client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)
            with pytest.raises(anthropic.InternalServerError):
                client.beta.files.retrieve_metadata("file_011CNha8iCJcU1wXNR6q4V8w")


def test_the_block_s_own_exception_is_not_masked(untouched: None) -> None:
    with pytest.raises(KeyError):
        with mock_claude_files() as fake:
            fake.messages.reply("unused, but the block failed first")
            raise KeyError("the test's own failure")
