# ruff: noqa: F811 - fixtures imported from _cleanup_support are arguments here
"""The fidelity suite (``pytest --pyargs pytest_claude_files.contract``), run as users run it.

- every row of docs/fidelity.md has a contract test (or says why none can check it), and
  every contract test names a row;
- the suite passes against the fake, the emulator, and the emulator as ``real``, which
  it leaves with exactly the files it had;
- it can fail: against a stand-in API (a proxy in front of the emulator) that answers one
  case differently, the run fails, only the tests of that behaviour fail, and the summary
  and the JSON report name the row;
- ``real`` without a key, or over the bound, is refused before any request.
"""

from __future__ import annotations

import ast
import json
import re
import secrets
from pathlib import Path
from typing import Any, Callable, Generator

import pytest

from tests._cleanup_support import ENV_NAMES, emulator  # noqa: F401 - fixture
from tests._contract_support import (
    Proxy,
    declared_type_replaced,
    limit_accepted,
    nested_reference_unchecked,
    not_found_reworded,
    request_id_dropped,
)

ROOT = Path(__file__).resolve().parents[1]
FIDELITY = ROOT / "docs" / "fidelity.md"
# the plugins this project tests with but the suite does not need: each costs start-up time per run
FAST = ("-p", "no:randomly", "-p", "no:faker", "-p", "no:hypothesispytest", "-p", "no:schemathesis",
        "-p", "no:xdist", "-p", "no:respx")
SUITE = ("--pyargs", "pytest_claude_files.contract", *FAST)
FIDELITY_MARKS = ("fidelity", "pytest.mark.claude_files_fidelity")
_ROW = re.compile(r"^\|\s*`([a-z0-9][a-z0-9._-]*)`\s*\|")


# -- the rows and the tests -------------------------------------------------------------------


def fidelity_rows() -> list[str]:
    return [
        m.group(1) for line in FIDELITY.read_text(encoding="utf-8").splitlines() if (m := _ROW.match(line))
    ]


def contract_tests() -> dict[str, list[str]]:
    """test name -> the rows its ``claude_files_fidelity`` markers name (read from the source: a
    module may skip itself at import)."""
    package = ROOT / "pytest_claude_files" / "contract"
    found: dict[str, list[str]] = {}
    for path in sorted(package.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                rows = []
                for decorator in node.decorator_list:
                    if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) in FIDELITY_MARKS:
                        first = decorator.args[0] if decorator.args else None
                        rows.append(first.value if isinstance(first, ast.Constant) else repr(first))
                found[f"{path.name}::{node.name}"] = rows
    return found


def test_every_row_has_a_contract_test_and_every_test_a_row() -> None:
    from pytest_claude_files.contract import NOT_CHECKABLE

    rows = fidelity_rows()
    tests = contract_tests()
    assert len(rows) == len(set(rows)), f"duplicate row ids: {sorted({r for r in rows if rows.count(r) > 1})}"
    checked = {row for names in tests.values() for row in names}
    assert [t for t, names in tests.items() if len(names) != 1] == [], "each test checks exactly one row"
    assert sorted(checked - set(rows)) == [], "contract tests name rows that docs/fidelity.md lacks"
    assert sorted(set(NOT_CHECKABLE) - set(rows)) == [], "NOT_CHECKABLE names rows that do not exist"
    assert sorted(set(NOT_CHECKABLE) & checked) == [], "a row cannot be both checked and not checkable"
    missing = sorted(set(rows) - checked - set(NOT_CHECKABLE))
    assert missing == [], (
        f"rows of docs/fidelity.md without a contract test (or a NOT_CHECKABLE reason): {missing}"
    )
    assert all(reason.strip() for reason in NOT_CHECKABLE.values())


def test_the_contract_package_is_not_collected_by_the_project_run() -> None:
    from pytest_claude_files.contract import conftest

    ini = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'testpaths = ["tests"]' in ini
    assert "pytest_claude_files" not in ini.split("testpaths", 1)[1].split("\n", 1)[0]
    assert not hasattr(conftest, "pytest_addoption")  # options live in the plugin, registered once


