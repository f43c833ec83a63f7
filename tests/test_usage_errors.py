"""The error messages a user meets name the setting and the fix, word for word.

Each case runs as a user meets it (pytester for pytest options, ini options and markers;
the console script's ``main`` for ``claude-files-fake``) and checks the exact text. Every
``claude-files-fake docs PAGE#anchor`` the package prints must exist in the docs.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from pytest_claude_files.server._cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_claude_files"
ENV_NAMES = (
    "CLAUDE_FILES_BACKEND",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "CLAUDE_FILES_SERVER_URL",
    "CLAUDE_FILES_SERVER_API_KEY",
)
MARKER_DOCS = "See claude-files-fake docs reference#the-claude_files-marker"
INI_DOCS = "Fix the value in your pytest configuration; see claude-files-fake docs reference#ini-options"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def run_usage_error(pytester: pytest.Pytester, *args: str, ini: str = "") -> pytest.RunResult:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    return result


# -- command-line options ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--claude-files-backend=mock"],
            "ERROR: --claude-files-backend: expected one of fake, server, real, "
            "replay, got 'mock'. See claude-files-fake docs real-backend",
        ),
        (
            ["--claude-files-cleanup=maybe"],
            "ERROR: --claude-files-cleanup: expected on or off (true/false), got 'maybe'. "
            "See claude-files-fake docs real-backend",
        ),
        (
            ["--claude-files-seed=abc"],
            "ERROR: --claude-files-seed: expected an integer seed, got 'abc'. "
            "See claude-files-fake docs strategies#seeds",
        ),
        (
            ["--claude-files-sweep"],
            "ERROR: --claude-files-sweep deletes uploads made to a live backend, so it needs one: "
            "--claude-files-backend=real with ANTHROPIC_API_KEY set, or --claude-files-backend=server "
            "with CLAUDE_FILES_SERVER_URL and CLAUDE_FILES_SERVER_API_KEY (now: fake, from default). "
            "See claude-files-fake docs real-backend",
        ),
    ],
)
def test_bad_command_line_option(pytester: pytest.Pytester, args: list[str], message: str) -> None:
    result = run_usage_error(pytester, *args)
    result.stderr.fnmatch_lines([message])


def test_a_ledger_directory_that_is_a_symlink_is_refused(pytester: pytest.Pytester) -> None:
    (pytester.path / "elsewhere").mkdir()
    (pytester.path / ".claude-files-ledger").symlink_to(pytester.path / "elsewhere")
    result = run_usage_error(pytester, "--claude-files-backend=real")
    result.stderr.fnmatch_lines([
        "ERROR: claude_files_ledger_dir: the ledger directory */.claude-files-ledger is not a directory "
        "of its own (a symlink or a file); remove it, or set claude_files_ledger_dir to another path. "
        "See claude-files-fake docs real-backend",
    ])


# -- environment variables -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        (
            {"CLAUDE_FILES_BACKEND": "prod"},
            [],
            "ERROR: CLAUDE_FILES_BACKEND (environment variable): expected one of fake, server, real, "
            "replay, got 'prod'. Fix or unset "
            "the variable; see claude-files-fake docs real-backend",
        ),
        (
            {"ANTHROPIC_BASE_URL": "api.anthropic.com", "ANTHROPIC_API_KEY": "sk-ant-x"},
            ["--claude-files-backend=real"],
            "ERROR: ANTHROPIC_BASE_URL='api.anthropic.com': expected an http(s) URL such as "
            "https://api.anthropic.com or http://127.0.0.1:8000. See claude-files-fake docs real-backend",
        ),
        (
            {"CLAUDE_FILES_SERVER_URL": "https://api.anthropic.com"},
            ["--claude-files-backend=server"],
            "ERROR: CLAUDE_FILES_SERVER_URL=https://api.anthropic.com: that is the real API, not the "
            "emulator. Use --claude-files-backend=real to talk to the real API, or point "
            "CLAUDE_FILES_SERVER_URL at an emulator (claude-files-fake serve). "
            "See claude-files-fake docs real-backend",
        ),
        (
            {"CLAUDE_FILES_SERVER_URL": "http://127.0.0.1:9"},
            ["--claude-files-backend=server", "--claude-files-sweep"],
            "ERROR: --claude-files-sweep on --claude-files-backend=server needs "
            "CLAUDE_FILES_SERVER_API_KEY, which is not set: the emulator keeps files per API key, so set "
            "it to the key the uploads were made with (CLAUDE_FILES_SERVER_URL=http://127.0.0.1:9). "
            "See claude-files-fake docs real-backend",
        ),
        (
            {"ANTHROPIC_API_KEY": ""},
            ["--claude-files-backend=real", "--claude-files-sweep"],
            "ERROR: --claude-files-sweep on --claude-files-backend=real needs ANTHROPIC_API_KEY, which is "
            "not set: set it to the key the uploads were made with. See claude-files-fake docs real-backend",
        ),
    ],
)
def test_bad_environment_variable(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: list[str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run_usage_error(pytester, *args)
    result.stderr.fnmatch_lines([message])
    assert "sk-ant-x" not in result.stderr.str()


def test_missing_key_for_real_skips_with_the_reason_and_sends_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_portable(claude_files_client):
            claude_files_client.beta.files.list()

        @pytest.mark.claude_files_real
        def test_real_only():
            pass
        """
    )
    result = pytester.runpytest("--claude-files-backend=real", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([
        "claude-files: backend real: ANTHROPIC_API_KEY is not set; tests that need it were skipped "
        "and nothing was sent",
        "SKIPPED [[]1[]] test_missing_key_for_real_skips_with_the_reason_and_sends_nothing.py:3: "
        "claude-files: the real backend needs ANTHROPIC_API_KEY, which is not set; skipped, nothing "
        "was sent (see claude-files-fake docs real-backend)",
        "SKIPPED [[]1[]] test_missing_key_for_real_skips_with_the_reason_and_sends_nothing.py:6: "
        "claude-files: the real backend needs ANTHROPIC_API_KEY, which is not set; skipped, nothing "
        "was sent (see claude-files-fake docs real-backend)",
    ])


def test_real_marker_on_the_fake_says_how_to_run_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.claude_files_real
        def test_real_only():
            pass
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([
        "SKIPPED [[]1[]] test_real_marker_on_the_fake_says_how_to_run_it.py:*: claude-files: needs the "
        "real Files API; run with --claude-files-backend=real and ANTHROPIC_API_KEY set (backend now: fake)",
    ])


# -- ini options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ini", "message"),
    [
        (
            "claude_files_max_file_size = 1 bucket",
            "ERROR: claude_files_max_file_size (ini option): expected a size such as 1048576, 10MB, 10MiB, "
            f"512k or 1.5GiB (binary units: 1KB = 1024 bytes), got '1 bucket'. {INI_DOCS}",
        ),
        (
            "claude_files_backend = prod",
            "ERROR: claude_files_backend (ini option): expected one of fake, server, real, "
            "replay, got 'prod'. Fix the value in your "
            "pytest configuration; see claude-files-fake docs real-backend",
        ),
        (
            "claude_files_cleanup = sometimes",
            "ERROR: claude_files_cleanup (ini option): expected on or off (true/false), got 'sometimes'. "
            "Fix the value in your pytest configuration; see claude-files-fake docs real-backend",
        ),
        (
            "claude_files_record_all = perhaps",
            "ERROR: claude_files_record_all (ini option): expected on or off (true/false), got 'perhaps'. "
            "Fix the value in your pytest configuration; see claude-files-fake docs real-backend",
        ),
        (
            "claude_files_cleanup_budget = -5",
            "ERROR: claude_files_cleanup_budget (ini option): expected a number of seconds >= 0, got '-5'. "
            "Fix the value in your pytest configuration; see claude-files-fake docs real-backend",
        ),
        (
            "claude_files_seed = twelve",
            "ERROR: claude_files_seed (ini option): expected an integer seed, got 'twelve'. "
            "Fix the value in your pytest configuration; see claude-files-fake docs strategies#seeds",
        ),
        (
            "claude_files_guess_mime_type = sometimes",
            "ERROR: claude_files_guess_mime_type (ini option): expected True or False (ini: true or false), "
            f"got 'sometimes'. {INI_DOCS}",
        ),
        (
            "claude_files_check_anthropic_version = maybe",
            "ERROR: claude_files_check_anthropic_version (ini option): expected True or False (ini: true or "
            f"false), got 'maybe'. {INI_DOCS}",
        ),
        (
            "claude_files_check_anthropic_beta = lax",
            "ERROR: claude_files_check_anthropic_beta (ini option): expected True or False (ini: true or "
            f"false), got 'lax'. {INI_DOCS}",
        ),
        (
            "claude_files_known_betas = files-api",
            "ERROR: claude_files_known_betas (ini option): expected beta names such as "
            f"'files-api-2025-04-14', got 'files-api'. {INI_DOCS}",
        ),
        (
            "claude_files_partition_workspaces = per-key",
            "ERROR: claude_files_partition_workspaces (ini option): expected True or False (ini: true or "
            f"false), got 'per-key'. {INI_DOCS}",
        ),
        (
            "claude_files_misuse_warnings = loud",
            "ERROR: claude_files_misuse_warnings (ini option): expected one of warn, error, ignore, got "
            f"'loud'. {INI_DOCS}",
        ),
    ],
)
def test_bad_ini_option(pytester: pytest.Pytester, ini: str, message: str) -> None:
    result = run_usage_error(pytester, ini=ini)
    result.stderr.fnmatch_lines([message])


