"""Loading the plugin imports nothing heavy: tests that use no fixture of ours pay nothing.

Each check runs in a fresh interpreter (``sys.modules`` of this test process is full of
everything the suite has imported). The list is the whole set of heavy dependencies,
so it guards every fixture module that ``plugin.py`` re-exports, now and later.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_claude_files._plugin.extras import HEAVY_MODULES

PLUGIN = "claude_files"
"""The ``pytest11`` entry-point name (``-p no:claude_files`` disables the plugin)."""

HEAVY = HEAVY_MODULES
"""Top-level modules that loading the plugin must not import."""

_REPORT = "@@claude-files-import-report@@"
_HINT = "loading the plugin imported {}: import them inside the fixture or function that needs them"

_PROBE = textwrap.dedent(
    f"""
    import json, sys

    def heavy():
        return sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})

    mode, args = sys.argv[1], sys.argv[2:]
    report = {{}}
    if mode == "import":
        import importlib
        for name in args:
            importlib.import_module(name)
        report["loaded"] = all(name in sys.modules for name in args)
    else:
        import pytest

        class Probe:
            loaded = None

            def pytest_unconfigure(self, config):
                Probe.loaded = config.pluginmanager.hasplugin({PLUGIN!r})

        report["rc"] = int(pytest.main(args, plugins=[Probe()]))
        report["loaded"] = Probe.loaded
    report["heavy"] = heavy()
    print({_REPORT!r} + json.dumps(report))
    """
)


def _env(*, autoload: bool) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    }
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def _probe(mode: str, *args: str, cwd: Path, autoload: bool = False) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode, *args],
        cwd=cwd,
        env=_env(autoload=autoload),
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith(_REPORT)]
    assert lines, f"the probe printed no report (exit {out.returncode}):\n{out.stdout}\n{out.stderr}"
    return dict(json.loads(lines[-1][len(_REPORT) :]))


@pytest.fixture
def trivial_suite(tmp_path: Path) -> Path:
    """A directory of tests that use no fixture of ours, with its own (empty) ini."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_trivial.py").write_text(
        textwrap.dedent(
            """
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_number(n):
            assert n * 2 > n

        def test_tmp(tmp_path):
            assert tmp_path.exists()
        """
        )
    )
    return tmp_path


@pytest.mark.parametrize(
    "modules",
    [
        ["pytest_claude_files.plugin"],
        ["pytest_claude_files"],
        ["pytest", "pytest_claude_files.plugin"],
    ],
    ids=["plugin", "package", "pytest-then-plugin"],
)
def test_importing_the_plugin_imports_nothing_heavy(modules: list[str], tmp_path: Path) -> None:
    report = _probe("import", *modules, cwd=tmp_path)
    assert report["loaded"] is True
    assert report["heavy"] == [], _HINT.format(report["heavy"])


@pytest.mark.parametrize(
    "args",
    [["--co", "-q"], ["-q"], ["--fixtures"], ["--markers"]],
    ids=["collect-only", "run", "fixtures", "markers"],
)
def test_pytest_with_the_plugin_imports_nothing_heavy(args: list[str], trivial_suite: Path) -> None:
    """Autoload off, the plugin loaded by its entry-point name: nothing else can hide it."""
    report = _probe(
        "pytest", *args, "-p", "no:cacheprovider", "-p", PLUGIN, str(trivial_suite), cwd=trivial_suite
    )
    assert report["loaded"] is True, "the claude_files plugin did not load"
    assert report["rc"] == 0
    assert report["heavy"] == [], _HINT.format(report["heavy"])


def test_the_plugin_adds_no_heavy_module_to_an_autoloading_session(trivial_suite: Path) -> None:
    """With the installed plugins autoloaded (respx's imports respx and httpx), the plugin
    adds no heavy module to those the others import. Hypothesis's and faker's own plugins
    are left out only because they take seconds to import their libraries."""
    base = [
        "--co",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        "-p",
        "no:faker",
        str(trivial_suite),
    ]
    with_plugin = _probe("pytest", *base, cwd=trivial_suite, autoload=True)
    without = _probe("pytest", *base, "-p", f"no:{PLUGIN}", cwd=trivial_suite, autoload=True)
    assert with_plugin["loaded"] is True and without["loaded"] is False
    assert with_plugin["rc"] == without["rc"] == 0
    added = sorted(set(with_plugin["heavy"]) - set(without["heavy"]))
    assert added == [], _HINT.format(added)


def test_the_probe_does_see_heavy_imports(tmp_path: Path) -> None:
    """The check is not vacuous: a module that does import a heavy one is reported."""
    report = _probe("import", "pytest_claude_files._http.handler", cwd=tmp_path)
    assert "pydantic" in report["heavy"]
