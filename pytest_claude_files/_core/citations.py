"""Citations of a scripted reply: the location the API would give, built from the request.

``claude_files.messages.reply(text, citations=[{"file_id": ..., "cited_text": ...}])``
(or ``{"document_index": n, "cited_text": ...}`` for a document without a file). For each,
the fake finds the cited document among the request's ``document`` blocks (indexed from 0
over every message, as the API counts them), checks that it has
``"citations": {"enabled": true}`` (a scripted citation of a document the request did not
enable is the test's mistake: the request is answered 400 and the test fails), and builds
the citation that fits the document (the Citations guide):

- a plain-text document (a text file, a ``text`` source, base64 ``text/plain``):
  ``char_location``, 0-based character indices of the cited text, end exclusive;
- a PDF (a PDF file, base64 ``application/pdf``, a ``url`` source): ``page_location``, the
  1-based page whose text holds the cited text, end exclusive. The fake reads the text of
  uncompressed or Flate-compressed content streams; when it cannot find the text (scanned
  pages, other encodings, a ``url`` it does not fetch) it cites page 1 (decision);
- a ``content`` document: ``content_block_location``, the 0-based index of the first block
  that holds the cited text, end exclusive.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import Any, Callable, Mapping, Optional, Sequence

from pytest_claude_files.errors import InvalidRequestError

__all__ = [
    "ALL_OR_NONE", "CitationMistake", "build", "check_all_or_none", "check_citations", "pdf_page_texts",
]

ContentOf = Callable[[str], bytes]
ALL_OR_NONE = "citations must be enabled on all or none of the documents within a request"
"""The Citations guide's rule ("Currently, citations must be enabled on all or none of the
documents within a request"); the wording of the API's 400 is a decision."""


class CitationMistake(Exception):
    """A scripted citation that does not fit the request (fails the test)."""


def check_citations(citations: Optional[Sequence[Mapping[str, Any]]], text: Optional[str] = None,
                    ) -> tuple[dict[str, Any], ...]:
    """The ``citations=`` of a scripted reply, checked for shape (``TypeError``/``ValueError``)."""
    if citations is None:
        return ()
    if isinstance(citations, Mapping):
        citations = [citations]
    out = []
    for item in citations:
        if not isinstance(item, Mapping):
            raise TypeError('citations: each is a mapping {"file_id": ..., "cited_text": ...}')
        cited = item.get("cited_text")
        if not isinstance(cited, str) or not cited:
            raise ValueError('citations: each needs a non-empty "cited_text"')
        has_file, has_index = "file_id" in item, "document_index" in item
        if has_file == has_index:
            raise ValueError('citations: each names exactly one of "file_id" or "document_index"')
        if has_file and not isinstance(item["file_id"], str):
            raise TypeError("citations: file_id must be a str")
        index = item.get("document_index")
        if has_index and (isinstance(index, bool) or not isinstance(index, int)):
            raise TypeError("citations: document_index must be an int")
        unknown = set(item) - {"file_id", "document_index", "cited_text"}
        if unknown:
            raise ValueError(f"citations: unknown keys {sorted(unknown)} "
                             "(file_id or document_index, cited_text)")
        out.append(dict(item))
    return tuple(out)


