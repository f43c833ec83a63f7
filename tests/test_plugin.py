"""The plugin as users meet it, through ``pytester``: fixtures, marker, ini options, errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_fixtures_give_a_fresh_fake_and_bound_clients(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import anthropic
        import pytest
        from pytest_claude_files import FakeFiles, FilesHandler

        def test_one(claude_files, claude_files_handler, claude_files_client):
            assert isinstance(claude_files, FakeFiles) and len(claude_files) == 0
            assert isinstance(claude_files_handler, FilesHandler)
            assert claude_files_handler.files is claude_files
            assert type(claude_files_client) is anthropic.Anthropic
            meta = claude_files_client.files.upload(file=("a.txt", b"abc", "text/plain"))
            assert meta.id in claude_files

        def test_two_starts_empty(claude_files):
            assert len(claude_files) == 0 and claude_files.calls == []

        @pytest.mark.anyio
        async def test_async(claude_files, claude_files_async_client):
            assert type(claude_files_async_client) is anthropic.AsyncAnthropic
            made = claude_files.add_file("out.csv", "a,b", downloadable=True)
            response = await claude_files_async_client.files.download(made.id)
            assert await response.read() == b"a,b"

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=3)


def test_marker_merges_module_class_test_over_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        claude_files_storage_quota = 1MB
        claude_files_max_file_size = 512KB
        claude_files_rate_limit = 100
        claude_files_max_retries = 1
        claude_files_api_keys =
            sk-one
            sk-two
        """
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.claude_files(storage_quota="2MB", rate_limit=50)

        def test_module_level(claude_files, claude_files_config):
            assert claude_files.settings.storage_quota == 2 * 1024**2
            assert claude_files.settings.max_file_size == 512 * 1024
            assert claude_files.settings.rate_limit == 50
            assert claude_files.settings.api_keys == frozenset({"sk-one", "sk-two"})
            assert claude_files_config.max_retries == 1

        @pytest.mark.claude_files(rate_limit=10, max_file_size=100)
        class TestClass:
            def test_class_level(self, claude_files):
                assert (claude_files.settings.storage_quota, claude_files.settings.rate_limit,
                        claude_files.settings.max_file_size) == (2 * 1024**2, 10, 100)

            @pytest.mark.claude_files(rate_limit=5, api_keys=["sk-test"])
            def test_test_level(self, claude_files, claude_files_client):
                assert (claude_files.settings.rate_limit, claude_files.settings.max_file_size) == (5, 100)
                assert claude_files.settings.api_keys == frozenset({"sk-test"})
                assert claude_files_client.api_key == "sk-test"  # the first accepted key
                assert claude_files_client.max_retries == 1
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=3)


def test_clock_from_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import datetime, timezone
        import pytest

        @pytest.mark.claude_files(now="2025-04-15T18:37:24.100435Z", freeze_time=True)
        def test_frozen(claude_files, claude_files_client):
            meta = claude_files_client.files.upload(file=("a.txt", b"x", "text/plain"))
            assert meta.created_at == datetime(2025, 4, 15, 18, 37, 24, 100435, tzinfo=timezone.utc)
            claude_files.clock.advance(hours=1)
            assert claude_files.clock.now().hour == 19

        @pytest.mark.claude_files(now=datetime(2030, 1, 1, tzinfo=timezone.utc))
        def test_running_from_a_start(claude_files):
            assert claude_files.clock.now().year == 2030 and not claude_files.clock.frozen
        """
    )
    pytester.runpytest("-q").assert_outcomes(passed=2)


def test_api_key_and_wrong_key(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import anthropic
        import pytest

        @pytest.mark.claude_files(api_keys=["sk-good"], api_key="sk-bad", max_retries=0)
        def test_refused(claude_files_client):
            with pytest.raises(anthropic.AuthenticationError):
                claude_files_client.files.list()
        """
    )
    pytester.runpytest("-q").assert_outcomes(passed=1)


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.claude_files(**settings): configure the fake Claude Files API for a test "
            "(api_keys, api_key, storage_quota, max_file_size, rate_limit, now, freeze_time, max_retries, "
            "guess_mime_type, check_anthropic_version, check_anthropic_beta, known_betas, "
            "partition_workspaces, misuse_warnings, cassette); "
            "see claude-files-fake docs reference#the-claude_files-marker",
        ]
    )


