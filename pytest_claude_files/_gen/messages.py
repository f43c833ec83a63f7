"""Hypothesis strategies for Messages content that references files (public via ``strategies``).

Valid by construction: each file gets the block the API accepts for its type
(:func:`block_for`: PDF and plain text as ``document``, JPEG/PNG/GIF/WebP as ``image``,
anything else as ``container_upload``), sometimes with the optional fields
(``title``, ``context``, ``citations``) or nested inside a ``tool_result``. Invalid by
kind (:data:`INVALID_REFERENCE_KINDS`): an id that never existed, the wrong block for
the file's type, a deleted file; each comes with the error the API answers.

The ``files`` argument takes anything with ``id`` and ``mime_type`` (our
``FileMetadata``, the SDK's, an upload's answer), or a strategy of such lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional, Sequence, Union

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from pytest_claude_files._core import messages as _messages
from pytest_claude_files._core.ids import new_file_id
from pytest_claude_files._core.messages import DOCUMENT_TYPES, IMAGE_TYPES

__all__ = [
    "INVALID_REFERENCE_KINDS",
    "InvalidReference",
    "block_for",
    "file_reference_blocks",
    "invalid_file_references",
    "message_contents",
    "messages_requests",
]

INVALID_REFERENCE_KINDS = ("unknown_id", "wrong_block", "deleted")
MODEL = "claude-fake-model"
Files = Union[Sequence[Any], SearchStrategy[Sequence[Any]]]


def _base(mime_type: str) -> str:
    return mime_type.split(";", 1)[0].strip().lower()


def block_for(file: Any) -> dict[str, Any]:
    """The content block the API accepts for ``file`` (by its ``mime_type``)."""
    mime = _base(file.mime_type)
    if mime in DOCUMENT_TYPES:
        return {"type": "document", "source": {"type": "file", "file_id": file.id}}
    if mime in IMAGE_TYPES:
        return {"type": "image", "source": {"type": "file", "file_id": file.id}}
    return {"type": "container_upload", "file_id": file.id}


def _files(files: Files) -> SearchStrategy[Sequence[Any]]:
    return files if isinstance(files, SearchStrategy) else st.just(list(files))


@st.composite
def _decorated(draw: Any, file: Any) -> dict[str, Any]:
    block = block_for(file)
    if block["type"] == "document" and draw(st.booleans()):
        optional = draw(st.fixed_dictionaries({}, optional={
            "title": st.text(min_size=1, max_size=20),
            "context": st.text(max_size=20),
            "citations": st.just({"enabled": True}),
        }))
        block.update(optional)
    return block


def file_reference_blocks(files: Files, *, nested: bool = True) -> SearchStrategy[dict[str, Any]]:
    """One block referencing one of ``files`` correctly (``nested``: sometimes in a ``tool_result``).

    A nested ``container_upload`` is left at the top level (it is not tool-result content).
    """
    def build(draw: Any) -> dict[str, Any]:
        chosen = draw(_files(files))
        if not chosen:
            raise ValueError("file_reference_blocks needs at least one file")
        block: dict[str, Any] = draw(_decorated(draw(st.sampled_from(list(chosen)))))
        if nested and block["type"] != "container_upload" and draw(st.booleans()):
            return {"type": "tool_result", "tool_use_id": "toolu_01strategy", "content": [block]}
        return block
    return st.composite(build)()


def message_contents(files: Files, *, min_blocks: int = 1, max_blocks: int = 4,
                     nested: bool = False) -> SearchStrategy[list[dict[str, Any]]]:
    """A user message's content: file references (valid by construction) and text blocks."""
    text = st.builds(lambda t: {"type": "text", "text": t}, st.text(min_size=1, max_size=30))
    refs = file_reference_blocks(files, nested=nested)
    return st.lists(st.one_of(refs, refs, text), min_size=min_blocks, max_size=max_blocks).filter(
        lambda blocks: any(b["type"] != "text" for b in blocks)).map(_citations_all_or_none)


def _citations_all_or_none(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API wants citations enabled on every document of a request or on none."""
    docs = [b for b in blocks if b["type"] == "document"]
    if any("citations" in d for d in docs):
        for doc in docs:
            doc["citations"] = {"enabled": True}
    return blocks


def messages_requests(files: Files, **kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """A whole ``messages.create`` body whose user turn references ``files``.

    Keyword arguments go to :func:`message_contents`."""
    return message_contents(files, **kwargs).map(lambda content: {
        "model": MODEL, "max_tokens": 256, "messages": [{"role": "user", "content": content}]})


@dataclass(frozen=True)
class InvalidReference:
    """A content block the API refuses: its ``kind``, the ``file_id`` it names, and the answer."""

    kind: str
    block: dict[str, Any]
    file_id: str
    status: int
    error_type: str
    message: Optional[str]

    @property
    def content(self) -> list[dict[str, Any]]:
        return [self.block, {"type": "text", "text": "What does this say?"}]


def _wrong_block(file: Any) -> Optional[dict[str, Any]]:
    mime = _base(file.mime_type)
    if mime not in DOCUMENT_TYPES:
        return {"type": "document", "source": {"type": "file", "file_id": file.id}}
    if mime not in IMAGE_TYPES:
        return {"type": "image", "source": {"type": "file", "file_id": file.id}}
    return None  # (no type is both)


def _not_found(kind: str, file_id: str, draw: Any) -> InvalidReference:
    block = draw(st.sampled_from([
        {"type": "document", "source": {"type": "file", "file_id": file_id}},
        {"type": "image", "source": {"type": "file", "file_id": file_id}},
        {"type": "container_upload", "file_id": file_id},
    ]))
    return InvalidReference(kind, block, file_id, 404, "not_found_error", _messages.FILE_NOT_FOUND)


def invalid_file_references(
    files: Files = (),
    *,
    deleted_ids: Sequence[str] = (),
    kind: Optional[str] = None,
) -> SearchStrategy[InvalidReference]:
    """Blocks the API refuses, by kind: ``unknown_id`` (always possible), ``wrong_block``
    (needs ``files``), ``deleted`` (needs ``deleted_ids``). ``kind`` pins one."""
    if kind is not None and kind not in INVALID_REFERENCE_KINDS:
        raise ValueError(f"kind {kind!r}: expected one of {', '.join(INVALID_REFERENCE_KINDS)}")
    if kind == "deleted" and not deleted_ids:
        raise ValueError("kind='deleted' needs deleted_ids (ids of files the test deleted)")

    @st.composite
    def build(draw: Any) -> InvalidReference:
        chosen = list(draw(_files(files)))
        kinds = [k for k in INVALID_REFERENCE_KINDS if kind in (None, k)
                 and (k != "deleted" or deleted_ids) and (k != "wrong_block" or chosen)]
        which = draw(st.sampled_from(kinds))
        if which == "unknown_id":
            moment = draw(st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1),
                                       timezones=st.just(timezone.utc)))
            return _not_found(which, new_file_id(moment), draw)
        if which == "deleted":
            return _not_found(which, draw(st.sampled_from(list(deleted_ids))), draw)
        file = draw(st.sampled_from(chosen))
        block = _wrong_block(file)
        assert block is not None
        if block["type"] == "document":
            message = (f"Unsupported document file format: {file.mime_type}. "
                       "Only PDF and plaintext documents are supported.")
        else:
            message = _messages.IMAGE_TYPE_MISMATCH
        return InvalidReference(which, block, file.id, 400, "invalid_request_error", message)

    return build()

