"""The OpenAPI 3.1 document of the Files API the fake serves, built from ``models.py``.

Served by the emulator at ``/openapi.json`` (and ``/_claude_files/openapi.json``) and
printed by ``claude-files-fake openapi``. Both dialects share one set of paths (the
dialect is chosen by the ``anthropic-beta`` header, not the path), so each response that
differs by dialect is a ``oneOf`` of the two shapes, which are disjoint: a GA metadata
object always has ``expires_at``, a beta one never does.

The schemas come from the pydantic models (validation mode, so timestamps are
``format: date-time``), tightened to what the API writes: every key of a success
object is always present (``required``) and no other key is (``additionalProperties:
false``).
"""

from __future__ import annotations

import copy
from typing import Any

from pytest_claude_files._core.files import (
    DEFAULT_LIMIT,
    MAX_EXPIRES_IN,
    MAX_IDS,
    MAX_LIMIT,
    MIN_EXPIRES_IN,
    MIN_LIMIT,
)
from pytest_claude_files._http.headers import ANTHROPIC_VERSIONS
from pytest_claude_files.models import (
    BETA_HEADER_VALUE,
    BetaFileList,
    DeletedFile,
    ErrorResponse,
    FileMetadata,
    FileScope,
    GAFileList,
)

__all__ = ["OPENAPI_VERSION", "component_schemas", "openapi_document"]

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": REF.format(model=name)}


def _clean(node: Any) -> Any:
    """Drop pydantic's titles; docstring ``code`` becomes markdown `code`."""
    if isinstance(node, dict):
        return {
            k: (v.replace("``", "`") if k == "description" and isinstance(v, str) else _clean(v))
            for k, v in node.items()
            if k != "title" or not isinstance(v, str)
        }
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def component_schemas() -> dict[str, Any]:
    """The ``components.schemas`` of the document, from the pydantic models."""
    from pydantic import BaseModel
    from pydantic.json_schema import models_json_schema

    models: list[type[BaseModel]] = [
        FileScope, FileMetadata, DeletedFile, BetaFileList, GAFileList, ErrorResponse,
    ]
    _, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    defs: dict[str, Any] = _clean(top["$defs"])

    for name in ("FileScope", "DeletedFile"):  # the API always writes every key
        defs[name]["required"] = list(defs[name]["properties"])
    meta = defs.pop("FileMetadata")
    meta["required"] = list(meta["properties"])
    ga = copy.deepcopy(meta)
    ga["description"] = "A file's metadata in the GA dialect (`expires_at` always present)."
    beta = copy.deepcopy(meta)
    del beta["properties"]["expires_at"]
    beta["required"] = [k for k in beta["required"] if k != "expires_at"]
    beta["description"] = (
        f"A file's metadata in the beta dialect (`anthropic-beta: {BETA_HEADER_VALUE}`): "
        "no `expires_at` key."
    )
    defs["FileMetadataGA"] = ga
    defs["FileMetadataBeta"] = beta
    defs["FileMetadata"] = {
        "description": "A file's metadata, in the dialect of the request.",
        "oneOf": [_ref("FileMetadataGA"), _ref("FileMetadataBeta")],
    }
    defs["BetaFileList"]["properties"]["data"]["items"] = _ref("FileMetadataBeta")
    defs["GAFileList"]["properties"]["data"]["items"] = _ref("FileMetadataGA")
    next_page = defs["GAFileList"]["properties"]["next_page"]
    next_page["anyOf"] = [{"type": "string", "pattern": "^page_"}, {"type": "null"}]
    defs["FileList"] = {
        "description": "A page of files: `GAFileList` in the GA dialect, `BetaFileList` in the beta one.",
        "oneOf": [_ref("GAFileList"), _ref("BetaFileList")],
    }
    defs["ErrorResponse"]["required"] = ["type", "error", "request_id"]
    defs["ErrorObject"]["properties"]["details"] = _ref("ErrorDetails")  # absent, never null
    return defs


_REQUEST_ID = {
    "request-id": {
        "description": "The request's id (`req_...`); quote it when reporting a problem.",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
    }
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _REQUEST_ID,
        "content": {"application/json": {"schema": schema}},
    }


_ERROR_TEXTS = {
    "400": "Invalid request (`invalid_request_error`; `details.error_code` where there is one).",
    "401": "Missing or unaccepted API key (`authentication_error`).",
    "404": "No such file (`not_found_error`; `file_expired` for an expired GA upload).",
    "413": "The file is larger than the limit (`request_too_large`).",
    "429": "Rate limited (`rate_limit_error`, with `retry-after`).",
}


def _errors(*statuses: str) -> dict[str, Any]:
    out = {s: _json(_ref("ErrorResponse"), _ERROR_TEXTS[s]) for s in statuses}
    out["4XX"] = _json(_ref("ErrorResponse"), "Another client error (the error envelope).")
    out["5XX"] = _json(_ref("ErrorResponse"), "A server error: only when a fault is injected.")
    return out


