"""``mock_claude_files()``: the fake for code outside pytest fixtures (unittest, scripts, notebooks).

A context manager and a decorator, like moto's ``mock_aws``::

    with mock_claude_files(storage_quota="10MB") as fake:
        client = anthropic.Anthropic(api_key="sk-ant-test")   # any client, built anywhere
        client.files.upload(file=("a.txt", b"a", "text/plain"))
        assert fake.files[0].filename == "a.txt"

It starts the router of ``claude_files_respx`` (respx's public mocker registry, for
``httpx`` and for ``httpx2``), so every ``anthropic`` client in the process is answered by
a fresh :class:`~pytest_claude_files.FakeFiles`; on exit the mockers stop and nothing stays
patched. The settings are the ``@pytest.mark.claude_files`` marker's.
"""

from __future__ import annotations

import functools
import inspect
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union, cast

from pytest_claude_files._core.config import ClaudeFilesConfig, validate

if TYPE_CHECKING:
    import anthropic

    from pytest_claude_files._core.service import FakeFiles
    from pytest_claude_files._respx.router import ClaudeFilesRouter

__all__ = ["mock_claude_files"]

F = TypeVar("F", bound=Callable[..., Any])
INSTALL_HINT = "pip install 'pytest-claude-files[respx]'"
_WHERE = "mock_claude_files()"