# -- markers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "fixture", "message"),
    [
        (
            "claude_files(storage_quota='10 parsecs')",
            "claude_files",
            "@pytest.mark.claude_files: storage_quota: expected a size such as 1048576, 10MB, 10MiB, 512k "
            f"or 1.5GiB (binary units: 1KB = 1024 bytes), got '10 parsecs'. {MARKER_DOCS}",
        ),
        (
            "claude_files(max_retries=-1)",
            "claude_files_client",
            f"@pytest.mark.claude_files: max_retries: expected a whole number >= 0, got -1. {MARKER_DOCS}",
        ),
        (
            "claude_files(api_keys='')",
            "claude_files",
            "@pytest.mark.claude_files: api_keys: expected a non-empty list of non-empty strings. "
            f"{MARKER_DOCS}",
        ),
        (
            "claude_files(guess_mime_type='yes')",
            "claude_files",
            "@pytest.mark.claude_files: guess_mime_type: expected True or False (ini: true or false), "
            f"got 'yes'. {MARKER_DOCS}",
        ),
        (
            "claude_files(check_anthropic_version='off')",
            "claude_files",
            "@pytest.mark.claude_files: check_anthropic_version: expected True or False (ini: true or "
            f"false), got 'off'. {MARKER_DOCS}",
        ),
        (
            "claude_files(check_anthropic_beta=2)",
            "claude_files",
            "@pytest.mark.claude_files: check_anthropic_beta: expected True or False (ini: true or false), "
            f"got 2. {MARKER_DOCS}",
        ),
        (
            "claude_files(known_betas=['string'])",
            "claude_files",
            "@pytest.mark.claude_files: known_betas: expected beta names such as 'files-api-2025-04-14', "
            f"got ['string']. {MARKER_DOCS}",
        ),
        (
            "claude_files(partition_workspaces='per-key')",
            "claude_files_client",
            "@pytest.mark.claude_files: partition_workspaces: expected True or False (ini: true or false), "
            f"got 'per-key'. {MARKER_DOCS}",
        ),
        (
            "claude_files(misuse_warnings='raise')",
            "claude_files",
            "@pytest.mark.claude_files: misuse_warnings: expected one of warn, error, ignore, got 'raise'. "
            f"{MARKER_DOCS}",
        ),
        (
            "claude_files_respx(stateful='yes')",
            "claude_files_respx",
            "@pytest.mark.claude_files_respx: stateful: expected True or False, got 'yes'. "
            "See claude-files-fake docs respx#the-claude_files_respx-marker",
        ),
        (
            "claude_files_respx(mock_all=True)",
            "claude_files_respx",
            "@pytest.mark.claude_files_respx: unknown argument(s) mock_all; known arguments: base_url, "
            "pass_through, stateful, real_sleep, assert_all_called, assert_all_scripted_used. "
            "See claude-files-fake docs respx#the-claude_files_respx-marker",
        ),
    ],
)
def test_bad_marker_argument(pytester: pytest.Pytester, marker: str, fixture: str, message: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_it({fixture}):
            pass
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["_* ERROR at setup of test_it _*", message])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_a_module_marker_error_names_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.claude_files(frozen=True)

        def test_it(claude_files_client):
            pass
        """
    )
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "@pytest.mark.claude_files: unknown argument(s) frozen. Known arguments: api_keys, api_key, "
        "storage_quota, max_file_size, rate_limit, now, freeze_time, max_retries, guess_mime_type, "
        "check_anthropic_version, check_anthropic_beta, known_betas, partition_workspaces, misuse_warnings, "
        "cassette. "
        f"{MARKER_DOCS}",
    ])


# -- claude-files-fake ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["serve", "--port", "http"],
            "claude-files-fake serve: error: argument --port: not a port: 'http' (0 to 65535; 0 picks a "
            "free one)",
        ),
        (
            ["serve", "--storage-quota", "lots"],
            "claude-files-fake serve: error: argument --storage-quota: expected a size such as 1048576, "
            "10MB, 10MiB, 512k or 1.5GiB (binary units: 1KB = 1024 bytes), got 'lots'",
        ),
        (
            ["serve", "--spool-threshold", "-1"],
            "claude-files-fake serve: error: argument --spool-threshold: expected a size such as 1048576, "
            "10MB, 10MiB, 512k or 1.5GiB (binary units: 1KB = 1024 bytes), got '-1'",
        ),
        (
            ["serve", "--rate-limit", "0"],
            "claude-files-fake serve: error: argument --rate-limit: expected a whole number >= 1 (requests "
            "per minute) or one of 'documented', got '0'",
        ),
        (
            ["serve", "--api-key", ""],
            "claude-files-fake serve: error: argument --api-key: expected a non-empty list of non-empty "
            "strings",
        ),
        (
            ["serve", "--log-level", "loud"],
            "claude-files-fake serve: error: argument --log-level: expected one of "
            "critical, error, warning, info, debug, trace, got 'loud'",
        ),
        (
            ["serve", "--known-beta", "files-api"],
            "claude-files-fake serve: error: argument --known-beta: expected beta names such as "
            "'files-api-2025-04-14', got 'files-api'",
        ),
        (
            ["serve", "--prot", "8000"],
            "claude-files-fake: error: unrecognized arguments: --prot 8000",
        ),
        (
            ["start"],
            "claude-files-fake: error: argument COMMAND: invalid choice: 'start' "
            "(choose from serve, openapi, docs, cassettes, drift)",
        ),
    ],
)
def test_bad_cli_flag_exits_2_naming_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as info:
        cli_main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: claude-files-fake")  # the usage line lists the flags
    last = err.strip().splitlines()[-1]
    # argparse quotes choices differently across Python versions ('a', 'b' or a, b)
    assert last.replace("'", "") == message.replace("'", "")


def test_bad_seed_file_names_the_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "seed.jsonl"
    seed.write_text('{"filename": "a.txt"}\n{"filename": \n')
    assert cli_main(["serve", "--port", "0", "--seed", str(seed)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"claude-files-fake: error: {seed}:2: ")
    assert len(err.strip().splitlines()) == 1


# -- every docs link the package prints exists ----------------------------------------------


def _slug(heading: str) -> str:
    """The anchor mkdocs' ``toc`` extension gives a heading (its default slugify)."""
    text = re.sub(r"`|\*\*|\[|\]\([^)]*\)", "", heading)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _anchors(page: Path) -> set[str]:
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
        if not heading:
            continue
        text = heading.group(1)
        explicit = re.search(r"\{\s*#([\w-]+)\s*\}\s*$", text)
        if explicit:
            found.add(explicit.group(1))
            text = text[: explicit.start()]
        found.add(_slug(text))
    return found


