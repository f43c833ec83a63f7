"""The Files and Messages strategies (the public face is ``pytest_claude_files.strategies``,
which re-exports them; they live here so the ``hypothesis`` entry point,
``_gen/hypothesis_setup.py``, registers them without importing a module above it)."""

from __future__ import annotations

import functools
import json
import string
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional, TypeVar, Union, cast

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core import naming as _naming
from pytest_claude_files._core.files import (
    DEFAULT_LIMIT,
    MAX_EXPIRES_IN,
    MAX_FILE_BYTES,
    MAX_LIMIT,
    MIN_EXPIRES_IN,
    MIN_LIMIT,
    encode_page_token,
)
from pytest_claude_files._core.suggest import did_you_mean
from pytest_claude_files._gen.error_strategies import (
    error_bodies,
    error_responses,
    files_api_errors,
    request_ids,
)
from pytest_claude_files._gen.error_strategies import pinned as _pinned
from pytest_claude_files._gen.messages import (
    INVALID_REFERENCE_KINDS,
    InvalidReference,
    block_for,
    file_reference_blocks,
    invalid_file_references,
    message_contents,
    messages_requests,
)
from pytest_claude_files._sdk import generation as _generation
from pytest_claude_files._sdk.generation import UploadPayload
from pytest_claude_files.models import (
    BetaFileList,
    DeletedFile,
    Dialect,
    FileMetadata,
    FileScope,
    GAFileList,
)

__all__ = [
    "DIALECTS",
    "INVALID_FILENAME_KINDS",
    "INVALID_REFERENCE_KINDS",
    "InvalidReference",
    "UploadPayload",
    "block_for",
    "created_ats",
    "deleted_files",
    "dialects",
    "error_bodies",
    "error_responses",
    "file_ids",
    "file_metadata",
    "file_metadata_json",
    "file_reference_blocks",
    "file_scopes",
    "filenames",
    "files_api_errors",
    "invalid_file_references",
    "invalid_filenames",
    "list_pages",
    "list_pages_json",
    "message_contents",
    "messages_requests",
    "mime_types",
    "request_ids",
    "scope_ids",
    "sdk_deleted_files",
    "sdk_file_metadata",
    "upload_payloads",
]

T = TypeVar("T")
Pin = Union[T, SearchStrategy[T]]

MIN_CREATED_AT = _generation.MIN_CREATED_AT
MAX_CREATED_AT = _generation.MAX_CREATED_AT
SCOPE_ID_PREFIX = _generation.SCOPE_ID_PREFIX
DIALECTS = _generation.DIALECTS
EXTENSIONS = _generation.EXTENSIONS
INVALID_FILENAME_KINDS = _generation.INVALID_FILENAME_KINDS
_LOW_BITS = _generation.LOW_BITS

# Filenames: a plain branch first so that shrinking ends on "a" + ".txt".
_PLAIN_STEM = string.ascii_lowercase + "-"  # shrinks to "a"; digits and the rest come from Unicode
_UNICODE_STEM = st.characters(
    codec="utf-8",  # no lone surrogates: they would not survive JSON or multipart
    exclude_characters="".join(sorted(_naming.FORBIDDEN_FILENAME_CHARS)),
)
_FORBIDDEN_PRINTABLE = _generation.FORBIDDEN_PRINTABLE
_CONTROL = _generation.CONTROL
_DOCUMENTED_MIME_TYPES = _generation.DOCUMENTED_MIME_TYPES
_KNOWN_MIME_TYPES = _generation.KNOWN_MIME_TYPES
_FILE_FIELDS = frozenset(FileMetadata.model_fields) - {"type"}


def _check_dialect(dialect: Optional[str], where: str) -> None:
    if dialect is not None and dialect not in DIALECTS:
        raise InvalidArgument(f"{where}: dialect must be 'beta', 'ga' or None, not {dialect!r}")


def _encode(value: int) -> str:
    return _ids._encode(value)


# -- identifiers --------------------------------------------------------------------
def dialects() -> SearchStrategy[Dialect]:
    """``"beta"`` or ``"ga"`` (shrinks to ``"beta"``)."""
    return st.sampled_from(DIALECTS)


