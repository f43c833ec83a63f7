"""Stateful testing: random sequences of Files operations, checked against a reference model.

:class:`FilesStateMachine` is a Hypothesis ``RuleBasedStateMachine`` that uploads, lists
(whole listings and page-by-page walks with deletes and uploads between the pages),
reads metadata, downloads and deletes, against a fresh fake per run, and checks every
answer against a plain reference model (a dict of the files that should exist).

Plug in your own code by overriding the ``do_*`` methods (they receive and return plain
values), add your own ``@rule``/``@invariant`` methods, and run it as a test::

    from pytest_claude_files.stateful import FilesStateMachine

    class MyWrapperMachine(FilesStateMachine):
        def do_upload(self, payload):
            return my_wrapper.upload(self.client, payload.filename, payload.content)

    TestMyWrapper = MyWrapperMachine.TestCase

``via`` chooses how the default ``do_*`` methods reach the fake: ``"sdk"`` (the
installed ``anthropic`` client over the fake's transport, what users run) or
``"service"`` (``FakeFiles`` methods directly, 2 to 4 times faster: for long runs).

``do_upload`` and ``do_retrieve`` return anything with ``id``, ``filename``,
``mime_type`` and ``size_bytes`` (an SDK model, our ``FileMetadata``, your own type).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Optional

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from pytest_claude_files import errors
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._http.handler import FilesHandler
from pytest_claude_files.models import BETA_HEADER_VALUE, Dialect
from pytest_claude_files.strategies import UploadPayload, block_for, file_ids, upload_payloads

__all__ = ["ExpectedFile", "FilesStateMachine", "PageResult"]

Via = Literal["sdk", "service"]


@dataclass
class ExpectedFile:
    """What the reference model knows of one file."""

    id: str
    filename: str
    mime_type: str
    content: bytes
    downloadable: bool


@dataclass
class PageResult:
    """One page as the code under test saw it: ids in order, whether more follow, and
    whatever the code needs to fetch the next page (``state``: an SDK page, a cursor)."""

    ids: list[str]
    has_more: bool
    state: Any = None


@dataclass
class _Walk:
    limit: int
    at_start: set[str]
    seen: list[str] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    page: Optional[PageResult] = None


@functools.cache
def _payloads(dialect: Dialect, max_size: int) -> st.SearchStrategy[UploadPayload]:
    return upload_payloads(dialect=dialect, max_size=max_size)


def _sdk_version() -> tuple[int, ...]:
    from pytest_claude_files._sdk.client import sdk_version

    return sdk_version() or (0,)


class FilesStateMachine(RuleBasedStateMachine):
    """Random upload / list / metadata / download / delete sequences, checked.

    Class attributes configure a subclass: ``dialect`` (``"ga"``, ``"beta"``; default
    GA where the SDK has ``client.files``), ``via`` (``"sdk"`` or ``"service"``),
    ``max_content_size`` (bytes of random content per upload), ``page_limits`` (the
    ``limit`` of list calls). In a run, ``self.fake`` is the ``FakeFiles``,
    ``self.client`` the SDK client bound to it (created on first use) and
    ``self.expected`` the reference model: ``{file_id: ExpectedFile}``.
    """

    dialect: Optional[Dialect] = None
    via: ClassVar[Via] = "sdk"
    max_content_size: ClassVar[int] = 64
    page_limits: ClassVar[st.SearchStrategy[int]] = st.integers(1, 4)

    files = Bundle("files")

    def __init__(self) -> None:
        super().__init__()
        self.fake: FakeFiles = self.make_fake()
        self.handler = FilesHandler(self.fake)
        self.expected: dict[str, ExpectedFile] = {}
        self.walk: Optional[_Walk] = None
        self._client: Any = None
        if self.dialect is None:
            self.dialect = "ga" if self.via == "service" or _sdk_version() >= (0, 125) else "beta"

    # -- what a subclass may override ---------------------------------------------------
    def make_fake(self) -> FakeFiles:
        """The fake for one run (override to configure settings or a clock).

        Misuse notices are only recorded (``misuse_warnings="ignore"``): the machine draws
        its own inputs, octet-stream uploads of PDFs included, on purpose.
        """
        return FakeFiles(misuse_warnings="ignore")

    @property
    def client(self) -> Any:
        """An ``anthropic.Anthropic`` client bound to ``self.fake`` (no retries)."""
        if self._client is None:
            from pytest_claude_files._sdk.client import make_sdk_client

            self._client = make_sdk_client(self.handler, max_retries=0)
        return self._client

    def teardown(self) -> None:
        if self._client is not None:
            self._client.close()

    def _beta_surface(self) -> bool:
        # SDKs before 1.2 speak the beta dialect on client.beta.files; later ones do not.
        return self.dialect == "beta" and _sdk_version() < (1, 2)

    def _sdk_beta_page(self, limit: int, **params: Any) -> Any:
        from anthropic.pagination import SyncPage
        from anthropic.types.beta import BetaFileMetadata

        return self.client.get_api_list(
            "/v1/files", model=BetaFileMetadata, page=SyncPage[BetaFileMetadata],
            options={"params": {"limit": limit, **params},
                     "headers": {"anthropic-beta": BETA_HEADER_VALUE}},
        )

    def do_upload(self, payload: UploadPayload) -> Any:
        """Upload ``payload``; return the new file's metadata (anything with ``.id``)."""
        if self.via == "service":
            return self.fake.upload(payload.content, payload.filename,
                                    content_type=payload.content_type, dialect=self._dialect)
        if self.dialect == "ga":
            return self.client.files.upload(file=payload.as_file())
        if self._beta_surface():
            return self.client.beta.files.upload(file=payload.as_file())
        return self.client.beta.files.upload(file=payload.as_file(), betas=[BETA_HEADER_VALUE])

    def do_retrieve(self, file_id: str) -> Any:
        """The metadata of ``file_id`` (raise as your code does when it is missing)."""
        if self.via == "service":
            return self.fake.retrieve(file_id)
        if self.dialect == "ga":
            return self.client.files.retrieve_metadata(file_id)
        return self.client.beta.files.retrieve_metadata(file_id, **self._betas())

    def do_download(self, file_id: str) -> bytes:
        """The bytes of ``file_id``."""
        if self.via == "service":
            return bytes(self.fake.download(file_id)[1])
        if self.dialect == "ga":
            return bytes(self.client.files.download(file_id).read())
        return bytes(self.client.beta.files.download(file_id, **self._betas()).read())

    def do_delete(self, file_id: str) -> None:
        """Delete ``file_id``."""
        if self.via == "service":
            self.fake.delete(file_id)
        elif self.dialect == "ga":
            self.client.files.delete(file_id)
        else:
            self.client.beta.files.delete(file_id, **self._betas())

    def do_list_all(self, limit: int) -> list[str]:
        """Every file id, in the order listed, fetching ``limit`` per page."""
        ids: list[str] = []
        page: Optional[PageResult] = self.do_first_page(limit)
        while page is not None:
            ids.extend(page.ids)
            page = self.do_next_page(page) if page.has_more else None
        return ids

    def do_first_page(self, limit: int) -> PageResult:
        """The first (newest) page of a listing."""
        if self.via == "service":
            if self.dialect == "beta":
                b = self.fake.list_beta(limit=limit)
                return PageResult([m.id for m in b.data], b.has_more, (limit, b.last_id))
            g = self.fake.list_ga(limit=limit)
            return PageResult([m.id for m in g.data], g.next_page is not None, (limit, g.next_page))
        if self.dialect == "ga":
            page = self.client.files.list(limit=limit)
        elif self._beta_surface():
            page = self.client.beta.files.list(limit=limit)
        else:
            page = self._sdk_beta_page(limit)
        return PageResult([m.id for m in page.data], page.has_next_page(), page)

    def do_next_page(self, previous: PageResult) -> PageResult:
        """The page after ``previous`` (only called when ``previous.has_more``)."""
        if self.via == "service":
            limit, cursor = previous.state
            if self.dialect == "beta":
                b = self.fake.list_beta(limit=limit, after_id=cursor)
                return PageResult([m.id for m in b.data], b.has_more, (limit, b.last_id))
            g = self.fake.list_ga(limit=limit, page=cursor)
            return PageResult([m.id for m in g.data], g.next_page is not None, (limit, g.next_page))
        page = previous.state.get_next_page()
        return PageResult([m.id for m in page.data], page.has_next_page(), page)

    def do_message(self, content: list[dict[str, Any]]) -> Any:
        """Send one user message with ``content`` to ``messages.create``; return the message.

        (The files beta header goes along: SDKs before 2.0 need it for file sources.)
        """
        body = {"model": "claude-fake-model", "max_tokens": 4096,
                "messages": [{"role": "user", "content": content}]}
        if self.via == "service":
            return self.fake.messages.create(body, betas=frozenset({BETA_HEADER_VALUE}))
        return self.client.messages.create(**body, extra_headers={"anthropic-beta": BETA_HEADER_VALUE})

    def do_batch(self, requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Send ``requests`` as one Message Batch, look at it (it ends), read its results:
        ``{custom_id: result as JSON}``."""
        betas = {"anthropic-beta": BETA_HEADER_VALUE}
        if self.via == "service":
            body = {"requests": requests}
            batch = self.fake.batches.create(body, body_size=len(json.dumps(body)),
                                             betas=frozenset({BETA_HEADER_VALUE}))
            assert self.fake.batches.retrieve(batch["id"])["processing_status"] == "ended"
            return {r["custom_id"]: r["result"] for r in self.fake.batches.results_of(batch["id"])}
        made = self.client.messages.batches.create(requests=requests, extra_headers=betas)
        assert self.client.messages.batches.retrieve(made.id).processing_status == "ended"
        return {line.custom_id: line.result.model_dump(mode="json")
                for line in self.client.messages.batches.results(made.id)}

    def error_kind(self, exc: BaseException) -> Optional[str]:
        """``"not_found"``, ``"not_downloadable"``, ``"invalid_request"`` or ``None`` for an error
        your code raised.

        The default knows the fake's errors and the SDK's; override it when your
        wrapper turns them into its own exceptions.
        """
        status: Optional[int]
        if isinstance(exc, errors.FilesAPIError):
            status, code = exc.status, exc.error_code
        else:
            status = getattr(exc, "status_code", None)
            body = getattr(exc, "body", None)
            inner = body.get("error", body) if isinstance(body, dict) else {}
            details = inner.get("details") if isinstance(inner, dict) else None
            code = details.get("error_code") if isinstance(details, dict) else None
        if status == 404:
            return "not_found"
        if status == 400 and code == "file_not_downloadable":
            return "not_downloadable"
        if status == 400 and code is None:
            return "invalid_request"
        return None

    # -- helpers ------------------------------------------------------------------------
    @property
    def _dialect(self) -> Dialect:
        assert self.dialect is not None
        return self.dialect

    def _betas(self) -> dict[str, Any]:
        return {} if self._beta_surface() else {"betas": [BETA_HEADER_VALUE]}

    def newest_first(self) -> list[str]:
        """The reference model's ids as the API must list them."""
        return sorted(self.expected, reverse=True)

    def _expect_error(self, kind: str, call: Any, *args: Any) -> None:
        try:
            call(*args)
        except Exception as exc:
            got = self.error_kind(exc)
            assert got == kind, f"expected a {kind} error, got {exc!r}"
        else:
            raise AssertionError(f"expected a {kind} error from {call.__name__}{args!r}, got none")

    # -- rules --------------------------------------------------------------------------
    @rule(target=files, data=st.data())
    def upload(self, data: st.DataObject) -> str:
        payload = data.draw(_payloads(self._dialect, self.max_content_size), label="payload")
        meta = self.do_upload(payload)
        assert meta.id not in self.expected, f"duplicate id {meta.id}"
        assert all(meta.id > other for other in self.expected), "a new file must sort newest"
        assert (meta.filename, meta.mime_type, meta.size_bytes) == (
            payload.filename, payload.mime_type, len(payload.content))
        assert getattr(meta, "downloadable", False) in (False, None), "uploads are never downloadable"
        self.expected[meta.id] = ExpectedFile(meta.id, payload.filename, payload.mime_type,
                                              payload.content, False)
        if self.walk is not None:
            self.walk.at_start.discard(meta.id)
        return str(meta.id)

    @rule(target=files, payload=upload_payloads(dialect="beta", max_size=32))
    def seed_downloadable(self, payload: UploadPayload) -> str:
        """A file as Claude's tools make it (downloadable); only seeding can."""
        meta = self.fake.add_file(payload.filename, payload.content, mime_type=payload.content_type,
                                  downloadable=True)
        self.expected[meta.id] = ExpectedFile(meta.id, meta.filename, meta.mime_type, payload.content, True)
        return meta.id

    @rule(target=files, file_id=file_ids())
    def unknown_id(self, file_id: str) -> str:
        """An id that never existed (the fake makes ids of the same shape)."""
        return file_id

    @rule(file_id=files)
    def retrieve(self, file_id: str) -> None:
        if file_id not in self.expected:
            self._expect_error("not_found", self.do_retrieve, file_id)
            return
        meta = self.do_retrieve(file_id)
        want = self.expected[file_id]
        assert (meta.id, meta.filename, meta.mime_type, meta.size_bytes) == (
            want.id, want.filename, want.mime_type, len(want.content))

    @rule(file_id=files)
    def download(self, file_id: str) -> None:
        want = self.expected.get(file_id)
        if want is None:
            self._expect_error("not_found", self.do_download, file_id)
        elif not want.downloadable:
            self._expect_error("not_downloadable", self.do_download, file_id)
        else:
            assert self.do_download(file_id) == want.content

    @rule(file_id=files)
    def delete(self, file_id: str) -> None:
        if file_id not in self.expected:
            self._expect_error("not_found", self.do_delete, file_id)
            return
        self.do_delete(file_id)
        del self.expected[file_id]
        if self.walk is not None:
            self.walk.deleted.add(file_id)

    @rule(data=st.data())
    def reference_in_message(self, data: st.DataObject) -> None:
        """Reference live, deleted and unknown files in one message: the first bad one answers."""
        chosen = data.draw(st.lists(self.files, min_size=1, max_size=3), label="file ids")
        content: list[dict[str, Any]] = []
        expected_error: Optional[str] = None
        for file_id in chosen:
            want = self.expected.get(file_id)
            if want is None:
                content.append({"type": "document", "source": {"type": "file", "file_id": file_id}})
                expected_error = expected_error or "not_found"
                continue
            block = block_for(want)
            if data.draw(st.booleans(), label=f"wrong block for {want.mime_type}"):
                wrong = "image" if block["type"] == "document" else "document"
                block = {"type": wrong, "source": {"type": "file", "file_id": file_id}}
                expected_error = expected_error or "invalid_request"
            content.append(block)
        if expected_error is not None:
            self._expect_error(expected_error, self.do_message, content)
            return
        message = self.do_message(content)
        text = message["content"][0]["text"] if isinstance(message, dict) else message.content[0].text
        for file_id in chosen:
            assert self.expected[file_id].filename in text, f"the reply does not name {file_id}: {text}"

    @rule(data=st.data())
    def references_in_a_batch(self, data: st.DataObject) -> None:
        """One batch request per file (live, deleted, unknown; sometimes the wrong block): each
        bad one is ``errored`` with its error, each good one ``succeeded`` naming its file."""
        chosen = data.draw(st.lists(self.files, min_size=1, max_size=3), label="file ids")
        requests, expected = [], {}
        for index, file_id in enumerate(chosen):
            want = self.expected.get(file_id)
            block = block_for(want) if want is not None else {
                "type": "document", "source": {"type": "file", "file_id": file_id}}
            outcome = "succeeded" if want is not None else "not_found_error"
            if want is not None and data.draw(st.booleans(), label=f"wrong block for {want.mime_type}"):
                wrong = "image" if block["type"] == "document" else "document"
                block = {"type": wrong, "source": {"type": "file", "file_id": file_id}}
                outcome = "invalid_request_error"
            expected[f"r{index}"] = (outcome, want.filename if want is not None else None)
            requests.append({"custom_id": f"r{index}", "params": {
                "model": "claude-fake-model", "max_tokens": 4096,
                "messages": [{"role": "user", "content": [block]}]}})
        results = self.do_batch(requests)
        assert sorted(results) == sorted(expected), results
        for custom_id, (outcome, filename) in expected.items():
            result = results[custom_id]
            if outcome == "succeeded":
                assert result["type"] == "succeeded", result
                assert filename in result["message"]["content"][0]["text"]
            else:
                assert result["type"] == "errored" and result["error"]["error"]["type"] == outcome, result

    @rule(data=st.data())
    def list_all(self, data: st.DataObject) -> None:
        limit = data.draw(self.page_limits, label="limit")
        ids = self.do_list_all(limit)
        assert len(ids) == len(set(ids)), f"duplicates in a listing: {ids}"
        assert ids == self.newest_first(), "a full listing must be every file, newest first"

    # -- page-by-page walks with changes in between ---------------------------------------
    @precondition(lambda self: self.walk is None)
    @rule(data=st.data())
    def start_walk(self, data: st.DataObject) -> None:
        limit = data.draw(self.page_limits, label="limit")
        walk = _Walk(limit=limit, at_start=set(self.expected))
        page = self.do_first_page(limit)
        self._check_page(walk, page, older_than=None)
        self.walk = walk

    @precondition(lambda self: self.walk is not None)
    @rule()
    def next_page(self) -> None:
        walk = self.walk
        assert walk is not None and walk.page is not None
        if not walk.page.has_more:
            self._finish_walk(walk)
            return
        cursor = walk.seen[-1]
        self._check_page(walk, self.do_next_page(walk.page), older_than=cursor)

    @precondition(lambda self: self.walk is not None and bool(self.walk.seen)
                  and self.walk.seen[-1] in self.expected)
    @rule()
    def delete_the_cursor_file(self) -> None:
        """Delete the file the walk's cursor names: the next page must still follow on."""
        assert self.walk is not None
        self.delete(self.walk.seen[-1])

    def _check_page(self, walk: _Walk, page: PageResult, older_than: Optional[str]) -> None:
        remaining = [i for i in self.newest_first() if older_than is None or i < older_than]
        expected = remaining[: walk.limit]
        assert page.ids == expected, (
            f"page after {older_than}: got {page.ids}, the reference model says {expected}")
        assert page.has_more == (len(remaining) > walk.limit), (
            f"has_more/next_page is {page.has_more} with {len(remaining)} files left and limit {walk.limit}")
        assert not set(page.ids) & set(walk.seen), "a walk must not see a file twice"
        walk.seen.extend(page.ids)
        walk.page = page

    def _finish_walk(self, walk: _Walk) -> None:
        assert walk.seen == sorted(walk.seen, reverse=True), "a walk must go newest to oldest"
        gaps = (walk.at_start - walk.deleted) - set(walk.seen)
        assert not gaps, f"files present for the whole walk were skipped: {sorted(gaps)}"
        self.walk = None

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def fake_matches_reference(self) -> None:
        assert [m.id for m in self.fake.files] == self.newest_first()
        assert self.fake.storage_used == sum(len(f.content) for f in self.expected.values())
