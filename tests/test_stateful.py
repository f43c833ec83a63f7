"""pytest_claude_files.stateful: random operation sequences against the fake, and user wrappers.

The fake is held to a plain reference model: no duplicates, no gaps, newest first, and
``has_more`` / ``next_page`` exactly right, with deletes and uploads between the pages
of a walk. Runs through the service are 2-4x faster; through the SDK they cover what users
run. The ``slow`` tests run thousands of sequences of 30 steps per dialect and path
(``CLAUDE_FILES_STATEFUL_RUNS``, default 2000; about a minute of CPU each through the SDK).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from pytest_claude_files._core import files as _service
from pytest_claude_files._sdk.client import sdk_version
from pytest_claude_files.stateful import FilesStateMachine, PageResult

pytest.importorskip("anthropic")

DIALECTS = ["beta", "ga"]
LONG_RUNS = int(os.environ.get("CLAUDE_FILES_STATEFUL_RUNS", "2000"))


def machine(via: str, dialect: str, **attrs: Any) -> type[FilesStateMachine]:
    return type(f"Fake_{via}_{dialect}", (FilesStateMachine,), {"via": via, "dialect": dialect, **attrs})


def run(cls: type[FilesStateMachine], examples: int, steps: int = 30) -> None:
    run_state_machine_as_test(
        cls, settings=settings(max_examples=examples, stateful_step_count=steps, deadline=None, database=None)
    )


def must_fail(cls: type[FilesStateMachine], match: str, examples: int = 300) -> str:
    """Run until the machine finds the bug (no shrinking: only that it is found matters)."""
    fast = settings(max_examples=examples, stateful_step_count=30, deadline=None, database=None,
                    report_multiple_bugs=False, phases=[Phase.generate])
    with pytest.raises(AssertionError, match=match) as info:
        run_state_machine_as_test(cls, settings=fast)
    return str(info.value)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_fake_agrees_with_the_reference_model_through_the_service(dialect: str) -> None:
    run(machine("service", dialect), examples=150)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_fake_agrees_with_the_reference_model_through_the_sdk(dialect: str) -> None:
    run(machine("sdk", dialect), examples=40)


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
def test_thousands_of_sequences_through_the_service(dialect: str) -> None:
    run(machine("service", dialect), examples=LONG_RUNS)


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
def test_thousands_of_sequences_through_the_sdk(dialect: str) -> None:
    run(machine("sdk", dialect), examples=LONG_RUNS)


# -- the machine has teeth: a broken fake is caught ------------------------------------------
def _off_by_one_ga(self: _service.FilesResource, **kw: Any) -> _service.GAPage:
    page = original_list_ga(self, **kw)
    if page.next_page is not None and len(page.data) > 1:  # skips a file at each page boundary
        return _service.GAPage(page.data, _service.encode_page_token(page.data[-2].id))
    return page


def _lying_has_more(self: _service.FilesResource, **kw: Any) -> _service.BetaPage:
    page = original_list_beta(self, **kw)
    return _service.BetaPage(page.data, has_more=page.has_more or len(page.data) == kw.get("limit"))


def _cursor_is_a_lookup(self: _service.FilesResource, **kw: Any) -> _service.BetaPage:
    if kw.get("after_id") is not None and kw["after_id"] not in self:  # "unknown cursor: start over"
        kw["after_id"] = None
    return original_list_beta(self, **kw)


original_list_ga = _service.FilesResource.list_ga
original_list_beta = _service.FilesResource.list_beta


@pytest.mark.parametrize(
    "dialect, method, broken, match",
    [("ga", "list_ga", _off_by_one_ga, "page after|duplicates"),
     ("beta", "list_beta", _lying_has_more, "has_more"),
     ("beta", "list_beta", _cursor_is_a_lookup, "page after")],
    ids=["ga-cursor-repeats-a-file", "beta-has_more-lies", "deleted-cursor-restarts"],
)
def test_a_broken_fake_is_caught(
    monkeypatch: pytest.MonkeyPatch, dialect: str, method: str, broken: Any, match: str
) -> None:
    monkeypatch.setattr(_service.FilesResource, method, broken)
    must_fail(machine("service", dialect), match)


# -- plugging in user code ------------------------------------------------------------------
class Store:
    """A user's wrapper around the SDK: what the stateful helper is for."""

    def __init__(self, client: Any, *, buggy: bool = False) -> None:
        self.client = client
        self.buggy = buggy

    def put(self, name: str, data: bytes, content_type: Any) -> str:
        return str(self.client.files.upload(file=(name, data, content_type)).id)

    def names(self, page_size: int) -> list[str]:
        page = self.client.files.list(limit=page_size)
        ids = [f.id for f in page.data]
        while page.has_next_page():
            page = page.get_next_page()
            ids.extend(f.id for f in page.data)
        if self.buggy and len(ids) > page_size:
            ids = ids[: len(ids) - len(page.data)]  # "optimisation": trusts has_more wrongly
        return ids

    def remove(self, file_id: str) -> None:
        self.client.files.delete(file_id)