# -- running the suite --------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stand_in(emulator: Any, monkeypatch: pytest.MonkeyPatch, clean_env: None) -> Generator[Any, None, None]:
    """``real`` pointed at a proxy in front of the emulator, an account with three files of its own."""
    key = f"sk-ant-api03-contract-{secrets.token_hex(8)}"
    files = emulator.files(key)
    for i in range(3):
        files.add_file(f"someone-else-{i}.txt", b"theirs")
    proxy = Proxy(emulator.base_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", proxy.start())
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    proxy.files = files  # type: ignore[attr-defined]
    try:
        yield proxy
    finally:
        proxy.stop()


def own_ids(files: Any) -> list[str]:
    return sorted(f.id for f in files.files)


def run_suite(pytester: pytest.Pytester, *args: str) -> tuple[Any, dict[str, Any]]:
    report = pytester.path / "contract-report.json"
    result = pytester.runpytest(*SUITE, f"--claude-files-contract-report={report}", *args)
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return result, data


def failed_tests(data: dict[str, Any]) -> set[str]:
    return {t["test"].rsplit("/", 1)[-1] for t in data["tests"] if t["outcome"] == "failed"}


def test_the_suite_passes_against_the_fake(pytester: pytest.Pytester, clean_env: None) -> None:
    result, data = run_suite(pytester)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "claude-files contract: * tests against the in-process fake (nothing leaves this process)",
            "claude-files contract: backend=fake, anthropic *: * behaviours confirmed, 0 differ, 0 failed, "
            "* not checked here (rows of claude-files-fake docs fidelity)",
            "claude-files contract: report written to *contract-report.json",
        ]
    )
    counts = data["counts"]
    assert counts["differs"] == counts["failed"] == 0 and counts["confirmed"] > 40
    from importlib import metadata

    # the rows of anthropic-version 2026-10-21 (and the 2023-06-01 file-source row) need the
    # version the 2.x SDKs send: 4 skips, each with its reason, on 0.x and 1.x; none on 2.x
    sdk_major = int(metadata.version("anthropic").split(".")[0])
    assert counts["skipped"] == (0 if sdk_major >= 2 else 4)
    assert set(data["rows"]) <= set(fidelity_rows())
    calls = [call for test in data["tests"] for call in test["calls"]]
    assert calls and all(call["same"] for call in calls)
    assert all(call["requests"] for call in calls if call["call"] != "GET /v1/files-nowhere")


def test_the_suite_passes_against_the_emulator(pytester: pytest.Pytester, clean_env: None) -> None:
    result, data = run_suite(pytester, "--claude-files-backend=server")
    assert result.ret == 0, result.stdout.str()
    assert data["backend"] == "server" and data["counts"]["differs"] == 0
    result.stdout.fnmatch_lines(
        [
            "claude-files contract: * tests against server (the emulator of this session)*",
            "claude-files: uploaded *, deleted *, left 0",
        ]
    )


def test_real_against_the_emulator_passes_and_leaves_its_files(
    pytester: pytest.Pytester, stand_in: Any
) -> None:
    before = own_ids(stand_in.files)
    result, data = run_suite(pytester, "--claude-files-backend=real")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "claude-files contract: * tests against real (http://127.0.0.1:*) will upload at most * files, "
            "* bytes in all (bound 46 files, 262144 bytes), and send * uploads the API should refuse "
            "(bound 54 upload requests); every file is deleted by the session cleanup",
            "claude-files contract: endpoints: POST /v1/files (* tests), GET /v1/files (* tests)*",
            "claude-files contract: * skipped here: not run against the real API: *",
        ]
    )
    result.stdout.fnmatch_lines(["claude-files: uploaded *, deleted *, left 0"])
    assert data["counts"]["differs"] == 0 and data["counts"]["skipped"] >= 3
    assert own_ids(stand_in.files) == before  # the account's own files, untouched; ours, gone


def _case(change: Callable[[Any], None], row: str, expected: set[str], *, slow: bool = True) -> Any:
    # one case runs in every CI job; the others with the slow tests (a few seconds each)
    return pytest.param(change, row, expected, id=row, marks=[pytest.mark.slow] if slow else [])


