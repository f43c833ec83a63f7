"""Shared test helpers: the anyio backend, the SDK generation, and a sync/async SDK driver.

``FilesAPI`` lets ONE test body drive ``client.beta.files`` or ``client.files`` on a sync
or an async client: ``await api.call("upload", file=...)`` awaits only when the client is
async, ``await api.collect(api.resource.list(limit=7))`` iterates either paginator.
"""

from __future__ import annotations

import inspect
import signal
import subprocess
from dataclasses import dataclass
from typing import Any, Literal

import pytest

from pytest_claude_files._sdk.client import sdk_version

Surface = Literal["beta", "ga"]

NO_UNRELATED_PLUGINS = ("-p", "no:faker", "-p", "no:hypothesispytest")
"""For ``pytester.runpytest_subprocess`` runs that use neither Faker nor Hypothesis: the
child process then does not import them (about a second less per run)."""
SDK_VERSION: tuple[int, ...] = sdk_version() or (0,)


def sdk_at_least(major: int, minor: int = 0, patch: int = 0) -> bool:
    """Whether the installed ``anthropic`` is at least ``major.minor.patch``."""
    return SDK_VERSION >= (major, minor, patch)


def dialect_of_surface(surface: Surface) -> Literal["beta", "ga"]:
    """The dialect the fake serves a surface in: SDK <= 1.1 ``client.beta.files`` is beta.

    From 1.2 on ``client.beta.files`` no longer sends the ``files-api-2025-04-14``
    header, so both surfaces speak GA (FILES_API.md, "Three SDK generations").
    """
    return "beta" if surface == "beta" and not sdk_at_least(1, 2) else "ga"


def sdk_has_coded_errors() -> bool:
    """Whether the SDK maps ``(status, details.error_code)`` to subclasses (``_error_classes``, 2.x)."""
    import importlib.util

    return importlib.util.find_spec("anthropic._error_classes") is not None


def sdk_error(name: str) -> Any:
    """An exception class of the installed SDK (``anthropic`` or ``anthropic.types``), else ``None``."""
    import anthropic
    import anthropic.types

    found = getattr(anthropic, name, None) or getattr(anthropic.types, name, None)
    if found is None and name in CODED_ERRORS:
        assert not sdk_has_coded_errors(), f"SDK {SDK_VERSION} maps error codes but has no {name}"
    return found


CODED_ERRORS = ("FileNotDownloadableError", "FileExpiredError", "StorageQuotaExceededError")


