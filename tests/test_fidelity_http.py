"""Fidelity over raw HTTP against the emulator: the headers the API checks, as a client sends them.

Also the plugin's handling of misuse warnings as a user meets it (pytester): the warnings
summary, ``misuse_warnings="error"`` and ``-W error::...``.
"""

from __future__ import annotations

import typing
import urllib.error
import urllib.request
from typing import Iterator

import pytest

from pytest_claude_files._http.headers import KNOWN_BETAS
from pytest_claude_files.server import ServerHandle, start_server

KEY = "sk-ant-fidelity"
BETA_400 = ("Unexpected value(s) `{}` for the `anthropic-beta` header. Please consult our documentation "
            "at docs.claude.com or try again without the header.")


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


def get(
    server: ServerHandle, headers: dict[str, str], path: str = "/v1/files"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"{server.base_url}{path}", headers={"x-api-key": KEY, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def error_of(answer: tuple[int, dict[str, str], bytes]) -> dict[str, str]:
    import json

    status, headers, body = answer
    assert status == 400, body
    envelope = json.loads(body)
    assert envelope["request_id"] == headers["request-id"]
    return envelope["error"]  # type: ignore[no-any-return]


def test_no_anthropic_version_is_400_naming_the_header(server: ServerHandle) -> None:
    answer = get(server, {})
    error = error_of(answer)
    assert error == {"type": "invalid_request_error", "message": "anthropic-version: header is required"}
    hint = {k.lower(): v for k, v in answer[1].items()}["x-claude-files-hint"]
    assert hint.startswith("send the header anthropic-version: 2023-06-01")  # a value to send (curl -i)


def test_an_unknown_anthropic_version_is_400_naming_the_header(server: ServerHandle) -> None:
    error = error_of(get(server, {"anthropic-version": "1999-01-01"}))
    assert error["message"] == 'anthropic-version: "1999-01-01" is not a valid version'


@pytest.mark.parametrize("version", ["2023-01-01", "2023-06-01", "2026-10-21"])
def test_the_valid_versions(server: ServerHandle, version: str) -> None:
    assert get(server, {"anthropic-version": version})[0] == 200


@pytest.mark.parametrize(("beta", "named"), [
    ("string", "string"),
    ("files-api", "files-api"),
    ("files-api-2025-04-14,", ""),
    ("files-api-2025-04-14, ,pdfs-2024-09-25", ""),
    ("Files-API-2025-04-14", "Files-API-2025-04-14"),
])
def test_a_malformed_anthropic_beta_is_400_naming_the_header(
    server: ServerHandle, beta: str, named: str
) -> None:
    error = error_of(get(server, {"anthropic-version": "2023-06-01", "anthropic-beta": beta}))
    assert error["message"] == BETA_400.format(named)


def test_every_beta_name_of_the_newest_sdk_is_accepted(server: ServerHandle) -> None:
    from anthropic.types import AnthropicBetaParam

    literal = next(
        arg for arg in typing.get_args(AnthropicBetaParam) if typing.get_origin(arg) is typing.Literal
    )
    names = typing.get_args(literal)
    assert len(names) > 10 and set(names) <= KNOWN_BETAS
    for name in names:
        status, _, body = get(server, {"anthropic-version": "2023-06-01", "anthropic-beta": name})
        assert status == 200, (name, body)
    everything = ", ".join(names)
    assert get(server, {"anthropic-version": "2023-06-01", "anthropic-beta": everything})[0] == 200


def test_the_workspace_header_comes_back_on_errors_too(server: ServerHandle) -> None:
    status, headers, _ = get(server, {"anthropic-workspace-id": "wrkspc_01X"})  # no version: 400
    assert status == 400 and headers["anthropic-workspace-id"] == "wrkspc_01X"
    both = {"anthropic-version": "2023-06-01", "anthropic-workspace-id": "wrkspc_01X"}
    status, headers, _ = get(server, both)
    assert status == 200 and headers["anthropic-workspace-id"] == "wrkspc_01X"


def test_the_server_checks_can_be_relaxed() -> None:
    from pytest_claude_files._core.files import FakeFilesSettings

    relaxed = FakeFilesSettings(check_anthropic_version=False, check_anthropic_beta=False)
    with start_server("127.0.0.1", 0, settings=relaxed) as handle:
        assert get(handle, {})[0] == 200
        assert get(handle, {"anthropic-version": "1999-01-01", "anthropic-beta": "string"})[0] == 200


# -- the warnings as a user meets them -----------------------------------------------------

MISUSE_TEST = """
    import pytest

    def test_upload(claude_files_client):
        claude_files_client.files.upload(file=("report.pdf", b"%PDF", "application/octet-stream"))
"""


def test_a_misuse_warning_is_in_the_warnings_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MISUSE_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*warnings summary*",
        "*/test_a_misuse_warning_is_in_the_warnings_summary.py:4: ClaudeFilesMisuseWarning: "
        "[[]octet-stream-upload[]] 'report.pdf' was uploaded as application/octet-stream*",
        '    claude_files_client.files.upload(file=("report.pdf", b"%PDF", "application/octet-stream"))',
    ])


