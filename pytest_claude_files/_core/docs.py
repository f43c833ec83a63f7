"""The documentation, offline: the pages shipped in the wheel and the pointers messages give.

The wheel carries the ``docs/`` pages as ``pytest_claude_files/_docs/*.md`` (copied at
build time, see ``pyproject.toml``); a checkout (an editable install) reads ``docs/``
itself. Messages point at a section as ``claude-files-fake docs PAGE#ANCHOR``, which
prints it from the installed package; no path a pip user lacks.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Optional

__all__ = ["DocsError", "docs_dir", "pages", "read_section", "ref"]

COMMAND = "claude-files-fake docs"


class DocsError(LookupError):
    """An unknown page or section; the message lists what there is."""


def ref(page: str, anchor: str = "") -> str:
    """The command that prints a section: ``claude-files-fake docs reference#ini-options``."""
    return f"{COMMAND} {page}#{anchor}" if anchor else f"{COMMAND} {page}"


def docs_dir() -> Optional[Path]:
    """Where the pages are: the wheel's ``_docs`` folder, else a checkout's ``docs/``."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_docs", package.parent / "docs"):
        if (candidate / "reference.md").is_file():
            return candidate
    return None


def pages() -> list[str]:
    """The page names (``reference``, ``respx``, ...)."""
    where = docs_dir()
    return sorted(p.stem for p in where.glob("*.md")) if where else []


def _slug(heading: str) -> str:
    """The anchor mkdocs' ``toc`` extension gives a heading (its default slugify)."""
    text = re.sub(r"`|\*\*|\[|\]\([^)]*\)", "", heading)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{\s*#([\w-]+)\s*\})?\s*$")


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, anchor) of each heading outside code blocks."""
    out, fenced = [], False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        found = None if fenced else _HEADING.match(line)
        if found:
            out.append((index, len(found.group(1)), found.group(3) or _slug(found.group(2))))
    return out


_GENERATED_MARK = re.compile(r"^<!-- /?settings:\w+ -->\n", re.M)


def _unmarked(text: str) -> str:
    """The page without the markers of its generated tables (``_core/settings_docs.py``)."""
    return _GENERATED_MARK.sub("", text)


def read_section(section: str = "") -> str:
    """The text of ``PAGE`` or ``PAGE#ANCHOR`` (an anchor alone searches every page).

    Without ``section``: the list of pages. Raises :class:`DocsError` naming the choices.
    """
    import difflib

    where = docs_dir()
    if where is None:
        raise DocsError("the documentation pages are not installed with this copy of pytest-claude-files")
    names = pages()
    if not section:
        return "pages (claude-files-fake docs PAGE, or PAGE#SECTION):\n  " + "\n  ".join(names)
    page, _, anchor = section.partition("#")
    page = page.strip().removesuffix(".md").rsplit("/", 1)[-1]
    candidates = [page] if page else names
    if page and page not in names:
        close = difflib.get_close_matches(page, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DocsError(f"no page {page!r}{hint}; pages: {', '.join(names)}")
    if not anchor:
        return _unmarked((where / f"{page}.md").read_text(encoding="utf-8"))
    known: list[str] = []
    for name in candidates:
        lines = _unmarked((where / f"{name}.md").read_text(encoding="utf-8")).splitlines()
        heads = _headings(lines)
        for position, (index, level, slug) in enumerate(heads):
            if slug == anchor:
                end = next((i for i, lv, _ in heads[position + 1:] if lv <= level), len(lines))
                return "\n".join(lines[index:end]).rstrip() + "\n"
        known.extend(slug for _, _, slug in heads)
    close = difflib.get_close_matches(anchor, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    where_text = f"page {page!r}" if page else "any page"
    raise DocsError(f"no section {anchor!r} in {where_text}{hint}; run '{COMMAND} {page}' to read it all")
