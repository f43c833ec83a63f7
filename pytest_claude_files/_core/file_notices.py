"""The Files resource's client-misuse notices (their wording), apart from its state."""

from __future__ import annotations

from pytest_claude_files._core.misuse import ListingTracker, MisuseLog
from pytest_claude_files._core.naming import DOCUMENT_EXTENSIONS, guess_mime_type

__all__ = ["octet_stream_upload", "unfinished_listings"]


def unfinished_listings(misuse: MisuseLog, listings: ListingTracker) -> None:
    """End of a test: notice listings that stopped at a page that said there was more."""
    for dialect, count, note, where in listings.unfinished_at():
        if note:
            misuse.notice("beta-dialect-trap", note, once_key="trap", where=where)
            continue
        more = "has_more: true" if dialect == "beta" else "a next_page"
        misuse.notice(
            "unfinished-listing",
            f"a files.list() page of {count} file(s) said there was more ({more}), and the next "
            "page was never asked for: code that reads one page as the whole list misses files "
            "once there are more than 20. Iterate the page (`for f in client.files.list()`) or use "
            "page.iter_pages() / page.get_next_page(); pass limit= if one page is what you want.",
            once_key=dialect, where=where,
        )
    listings.clear()


def octet_stream_upload(misuse: MisuseLog, name: str) -> None:
    """An upload stored as octet-stream whose extension says PDF, text or image."""
    meant = guess_mime_type(name)
    if meant is not None and meant in DOCUMENT_EXTENSIONS.values():
        block = "an image" if meant.startswith("image/") else "a document"
        shown_name = name if len(name) <= 60 else name[:57] + "..."
        misuse.notice(
            "octet-stream-upload",
            f"{shown_name!r} was uploaded as application/octet-stream, so the API stores that type and "
            f"refuses the file as {block} block (\"Unsupported ... file format: "
            f"application/octet-stream\"). Send its type with the file: "
            f"files.upload(file=(name, data, {meant!r})), or toFile(data, name, {{ type: {meant!r} }}).",
            once_key=name,
        )
