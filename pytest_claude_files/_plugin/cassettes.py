"""pytest side of cassettes: ``--claude-files-record``, ``--claude-files-backend=replay``.

Loaded from ``plugin.py`` (``pytest_plugins``). Imports only pytest and the standard
library at module level; the cassette code loads when a test asks for a client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generator, Optional

import pytest

from pytest_claude_files._core.settings_table import by_name, spelling

OPTION_RECORD = spelling("record", "option")  # the names, from the one table (_core/settings_table.py)
OPTION_RECORD_MODE = spelling("record_mode", "option")
INI_RECORD_MODE = spelling("record_mode", "ini")
INI_CASSETTE_DIR = spelling("cassette_dir", "ini")
INI_CASSETTE_BYTES = spelling("cassette_bytes", "ini")
DOCS = "claude-files-fake docs cassettes"


@dataclass(frozen=True)
class CassetteSettings:
    record: bool
    mode: str
    directory: Optional[Path]  # None: cassettes/<module>/ beside each test module
    keep_bytes: bool
    replay: bool


_SETTINGS = pytest.StashKey[CassetteSettings]()


def _usage(text: str) -> pytest.UsageError:
    return pytest.UsageError(f"{text}. See {DOCS}")


@pytest.hookimpl(trylast=True)  # after _plugin.live chose the backend
def pytest_configure(config: pytest.Config) -> None:
    from pytest_claude_files._live.backends import INI_BACKEND as INI_BACKEND_NAME
    from pytest_claude_files._live.backends import OPTION_BACKEND, BackendError, choose_backend
    from pytest_claude_files._plugin.config import read_setting

    mode = read_setting(config, by_name("record_mode"))[0] or "once"  # option, then ini; its row parses
    raw_bytes = read_setting(config, by_name("cassette_bytes"))[0] or "full"
    try:
        backend = choose_backend(config.getoption(by_name("backend").dest), config.getini(INI_BACKEND_NAME))
    except BackendError:
        return  # _plugin.live reports it
    record = bool(config.getoption(by_name("record").dest))
    if record and not backend.is_live:
        raise _usage(
            f"{OPTION_RECORD}: records the answers of a live backend, and the backend is {backend.name} "
            f"(from {backend.source}); add {OPTION_BACKEND}=real (with ANTHROPIC_API_KEY) or "
            f"{OPTION_BACKEND}=server"
        )
    value = str(config.getini(INI_CASSETTE_DIR) or "").strip()
    directory: Optional[Path] = None
    if value:
        import os

        directory = config.rootpath / os.path.expanduser(value)
        if backend.name == "replay" and not directory.is_dir():
            raise _usage(
                f"{INI_CASSETTE_DIR} = {value} (ini option): {directory} is not a directory, and "
                f"{OPTION_BACKEND}=replay answers from the cassettes in it; record them first "
                f"({OPTION_BACKEND}=real {OPTION_RECORD}) or fix the path"
            )
    config.stash[_SETTINGS] = CassetteSettings(record, mode, directory, raw_bytes == "full",
                                               backend.name == "replay")


def pytest_report_header(config: pytest.Config) -> Optional[str]:
    settings = config.stash.get(_SETTINGS, None)
    if settings is None or not (settings.replay or settings.record):
        return None
    where = (str(settings.directory) if settings.directory
             else "cassettes/<test module>/ beside each test module")
    if settings.replay:
        return f"claude-files: backend=replay, cassettes from {where}; nothing is sent"
    return f"claude-files: recording cassettes (mode {settings.mode}) to {where}"


_UNSAFE = re.compile(r"[^\w.\-\[\]=,+]")


def cassette_path(item: Any, directory: Optional[Path]) -> Path:
    """``cassettes/<test module>/<test name>.yaml`` beside the module (pytest-recording's
    layout), or under ``directory``; a test of a class is ``<Class>.<test name>.yaml``.
    A module outside the rootdir (an installed suite run with ``--pyargs``, such as the
    fidelity suite) keeps its cassettes in ``<rootdir>/cassettes/``, never in site-packages."""
    module = Path(str(item.path))
    if directory is None:
        root = Path(str(item.config.rootpath))
        try:
            module.relative_to(root)
        except ValueError:
            directory = root / "cassettes"
    name = item.name
    cls = getattr(item, "cls", None)
    if cls is not None:
        name = f"{cls.__name__}.{name}"
    safe = _UNSAFE.sub("_", name)
    base = (directory if directory is not None else module.parent / "cassettes") / module.stem
    return base / f"{safe}.yaml"


class ClaudeFilesCassette:
    """The cassette of one test (what ``claude_files_cassette`` gives): ``path``, and
    ``replayer`` (on ``--claude-files-backend=replay``) or ``recording`` (with
    ``--claude-files-record``), or neither."""

    def __init__(self, path: Path, mode: str) -> None:
        self.path = path
        self.mode = mode
        self.replayer: Any = None
        self.recording: Any = None
        self.written: Optional[Path] = None

    @property
    def unmatched(self) -> list[str]:
        """Requests the replay did not find in the cassette (they fail the test at teardown)."""
        return list(self.replayer.unmatched) if self.replayer is not None else []

    def __repr__(self) -> str:
        kind = "replay" if self.replayer is not None else "record" if self.recording is not None else "idle"
        return f"<claude-files cassette {kind} {self.path}>"


@pytest.fixture
def claude_files_cassette(request: pytest.FixtureRequest) -> Generator[ClaudeFilesCassette, None, None]:
    """The test's cassette: on ``--claude-files-backend=replay`` the client fixtures (and
    ``claude_files_respx``) answer from it, and a request it does not hold fails the test at
    teardown; with ``--claude-files-record`` the live answers are written to it."""
    settings = request.config.stash[_SETTINGS]
    cassette = ClaudeFilesCassette(cassette_path(request.node, settings.directory), settings.mode)
    undo: Optional[Callable[[], None]] = None
    if settings.replay:
        if not cassette.path.is_file():
            pytest.fail(
                f"claude-files replay: no cassette for this test at {cassette.path}; record it with "
                f"pytest {request.node.nodeid} --claude-files-backend=real {OPTION_RECORD}. See {DOCS}",
                pytrace=False,
            )
        from pytest_claude_files._core.cassette import CassetteError
        from pytest_claude_files._live.replay import Replayer, patch_library_transports

        try:
            cassette.replayer = Replayer(cassette.path)
        except CassetteError as exc:
            pytest.fail(f"claude-files replay: {exc}. See {DOCS}", pytrace=False)
        if "claude_files_respx" not in request.fixturenames:  # respx's routes serve it then
            undo = patch_library_transports(cassette.replayer)
    elif settings.record:
        from pytest_claude_files._live.cassette import Recording

        # the session's keys are added by the client fixtures (_plugin.live); a key a request
        # carries is added as it is recorded
        cassette.recording = Recording(cassette.path, settings.mode, [], keep_bytes=settings.keep_bytes)
    try:
        yield cassette
    finally:
        if undo is not None:
            undo()
    if cassette.recording is not None:
        cassette.written = cassette.recording.save()
    if cassette.replayer is not None:
        failure = cassette.replayer.failure()
        if failure:
            pytest.fail(failure, pytrace=False)


def replay_handler(request: pytest.FixtureRequest) -> Any:
    """The replayer that answers this test's requests on ``--claude-files-backend=replay``, else None."""
    settings = request.config.stash.get(_SETTINGS, None)
    if settings is None or not settings.replay:
        return None
    cassette: ClaudeFilesCassette = request.getfixturevalue("claude_files_cassette")
    return cassette.replayer


def recording_of(request: pytest.FixtureRequest) -> Any:
    """The ``Recording`` a live client of this test writes into, or None."""
    settings = request.config.stash.get(_SETTINGS, None)
    if settings is None or not settings.record:
        return None
    cassette: ClaudeFilesCassette = request.getfixturevalue("claude_files_cassette")
    return cassette.recording
