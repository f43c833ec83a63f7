"""The drift watch: the installed SDK against the fake's own tables (``claude-files-fake drift``).

What is compared (each an :class:`SdkFacts` field, read from the installed SDK):

- ``betas``: the SDK's beta names (Python ``AnthropicBetaParam``, TypeScript
  ``AnthropicBeta``) against ``_http/headers.SDK_BETAS``;
- ``error_codes``: every ``details.error_code`` the SDK maps to a class, with its
  status, against ``_sdk/reviewed.SDK_ERROR_CODES`` (and the fake's own
  ``errors.ERROR_CODE_STATUS`` must agree with the SDK on each status);
- ``file_bearing``: the ``type`` of every request block or source that carries a
  ``file_id``, against ``_sdk/reviewed.FILE_BEARING_TYPES``;
- ``methods``: the parameters of each Files method, against ``FILES_METHOD_PARAMS``;
- ``list_params``: the keys of ``FileListParams``, against ``LIST_QUERY_PARAMS``;
- ``api_version``: the ``anthropic-version`` the SDK sends, which must be one of
  ``_http/headers.ANTHROPIC_VERSIONS``.

A fact the SDK does not expose (an older generation) is ``None`` and is not compared.
The readers are the only code here that looks inside the SDK; the Python one goes
through ``_sdk/compat.py`` for the one private module it needs.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from pytest_claude_files._sdk import reviewed as _reviewed

__all__ = [
    "Difference", "SdkFacts", "compare", "find_node_sdk", "read_node_sdk", "read_python_sdk",
    "reviewed_facts", "run",
]

GENERIC_PARAMS = frozenset({"self", "extra_headers", "extra_query", "extra_body", "timeout"})
FILES_METHODS = ("upload", "list", "retrieve_metadata", "download", "delete")
TYPE_PACKAGES: tuple[str, ...] = ("anthropic.types",)
"""The packages whose ``*_param(s)`` modules are searched for file-bearing request types."""


@dataclass(frozen=True)
class SdkFacts:
    """What one SDK (or the fake's review of one) says about the surface the fake serves."""

    name: str
    betas: Optional[frozenset[str]] = None
    error_codes: Optional[dict[str, int]] = None
    file_bearing: Optional[frozenset[str]] = None
    methods: Optional[dict[str, tuple[str, ...]]] = None
    list_params: Optional[dict[str, tuple[str, ...]]] = None
    api_version: Optional[str] = None


@dataclass(frozen=True)
class Difference:
    """One difference: its table, and what the SDK has that the fake's table lacks or the reverse."""

    table: str
    message: str

    def __str__(self) -> str:
        return f"{self.table}: {self.message}"


@dataclass
class _Report:
    found: list[Difference] = field(default_factory=list)

    def sets(self, table: str, sdk: Iterable[str], ours: Iterable[str], what: str, fix: str) -> None:
        sdk_set, our_set = set(sdk), set(ours)
        for item in sorted(sdk_set - our_set):
            self.found.append(Difference(
                table, f"the SDK has {what} {item!r} that the fake does not know ({fix})"))
        for item in sorted(our_set - sdk_set):
            self.found.append(Difference(table, f"the fake knows {what} {item!r} that the SDK no longer has"))


def reviewed_facts() -> SdkFacts:
    """The fake's own tables, as an :class:`SdkFacts`."""
    from pytest_claude_files._http.headers import SDK_BETAS

    return SdkFacts(
        name=_reviewed.REVIEWED_SDK,
        betas=SDK_BETAS,
        error_codes=dict(_reviewed.SDK_ERROR_CODES),
        file_bearing=_reviewed.FILE_BEARING_TYPES,
        methods=dict(_reviewed.FILES_METHOD_PARAMS),
        list_params=dict(_reviewed.LIST_QUERY_PARAMS),
        api_version=None,
    )


def compare(sdk: SdkFacts, ours: Optional[SdkFacts] = None) -> list[Difference]:
    """Every difference between ``sdk`` and the fake's tables (``ours``: the reviewed ones)."""
    from pytest_claude_files._http.headers import ANTHROPIC_VERSIONS
    from pytest_claude_files.errors import ERROR_CODE_STATUS

    ours = ours or reviewed_facts()
    report = _Report()
    if sdk.betas is not None and ours.betas is not None:
        report.sets("beta names", sdk.betas, ours.betas, "the beta name",
                    "add it to _http/headers.SDK_BETAS once the fake handles it")
    if sdk.error_codes is not None and ours.error_codes is not None:
        report.sets("error codes", sdk.error_codes, ours.error_codes, "the error code",
                    "review it, then add it to _sdk/reviewed.SDK_ERROR_CODES")
        for code in sorted(set(sdk.error_codes) & set(ours.error_codes)):
            if sdk.error_codes[code] != ours.error_codes[code]:
                report.found.append(Difference("error codes", (
                    f"{code!r} comes with status {sdk.error_codes[code]} in the SDK, "
                    f"{ours.error_codes[code]} in the fake's table")))
        for code, status in sorted(ERROR_CODE_STATUS.items()):
            if code in sdk.error_codes and sdk.error_codes[code] != status:
                report.found.append(Difference("error codes", (
                    f"the fake answers {code!r} with status {status}, the SDK maps it to "
                    f"{sdk.error_codes[code]} (errors.ERROR_CODE_STATUS)")))
    if sdk.file_bearing is not None and ours.file_bearing is not None:
        report.sets("file-bearing types", sdk.file_bearing, ours.file_bearing, "the block or source type",
                    "make the Messages checks resolve its file_id, then add it to FILE_BEARING_TYPES")
    for table, sdk_map, our_map in (("Files method parameters", sdk.methods, ours.methods),
                                    ("list query parameters", sdk.list_params, ours.list_params)):
        if sdk_map is None or our_map is None:
            continue
        report.sets(table, sdk_map, our_map, "the method", "review it")
        for method in sorted(set(sdk_map) & set(our_map)):
            report.sets(table, (f"{method}({p})" for p in sdk_map[method]),
                        (f"{method}({p})" for p in our_map[method]), "the parameter",
                        "make the fake handle it, then add it to _sdk/reviewed.py")
    if sdk.api_version is not None and sdk.api_version not in ANTHROPIC_VERSIONS:
        report.found.append(Difference("anthropic-version", (
            f"the SDK sends anthropic-version {sdk.api_version!r}, which the fake refuses "
            "(add it to _http/headers.ANTHROPIC_VERSIONS with its behaviour)")))
    return report.found


# -- the Python SDK ---------------------------------------------------------------------
def _literals(tp: Any) -> set[str]:
    found: set[str] = set()
    if typing.get_origin(tp) is typing.Literal:
        found.update(a for a in typing.get_args(tp) if isinstance(a, str))
    for arg in typing.get_args(tp):
        if not isinstance(arg, str):
            found |= _literals(arg)
    return found


def _file_bearing_python(packages: Iterable[str]) -> frozenset[str]:
    """The ``type`` literals of every request TypedDict (``*_param(s)`` modules) with a ``file_id``."""
    found: set[str] = set()
    for package_name in packages:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            leaf = info.name.rsplit(".", 1)[-1]
            if not (leaf.endswith("_param") or leaf.endswith("_params")):
                continue
            try:
                module = importlib.import_module(info.name)
            except Exception:  # pragma: no cover - a broken SDK module is not ours to judge
                continue
            for obj in vars(module).values():
                annotations = getattr(obj, "__annotations__", None)
                if not (isinstance(obj, type) and isinstance(annotations, dict)
                        and "file_id" in annotations and "type" in annotations):
                    continue
                try:
                    hints = typing.get_type_hints(obj)
                except Exception:  # pragma: no cover - unresolvable forward references
                    continue
                found |= _literals(hints.get("type"))
    return frozenset(found)


def read_python_sdk() -> SdkFacts:
    """The facts of the installed ``anthropic`` package."""
    import anthropic

    from pytest_claude_files._sdk.compat import sdk_error_codes

    betas: Optional[frozenset[str]] = None
    try:
        from anthropic.types import AnthropicBetaParam

        betas = frozenset(_literals(AnthropicBetaParam))
    except ImportError:  # pragma: no cover - an SDK before beta names were typed
        pass
    client = anthropic.Anthropic(api_key="drift-watch", base_url="http://127.0.0.1:9")
    methods: dict[str, tuple[str, ...]] = {}
    for prefix, resource in (("files", getattr(client, "files", None)),
                             ("beta.files", getattr(client.beta, "files", None))):
        if resource is None:
            continue
        for name in FILES_METHODS:
            method = getattr(resource, name, None)
            if method is not None:
                params = inspect.signature(method).parameters
                methods[f"{prefix}.{name}"] = tuple(sorted(p for p in params if p not in GENERIC_PARAMS))
    list_params: dict[str, tuple[str, ...]] = {}
    for key, module in (("files.list", "anthropic.types.file_list_params"),
                        ("beta.files.list", "anthropic.types.beta.file_list_params")):
        try:
            params_type = importlib.import_module(module).FileListParams
        except (ImportError, AttributeError):
            continue
        list_params[key] = tuple(sorted(params_type.__annotations__))
    version = client.default_headers.get("anthropic-version")
    client.close()
    return SdkFacts(
        name=f"anthropic {anthropic.__version__}",
        betas=betas,
        error_codes=sdk_error_codes(),
        file_bearing=_file_bearing_python(TYPE_PACKAGES),
        methods=methods or None,
        list_params=list_params or None,
        api_version=version if isinstance(version, str) else None,
    )


# -- the TypeScript SDK -------------------------------------------------------------------
_TS_BETA = re.compile(r"export type AnthropicBeta = ([^;]+);")
_TS_STRING = re.compile(r"'([^']+)'")
_TS_INTERFACE = re.compile(r"export interface (\w+) \{(.*?)\n\}", re.S)
_TS_TYPE_FIELD = re.compile(r"^\s+type: ([^;]+);", re.M)
_TS_VERSION = re.compile(r"'anthropic-version': '([^']+)'")


def find_node_sdk(start: Path) -> Optional[Path]:
    """``node_modules/@anthropic-ai/sdk`` at or above ``start`` (``start`` itself if it is one)."""
    if (start / "package.json").is_file() and (start / "resources").is_dir():
        return start
    for folder in (start, *start.parents):
        candidate = folder / "node_modules" / "@anthropic-ai" / "sdk"
        if (candidate / "package.json").is_file():
            return candidate
    return None


def _ts_interfaces(text: str) -> Iterable[tuple[str, str]]:
    for match in _TS_INTERFACE.finditer(text):
        yield match.group(1), match.group(2)


def read_node_sdk(root: Path) -> SdkFacts:
    """The facts of an installed ``@anthropic-ai/sdk`` (its ``.d.ts`` files and ``client.js``)."""
    version = json.loads((root / "package.json").read_text(encoding="utf-8")).get("version", "?")
    betas: set[str] = set()
    file_bearing: set[str] = set()
    for path in sorted((root / "resources").rglob("*.d.ts")):
        text = path.read_text(encoding="utf-8")
        found = _TS_BETA.search(text)
        if found:
            betas.update(_TS_STRING.findall(found.group(1)))
        for name, body in _ts_interfaces(text):
            if "\n    file_id: string;" in body and not name.endswith("Response"):
                if name.endswith(("Param", "Params")):
                    kind = _TS_TYPE_FIELD.search(body)
                    if kind:
                        file_bearing.update(_TS_STRING.findall(kind.group(1)))
    sent = None
    client = root / "client.js"
    if client.is_file():
        match = _TS_VERSION.search(client.read_text(encoding="utf-8"))
        sent = match.group(1) if match else None
    return SdkFacts(
        name=f"@anthropic-ai/sdk {version}",
        betas=frozenset(betas) or None,
        file_bearing=frozenset(file_bearing) or None,
        api_version=sent,
    )


# -- the command ------------------------------------------------------------------------
def run(*, python: bool = True, node: Optional[str] = None) -> int:
    """``claude-files-fake drift``: print each difference; 0 when none, 1 when any, 2 on bad input."""
    import sys

    checked: list[SdkFacts] = []
    if python:
        try:
            checked.append(read_python_sdk())
        except ImportError:
            print("claude-files-fake: error: the anthropic SDK is not installed (pip install anthropic)",
                  file=sys.stderr)
            return 2
    if node is not None:
        root = find_node_sdk(Path(node).resolve())
        if root is None:
            print(f"claude-files-fake: error: no node_modules/@anthropic-ai/sdk at or above {node} "
                  "(npm install @anthropic-ai/sdk there, or give its folder: --node DIR)", file=sys.stderr)
            return 2
        checked.append(read_node_sdk(root))
    if not checked:
        print("claude-files-fake: error: nothing to check (--no-python without --node)", file=sys.stderr)
        return 2
    total = 0
    for facts in checked:
        differences = compare(facts)
        total += len(differences)
        for difference in differences:
            print(f"drift: {facts.name}: {difference}")
        if not differences:
            print(f"no drift: {facts.name} matches the fake's tables "
                  f"(reviewed against {_reviewed.REVIEWED_SDK})")
    return 1 if total else 0
