"""claude_files_respx as users meet it: through pytester (marker, usage errors, the
teardown report of unhandled requests, laziness of the plugin)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SDK_CALL = """
import anthropic
import pytest


def client(**kwargs):
    return anthropic.Anthropic(api_key="sk-ant-test", max_retries=0, **kwargs)
"""


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.claude_files_respx(base_url=, pass_through=, *claude-files-fake docs respx*"]
    )


def test_unknown_marker_argument_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.claude_files_respx(passthrough=["example.com"])
        def test_it(claude_files_respx):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.claude_files_respx: unknown argument(s) passthrough (did you mean "
            "'pass_through'?); known arguments: base_url, pass_through, stateful, real_sleep, "
            "assert_all_called, assert_all_scripted_used. See claude-files-fake docs respx*",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("'https://x'", "*takes keyword arguments only, got ('https://x',)*"),
        (
            "base_url='api.anthropic.com'",
            "*base_url: expected a scheme and host such as*got 'api.anthropic.com'*",
        ),
        ("base_url='https://api.anthropic.com/v1'", "*base_url: expected a scheme and host*"),
        (
            "pass_through=['api.anthropic.com']",
            "*pass_through: api.anthropic.com is the API's host and never passes*",
        ),
        ("pass_through=[3]", "*pass_through: expected a host name or a list of them, got ?3?.*"),
        ("stateful='no'", "*stateful: expected True or False, got 'no'*"),
    ],
)
def test_bad_marker_values(pytester: pytest.Pytester, args: str, message: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.claude_files_respx({args})
        def test_it(claude_files_respx):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_markers_merge_module_class_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.claude_files_respx(pass_through=["example.com"], stateful=False)

        @pytest.mark.claude_files_respx(stateful=True)
        class TestIt:
            def test_class(self, claude_files_respx):
                assert claude_files_respx.stateful is True
                assert claude_files_respx.pass_through_hosts == ("example.com",)

            @pytest.mark.claude_files_respx(pass_through="*.test")
            def test_test(self, claude_files_respx):
                assert claude_files_respx.pass_through_hosts == ("*.test",)

        def test_module(claude_files_respx):
            assert claude_files_respx.stateful is False
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_unhandled_request_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SDK_CALL
        + """
def test_swallowed(claude_files_respx):
    try:
        client().models.list()
    except anthropic.APIConnectionError:
        pass  # code under test that hides errors: the teardown still reports it
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*claude_files_respx: 1 request(s) had no route:",
            "*pytest-claude-files: no route answers GET /v1/models on api.anthropic.com*"
            'add a route: claude_files_respx.get("/v1/models").respond(200, json={...})*',
            "*(clear claude_files_respx.unhandled in the test if that was expected)",
        ]
    )


def test_files_calls_are_served_without_network_or_key(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    pytester.makepyfile(
        SDK_CALL
        + """
def test_it(claude_files_respx, claude_files):
    uploaded = client().beta.files.upload(file=("a.txt", b"abc", "text/plain"))
    assert claude_files.content(uploaded.id) == b"abc"
    assert claude_files_respx["upload"].called
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_composes_with_respx_mock_for_other_hosts(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        def test_it(respx_mock, claude_files_respx):
            respx_mock.get("https://example.com/health").respond(204)
            assert httpx.get("https://example.com/health").status_code == 204
            assert claude_files_respx.unhandled == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_importing_the_plugin_stays_light() -> None:
    code = (
        "import sys, pytest_claude_files.plugin, pytest_claude_files._plugin.respx_fixtures\n"
        "heavy = [m for m in ('respx', 'httpx', 'httpx2', 'anthropic', 'pydantic') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
