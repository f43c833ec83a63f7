"""While claude_files_respx is active, the fixture clients go through its routes; a scripted
result never used fails the test at teardown; a stray base URL gets the right fix."""

from __future__ import annotations

import pytest

pytest.importorskip("respx")

PLUGINS = ("-p", "no:cacheprovider", "-p", "no:faker", "-p", "no:hypothesispytest", "-p", "no:randomly")


SYNC = """
def test_retried(claude_files_respx, claude_files_client):
    claude_files_respx.script("upload", scenarios.error(429, retry_after=0))
    meta = claude_files_client.beta.files.upload(file=("a.txt", b"a", "text/plain"))
    check(claude_files_respx, meta)
"""
ASYNC = """
def test_retried(claude_files_respx, claude_files_async_client):
    claude_files_respx.script("upload", scenarios.error(429, retry_after=0))

    async def upload():
        return await claude_files_async_client.beta.files.upload(file=("a.txt", b"a", "text/plain"))

    check(claude_files_respx, anyio.run(upload))
"""


@pytest.mark.parametrize("body", [SYNC, ASYNC], ids=["sync", "async"])
def test_a_429_scripted_on_the_router_is_retried_by_the_fixture_client(
    pytester: pytest.Pytester, body: str
) -> None:
    pytester.makepyfile(
        """
import anyio
from pytest_claude_files import scenarios


def check(router, meta):
    assert router["upload"].call_count == 2  # the 429, then the retry the fake answers
    assert router.retry_counts("upload") == [0, 1]
    assert meta.id in router.files
"""
        + body
    )
    pytester.runpytest_inprocess(*PLUGINS).assert_outcomes(passed=1)


def test_an_unused_scripted_result_fails_at_teardown_naming_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import anthropic
        import pytest
        from pytest_claude_files import scenarios

        @pytest.mark.claude_files(max_retries=0)
        def test_unused(claude_files_respx, claude_files_client):
            claude_files_respx.script("upload", 429, scenarios.error(529))
            claude_files_respx.script("list", 500)
            with pytest.raises(anthropic.RateLimitError):
                claude_files_client.beta.files.upload(file=("a.txt", b"a", "text/plain"))

        @pytest.mark.claude_files_respx(assert_all_scripted_used=False)
        def test_opted_out(claude_files_respx):
            claude_files_respx.script("upload", 429)

        def test_opted_out_by_the_router_flag(claude_files_respx):
            claude_files_respx.script("upload", 429)
            claude_files_respx.assert_all_scripted_used = False
        """
    )
    result = pytester.runpytest_inprocess(*PLUGINS)
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_unused _*",
            "claude_files_respx: 2 scripted result(s) were never used:",
            "  upload: result 2 of 2 (error(529 overloaded_error))",
            "  list: result 1 of 1 (error(500 api_error))",
            "(the code under test made fewer calls than scripted; if that is expected, opt out with "
            "@pytest.mark.claude_files_respx(assert_all_scripted_used=False) or "
            "claude_files_respx.assert_all_scripted_used = False)",
        ]
    )


def test_the_blocked_message_for_the_files_api_on_another_host(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://llm-proxy.example.com")
    pytester.makepyfile(
        """
        import anthropic

        def test_stray(claude_files_respx):
            client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)  # takes the env var
            client.beta.files.list()
        """
    )
    result = pytester.runpytest_inprocess(*PLUGINS)
    result.assert_outcomes(failed=1, errors=1)
    expected = (
        "pytest-claude-files: GET https://llm-proxy.example.com/v1/files* is blocked: claude_files_respx "
        "serves the Files API on https://api.anthropic.com, not on https://llm-proxy.example.com "
        "(ANTHROPIC_BASE_URL=https://llm-proxy.example.com is set: the SDK's clients use it; unset it, "
        "or serve it). Serve that base URL with the fake: "
        '@pytest.mark.claude_files_respx(base_url="https://llm-proxy.example.com"). '
        "See claude-files-fake docs respx#unhandled-requests"
    )
    result.stdout.fnmatch_lines([f"*{expected}*"])
    failure = result.stdout.str().split("short test summary")[0].split("ERROR at teardown")[0]
    assert "pass_through" not in failure  # letting the host through would reach the network


def test_with_the_markers_base_url_the_stray_url_is_served(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://llm-proxy.example.com")
    pytester.makepyfile(
        """
        import anthropic
        import pytest

        @pytest.mark.claude_files_respx(base_url="https://llm-proxy.example.com")
        def test_served(claude_files_respx, claude_files_client):
            client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)
            meta = client.beta.files.upload(file=("a.txt", b"a", "text/plain"))
            assert claude_files_client.beta.files.retrieve_metadata(meta.id).filename == "a.txt"
        """
    )
    pytester.runpytest_inprocess(*PLUGINS).assert_outcomes(passed=1)
