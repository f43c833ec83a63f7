"""Messages rules beyond the request's shape (issue 19): bounds of ``model`` and ``max_tokens``,
API version 2026-10-21, and what the API checks inside referenced PDFs and images.

Each figure and wording is one named constant; docs/fidelity.md, section "Messages (issue 19)",
gives each one's source or says it is a decision.
"""

from __future__ import annotations

import re
import struct
from typing import Any, Callable, NamedTuple, Optional, Sequence

from pytest_claude_files._core.message_check import GA_API_VERSION, FileReference
from pytest_claude_files.errors import InvalidRequestError

__all__ = [
    "MAX_IMAGE_SIDE",
    "MAX_MODEL_CHARS",
    "MAX_OUTPUT_TOKENS",
    "MAX_PDF_PAGES",
    "SMALL_CONTEXT_PDF_PAGES",
    "FileFacts",
    "check_body",
    "check_context",
    "check_files",
    "file_facts",
    "notice_ignored_container_upload",
    "pdf_page_limit",
]

MAX_MODEL_CHARS = 256
"""Decision: a ``model`` longer than this is 400 (pydantic's "String should have at most N
characters"); the API's own bound is not published, but it refuses a 1 MB model name."""
MAX_OUTPUT_TOKENS = 128_000
"""Decision: the largest ``max_tokens`` any current model takes (the models overview; the limit
is per model, the fake knows no model's own)."""
MAX_PDF_PAGES = 600
"""PDF support guide: at most 600 pages a request."""
SMALL_CONTEXT_PDF_PAGES = 100
"""PDF support guide: 100 pages when the model's context window is under 1M tokens."""
_FEWEST_PDF_PAGES = min(MAX_PDF_PAGES, SMALL_CONTEXT_PDF_PAGES)
SMALL_CONTEXT_MODELS = ("claude-3", "claude-haiku")
"""Decision: model ids starting so have a context window under 1M tokens (the fake knows no
model's window; these families do)."""
MAX_IMAGE_SIDE = 8000
"""Vision guide: an image side over 8000 pixels is refused (``image_dimensions_too_large``)."""
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_ENCRYPT = re.compile(rb"/Encrypt\b")


def check_body(body: dict[str, Any], api_version: Optional[str]) -> None:
    """``model`` and ``max_tokens`` bounds, and the rules of API version 2026-10-21."""
    model = body.get("model")
    if isinstance(model, str) and len(model) > MAX_MODEL_CHARS:
        raise InvalidRequestError(f"model: String should have at most {MAX_MODEL_CHARS} characters")
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > MAX_OUTPUT_TOKENS:
        raise InvalidRequestError(
            f"max_tokens: {max_tokens} > {MAX_OUTPUT_TOKENS}, which is the maximum allowed number of "
            f"output tokens for {model}"
        )
    if api_version == GA_API_VERSION:
        _check_2026_10_21(body)


REMOVED_IN_2026_10_21 = ("temperature", "top_p", "top_k")
"""Sampling parameters API version 2026-10-21 refuses (the SDK 1.0+ types no longer have them)."""


def _check_2026_10_21(body: dict[str, Any]) -> None:
    """Under ``anthropic-version: 2026-10-21``: no ``temperature`` / ``top_p`` / ``top_k``, no
    document block directly in an assistant message, no ``citations`` on a user text block
    (nested documents stay allowed)."""
    for name in REMOVED_IN_2026_10_21:
        if name in body:
            raise InvalidRequestError(
                f"{name}: Extra inputs are not permitted (anthropic-version {GA_API_VERSION})")
    messages = body.get("messages")
    if not isinstance(messages, list):
        return
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), list):
            continue
        for j, block in enumerate(message["content"]):
            if not isinstance(block, dict):
                continue
            if message.get("role") == "assistant" and block.get("type") == "document":
                raise InvalidRequestError(
                    f"messages.{i}.content.{j}: document blocks are not allowed in assistant messages "
                    f"(anthropic-version {GA_API_VERSION})"
                )
            if message.get("role") == "user" and block.get("type") == "text" and block.get("citations"):
                raise InvalidRequestError(
                    f"messages.{i}.content.{j}.text.citations: citations are not allowed in user "
                    f"messages (anthropic-version {GA_API_VERSION})"
                )


def pdf_page_limit(model: str) -> int:
    return SMALL_CONTEXT_PDF_PAGES if model.startswith(SMALL_CONTEXT_MODELS) else MAX_PDF_PAGES