def test_ini_options_are_listed_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "*claude_files_api_keys (linelist):*",
            "*claude_files_storage_quota (string):*",
            "*claude_files_max_file_size (string):*",
            "*claude_files_rate_limit (string):*",
            "*claude_files_max_retries (string):*",
        ]
    )


def test_report_header(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nclaude_files_storage_quota = 10MB\nclaude_files_api_keys = sk-secret\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    from importlib import metadata

    result.stdout.fnmatch_lines(
        [
            f"claude-files: anthropic {metadata.version('anthropic')}; "
            "api_keys=1 accepted, storage_quota=10MB, max_file_size=500MB, rate_limit=unlimited, "
            "max_retries=SDK default",
        ]
    )
    assert "sk-secret" not in result.stdout.str()


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        (
            "claude_files_storage_quota = lots",
            "ERROR: claude_files_storage_quota (ini option): "
            "expected a size such as 1048576, 10MB, 10MiB, 512k or 1.5GiB (binary units: 1KB = 1024 bytes), "
            "got 'lots'. "
            "Fix the value in your pytest configuration; see claude-files-fake docs reference#ini-options",
        ),
        (
            "claude_files_rate_limit = 0",
            "ERROR: claude_files_rate_limit (ini option): expected a whole number >= 1 (requests per minute) "
            "or one of 'documented', got '0'. "
            "Fix the value in your pytest configuration; see claude-files-fake docs reference#ini-options",
        ),
        (
            "claude_files_max_retries = -1",
            "ERROR: claude_files_max_retries (ini option): expected a whole number >= 0, got '-1'. "
            "Fix the value in your pytest configuration; see claude-files-fake docs reference#ini-options",
        ),
    ],
)
def test_bad_ini_is_a_usage_error(pytester: pytest.Pytester, ini: str, message: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


BAD_MARKERS = [
    (
        "claude_files(10)",
        "@pytest.mark.claude_files takes keyword arguments only, got (10,). "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(quota=10)",
        "@pytest.mark.claude_files: unknown argument(s) quota. Known arguments: api_keys, api_key, "
        "storage_quota, max_file_size, rate_limit, now, freeze_time, max_retries, guess_mime_type, "
        "check_anthropic_version, check_anthropic_beta, known_betas, partition_workspaces, misuse_warnings, "
        "cassette. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(storage_quota='big')",
        "@pytest.mark.claude_files: storage_quota: "
        "expected a size such as 1048576, 10MB, 10MiB, 512k or 1.5GiB (binary units: 1KB = 1024 bytes), "
        "got 'big'. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(max_file_size=-1)",
        "@pytest.mark.claude_files: max_file_size: a size cannot be negative, got -1. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(api_keys=[])",
        "@pytest.mark.claude_files: api_keys: expected a non-empty list of non-empty strings. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(api_key='')",
        "@pytest.mark.claude_files: api_key: expected a non-empty string. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(rate_limit='fast')",
        "@pytest.mark.claude_files: rate_limit: expected a whole number >= 1 (requests per minute) or one "
        "of 'documented', got 'fast'. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(now='yesterday')",
        "@pytest.mark.claude_files: now: expected a datetime or an ISO 8601 string, got 'yesterday'. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
    (
        "claude_files(freeze_time='yes')",
        "@pytest.mark.claude_files: freeze_time: expected True or False, got 'yes'. "
        "See claude-files-fake docs reference#the-claude_files-marker",
    ),
]


def test_bad_marker_fails_the_test_with_a_message(pytester: pytest.Pytester) -> None:
    tests = "\n".join(
        f"@pytest.mark.{marker}\ndef test_bad_{i}(claude_files):\n    pass\n"
        for i, (marker, _) in enumerate(BAD_MARKERS)
    )
    pytester.makepyfile(f"import pytest\n\n{tests}")
    result = pytester.runpytest("-q", "-rE")
    result.assert_outcomes(errors=len(BAD_MARKERS))
    for i, (_, message) in enumerate(BAD_MARKERS):
        result.stdout.fnmatch_lines(
            [
                f"_* ERROR at setup of test_bad_{i} _*",
                message,
            ]
        )
    assert "Traceback" not in result.stdout.str()