def created_ats(
    min_value: datetime = MIN_CREATED_AT, max_value: datetime = MAX_CREATED_AT
) -> SearchStrategy[datetime]:
    """Timezone-aware UTC datetimes with microseconds, as ``created_at`` holds them.

    One integer draw (microseconds after ``min_value``): cheap, and shrinks to ``min_value``.
    """
    low, high = _aware(min_value), _aware(max_value)
    if high < low:
        raise InvalidArgument(f"created_ats: max_value {high} is before min_value {low}")
    return st.integers(0, _micros_between(low, high)).map(lambda us: low + timedelta(microseconds=us))


def _aware(moment: datetime) -> datetime:
    """UTC; a naive datetime means UTC (as in ``FileMetadata`` and ``FakeClock``)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _micros_between(low: datetime, high: datetime) -> int:
    delta = high - low
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _file_id_at(created_at: datetime, low: int) -> str:
    return _ids.FILE_ID_PREFIX + _encode((_ids._micros(_aware(created_at)) << _LOW_BITS) | low)


def file_ids(created_at: Optional[Pin[datetime]] = None) -> SearchStrategy[str]:
    """File ids as the fake makes them (``file_01`` + 22 base58), sortable by creation.

    ``created_at`` pins the moment the id encodes; ids of later moments sort later.
    """
    when = created_ats() if created_at is None else _pinned(created_at)
    return st.builds(_file_id_at, when, st.integers(0, 2**_LOW_BITS - 1))


def scope_ids() -> SearchStrategy[str]:
    """Session ids that a file's ``scope`` names (``sesn_01`` + 22 base58)."""
    return st.integers(0, 58**_ids.ID_BODY_LENGTH - 1).map(lambda v: SCOPE_ID_PREFIX + _encode(v))


def file_scopes() -> SearchStrategy[FileScope]:
    """``FileScope(id=..., type="session")``."""
    return st.builds(FileScope, id=scope_ids())


# -- filenames and mime types -------------------------------------------------------
@functools.cache
def _stems(room: int) -> SearchStrategy[str]:
    """Stems that fit ``room`` characters: plain first (shrinks to "a"), any allowed
    Unicode, and stems that fill the room exactly (names at the length limit)."""
    return st.one_of(
        st.text(_PLAIN_STEM, min_size=1, max_size=min(room, 40)),
        st.text(_UNICODE_STEM, min_size=1, max_size=min(room, 60)),
        # exactly at the limit: a short pattern repeated (cheap to draw, shrinks to "aaa...")
        st.text(_PLAIN_STEM, min_size=1, max_size=8).map(lambda t: (t * room)[:room]),
    )


@st.composite
def _filename(draw: Callable[[SearchStrategy[Any]], Any], extensions: SearchStrategy[str],
              max_length: int) -> str:
    ext: str = draw(extensions)
    room = max_length - len(ext)
    if room < 1:
        raise InvalidArgument(f"filenames: max_length={max_length} leaves no room for a stem before {ext!r}")
    stem: str = draw(_stems(room))
    return stem + ext


def filenames(
    *, extensions: Optional[Pin[str]] = None, max_length: int = _naming.MAX_FILENAME_CHARS
) -> SearchStrategy[str]:
    """Filenames the API accepts and stores unchanged (``check_filename(n) == n``).

    Plain ASCII names, any Unicode the rules allow, and names exactly at
    ``max_length`` (255 by default); extensions from :data:`EXTENSIONS` unless
    ``extensions`` pins one (``".pdf"``) or a strategy of them. Shrinks to ``"a.txt"``.
    """
    if not 1 <= max_length <= _naming.MAX_FILENAME_CHARS:
        raise InvalidArgument(
            f"filenames: max_length must be 1 to {_naming.MAX_FILENAME_CHARS}, got {max_length}"
        )
    fitting = [ext for ext in EXTENSIONS if len(ext) < max_length]  # "" always fits
    exts = st.sampled_from(fitting) if extensions is None else _pinned(extensions)
    return _filename(exts, max_length)


@st.composite
def _inserted(draw: Callable[[SearchStrategy[Any]], Any], chars: str) -> str:
    base: str = draw(_SHORTER_NAMES)
    bad: str = draw(_one_of_chars(chars))
    at: int = draw(_up_to(len(base)))
    return base[:at] + bad + base[at:]


