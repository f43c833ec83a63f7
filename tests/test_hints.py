"""Traps a newcomer met: "did you mean" for misspelled names, strategies that refuse a
status/error_code pair the API never sends, and markers that cannot apply."""

from __future__ import annotations

import pytest

PLUGINS = ("-p", "no:cacheprovider", "-p", "no:faker", "-p", "no:hypothesispytest", "-p", "no:randomly")


def test_misspelled_marker_argument(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.claude_files(storage_quote="1MB")
        def test_it(claude_files):
            pass
        """
    )
    result = pytester.runpytest_inprocess(*PLUGINS)
    result.stdout.fnmatch_lines([
        "@pytest.mark.claude_files: unknown argument(s) storage_quote (did you mean 'storage_quota'?). "
        "Known arguments: api_keys, api_key, storage_quota, max_file_size, rate_limit, now, freeze_time, "
        "max_retries, guess_mime_type, check_anthropic_version, check_anthropic_beta, known_betas, "
        "partition_workspaces, misuse_warnings, cassette. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ])


def test_misspelled_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nclaude_files_storage_qouta = 1MB\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest_inprocess(*PLUGINS)
    result.stdout.fnmatch_lines([
        "*PytestConfigWarning: claude_files_storage_qouta: not an ini option of pytest-claude-files "
        "(did you mean 'claude_files_storage_quota'?). Known: claude_files_api_keys, *. "
        "See claude-files-fake docs reference#ini-options",
    ])


def test_an_ini_typo_in_the_prefix_gets_did_you_mean_too(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nclaude_file_verdict = fail\nclaudefiles_cleanup = off\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest_inprocess(*PLUGINS)
    result.stdout.fnmatch_lines([
        "*PytestConfigWarning: claude_file_verdict: not an ini option of pytest-claude-files "
        "(did you mean 'claude_files_verdict'?)*",
        "*PytestConfigWarning: claudefiles_cleanup: not an ini option of pytest-claude-files "
        "(did you mean 'claude_files_cleanup'?)*",
    ], consecutive=False)


def test_misspelled_command_line_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest_inprocess("--claude-files-backnd=fake", *PLUGINS)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: --claude-files-backnd: not an option of pytest-claude-files (did you mean "
        "'--claude-files-backend'?). Known: --claude-files-backend, --claude-files-cleanup, "
        "--claude-files-contract-report, --claude-files-record*, --claude-files-seed, "
        "--claude-files-sweep*. "
        "See claude-files-fake docs reference#command-line-options",
    ])


def test_misspelled_backend(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest_inprocess("--claude-files-backend=faek", *PLUGINS)
    result.stderr.fnmatch_lines([
        "ERROR: --claude-files-backend: expected one of fake, server, real, "
        "replay, got 'faek' (did you mean 'fake'?). "
        "See claude-files-fake docs real-backend",
    ])


def test_misspelled_scenario_operation_and_error_type() -> None:
    pytest.importorskip("respx")
    from pytest_claude_files import scenarios
    from pytest_claude_files._core.service import FakeFiles
    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._respx.router import ClaudeFilesRouter

    router = ClaudeFilesRouter(FilesHandler(FakeFiles()))
    with pytest.raises(ValueError) as info:
        router.script("uplaod", 429)
    message = str(info.value)
    assert message.startswith(
        "unknown operation(s) ['uplaod'] (did you mean 'upload'?); expected upload, list, "
        "retrieve_metadata, download, delete, messages, count_tokens, batches.create, ")
    assert message.endswith(" or '*'") and "sessions.events.send" in message
    with pytest.raises(ValueError) as raised:
        scenarios.error("rate_limit_eror")
    assert str(raised.value).startswith(
        "unknown error type 'rate_limit_eror' (did you mean 'rate_limit_error'?); expected one of ["
    )


def test_misspelled_strategy_kinds() -> None:
    pytest.importorskip("hypothesis")
    from hypothesis.errors import InvalidArgument

    from pytest_claude_files import strategies

    with pytest.raises(InvalidArgument) as info:
        strategies.invalid_filenames("to_long")
    assert str(info.value) == (
        "invalid_filenames: kind must be one of ('empty', 'forbidden', 'control', 'too_long'), "
        "not 'to_long' (did you mean 'too_long'?)"
    )
    with pytest.raises(InvalidArgument) as code:
        strategies.files_api_errors(error_code="file_expird")
    assert str(code.value) == (
        "files_api_errors: error_code must be one of ['claude_code_key_creator_not_member', "
        "'cmek_key_disabled', 'cmek_key_network_blocked', 'file_expired', 'file_not_downloadable', "
        "'image_dimensions_too_large', 'organization_on_hold', 'organization_url_fetch_disabled', "
        "'storage_not_ready', 'storage_quota_exceeded'] or None, not 'file_expird' "
        "(did you mean 'file_expired'?)"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"status": 404, "error_code": "storage_quota_exceeded"},
            "files_api_errors: error_code='storage_quota_exceeded' comes with status 400 "
            "(invalid_request_error), not status=404; pin status=400, or leave status and error_type out",
        ),
        (
            {"error_type": "not_found_error", "error_code": "file_not_downloadable"},
            "files_api_errors: error_code='file_not_downloadable' comes with status 400 "
            "(invalid_request_error), not error_type='not_found_error'; pin status=400, or leave status "
            "and error_type out",
        ),
    ],
)
def test_files_api_errors_enforces_its_pairs(kwargs: dict[str, object], message: str) -> None:
    pytest.importorskip("hypothesis")
    from hypothesis.errors import InvalidArgument

    from pytest_claude_files import strategies

    with pytest.raises(InvalidArgument) as info:
        strategies.files_api_errors(**kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_files_api_errors_accepts_a_matching_pair() -> None:
    pytest.importorskip("hypothesis")
    from hypothesis import find

    from pytest_claude_files import strategies

    error = find(strategies.files_api_errors(status=404, error_code="file_expired"), lambda e: True)
    assert (error.status, error.error_code) == (404, "file_expired")


def test_a_marker_that_cannot_apply_warns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.claude_files(storage_quota="1MB")
        def test_server_only(claude_files_server):
            pass

        @pytest.mark.claude_files_respx(stateful=False)
        def test_no_router(claude_files_client):
            pass

        @pytest.mark.claude_files(storage_quota="1MB")
        def test_applies(claude_files_client):
            pass
        """
    )
    result = pytester.runpytest_inprocess(*PLUGINS)
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([
        "*MarkerHasNoEffect: @pytest.mark.claude_files has no effect on test_server_only: it configures "
        "claude_files, claude_files_config, claude_files_handler, claude_files_client, "
        "claude_files_async_client, claude_files_respx, and the test uses none of them. "
        "claude_files_server is configured by the ini options (one server per session).",
        "*MarkerHasNoEffect: @pytest.mark.claude_files_respx has no effect on test_no_router: it "
        "configures claude_files_respx, and the test uses none of them.",
    ])
    assert "test_applies" not in result.stdout.str().split("warnings summary")[1]
