"""Help that travels with the package: ``claude-files-fake docs`` and the [server] extra hint."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pytest_claude_files._core.docs import read_section

NO_UVICORN = (
    "import sys; sys.modules['uvicorn'] = None; "
    "from pytest_claude_files.server._cli import main; sys.exit(main(sys.argv[1:]))"
)


def run(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code, *args] if code else [
        sys.executable, "-m", "pytest_claude_files", *args
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_docs_prints_one_section() -> None:
    done = run("docs", "reference#ini-options")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "## Ini options"
    assert ("| `claude_files_storage_quota` | size | `1TB` | organization storage; beyond it an upload "
            "gets 400 `storage_quota_exceeded` |") in lines  # the table written from the settings table
    assert not any(line.startswith("<!--") for line in lines)  # its markers are not printed
    assert not any(line.startswith("## ") for line in lines[1:])  # stops at the next section


def test_docs_without_a_section_lists_the_pages() -> None:
    done = run("docs")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "pages (claude-files-fake docs PAGE, or PAGE#SECTION):"
    assert "  reference" in done.stdout.splitlines()


def test_docs_anchor_alone_searches_every_page() -> None:
    assert read_section("#unhandled-requests").splitlines()[0] == "## Unhandled requests"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("refrence", "claude-files-fake: error: no page 'refrence' (did you mean 'reference'?); pages: "),
        (
            "respx#unhandled-request",
            "claude-files-fake: error: no section 'unhandled-request' in page 'respx' (did you mean "
            "'unhandled-requests'?); run 'claude-files-fake docs respx' to read it all",
        ),
    ],
)
def test_docs_unknown_section_exits_2_with_did_you_mean(section: str, message: str) -> None:
    done = run("docs", section)
    assert done.returncode == 2
    assert done.stderr.startswith(message)
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_without_the_server_extra_is_one_line_and_exit_2() -> None:
    done = run("serve", "--port", "0", code=NO_UVICORN)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "claude-files-fake: error: serve needs uvicorn, which is not installed: "
        "pip install 'pytest-claude-files[server]'\n"
    )


def test_openapi_and_docs_work_without_the_server_extra() -> None:
    assert run("docs", "server#seed-files", code=NO_UVICORN).returncode == 0
    done = run("openapi", code=NO_UVICORN)
    assert done.returncode == 0 and done.stdout.startswith("{")
