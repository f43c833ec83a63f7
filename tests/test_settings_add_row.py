"""Adding a setting is one row: a row added to (a copy of) the settings table is at once a
marker argument, an ini option, a ``--claude-files-*`` option, an environment variable and a
``claude-files-fake serve`` flag, each parsed by the row's parser, with the same usage error
from every source, and a line in each of docs/reference.md's tables."""

from __future__ import annotations

from typing import Optional

import pytest

from pytest_claude_files._core import setting_parsers as p
from pytest_claude_files._core import settings_docs, settings_table
from pytest_claude_files._core.settings_table import ServeFlag, Setting
from pytest_claude_files.server._cli import build_parser, setting_values
from pytest_claude_files.server._cli import main as cli_main

ROW = Setting(
    "slow_down", "seconds each answer waits", "integer ≥ 0", "`0`", p.whole(0), type="`int` ≥ 0",
    ini="claude_files_slow_down", ini_help="Seconds each answer waits.",
    option="--claude-files-slow-down", metavar="N", option_help="seconds each answer waits",
    env="CLAUDE_FILES_SLOW_DOWN",
    serve=(ServeFlag("--slow-down", "value", "seconds each answer waits", "N"),),
)
PROBLEM = "expected a whole number >= 0, got 'soon'"


@pytest.fixture(autouse=True)
def one_more_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_table, "SETTINGS", (*settings_table.SETTINGS, ROW))
    monkeypatch.delenv("CLAUDE_FILES_SLOW_DOWN", raising=False)


def _inner_test(pytester: pytest.Pytester, marker: Optional[str], expected: object) -> None:
    mark = f"@pytest.mark.claude_files(slow_down={marker})\n" if marker is not None else ""
    pytester.makepyfile(
        f"import pytest\n\n{mark}def test_it(claude_files_config):\n"
        f"    assert claude_files_config.get('slow_down') == {expected!r}\n"
    )


@pytest.mark.parametrize(
    ("ini", "env", "option", "marker", "expected"),
    [
        (None, None, None, None, None),
        ("3", None, None, None, 3),
        ("3", "4", None, None, 4),
        ("3", "4", "5", None, 5),
        ("3", "4", "5", "6", 6),
        (None, None, None, "'7'", 7),
    ],
)
def test_the_row_is_read_from_every_source_the_closest_winning(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ini: Optional[str], env: Optional[str],
    option: Optional[str], marker: Optional[str], expected: Optional[int],
) -> None:
    if ini is not None:
        pytester.makeini(f"[pytest]\nclaude_files_slow_down = {ini}\n")
    if env is not None:
        monkeypatch.setenv("CLAUDE_FILES_SLOW_DOWN", env)
    _inner_test(pytester, marker, expected)
    args = [f"--claude-files-slow-down={option}"] if option is not None else []
    pytester.runpytest_inprocess("-p", "no:cacheprovider", *args).assert_outcomes(passed=1)


def test_the_row_is_in_pytest_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(["  --claude-files-slow-down=N", "*seconds each answer waits"])
    result.stdout.fnmatch_lines(["  claude_files_slow_down (string):", "*Seconds each answer waits."])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("ini", f"ERROR: claude_files_slow_down (ini option): {PROBLEM}. Fix the value in your pytest "
                "configuration; see claude-files-fake docs reference#ini-options"),
        ("env", f"ERROR: CLAUDE_FILES_SLOW_DOWN (environment variable): {PROBLEM}. Fix or unset the "
                "variable; see claude-files-fake docs reference#environment-variables"),
        ("option", f"ERROR: --claude-files-slow-down: {PROBLEM}. "
                   "See claude-files-fake docs reference#command-line-options"),
    ],
)
def test_a_bad_value_from_a_session_source_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str, message: str
) -> None:
    args = []
    if source == "ini":
        pytester.makeini("[pytest]\nclaude_files_slow_down = soon\n")
    elif source == "env":
        monkeypatch.setenv("CLAUDE_FILES_SLOW_DOWN", "soon")
    else:
        args = ["--claude-files-slow-down=soon"]
    _inner_test(pytester, None, None)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_a_bad_marker_value_fails_the_test_with_the_same_problem(pytester: pytest.Pytester) -> None:
    _inner_test(pytester, "'soon'", None)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*@pytest.mark.claude_files: slow_down: {PROBLEM}. "
                                 "See claude-files-fake docs reference#the-claude_files-marker"])


def test_the_row_is_a_serve_flag_and_reads_its_variable() -> None:
    args = build_parser().parse_args(["serve", "--slow-down", "7"])
    assert setting_values(args, environ={})["slow_down"] == 7
    plain = build_parser().parse_args(["serve"])
    assert setting_values(plain, environ={"CLAUDE_FILES_SLOW_DOWN": "8"})["slow_down"] == 8
    assert "slow_down" not in setting_values(plain, environ={})
    with pytest.raises(ValueError, match=r"CLAUDE_FILES_SLOW_DOWN \(environment variable\): expected"):
        setting_values(plain, environ={"CLAUDE_FILES_SLOW_DOWN": "soon"})


def test_a_bad_serve_flag_exits_2_with_the_same_problem(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli_main(["serve", "--slow-down", "soon"])
    assert info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"claude-files-fake serve: error: argument --slow-down: {PROBLEM}"


def test_the_row_is_in_every_docs_table() -> None:
    tables = settings_docs.tables()
    assert "| `slow_down` | `int` ≥ 0 | `0` | seconds each answer waits |" in tables["marker"]
    assert "| `claude_files_slow_down` | integer ≥ 0 | `0` | seconds each answer waits |" in tables["ini"]
    assert ("| [`--claude-files-slow-down`](#-claude-files-slow-down) | integer ≥ 0 | `0` | "
            "seconds each answer waits |") in tables["options"]
    assert "| `CLAUDE_FILES_SLOW_DOWN` | the plugin | seconds each answer waits |" in tables["env"]
    assert "| `--slow-down` | integer ≥ 0 | `0` | seconds each answer waits |" in tables["serve"]


def test_the_same_problem_from_every_source_of_a_real_setting(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """``storage_quota`` from the marker, the ini option and the serve flag: one problem text."""
    problem = ("expected a size such as 1048576, 10MB, 10MiB, 512k or 1.5GiB (binary units: "
               "1KB = 1024 bytes), got 'lots'")
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.claude_files(storage_quota='lots')\n"
        "def test_it(claude_files):\n    pass\n"
    )
    marker = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    marker.stdout.fnmatch_lines([f"*@pytest.mark.claude_files: storage_quota: {problem}. See *"])
    pytester.makeini("[pytest]\nclaude_files_storage_quota = lots\n")
    ini = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    ini.stderr.fnmatch_lines([f"ERROR: claude_files_storage_quota (ini option): {problem}. Fix the value*"])
    with pytest.raises(SystemExit):
        cli_main(["serve", "--storage-quota", "lots"])
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(f"--storage-quota: {problem}")
