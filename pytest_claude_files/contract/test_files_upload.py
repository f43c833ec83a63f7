"""Upload: the metadata answered, mime types, filenames, expiry (docs/fidelity.md, ## Files: upload)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_claude_files.contract._harness import Contract

fidelity = pytest.mark.claude_files_fidelity
BETA = {"anthropic-beta": "files-api-2025-04-14"}


@fidelity("files.upload.metadata", uploads=1, bytes=5, calls=("upload",))
def test_upload_answers_the_metadata(contract: Contract) -> None:
    meta = contract.upload("notes.txt", b"hello").value
    assert meta.id.startswith("file_")
    assert (meta.type, meta.filename, meta.mime_type, meta.size_bytes) == (
        "file",
        "notes.txt",
        "text/plain",
        5,
    )
    assert meta.downloadable is False
    assert meta.created_at.tzinfo is not None


@fidelity("files.mime.as-sent", uploads=1, bytes=3, calls=("upload",))
def test_a_declared_type_is_kept(contract: Contract) -> None:
    meta = contract.upload("table.dat", b"a,b", "text/csv").value
    assert meta.mime_type == "text/csv"


@pytest.mark.claude_files(misuse_warnings="ignore")  # the misuse is the point of the test
@fidelity("files.mime.octet-stream-kept", uploads=1, bytes=9, calls=("upload",))
def test_octet_stream_is_kept_as_sent(contract: Contract) -> None:
    meta = contract.upload("report.pdf", b"%PDF-1.4\n", "application/octet-stream").value
    assert meta.mime_type == "application/octet-stream"


@fidelity("files.upload.filename-last-component", uploads=1, bytes=1, calls=("upload",))
def test_only_the_last_path_component_is_kept(contract: Contract) -> None:
    meta = contract.upload("some/dir/leaf.txt", b"x").value
    assert meta.filename == "leaf.txt"


@fidelity("files.upload.filename-rules", refused=2, calls=("upload",))
def test_a_forbidden_character_or_a_name_over_255_characters_is_refused(contract: Contract) -> None:
    for name in ("a<b.txt", "n" * 252 + ".txt"):
        answer = contract.run(
            f"upload {name[:12]}... ({len(name)} characters)",
            lambda c, name=name: c.files.upload(file=(name, b"x", "text/plain")),
        )
        assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.upload.one-file-part", refused=1, calls=("upload",))
def test_an_unknown_form_field_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "upload with a form field 'purpose'",
        lambda c: c.files.upload(file=("a.txt", b"x", "text/plain"), extra_body={"purpose": "assistants"}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.upload.expires-in", uploads=1, refused=1, bytes=1, calls=("upload",))
def test_an_expiry_sets_expires_at_and_under_an_hour_is_refused(contract: Contract) -> None:
    short = contract.run(
        "upload expires_in_seconds=60",
        lambda c: c.files.upload(file=("a.txt", b"x", "text/plain"), expires_in_seconds=60),
    )
    assert (short.status, short.error_type) == (400, "invalid_request_error")
    meta = contract.upload("a.txt", b"x", expires_in_seconds=3600).value
    assert meta.expires_at is not None
    assert (meta.expires_at - meta.created_at).total_seconds() == pytest.approx(3600, abs=2)


@fidelity("files.upload.expires-in-beta", refused=1, calls=("upload",))
def test_the_beta_dialect_refuses_an_expiry(contract: Contract) -> None:
    answer = contract.run(
        "upload (beta) with expires_in_seconds",
        lambda c: c.beta.files.upload(
            file=("a.txt", b"x", "text/plain"), extra_headers=BETA, extra_body={"expires_in_seconds": 3600}
        ),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.metadata.json", uploads=1, bytes=1, calls=("upload", "delete"))
def test_the_beta_dialect_has_no_expires_at(contract: Contract) -> None:
    def keys(c: Any) -> list[str]:
        raw = c.beta.files.with_raw_response.upload(file=("a.txt", b"x", "text/plain"), extra_headers=BETA)
        data = raw.http_response.json()
        c.beta.files.delete(data["id"], extra_headers=BETA)
        return sorted(data)

    answer = contract.run("upload (beta): the keys of the metadata", keys)
    assert "expires_at" not in answer.value


@fidelity("files.upload.metadata", uploads=1, bytes=2, calls=("upload", "delete"))
@pytest.mark.anyio
async def test_the_async_client_uploads_and_deletes(contract: Contract) -> None:
    async def upload(c: Any) -> Any:
        return await c.files.upload(file=("a.txt", b"hi", "text/plain"))

    async def delete(c: Any, meta: Any) -> Any:
        return await c.files.delete(meta.id)

    meta = await contract.arun("upload (async)", upload)
    deleted = await contract.arun("delete (async)", delete, meta)
    assert meta.ok and deleted.value.type == "file_deleted"


@fidelity("files.upload.not-downloadable", uploads=1, bytes=1, calls=("upload",))
def test_an_upload_says_it_is_not_downloadable(contract: Contract) -> None:
    assert contract.upload("a.txt", b"x").value.downloadable is False


@fidelity("files.upload.empty", uploads=1, calls=("upload",))
def test_an_empty_file_is_accepted(contract: Contract) -> None:
    assert contract.upload("empty.txt", b"").value.size_bytes == 0


@fidelity("files.upload.multipart-only", refused=1, calls=("upload",))
def test_an_upload_that_is_not_multipart_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "POST /v1/files with a JSON body", lambda c: c.post("/v1/files", body={"file": "x"}, cast_to=object)
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.upload.filename-as-received", uploads=1, bytes=1, calls=("upload",))
def test_a_quote_in_a_filename_arrives_escaped_and_is_kept(contract: Contract) -> None:
    meta = contract.upload('say "hi".txt', b"x").value
    assert meta.filename == "say %22hi%22.txt"


@fidelity("files.mime.max-length", refused=1, calls=("upload",))
def test_a_mime_type_over_255_characters_is_refused(contract: Contract) -> None:
    long_type = "text/" + "x" * 251
    answer = contract.run(
        "upload with a 256-character Content-Type", lambda c: c.files.upload(file=("a.txt", b"x", long_type))
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.metadata.ids", uploads=1, bytes=1, calls=("upload",))
def test_file_ids_have_the_documented_shape(contract: Contract) -> None:
    meta = contract.upload("a.txt", b"x").value
    assert re.fullmatch(r"file_01[1-9A-HJ-NP-Za-km-z]{22}", meta.id), meta.id
