"""pytest side of backends and auto-cleanup: options, hooks, fixtures, the summary line.

Loaded from ``plugin.py`` (``pytest_plugins``). Imports only pytest and stdlib (and this
package's stdlib-only modules) at module level; the SDK loads when a client is made.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Generator, Mapping, Optional

import pytest

from pytest_claude_files._core.settings_table import by_name, spelling
from pytest_claude_files._live.backends import (
    DOCS,
    ENV_API_KEY,
    ENV_SERVER_KEY,
    ENV_SERVER_URL,
    INI_BACKEND,
    OPTION_BACKEND,
    Backend,
    BackendError,
    choose_backend,
)
from pytest_claude_files._live.cleanup import (
    Deleter,
    Recorder,
    RetryPolicy,
    Secret,
    sweep,
)
from pytest_claude_files._live.ledger import LEDGER_DIR_NAME, LedgerWriter, read_ledger
from pytest_claude_files._live.report import summary_lines
from pytest_claude_files._live.state import (
    OPTION_SWEEP,
    SESSION_INPUT,
    FileCleanup,
    LiveState,
)
from pytest_claude_files._plugin.config import read_setting


def _ini(name: str) -> str:
    return spelling(name, "ini")


# the names, from the one table (_core/settings_table.py): the plugin registers them from there
INI_CLEANUP = _ini("cleanup")
INI_RECORD_ALL = _ini("record_all")
INI_CLEANUP_ATTEMPTS = _ini("cleanup_attempts")
INI_CLEANUP_MAX_DELAY = _ini("cleanup_max_delay")
INI_CLEANUP_BUDGET = _ini("cleanup_budget")
INI_LEDGER_DIR = _ini("ledger_dir")
_OLD_LEDGER_DIR = ("d", "claude-files-ledger")  # inside the cache dir, before 0.x: --cache-clear erased it
MARKER_REAL = "claude_files_real"
_WORKER_OUTPUT = "claude_files_cleanup"
_FAKE_FIXTURES = ("claude_files", "claude_files_handler")



_STATE = pytest.StashKey[LiveState]()


def _state(config: pytest.Config) -> LiveState:
    return config.stash[_STATE]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER_REAL}: the test needs the real Files API; skipped unless "
        f"{OPTION_BACKEND}=real and {ENV_API_KEY} is set. See {DOCS}",
    )
    try:
        backend = choose_backend(config.getoption(by_name("backend").dest), config.getini(INI_BACKEND))
    except BackendError as exc:
        raise pytest.UsageError(str(exc)) from None
    def read(name: str) -> Any:
        return read_setting(config, by_name(name))[0]  # option, env, ini; parsed by its row

    cleanup, record_all = read("cleanup"), read("record_all")
    defaults = RetryPolicy()
    attempts, max_delay, budget = read("cleanup_attempts"), read("cleanup_max_delay"), read("cleanup_budget")
    policy = RetryPolicy(
        attempts=int(attempts) if attempts is not None else defaults.attempts,
        max_delay=max_delay if max_delay is not None else defaults.max_delay,
        budget=budget if budget is not None else defaults.budget,
    )
    sweep_only = bool(config.getoption(by_name("sweep").dest))
    if sweep_only:
        if backend.name == "server" and backend.base_url is not None and backend.key is None:
            raise pytest.UsageError(
                f"{OPTION_SWEEP} on {OPTION_BACKEND}=server needs {ENV_SERVER_KEY}, which is not set: "
                f"the emulator keeps files per API key, so set it to the key the uploads were made "
                f"with ({ENV_SERVER_URL}={backend.base_url}). See {DOCS}"
            )
        if backend.name == "real" and backend.key is None:
            raise pytest.UsageError(
                f"{OPTION_SWEEP} on {OPTION_BACKEND}=real needs {ENV_API_KEY}, which is not set: set it "
                f"to the key the uploads were made with. See {DOCS}"
            )
        if backend.is_fake or backend.base_url is None or backend.key is None:
            raise pytest.UsageError(
                f"{OPTION_SWEEP} deletes uploads made to a live backend, so it needs one: "
                f"{OPTION_BACKEND}=real with {ENV_API_KEY} set, or {OPTION_BACKEND}=server with "
                f"{ENV_SERVER_URL} and {ENV_SERVER_KEY} (now: {backend.name}, from {backend.source}). "
                f"See {DOCS}"
            )
    if backend.is_live:
        directory = _ledger_dir(config)
        if os.path.lexists(directory) and (directory.is_symlink() or not directory.is_dir()):
            raise pytest.UsageError(
                f"{INI_LEDGER_DIR}: the ledger directory {directory} is not a directory of its own "
                f"(a symlink or a file); remove it, or set {INI_LEDGER_DIR} to another path. See {DOCS}"
            )
    state = LiveState(config, backend, cleanup=cleanup if cleanup is not None else True,
                   record_all=bool(record_all), policy=policy, sweep_only=sweep_only)
    config.stash[_STATE] = state


@pytest.hookimpl
def pytest_cmdline_main(config: pytest.Config) -> Optional[int]:
    if not config.getoption(by_name("sweep").dest, False):
        return None
    # a sweep runs in this process alone: no xdist workers
    if hasattr(config.option, "dist"):
        config.option.dist = "no"
        config.option.tx = []
        config.option.numprocesses = None
    from _pytest.main import wrap_session

    return int(wrap_session(config, _sweep_main))


def _sweep_main(config: pytest.Config, session: pytest.Session) -> int:
    state = _state(config)
    _sweep_earlier(state)
    return 1 if state.start_sweep.left else 0


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker writes its ledger under the controller's session token."""
    state = node.config.stash.get(_STATE, None)
    if state is not None:
        node.workerinput[SESSION_INPUT] = state.session


