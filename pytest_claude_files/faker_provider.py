"""A Faker provider for Files API objects (``fake.add_provider(ClaudeFilesProvider)``).

Each method draws from the Faker's own ``random``, so a seeded Faker gives the same
objects every run; timestamps come from a fixed window, never from "now". The values
follow the same rules as the fake and the Hypothesis strategies (``_naming``, ``_ids``,
``models``, ``errors``)::

    from faker import Faker
    from pytest_claude_files.faker_provider import ClaudeFilesProvider

    fake = Faker()
    fake.add_provider(ClaudeFilesProvider)
    fake.seed_instance(1234)
    fake.claude_file_metadata(downloadable=True)   # a FileMetadata
    fake.claude_file_id()                           # 'file_011C...'

In tests, the ``claude_files_faker`` fixture gives one, seeded from the test's id.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Optional, Union

from faker.providers import BaseProvider

from pytest_claude_files import errors
from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core import naming as _naming
from pytest_claude_files._core.files import MAX_EXPIRES_IN, MIN_EXPIRES_IN, encode_page_token
from pytest_claude_files._http import handler as _http
from pytest_claude_files._sdk.generation import (
    CONTROL,
    FORBIDDEN_PRINTABLE,
    INVALID_FILENAME_KINDS,
    KNOWN_MIME_TYPES,
    MIN_CREATED_AT,
    SCOPE_ID_PREFIX,
    SIGNATURES,
    UPLOAD_KINDS,
    UploadPayload,
    is_text,
    webp,
)
from pytest_claude_files.models import (
    BetaFileList,
    DeletedFile,
    Dialect,
    ErrorResponse,
    FileMetadata,
    FileScope,
    GAFileList,
)

__all__ = ["ClaudeFilesProvider"]

_WINDOW_SECONDS = 2 * 365 * 86_400  # created_at: within two years of MIN_CREATED_AT
_MAX_ID_VALUE = 58**_ids.ID_BODY_LENGTH

class ClaudeFilesProvider(BaseProvider):
    """``claude_*`` methods for ids, filenames, metadata, pages, errors and uploads."""

    # -- ids ------------------------------------------------------------------------
    def claude_created_at(self) -> datetime:
        """A ``created_at``: UTC with microseconds, in a fixed two-year window."""
        micros = self.generator.random.randrange(_WINDOW_SECONDS * 1_000_000)
        return MIN_CREATED_AT + timedelta(microseconds=micros)

    def claude_file_id(self, created_at: Optional[datetime] = None) -> str:
        """``file_01`` + 22 base58, sortable by ``created_at`` like the fake's ids."""
        moment = created_at if created_at is not None else self.claude_created_at()
        low = self.generator.random.getrandbits(72)
        return _ids.FILE_ID_PREFIX + _ids._encode((_ids._micros(moment) << 72) | low)

    def claude_request_id(self) -> str:
        """``req_01`` + 22 base58."""
        return _ids.REQUEST_ID_PREFIX + _ids._encode(self.generator.random.randrange(_MAX_ID_VALUE))

    def claude_scope_id(self) -> str:
        """A session id as a file's ``scope`` names it."""
        return SCOPE_ID_PREFIX + _ids._encode(self.generator.random.randrange(_MAX_ID_VALUE))

    # -- names and types ------------------------------------------------------------
    def claude_mime_type(self) -> str:
        """A mime type the fake knows (documented ones first)."""
        return self.random_element(KNOWN_MIME_TYPES)

    def claude_filename(self, extension: Optional[str] = None) -> str:
        """A readable valid filename (``reason-7.pdf``); ``extension`` pins one (``".csv"``)."""
        ext = extension if extension is not None else self.random_element(
            [e for e, _ in UPLOAD_KINDS if e])
        words = self.generator.words(nb=self.generator.random.randint(1, 3))
        stem = "-".join(words) or "file"
        if self.generator.random.random() < 0.3:
            stem += f"-{self.generator.random.randint(1, 999)}"
        name = (stem + ext)[-_naming.MAX_FILENAME_CHARS:]
        try:
            return _naming.check_filename(name)
        except errors.InvalidRequestError:  # a locale's word with a forbidden character
            return "file" + ext

    def claude_invalid_filename(self, kind: Optional[str] = None) -> str:
        """A filename the API refuses: ``kind`` is one of ``empty``, ``forbidden``,
        ``control``, ``too_long`` (default: any)."""
        kind = kind or self.random_element(INVALID_FILENAME_KINDS)
        if kind == "empty":
            return ""
        if kind == "too_long":
            extra: int = self.generator.random.randint(1, 100)
            return "x" * (_naming.MAX_FILENAME_CHARS + extra) + ".txt"
        if kind not in ("forbidden", "control"):
            raise ValueError(
                f"claude_invalid_filename: kind must be one of {INVALID_FILENAME_KINDS}, not {kind!r}")
        name = self.claude_filename()
        at = self.generator.random.randint(0, len(name))
        bad = self.random_element(list(FORBIDDEN_PRINTABLE if kind == "forbidden" else CONTROL))
        return name[:at] + bad + name[at:]

    # -- objects --------------------------------------------------------------------
    def claude_file_metadata(self, dialect: Optional[Dialect] = "ga", **fields: Any) -> FileMetadata:
        """A ``FileMetadata``; keyword arguments set fields (``downloadable=True``).

        ``dialect="beta"`` never sets ``expires_at``; the mime type follows the filename.
        """
        rnd = self.generator.random
        created_at = fields.pop("created_at", None) or self.claude_created_at()
        filename = fields.pop("filename", None) or self.claude_filename()
        expires_at = None
        if dialect != "beta" and rnd.random() < 0.2:
            expires_at = created_at + timedelta(seconds=rnd.randint(MIN_EXPIRES_IN, MAX_EXPIRES_IN))
        scope = fields.pop("scope", None if rnd.random() < 0.8 else FileScope(id=self.claude_scope_id()))
        values: dict[str, Any] = {
            "id": self.claude_file_id(created_at),
            "filename": filename,
            "mime_type": _naming.decide_mime_type(None, filename),
            "size_bytes": rnd.randint(0, 10 * 1024 * 1024),
            "created_at": created_at,
            "downloadable": rnd.random() < 0.5,
            "scope": FileScope(id=scope) if isinstance(scope, str) else scope,
            "expires_at": expires_at,
        }
        unknown = set(fields) - set(values)
        if unknown:
            raise TypeError(f"claude_file_metadata: unknown field(s) {sorted(unknown)}")
        values.update(fields)
        if dialect == "beta" and values["expires_at"] is not None:
            raise ValueError("claude_file_metadata: the beta dialect has no expires_at")
        return FileMetadata(**values)

    def claude_file_metadata_json(self, dialect: Dialect = "ga", **fields: Any) -> dict[str, Any]:
        """The JSON object the API sends for a file in ``dialect``."""
        return self.claude_file_metadata(dialect, **fields).to_api(dialect)

    def claude_deleted_file(self, file_id: Optional[str] = None) -> DeletedFile:
        """``DeletedFile(id=..., type="file_deleted")``."""
        return DeletedFile(id=file_id or self.claude_file_id())

    def claude_list_page(
        self, dialect: Dialect = "beta", limit: int = 5, has_more: Optional[bool] = None
    ) -> Union[BetaFileList, GAFileList]:
        """A page whose cursors agree with its data (newest first, full when more follow)."""
        rnd = self.generator.random
        more = rnd.random() < 0.5 if has_more is None else has_more
        count = limit if more else rnd.randint(0, limit)
        files = sorted((self.claude_file_metadata(dialect) for _ in range(count)),
                       key=lambda m: m.id, reverse=True)
        if dialect == "beta":
            return BetaFileList(data=files, has_more=more, first_id=files[0].id if files else None,
                                last_id=files[-1].id if files else None)
        return GAFileList(data=files, next_page=encode_page_token(files[-1].id) if more and files else None)

    def claude_error(
        self, status: Optional[int] = None, error_code: Optional[str] = None
    ) -> errors.FilesAPIError:
        """An error of ``pytest_claude_files.errors`` (status and code agree)."""
        if status is None:
            status = errors.ERROR_CODE_STATUS[error_code] if error_code else self.random_element(
                sorted(errors.STATUS_TO_ERROR_TYPE))
        cls = errors.error_class_for(status)
        if error_code is not None and errors.ERROR_CODE_STATUS.get(error_code) != cls.status:
            raise ValueError(f"claude_error: {error_code!r} does not come with status {status}")
        return errors.build_error(cls.status, self.generator.sentence(), error_code=error_code)

    def claude_error_response(
        self, status: Optional[int] = None, error_code: Optional[str] = None
    ) -> ErrorResponse:
        """An error envelope, built as the fake builds it (``_http.error_response``)."""
        response = _http.error_response(self.claude_error(status, error_code), self.claude_request_id())
        return ErrorResponse.model_validate(response.json())

    def claude_error_json(
        self, status: Optional[int] = None, error_code: Optional[str] = None
    ) -> dict[str, Any]:
        """The JSON body of an error response."""
        return self.claude_error_response(status, error_code).to_api()

    def claude_upload_payload(self, extension: Optional[str] = None, max_size: int = 256) -> UploadPayload:
        """An upload whose filename, bytes and Content-Type agree."""
        rnd = self.generator.random
        if extension is None:
            extension = self.random_element([e for e, _ in UPLOAD_KINDS])
        filename = self.claude_filename(extension) if extension else "-".join(self.generator.words(2))
        mime = _naming.decide_mime_type(None, filename)
        size = rnd.randint(0, max_size)
        if is_text(mime):
            content = self.generator.text(max_nb_chars=max(5, size)).encode()
        elif mime == "application/json":
            content = json.dumps(self.generator.pydict(nb_elements=3, value_types=[str, int])).encode()
        else:
            head, tail = SIGNATURES.get(mime, (b"", b""))
            if mime == "image/webp":
                content = webp(rnd.randbytes(size))
            else:
                content = head + rnd.randbytes(size) + tail
        return UploadPayload(filename, content, mime)
