"""One size syntax for the marker, the ini options and the command line (``_core.sizes``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pytest_claude_files._core.sizes import ACCEPTED_SIZES, SizeError, format_size, parse_size

KIB, MIB, GIB = 1024, 1024**2, 1024**3


@pytest.mark.parametrize(
    ("text", "size"),
    [
        (0, 0), (1048576, 1048576), ("1048576", 1048576), (2.0, 2),
        ("10MB", 10 * MIB), ("10MiB", 10 * MIB), ("10 mb", 10 * MIB), ("10M", 10 * MIB),
        ("512k", 512 * KIB), ("512KB", 512 * KIB), ("512KiB", 512 * KIB),
        ("1.5GiB", 3 * GIB // 2), ("1.5G", 3 * GIB // 2), ("1TB", 1024 * GIB), ("7B", 7), ("0.5k", 512),
    ],
)
def test_accepted_forms(text: object, size: int) -> None:
    assert parse_size(text) == size  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5i", f"expected {ACCEPTED_SIZES}, got '5i'"),
        ("lots", f"expected {ACCEPTED_SIZES}, got 'lots'"),
        ("10 parsecs", f"expected {ACCEPTED_SIZES}, got '10 parsecs'"),
        ("1.5", f"'1.5' is not a whole number of bytes; expected {ACCEPTED_SIZES}"),
        ("1.3k", f"'1.3k' is not a whole number of bytes; expected {ACCEPTED_SIZES}"),
        (1.5, f"1.5 is not a whole number of bytes; expected {ACCEPTED_SIZES}"),
        (-1, "a size cannot be negative, got -1"),
        (True, f"expected {ACCEPTED_SIZES}, got True"),
    ],
)
def test_refused_forms_name_the_accepted_ones(text: object, message: str) -> None:
    with pytest.raises(SizeError) as info:
        parse_size(text)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_format_size_round_trips() -> None:
    for size in (0, 7, 512 * KIB, 10 * MIB, 3 * GIB):
        assert parse_size(format_size(size)) == size


@pytest.mark.parametrize("value", ["10MiB", "512k", "1.5GiB"])
def test_marker_ini_and_command_line_agree(pytester: pytest.Pytester, value: str) -> None:
    expected = parse_size(value)
    pytester.makeini(f"[pytest]\nclaude_files_max_file_size = {value}\n")
    pytester.makepyfile(
        f"""
        import pytest

        def test_ini(claude_files_config):
            assert claude_files_config.max_file_size == {expected}

        @pytest.mark.claude_files(storage_quota={value!r})
        def test_marker(claude_files_config):
            assert claude_files_config.storage_quota == {expected}
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
    from pytest_claude_files.server._cli import build_parser

    args = build_parser().parse_args(["serve", "--storage-quota", value, "--max-file-size", value])
    assert args.storage_quota == args.max_file_size == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [("5i", "'5i'"), ("1.5", "'1.5' is not a whole number of bytes; expected")],
)
def test_junk_is_refused_everywhere(pytester: pytest.Pytester, value: str, shown: str) -> None:
    pytester.makeini(f"[pytest]\nclaude_files_storage_quota = {value}\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.stderr.fnmatch_lines([f"ERROR: claude_files_storage_quota (ini option): *{shown}*"])
    done = subprocess.run(
        [sys.executable, "-m", "pytest_claude_files", "serve", "--storage-quota", value],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(
        "claude-files-fake serve: error: argument --storage-quota: "
    )
    assert shown in done.stderr


def test_config_error_names_its_setting() -> None:
    from pytest_claude_files._plugin.config import ConfigError, validate

    with pytest.raises(ConfigError) as info:
        validate({"max_file_size": "5i"}, "@pytest.mark.claude_files")
    assert info.value.setting == "max_file_size"
    assert str(info.value) == f"@pytest.mark.claude_files: max_file_size: expected {ACCEPTED_SIZES}, got '5i'"


def test_ini_settings_are_parsed_once(pytester: pytest.Pytester) -> None:
    """The ini options are validated in pytest_configure and kept in config.stash."""
    pytester.makeini("[pytest]\nclaude_files_storage_quota = 1MB\n")
    pytester.makepyfile(
        """
        from pytest_claude_files._plugin import config as cfg

        def test_stash(request, claude_files_config):
            raw, parsed = request.config.stash[cfg.INI_SETTINGS]
            assert raw == {"storage_quota": 1048576}  # parsed by its row of the settings table
            assert parsed is claude_files_config  # no marker: the parsed settings, not a re-parse
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
