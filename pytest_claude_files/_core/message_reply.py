"""A Messages reply's parts outside the fake's state: the default text, scripted tool uses checked."""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

from pytest_claude_files._core.message_check import FileReference

__all__ = ["REPLY_PREFIX", "check_tool_use", "default_text"]

REPLY_PREFIX = "pytest-claude-files fake reply."


def default_text(refs: Sequence[FileReference], outputs: Sequence[str] = ()) -> str:
    """The deterministic answer when nothing is scripted: it names what the request referenced."""
    if len(refs) == 1:  # (the common case: no list to join)
        ref = refs[0]
        text = f"{REPLY_PREFIX} Files referenced: {ref.filename} ({ref.mime_type}) as {ref.block_type}."
    elif refs:
        named = "; ".join([f"{r.filename} ({r.mime_type}) as {r.block_type}" for r in refs])
        text = f"{REPLY_PREFIX} Files referenced: {named}."
    else:
        text = f"{REPLY_PREFIX} No files referenced."
    if outputs:
        text += f" Files created: {', '.join(outputs)}."
    return text


def check_tool_use(
    tool_use: Union[Mapping[str, Any], Sequence[Mapping[str, Any]], None],
) -> tuple[dict[str, Any], ...]:
    """The ``tool_use=`` of a scripted reply, checked for shape (``TypeError``)."""
    if tool_use is None:
        return ()
    items = [tool_use] if isinstance(tool_use, Mapping) else list(tool_use)
    out = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise TypeError('tool_use: each is a mapping with a "name" (and an "input" mapping)')
        if not isinstance(item.get("input", {}), Mapping):
            raise TypeError(f"tool_use {item['name']!r}: input must be a mapping")
        out.append(dict(item))
    return tuple(out)