def _ledger_dir(config: pytest.Config) -> Path:
    """The ledger's directory: beside the cache, not in it (``--cache-clear`` must not erase it)."""
    value = str(config.getini(INI_LEDGER_DIR) or "").strip()
    return config.rootpath / (os.path.expanduser(value) if value else LEDGER_DIR_NAME)


def _old_ledgers(config: pytest.Config) -> list[str]:
    """A warning for ledgers in the cache directory, where versions before this one kept them."""
    try:
        cache_dir = config.rootpath / str(config.getini("cache_dir") or ".pytest_cache")
    except ValueError:  # -p no:cacheprovider
        cache_dir = config.rootpath / ".pytest_cache"
    old = cache_dir.joinpath(*_OLD_LEDGER_DIR)
    try:
        count = sum(1 for p in old.iterdir() if p.name.endswith(".jsonl"))
    except OSError:
        return []
    if not count:
        return []
    return [f"{old} holds {count} ledger(s) of an earlier version (unsigned, so never swept): delete "
            f"the files they list by hand, then remove that directory"]


def _live_deleters(state: LiveState) -> dict[tuple[str, str], Deleter]:
    backend = state.backend
    if backend.base_url is None or backend.key is None:
        return {}
    return {(backend.base_url, backend.key.fingerprint): state.deleter_for(backend.base_url, backend.key)}


def _secrets(state: LiveState) -> list[Secret]:
    return state.secrets()


def _sweep_earlier(state: LiveState) -> None:
    """Delete what ledgers of sessions that are over still list (for our credentials)."""
    directory = _ledger_dir(state.config)
    report = sweep(directory, _live_deleters(state), state.policy, secrets=_secrets(state))
    state.start_sweep.add_report(report)
    state.start_sweep.problems.extend(_old_ledgers(state.config))
    state.sweep_ran = True


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    state = _state(session.config)
    if not state.backend.is_live or state.sweep_only or session.config.option.collectonly:
        return  # --collect-only sends nothing
    if state.cleanup and not state.is_worker:
        _sweep_earlier(state)
    state.ledger_dir = _ledger_dir(session.config)
    state.writer = LedgerWriter(state.ledger_dir, state.session, state.worker)
    state.recorder = Recorder(state.writer)
    if state.record_all and state.backend.base_url is not None:
        _patch(state, state.backend.base_url)
    if state.backend.missing_key_reason and state.backend.base_url is not None:
        _count_sent(state, state.backend.base_url)


def _count_sent(state: LiveState, base_url: str) -> None:
    """No key: the fixture clients send nothing, but a client a test builds itself may; count
    what reaches the API so the summary says so instead of "nothing was sent"."""
    from pytest_claude_files._live.backends import count_sent

    recorder = state.recorder
    state.sent, undo = count_sent(base_url, lambda: recorder.current_test if recorder else None)
    previous = state.undo_patch

    def undo_both() -> None:
        undo()
        if previous is not None:
            previous()

    state.undo_patch = undo_both