@functools.cache
def _one_of_chars(chars: str) -> SearchStrategy[str]:
    return st.sampled_from(chars)


_SHORTER_NAMES = st.deferred(lambda: filenames(max_length=_naming.MAX_FILENAME_CHARS - 1))


def invalid_filenames(kind: Optional[str] = None) -> SearchStrategy[str]:
    """Filenames the API refuses with 400, for negative tests.

    ``kind`` picks one reason: ``"empty"`` (``""``; in the GA dialect an upload with
    no filename is stored as ``unnamed...`` instead), ``"forbidden"`` (one of
    ``< > : " | ? * \\``), ``"control"`` (U+0000 to U+001F) or ``"too_long"``
    (over 255 characters). Default: any of them.
    """
    kinds = {
        "empty": st.just(""),
        "forbidden": _inserted(_FORBIDDEN_PRINTABLE),
        "control": _inserted(_CONTROL),
        "too_long": st.builds(
            lambda stem, ext: stem + ext,
            st.text(_PLAIN_STEM, min_size=_naming.MAX_FILENAME_CHARS + 1,
                    max_size=_naming.MAX_FILENAME_CHARS + 200),
            st.sampled_from(EXTENSIONS),
        ),
    }
    if kind is None:
        return st.one_of(*kinds.values())
    if kind not in kinds:
        raise InvalidArgument(
            f"invalid_filenames: kind must be one of {INVALID_FILENAME_KINDS}, not {kind!r}"
            f"{did_you_mean(kind, kinds)}")
    return kinds[kind]


def mime_types(*, documented_only: bool = False) -> SearchStrategy[str]:
    """Mime types: the documented ones first (``text/plain``, ``application/pdf``,
    images), then the others the fake knows, then made-up ``type/x-...`` ones."""
    known = st.sampled_from(_DOCUMENTED_MIME_TYPES if documented_only else _KNOWN_MIME_TYPES)
    if documented_only:
        return known
    return st.one_of(known, _made_up_mime_types())


def _made_up_mime_types() -> SearchStrategy[str]:
    return st.builds(
        lambda top, sub: f"{top}/x-{sub}",
        st.sampled_from(("application", "text", "image", "audio", "video")),
        st.text(string.ascii_lowercase + string.digits + ".+-", min_size=1, max_size=40),
    )


# -- file metadata ------------------------------------------------------------------
def _check_pins(where: str, pins: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(pins) - allowed)
    if unknown:
        raise InvalidArgument(
            f"{where}: unknown field(s) {', '.join(unknown)}; pin any of {', '.join(sorted(allowed))}"
        )


_MADE_UP = object()  # a made-up mime type, drawn only when picked
_SPAN = _micros_between(MIN_CREATED_AT, MAX_CREATED_AT)


@functools.cache
def _defaults() -> dict[str, SearchStrategy[Any]]:
    """The field strategies, built once and kept flat: one primitive draw per field where
    possible (building or nesting strategies per example is what costs)."""
    return {
        # created_at and the id's low bits in one draw: (microseconds << 72) | low
        "moment": st.integers(0, ((_SPAN + 1) << _LOW_BITS) - 1),
        "low": st.integers(0, 2**_LOW_BITS - 1),
        "ext": st.sampled_from(EXTENSIONS),
        # None: the type the filename's extension gives (what it shrinks to)
        "mime": st.sampled_from((None, *_KNOWN_MIME_TYPES, _MADE_UP)),
        "made_up": _made_up_mime_types(),
        "size_bytes": st.integers(0, MAX_FILE_BYTES),
        "bool": st.booleans(),
        # downloadable, has a scope, expires: three flags in one draw (shrinks to all off)
        "flags": st.integers(0, 7),
        "scope_id": scope_ids(),
        "expires_in": st.integers(MIN_EXPIRES_IN, MAX_EXPIRES_IN),
        "dialect": dialects(),
    }


