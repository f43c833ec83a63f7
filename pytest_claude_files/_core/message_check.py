"""What a Messages request says, checked as the API checks it: no HTTP, no state.

:func:`check_request` checks the required fields (``model``, ``max_tokens``, ``messages``,
the first message a ``user`` one; consecutive same-role turns are combined, not refused) with the
API's 400 wording, and walks every content
block for file references (MESSAGES_FILES.md, "Where a request references a file"):
``document`` and ``image`` blocks with a ``file`` source, ``container_upload`` blocks,
the same nested in ``tool_result`` content, in a document whose source is ``content`` and
in ``web_fetch_tool_result`` content, and the ``bash_code_execution_output`` /
``code_execution_output`` items of replayed assistant turns. Each reference carries the
JSON path the API's messages use (``messages.0.content.1.document.source``).

Token counts are a decision (the fake is not a model): deterministic, from characters
and referenced files, the same for ``count_tokens`` and ``usage.input_tokens``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Optional

from pytest_claude_files._core.citations import check_all_or_none
from pytest_claude_files.errors import InvalidRequestError, shown

__all__ = [
    "GA_API_VERSION",
    "OLD_API_VERSION",
    "FileReference",
    "RequestShape",
    "check_request",
    "count_text_chars",
    "enables_code_execution",
    "files_beta_needed",
]

GA_API_VERSION = "2026-10-21"
"""The ``anthropic-version`` SDK 2.x sends: file sources need no beta (decision, MESSAGES_FILES.md)."""
OLD_API_VERSION = "2023-06-01"
"""The ``anthropic-version`` of SDKs before 2.0: file sources need the files beta."""
FILES_BETA = "files-api-2025-04-14"
MAX_DEPTH = 64
"""Content nested deeper than this is refused (decision: the API's own limit is unpublished)."""

DOCUMENT_SOURCE_TAGS = ("base64", "content", "text", "url")
IMAGE_SOURCE_TAGS = ("base64", "url")
REFERENCE_BLOCKS = ("document", "image", "container_upload", "bash_code_execution_output",
                    "code_execution_output")
OUTPUT_BLOCKS = ("bash_code_execution_output", "code_execution_output")
ROLES = ("user", "assistant")


FILE_NOT_FOUND = "File not found: The specified file_id doesn't exist or you don't have access to it"
"""The 404 a request naming a file the caller cannot see gets (Messages, and the events of a session)."""

@dataclass(frozen=True, init=False)
class FileReference:
    """One file a request referenced, resolved against the fake's files.

    ``block_type`` is the block that referenced it (``document``, ``image``,
    ``container_upload``, ``bash_code_execution_output`` or ``code_execution_output``);
    ``path`` the JSON path of the reference. ``filename``, ``mime_type`` and
    ``size_bytes`` are ``None`` when the file does not exist (the request was refused).
    """

    file_id: str
    block_type: str
    path: str
    filename: Optional[str] = None
    mime_type: Optional[str] = None
    size_bytes: Optional[int] = None

    def __init__(self, file_id: str, block_type: str, path: str, filename: Optional[str] = None,
                 mime_type: Optional[str] = None, size_bytes: Optional[int] = None) -> None:
        # (written out: the generated frozen __init__ sets each field with object.__setattr__,
        # twice the cost of one update, and each Messages request makes one per reference)
        self.__dict__.update(file_id=file_id, block_type=block_type, path=path, filename=filename,
                             mime_type=mime_type, size_bytes=size_bytes)


@dataclass(frozen=True)
class RequestShape:
    """A request that passed :func:`check_request`: its references and its text size."""

    model: str
    max_tokens: Optional[int]
    references: tuple[FileReference, ...]
    text_chars: int
    stream: bool


FILE_SOURCE_NEEDS_BETA_BEFORE_GA = False
"""A ``file`` source under ``anthropic-version: 2023-06-01`` without the files beta: accepted since
the Files API's GA (2026-08-20; the GA Files guide: "out of beta and needs no beta header"). The
pre-GA 400 (anthropic-sdk-go#237) comes back with ``True``."""


def files_beta_needed(api_version: Optional[str], betas: frozenset[str]) -> bool:
    """Whether a ``file`` source is refused: never since GA (:data:`FILE_SOURCE_NEEDS_BETA_BEFORE_GA`)."""
    version = api_version or GA_API_VERSION  # (decision: no header is served as the newest)
    return FILE_SOURCE_NEEDS_BETA_BEFORE_GA and version < GA_API_VERSION and FILES_BETA not in betas


def enables_code_execution(body: dict[str, Any]) -> bool:
    """Whether the request gives Claude the code execution tool (``code_execution_*``)."""
    tools = body.get("tools")
    if not isinstance(tools, list):
        return False
    return any(
        isinstance(tool, dict) and str(tool.get("type", "")).startswith("code_execution_")
        for tool in tools
    )


def _required(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise InvalidRequestError(f"{name}: Field required")
    return body[name]


def check_request(
    body: Any,
    *,
    count_only: bool = False,
    api_version: Optional[str] = None,
    betas: frozenset[str] = frozenset(),
) -> RequestShape:
    """Check a ``POST /v1/messages`` (or ``count_tokens``) body; ``InvalidRequestError`` if bad."""
    if not isinstance(body, dict):
        raise InvalidRequestError("Input should be a valid dictionary")
    model = _required(body, "model")
    if not isinstance(model, str) or not model:
        raise InvalidRequestError("model: Input should be a valid string")
    max_tokens: Optional[int] = None
    if not count_only:
        raw_max = _required(body, "max_tokens")
        if isinstance(raw_max, bool) or not isinstance(raw_max, int):
            raise InvalidRequestError("max_tokens: Input should be a valid integer")
        if raw_max < 0:  # 0 populates the prompt cache without a response (SDK 2.17 docstring)
            raise InvalidRequestError("max_tokens: Input should be greater than or equal to 0")
        max_tokens = raw_max
    stream = body.get("stream", False)
    if count_only and "stream" in body:
        raise InvalidRequestError("stream: Extra inputs are not permitted")
    if not isinstance(stream, bool):
        raise InvalidRequestError("stream: Input should be a valid boolean")
    messages = _required(body, "messages")
    if not isinstance(messages, list):
        raise InvalidRequestError("messages: Input should be a valid list")
    if not messages:
        raise InvalidRequestError("messages: at least one message is required")
    walker = _Walker(files_beta_needed(api_version, betas))
    for index, message in enumerate(messages):
        path = f"messages.{index}"
        if not isinstance(message, dict):
            raise InvalidRequestError(f"{path}: Input should be a valid dictionary")
        role = _required_at(message, "role", path)
        if role not in ROLES:
            raise InvalidRequestError(f"{path}.role: Input should be 'user' or 'assistant'")
        if index == 0 and role != "user":
            raise InvalidRequestError('messages: first message must use the "user" role')
        # consecutive same-role turns are combined into one (SDK 2.17 ``message_create_params``)
        walker.content(_required_at(message, "content", path), f"{path}.content", 1)
    system = body.get("system")
    if system is not None:
        walker.content(system, "system", 1)
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise InvalidRequestError("tools: Input should be a valid list")
        walker.chars += _json_chars(tools, "tools")
    check_all_or_none(body)  # citations on every document or on none (_core/citations.py)
    return RequestShape(model, max_tokens, tuple(walker.references), walker.chars, stream)


def _required_at(obj: dict[str, Any], name: str, path: str) -> Any:
    if name not in obj:
        raise InvalidRequestError(f"{path}.{name}: Field required")
    return obj[name]


class _Walker:
    """Collects file references and counts text characters, depth first, in order."""

    def __init__(self, refuse_file_source: bool) -> None:
        self.refuse_file_source = refuse_file_source
        self.references: list[FileReference] = []
        self.chars = 0

    def content(self, content: Any, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise InvalidRequestError(
                f"{_cut(path)}: content is nested too deeply (at most {MAX_DEPTH} levels)")
        if isinstance(content, str):
            self.chars += len(content)
            return
        if not isinstance(content, list):
            raise InvalidRequestError(f"{_cut(path)}: Input should be a valid string or list")
        for index, block in enumerate(content):
            self.block(block, f"{path}.{index}", depth)

    def block(self, block: Any, path: str, depth: int) -> None:
        if not isinstance(block, dict):
            raise InvalidRequestError(f"{_cut(path)}: Input should be a valid dictionary")
        kind = block.get("type")
        if not isinstance(kind, str):
            raise InvalidRequestError(f"{_cut(path)}.type: Field required")
        here = f"{path}.{kind}"
        text = block.get("text")
        if isinstance(text, str):
            self.chars += len(text)
        if kind in ("document", "image"):
            self.source(block, kind, here, depth)
        elif kind == "container_upload" or kind in OUTPUT_BLOCKS:
            self.reference(block.get("file_id"), kind, f"{here}.file_id")
        elif kind in ("tool_result", "web_fetch_tool_result", "bash_code_execution_tool_result",
                      "code_execution_tool_result"):
            self.nested(block.get("content"), f"{here}.content", depth)
        elif kind in ("tool_use", "server_tool_use"):
            self.chars += _json_chars(block.get("input"), f"{_cut(here)}.input")

    def nested(self, content: Any, path: str, depth: int) -> None:
        """Tool-result content: a string, a list of blocks, or one result object holding them."""
        if content is None or isinstance(content, (str, list)):
            if content is not None:
                self.content(content, path, depth + 1)
            return
        if isinstance(content, dict):
            if isinstance(content.get("type"), str) and content["type"] in (
                    "document", "image", *OUTPUT_BLOCKS):
                self.block(content, path, depth + 1)
                return
            inner = content.get("content")
            if isinstance(inner, (list, dict)):
                self.nested(inner, f"{path}.content", depth + 1)
            for key in ("stdout", "stderr"):
                if isinstance(content.get(key), str):
                    self.chars += len(content[key])

    def source(self, block: dict[str, Any], kind: str, path: str, depth: int) -> None:
        source = _required_at(block, "source", _cut(path))
        where = f"{path}.source"
        if not isinstance(source, dict):
            raise InvalidRequestError(f"{_cut(where)}: Input should be a valid dictionary")
        tag = source.get("type")
        tags = DOCUMENT_SOURCE_TAGS if kind == "document" else IMAGE_SOURCE_TAGS
        if tag == "file" and not self.refuse_file_source:
            self.reference(source.get("file_id"), kind, where)
            return
        if tag not in tags:
            expected = ", ".join(f"'{t}'" for t in tags)
            raise InvalidRequestError(
                f"{_cut(where)}: Input tag '{shown(tag)}' found using 'type' does not match any of the "
                f"expected tags: {expected}"
            )
        if tag == "content" and "content" in source:
            self.content(source["content"], f"{where}.content", depth + 1)
        elif tag == "text" and isinstance(source.get("data"), str):
            self.chars += len(source["data"])
        elif tag == "base64" and isinstance(source.get("data"), str):
            self.chars += len(source["data"]) // 4

    def reference(self, file_id: Any, kind: str, path: str) -> None:
        if not isinstance(file_id, str):
            where = path if path.endswith(".file_id") else f"{path}.file_id"
            raise InvalidRequestError(f"{_cut(where)}: Input should be a valid string")
        self.references.append(FileReference(file_id, kind, path))


def _cut(path: str) -> str:
    return shown(path)


def _json_chars(value: Any, path: str) -> int:
    try:
        return len(json.dumps(value, default=str))
    except (RecursionError, ValueError):
        raise InvalidRequestError(f"{path}: nested too deeply") from None


def count_text_chars(value: Any) -> int:
    """Characters of ``value`` as the token count sees it (a reply's text, a tool's input)."""
    if isinstance(value, str):
        return len(value)
    return _json_chars(value, "input")


def tokens_for_chars(chars: int) -> int:
    """Decision: one token per four characters, rounded up."""
    return math.ceil(chars / 4)

