"""``st.from_type`` for our models and the SDK's Files types (the ``hypothesis`` entry point).

Hypothesis calls :func:`_hypothesis_setup_hook` when it is imported, and only then. The
hook imports neither pydantic nor the SDK: it registers the strategies the moment the
module holding the types is imported (or at once when it already is), so a process
that never uses Hypothesis, or never touches these types, pays nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from types import ModuleType
from typing import Any, Callable, Optional, Sequence

__all__ = ["register_model_strategies", "register_sdk_strategies"]

Callback = Callable[[], None]


def _cfs() -> ModuleType:
    return importlib.import_module("pytest_claude_files._gen.file_strategies")


def _lazy(make: Callable[[ModuleType], Any]) -> Callable[[type], Any]:
    """A strategy resolver that imports our strategies only when ``from_type`` asks."""
    return lambda _type: make(_cfs())


def register_model_strategies() -> None:
    """Register our models (``pytest_claude_files.models``) with ``st.from_type``."""
    from hypothesis import strategies as st

    models = importlib.import_module("pytest_claude_files.models")
    table: dict[type, Callable[[ModuleType], Any]] = {
        models.FileMetadata: lambda cfs: cfs.file_metadata(dialect=None),
        models.FileScope: lambda cfs: cfs.file_scopes(),
        models.DeletedFile: lambda cfs: cfs.deleted_files(),
        models.BetaFileList: lambda cfs: cfs.list_pages("beta"),
        models.GAFileList: lambda cfs: cfs.list_pages("ga"),
        models.ErrorResponse: lambda cfs: cfs.error_bodies(),
    }
    for cls, make in table.items():
        st.register_type_strategy(cls, _lazy(make))


def register_sdk_strategies() -> None:
    """Register the installed SDK's Files types with ``st.from_type``.

    ``BetaFileMetadata``, ``BetaFileScope``, ``BetaDeletedFile`` and, where the SDK has
    them (0.125 and later), ``FileMetadata`` and ``DeletedFile``.
    """
    from hypothesis import strategies as st

    beta = importlib.import_module("anthropic.types.beta")
    types = importlib.import_module("anthropic.types")
    table: dict[type, Callable[[ModuleType], Any]] = {
        beta.BetaFileMetadata: lambda cfs: cfs.sdk_file_metadata(dialect="beta"),
        beta.BetaDeletedFile: lambda cfs: cfs.sdk_deleted_files(dialect="beta"),
    }
    if hasattr(beta, "BetaFileScope"):
        scope_cls = beta.BetaFileScope
        table[scope_cls] = lambda cfs: cfs.file_scopes().map(
            lambda s: scope_cls.model_validate(s.model_dump(mode="json"))
        )
    if hasattr(types, "FileMetadata"):
        table[types.FileMetadata] = lambda cfs: cfs.sdk_file_metadata(dialect="ga")
    if hasattr(types, "DeletedFile"):
        table[types.DeletedFile] = lambda cfs: cfs.sdk_deleted_files(dialect="ga")
    for cls, make in table.items():
        st.register_type_strategy(cls, _lazy(make))


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs callbacks right after a module finishes importing (a post-import hook).

    It keeps watching: a module imported afresh (``pytester``'s in-process runs drop the
    modules a run imported, so the next run imports new classes) is registered again.
    """

    _claude_files_finder = True

    def __init__(self) -> None:
        self.pending: dict[str, list[Callback]] = {}
        self._lock = threading.Lock()

    def add(self, module: str, callback: Callback) -> None:
        with self._lock:
            callbacks = self.pending.setdefault(module, [])
            if callback not in callbacks:
                callbacks.append(callback)

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        with self._lock:
            callbacks = list(self.pending.get(fullname, ()))
        if not callbacks:
            return None
        for finder in sys.meta_path:
            if finder is self or getattr(finder, "_claude_files_finder", False):
                continue
            if not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None:
            spec.loader = _Loader(spec.loader, callbacks)
        return spec


class _Loader(importlib.abc.Loader):
    def __init__(self, wrapped: Any, callbacks: list[Callback]) -> None:
        self._wrapped = wrapped
        self._callbacks = callbacks

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        create = getattr(self._wrapped, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        self._wrapped.exec_module(module)
        for callback in self._callbacks:
            _quietly(callback)

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader, ...
        return getattr(self._wrapped, name)


def _quietly(callback: Callback) -> None:
    try:
        callback()
    except Exception as exc:
        import warnings

        warnings.warn(
            f"pytest-claude-files could not register Hypothesis strategies: {exc!r}", stacklevel=2
        )


_FINDER = _AfterImport()


def _when_imported(module: str, callback: Callback) -> None:
    _FINDER.add(module, callback)  # also when the module is imported afresh later
    if _FINDER not in sys.meta_path:
        # one watcher: drop one left by an earlier import of this module
        sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "_claude_files_finder", False)]
        sys.meta_path.insert(0, _FINDER)
    if module in sys.modules:
        _quietly(callback)


def _hypothesis_setup_hook() -> None:
    """The ``hypothesis`` entry point: register when the types' modules load."""
    _when_imported("pytest_claude_files.models", register_model_strategies)
    _when_imported("anthropic", register_sdk_strategies)
