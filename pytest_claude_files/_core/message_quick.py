"""The common Messages request checked in one pass (a hot path: every ``messages.create``).

:func:`quick_check` accepts only what :func:`~pytest_claude_files._core.message_check.check_request`
followed by :func:`~pytest_claude_files._core.message_rules.check_body` (and the citations rule)
accept, and then finds the same model, ``max_tokens``, references and text size. Anything it is
not sure of (a wrong type, a block kind other than ``text``, ``document`` and ``image``, a
``system`` given as blocks, any rule broken) answers ``None``: the exact checks then decide, and
raise the API's error with its JSON path. So the common request builds no JSON path but a
reference's own, no :class:`~pytest_claude_files._core.message_check.FileReference` before its
file is resolved, and walks the body once instead of three times.

``tests/test_message_quick.py`` checks the agreement on fuzzed bodies.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from pytest_claude_files._core import message_check as _check
from pytest_claude_files._core.message_check import GA_API_VERSION
from pytest_claude_files._core.message_rules import MAX_MODEL_CHARS, MAX_OUTPUT_TOKENS, REMOVED_IN_2026_10_21

__all__ = ["Quick", "quick_check"]

Quick = tuple[str, Optional[int], list[tuple[str, str, str]], int]
"""``(model, max_tokens, references, text_chars)``; each reference ``(file_id, block_type, path)``
(``max_tokens`` is ``None`` for ``count_tokens``)."""


def quick_check(body: Any, count_only: bool, api_version: Optional[str]) -> Optional[Quick]:
    """The checked request, or ``None`` when :func:`check_request` and the rules must decide."""
    if type(body) is not dict or _check.FILE_SOURCE_NEEDS_BETA_BEFORE_GA:
        return None
    model = body.get("model")
    if type(model) is not str or not model or len(model) > MAX_MODEL_CHARS:
        return None
    max_tokens = body.get("max_tokens")
    if count_only:
        if "stream" in body or (max_tokens is not None and (
                type(max_tokens) is not int or max_tokens > MAX_OUTPUT_TOKENS)):
            return None
        max_tokens = None
    else:
        if type(max_tokens) is not int or not 0 <= max_tokens <= MAX_OUTPUT_TOKENS:  # (a bool is no int here)
            return None
        stream = body.get("stream", False)
        if stream is not True and stream is not False:
            return None
    messages = body.get("messages")
    if type(messages) is not list or not messages:
        return None
    ga = api_version == GA_API_VERSION
    if ga:
        for name in REMOVED_IN_2026_10_21:
            if name in body:
                return None
    chars = 0
    refs: list[tuple[str, str, str]] = []
    cited: Optional[bool] = None  # citations enabled on the documents seen so far (all or none)
    for i, message in enumerate(messages):
        if type(message) is not dict:
            return None
        role = message.get("role")
        if role == "user":
            user = True
        elif role == "assistant" and i:
            user = False
        else:
            return None
        content = message.get("content")
        if type(content) is str:
            chars += len(content)
            continue
        if type(content) is not list:
            return None
        for j, block in enumerate(content):
            if type(block) is not dict:
                return None
            kind = block.get("type")
            text = block.get("text")
            if isinstance(text, str):  # (counted on every block kind, as the walker does)
                chars += len(text)
            if kind == "text":
                if ga and user and block.get("citations"):
                    return None
                continue
            if kind == "document":
                if ga and not user:
                    return None
                citations = block.get("citations")
                enabled = isinstance(citations, dict) and citations.get("enabled") is True
                if cited is None:
                    cited = enabled
                elif cited is not enabled:
                    return None
            elif kind != "image":
                return None
            source = block.get("source")
            if type(source) is not dict:
                return None
            tag = source.get("type")
            if tag == "file":
                file_id = source.get("file_id")
                if type(file_id) is not str:
                    return None
                refs.append((file_id, kind, f"messages.{i}.content.{j}.{kind}.source"))
            elif tag == "base64":
                data = source.get("data")
                if isinstance(data, str):
                    chars += len(data) // 4
            elif tag == "text" and kind == "document":
                data = source.get("data")
                if isinstance(data, str):
                    chars += len(data)
            elif tag != "url":
                return None
    system = body.get("system")
    if system is not None:
        if type(system) is not str:
            return None
        chars += len(system)
    tools = body.get("tools")
    if tools is not None:
        if type(tools) is not list:
            return None
        try:
            chars += len(json.dumps(tools, default=str))
        except (RecursionError, ValueError):
            return None
    return model, max_tokens, refs, chars
