"""The fidelity suite's pytest glue: the ``contract`` fixture, the plan, the refusals, the summary.

Registers no options and no markers (the plugin does, ``_plugin/contract.py``): this file
is loaded next to the plugin's entry point, and the same name registered twice breaks.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any, Generator, Optional

import pytest

from pytest_claude_files._core.settings_table import by_name
from pytest_claude_files._live.backends import (
    ENV_API_KEY,
    ENV_BASE_URL,
    INI_BACKEND,
    OPTION_BACKEND,
    Backend,
    BackendError,
    choose_backend,
)
from pytest_claude_files.contract._deadline import Deadline
from pytest_claude_files.contract._harness import Contract
from pytest_claude_files.contract._plan import (
    CALLS,
    DOCS,
    MARKER_FIDELITY,
    Budget,
    BudgetError,
    Plan,
    budget_of,
    over_budget,
    plan_of,
)
from pytest_claude_files.contract._report import PREFIX, ContractReport

HERE = Path(__file__).parent
PLUGIN = "pytest_claude_files.plugin"
_REPORT = pytest.StashKey[ContractReport]()
_PLAN = pytest.StashKey[Plan]()
_BUDGET = pytest.StashKey[Budget]()
_CONTRACT = pytest.StashKey[Contract]()
_BACKEND = by_name("backend")
SHOWN_HEADERS = ("anthropic-version", "anthropic-beta", "anthropic-workspace-id")


def _backend(config: pytest.Config) -> Backend:
    try:
        return choose_backend(
            config.getoption(_BACKEND.dest, None), str(config.getini(INI_BACKEND) or "")
        )
    except BackendError as exc:  # pragma: no cover - the plugin refused it at configure
        raise pytest.UsageError(str(exc)) from None


def _report(config: pytest.Config) -> ContractReport:
    if _REPORT not in config.stash:
        backend = _backend(config)
        try:
            sdk = f"anthropic {metadata.version('anthropic')}"
        except metadata.PackageNotFoundError:  # pragma: no cover - a dependency
            sdk = "anthropic not installed"
        where = backend.base_url if backend.name == "real" else None
        config.stash[_REPORT] = ContractReport(backend.name, where, sdk)
    return config.stash[_REPORT]


def _is_contract(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).parents


def _skip_reason(budget: Budget, backend: Backend) -> Optional[str]:
    if backend.name == "real" and (budget.real or budget.live):
        return f"not run against the real API: {budget.real or budget.live}"
    if backend.name == "server" and budget.live:
        return f"not run against a live backend: {budget.live}"
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [item for item in items if _is_contract(item)]
    if not mine:
        return
    plugin = config.pluginmanager.get_plugin("claude_files") or config.pluginmanager.get_plugin(PLUGIN)
    if plugin is None:
        raise pytest.UsageError(
            "pytest_claude_files.contract runs on the pytest-claude-files plugin, which is not loaded "
            f"(-p no:claude_files, or PYTEST_DISABLE_PLUGIN_AUTOLOAD without -p {PLUGIN}). Load it: "
            f"pytest -p {PLUGIN} --pyargs pytest_claude_files.contract. See {DOCS}"
        )
    backend = _backend(config)
    if backend.name == "real" and backend.key is None:
        raise pytest.UsageError(
            f"pytest_claude_files.contract: {OPTION_BACKEND}=real checks the fake against your account, "
            f"and needs its key in {ENV_API_KEY}, which is not set; nothing was sent. Set it "
            f"({ENV_API_KEY}=sk-ant-... pytest --pyargs pytest_claude_files.contract {OPTION_BACKEND}=real), "
            f"or point {ENV_BASE_URL} at another server and give its key. See {DOCS}"
        )
    pairs = []
    for item in mine:
        mark = item.get_closest_marker(MARKER_FIDELITY)
        if mark is None:
            raise pytest.UsageError(
                f"{item.nodeid}: a contract test without @pytest.mark.{MARKER_FIDELITY}"
                f"(row_id, ...); every test checks a row of docs/fidelity.md"
            )
        try:
            budget = budget_of(mark)
        except BudgetError as exc:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{MARKER_FIDELITY} {exc}") from None
        item.stash[_BUDGET] = budget
        reason = _skip_reason(budget, backend)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
        pairs.append((budget, reason))
    plan = plan_of(pairs)
    config.stash[_PLAN] = plan
    problem = plan.over_bound()
    if backend.name == "real" and problem:
        raise pytest.UsageError(
            f"pytest_claude_files.contract: this selection would send {problem} to the real API; "
            f"refused, nothing was sent. Select fewer tests (-k) so it stays within the bound. See {DOCS}"
        )


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    plan = config.stash.get(_PLAN, None)
    if plan is None:
        return []
    backend = _backend(config)
    if backend.name == "fake":
        return [f"{PREFIX} {plan.tests} tests against the in-process fake (nothing leaves this process)"]
    where = backend.base_url or "the emulator of this session"
    return plan.lines(backend.name, where)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    budget = item.stash.get(_BUDGET, None)
    if budget is None:
        return report
    result = _report(item.config).result(item.nodeid, budget.row)
    contract = item.stash.get(_CONTRACT, None)
    if contract is not None:
        result.exchanges = contract.exchanges
    if report.skipped and result.outcome != "failed":
        result.outcome = "skipped"
        longrepr = report.longrepr
        reason = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
        result.reason = reason.removeprefix("Skipped: ")
    elif report.failed:
        result.outcome = "failed"
        crash = getattr(report.longrepr, "reprcrash", None)
        result.reason = (crash.message if crash is not None else str(report.longrepr)).splitlines()[0]
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None:
        return
    for line in report.summary_lines():
        terminalreporter.write_line(line)
    path = config.getoption(by_name("contract_report").dest, None)
    if path:
        written = report.write(str(path))
        terminalreporter.write_line(f"{PREFIX} report written to {written}")


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _describe(request: Any, operation: Optional[str]) -> str:
    """One line of a request as the reference fake saw it (never a credential)."""
    target = request.path + (f"?{request.query}" if request.query else "")
    shown = [f"{name}: {request.headers[name]}" for name in SHOWN_HEADERS if name in request.headers]
    missing = [name for name in SHOWN_HEADERS[:1] if name not in request.headers]
    shown.extend(f"no {name}" for name in missing)
    body = request.body if isinstance(request.body, (bytes, bytearray)) else b""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/"):
        detail = _multipart_summary(bytes(body))
    elif body:
        detail = bytes(body[:200]).decode("utf-8", "replace")
    else:
        detail = ""
    text = f"{request.method} {target}"
    if shown:
        text += f" [{', '.join(shown)}]"
    return f"{text} {detail}".rstrip()


def _multipart_summary(body: bytes) -> str:
    parts = []
    for chunk in body.split(b"\r\n--")[:8]:
        head, _, payload = chunk.partition(b"\r\n\r\n")
        text = head.decode("utf-8", "replace")
        if "Content-Disposition" not in text and "content-disposition" not in text:
            continue
        lines = [ln.strip() for ln in text.splitlines() if ":" in ln]
        disposition = next(
            (ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("content-disposition")), ""
        )
        ctype = next(
            (ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("content-type")), None
        )
        size = len(payload.rsplit(b"\r\n", 1)[0]) if b"\r\n" in payload else len(payload)
        parts.append(
            f"{disposition}"
            + (f"; Content-Type: {ctype}" if ctype else "; no Content-Type")
            + f"; {size} bytes"
        )
    return "(multipart: " + " | ".join(parts) + ")" if parts else "(multipart)"


@pytest.fixture
def contract(
    request: pytest.FixtureRequest, claude_files_client: Any, claude_files_config: Any
) -> Generator[Contract, None, None]:
    """Run SDK calls on the backend's client and on a reference fake, and compare the answers."""
    from pytest_claude_files._core.clock import FakeClock
    from pytest_claude_files._core.files import FakeFilesSettings
    from pytest_claude_files._core.service import FakeFiles
    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._sdk.client import make_sdk_client

    cfg = claude_files_config
    fake = FakeFiles(
        FakeFilesSettings(**cfg.settings_kwargs()), clock=FakeClock(cfg.now, frozen=cfg.freeze_time)
    )
    handler = FilesHandler(fake)
    seen: list[str] = []
    operations: set[str] = set()
    attempts = [0]

    def record(req: Any, operation: Optional[str]) -> None:
        seen.append(_describe(req, operation))
        if operation:
            operations.add(operation)
        if operation == "upload":
            attempts[0] += 1
        return None

    handler.hooks.append(record)
    kwargs: dict[str, Any] = {}
    if cfg.max_retries is not None:
        kwargs["max_retries"] = cfg.max_retries
    fake_client = make_sdk_client(handler, **kwargs)
    backend_name = _backend(request.config).name

    deadline = Deadline()  # the check's time bound: retry-after capped, timeouts cut
    removers = [deadline.install(claude_files_client)]

    def async_clients() -> tuple[Any, Any]:
        backend_client = request.getfixturevalue("claude_files_async_client")
        removers.append(deadline.install(backend_client, is_async=True))
        return backend_client, make_sdk_client(handler, is_async=True, **kwargs)

    item = request.node
    contract = Contract(
        backend_name=backend_name,
        client=claude_files_client,
        fake_client=fake_client,
        requests=seen,
        async_clients=async_clients,
        deadline=deadline,
    )
    item.stash[_CONTRACT] = contract
    yield contract
    for remove in removers:
        remove()
    fake_client.close()
    budget = item.stash.get(_BUDGET, None)
    if budget is None:
        return
    uploads = [c for c in fake.operations("upload") if c.error is None]
    sent = sum(int(c.params.get("size", 0)) for c in uploads)
    problem = over_budget(
        budget, uploads=len(uploads), sent=sent, operations=operations, attempts=attempts[0]
    )
    if problem:
        pytest.fail(
            f"{item.nodeid} sent more than its @pytest.mark.{MARKER_FIDELITY} declares: {problem}. "
            f"Declare what the test sends (known calls: {', '.join(CALLS)}): the plan printed before a run "
            f"against the real API is made from it",
            pytrace=False,
        )