def documents(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The request's ``document`` blocks in the API's order (every message, in turn)."""
    found: list[dict[str, Any]] = []
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            found.extend(b for b in content if isinstance(b, dict) and b.get("type") == "document")
    return found


def check_all_or_none(body: Mapping[str, Any]) -> None:
    """The API's 400 when some documents of the request enable citations and others do not."""
    enabled = {_enabled(doc) for doc in documents(body)}
    if len(enabled) > 1:
        raise InvalidRequestError(f"messages: {ALL_OR_NONE}")


def _enabled(doc: Mapping[str, Any]) -> bool:
    citations = doc.get("citations")
    return isinstance(citations, dict) and citations.get("enabled") is True


def build(citations: Sequence[Mapping[str, Any]], body: Mapping[str, Any],
          content_of: ContentOf) -> list[dict[str, Any]]:
    """The citation objects of a reply's text block (``CitationMistake`` when one does not fit)."""
    docs = documents(body)
    return [_one(item, docs, content_of) for item in citations]


def _mistake(text: str) -> CitationMistake:
    return CitationMistake(f"the scripted reply's citations: {text}")


def _one(item: Mapping[str, Any], docs: list[dict[str, Any]], content_of: ContentOf) -> dict[str, Any]:
    cited: str = item["cited_text"]
    file_id: Optional[str] = item.get("file_id")
    if file_id is not None:
        index = next((i for i, d in enumerate(docs) if _file_id(d) == file_id), None)
        if index is None:
            named = [f for f in map(_file_id, docs) if f] or ["none"]
            raise _mistake(
                f"file {file_id} is not a document of the request (its document files: {', '.join(named)}). "
                "Cite a file the code under test sends as a document block, or fix the file id.")
    else:
        index = item["document_index"]
        if not 0 <= index < len(docs):
            raise _mistake(f"document_index {index}: the request has {len(docs)} document block(s).")
    doc = docs[index]
    if not _enabled(doc):
        raise _mistake(
            f"document {index} ({file_id or 'no file'}) is cited but the request did not enable citations on "
            'it: the code under test must send "citations": {"enabled": true} on that document block '
            "(or drop citations from claude_files.messages.reply()).")
    base = {"cited_text": cited, "document_index": index, "document_title": doc.get("title"),
            "file_id": file_id}
    kind, data = _document_data(doc, content_of)
    if kind == "text":
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        start = text.find(cited)
        if start < 0:
            raise _mistake(f"cited_text {cited[:60]!r} does not occur in document {index} "
                           "(a plain-text citation quotes the document exactly).")
        return {"type": "char_location", **base, "start_char_index": start,
                "end_char_index": start + len(cited)}
    if kind == "pdf":
        page = _pdf_page(data if isinstance(data, bytes) else b"", cited)
        return {"type": "page_location", **base, "start_page_number": page, "end_page_number": page + 1}
    blocks = data if isinstance(data, list) else [data]
    for number, block in enumerate(blocks):
        block_text = block.get("text") if isinstance(block, dict) else block
        if isinstance(block_text, str) and cited in block_text:
            return {"type": "content_block_location", **base, "start_block_index": number,
                    "end_block_index": number + 1}
    raise _mistake(f"cited_text {cited[:60]!r} does not occur in any text block of document {index}.")


def _file_id(doc: Mapping[str, Any]) -> Optional[str]:
    source = doc.get("source")
    if isinstance(source, dict) and source.get("type") == "file" and isinstance(source.get("file_id"), str):
        return str(source["file_id"])
    return None


def _document_data(doc: Mapping[str, Any], content_of: ContentOf) -> tuple[str, Any]:
    """``("text" | "pdf" | "content", data)`` of a document block."""
    source = doc.get("source") or {}
    tag = source.get("type")
    if tag == "file":
        data = content_of(source["file_id"])
        return ("pdf" if data[:5] == b"%PDF-" else "text"), data
    if tag == "text":
        return "text", str(source.get("data", ""))
    if tag == "content":
        return "content", source.get("content", "")
    if tag == "base64":
        try:
            raw = base64.b64decode(str(source.get("data", "")), validate=False)
        except (binascii.Error, ValueError):
            raw = b""
        return ("pdf" if source.get("media_type") == "application/pdf" else "text"), raw
    return "pdf", b""  # a url source: the fake does not fetch it (page 1)


# -- the text of a PDF's pages (enough for the PDFs tests write) -----------------------------
_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b(.*?)\bendobj", re.S)
_REF = re.compile(rb"(\d+)\s+\d+\s+R")
_STRING = re.compile(rb"\((?:\\.|[^\\()])*\)", re.S)
MAX_PDF_SCAN = 32 * 1024 * 1024
"""Decision: a PDF over 32 MB is not searched (the citation names page 1)."""
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"(": b"(", b")": b")", b"\\": b"\\"}


def pdf_page_texts(data: bytes) -> list[str]:
    """The text of each page in page order (``[]`` when the fake cannot read the PDF)."""
    if len(data) > MAX_PDF_SCAN:
        return []
    try:
        objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(data)}
        roots = [n for n, body in objects.items()
                 if re.search(rb"/Type\s*/Pages\b", body) and b"/Parent" not in body]
        pages: list[int] = []
        for root in roots[:1]:
            _walk(root, objects, pages, 0)
        return [_page_text(objects, objects[n]) for n in pages]
    except Exception:  # decision: an unreadable PDF is cited at page 1
        return []


def _walk(number: int, objects: dict[int, bytes], pages: list[int], depth: int) -> None:
    body = objects.get(number, b"")
    if depth > 32 or len(pages) > 10_000:
        return
    if re.search(rb"/Type\s*/Page\b", body):
        pages.append(number)
        return
    kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
    for ref in _REF.finditer(kids.group(1) if kids else b""):
        _walk(int(ref.group(1)), objects, pages, depth + 1)


def _page_text(objects: dict[int, bytes], page: bytes) -> str:
    found = re.search(rb"/Contents\s*(\[.*?\]|\d+\s+\d+\s+R)", page, re.S)
    pieces = []
    for ref in _REF.finditer(found.group(1) if found else b""):
        body = objects.get(int(ref.group(1)), b"")
        start = body.find(b"stream")
        end = body.rfind(b"endstream")
        if start < 0 or end < 0:
            continue
        stream = body[start + 6:end]
        stream = stream[2:] if stream[:2] == b"\r\n" else stream[1:] if stream[:1] == b"\n" else stream
        if b"/FlateDecode" in body[:start]:
            stream = zlib.decompressobj().decompress(stream, 16 * 1024 * 1024)  # (bounded)
        for literal in _STRING.findall(stream):
            pieces.append(re.sub(rb"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), literal[1:-1]))
    return b" ".join(pieces).decode("latin-1")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_page(data: bytes, cited: str) -> int:
    needle = _squeeze(cited)
    for number, text in enumerate(pdf_page_texts(data), start=1):
        if needle and needle in _squeeze(text):
            return number
    return 1