class mock_claude_files:  # a lower-case name: used like a function (as contextlib and moto do)
    """Intercept every ``anthropic`` client (httpx and httpx2) with a fresh fake.

    Use it as ``with mock_claude_files(**settings) as fake:`` (``fake`` is the
    :class:`~pytest_claude_files.FakeFiles`), or decorate a function, a coroutine function
    or a ``unittest.TestCase`` class (each ``test*`` method gets its own fake; inside,
    ``mocker.fake`` is the current one).

    Settings: those of ``@pytest.mark.claude_files`` (``api_keys``, ``api_key``,
    ``storage_quota``, ``max_file_size``, ``rate_limit``, ``now``, ``freeze_time``, ...)
    but ``max_retries`` (the clients it answers are built by your code, with their own
    ``max_retries=``: a ``TypeError`` says so), and ``base_url`` (default
    ``https://api.anthropic.com``). A bad setting raises ``ValueError`` naming it.

    When the block (or the decorated call) ends without an exception of its own, it raises
    ``AssertionError`` with what the fixtures fail a test for: scripted results or replies
    never used, scripting mistakes, misuse notices that must fail (``misuse_warnings="error"``
    or ``-W error::ClaudeFilesMisuseWarning``) and internal errors of the fake.
    """

    def __init__(self, *, base_url: str = "https://api.anthropic.com", **settings: Any) -> None:
        from pytest_claude_files._core.config import ConfigError

        if "max_retries" in settings:
            raise TypeError(
                "mock_claude_files() does not take max_retries=: it answers the clients your code builds, "
                "and each one retries as its own max_retries= says (anthropic.Anthropic(max_retries=0)); "
                "mocker.client(max_retries=0) builds one for you"
            )
        try:
            self.config: ClaudeFilesConfig = validate(settings, _WHERE)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        self.base_url = base_url
        self._fake: Optional[FakeFiles] = None
        self._router: Optional[ClaudeFilesRouter] = None
        self._handler: Any = None

    # -- what a test uses -------------------------------------------------------------
    @property
    def fake(self) -> FakeFiles:
        """The fake of the block (or the decorated call) running now."""
        if self._fake is None:
            raise RuntimeError("mock_claude_files is not active: use it as `with` or as a decorator")
        return self._fake

    @property
    def router(self) -> ClaudeFilesRouter:
        """The respx router answering the requests (``script``, ``inject``, ``calls_of``...)."""
        if self._router is None:
            raise RuntimeError("mock_claude_files is not active: use it as `with` or as a decorator")
        return self._router

    def client(self, **kwargs: Any) -> anthropic.Anthropic:
        """An ``anthropic.Anthropic`` with the settings' ``api_key`` (``kwargs`` go to the client)."""
        return cast("anthropic.Anthropic", self._client(False, kwargs))

    def async_client(self, **kwargs: Any) -> anthropic.AsyncAnthropic:
        """An ``anthropic.AsyncAnthropic`` with the settings' ``api_key`` (``kwargs`` go to the client)."""
        return cast("anthropic.AsyncAnthropic", self._client(True, kwargs))

    def _client(self, is_async: bool, kwargs: dict[str, Any]) -> Any:
        from pytest_claude_files._sdk.client import make_routed_client

        kwargs.setdefault("api_key", self.config.client_key)
        return make_routed_client(self.base_url, is_async=is_async, **kwargs)

    # -- the context manager ----------------------------------------------------------
    def __enter__(self) -> FakeFiles:
        if self._router is not None:
            raise RuntimeError("this mock_claude_files() is already active; make another for nesting")
        try:
            import httpx  # noqa: F401
            import respx  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                f"mock_claude_files() needs {exc.name}, which is not installed: {INSTALL_HINT}"
            ) from None
        from pytest_claude_files._core.clock import FakeClock
        from pytest_claude_files._core.files import FakeFilesSettings
        from pytest_claude_files._core.service import FakeFiles
        from pytest_claude_files._http.handler import FilesHandler
        from pytest_claude_files._respx.router import ClaudeFilesRouter

        cfg = self.config
        fake = FakeFiles(FakeFilesSettings(**cfg.settings_kwargs()),
                         clock=FakeClock(cfg.now, frozen=cfg.freeze_time))
        if cfg.cassette is not None:  # a path relative to the working directory here
            fake.load_cassette(cfg.cassette)
        handler = FilesHandler(fake)
        router = ClaudeFilesRouter(handler, base_url=self.base_url, real_sleep=True)
        router.start()
        self._fake, self._router, self._handler = fake, router, handler
        return fake

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        router, self._router = self._router, None
        fake, handler, self._fake, self._handler = self._fake, self._handler, None, None
        if router is None:
            return
        unused = router.unused_scripted() if router.assert_all_scripted_used else []
        router.stop()
        if exc_type is not None or fake is None:
            return  # the block's own exception says more
        problems = end_of_use_problems(fake, handler, unused)
        if problems:
            raise AssertionError("\n".join(problems))

    async def __aenter__(self) -> FakeFiles:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    # -- the decorator ----------------------------------------------------------------
    def __call__(self, target: Union[F, type]) -> Any:
        if isinstance(target, type):
            return self._decorate_class(target)
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await target(*args, **kwargs)

            return run_async

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return target(*args, **kwargs)

        return run

    def _decorate_class(self, cls: type) -> type:
        """Each ``test*`` method (as ``unittest`` names them) runs inside its own block."""
        for name, value in list(vars(cls).items()):
            if name.startswith("test") and callable(value):
                setattr(cls, name, self(value))
        return cls


def end_of_use_problems(fake: FakeFiles, handler: Any, unused: list[str]) -> list[str]:
    """What the fixtures fail a test for at teardown, as one message per kind."""
    found: list[str] = []
    if unused:
        listed = "\n  ".join(unused)
        found.append(f"mock_claude_files: {len(unused)} scripted result(s) were never used:\n  {listed}\n"
                     "(if that is expected: mocker.router.assert_all_scripted_used = False)")
    failures = fake.finish()
    if failures:
        listed = "\n".join(f"  {item}" for item in failures)
        found.append(f"mock_claude_files: the fake Claude Files API saw client misuse "
                     f"(ClaudeFilesMisuseWarning):\n{listed}")
    script = fake.problems()
    if script:
        found.append("mock_claude_files: " + "\n".join(script))
    errors = getattr(handler, "internal_errors", None)
    if errors:
        from pytest_claude_files._http.handler import internal_errors_report

        found.append(internal_errors_report(errors, "mock_claude_files"))
    return found