CONTEXT_WINDOW = 1_000_000
"""Decision: the context window of current models (1M tokens); :data:`SMALL_CONTEXT_MODELS` have
:data:`SMALL_CONTEXT_WINDOW`. The input is counted with the fake's deterministic token count."""
SMALL_CONTEXT_WINDOW = 200_000
SMALLEST_CONTEXT_WINDOW = min(CONTEXT_WINDOW, SMALL_CONTEXT_WINDOW)
"""No model's window is smaller: fewer input tokens need no look at the model."""


def check_context(input_tokens: int, model: str) -> None:
    """A request whose input exceeds the model's context window: 400 "prompt is too long"."""
    if input_tokens <= SMALLEST_CONTEXT_WINDOW:  # (within every model's window: no need to know it)
        return
    window = SMALL_CONTEXT_WINDOW if model.startswith(SMALL_CONTEXT_MODELS) else CONTEXT_WINDOW
    if input_tokens > window:
        raise InvalidRequestError(
            f"prompt is too long: {input_tokens} tokens > {window} maximum (the request exceeds the "
            "model's context window)"
        )


class FileFacts(NamedTuple):
    """What the rules read in a file's bytes: an ``/Encrypt`` entry and the ``/Type /Page``
    objects of a PDF, the pixel size an image's header gives."""

    encrypted: bool
    pdf_pages: int
    image_size: Optional[tuple[int, int]]


def file_facts(meta: Any, read: Callable[[], bytes]) -> FileFacts:
    """The :class:`FileFacts` of the stored file ``meta`` describes, read once per file: a
    stored file's bytes never change, and its (immutable) metadata object keeps them, so a
    10 MB PDF referenced by a hundred requests is scanned (and copied) once, not a hundred times."""
    facts: Optional[FileFacts] = getattr(meta, "_content_facts", None)
    if facts is None:
        data = read()
        facts = FileFacts(_ENCRYPT.search(data) is not None, len(_PAGE.findall(data)), image_size(data))
        object.__setattr__(meta, "_content_facts", facts)
    return facts


def check_files(
    refs: Sequence[FileReference], model: str, facts_of: Callable[[FileReference], FileFacts],
) -> None:
    """PDF documents: encrypted ones, and more pages than the model takes, are 400; images with a
    side over :data:`MAX_IMAGE_SIDE`: 400 ``image_dimensions_too_large`` naming every one."""
    pdf_pages = 0
    too_large: list[str] = []
    for ref in refs:
        mime = ref.mime_type
        if mime != "application/pdf":  # (else already as its normal form)
            mime = (mime or "").split(";", 1)[0].strip().lower()
        if ref.block_type == "document" and mime == "application/pdf":
            facts = facts_of(ref)
            if facts.encrypted:
                raise InvalidRequestError(
                    f"{ref.path}: The PDF specified is encrypted; encrypted PDFs are not supported.")
            pdf_pages += facts.pdf_pages
        elif ref.block_type == "image":
            size = facts_of(ref).image_size
            if size is not None and max(size) > MAX_IMAGE_SIDE:
                too_large.append(ref.path.rsplit(".image.source", 1)[0])
    if pdf_pages > _FEWEST_PDF_PAGES:  # (within every model's limit: no need to know it)
        limit = pdf_page_limit(model)
        if pdf_pages > limit:
            raise InvalidRequestError(f"A maximum of {limit} PDF pages may be provided.")
    if too_large:
        raise InvalidRequestError(
            f"At least one image exceeds the maximum allowed size of {MAX_IMAGE_SIDE} pixels on a side: "
            f"{', '.join(too_large)}",
            error_code="image_dimensions_too_large",
            details={"max_side_length_pixels": MAX_IMAGE_SIDE, "paths": too_large},
        )


def notice_ignored_container_upload(misuse: Any) -> None:
    """A ``container_upload`` in a request without a code-execution tool: the API accepts the
    request and silently ignores the file (anthropic-sdk-python#1439), a production bug."""
    if misuse is None:
        return
    misuse.notice(
        "container-upload-ignored",
        "a container_upload block was sent without a code execution tool: the API accepts the request "
        "and silently ignores the file (anthropic-sdk-python#1439). Add tools=[{\"type\": "
        "\"code_execution_20250825\", \"name\": \"code_execution\"}] to the request.",
        once_key="container-upload",
    )


def image_size(data: bytes) -> Optional[tuple[int, int]]:
    """(width, height) of a PNG or GIF from its header; ``None`` for other formats (decision:
    the fake measures only these two)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return None
