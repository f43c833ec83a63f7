"""A newcomer's first hour, as written in the README: set-up commands, install, quick start.

The slow test builds the wheel in a temporary copy of the checkout, installs it into a new
virtual environment with the README's command, and runs the README's quick-start test file
there; the installed package must carry its docs (``claude-files-fake docs``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def bash_lines() -> list[str]:
    """The commands of the README's ```bash blocks (comments and blank lines dropped)."""
    out = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        out += [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]
    return out


def quickstart() -> str:
    found = re.search(r'```python title="test_quickstart.py"\n(.*?)```', README, re.S)
    assert found, "README.md has no test_quickstart.py block"
    return found.group(1)


def test_ci_runs_the_readme_test_command() -> None:
    command = next(line for line in bash_lines() if line.endswith("tox -m ci"))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command.startswith("python3 -m venv .venv && ")  # never the system pip
    assert command.replace('--quiet "tox', '--quiet --disable-pip-version-check "tox') in ci
    assert "python3 -m pip" not in ci


def test_the_readme_commands_make_their_own_venv() -> None:
    for line in bash_lines():
        if "tox" in line and "pip install" in line:
            assert line.startswith("python3 -m venv .venv && .venv/bin/pip install"), line


def wheel_install_command() -> str:
    return next(line for line in bash_lines() if "pip wheel" in line)


@pytest.mark.slow
def test_fresh_venv_readme_install_and_quick_start(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tox", "dist", "site", "node_modules", "__pycache__", "*.egg-info", ".*_cache",
    ))
    dropped = ("PYTEST", "VIRTUAL_ENV", "PIP_", "PYTHON")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", wheel_install_command()], cwd=checkout,
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    venv_bin = checkout / ".venv" / "bin"
    project = tmp_path / "project"
    project.mkdir()
    installed = subprocess.run(
        [str(venv_bin / "python"), "-c", "import pytest_claude_files; print(pytest_claude_files.__file__)"],
        cwd=project, capture_output=True, text=True, timeout=120, env=env,
    ).stdout.strip()
    assert "site-packages" in installed, installed  # the wheel, not the checkout
    assert (Path(installed).parent / "_docs" / "reference.md").is_file()

    (project / "test_quickstart.py").write_text(quickstart(), encoding="utf-8")
    run = subprocess.run([str(venv_bin / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=project, capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout

    docs = subprocess.run([str(venv_bin / "claude-files-fake"), "docs", "reference#ini-options"],
                          cwd=project, capture_output=True, text=True, timeout=120, env=env)
    assert docs.returncode == 0, docs.stderr
    assert docs.stdout.splitlines()[0] == "## Ini options"
    serve = subprocess.run([str(venv_bin / "claude-files-fake"), "serve", "--port", "0"],
                           cwd=project, capture_output=True, text=True, timeout=120, env=env)
    assert (serve.returncode, serve.stderr) == (2, (
        "claude-files-fake: error: serve needs uvicorn, which is not installed: "
        "pip install 'pytest-claude-files[server]'\n"
    ))





def test_ci_never_passes_having_run_nothing() -> None:
    """A machine without one particular Python runs CI on the Python it has (no pyXY factor
    in the `ci` label) and tox never skips a missing interpreter: red, never an empty green."""
    import configparser

    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini", encoding="utf-8")
    assert tox["tox"]["skip_missing_interpreters"].strip() == "false"
    labels = dict(
        line.split("=", 1) for line in tox["tox"]["labels"].strip().splitlines() if "=" in line
    )
    ci_envs = [name.strip() for name in labels["ci "].split(",")]
    assert {"examples", "contract", "lint", "docs"} <= set(ci_envs)
    assert [env for env in ci_envs if re.match(r"py\d", env)] == []
    assert any("sdk0125" in env for env in ci_envs) and any("sdklatest" in env for env in ci_envs)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--skip-missing-interpreters" not in ci
