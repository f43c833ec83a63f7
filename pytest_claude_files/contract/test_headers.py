"""Request headers: anthropic-version, anthropic-beta, anthropic-workspace-id
(docs/fidelity.md, ## Files: headers)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files.contract._harness import Contract

fidelity = pytest.mark.claude_files_fidelity


def _omit() -> object:
    import anthropic

    return anthropic.Omit()


@fidelity("files.headers.version-required", calls=("list",))
def test_a_request_without_anthropic_version_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "list without anthropic-version",
        lambda c: c.files.list(limit=1, extra_headers={"anthropic-version": _omit()}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")
    assert "anthropic-version" in answer.message


@fidelity("files.headers.version-valid", calls=("list",))
def test_an_unknown_anthropic_version_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "list anthropic-version: 1999-01-01",
        lambda c: c.files.list(limit=1, extra_headers={"anthropic-version": "1999-01-01"}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")
    assert "anthropic-version" in answer.message


@fidelity("files.headers.beta-malformed", calls=("list",))
def test_a_malformed_beta_value_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "list anthropic-beta: string",
        lambda c: c.files.list(limit=1, extra_headers={"anthropic-beta": "string"}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")
    assert "anthropic-beta" in answer.message


@fidelity("files.headers.beta-known", calls=("list",))
def test_a_documented_beta_missing_from_the_sdk_is_accepted(contract: Contract) -> None:
    answer = contract.run(
        "list anthropic-beta: code-execution-2025-08-25",
        lambda c: c.files.list(limit=1, extra_headers={"anthropic-beta": "code-execution-2025-08-25"}),
    )
    assert answer.ok


@fidelity(
    "files.workspace.echo",
    calls=("list", "retrieve_metadata"),
    real="needs the id of a workspace of your organization; another id is refused",
)
def test_the_workspace_header_comes_back(contract: Contract) -> None:
    sent = {"anthropic-workspace-id": "wrkspc_01contracttest"}

    def echoed(c: object, missing: str) -> object:
        import anthropic

        try:
            c.files.retrieve_metadata(missing, extra_headers=sent)  # type: ignore[attr-defined]
        except anthropic.APIStatusError as exc:
            return {"status": exc.status_code, "header": exc.response.headers.get("anthropic-workspace-id")}
        return {"status": 200}

    answer = contract.run(
        "retrieve_metadata of an unknown id with a workspace",
        lambda c: echoed(c, "file_011CNha8iCJcU1wXNR6q4V8w"),
    )
    assert answer.value == {"status": 404, "header": "wrkspc_01contracttest"}


@fidelity("files.headers.beta-unknown-warns", calls=("list",))
@pytest.mark.claude_files(misuse_warnings="ignore")  # the misuse is the point of the test
def test_a_well_formed_unknown_beta_is_served(contract: Contract) -> None:
    answer = contract.run(
        "list anthropic-beta: made-up-feature-2099-01-01",
        lambda c: c.files.list(limit=1, extra_headers={"anthropic-beta": "made-up-feature-2099-01-01"}),
    )
    assert answer.ok, answer


@fidelity("files.headers.dialect", calls=("list",))
def test_the_files_beta_among_others_selects_the_beta_dialect(contract: Contract) -> None:
    betas = {"anthropic-beta": "code-execution-2025-08-25,files-api-2025-04-14"}

    def keys(c: Any) -> list[str]:
        return sorted(c.files.with_raw_response.list(limit=1, extra_headers=betas).http_response.json())

    answer = contract.run("list (two betas): the keys of a page", keys)
    assert answer.value == ["data", "first_id", "has_more", "last_id"]


@fidelity("files.headers.request-id", calls=("list",))
def test_a_success_carries_a_request_id(contract: Contract) -> None:
    def request_id(c: Any) -> str:
        return str(c.files.with_raw_response.list(limit=1).http_response.headers.get("request-id", ""))[:4]

    assert contract.run("list: the request-id header", request_id).value == "req_"


@fidelity("files.workspace.no-header", uploads=1, bytes=1, calls=("upload", "delete", "retrieve_metadata"))
def test_without_a_workspace_header_none_comes_back(contract: Contract) -> None:
    gone = contract.upload("a.txt", b"x")
    contract.run("delete", lambda c, f: c.files.delete(f.id), gone)

    def echoed(c: Any, f: Any) -> Any:
        import anthropic

        try:
            c.files.retrieve_metadata(f.id)
        except anthropic.APIStatusError as exc:
            return {"status": exc.status_code, "header": exc.response.headers.get("anthropic-workspace-id")}
        return {"status": 200}

    answer = contract.run("retrieve_metadata of a deleted file, no workspace header", echoed, gone)
    assert answer.value == {"status": 404, "header": None}