@st.composite
def _metadata(draw: Callable[[SearchStrategy[Any]], Any], dialect: Optional[Dialect],
              pins: dict[str, SearchStrategy[Any]]) -> FileMetadata:
    d = _defaults()
    if "created_at" in pins:
        created_at: datetime = draw(pins["created_at"])
        low = None if "id" in pins else draw(d["low"])
    else:
        moment = draw(d["moment"])
        created_at = MIN_CREATED_AT + timedelta(microseconds=moment >> _LOW_BITS)
        low = moment & (2**_LOW_BITS - 1)
    file_id: str = draw(pins["id"]) if "id" in pins else _file_id_at(created_at, cast(int, low))
    if "filename" in pins:
        filename: str = draw(pins["filename"])
    else:
        ext: str = draw(d["ext"])
        filename = draw(_stems(_naming.MAX_FILENAME_CHARS - len(ext))) + ext
    if "mime_type" in pins:
        mime_type: str = draw(pins["mime_type"])
    else:
        picked = draw(d["mime"])
        mime_type = (_naming.decide_mime_type(None, filename) if picked is None
                     else draw(d["made_up"]) if picked is _MADE_UP else picked)
    size_bytes: int = draw(pins.get("size_bytes", d["size_bytes"]))
    flags: int = draw(d["flags"])
    downloadable: bool = draw(pins["downloadable"]) if "downloadable" in pins else bool(flags & 1)
    if "scope" in pins:
        scope = draw(pins["scope"])
        if isinstance(scope, str):
            scope = FileScope(id=scope)
    else:
        scope = FileScope(id=draw(d["scope_id"])) if flags & 2 else None
    this_dialect = dialect if dialect is not None else draw(d["dialect"])
    if "expires_at" in pins:
        expires_at = draw(pins["expires_at"])
        if expires_at is not None and this_dialect == "beta":
            raise InvalidArgument("file_metadata: the beta dialect has no expires_at; pin dialect='ga'")
    elif this_dialect == "beta" or not flags & 4:
        expires_at = None
    else:
        expires_at = created_at + timedelta(seconds=draw(d["expires_in"]))
    return FileMetadata(
        id=file_id,
        filename=filename,
        mime_type=mime_type,
        size_bytes=size_bytes,
        created_at=created_at,
        downloadable=downloadable,
        scope=scope,
        expires_at=expires_at,
    )


def file_metadata(*, dialect: Optional[Dialect] = "ga", **pins: Any) -> SearchStrategy[FileMetadata]:
    """``FileMetadata`` as the API returns it; keyword arguments pin fields.

    Pins: ``id``, ``filename``, ``mime_type``, ``size_bytes``, ``created_at``,
    ``downloadable``, ``scope`` (a ``FileScope``, a scope id or ``None``),
    ``expires_at``; each a value or a strategy. ``dialect="beta"`` never sets
    ``expires_at`` (the beta dialect has none); ``dialect=None`` mixes both.
    The id encodes ``created_at``, so sorting by id sorts by creation, as in the fake.
    ``mime_type`` agrees with the filename's extension unless it shrinks elsewhere.
    """
    _check_dialect(dialect, "file_metadata")
    _check_pins("file_metadata", pins, _FILE_FIELDS)
    return _metadata(dialect, {name: _pinned(value) for name, value in pins.items()})


def file_metadata_json(*, dialect: Dialect = "ga", **pins: Any) -> SearchStrategy[dict[str, Any]]:
    """The JSON object of ``file_metadata()`` in ``dialect`` (``to_api(dialect)``)."""
    _check_dialect(dialect, "file_metadata_json")
    return file_metadata(dialect=dialect, **pins).map(lambda m: m.to_api(dialect))


def deleted_files(file_id: Optional[Pin[str]] = None) -> SearchStrategy[DeletedFile]:
    """``DeletedFile(id=..., type="file_deleted")``, the answer to a delete."""
    return st.builds(DeletedFile, id=file_ids() if file_id is None else _pinned(file_id))


# -- list pages ---------------------------------------------------------------------
@functools.cache
def _up_to(size: int) -> SearchStrategy[int]:
    return st.integers(0, size)


@functools.lru_cache(maxsize=256)
def _unique_files(files: SearchStrategy[FileMetadata], count: int) -> SearchStrategy[list[FileMetadata]]:
    return st.lists(files, min_size=count, max_size=count, unique_by=lambda m: m.id)


