"""The OpenAPI 3.1 document: built from the models, served live (schemathesis runs it
against the server in tests/test_server_schemathesis.py)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Iterator

import pytest

from pytest_claude_files.models import FileMetadata
from pytest_claude_files.server import ServerHandle, start_server
from pytest_claude_files.server._openapi import openapi_document


def test_document_is_openapi_3_1_with_all_five_operations() -> None:
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0"
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert ops == {"upload", "list", "retrieve_metadata", "download", "delete"}


def test_metadata_schemas_follow_the_models_in_both_dialects() -> None:
    schemas = openapi_document()["components"]["schemas"]
    model_fields = set(FileMetadata.model_fields)
    assert set(schemas["FileMetadataGA"]["properties"]) == model_fields
    assert set(schemas["FileMetadataBeta"]["properties"]) == model_fields - {"expires_at"}
    assert "expires_at" in schemas["FileMetadataGA"]["required"]
    assert schemas["FileMetadataGA"]["properties"]["created_at"]["format"] == "date-time"
    list_shapes = [s["$ref"].rsplit("/", 1)[-1] for s in schemas["FileList"]["oneOf"]]
    assert list_shapes == ["GAFileList", "BetaFileList"]


def _fetch(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers.get("content-type"), json.loads(response.read())


def test_served_document_is_the_built_one(live: ServerHandle) -> None:
    content_type, served = _fetch(f"{live.base_url}/openapi.json")
    assert content_type == "application/json"
    assert served == openapi_document()
    _, again = _fetch(f"{live.base_url}/_claude_files/openapi.json")
    assert again == served


@pytest.fixture(scope="module")
def live() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        yield handle


def test_every_error_response_is_the_envelope() -> None:
    doc = openapi_document()
    for path in doc["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                assert response["headers"]["request-id"]["required"] is True
                if not status.startswith("2"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


def test_cli_prints_the_same_document(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_claude_files.server._cli import main

    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == openapi_document()
