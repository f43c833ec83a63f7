"""A bug in the fake is never a silent 500: it is recorded, logged, and fails the test at
teardown with its traceback; faults the test asked for are not internal errors."""

from __future__ import annotations

import logging

import pytest

from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http.handler import FilesHandler, HTTPRequest, HTTPResponse, internal_errors_report

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


def _list(handler: FilesHandler) -> HTTPResponse:
    return handler(HTTPRequest.build("GET", "/v1/files", "", HEADERS))


def test_an_exception_of_the_fake_is_recorded_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    files = FakeFiles()

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero in list_ga")

    monkeypatch.setattr(files, "list_ga", broken)
    handler = FilesHandler(files)
    with caplog.at_level(logging.ERROR, logger="pytest_claude_files"):
        response = _list(handler)
    assert response.status == 500 and response.json()["error"]["type"] == "api_error"
    [error] = handler.internal_errors
    assert (error.method, error.path) == ("GET", "/v1/files")
    assert isinstance(error.error, ZeroDivisionError)
    assert "ZeroDivisionError: division by zero in list_ga" in error.traceback
    assert "in broken" in error.traceback
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
    report = internal_errors_report(handler.internal_errors, "claude_files")
    assert report.startswith("claude_files: the fake Files API hit 1 internal error(s)")


def test_api_errors_and_hook_answers_are_not_internal_errors() -> None:
    handler = FilesHandler(FakeFiles())
    assert handler(HTTPRequest.build("GET", "/v1/files/file_missing", "", HEADERS)).status == 404
    handler.hooks.append(lambda request, op: HTTPResponse(500, [], b"{}"))  # a fault asked for
    assert _list(handler).status == 500
    assert handler.internal_errors == []


INNER = """
import anthropic
import pytest
from pytest_claude_files._core.service import FakeFiles


@pytest.fixture
def broken_upload(monkeypatch):
    def upload(self, *args, **kwargs):
        return 1 / 0
    monkeypatch.setattr(FakeFiles, "upload", upload)


@pytest.mark.claude_files(max_retries=0)
def test_upload_against_a_broken_fake(broken_upload, claude_files_client):
    with pytest.raises(anthropic.InternalServerError):
        claude_files_client.beta.files.upload(file=("a.txt", b"hi", "text/plain"))


def test_respx_against_a_broken_fake(broken_upload, claude_files_respx):
    client = anthropic.Anthropic(api_key="k", max_retries=1)
    with pytest.raises(anthropic.InternalServerError):
        client.beta.files.upload(file=("a.txt", b"hi", "text/plain"))
    assert len(claude_files_respx.calls) == 2  # the SDK retried the 500


def test_a_fault_the_test_asked_for(claude_files_respx):
    from pytest_claude_files import scenarios
    claude_files_respx.inject("upload", scenarios.error(500), times=1)
    client = anthropic.Anthropic(api_key="k", max_retries=0)
    with pytest.raises(anthropic.InternalServerError):
        client.beta.files.upload(file=("a.txt", b"hi", "text/plain"))
"""


def test_a_bug_in_the_fake_fails_the_test_at_teardown_with_the_traceback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(INNER)
    result = pytester.runpytest("-q", "-p", "no:faker", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_upload_against_a_broken_fake*",
        "*claude_files: the fake Files API hit 1 internal error(s)*",
        "*POST /v1/files raised ZeroDivisionError: division by zero*",
        "*return 1 / 0*",
        "*ERROR at teardown of test_respx_against_a_broken_fake*",
        "*claude_files: the fake Files API hit 2 internal error(s)*",
    ])
    assert "test_a_fault_the_test_asked_for" not in "\n".join(
        line for line in result.outlines if "ERROR" in line)


def test_the_server_session_collects_the_internal_errors_of_every_tenant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from pytest_claude_files._live.server_session import ClaudeFilesServer

    handlers = [FilesHandler(FakeFiles()), FilesHandler(FakeFiles())]
    monkeypatch.setattr(handlers[1].files, "list_ga", lambda **kw: 1 / 0)
    assert _list(handlers[0]).status == 200 and _list(handlers[1]).status == 500
    handle: object = SimpleNamespace(tenants=[SimpleNamespace(handler=h) for h in handlers])
    server = ClaudeFilesServer("http://127.0.0.1:9", "k", handle)  # type: ignore[arg-type]
    assert [type(e.error) for e in server.internal_errors()] == [ZeroDivisionError]
    assert ClaudeFilesServer("http://127.0.0.1:9", "k").internal_errors() == []