@st.composite
def _page(draw: Callable[[SearchStrategy[Any]], Any], dialect: Dialect, limit: SearchStrategy[int],
          has_more: SearchStrategy[bool], files_of: SearchStrategy[FileMetadata]
          ) -> Union[BetaFileList, GAFileList]:
    size: int = draw(limit)
    if not MIN_LIMIT <= size <= MAX_LIMIT:
        raise InvalidArgument(f"list_pages: limit must be {MIN_LIMIT} to {MAX_LIMIT}, got {size}")
    more: bool = draw(has_more)
    count = size if more else draw(_up_to(size))
    files: list[FileMetadata] = draw(_unique_files(files_of, count))
    files.sort(key=lambda m: m.id, reverse=True)  # newest first, as the API lists
    if dialect == "beta":
        return BetaFileList(
            data=files,
            has_more=more,
            first_id=files[0].id if files else None,
            last_id=files[-1].id if files else None,
        )
    return GAFileList(data=files, next_page=encode_page_token(files[-1].id) if more else None)


def list_pages(
    dialect: Dialect = "beta",
    *,
    limit: Optional[Pin[int]] = None,
    has_more: Optional[Pin[bool]] = None,
    **pins: Any,
) -> SearchStrategy[Union[BetaFileList, GAFileList]]:
    """A list page whose cursors agree with its data, as the fake serves them.

    Beta: ``BetaFileList`` with ``has_more`` and ``first_id``/``last_id`` (null when
    empty). GA: ``GAFileList`` with ``next_page`` (``page_...``, the position after the
    last file) or null on the last page. Files are newest first with distinct ids; a
    page with more to come is full (``limit`` files). ``limit`` defaults to 1-10 to
    keep examples small; other keywords pin the files' fields as in ``file_metadata``.
    """
    _check_dialect(dialect, "list_pages")
    if dialect is None:
        raise InvalidArgument("list_pages: dialect must be 'beta' or 'ga'")
    _check_pins("list_pages", pins, _FILE_FIELDS - {"id"})
    lim = st.integers(MIN_LIMIT, min(10, DEFAULT_LIMIT)) if limit is None else _pinned(limit)
    more = st.booleans() if has_more is None else _pinned(has_more)
    return _page(dialect, lim, more, file_metadata(dialect=dialect, **pins))


def _page_json(page: Union[BetaFileList, GAFileList], dialect: Dialect) -> dict[str, Any]:
    data = page.model_dump(mode="json")
    data["data"] = [m.to_api(dialect) for m in page.data]
    return data


def list_pages_json(dialect: Dialect = "beta", **kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """The JSON body of ``list_pages(dialect, ...)``, exactly as ``GET /v1/files`` answers."""
    return list_pages(dialect, **kwargs).map(lambda p: _page_json(p, dialect))


# -- uploads ------------------------------------------------------------------------
def _framed(head: bytes, tail: bytes = b"") -> Callable[[int], SearchStrategy[bytes]]:
    return lambda max_size: st.binary(max_size=max_size).map(lambda b: head + b + tail)


def _text(max_size: int) -> SearchStrategy[bytes]:
    return st.text(st.characters(codec="utf-8"), max_size=max_size).map(lambda t: t.encode())


def _json_bytes(max_size: int) -> SearchStrategy[bytes]:
    scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)
    return values.map(lambda v: json.dumps(v, ensure_ascii=False).encode())


_CONTENT_BY_MIME: dict[str, Callable[[int], SearchStrategy[bytes]]] = {
    **{mime: _framed(head, tail) for mime, (head, tail) in _generation.SIGNATURES.items()},
    "image/webp": lambda n: st.binary(max_size=n).map(_generation.webp),
    "application/json": _json_bytes,
    _naming.DEFAULT_MIME_TYPE: lambda n: st.binary(max_size=n),
}
_UPLOAD_KINDS = _generation.UPLOAD_KINDS


@functools.cache
def _content_for(mime: str, max_size: int) -> SearchStrategy[bytes]:
    make = _CONTENT_BY_MIME.get(mime)
    if make is None:
        make = _text if _generation.is_text(mime) else _CONTENT_BY_MIME[
            _naming.DEFAULT_MIME_TYPE]
    return make(max_size)


