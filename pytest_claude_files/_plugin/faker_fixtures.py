"""The ``claude_files_faker`` and ``claude_files_seed`` fixtures.

Each test gets its own seed, derived from a base seed and the test's node id, so tests
do not share random streams and a failure reproduces by node id and base seed alone.
The base seed is, first found: ``--claude-files-seed``, the ``claude_files_seed`` ini
option, pytest-randomly's ``--randomly-seed`` (when that plugin is active), else 0.
A failing test that used the fixtures reports its seed and the command to reproduce.

Imports only pytest and the standard library; Faker loads when the fixture is used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generator, Optional

import pytest

from pytest_claude_files._core.settings_table import by_name, spelling
from pytest_claude_files._plugin.config import read_setting
from pytest_claude_files._plugin.extras import require

if TYPE_CHECKING:
    from faker import Faker

_SEED = by_name("seed")  # its names, parser and docs section: the one table (_core/settings_table.py)
SEED_OPTION = spelling("seed", "option")
SEED_DEST = _SEED.dest
INI_SEED = spelling("seed", "ini")
DOCS_SEED = _SEED.docs
REPORT_SECTION = "claude-files seed"


@dataclass(frozen=True)
class SeedInfo:
    """The seed of one test and where its base seed came from."""

    seed: int
    base: int
    source: str
    nodeid: str

    def reproduce(self) -> str:
        if self.source == "--randomly-seed":
            flag = f"-p randomly --randomly-seed={self.base}"
        else:
            flag = f"{SEED_OPTION}={self.base}"
        return f"pytest '{self.nodeid}' {flag}"

    def describe(self) -> str:
        return (
            f"claude_files_faker / claude_files_seed: seed {self.seed} "
            f"(base seed {self.base} from {self.source}, mixed with the test id).\n"
            f"Reproduce with: {self.reproduce()}"
        )


_SEED_KEY = pytest.StashKey[SeedInfo]()


def base_seed(config: pytest.Config) -> tuple[int, str]:
    """The base seed and its source (option, ini, pytest-randomly or the default 0)."""
    value, source = read_setting(config, _SEED)  # option, then ini; its row parses
    if source is not None:
        return int(value), (SEED_OPTION if source == "option" else f"{INI_SEED} (ini)")
    randomly = getattr(config.option, "randomly_seed", None)
    if isinstance(randomly, int) and config.pluginmanager.hasplugin("randomly"):
        return randomly, "--randomly-seed"
    return 0, "the default"


def seed_for(base: int, nodeid: str) -> int:
    """The seed of the test ``nodeid`` under ``base`` (stable across runs and machines)."""
    digest = hashlib.sha256(f"{base}\x00{nodeid}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@pytest.hookimpl(specname="pytest_configure")
def pytest_configure_claude_files_seed(config: pytest.Config) -> None:
    base_seed(config)  # a malformed seed is a usage error up front, not in every test


@pytest.hookimpl(specname="pytest_report_header")
def pytest_report_header_claude_files_seed(config: pytest.Config) -> Optional[str]:
    base, source = base_seed(config)
    if source == "the default":
        return None
    return f"claude-files: base seed {base} (from {source})"


@pytest.hookimpl(specname="pytest_runtest_makereport", wrapper=True)
def pytest_runtest_makereport_claude_files_seed(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    info = item.stash.get(_SEED_KEY, None)
    if info is not None and report.failed:
        report.sections.append((REPORT_SECTION, info.describe()))
    return report


@pytest.fixture
def claude_files_seed(request: pytest.FixtureRequest) -> int:
    """This test's seed: the base seed mixed with the test's node id.

    Seed your own generators with it (``random.Random(claude_files_seed)``); a failing
    test prints it with the command that reproduces it.
    """
    base, source = base_seed(request.config)
    info = SeedInfo(seed_for(base, request.node.nodeid), base, source, request.node.nodeid)
    request.node.stash[_SEED_KEY] = info
    return info.seed


@pytest.fixture
def claude_files_faker(claude_files_seed: int) -> Faker:
    """A ``faker.Faker`` with the ``claude_*`` provider, seeded with ``claude_files_seed``.

    ``claude_files_faker.claude_file_metadata()``, ``.claude_file_id()``,
    ``.claude_filename()``, ``.claude_upload_payload()``, ... and every stock Faker
    method, all reproducible from the test's seed.
    """
    require("claude_files_faker", "faker", "faker")
    from faker import Faker

    from pytest_claude_files.faker_provider import ClaudeFilesProvider

    fake = Faker()
    fake.add_provider(ClaudeFilesProvider)
    fake.seed_instance(claude_files_seed)
    return fake