def _patch(state: LiveState, base_url: str) -> None:
    if state.undo_patch is None and state.recorder is not None:
        from pytest_claude_files._live.backends import patch_transports

        state.undo_patch = patch_transports(state.recorder, base_url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    state = item.config.stash.get(_STATE, None)
    recorder = state.recorder if state is not None else None
    if recorder is not None:
        recorder.current_test = item.nodeid
    try:
        return (yield)
    finally:
        if recorder is not None:
            recorder.current_test = None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(MARKER_REAL) is None:
        return
    backend = _state(item.config).backend
    reason = backend.missing_key_reason
    if backend.name == "replay":  # the real API's answers, recorded: it runs from its cassette
        return
    if backend.name != "real":
        reason = (
            f"claude-files: needs the real Files API; run with {OPTION_BACKEND}=real and "
            f"{ENV_API_KEY} set (backend now: {backend.name})"
        )
    if reason:
        # reported at the test's location (as pytest's own skip markers are), not this file's
        raise pytest.skip.Exception(reason, _use_item_location=True)


def _finish(state: LiveState) -> None:
    """Delete what this process recorded and has not deleted yet: one pass per upload,
    whoever calls it first (the backend fixture's teardown, or the end of the session)."""
    recorder = state.recorder
    if recorder is None:
        return
    if state.cleanup:
        state.delete(recorder.pending, session_pass=True)


def _sweep_own(state: LiveState, prefix: str, exclude: frozenset[Path], why: str, into: Any) -> None:
    """Sweep this session's other ledgers (forked children, dead xdist workers) and count
    them; the pending uploads of ledgers still locked (a child still running) count as left."""
    if state.ledger_dir is None:
        return
    deleters = _live_deleters(state) if state.cleanup else {}
    report = sweep(state.ledger_dir, deleters, state.policy, prefix=prefix, exclude=exclude,
                   secrets=_secrets(state), deadline=state.session_deadline())
    into.add_report(report, why)
    mac_keys = {secret.fingerprint: secret.mac_key for secret in _secrets(state)}
    for path in report.busy:
        for upload in read_ledger(path, mac_keys).pending:
            into.uploaded += 1
            into.left.append((upload.file_id, upload.test, f"{why}, still running: its ledger "
                                                           f"{path.name} keeps it"))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_STATE, None)
    if state is None or state.finished or not state.backend.is_live or state.sweep_only:
        return
    state.finished = True
    try:
        if state.recorder is not None:
            state.recorder.settle()
        _finish(state)
        own = frozenset(state.writer.paths) if state.writer is not None else frozenset()
        controller = session.config.pluginmanager.has_plugin("dsession")
        if controller:
            # xdist: ledgers of workers that died (they did not report), and of their forks
            _sweep_own(state, f"{state.session}-", frozenset(state.reported_ledgers | own),
                       "recorded by an xdist worker or a process it forked", state.workers)
        elif state.writer is not None:
            # ledgers of processes this one forked (each child records to its own)
            _sweep_own(state, state.writer.prefix, own, "recorded by a forked process", state.own)
    finally:
        if state.undo_patch is not None:
            state.undo_patch()
            state.undo_patch = None
        kept: Optional[Path] = None
        if state.writer is not None:
            pending = bool(state.recorder and state.recorder.pending)
            if state.writer.created and pending:
                kept = state.writer.path
            state.writer.finish(remove=not pending)  # a later upload opens a ledger of its own
        state.close_deleters()
        if state.is_worker:
            out = state.totals().to_dict()
            out["ledger"] = str(kept) if kept else None
            session.config.workeroutput[_WORKER_OUTPUT] = out  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    state = node.config.stash.get(_STATE, None)
    output = getattr(node, "workeroutput", None) or {}
    report = output.get(_WORKER_OUTPUT)
    if state is None or report is None:
        return
    state.worker_reports += 1
    state.workers.add(report)
    if report.get("ledger"):
        state.reported_ledgers.add(Path(report["ledger"]))