@st.composite
def _upload(draw: Callable[[SearchStrategy[Any]], Any], dialect: Optional[Dialect], max_size: int,
            pins: dict[str, Any], octet_stream: bool = False) -> UploadPayload:
    ext, mime = draw(_KINDS)
    if "filename" in pins:
        filename: str = draw(pins["filename"])
        mime = _naming.decide_mime_type(None, filename)
    else:
        filename = draw(_filenames_with(ext))
    content_type: Optional[str] = draw(pins.get("content_type", _content_types(mime, dialect, octet_stream)))
    content: bytes = draw(pins["content"]) if "content" in pins else draw(_content_for(mime, max_size))
    return UploadPayload(filename, content, content_type)


_KINDS = st.sampled_from(_UPLOAD_KINDS)


@functools.cache
def _filenames_with(ext: str) -> SearchStrategy[str]:
    return filenames(extensions=ext)


@functools.cache
def _content_types(mime: str, dialect: Optional[str], octet_stream: bool) -> SearchStrategy[Optional[str]]:
    choices: list[Optional[str]] = [mime]
    if octet_stream and mime != _naming.DEFAULT_MIME_TYPE:
        choices.append(_naming.DEFAULT_MIME_TYPE)  # asked for: the untyped part, stored as sent
    if dialect == "ga":
        choices.append(None)  # the GA dialect accepts a part without Content-Type
    return st.sampled_from(choices)


def upload_payloads(
    *, dialect: Optional[Dialect] = None, max_size: int = 512, octet_stream: bool = False, **pins: Any
) -> SearchStrategy[UploadPayload]:
    """Uploads whose filename, bytes and Content-Type agree.

    The extension decides the kind; the bytes carry its signature (``%PDF-``, the PNG
    magic, valid UTF-8 text or JSON, ...); the Content-Type is the extension's type, or
    absent in the GA dialect (the type is then guessed from the extension), as a careful
    client sends it. ``octet_stream=True`` also draws ``application/octet-stream`` (stored
    as sent, and noticed as misuse for a PDF, text or image: the untyped uploads a careless
    client makes). ``.mime_type`` is what the API stores. ``max_size`` bounds the random
    part of the content. Pin ``filename``, ``content`` or ``content_type``.
    Shrinks to ``UploadPayload("a.txt", b"", "text/plain")``.
    """
    _check_dialect(dialect, "upload_payloads")
    _check_pins("upload_payloads", pins, frozenset({"filename", "content", "content_type"}))
    if max_size < 0:
        raise InvalidArgument(f"upload_payloads: max_size must be >= 0, got {max_size}")
    if not isinstance(octet_stream, bool):
        raise InvalidArgument(f"upload_payloads: octet_stream must be True or False, got {octet_stream!r}")
    return _upload(dialect, max_size, {name: _pinned(value) for name, value in pins.items()}, octet_stream)


# -- the installed SDK's types ------------------------------------------------------
def _sdk_metadata_class(dialect: Dialect) -> Any:
    if dialect == "ga":
        try:
            from anthropic.types import FileMetadata as GAMetadata
        except ImportError:  # an SDK before the GA Files API
            pass
        else:
            return GAMetadata
    from anthropic.types.beta import BetaFileMetadata

    return BetaFileMetadata


def sdk_file_metadata(*, dialect: Dialect = "beta", **pins: Any) -> SearchStrategy[Any]:
    """The installed SDK's own metadata model, parsed from what the API would send:
    ``anthropic.types.beta.BetaFileMetadata`` (beta) or ``anthropic.types.FileMetadata``
    (GA, where the SDK has it)."""
    _check_dialect(dialect, "sdk_file_metadata")
    cls = _sdk_metadata_class(dialect)
    return file_metadata_json(dialect=dialect, **pins).map(cls.model_validate)


def sdk_deleted_files(*, dialect: Dialect = "beta") -> SearchStrategy[Any]:
    """The installed SDK's ``DeletedFile`` (GA) or ``BetaDeletedFile`` (beta)."""
    _check_dialect(dialect, "sdk_deleted_files")
    import importlib

    sdk_types = importlib.import_module("anthropic.types")
    cls: Any = getattr(sdk_types, "DeletedFile", None) if dialect == "ga" else None
    if cls is None:
        cls = importlib.import_module("anthropic.types.beta").BetaDeletedFile
    return deleted_files().map(lambda d: cls.model_validate(d.model_dump(mode="json")))
