"""Scripted replies chosen by what the request holds: ``reply(..., when=...)``.

A queue of scripted answers that any resource can use (Messages here; batch and session
replies the same way). Each entry may carry a :class:`When`:

- a predicate ``when(request) -> bool`` of the resource's request record (for Messages a
  :class:`~pytest_claude_files._core.messages.MessagesRequest`);
- a file id (``"file_..."``): the request must reference that file;
- any other text: the request must contain it (in any string of its body).

:meth:`ReplyQueue.take` answers a request with the first entry whose ``when`` matches it
(in the order they were queued), else with the first entry without one (first in, first
out); each entry is used once. A request no entry fits falls through (the resource's
responder or default answer). Predicates are the user's code: they run outside the
queue's lock, and one that raises is reported by the caller as a mistake of the test.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Generic, Optional, TypeVar, Union

__all__ = ["Entry", "ReplyQueue", "When", "WhenLike", "describe_reply", "describe_unused"]

T = TypeVar("T")
_FILE_ID = re.compile(r"^file_[A-Za-z0-9_-]+$")
PREVIEW = 60
"""Characters of a reply's text an unused-reply message shows."""


class When:
    """A condition on a request: ``When(predicate, "what it checks")``, or built from a file id
    or a text with :meth:`of`. Calling it with a request record answers whether it matches."""

    __slots__ = ("description", "predicate")

    def __init__(self, predicate: Callable[[Any], bool], description: str) -> None:
        if not callable(predicate):
            raise TypeError(f"when: expected a callable, a file id or a text, not {type(predicate).__name__}")
        self.predicate = predicate
        self.description = description

    def __call__(self, request: Any) -> bool:
        return bool(self.predicate(request))

    def __repr__(self) -> str:
        return f"When({self.description})"

    __str__ = __repr__

    @classmethod
    def file(cls, file_id: str) -> When:
        """The request references ``file_id`` (any block: document, image, container_upload)."""
        return cls(lambda request: file_id in referenced_ids(request), f"references {file_id}")

    @classmethod
    def text(cls, text: str) -> When:
        """Some string of the request's body contains ``text``."""
        if not text:
            raise ValueError("when: an empty text matches every request; give a text the request "
                             "must contain")
        return cls(lambda request: any(text in s for s in strings_of(getattr(request, "body", request))),
                   f"contains {text!r}")

    @classmethod
    def of(cls, when: WhenLike) -> Optional[When]:
        """``None``, a :class:`When`, a file id, a text, or a predicate, as a :class:`When`."""
        if when is None or isinstance(when, When):
            return when
        if isinstance(when, str):
            return cls.file(when) if _FILE_ID.match(when) else cls.text(when)
        if callable(when):
            name = getattr(when, "__qualname__", None) or type(when).__name__
            return cls(when, f"the predicate {name}")
        raise TypeError(
            f"when: expected a predicate of the request, a file id ('file_...') or a text the request "
            f"must contain, not {type(when).__name__}"
        )


WhenLike = Union[When, str, Callable[[Any], bool], None]


def referenced_ids(request: Any) -> list[str]:
    """The file ids a request record references (its ``file_ids``, else found in its body)."""
    ids = getattr(request, "file_ids", None)
    if isinstance(ids, list):
        return ids
    found: list[str] = []
    stack = [getattr(request, "body", request)]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            value = item.get("file_id")
            if isinstance(value, str):
                found.append(value)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def strings_of(body: Any) -> list[str]:
    """Every string in ``body`` (keys excluded), depth first."""
    out: list[str] = []
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return out


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One queued reply and the condition it answers (``None``: the next request)."""

    reply: T
    when: Optional[When] = None


class ReplyQueue(Generic[T]):
    """Queued replies, some of them for the requests a :class:`When` matches. Thread-safe."""

    def __init__(self) -> None:
        self._entries: list[Entry[T]] = []
        self._lock = threading.Lock()

    def add(self, reply: T, when: WhenLike = None) -> Entry[T]:
        entry = Entry(reply, When.of(when))
        with self._lock:
            self._entries.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)  # (one read of the list: atomic, no lock; asked on every request)

    @property
    def entries(self) -> list[Entry[T]]:
        with self._lock:
            return list(self._entries)

    @property
    def replies(self) -> list[T]:
        return [entry.reply for entry in self.entries]

    def take(self, request: Any) -> Optional[T]:
        """The reply for ``request`` (removed), or ``None`` when no entry fits it.

        A predicate that raises propagates (the caller reports it as the test's mistake)."""
        while True:
            entries = self.entries
            chosen = next((e for e in entries if e.when is not None and e.when(request)), None)
            if chosen is None:
                chosen = next((e for e in entries if e.when is None), None)
            if chosen is None:
                return None
            with self._lock:
                for index, entry in enumerate(self._entries):
                    if entry is chosen:
                        del self._entries[index]
                        return chosen.reply
            # taken by a concurrent request meanwhile: choose again


def preview(text: Optional[str]) -> str:
    """A reply's text as an unused-reply message shows it (its first :data:`PREVIEW` characters)."""
    if text is None:
        return "(the default text)"
    return repr(text[:PREVIEW] + ("..." if len(text) > PREVIEW else ""))


def describe_unused(
    entries: list[Entry[Any]], requests: list[Any], *, what: str, where: str,
    describe: Callable[[Any], str],
) -> str:
    """Why scripted replies stayed unused, naming each and what happened to the requests.

    ``requests`` are the resource's request records (each with ``error``: ``None`` when it was
    answered); ``describe(reply)`` names a reply; ``what`` names one request ("Messages
    create request"), ``where`` the scripting call ("claude_files.messages.reply()")."""
    count = len(entries)
    lines = [f"{count} scripted repl{'y' if count == 1 else 'ies'} of {where} never used:"]
    for entry in entries:
        cond = f" (when it {entry.when.description})" if entry.when is not None else ""
        lines.append(f"  - {describe(entry.reply)}{cond}")
    refused = [r for r in requests if getattr(r, "error", None) is not None]
    answered = len(requests) - len(refused)
    if not requests:
        lines.append(f"No {what}s arrived at all.")
    else:
        plural = "s" if len(requests) != 1 else ""
        lines.append(f"{len(requests)} {what}{plural} arrived: {answered} answered, {len(refused)} refused "
                     "before a reply was taken.")
        for record in refused[:3]:
            error = record.error
            status = getattr(error, "status", "")
            kind = getattr(error, "error_type", "") or type(error).__name__
            hint = getattr(error, "hint", None)
            lines.append(f"  refused: {status} {kind}: {getattr(error, 'message', error)}"
                         + (f" ({hint})" if hint else ""))
        if len(refused) > 3:
            lines.append(f"  ... and {len(refused) - 3} more refused")
    if any(entry.when is not None for entry in entries):
        lines.append("A reply with when= answers only a request it matches; the others take the replies "
                     "without when= in order.")
    return "\n".join(lines)


def describe_reply(reply: Any) -> str:
    """A scripted reply named by what it holds: its text (the first :data:`PREVIEW`
    characters), its output files and tools."""
    parts = [f"text {preview(getattr(reply, 'text', None))}"]
    outputs = getattr(reply, "output_files", ())
    if outputs:
        parts.append("output_files " + ", ".join(str(item[0]) for item in outputs))
    tools = getattr(reply, "tool_use", ())
    if tools:
        parts.append("tool_use " + ", ".join(str(t.get("name")) for t in tools))
    return "reply with " + "; ".join(parts)
