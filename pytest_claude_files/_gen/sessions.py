"""Managed Agents sessions: ids, mounts, events and scripted agent turns (public via ``strategies``).

:func:`file_resources` draws the ``resources=`` of ``client.beta.sessions.create`` for
given file ids (at most 100, the documented limit; mount paths absolute and distinct);
:func:`user_messages` draws ``user.message`` events; :func:`session_replies` draws the
keyword arguments of ``claude_files.sessions.reply`` (a text and the files the agent
writes to ``/mnt/session/outputs/``). Ids sort by creation time as the fake makes them.
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta, timezone
from typing import Any, Optional, Sequence

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from pytest_claude_files._core.managed import new_id
from pytest_claude_files._core.sessions import MAX_FILES
from pytest_claude_files._gen.file_strategies import filenames

__all__ = [
    "MAX_SESSION_FILES",
    "agent_ids",
    "environment_ids",
    "file_resources",
    "mount_paths",
    "session_ids",
    "session_replies",
    "user_messages",
]

MAX_SESSION_FILES = MAX_FILES
"""At most 100 files a session (the Managed Agents files page)."""
_EPOCH = datetime(2026, 4, 1, tzinfo=timezone.utc)
_SEGMENT = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=20).filter(
    lambda s: s not in (".", ".."))


def _ids(prefix: str) -> SearchStrategy[str]:
    return st.integers(0, 10**9).map(lambda us: new_id(prefix, _EPOCH + timedelta(microseconds=us)))


def session_ids() -> SearchStrategy[str]:
    """``sesn_…`` ids (what ``scope.id`` of a session's files holds)."""
    return _ids("sesn")


def agent_ids() -> SearchStrategy[str]:
    """``agent_…`` ids."""
    return _ids("agent")


def environment_ids() -> SearchStrategy[str]:
    """``env_…`` ids."""
    return _ids("env")


def mount_paths() -> SearchStrategy[str]:
    """Absolute container paths (``/workspace/data.csv``), as a mount's ``mount_path``."""
    return st.builds(lambda parts, name: "/" + "/".join([*parts, name]),
                     st.lists(_SEGMENT, min_size=1, max_size=3), filenames(max_length=40))


def file_resources(file_ids: Sequence[str], *, mount_path: Optional[bool] = None,
                   ) -> SearchStrategy[list[dict[str, Any]]]:
    """The ``resources=`` of ``sessions.create`` mounting some of ``file_ids`` (each at most
    once, at most 100): ``{"type": "file", "file_id", "mount_path"?}``. ``mount_path``:
    ``True`` always gives one, ``False`` never, ``None`` sometimes; given paths are distinct."""
    if not file_ids:
        return st.just([])
    chosen = st.lists(st.sampled_from(list(file_ids)), unique=True, max_size=min(len(file_ids), MAX_FILES))

    def resources(ids: list[str]) -> SearchStrategy[list[dict[str, Any]]]:
        flags = st.just([mount_path] * len(ids)) if mount_path is not None else st.lists(
            st.booleans(), min_size=len(ids), max_size=len(ids))
        paths = st.lists(mount_paths(), min_size=len(ids), max_size=len(ids), unique=True)
        return st.builds(lambda given, where: [
            {"type": "file", "file_id": i, **({"mount_path": p} if g else {})}
            for i, g, p in zip(ids, given, where, strict=True)], flags, paths)

    return chosen.flatmap(resources)


def user_messages(*, max_size: int = 200) -> SearchStrategy[dict[str, Any]]:
    """``user.message`` events: one to three text blocks."""
    text = st.text(min_size=1, max_size=max_size).filter(lambda t: t.strip() != "")
    return st.builds(lambda texts: {"type": "user.message",
                                    "content": [{"type": "text", "text": t} for t in texts]},
                     st.lists(text, min_size=1, max_size=3))


def session_replies(*, max_outputs: int = 3) -> SearchStrategy[dict[str, Any]]:
    """Keyword arguments of ``claude_files.sessions.reply``: ``text`` (or ``None``: the
    default) and ``output_files`` (distinct filenames -> small bytes)."""
    outputs = st.dictionaries(filenames(max_length=60), st.binary(max_size=64), max_size=max_outputs)
    return st.fixed_dictionaries({"text": st.none() | st.text(min_size=1, max_size=200),
                                  "output_files": outputs})