DOCS_LINKS = sorted(
    {
        (m.group(1), m.group(2) or "")
        for path in PACKAGE.rglob("*.py")
        for m in re.finditer(
            r"claude-files-fake docs ([a-z][a-z-]*)(?:#([\w-]+))?", path.read_text(encoding="utf-8")
        )
    }
)


def test_the_package_links_the_docs() -> None:
    assert ("reference", "the-claude_files-marker") in DOCS_LINKS
    assert ("reference", "ini-options") in DOCS_LINKS


def test_no_message_points_at_a_docs_path() -> None:
    """A pip user has no docs/ folder: messages name `claude-files-fake docs PAGE#SECTION`."""
    for path in PACKAGE.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"(see |[\"'])docs/[\w.-]+\.md", line):
                raise AssertionError(f"{path.name}: {line.strip()}")


@pytest.mark.parametrize(("page", "anchor"), DOCS_LINKS, ids=[f"{p}#{a}" for p, a in DOCS_LINKS])
def test_every_docs_link_in_messages_exists(page: str, anchor: str) -> None:
    from pytest_claude_files._core.docs import read_section

    path = ROOT / "docs" / f"{page}.md"
    assert path.is_file(), f"docs/{page}.md is linked from the package but does not exist"
    if anchor:
        assert anchor in _anchors(path), f"docs/{page}.md has no heading with the anchor #{anchor}"
        assert read_section(f"{page}#{anchor}").startswith("#")


