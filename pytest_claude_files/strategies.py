"""Hypothesis strategies for Files API objects, and for Messages content that references files.

Every strategy builds its values from the core's own rules (``_naming``, ``_ids``,
``models``, ``errors``), so what it generates is what the fake (and the API) produces:
valid for our models, for the installed SDK's models, and unchanged by a JSON round
trip. Shrinking ends on small readable values: a filename shrinks to ``"a.txt"``, a
size to ``0``, a page to an empty last page.

Keyword arguments pin fields; a pin is a value or a strategy::

    from pytest_claude_files import strategies as cfs

    @given(cfs.file_metadata(downloadable=True, dialect="ga"))
    def test_download_button(meta): ...

``st.from_type(FileMetadata)`` (ours or the SDK's) resolves to these strategies too, via
the ``hypothesis`` entry point (``pytest_claude_files._gen.hypothesis_setup``).
"""

from __future__ import annotations

from pytest_claude_files._gen import batches as _batches
from pytest_claude_files._gen import sessions as _sessions
from pytest_claude_files._gen import skills as _skills
from pytest_claude_files._gen.batches import *  # noqa: F403  (Message Batches requests)
from pytest_claude_files._gen.file_strategies import DIALECTS as DIALECTS
from pytest_claude_files._gen.file_strategies import EXTENSIONS as EXTENSIONS
from pytest_claude_files._gen.file_strategies import INVALID_FILENAME_KINDS as INVALID_FILENAME_KINDS
from pytest_claude_files._gen.file_strategies import INVALID_REFERENCE_KINDS as INVALID_REFERENCE_KINDS
from pytest_claude_files._gen.file_strategies import MAX_CREATED_AT as MAX_CREATED_AT
from pytest_claude_files._gen.file_strategies import MIN_CREATED_AT as MIN_CREATED_AT
from pytest_claude_files._gen.file_strategies import SCOPE_ID_PREFIX as SCOPE_ID_PREFIX
from pytest_claude_files._gen.file_strategies import InvalidReference as InvalidReference
from pytest_claude_files._gen.file_strategies import UploadPayload as UploadPayload
from pytest_claude_files._gen.file_strategies import block_for as block_for
from pytest_claude_files._gen.file_strategies import created_ats as created_ats
from pytest_claude_files._gen.file_strategies import deleted_files as deleted_files
from pytest_claude_files._gen.file_strategies import dialects as dialects
from pytest_claude_files._gen.file_strategies import error_bodies as error_bodies
from pytest_claude_files._gen.file_strategies import error_responses as error_responses
from pytest_claude_files._gen.file_strategies import file_ids as file_ids
from pytest_claude_files._gen.file_strategies import file_metadata as file_metadata
from pytest_claude_files._gen.file_strategies import file_metadata_json as file_metadata_json
from pytest_claude_files._gen.file_strategies import file_reference_blocks as file_reference_blocks
from pytest_claude_files._gen.file_strategies import file_scopes as file_scopes
from pytest_claude_files._gen.file_strategies import filenames as filenames
from pytest_claude_files._gen.file_strategies import files_api_errors as files_api_errors
from pytest_claude_files._gen.file_strategies import invalid_file_references as invalid_file_references
from pytest_claude_files._gen.file_strategies import invalid_filenames as invalid_filenames
from pytest_claude_files._gen.file_strategies import list_pages as list_pages
from pytest_claude_files._gen.file_strategies import list_pages_json as list_pages_json
from pytest_claude_files._gen.file_strategies import message_contents as message_contents
from pytest_claude_files._gen.file_strategies import messages_requests as messages_requests
from pytest_claude_files._gen.file_strategies import mime_types as mime_types
from pytest_claude_files._gen.file_strategies import request_ids as request_ids
from pytest_claude_files._gen.file_strategies import scope_ids as scope_ids
from pytest_claude_files._gen.file_strategies import sdk_deleted_files as sdk_deleted_files
from pytest_claude_files._gen.file_strategies import sdk_file_metadata as sdk_file_metadata
from pytest_claude_files._gen.file_strategies import upload_payloads as upload_payloads
from pytest_claude_files._gen.sessions import *  # noqa: F403  (Managed Agents sessions)
from pytest_claude_files._gen.skills import *  # noqa: F403  (skill bundles, PDFs, citations)

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
__all__ += _batches.__all__  # custom ids, batch requests with file references (_gen/batches.py)
__all__ += _sessions.__all__  # Managed Agents ids, mounts, events, agent turns (_gen/sessions.py)
__all__ += _skills.__all__  # skill bundles, PDFs with text, citations (_gen/skills.py)