def stop_process(process: subprocess.Popen[str], timeout: float = 10) -> None:
    """Stop a server subprocess as Ctrl-C would, killing it if it does not go in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class FilesAPI:
    """One SDK files resource (beta or GA surface) of a sync or async client."""

    client: Any
    surface: Surface
    is_async: bool

    @property
    def resource(self) -> Any:
        return self.client.beta.files if self.surface == "beta" else self.client.files

    @property
    def raw(self) -> Any:
        return self.resource.with_raw_response

    @property
    def dialect(self) -> Literal["beta", "ga"]:
        return dialect_of_surface(self.surface)

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``resource.<method>(...)``, awaited when the client is async."""
        return await _resolve(getattr(self.resource, method)(*args, **kwargs))

    async def call_raw(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``resource.with_raw_response.<method>(...)``, awaited when the client is async."""
        return await _resolve(getattr(self.raw, method)(*args, **kwargs))

    async def read(self, response: Any) -> bytes:
        """The bytes of a download response (``.read()`` of either client)."""
        return await _resolve(response.read())

    async def collect(self, paginator: Any) -> list[Any]:
        """Every item of an SDK auto-paginating list (``for`` or ``async for``)."""
        if self.is_async:
            return [item async for item in paginator]
        return list(paginator)

    async def page(self, **params: Any) -> Any:
        """The first page only (``await client.files.list(...)`` on async clients)."""
        return await _resolve(self.resource.list(**params))


AGENTS_BETA = "managed-agents-2026-04-01"


def agents_header(dialect: Literal["beta", "ga"]) -> dict[str, str]:
    """The ``anthropic-beta`` header that allows ``scope_id`` (a Managed Agents beta feature), in
    ``dialect``: the beta dialect keeps ``files-api-2025-04-14`` beside it."""
    return {"anthropic-beta": f"files-api-2025-04-14,{AGENTS_BETA}" if dialect == "beta" else AGENTS_BETA}


def dialect_paginator(client: Any, dialect: Literal["beta", "ga"], *, agents: bool = False,
                      **params: Any) -> Any:
    """An SDK auto-paginating ``list`` that speaks ``dialect`` on any SDK generation.

    GA: ``client.files.list`` (page cursors). Beta: ``client.beta.files.list`` on SDK <= 1.1;
    on later SDKs, whose beta surface speaks GA, the SDK's own before/after-id page class
    (``SyncPage``/``AsyncPage``) driven through ``client.get_api_list`` with the beta header.
    """
    if agents:  # with the Managed Agents beta beside (scope_id)
        params["extra_headers"] = agents_header(dialect)
    if dialect == "ga":
        return client.files.list(**params)
    if not sdk_at_least(1, 2):
        return client.beta.files.list(**params)
    import anthropic
    from anthropic.pagination import AsyncPage, SyncPage
    from anthropic.types.beta import BetaFileMetadata

    page_class = AsyncPage if isinstance(client, anthropic.AsyncAnthropic) else SyncPage
    headers = params.pop("extra_headers", {"anthropic-beta": "files-api-2025-04-14"})
    options = {"params": params, "headers": headers}
    return client.get_api_list(
        "/v1/files", model=BetaFileMetadata, page=page_class[BetaFileMetadata], options=options
    )


async def resolve(value: Any) -> Any:
    """``value``, awaited when it is awaitable: the one place sync and async calls meet."""
    if inspect.isawaitable(value):
        return await value
    return value


_resolve = resolve


async def walk(iterable: Any) -> list[Any]:
    """Every item of a sync or async iterable (an SDK paginator of either client)."""
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    return list(iterable)


@dataclass
class Sdk:
    """The sync/async driver: ``sdk.client(...)`` makes an ``Anthropic`` or ``AsyncAnthropic``
    and ``await sdk.call(client, "list")`` drives its ``beta.files`` (or ``files``) through
    :class:`FilesAPI`, so ONE test body runs on both clients (the ``sdk`` fixture)."""

    is_async: bool

    def client(self, **kwargs: Any) -> Any:
        import anthropic

        kwargs.setdefault("api_key", "sk-ant-test")
        cls = anthropic.AsyncAnthropic if self.is_async else anthropic.Anthropic
        return cls(**kwargs)

    def files(self, client: Any, surface: Surface = "beta") -> FilesAPI:
        return FilesAPI(client, surface, self.is_async)

    async def call(self, client: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
        """``client.beta.files.<operation>(...)``; a download's bytes for ``download``."""
        api = self.files(client)
        result = await api.call(operation, *args, **kwargs)
        return await api.read(result) if operation == "download" else result

    async def list_all(self, client: Any, surface: Surface = "beta", **kwargs: Any) -> list[Any]:
        return await walk(self.files(client, surface).resource.list(**kwargs))


@pytest.fixture(params=["sync", "async"])
def sdk(request: pytest.FixtureRequest) -> Sdk:
    return Sdk(request.param == "async")


@pytest.fixture(params=["sync", "async"])
def sdk_client(request: pytest.FixtureRequest) -> Any:
    """``claude_files_client`` or ``claude_files_async_client`` (one param each)."""
    name = "claude_files_client" if request.param == "sync" else "claude_files_async_client"
    return request.getfixturevalue(name)


@pytest.fixture(params=["beta", "ga"])
def surface(request: pytest.FixtureRequest) -> Surface:
    """``client.beta.files`` or ``client.files``."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def api(sdk_client: Any, surface: Surface) -> FilesAPI:
    """A files resource: {sync, async} x {beta surface, GA surface}."""
    import anthropic

    return FilesAPI(sdk_client, surface, isinstance(sdk_client, anthropic.AsyncAnthropic))
