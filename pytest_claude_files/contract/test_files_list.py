"""Listing: order, limits, pages, ids, both dialects (docs/fidelity.md, ## Files: list).

On a live backend the account holds other files too: every assertion looks only at the
files this test uploaded.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_claude_files.contract._harness import Answer, Contract

fidelity = pytest.mark.claude_files_fidelity
BETA = {"anthropic-beta": "files-api-2025-04-14"}
AGENTS = {"anthropic-beta": "managed-agents-2026-04-01"}


def _own(page: Any, files: tuple[Any, ...]) -> list[str]:
    own = {f.id for f in files}
    return [f.id for f in page.data if f.id in own]


def _two(contract: Contract) -> list[Answer]:
    return [contract.upload(f"{i}.txt", b"x") for i in range(2)]


@fidelity("files.list.newest-first", uploads=2, bytes=2, calls=("upload", "list"))
def test_a_listing_is_newest_first(contract: Contract) -> None:
    files = _two(contract)
    answer = contract.run("list (own files)", lambda c, *fs: _own(c.files.list(limit=100), fs), *files)
    assert answer.value == [f.value.id for f in reversed(files)]


@fidelity("files.list.limit", calls=("list",))
@pytest.mark.parametrize("limit", [0, 1001])
def test_a_limit_outside_1_to_1000_is_refused(contract: Contract, limit: int) -> None:
    answer = contract.run(f"list limit={limit}", lambda c: c.files.list(limit=limit))
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.list.shape", uploads=2, bytes=2, calls=("upload", "list"))
def test_pages_follow_next_page(contract: Contract) -> None:
    older, newer = contract.upload("old.txt", b"x"), contract.upload("new.txt", b"x")

    def first(c: Any, *fs: Any) -> dict[str, Any]:
        page = c.files.list(limit=1)
        return {"own": _own(page, fs), "items": len(page.data), "more": bool(page.next_page)}

    answer = contract.run("list limit=1", first, older, newer)
    assert answer.value == {"own": [newer.value.id], "items": 1, "more": True}


@fidelity("files.list.ids", uploads=2, bytes=2, calls=("upload", "delete", "list"))
def test_ids_select_those_files_omit_deleted_ones_and_exclude_limit(contract: Contract) -> None:
    a, b = contract.upload("a.txt", b"x"), contract.upload("b.txt", b"x")

    def by_ids(c: Any, fa: Any, fb: Any) -> dict[str, Any]:
        page = c.files.list(ids=[fa.id, fb.id])
        return {"ids": sorted(f.id for f in page.data), "next_page": page.next_page}

    answer = contract.run("list ids=[a, b]", by_ids, a, b)
    assert answer.value == {"ids": sorted([a.value.id, b.value.id]), "next_page": None}
    refused = contract.run("list ids=[a] limit=5", lambda c, f: c.files.list(ids=[f.id], limit=5), a)
    assert (refused.status, refused.error_type) == (400, "invalid_request_error")
    contract.run("delete b", lambda c, f: c.files.delete(f.id), b)
    omitted = contract.run("list ids=[a, deleted b]", by_ids, a, b)
    assert omitted.value == {"ids": [a.value.id], "next_page": None}


@fidelity("files.list.malformed-cursor", calls=("list",))
def test_a_malformed_page_token_is_refused(contract: Contract) -> None:
    answer = contract.run("list page=garbage", lambda c: c.files.list(page="garbage"))
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.list.other-dialect-cursors", calls=("list",))
def test_the_ga_dialect_refuses_after_id(contract: Contract) -> None:
    answer = contract.run(
        "list (GA) after_id=...",
        lambda c: c.files.list(extra_query={"after_id": "file_011CNha8iCJcU1wXNR6q4V8w"}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.list.unknown-params", calls=("list",))
def test_an_unknown_query_parameter_is_ignored(contract: Contract) -> None:
    answer = contract.run(
        "list ?colour=blue", lambda c: c.files.list(limit=1, extra_query={"colour": "blue"})
    )
    assert answer.ok


@fidelity("files.headers.beta-true", calls=("list",))
def test_the_beta_qualifier_is_accepted(contract: Contract) -> None:
    answer = contract.run("list ?beta=true", lambda c: c.files.list(limit=1, extra_query={"beta": "true"}))
    assert answer.ok


@fidelity("files.list.beta-trap", uploads=1, bytes=1, calls=("upload", "list"))
def test_the_beta_dialect_lists_with_cursors(contract: Contract) -> None:
    contract.upload("a.txt", b"x")

    def keys(c: Any) -> list[str]:
        return sorted(c.beta.files.with_raw_response.list(limit=1, extra_headers=BETA).http_response.json())

    answer = contract.run("list (beta): the keys of a page", keys)
    assert answer.value == ["data", "first_id", "has_more", "last_id"]


@fidelity("files.list.cursor-is-position", uploads=2, bytes=2, calls=("upload", "delete", "list"))
def test_after_id_of_a_deleted_file_still_pages(contract: Contract) -> None:
    older, newer = _two(contract)
    contract.run("delete the newer file", lambda c, f: c.files.delete(f.id), newer)

    def after(c: Any, cursor: Any, *fs: Any) -> list[str]:
        page = c.beta.files.list(limit=100, extra_headers=BETA, extra_query={"after_id": cursor.id})
        return _own(page, fs)

    answer = contract.run("list (beta) after_id=<deleted file>", after, newer, older, newer)
    assert answer.value == [older.value.id]


@fidelity("files.list.before-id", uploads=2, bytes=2, calls=("upload", "list"))
def test_before_id_walks_to_newer_files(contract: Contract) -> None:
    older, newer = contract.upload("old.txt", b"x"), contract.upload("new.txt", b"x")

    def before(c: Any, cursor: Any, *fs: Any) -> list[str]:
        return _own(
            c.beta.files.list(limit=100, extra_headers=BETA, extra_query={"before_id": cursor.id}), fs
        )

    answer = contract.run("list (beta) before_id=<older>", before, older, older, newer)
    assert answer.value == [newer.value.id]


@fidelity("files.list.scope", calls=("list",))
def test_a_scope_filter_lists_only_that_sessions_files(contract: Contract) -> None:
    answer = contract.run(
        "list scope_id=<a session of no one> (managed-agents beta)",
        lambda c: len(c.files.list(extra_query={"scope_id": "sesn_011CNha8iCJcU1wXNR6q4V8w"},
                                   extra_headers=AGENTS).data),
    )
    assert answer.value == 0


@fidelity("files.list.scope-needs-agents-beta", calls=("list",))
def test_a_scope_filter_without_the_managed_agents_beta_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "list scope_id=... without a Managed Agents beta",
        lambda c: c.files.list(extra_query={"scope_id": "sesn_011CNha8iCJcU1wXNR6q4V8w"}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.list.agents-shape", calls=("list",))
def test_the_managed_agents_header_adds_the_cursor_fields(contract: Contract) -> None:
    def keys(c: Any) -> list[str]:
        return sorted(c.files.with_raw_response.list(limit=1, extra_headers=AGENTS).http_response.json())

    answer = contract.run("list (managed-agents beta): the keys of a page", keys)
    assert answer.value == ["data", "first_id", "has_more", "last_id", "next_page"]


@fidelity("files.list.agents-cursors-exclusive", calls=("list",))
def test_the_managed_agents_cursors_do_not_mix_with_page(contract: Contract) -> None:
    answer = contract.run(
        "list (managed-agents beta) page=... after_id=...",
        lambda c: c.files.list(page="page_x", extra_headers=AGENTS,
                               extra_query={"after_id": "file_011CNha8iCJcU1wXNR6q4V8w"}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")


@fidelity("files.list.before-and-after", calls=("list",))
def test_before_id_and_after_id_together_are_refused(contract: Contract) -> None:
    cursor = "file_011CNha8iCJcU1wXNR6q4V8w"
    answer = contract.run(
        "list (beta) before_id=... after_id=...",
        lambda c: c.beta.files.list(extra_headers=BETA,
                                    extra_query={"before_id": cursor, "after_id": cursor}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error")
