"""A small "document library" built on Claude's Files API: the kind of code users test.

It uploads documents, lists them page by page, finds them by name, fetches outputs that
Claude's tools produced, and removes them. It works with any ``anthropic`` client (the
real one, or one bound to pytest-claude-files' fake) and with any SDK generation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import anthropic


@dataclass(frozen=True)
class Document:
    file_id: str
    name: str
    size: int
    mime_type: str


class DocumentLibrary:
    """Keeps a team's reference documents in the Files API."""

    def __init__(self, client: anthropic.Anthropic, *, page_size: int = 100) -> None:
        self.client = client
        self.page_size = page_size

    def _files(self) -> Any:
        # Use the beta surface, which every SDK generation has.
        return self.client.beta.files

    def add(self, name: str, data: bytes, mime_type: str = "text/plain") -> Document:
        meta = self._files().upload(file=(name, data, mime_type))
        return Document(meta.id, meta.filename, meta.size_bytes, meta.mime_type)

    def add_path(self, path: Path) -> Document:
        mime = "application/pdf" if path.suffix == ".pdf" else "text/plain"
        return self.add(path.name, path.read_bytes(), mime)

    def documents(self) -> Iterator[Document]:
        """Every document, newest first, across all pages."""
        for meta in self._files().list(limit=self.page_size):
            yield Document(meta.id, meta.filename, meta.size_bytes, meta.mime_type)

    def find(self, name: str) -> Optional[Document]:
        return next((d for d in self.documents() if d.name == name), None)

    def total_size(self) -> int:
        return sum(d.size for d in self.documents())

    def fetch_output(self, file_id: str) -> Optional[bytes]:
        """The bytes of a file Claude's tools made, or ``None`` when it cannot be downloaded."""
        try:
            return self._files().download(file_id).read()
        except anthropic.BadRequestError:
            return None

    def remove(self, file_id: str) -> bool:
        """Delete a document; ``False`` when it was already gone."""
        try:
            self._files().delete(file_id)
        except anthropic.NotFoundError:
            return False
        return True

    def prune(self, keep: int) -> int:
        """Delete all but the ``keep`` newest documents; return how many went."""
        victims = list(self.documents())[keep:]
        for doc in victims:
            self.remove(doc.file_id)
        return len(victims)


class AsyncDocumentLibrary:
    """The same library for ``anthropic.AsyncAnthropic``."""

    def __init__(self, client: anthropic.AsyncAnthropic, *, page_size: int = 100) -> None:
        self.client = client
        self.page_size = page_size

    async def add(self, name: str, data: bytes, mime_type: str = "text/plain") -> Document:
        meta = await self.client.beta.files.upload(file=(name, data, mime_type))
        return Document(meta.id, meta.filename, meta.size_bytes, meta.mime_type)

    async def names(self) -> list[str]:
        return [meta.filename async for meta in self.client.beta.files.list(limit=self.page_size)]

    async def remove(self, file_id: str) -> bool:
        try:
            await self.client.beta.files.delete(file_id)
        except anthropic.NotFoundError:
            return False
        return True