def store_machine(*, buggy: bool) -> type[FilesStateMachine]:
    class StoreMachine(FilesStateMachine):
        dialect = "ga"
        via = "sdk"

        def __init__(self) -> None:
            super().__init__()
            self.store = Store(self.client, buggy=buggy)
            self.removed = 0

        def do_upload(self, payload: Any) -> Any:
            file_id = self.store.put(payload.filename, payload.content, payload.content_type)
            return self.fake.get(file_id)

        def do_list_all(self, limit: int) -> list[str]:
            return self.store.names(limit)

        def do_delete(self, file_id: str) -> None:
            self.store.remove(file_id)
            self.removed += 1

    return StoreMachine


needs_ga = pytest.mark.skipif(
    (sdk_version() or (0,)) < (0, 125), reason="client.files needs anthropic>=0.125")


@needs_ga
def test_a_users_wrapper_passes() -> None:
    run(store_machine(buggy=False), examples=30)


@needs_ga
def test_a_users_buggy_wrapper_is_caught() -> None:
    must_fail(store_machine(buggy=True), "a full listing must be every file", examples=200)


def test_custom_error_kind_and_pages() -> None:
    class MyNotFound(Exception):
        pass

    class Wrapped(FilesStateMachine):
        via = "service"
        dialect = "ga"

        def do_retrieve(self, file_id: str) -> Any:
            if file_id not in self.fake:
                raise MyNotFound(file_id)
            return self.fake.get(file_id)

        def do_download(self, file_id: str) -> bytes:
            if file_id not in self.fake:
                raise MyNotFound(file_id)
            return super().do_download(file_id)

        def do_delete(self, file_id: str) -> None:
            if file_id not in self.fake:
                raise MyNotFound(file_id)
            super().do_delete(file_id)

        def error_kind(self, exc: BaseException) -> Any:
            return "not_found" if isinstance(exc, MyNotFound) else super().error_kind(exc)

        def do_next_page(self, previous: PageResult) -> PageResult:
            assert previous.has_more
            return super().do_next_page(previous)

    run(Wrapped, examples=40)


def test_default_dialect_follows_the_sdk() -> None:
    m = FilesStateMachine()
    try:
        assert m.dialect == ("ga" if (sdk_version() or (0,)) >= (0, 125) else "beta")
    finally:
        m.teardown()


def test_machine_as_a_pytest_test_case(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from hypothesis import Phase, settings
        from pytest_claude_files.stateful import FilesStateMachine

        class Machine(FilesStateMachine):
            via = "service"

        TestFiles = Machine.TestCase
        TestFiles.settings = settings(max_examples=10, stateful_step_count=10, deadline=None)
        """
    )
    result = pytester.runpytest("-q", "-p", "no:randomly")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("via", ["service", "sdk"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_machine_speaks_the_chosen_dialect(via: str, dialect: str) -> None:
    from pytest_claude_files.strategies import UploadPayload

    m = machine(via, dialect)()
    try:
        meta = m.do_upload(UploadPayload("a.txt", b"hi", "text/plain"))
        assert m.fake.operations("upload")[-1].params["dialect"] == dialect
        page = m.do_first_page(5)
        assert page.ids == [meta.id] and page.has_more is False
        if via == "sdk":
            assert ("expires_at" in meta.model_dump(exclude_unset=True)) == (dialect == "ga")
    finally:
        m.teardown()
