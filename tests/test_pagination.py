"""SDK auto-pagination over the fake: every file once, newest first, in both dialects.

2,500 seeded files are walked with ``limit`` 1, 7, 20 and 1000 by the SDK's own
paginators (sync and async); the beta dialect's ``before_id`` walks backwards; files
deleted or uploaded during an iteration neither make it skip nor repeat others; a cursor
keeps working when the file it names is deleted (FILES_API.md, "Decision (cursors)").
"""

from __future__ import annotations

import math
from typing import Any, Literal

import anthropic
import pytest

from pytest_claude_files._core.files import MAX_IDS

from .conftest import dialect_paginator, resolve, walk

pytestmark = [pytest.mark.anyio, pytest.mark.claude_files(max_retries=0)]
N_FILES = 2500
Dialect = Literal["beta", "ga"]


@pytest.fixture(params=["beta", "ga"])
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def seeded(claude_files: Any) -> list[str]:
    """2,500 files; their ids newest first (the order the API lists them in)."""
    claude_files.add_files(N_FILES)
    return [f.id for f in claude_files.files]




@pytest.mark.parametrize("limit", [1, 7, 20, 1000])
async def test_auto_iteration_yields_each_file_once_newest_first(
    sdk_client: Any, claude_files: Any, seeded: list[str], dialect: Dialect, limit: int
) -> None:
    items = await walk(dialect_paginator(sdk_client, dialect, limit=limit))

    assert [f.id for f in items] == seeded
    assert len({f.id for f in items}) == N_FILES
    created = [f.created_at for f in items]
    assert created == sorted(created, reverse=True)
    pages = claude_files.operations("list")
    assert len(pages) == math.ceil(N_FILES / limit)  # no extra empty page at the end
    assert all(call.error is None for call in pages)


async def test_before_id_walks_backwards(sdk_client: Any, claude_files: Any, dialect: Dialect) -> None:
    if dialect == "ga":
        pytest.skip("the GA dialect has no before_id (page cursors only go to older files)")
    files = claude_files.add_files(100)  # oldest first
    start = files[10]
    items = await walk(dialect_paginator(sdk_client, "beta", before_id=start.id, limit=7))

    newer = [f.id for f in files[11:]]  # what lies before `start` in the newest-first list
    pages = [newer[i : i + 7] for i in range(0, len(newer), 7)]
    assert [f.id for f in items] == [i for page in pages for i in reversed(page)]
    assert start.id not in {f.id for f in items}


async def test_first_page_before_id_is_the_adjacent_newer_files(sdk_client: Any, claude_files: Any) -> None:
    files = claude_files.add_files(10)
    page = await resolve(dialect_paginator(sdk_client, "beta", before_id=files[3].id, limit=3))
    assert [f.id for f in page.data] == [files[6].id, files[5].id, files[4].id]
    assert page.has_more is True
    last = await resolve(dialect_paginator(sdk_client, "beta", before_id=files[6].id, limit=3))
    assert [f.id for f in last.data] == [files[9].id, files[8].id, files[7].id]
    assert last.has_more is False


async def test_deleting_during_iteration_neither_skips_nor_repeats(
    sdk_client: Any, claude_files: Any, dialect: Dialect
) -> None:
    claude_files.add_files(200)
    order = [f.id for f in claude_files.files]
    position = {file_id: i for i, file_id in enumerate(order)}
    deleted_ahead: set[str] = set()
    seen: list[str] = []
    paginator = dialect_paginator(sdk_client, dialect, limit=7)

    async def on_item(file_id: str) -> None:
        seen.append(file_id)
        i = position[file_id]
        if i % 3 == 0:  # delete the file just listed: often the page's cursor
            await resolve(sdk_client.files.delete(file_id))
        if i % 10 == 0 and i + 9 < len(order):  # delete a file not listed yet
            ahead = order[i + 9]
            claude_files.delete(ahead)
            deleted_ahead.add(ahead)
        if i % 25 == 0 and i:  # delete one listed already
            behind = order[i - 1]
            if behind in claude_files:
                claude_files.delete(behind)

    if isinstance(sdk_client, anthropic.AsyncAnthropic):
        async for item in paginator:
            await on_item(item.id)
    else:
        for item in paginator:
            await on_item(item.id)

    assert seen == [i for i in order if i not in deleted_ahead]
    assert len(seen) == len(set(seen))


async def test_uploads_during_iteration_do_not_shift_the_walk(
    sdk_client: Any, claude_files: Any, dialect: Dialect
) -> None:
    claude_files.add_files(50)
    order = [f.id for f in claude_files.files]
    seen = []
    paginator = dialect_paginator(sdk_client, dialect, limit=4)
    items = paginator.__aiter__() if isinstance(sdk_client, anthropic.AsyncAnthropic) else iter(paginator)
    while True:
        try:
            item = await items.__anext__() if hasattr(items, "__anext__") else next(items)
        except (StopIteration, StopAsyncIteration):
            break
        seen.append(item.id)
        await resolve(sdk_client.files.upload(file=("new.txt", b"new", "text/plain")))
    assert seen == order
    assert len(claude_files) == 100


async def test_cursor_at_a_deleted_file(sdk_client: Any, claude_files: Any, dialect: Dialect) -> None:
    claude_files.add_files(12)
    order = [f.id for f in claude_files.files]
    first = await resolve(dialect_paginator(sdk_client, dialect, limit=5))
    assert [f.id for f in first.data] == order[:5]

    claude_files.delete(order[4])  # the file the cursor names
    claude_files.delete(order[5])  # and the next one
    second = await resolve(first.get_next_page())
    assert [f.id for f in second.data] == order[6:11]
    third = await resolve(second.get_next_page())
    assert [f.id for f in third.data] == order[11:]
    assert not third.has_next_page()


async def test_every_file_deleted_behind_the_cursor(
    sdk_client: Any, claude_files: Any, dialect: Dialect
) -> None:
    claude_files.add_files(6)
    order = [f.id for f in claude_files.files]
    first = await resolve(dialect_paginator(sdk_client, dialect, limit=3))
    for file_id in order[3:]:
        claude_files.delete(file_id)
    second = await resolve(first.get_next_page())
    assert second.data == []
    assert not second.has_next_page()


async def test_ids_up_to_100_in_one_request(sdk_client: Any, claude_files: Any, seeded: list[str]) -> None:
    wanted = seeded[::25][:MAX_IDS]
    assert len(wanted) == MAX_IDS
    items = await walk(sdk_client.files.list(ids=list(reversed(wanted))))

    assert [f.id for f in items] == wanted  # newest first, whatever order they were asked in
    assert len(claude_files.operations("list")) == 1


async def test_ids_over_100_is_400(sdk_client: Any, seeded: list[str]) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await walk(sdk_client.files.list(ids=seeded[: MAX_IDS + 1]))
    assert caught.value.response.json()["error"]["type"] == "invalid_request_error"


async def test_scope_walk(sdk_client: Any, claude_files: Any, dialect: Dialect) -> None:
    mine = []
    for i in range(30):
        claude_files.add_file(f"other-{i}.txt", "x")
        mine.append(claude_files.add_file(f"mine-{i}.txt", "x", scope_id="sesn_1").id)
    items = await walk(
        dialect_paginator(sdk_client, dialect, agents=True, limit=4, extra_query={"scope_id": "sesn_1"})
        if dialect == "ga"
        else dialect_paginator(sdk_client, dialect, agents=True, limit=4, scope_id="sesn_1")
    )
    assert [f.id for f in items] == list(reversed(mine))