@pytest.mark.parametrize("how", [("-W", "error::pytest_claude_files.errors.ClaudeFilesMisuseWarning"),
                                 ("-o", "claude_files_misuse_warnings=error")])
def test_misuse_can_fail_the_test(pytester: pytest.Pytester, how: tuple[str, str]) -> None:
    pytester.makepyfile(MISUSE_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", *how)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_upload*",
        "*the fake Claude Files API saw client misuse (ClaudeFilesMisuseWarning*",
        "*[[]octet-stream-upload[]] 'report.pdf' was uploaded as application/octet-stream*",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_misuse_error_by_marker_and_none_for_correct_use(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.claude_files(misuse_warnings="error")

        def test_correct(claude_files, claude_files_client):
            claude_files.add_files(45)
            assert len(list(claude_files_client.files.list())) == 45
            claude_files_client.files.upload(file=("report.pdf", b"%PDF", "application/pdf"))

        def test_one_page_read_as_everything(claude_files, claude_files_client):
            claude_files.add_files(45)
            assert len(claude_files_client.files.list().data) == 20
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_one_page_read_as_everything*",
        "*[[]unfinished-listing[]] a files.list() page of 20 file(s) said there was more (a next_page)*",
    ])


# -- one error builder, every front ----------------------------------------------------------


def test_a_control_api_fault_with_a_method_code_and_details(server: ServerHandle) -> None:
    import json

    from pytest_claude_files.errors import APPEAL_URL
    from pytest_claude_files.server.control_client import ControlClient

    control = ControlClient(server.base_url, KEY)
    control.error("list", 400, error_code="organization_on_hold", details={"hint": "x"})
    status, _, body = get(server, {"anthropic-version": "2023-06-01"})
    assert status == 400
    assert json.loads(body)["error"]["details"] == {
        "error_code": "organization_on_hold", "hint": "x", "appeal_url": APPEAL_URL}
    control.error("list", 431)
    assert get(server, {"anthropic-version": "2023-06-01"})[0] == 431


def test_strategies_and_faker_make_the_new_codes_and_statuses() -> None:
    from faker import Faker
    from hypothesis import given, settings

    from pytest_claude_files import errors, strategies
    from pytest_claude_files.faker_provider import ClaudeFilesProvider

    assert {408, 412, 422, 431, 499, 501, 503} <= set(errors.STATUS_TO_ERROR_TYPE)

    @settings(max_examples=20, database=None)
    @given(strategies.files_api_errors(error_code="organization_on_hold"))
    def on_hold(error: errors.FilesAPIError) -> None:
        assert error.status == 400
        assert error.details_json() == {"error_code": "organization_on_hold", "appeal_url": errors.APPEAL_URL}

    on_hold()
    fake = Faker()
    fake.add_provider(ClaudeFilesProvider)
    body = fake.claude_error_json(error_code="cmek_key_disabled")
    assert body["error"]["details"] == {"error_code": "cmek_key_disabled"}
    assert fake.claude_error(status=503).error_type == "api_error"