def test_the_slug_matches_mkdocs() -> None:
    assert _slug("The `claude_files` marker") == "the-claude_files-marker"
    assert _slug("`--claude-files-seed`") == "-claude-files-seed"
    assert _slug("One page from the middle: 100,000 files vs 1,000") == (
        "one-page-from-the-middle-100000-files-vs-1000"
    )


@pytest.mark.parametrize(
    ("fixture", "blocked", "extra"),
    [
        ("claude_files_respx", "respx", "respx"),
        ("claude_files_server", "uvicorn", "server"),
        ("claude_files_faker", "faker", "faker"),
    ],
)
def test_a_fixture_whose_extra_is_missing_names_the_install(
    pytester: pytest.Pytester, fixture: str, blocked: str, extra: str
) -> None:
    # sys.modules[name] = None makes ``import name`` fail, as when it is not installed
    pytester.makeconftest(f"import sys\nsys.modules[{blocked!r}] = None\n")
    pytester.makepyfile(f"def test_it({fixture}):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:faker")
    result.assert_outcomes(errors=1)
    install = f"pip install 'pytest-claude-files[{extra}]'"
    expected = f"{fixture} needs {blocked}, which is not installed: {install}"
    assert expected in result.stdout.lines  # the whole line, as the user sees it
    assert "Traceback" not in result.stdout.str()
