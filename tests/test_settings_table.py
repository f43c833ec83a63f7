"""The one settings table (``_core/settings_table.py``): the marker's arguments, the ini options,
the ``--claude-files-*`` options, the environment variables and the ``claude-files-fake serve``
flags of every setting come from it, nothing registers a name outside it, and
docs/reference.md matches it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pytest_claude_files._core import config as core_config
from pytest_claude_files._core import setting_parsers as p
from pytest_claude_files._core import settings_table as table
from pytest_claude_files._core.settings_table import SETTINGS, ini_options, marker_args, options
from pytest_claude_files._plugin import config as plugin_config
from pytest_claude_files.server._cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_claude_files"
REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = REFERENCE.index(title)
    end = REFERENCE.find("\n## ", start + len(title))
    return REFERENCE[start:end if end != -1 else None]


def _serve_flags() -> dict[str, str]:
    """Every serve flag -> the setting (argparse ``dest``) it sets."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    serve = sub.choices["serve"]  # type: ignore[attr-defined]
    return {flag: action.dest for action in serve._actions for flag in action.option_strings}


def test_the_marker_arguments_are_the_table() -> None:
    assert core_config.MARKER_ARGS == marker_args()
    assert list(core_config.MARKER_ARGS) == [s.name for s in SETTINGS if s.scope == "test"]
    fields = set(core_config.ClaudeFilesConfig.__dataclass_fields__) - {"extra"}
    assert fields == {s.name for s in SETTINGS if s.scope == "test"}


def test_the_respx_marker_arguments_are_the_table() -> None:
    from pytest_claude_files._plugin import respx_fixtures

    assert respx_fixtures.MARKER_ARGS == marker_args("respx")
    assert list(respx_fixtures.MARKER_ARGS) == ["base_url", "pass_through", "stateful", "real_sleep",
                                                "assert_all_called", "assert_all_scripted_used"]
    respx = _section("### The `claude_files_respx` marker")
    for name in respx_fixtures.MARKER_ARGS:
        assert f"`{name}`" in respx, f"respx marker argument {name} not in reference"