def pytest_report_header(config: pytest.Config) -> Optional[str]:
    state = config.stash.get(_STATE, None)
    if state is None or not state.backend.is_live:
        return None
    backend = state.backend
    base = backend.base_url or "claude_files_server fixture"
    if backend.key_fingerprint:
        key = backend.key_fingerprint
    elif backend.name == "server":
        key = "per-session key of claude_files_server"
    else:
        key = f"none ({ENV_API_KEY} not set)"
    cleanup = "on" if state.cleanup else "off"
    extra = ", record-all" if state.record_all else ""
    return (f"claude-files: backend={backend.name} ({backend.source}), base_url={base}, key={key}, "
            f"cleanup={cleanup}{extra}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    config = terminalreporter.config
    if getattr(config, "workerinput", None) is not None:
        return
    state = config.stash.get(_STATE, None)
    if state is None or not state.backend.is_live or config.option.collectonly:
        return
    for line in summary_lines(state):
        terminalreporter.write_line(line)


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def claude_files_backend(request: pytest.FixtureRequest) -> Generator[Backend, None, None]:
    """The backend the client fixtures talk to (``name``, ``base_url``, ``key_fingerprint``).

    On ``server`` without ``CLAUDE_FILES_SERVER_URL`` it starts the emulator
    (``claude_files_server``); at its teardown, the session's uploads are deleted (before
    the emulator stops).
    """
    state = _state(request.config)
    backend = state.backend
    if backend.name == "server" and (backend.base_url is None or backend.key is None):
        try:
            server = request.getfixturevalue("claude_files_server")
        except pytest.FixtureLookupError:
            pytest.fail(
                f"{OPTION_BACKEND}=server needs the emulator (the claude_files_server fixture, "
                f"pytest-claude-files[server]). See {DOCS}",
                pytrace=False,
            )
        backend = backend.with_endpoint(str(server.base_url), backend.key or Secret(str(server.api_key)))
        if state.recorder is not None:
            assert backend.base_url is not None
            state.recorder.ephemeral_urls.add(backend.base_url)
        if getattr(server, "handle", None) is not None:  # in-process: it stops before us
            request.addfinalizer(lambda: setattr(state, "server_stopped", True))
    if state.record_all and backend.base_url is not None:
        _patch(state, backend.base_url)
    yield backend
    if backend.is_live:
        _finish(state)


def backend_client(request: pytest.FixtureRequest, cfg: Any, fake_kwargs: Mapping[str, Any], *,
                   is_async: bool = False) -> Any:
    """The client of ``claude_files_client`` / ``claude_files_async_client`` for the chosen backend."""
    state = _state(request.config)
    backend = state.backend
    if backend.name == "replay":
        return _replay_client(request, fake_kwargs, is_async=is_async)
    if backend.is_fake:
        if "claude_files_respx" in request.fixturenames:
            # through the router's routes, so scripted results and faults apply to this client too
            from pytest_claude_files._sdk.client import make_routed_client

            router = request.getfixturevalue("claude_files_respx")
            return make_routed_client(router.base_url, is_async=is_async, **fake_kwargs)
        from pytest_claude_files._sdk.client import make_sdk_client

        handler = request.getfixturevalue("claude_files_handler")
        return make_sdk_client(handler, is_async=is_async, **fake_kwargs)
    reason = backend.missing_key_reason
    if reason:
        pytest.skip(reason)
    for name in _FAKE_FIXTURES:
        if name in request.fixturenames:
            pytest.skip(
                f"claude-files: this test inspects the in-memory fake ({name}) while its client "
                f"talks to the {backend.name} backend; it runs on the fake backend only"
            )
    live: Backend = request.getfixturevalue("claude_files_backend")
    assert live.base_url is not None and live.key is not None
    kwargs: dict[str, Any] = {}
    if getattr(cfg, "max_retries", None) is not None:
        kwargs["max_retries"] = cfg.max_retries
    from pytest_claude_files._live.backends import make_live_client
    from pytest_claude_files._plugin.cassettes import recording_of

    recording = recording_of(request)
    if recording is not None:
        recording.backend = backend.name  # "real" or "server", written in the cassette
        recording.secrets.extend(s for s in recording_secrets(request.config) if s not in recording.secrets)
    return make_live_client(live.base_url, live.key, state.recorder, is_async=is_async,
                            recording=recording, **kwargs)


def _replay_client(request: pytest.FixtureRequest, fake_kwargs: Mapping[str, Any], *, is_async: bool) -> Any:
    """A client answered from the test's cassette (``--claude-files-backend=replay``)."""
    from pytest_claude_files._plugin.cassettes import replay_handler

    if "claude_files_respx" in request.fixturenames:
        from pytest_claude_files._sdk.client import make_routed_client

        router = request.getfixturevalue("claude_files_respx")  # its routes answer from the cassette
        return make_routed_client(router.base_url, is_async=is_async, **fake_kwargs)
    for name in _FAKE_FIXTURES:
        if name in request.fixturenames:
            pytest.skip(
                f"claude-files: this test inspects the in-memory fake ({name}) while its client "
                f"answers from a cassette (replay backend); it runs on the fake backend only"
            )
    from pytest_claude_files._live.replay import make_replay_client

    return make_replay_client(replay_handler(request), is_async=is_async, **fake_kwargs)


def recording_secrets(config: pytest.Config) -> list[Secret]:
    """The keys a cassette of this session must never hold."""
    state = _state(config)
    found = list(state.secrets())
    if state.backend.key is not None and state.backend.key not in found:
        found.append(state.backend.key)
    return found


@pytest.fixture
def claude_files_cleanup(request: pytest.FixtureRequest) -> Generator[FileCleanup, None, None]:
    """Delete at the end of this test what it uploaded through the fixture clients
    (and ``track()``-ed ids). What cannot be deleted stays for the session cleanup."""
    state = _state(request.config)
    backend: Optional[Backend] = None
    if state.backend.is_live and not state.backend.missing_key_reason:
        backend = request.getfixturevalue("claude_files_backend")
    cleanup = FileCleanup(state, backend)
    recorder = state.recorder
    if recorder is not None:
        recorder.add_tracker(cleanup.uploaded)
    try:
        yield cleanup
    finally:
        if recorder is not None:
            recorder.remove_tracker(cleanup.uploaded)
            cleanup.delete_now()
