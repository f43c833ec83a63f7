"""The one settings table (``_core/settings_table.py``): the marker's arguments, the ini
options and the ``claude-files-fake serve`` flags of every setting come from it, and
docs/reference.md matches it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_claude_files._core import config as core_config
from pytest_claude_files._core.settings_table import SETTINGS, ini_options, marker_args
from pytest_claude_files._plugin import config as plugin_config
from pytest_claude_files.server._cli import build_parser

REFERENCE = (Path(__file__).resolve().parent.parent / "docs" / "reference.md").read_text(encoding="utf-8")


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
    assert list(core_config.MARKER_ARGS) == [s.name for s in SETTINGS]
    assert set(core_config.ClaudeFilesConfig.__dataclass_fields__) == {s.name for s in SETTINGS}


def test_the_ini_options_are_the_table(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    for setting in ini_options():
        assert setting.ini is not None
        assert config._parser._inidict[setting.ini][0] == setting.ini_help  # registered from the row
    names = {s.ini for s in ini_options()}
    assert set(plugin_config.FIDELITY_INIS) <= names
    assert plugin_config.INI_STORAGE_QUOTA == "claude_files_storage_quota"  # the names users know


def test_every_ini_option_is_read_into_its_setting() -> None:
    values = {s.ini: ("k1\nk2" if s.ini_type == "linelist" else "1") for s in ini_options()}
    raw = plugin_config.from_ini(lambda name: values[name].splitlines() if name.endswith("api_keys")
                                 else values[name])
    assert set(raw) == {s.name for s in ini_options()}


def test_the_serve_flags_are_the_table() -> None:
    flags = _serve_flags()
    for setting in SETTINGS:
        for flag in setting.serve:
            assert flags.get(flag.flag) == setting.name, f"{flag.flag} does not set {setting.name}"
    setting_names = {s.name for s in SETTINGS}
    declared = {f.flag for s in SETTINGS for f in s.serve}
    undeclared = {f for f, dest in flags.items() if dest in setting_names and f not in declared}
    assert not undeclared, f"serve flags of a setting missing from the table: {undeclared}"


def test_the_reference_matches_the_table() -> None:
    marker = _section("### The `claude_files` marker")
    ini = _section("## Ini options")
    serve = _section("### `claude-files-fake serve`")
    for setting in SETTINGS:
        assert re.search(rf"`{setting.name}`", marker), f"marker argument {setting.name} not in reference"
        if setting.ini is not None:
            assert f"`{setting.ini}`" in ini, f"ini option {setting.ini} not in reference"
        for flag in setting.serve:
            assert flag.flag in serve, f"serve flag {flag.flag} not in reference"