def test_every_option_and_ini_option_is_registered_from_the_table(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    inis = {name for name in config._parser._inidict if name.startswith("claude_files")}
    assert inis == {s.ini for s in ini_options()}, "an ini option registered outside the table"
    for setting in ini_options():
        assert setting.ini is not None
        assert config._parser._inidict[setting.ini][0] == setting.ini_help  # registered from the row
    registered = {
        name: option.dest for group in config._parser._groups for option in group.options
        for name in option.names() if name.startswith("--claude")
    }
    assert registered == {s.option: s.dest for s in options()}, "an option registered outside the table"
    assert plugin_config.GROUP == "claude-files"


def test_the_names_users_know_are_kept() -> None:
    """Users depend on these: renaming one in the table must fail here."""
    expected = {
        "api_keys": ("claude_files_api_keys", None, None, ("--api-key",)),
        "storage_quota": ("claude_files_storage_quota", None, None, ("--storage-quota",)),
        "rate_limit": ("claude_files_rate_limit", None, None, ("--rate-limit",)),
        "partition_workspaces": ("claude_files_partition_workspaces", None, None,
                                 ("--partition-workspaces", "--shared-workspaces")),
        "backend": ("claude_files_backend", "--claude-files-backend", "CLAUDE_FILES_BACKEND", ()),
        "cleanup": ("claude_files_cleanup", "--claude-files-cleanup", None, ()),
        "seed": ("claude_files_seed", "--claude-files-seed", None, ()),
        "verdict": ("claude_files_verdict", "--claude-files-verdict", None, ()),
        "contract_report": (None, "--claude-files-contract-report", None, ()),
        "server_url": (None, None, "CLAUDE_FILES_SERVER_URL", ()),
        "server_api_key": (None, None, "CLAUDE_FILES_SERVER_API_KEY", ()),
        "real_api_key": (None, None, "ANTHROPIC_API_KEY", ()),
        "real_base_url": (None, None, "ANTHROPIC_BASE_URL", ()),
        "control_token": (None, None, "CLAUDE_FILES_CONTROL_TOKEN", ("--control-token",)),
    }
    for name, (ini, option, env, flags) in expected.items():
        row = table.by_name(name)
        assert (row.ini, row.option, row.env, tuple(f.flag for f in row.serve)) == (ini, option, env, flags)


def test_every_ini_option_and_variable_is_read_into_its_setting(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every marker setting's ini option reaches ``claude_files_config``."""
    values = {"api_keys": "\n  k1\n  k2", "storage_quota": "2KB", "max_file_size": "1KB", "rate_limit": "7",
              "max_retries": "0", "guess_mime_type": "true", "check_anthropic_version": "false",
              "check_anthropic_beta": "off", "known_betas": "a-2025-01-01", "partition_workspaces": "no",
              "misuse_warnings": "error"}
    marker_inis = [s for s in ini_options() if s.scope == "test"]
    assert {s.name for s in marker_inis} == set(values)
    pytester.makeini("[pytest]\n" + "".join(f"{s.ini} = {values[s.name]}\n" for s in marker_inis))
    config = pytester.parseconfig()
    raw = plugin_config.suite_raw(config, environ={})
    assert raw == {
        "api_keys": ("k1", "k2"), "storage_quota": 2048, "max_file_size": 1024, "rate_limit": 7,
        "max_retries": 0, "guess_mime_type": True, "check_anthropic_version": False,
        "check_anthropic_beta": False, "known_betas": ("a-2025-01-01",), "partition_workspaces": False,
        "misuse_warnings": "error",
    }


def test_the_serve_flags_are_the_table() -> None:
    flags = _serve_flags()
    for setting in SETTINGS:
        for flag in setting.serve:
            assert flags.get(flag.flag) == setting.name, f"{flag.flag} does not set {setting.name}"
    declared = {f.flag for s in SETTINGS for f in s.serve}
    undeclared = set(flags) - declared - {"-h", "--help"}
    assert not undeclared, f"serve flags missing from the table: {undeclared}"


# -- nothing outside the table -------------------------------------------------------------------

_NAME = re.compile(r"\A(--claude-files-[a-z-]+|(CLAUDE_FILES|ANTHROPIC)_[A-Z_]+)\Z")
_READERS = {"addoption", "addini", "getini", "getoption", "getenv"}


def names_outside_the_table(root: Path) -> list[str]:
    """Every place under ``root`` (the package) that spells an option, ini option or environment
    variable itself instead of taking it from the table, or registers an option outside
    ``_plugin/config.register``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == "_core/settings_table.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exported = {
            elt.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
            for elt in node.value.elts if isinstance(elt, ast.Constant)
        }
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and _NAME.match(node.value)
                    and node.value not in exported):
                found.append(f"{rel}:{node.lineno}: {node.value!r} spelled outside the table")
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr in ("addoption", "addini") and rel != "_plugin/config.py":
                found.append(f"{rel}:{node.lineno}: {node.func.attr}() outside _plugin/config.register")
            if (node.func.attr in _READERS and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and node.args[0].value.startswith(("claude_files_", "--claude"))):
                found.append(f"{rel}:{node.lineno}: {node.func.attr}({node.args[0].value!r}) "
                             f"spelled outside the table")
    return found


def test_no_option_ini_or_variable_is_named_outside_the_table() -> None:
    assert names_outside_the_table(PACKAGE) == []


def test_the_walk_finds_a_planted_name(tmp_path: Path) -> None:
    """The walk above is not vacuous: a module that registers its own option, reads an ini
    option or a variable by a name of its own is caught."""
    pkg = tmp_path / "pkg"
    (pkg / "_plugin").mkdir(parents=True)
    (pkg / "_plugin" / "extra.py").write_text(
        "import os\n"
        "def pytest_addoption(parser):\n"
        "    parser.addoption('--claude-files-extra')\n"
        "def read(config):\n"
        "    return config.getini('claude_files_extra'), os.environ.get('CLAUDE_FILES_EXTRA')\n",
        encoding="utf-8",
    )
    found = names_outside_the_table(pkg)
    assert len(found) == 5, found  # the option twice: a literal, and registered outside
    assert any("addoption() outside" in f for f in found)
    assert any("'CLAUDE_FILES_EXTRA'" in f for f in found)
    assert any("getini('claude_files_extra')" in f for f in found)


def test_the_reference_matches_the_table() -> None:
    marker = _section("### The `claude_files` marker")
    ini = _section("## Ini options")
    opts = _section("## Command-line options")
    env = _section("## Environment variables")
    serve = _section("### `claude-files-fake serve`")
    for setting in SETTINGS:
        if setting.scope == "test":
            assert re.search(rf"`{setting.name}`", marker), f"marker argument {setting.name} not in reference"
        if setting.ini is not None:
            assert f"`{setting.ini}`" in ini, f"ini option {setting.ini} not in reference"
        if setting.option is not None:
            assert f"`{setting.option}`" in opts, f"option {setting.option} not in reference"
        if setting.env is not None:
            assert f"`{setting.env}`" in env, f"variable {setting.env} not in reference"
        for flag in setting.serve:
            assert flag.flag in serve, f"serve flag {flag.flag} not in reference"


def test_the_documented_defaults_are_the_behaviours_defaults() -> None:
    """A row's ``default`` is the docs' text; the value itself is the behaviour's
    (``FakeFilesSettings``, the cleanup's ``RetryPolicy``, the ledger's directory): they agree."""
    from dataclasses import fields

    from pytest_claude_files._core.settings import FakeFilesSettings
    from pytest_claude_files._core.sizes import format_size
    from pytest_claude_files._live.cleanup import RetryPolicy
    from pytest_claude_files._live.ledger import LEDGER_DIR_NAME

    fake = FakeFilesSettings()
    checked = 0
    for f in fields(FakeFilesSettings):
        value = getattr(fake, f.name)
        if value is None or value == frozenset():
            continue  # "any non-empty key", "unlimited", "none": no value to compare
        row = table.by_name(f.name)
        shown = format_size(value) if row.parse is p.size else value
        assert row.default == f"`{shown}`", f"{f.name}: documented {row.default}, the fake's is {shown}"
        checked += 1
    policy = RetryPolicy()
    for name, value in (("cleanup_attempts", policy.attempts), ("cleanup_max_delay", policy.max_delay),
                        ("cleanup_budget", policy.budget), ("ledger_dir", LEDGER_DIR_NAME)):
        shown = int(value) if isinstance(value, float) and value.is_integer() else value
        assert table.by_name(name).default == f"`{shown}`", name
        checked += 1
    assert checked >= 10
