"""Skill bundles, PDFs with text and scripted citations (public via ``strategies``).

:func:`skill_files` builds the ``files=`` of ``client.skills.create`` (``(path, bytes)``
tuples, ``SKILL.md`` with its front matter first); :func:`skill_bundles` draws valid
bundles and :func:`invalid_skill_bundles` bundles the API refuses, each with the wording
of its 400. :func:`pdf_with_pages` writes a small PDF whose pages hold the given text (the
fake finds a cited text's page in it); :func:`citation_specs` draws the ``citations=`` of
``claude_files.messages.reply`` for the documents of a request.
"""

from __future__ import annotations

import string
from typing import Any, Mapping, Optional, Sequence

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from pytest_claude_files._core import skill_bundle as _bundle

__all__ = [
    "INVALID_BUNDLE_KINDS",
    "citation_specs",
    "invalid_skill_bundles",
    "pdf_with_pages",
    "skill_bundles",
    "skill_files",
    "skill_names",
]

SkillFiles = list[tuple[str, bytes]]
INVALID_BUNDLE_KINDS = ("no_skill_md", "two_directories", "bad_name", "long_description", "no_front_matter")


def skill_files(name: str = "my-skill", description: str = "A skill the tests upload.",
                files: Optional[Mapping[str, bytes]] = None, *, directory: Optional[str] = None,
                body: str = "# Instructions\n") -> SkillFiles:
    """The ``files=`` of ``skills.create``: ``{directory}/SKILL.md`` (front matter ``name`` and
    ``description``, then ``body``) and ``files`` (path in the skill -> bytes)."""
    top = directory or name
    skill_md = f"---\nname: {name}\ndescription: {description}\n---\n\n{body}".encode()
    out = [(f"{top}/SKILL.md", skill_md)]
    out.extend((f"{top}/{path}", data) for path, data in (files or {}).items())
    return out


def skill_names() -> SearchStrategy[str]:
    """Front-matter names the API accepts (lowercase, digits, hyphens; 1-64; no reserved word)."""
    alphabet = string.ascii_lowercase + string.digits + "-"
    return st.text(alphabet, min_size=1, max_size=_bundle.MAX_NAME).filter(
        lambda n: not any(w in n for w in _bundle.RESERVED_WORDS))


@st.composite
def skill_bundles(draw: st.DrawFn) -> SkillFiles:
    """Valid bundles: a directory, its SKILL.md, and up to three more files."""
    name = draw(skill_names())
    description = draw(st.text(string.ascii_letters + string.digits + " .,-", min_size=1, max_size=200)
                       .filter(lambda d: d.strip() != ""))
    extra = draw(st.dictionaries(st.sampled_from(["run.py", "reference.md", "data/table.csv", "LICENSE"]),
                                 st.binary(max_size=256), max_size=3))
    return skill_files(name, description.strip(), extra)


@st.composite
def invalid_skill_bundles(draw: st.DrawFn) -> tuple[str, SkillFiles, str]:
    """``(kind, files, the start of the API's 400 message)`` for each of :data:`INVALID_BUNDLE_KINDS`."""
    kind = draw(st.sampled_from(INVALID_BUNDLE_KINDS))
    good = draw(skill_bundles())
    top = good[0][0].split("/", 1)[0]
    if kind == "no_skill_md":
        return kind, [(f"{top}/README.md", b"no skill here")], _bundle.NO_SKILL_MD
    if kind == "two_directories":
        return kind, [*good, ("other/extra.txt", b"x")], _bundle.ONE_DIRECTORY
    if kind == "bad_name":
        name = draw(st.sampled_from(["My Skill", "claude-helper", "x" * 65, "under_score"]))
        return kind, skill_files(name, "d", directory=top), "SKILL.md frontmatter: name:"
    if kind == "long_description":
        long = "d" * (_bundle.MAX_DESCRIPTION + 1)
        return kind, skill_files("s", long, directory=top), "SKILL.md frontmatter: description:"
    return kind, [(f"{top}/SKILL.md", b"# no front matter\n")], _bundle.NO_FRONT_MATTER


def _pdf_string(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_with_pages(pages: Sequence[str]) -> bytes:
    """A small valid PDF, one page per text (Latin-1, one line each): what the fake's
    citations search for a cited text's page."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages))).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(len(pages)).encode() + b" >>")
    font = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        content = b"BT /F1 12 Tf 72 720 Td " + _pdf_string(text) + b" Tj ET"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 "
                       + str(font).encode() + b" 0 R >> >> /Contents " + str(4 + 2 * i).encode() + b" 0 R >>")
        objects.append(b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content
                       + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\nstartxref\n"
    out += str(xref).encode() + b"\n%%EOF\n"
    return bytes(out)


def citation_specs(documents: Mapping[str, str]) -> SearchStrategy[list[dict[str, Any]]]:
    """``citations=`` for ``messages.reply``: 1-3 citations of the given documents
    (file id -> its text), each quoting a non-empty slice of that text."""
    ids = sorted(documents)
    if not ids:
        raise ValueError("citation_specs needs at least one document (file id -> text)")

    @st.composite
    def one(draw: st.DrawFn) -> dict[str, Any]:
        file_id = draw(st.sampled_from(ids))
        text = documents[file_id]
        start = draw(st.integers(0, max(0, len(text) - 1)))
        end = draw(st.integers(start + 1, max(start + 1, len(text))))
        return {"file_id": file_id, "cited_text": text[start:end] or text}

    return st.lists(one(), min_size=1, max_size=3)
