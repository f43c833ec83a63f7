"""A skill bundle checked as the Skills API checks an upload: no HTTP, no state.

A bundle is the ``files[]`` of ``POST /v1/skills`` (or ``/versions``): each part's filename
is its path in the skill (``my-skill/SKILL.md``). The API wants every file in one
top-level directory with ``SKILL.md`` at its root, a YAML front-matter ``name`` (at most
64 characters, lowercase letters, digits and hyphens, no XML tags, not "anthropic" or
"claude") and ``description`` (non-empty, at most 1024 characters, no XML tags), and the
files at most 8 MB in all under the ``skills-2025-10-02`` beta, 30 MB on the GA surface
(the Skills guide, then and now; docs/fidelity.md). :func:`check_bundle` returns the
checked :class:`Bundle` or raises the API's 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from pytest_claude_files.errors import InvalidRequestError, shown

__all__ = [
    "BETA_MAX_BUNDLE_BYTES",
    "GA_MAX_BUNDLE_BYTES",
    "MAX_DESCRIPTION",
    "MAX_DISPLAY_NAME",
    "MAX_NAME",
    "Bundle",
    "check_bundle",
    "check_display_name",
    "parse_front_matter",
]

MB = 1024 * 1024
BETA_MAX_BUNDLE_BYTES = 8 * MB
"""``skills-2025-10-02``: "Total upload size must be under 8MB" (the Skills guide of the beta)."""
GA_MAX_BUNDLE_BYTES = 30 * MB
"""GA: "Total upload size must be under 30 MB (uncompressed)" (the Skills guide)."""
MAX_NAME = 64
MAX_DESCRIPTION = 1024
MAX_DISPLAY_NAME = 255
MAX_FILES = 1000
"""Decision: at most 1000 files in one bundle (the API's own count limit is unpublished)."""
RESERVED_WORDS = ("anthropic", "claude")
SKILL_FILE = "SKILL.md"
_NAME_RE = re.compile(r"[a-z0-9-]+\Z")
_XML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>")

NO_FILES = "files: At least one file is required."
NO_SKILL_MD = "SKILL.md file must be exactly in the top-level folder."
ONE_DIRECTORY = "All files must be in the same top-level directory."
NO_FRONT_MATTER = "SKILL.md must start with YAML frontmatter (a line of three dashes)."


@dataclass(frozen=True)
class Bundle:
    """A checked upload: its directory, front matter and files (path, bytes)."""

    directory: str
    name: str
    description: str
    files: tuple[tuple[str, bytes], ...]

    @property
    def size(self) -> int:
        return sum(len(data) for _, data in self.files)


def check_display_name(value: Optional[str]) -> Optional[str]:
    """``display_name``: one line, at most 255 characters (``None``/empty: derived)."""
    if value is None or value == "":
        return None
    if len(value) > MAX_DISPLAY_NAME:
        raise InvalidRequestError(
            f"display_name: String should have at most {MAX_DISPLAY_NAME} characters")
    if "\n" in value or "\r" in value:
        raise InvalidRequestError("display_name: must be a single line")
    return value


def check_bundle(files: Sequence[tuple[Optional[str], bytes]], *, max_bytes: int,
                 allow_root: bool = False) -> Bundle:
    """Check ``files`` (filename, bytes) as one skill version; ``InvalidRequestError`` if bad.

    ``allow_root``: files may sit at the upload root (GA: "at the upload root (or at the top
    of a single enclosing folder)"); the beta wants one enclosing directory.
    """
    if not files:
        raise InvalidRequestError(NO_FILES)
    if len(files) > MAX_FILES:
        raise InvalidRequestError(f"files: at most {MAX_FILES} files may be uploaded, got {len(files)}.")
    total = sum(len(data) for _, data in files)
    if total > max_bytes:
        raise InvalidRequestError(
            f"Total upload size must be under {max_bytes // MB}MB: the files sum to {total} bytes.")
    paths: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for filename, data in files:
        path = _clean_path(filename)
        if path in seen:
            raise InvalidRequestError(f"files: duplicate path {shown(path)!r}.")
        seen.add(path)
        paths.append((path, data))
    tops = {path.split("/", 1)[0] if "/" in path else "" for path, _ in paths}
    if len(tops) != 1:
        raise InvalidRequestError(ONE_DIRECTORY)
    top = tops.pop()
    if top == "" and not allow_root:
        raise InvalidRequestError(NO_SKILL_MD)
    skill_path = f"{top}/{SKILL_FILE}" if top else SKILL_FILE
    skill_md = next((data for path, data in paths if path == skill_path), None)
    if skill_md is None:
        raise InvalidRequestError(NO_SKILL_MD)
    name, description = parse_front_matter(skill_md)
    return Bundle(top or name, name, description, tuple(paths))


def _clean_path(filename: Optional[str]) -> str:
    if not filename:
        raise InvalidRequestError("files: each file needs a filename (its path in the skill).")
    path = filename.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\x00" in path:
        raise InvalidRequestError(f"files: invalid path {shown(filename)!r}.")
    return path


def parse_front_matter(skill_md: bytes) -> tuple[str, str]:
    """``(name, description)`` of a SKILL.md, checked as the API checks them."""
    try:
        text = skill_md.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRequestError("SKILL.md must be UTF-8 text.") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise InvalidRequestError(NO_FRONT_MATTER)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InvalidRequestError(
            "SKILL.md frontmatter is not closed (no second line of three dashes).") from None
    fields = _yaml_fields(lines[1:end])
    name = fields.get("name", "")
    description = fields.get("description", "")
    if not name:
        raise InvalidRequestError("SKILL.md frontmatter: name: Field required")
    if len(name) > MAX_NAME:
        raise InvalidRequestError(
            f"SKILL.md frontmatter: name: String should have at most {MAX_NAME} characters")
    if _XML_TAG.search(name):
        raise InvalidRequestError("SKILL.md frontmatter: name: must not contain XML tags")
    if not _NAME_RE.match(name):
        raise InvalidRequestError(
            "SKILL.md frontmatter: name: must contain only lowercase letters, numbers and hyphens")
    for word in RESERVED_WORDS:
        if word in name:
            raise InvalidRequestError(
                f"SKILL.md frontmatter: name: must not contain the reserved word {word!r}")
    if not description.strip():
        raise InvalidRequestError("SKILL.md frontmatter: description: Field required (non-empty)")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidRequestError(
            f"SKILL.md frontmatter: description: String should have at most {MAX_DESCRIPTION} characters")
    if _XML_TAG.search(description):
        raise InvalidRequestError("SKILL.md frontmatter: description: must not contain XML tags")
    return name, description


def _yaml_fields(lines: list[str]) -> dict[str, str]:
    """The top-level ``key: value`` scalars of a front matter (quoted, plain, ``|`` / ``>`` blocks).

    Decision: the fake reads the subset of YAML that SKILL.md front matter uses; other keys
    (``license``, ``metadata``, ...) are skipped."""
    fields: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#") or line[:1] in (" ", "\t"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise InvalidRequestError(f"SKILL.md frontmatter is not valid YAML: {shown(line)!r}")
        value = value.strip()
        if value in ("|", ">", "|-", ">-", "|+", ">+"):
            block = []
            while index < len(lines) and (not lines[index].strip() or lines[index][:1] in (" ", "\t")):
                block.append(lines[index].strip())
                index += 1
            value = ("\n" if value.startswith("|") else " ").join(block).strip()
        elif len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        fields[key.strip()] = value
    return fields
