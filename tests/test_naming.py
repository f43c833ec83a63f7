"""Filename rules and the mime-type decision (FILES_API.md, "FileMetadata")."""

from __future__ import annotations

import pytest

from pytest_claude_files._core.naming import (
    DEFAULT_MIME_TYPE,
    FORBIDDEN_FILENAME_CHARS,
    MAX_FILENAME_CHARS,
    MAX_MIME_TYPE_CHARS,
    check_filename,
    decide_mime_type,
    final_component,
    guess_mime_type,
    unnamed_filename,
)
from pytest_claude_files.errors import InvalidRequestError


def test_constants() -> None:
    assert MAX_FILENAME_CHARS == 255
    assert set('<>:"|?*\\/') <= FORBIDDEN_FILENAME_CHARS
    assert {chr(c) for c in range(0x20)} <= FORBIDDEN_FILENAME_CHARS
    assert "\x7f" not in FORBIDDEN_FILENAME_CHARS and " " not in FORBIDDEN_FILENAME_CHARS


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("a.txt", "a.txt"),
        ("x/y/z.pdf", "z.pdf"),
        ("/abs.txt", "abs.txt"),
        (" spaced .txt", " spaced .txt"),
        ("x" * 255, "x" * 255),
        ("日本語.txt", "日本語.txt"),
        ("%22.txt", "%22.txt"),
    ],
)
def test_kept(given: str, kept: str) -> None:
    assert final_component(given) == kept.rsplit("/", 1)[-1]
    assert check_filename(given) == kept


@pytest.mark.parametrize("bad", ["", "dir/", "x" * 256, *sorted(FORBIDDEN_FILENAME_CHARS - {"/"})])
def test_refused(bad: str) -> None:
    name = bad if len(bad) != 1 else f"a{bad}b.txt"
    with pytest.raises(InvalidRequestError, match=r"^filename: "):
        check_filename(name)


def test_the_message_names_the_characters() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_filename("a<b>|.txt")
    assert "'<', '>', '|'" in caught.value.message


@pytest.mark.parametrize(
    ("content_type", "filename", "mime"),
    [
        ("image/png", "a.txt", "image/png"),
        ("text/plain; charset=utf-8", "a.bin", "text/plain; charset=utf-8"),
        ("application/octet-stream", "a.pdf", "application/pdf"),
        ("Application/Octet-Stream; x=y", "a.gif", "image/gif"),
        (None, "a.JPG", "image/jpeg"),
        ("", "a.webp", "image/webp"),
        ("  ", "a.txt", "text/plain"),
        (None, "a.csv", "text/csv"),
        (None, "archive.tar", "application/x-tar"),
        (None, "noext", DEFAULT_MIME_TYPE),
        (None, ".hidden", DEFAULT_MIME_TYPE),
        (None, "a.zzunknown", DEFAULT_MIME_TYPE),
        (None, None, DEFAULT_MIME_TYPE),
    ],
)
def test_mime_decision(content_type: str | None, filename: str | None, mime: str) -> None:
    assert decide_mime_type(content_type, filename) == mime


def test_documented_types_do_not_depend_on_the_platform() -> None:
    for ext, mime in {
        ".pdf": "application/pdf",
        ".txt": "text/plain",
        ".jpg": "image/jpeg",
        ".png": "image/png",
        ".gif": "image/gif",
        ".webp": "image/webp",
    }.items():
        assert guess_mime_type("f" + ext) == mime


def test_overlong_content_type_is_400() -> None:
    with pytest.raises(InvalidRequestError, match="mime_type"):
        decide_mime_type("x/" + "y" * MAX_MIME_TYPE_CHARS, "a.txt")


@pytest.mark.parametrize(
    ("mime", "name"),
    [
        ("application/pdf", "unnamed.pdf"),
        ("text/plain", "unnamed.txt"),
        ("image/jpeg", "unnamed.jpg"),
        ("image/png; q=1", "unnamed.png"),
        ("text/csv", "unnamed.csv"),
        (DEFAULT_MIME_TYPE, "unnamed"),
        ("application/x-nothing-known", "unnamed"),
    ],
)
def test_unnamed(mime: str, name: str) -> None:
    assert unnamed_filename(mime) == name


@pytest.mark.parametrize("name", [".txt", ".pdf", ".png", ".json"])
def test_a_dotfile_has_no_extension_to_guess_from(name: str) -> None:
    assert guess_mime_type(name) is None
    assert decide_mime_type(None, name) == DEFAULT_MIME_TYPE
    assert guess_mime_type("a" + name) is not None


def test_empty_and_path_filenames_through_the_current_sdk() -> None:
    """What the docs promise: GA stores an empty filename as unnamed.txt, a path keeps its last part."""
    pytest.importorskip("anthropic")
    from pytest_claude_files._core.service import FakeFiles
    from pytest_claude_files._http.handler import FilesHandler
    from pytest_claude_files._sdk.client import make_sdk_client

    fake = FakeFiles()
    client = make_sdk_client(FilesHandler(fake))
    assert client.files.upload(file=("", b"x", "text/plain")).filename == "unnamed.txt"
    assert client.files.upload(file=("dir/sub/a.txt", b"x", "text/plain")).filename == "a.txt"
    with pytest.raises(Exception) as info:
        fake.upload(b"x", "a|b.txt", content_type="text/plain")
    assert str(info.value) == (
        "filename: contains characters that are not allowed ('|'); filenames may not contain "
        '< > : " | ? * \\ or control characters (a path is cut to its last component: dir/a.txt '
        "is stored as a.txt)."
    )