CASES = [
    _case(
        limit_accepted,
        "files.list.limit",
        {
            "test_files_list.py::test_a_limit_outside_1_to_1000_is_refused[0]",
            "test_files_list.py::test_a_limit_outside_1_to_1000_is_refused[1001]",
        },
        slow=False,
    ),
    _case(
        request_id_dropped,
        "files.errors.envelope",
        {"test_files_read.py::test_an_error_has_the_envelope_and_a_request_id"},
    ),
    _case(
        not_found_reworded,
        "files.metadata.unknown-id",
        {"test_files_read.py::test_the_wording_of_file_not_found"},
    ),
    _case(
        nested_reference_unchecked,
        "messages.reference.places",
        {"test_messages.py::test_a_file_nested_in_a_tool_result_is_checked"},
    ),
    _case(
        declared_type_replaced, "files.mime.as-sent", {"test_files_upload.py::test_a_declared_type_is_kept"}
    ),
]


@pytest.mark.parametrize(("change", "row", "expected"), CASES)
def test_a_stand_in_that_differs_in_one_behaviour_fails_only_its_tests(
    pytester: pytest.Pytester, stand_in: Any, change: Callable[[Any], None], row: str, expected: set[str]
) -> None:
    stand_in.change = change
    before = own_ids(stand_in.files)
    result, data = run_suite(pytester, "--claude-files-backend=real")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert failed_tests(data) == expected
    assert {r for r, status in data["rows"].items() if status != "confirmed" and status != "skipped"} == {row}
    assert data["rows"][row] == "differs"
    result.stdout.fnmatch_lines(
        [
            "claude-files contract: backend=real (http://127.0.0.1:*), anthropic *: "
            "* behaviours confirmed, 1 differ, 0 failed, *",
            f"claude-files contract: DIFFERS {row} (claude-files-fake docs fidelity, row `{row}`): *",
            "    call:    *",
            "    request: *",
            "    fake:    *",
            "    backend: *",
            "claude-files contract: please send us each difference "
            "(claude-files-fake docs contract#send-us-a-difference)",
        ]
    )
    differing = [c for t in data["tests"] for c in t["calls"] if not c["same"]]
    assert differing and all(c["fake"] != c["backend"] for c in differing)
    assert own_ids(stand_in.files) == before


def test_real_without_a_key_is_refused_before_any_request(
    pytester: pytest.Pytester, stand_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    result = pytester.runpytest(*SUITE, "--claude-files-backend=real")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest_claude_files.contract: --claude-files-backend=real checks the fake against your "
            "account, and needs its key in ANTHROPIC_API_KEY, which is not set; nothing was sent. Set it *",
        ]
    )
    assert stand_in.requests == []


def test_a_selection_over_the_bound_is_refused(
    pytester: pytest.Pytester, stand_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_claude_files.contract import _plan

    monkeypatch.setattr(_plan, "MAX_FILES", 3)
    result = pytester.runpytest(*SUITE, "--claude-files-backend=real")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest_claude_files.contract: this selection would send * uploads (bound 3) to the "
            "real API; refused, nothing was sent. Select fewer tests (-k) so it stays within the bound. "
            "See claude-files-fake docs contract",
        ]
    )
    assert stand_in.requests == []
    selected = pytester.runpytest(
        *SUITE, "--claude-files-backend=real", "-k", "test_upload_answers_the_metadata"
    )
    assert selected.ret == 0, selected.stdout.str()


def test_a_test_that_sends_more_than_it_declares_fails() -> None:
    from pytest_claude_files.contract._plan import Budget, over_budget

    budget = Budget("files.upload.metadata", uploads=1, bytes=1, calls=("upload",))
    assert over_budget(budget, uploads=1, sent=1, operations={"upload"}) is None
    problem = over_budget(budget, uploads=2, sent=2, operations={"upload", "delete"})
    assert problem == (
        "2 uploads (declared 1), 2 upload requests (declared 1 with refused=), 2 bytes (declared 1), "
        "calls ['delete', 'upload'] (declared ['upload'])"
    )
    refusing = Budget("files.upload.filename-rules", refused=2, calls=("upload",))
    assert over_budget(refusing, uploads=0, sent=0, operations={"upload"}, attempts=2) is None
    assert over_budget(refusing, uploads=0, sent=0, operations={"upload"}, attempts=3) is not None


def test_without_the_plugin_the_suite_says_how_to_load_it(pytester: pytest.Pytester, clean_env: None) -> None:
    result = pytester.runpytest(*SUITE, "-p", "no:claude_files", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest_claude_files.contract runs on the pytest-claude-files plugin, which is not "
            "loaded *Load it: pytest -p pytest_claude_files.plugin --pyargs pytest_claude_files.contract. "
            "See claude-files-fake docs contract",
        ]
    )
