"""The session verdict: one report of the file lifecycle at the end of the session."""

from __future__ import annotations

import json

import pytest

from .conftest import NO_UNRELATED_PLUGINS

THREE_KINDS = """
import anthropic

from pytest_claude_files import FakeFiles, make_sdk_client, FilesHandler


def test_octet_stream(claude_files_client):
    claude_files_client.beta.files.upload(file=("report.pdf", b"%PDF-1.4", "application/octet-stream"))


def test_same_bytes_twice(claude_files_client):
    first = claude_files_client.beta.files.upload(file=("a.txt", b"same bytes", "text/plain"))
    claude_files_client.beta.files.upload(file=("b.txt", b"same bytes", "text/plain"))
    claude_files_client.beta.files.delete(first.id)


def test_retries_a_404(claude_files_client):
    for _ in range(2):
        try:
            claude_files_client.beta.files.retrieve_metadata("file_011CNha8iCJcU1wXNR6q4V8w")
        except anthropic.NotFoundError:
            pass
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_three=THREE_KINDS)
    return pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-p", "no:cacheprovider", *args, timeout=120)


def test_one_verdict_names_each_kind_with_the_test_and_the_user_s_line(pytester: pytest.Pytester) -> None:
    report = pytester.path / "verdict.json"
    result = run(pytester, f"--claude-files-report={report}")

    result.assert_outcomes(passed=3)
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "*= claude-files verdict =*",
        "* finding(s) of 4 kind(s) in 3 test(s)",
        "duplicate-upload (1): *",
        "  test_three.py::test_same_bytes_twice at test_three.py:12: 'b.txt' (10 bytes) was uploaded with "
        "the same bytes as file_*",
        "non-retryable-retried (1): *",
        "  test_three.py::test_retries_a_404 at test_three.py:19: GET "
        "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w was sent again, unchanged, after it was answered 404 "
        "not_found_error*",
        "octet-stream-upload (1): *",
        "  test_three.py::test_octet_stream at test_three.py:7: 'report.pdf' was uploaded as "
        "application/octet-stream*",
        "upload-never-deleted (2): *",
        "  test_three.py::test_octet_stream at test_three.py:7: file_* ('report.pdf') was uploaded and*",
    ])
    data = json.loads(report.read_text())
    assert data["fails_session"] is False
    assert data["counts"] == {"duplicate-upload": 1, "non-retryable-retried": 1, "octet-stream-upload": 1,
                              "upload-never-deleted": 2}
    found = {(e["code"], e["test"], e["where"]) for e in data["entries"]}
    assert ("octet-stream-upload", "test_three.py::test_octet_stream", "test_three.py:7") in found
    assert ("duplicate-upload", "test_three.py::test_same_bytes_twice", "test_three.py:12") in found
    assert ("non-retryable-retried", "test_three.py::test_retries_a_404", "test_three.py:19") in found


def test_the_fail_setting_exits_non_zero(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--claude-files-verdict=fail")
    result.assert_outcomes(passed=3)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["* (--claude-files-verdict=fail: the session fails)"])

    pytester.makeini("[pytest]\nclaude_files_verdict = fail\n")
    assert run(pytester).ret == 1


def test_a_bad_verdict_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--claude-files-verdict=fial")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--claude-files-verdict: expected one of report, fail, off, got 'fial' "
                                 "(did you mean 'fail'?)*"])


BARE = """
import anthropic
from pytest_claude_files import FakeFiles, FilesHandler, make_sdk_client


def test_bare_fake():
    client = make_sdk_client(FilesHandler(FakeFiles()))
    client.beta.files.upload(file=("scan.png", b"PNG", "application/octet-stream"))
"""


def test_error_filter_on_a_bare_fake_keeps_the_notice_and_fails_the_session(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_bare=BARE)
    result = pytester.runpytest_subprocess(
        *NO_UNRELATED_PLUGINS, "-p", "no:cacheprovider",
        "-W", "error::pytest_claude_files.errors.ClaudeFilesMisuseWarning", timeout=120)
    result.assert_outcomes(passed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "octet-stream-upload (1): *",
        "  test_bare.py::test_bare_fake at test_bare.py:7 [[]raised as an error by the warning filters[]]: "
        "'scan.png' was uploaded*",
        "1 notice(s) were raised as errors by the warning filters and no test failed with them: the "
        "session fails",
    ])


TEARDOWN = """
def test_reads_one_page(claude_files, claude_files_client):
    claude_files.add_files(25)
    claude_files_client.beta.files.list()
"""


def test_a_notice_given_at_teardown_points_at_the_user_s_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_page=TEARDOWN)
    result = pytester.runpytest_subprocess(*NO_UNRELATED_PLUGINS, "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "*test_page.py:3: ClaudeFilesMisuseWarning: [[]unfinished-listing[]]*",
        "  test_page.py::test_reads_one_page at test_page.py:3: a files.list() page of 20 file(s)*",
    ])
