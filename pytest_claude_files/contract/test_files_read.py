"""Metadata, download and delete (docs/fidelity.md, ## Files: read and delete)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files.contract._harness import Contract

fidelity = pytest.mark.claude_files_fidelity


@fidelity("files.metadata.retrieve", uploads=1, bytes=3, calls=("upload", "retrieve_metadata"))
def test_metadata_matches_the_upload(contract: Contract) -> None:
    up = contract.upload("a.txt", b"abc")
    got = contract.run("retrieve_metadata", lambda c, f: c.files.retrieve_metadata(f.id), up)
    assert got.value.id == up.value.id
    assert (got.value.filename, got.value.size_bytes) == ("a.txt", 3)


@fidelity("files.download.not-downloadable", uploads=1, bytes=3, calls=("upload", "download"))
def test_an_upload_is_not_downloadable(contract: Contract) -> None:
    up = contract.upload("a.txt", b"abc")
    answer = contract.run("download an upload", lambda c, f: c.files.download(f.id), up)
    assert (answer.status, answer.error_type, answer.error_code) == (
        400,
        "invalid_request_error",
        "file_not_downloadable",
    )


@fidelity(
    "files.delete.gone", uploads=1, bytes=1, calls=("upload", "delete", "retrieve_metadata", "download")
)
def test_a_deleted_file_is_gone(contract: Contract) -> None:
    up = contract.upload("a.txt", b"x")
    deleted = contract.run("delete", lambda c, f: c.files.delete(f.id), up)
    assert (deleted.value.id, deleted.value.type) == (up.value.id, "file_deleted")
    meta = contract.run(
        "retrieve_metadata of a deleted file", lambda c, f: c.files.retrieve_metadata(f.id), up
    )
    content = contract.run("download of a deleted file", lambda c, f: c.files.download(f.id), up)
    again = contract.run("delete a deleted file", lambda c, f: c.files.delete(f.id), up)
    for answer in (meta, content, again):
        assert (answer.status, answer.error_type) == (404, "not_found_error")


@fidelity("files.errors.envelope", uploads=1, bytes=1, calls=("upload", "delete", "retrieve_metadata"))
def test_an_error_has_the_envelope_and_a_request_id(contract: Contract) -> None:
    up = contract.upload("a.txt", b"x")
    contract.run("delete", lambda c, f: c.files.delete(f.id), up)

    def envelope(c: Any, f: Any) -> dict[str, Any]:
        raw = c.files.with_raw_response.retrieve_metadata
        try:
            raw(f.id)
        except Exception as exc:
            response = exc.response  # type: ignore[attr-defined]
            body = response.json()
            return {
                "keys": sorted(body),
                "error_keys": sorted(body["error"]),
                "type": body["type"],
                "request_id_header_equals_body": response.headers.get("request-id") == body.get("request_id"),
                "request_id_prefix": str(body.get("request_id", ""))[:4],
            }
        raise AssertionError("a deleted file's metadata was served")

    answer = contract.run("the error body of a 404", envelope, up)
    assert answer.value == {
        "keys": ["error", "request_id", "type"],
        "error_keys": ["message", "type"],
        "type": "error",
        "request_id_header_equals_body": True,
        "request_id_prefix": "req_",
    }


@fidelity("files.metadata.unknown-id", uploads=1, bytes=1, calls=("upload", "delete", "retrieve_metadata"))
def test_the_wording_of_file_not_found(contract: Contract) -> None:
    up = contract.upload("a.txt", b"x")
    contract.run("delete", lambda c, f: c.files.delete(f.id), up)
    answer = contract.run(
        "retrieve_metadata of a deleted file (message)",
        lambda c, f: c.files.retrieve_metadata(f.id),
        up,
        message=True,
    )
    assert up.value.id in answer.message


@fidelity("files.errors.unknown-route", calls=())
def test_an_unknown_path_is_404(contract: Contract) -> None:
    answer = contract.run("GET /v1/files-nowhere", lambda c: c.get("/v1/files-nowhere", cast_to=object))
    assert (answer.status, answer.error_type) == (404, "not_found_error")


@fidelity("files.errors.echo-limit", calls=("retrieve_metadata",))
def test_a_long_unknown_id_is_echoed_cut(contract: Contract) -> None:
    answer = contract.run(
        "retrieve_metadata of a 300-character id (message)",
        lambda c: c.files.retrieve_metadata("f" * 300),
        message=True,
    )
    assert (answer.status, answer.error_type) == (404, "not_found_error")
    assert "f" * 201 not in answer.message