_DIALECT_HEADER = {
    "name": "anthropic-beta",
    "in": "header",
    "required": False,
    "description": (
        f"Comma-separated beta names; listing `{BETA_HEADER_VALUE}` selects the beta dialect, "
        "anything else (or no header) the GA dialect. An item not shaped like a beta name "
        "(`words-YYYY-MM-DD`) is 400."
    ),
    "schema": {"type": "string"},
}
_VERSION_HEADER = {
    "name": "anthropic-version",
    "in": "header",
    "required": True,
    "description": "The API version the client speaks; missing or unknown is 400.",
    "schema": {"type": "string", "enum": sorted(ANTHROPIC_VERSIONS)},
}
_WORKSPACE_HEADER = {
    "name": "anthropic-workspace-id",
    "in": "header",
    "required": False,
    "description": "The workspace of the request; echoed in the answer's `anthropic-workspace-id` header.",
    "schema": {"type": "string"},
}
_FILE_ID = {
    "name": "file_id",
    "in": "path",
    "required": True,
    "description": "A file id (`file_...`).",
    "schema": {"type": "string", "minLength": 1},
}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **extra}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh ``dict`` each call)."""
    from pytest_claude_files._version import __version__

    common = [_DIALECT_HEADER, _VERSION_HEADER, _WORKSPACE_HEADER]
    list_params = [
        *common,
        _query("limit", {"type": "integer", "minimum": MIN_LIMIT, "maximum": MAX_LIMIT,
                         "default": DEFAULT_LIMIT}, "Files per page."),
        _query("scope_id", {"type": "string"}, "Only files of this scope (session)."),
        _query("before_id", {"type": "string"},
               "Beta dialect: the page of files newer than this id (400 in the GA dialect)."),
        _query("after_id", {"type": "string"},
               "Beta dialect: the page of files older than this id (400 in the GA dialect)."),
        _query("page", {"type": "string"},
               "GA dialect: the `next_page` token of the previous page (400 in the beta dialect)."),
        _query("ids", {"type": "array", "items": {"type": "string"}, "maxItems": MAX_IDS},
               f"GA dialect: only these files (at most {MAX_IDS} distinct; also `ids[]`), "
               "one page; not with `page` or `limit`.", style="form", explode=True),
    ]
    upload_body = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary",
                                 "contentMediaType": "application/octet-stream",
                                 "description": "The file; its part's filename and Content-Type are kept."},
                        "expires_in_seconds": {
                            "type": "integer", "minimum": MIN_EXPIRES_IN, "maximum": MAX_EXPIRES_IN,
                            "description": "GA dialect only: the file expires after this many seconds.",
                        },
                    },
                },
            }
        },
    }
    paths = {
        "/v1/files": {
            "get": {
                "operationId": "list",
                "summary": "List files, newest first",
                "parameters": list_params,
                "responses": {"200": _json(_ref("FileList"), "A page of files."),
                              **_errors("400", "401", "429")},
            },
            "post": {
                "operationId": "upload",
                "summary": "Upload a file",
                "parameters": common,
                "requestBody": upload_body,
                "responses": {"200": _json(_ref("FileMetadata"), "The new file's metadata."),
                              **_errors("400", "401", "413", "429")},
            },
        },
        "/v1/files/{file_id}": {
            "get": {
                "operationId": "retrieve_metadata",
                "summary": "A file's metadata",
                "parameters": [_FILE_ID, *common],
                "responses": {"200": _json(_ref("FileMetadata"), "The file's metadata."),
                              **_errors("400", "401", "404", "429")},
            },
            "delete": {
                "operationId": "delete",
                "summary": "Delete a file (for good)",
                "parameters": [_FILE_ID, *common],
                "responses": {"200": _json(_ref("DeletedFile"), "The file is deleted."),
                              **_errors("400", "401", "404", "429")},
            },
        },
        "/v1/files/{file_id}/content": {
            "get": {
                "operationId": "download",
                "summary": "Download a file's bytes (only files Claude's tools made)",
                "parameters": [_FILE_ID, *common],
                "responses": {
                    "200": {
                        "description": "The file's bytes; `Content-Type` is the file's `mime_type`.",
                        "headers": _REQUEST_ID,
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    **_errors("400", "401", "404", "429"),
                },
            }
        },
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Claude Files API (pytest-claude-files emulator)",
            "version": __version__,
            "description": (
                "The Files API as the pytest-claude-files fake serves it, in both dialects: "
                f"GA (default) and beta (`anthropic-beta: {BETA_HEADER_VALUE}`). Files are kept "
                "per API key. The emulator's control API lives under `/_claude_files/` "
                "(see: claude-files-fake docs server) and is not part of this document."
            ),
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "security": [{"ApiKeyAuth": []}, {"BearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "BearerAuth": {"type": "http", "scheme": "bearer"},
            },
        },
    }
