"""The fake Messages side: file references checked against the fake's files, scripted replies.

``FakeMessages`` shares the state of a :class:`~pytest_claude_files._core.service.FakeService`
(the same tenant and workspace; a test reaches it as ``claude_files.messages``). It is not
a model: it checks what the API checks about a request (message_check), resolves every
referenced file as the API would (unknown, deleted or expired: 404; the wrong block for
the file's type: 400; too many bytes: 413), and answers with the next scripted
:class:`Reply`, a responder's answer, or a deterministic text naming what was referenced.

Files a reply says Claude's tools made (``output_files``) become downloadable files of
the fake and appear as the ``server_tool_use`` + ``bash_code_execution_tool_result``
blocks of MESSAGES_FILES.md. A reply with output files for a request without the code
execution tool is the test author's mistake: the request is answered 400 with a message
naming the fix (so the SDK raises ``BadRequestError``), and the mistake is kept in
:attr:`FakeMessages.mistakes` so the ``claude_files`` fixture fails the test at teardown
even when the code under test swallows the error.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Protocol, Sequence, Union

from pytest_claude_files._core import citations as _citations
from pytest_claude_files._core import containers as _containers
from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core import message_rules as _rules
from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.hints import expired_hint, expired_notice, hinted, mismatch_hint, unknown_hint
from pytest_claude_files._core.message_check import FILE_NOT_FOUND as FILE_NOT_FOUND
from pytest_claude_files._core.message_check import (
    FileReference,
    check_request,
    count_text_chars,
    enables_code_execution,
    tokens_for_chars,
)
from pytest_claude_files._core.message_quick import quick_check
from pytest_claude_files._core.message_reply import REPLY_PREFIX as REPLY_PREFIX
from pytest_claude_files._core.message_reply import check_tool_use, default_text
from pytest_claude_files._core.naming import check_output_files
from pytest_claude_files._core.record import BoundedRecord
from pytest_claude_files._core.replies import ReplyQueue, WhenLike, describe_reply, describe_unused
from pytest_claude_files._core.resource import Renamed
from pytest_claude_files.errors import (
    FilesAPIError,
    InvalidRequestError,
    NotFoundError,
    RequestTooLargeError,
)
from pytest_claude_files.models import FileMetadata, format_timestamp

__all__ = ["DEFAULT_MAX_REFERENCED_BYTES", "FakeMessages", "FileReference", "MessagesRequest", "Reply",
           "Responder"]

MB = 1024 * 1024
DEFAULT_MAX_REFERENCED_BYTES = 32 * MB
"""Decision: the request plus its referenced files at most 32 MB (the documented request limit)."""
IMAGE_TYPE_MISMATCH = "Invalid file type: The file type doesn't match the content block type"
DOCUMENT_TYPES = frozenset({"application/pdf", "text/plain"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
TOO_LARGE = "Request exceeds the maximum allowed number of bytes: {size} > {limit}."
MESSAGE_OVERHEAD_TOKENS = 3
"""Decision: each message counts 3 tokens besides its content."""
IMAGE_TOKENS = 1600
"""Decision: an image counts 1600 tokens whatever its size (the documented maximum is about that)."""
DOCUMENT_BYTES_PER_TOKEN = 4
"""Decision: a document counts one token per 4 bytes of the file."""
DEFAULT_COMMAND = "python main.py"
REQUESTS_KEPT = 10_000
REQUESTS_KEPT_BYTES = 64 * 1024 * 1024
"""The record keeps at most this many bytes of request bodies (the oldest go first)."""
"""The record keeps the last 10,000 requests (a long-running emulator must not grow without end)."""
KNOWN_TYPES = DOCUMENT_TYPES | IMAGE_TYPES
STOP_REASONS = ("end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal",
                "model_context_window_exceeded")


class FileStore(Protocol):
    """What Messages needs of the Files side (``FakeService`` is one)."""

    clock: FakeClock

    def get(self, file_id: str, *, workspace_id: Optional[str] = None) -> FileMetadata: ...

    def add_file(self, filename: str, content: bytes, *, mime_type: Optional[str] = ...,
                 downloadable: bool = ..., workspace_id: Optional[str] = ...) -> FileMetadata: ...

    def content(self, file_id: str, *, workspace_id: Optional[str] = ...) -> bytes: ...


OutputFiles = Mapping[str, Union[bytes, tuple[bytes, str]]]


@dataclass(frozen=True)
class Reply:
    """One scripted answer (see :meth:`FakeMessages.reply`)."""

    text: Optional[str] = None
    output_files: tuple[tuple[str, bytes, Optional[str]], ...] = ()
    tool_use: tuple[dict[str, Any], ...] = ()
    stop_reason: Optional[str] = None
    command: str = DEFAULT_COMMAND
    stdout: str = ""
    stderr: str = ""
    return_code: int = 0
    citations: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, init=False)
class MessagesRequest:
    """One request the Messages side received, with its referenced files resolved.

    ``operation`` is ``"create"`` or ``"count_tokens"``; ``files`` the references in
    request order; ``error`` the error it was answered with (``None``: answered 200);
    ``response`` the JSON it was answered with.
    """

    operation: str
    body: Any
    api_version: Optional[str]
    betas: frozenset[str]
    files: tuple[FileReference, ...] = ()
    error: Optional[FilesAPIError] = None
    response: Optional[dict[str, Any]] = None

    def __init__(self, operation: str, body: Any, api_version: Optional[str], betas: frozenset[str],
                 files: tuple[FileReference, ...] = (), error: Optional[FilesAPIError] = None,
                 response: Optional[dict[str, Any]] = None) -> None:
        # (written out: the generated frozen __init__ sets each field with object.__setattr__,
        # twice the cost of one update, on every request)
        self.__dict__.update(operation=operation, body=body, api_version=api_version, betas=betas,
                             files=files, error=error, response=response)

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True

    @property
    def file_ids(self) -> list[str]:
        return [ref.file_id for ref in self.files]

    @property
    def hint(self) -> Optional[str]:
        """Why the fake refused it, beyond the API's wording (which file, which block)."""
        return self.error.hint if self.error is not None else None


_DEFAULT_REPLY = Reply()  # (frozen: one for every request nothing scripted answers)
_EMPTY_REPLY = Reply("")  # (the answer of ``max_tokens: 0``)

Responder = Callable[[MessagesRequest], Union[Reply, str, None]]
SkillsResolver = Callable[[Any, frozenset[str], Optional[str], bool], Optional[list[dict[str, Any]]]]
"""``container.skills`` resolved (``FakeSkills.resolve_container``): body, betas, workspace,
whether the request has the code execution tool."""


@dataclass
class _State:
    replies: ReplyQueue[Reply] = field(default_factory=ReplyQueue)
    requests: BoundedRecord[MessagesRequest] = field(
        default_factory=lambda: BoundedRecord(REQUESTS_KEPT, REQUESTS_KEPT_BYTES))
    mistakes: list[str] = field(default_factory=list)
    responder: Optional[Responder] = None


class FakeMessages:
    """The Messages API of one fake: ``claude_files.messages``.

    Script answers with :meth:`reply` (queued, first in first out) or :meth:`respond_with`
    (a callable for every request the queue does not answer); read what arrived in
    :attr:`requests`. ``max_referenced_bytes`` bounds the request plus the files it
    references (413 ``request_too_large`` beyond).
    """

    require_all_replies_used = Renamed("assert_all_scripted_used")

    def __init__(self, files: FileStore, *, max_referenced_bytes: int = DEFAULT_MAX_REFERENCED_BYTES) -> None:
        self.files = files
        self.max_referenced_bytes = max_referenced_bytes
        self.assert_all_scripted_used = True
        self.resolve_skills: Optional[SkillsResolver] = None
        """Set by the service: resolves ``container.skills`` (see ``_core/skills.py``)."""
        self._lock = threading.RLock()
        self._state = _State()

    def reset(self) -> None:
        """Forget queued replies, the responder, requests and mistakes."""
        with self._lock:
            self._state = _State()

    def is_empty(self) -> bool:
        """No queued reply, no responder, the settings at their defaults (requests are a record)."""
        with self._lock:
            state = self._state
            return not state.replies and state.responder is None and self.assert_all_scripted_used and (
                self.max_referenced_bytes == DEFAULT_MAX_REFERENCED_BYTES)

    # -- scripting ------------------------------------------------------------------
    def reply(
        self,
        text: Optional[str] = None,
        *,
        output_files: Optional[OutputFiles] = None,
        tool_use: Union[Mapping[str, Any], Sequence[Mapping[str, Any]], None] = None,
        stop_reason: Optional[str] = None,
        command: str = DEFAULT_COMMAND,
        stdout: str = "",
        stderr: str = "",
        return_code: int = 0,
        citations: Optional[Sequence[Mapping[str, Any]]] = None,
        when: WhenLike = None,
    ) -> Reply:
        """Queue the answer to the next ``messages.create`` (or stream).

        ``when``: answer only a request it matches (used once; requests it does not match take
        the replies without ``when`` in order): a predicate of the :class:`MessagesRequest`, a
        file id (``"file_..."``) the request must reference, or a text it must contain.

        ``text``: the text block (``None``: the default text when nothing else is
        scripted). ``output_files``: filename -> bytes or ``(bytes, mime_type)``, files
        Claude's code execution made (``command``, ``stdout``, ``stderr`` and
        ``return_code`` fill its result). ``tool_use``: one or more ``{"name": ...,
        "input": {...}}`` (optionally ``"id"``) for client tools; the stop reason is then
        ``tool_use`` unless ``stop_reason`` says otherwise. ``citations``: ``{"file_id": ...,
        "cited_text": ...}`` (or ``"document_index"``) each, cited documents of the request: the
        text block carries the citation that fits each (see ``_core/citations.py``).
        """
        made = self.make_reply(text, output_files=output_files, tool_use=tool_use, stop_reason=stop_reason,
                               command=command, stdout=stdout, stderr=stderr, return_code=return_code,
                               citations=citations)
        return self.queue(made, when=when)

    def queue(self, reply: Reply, *, when: WhenLike = None) -> Reply:
        """Queue a :class:`Reply` made with :meth:`make_reply` (what :meth:`reply` does)."""
        with self._lock:
            self._state.replies.add(reply, when)
        return reply

    def reset_replies(self) -> None:
        """Drop the queued replies and the recorded mistakes (requests stay)."""
        with self._lock:
            self._state.replies.clear()
            self._state.mistakes.clear()

    @staticmethod
    def make_reply(
        text: Optional[str] = None,
        *,
        output_files: Optional[OutputFiles] = None,
        tool_use: Union[Mapping[str, Any], Sequence[Mapping[str, Any]], None] = None,
        stop_reason: Optional[str] = None,
        command: str = DEFAULT_COMMAND,
        stdout: str = "",
        stderr: str = "",
        return_code: int = 0,
        citations: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> Reply:
        """A :class:`Reply` checked as :meth:`reply` checks it (for a responder to return)."""
        if text is not None and not isinstance(text, str):
            raise TypeError(f"reply text must be a str or None, not {type(text).__name__}")
        if stop_reason is not None and stop_reason not in STOP_REASONS:
            raise ValueError(f"stop_reason {stop_reason!r}: expected one of {', '.join(STOP_REASONS)}")
        outputs = check_output_files(output_files or {})
        tools = check_tool_use(tool_use)
        cites = _citations.check_citations(citations, text)
        return Reply(text, outputs, tools, stop_reason, command, stdout, stderr, return_code, cites)

    def respond_with(self, responder: Optional[Responder]) -> None:
        """Answer every request the queue does not with ``responder(request)``.

        It gets a :class:`MessagesRequest` (body and resolved files) and returns a
        :class:`Reply` (:meth:`make_reply`), a text, or ``None`` for the default reply.
        ``None`` removes the responder.
        """
        with self._lock:
            self._state.responder = responder

    @property
    def requests(self) -> list[MessagesRequest]:
        """Every request received, in order (refused ones too, with their ``error``; the last
        :data:`REQUESTS_KEPT`, and at most :data:`REQUESTS_KEPT_BYTES` of bodies)."""
        with self._lock:
            return list(self._state.requests)

    @property
    def pending_replies(self) -> list[Reply]:
        """Scripted replies no request has used yet."""
        with self._lock:
            return self._state.replies.replies

    @property
    def mistakes(self) -> list[str]:
        """Scripting mistakes the fake answered 400 for (the fixture fails the test on them)."""
        with self._lock:
            return list(self._state.mistakes)

    def problems(self) -> list[str]:
        """What the ``claude_files`` fixture reports at teardown: mistakes, unused replies."""
        with self._lock:
            found = list(self._state.mistakes)
            unused = self._state.replies.entries
            if self.assert_all_scripted_used and unused:
                requests = [r for r in self._state.requests if r.operation == "create"]
                found.append(describe_unused(unused, requests, what="Messages create request",
                                             where="claude_files.messages.reply()", describe=describe_reply)
                             + "\n(set claude_files.messages.assert_all_scripted_used = False to allow it.)")
            return found

    # -- the two operations ---------------------------------------------------------
    def create(
        self,
        body: Any,
        *,
        api_version: Optional[str] = None,
        betas: frozenset[str] = frozenset(),
        body_size: int = 0,
        workspace_id: Optional[str] = None,
        reply: Optional[Reply] = None,
    ) -> dict[str, Any]:
        """``POST /v1/messages``: the ``Message`` as JSON (streaming is the HTTP layer's).

        ``reply``: answer with this one instead of the next scripted reply (a Message
        Batch request's reply scripted for its ``custom_id``)."""

        return self._serve("create", body, api_version, betas, body_size, workspace_id, reply)

    def count_tokens(
        self,
        body: Any,
        *,
        api_version: Optional[str] = None,
        betas: frozenset[str] = frozenset(),
        body_size: int = 0,
        workspace_id: Optional[str] = None,
    ) -> dict[str, Any]:
        """``POST /v1/messages/count_tokens``: ``{"input_tokens": N}``, as ``usage`` counts them."""
        return self._serve("count_tokens", body, api_version, betas, body_size, workspace_id, None)

    def _serve(
        self, kind: str, body: Any, api_version: Optional[str], betas: frozenset[str], body_size: int,
        workspace_id: Optional[str], given: Optional[Reply],
    ) -> dict[str, Any]:
        """Check the request, answer it, and record it (refused requests too).

        The lock guards the script and the record only: the user's responder runs outside
        it (a responder that waits on another request, or makes one, must not deadlock)."""
        seen: list[tuple[FileReference, ...]] = [()]
        try:
            model, max_tokens, refs, tokens = self._check(
                body, kind == "count_tokens", api_version, betas, body_size, seen, workspace_id)
            if kind == "count_tokens":
                result: dict[str, Any] = {"input_tokens": tokens}
            else:
                result = self._create(body, api_version, betas, workspace_id, given, model, max_tokens, refs,
                                      tokens)
        except FilesAPIError as exc:
            with self._lock:
                self._state.requests.append(
                    MessagesRequest(kind, body, api_version, betas, seen[0], exc), body_size)
            raise
        with self._lock:
            self._state.requests.append(
                MessagesRequest(kind, body, api_version, betas, refs, None, result), body_size)
        return result

    def _create(
        self, body: dict[str, Any], api_version: Optional[str], betas: frozenset[str],
        workspace_id: Optional[str], given: Optional[Reply], model: str, max_tokens: Optional[int],
        refs: tuple[FileReference, ...], tokens: int,
    ) -> dict[str, Any]:
        code = "tools" in body and enables_code_execution(body)  # (once: the reply and the answer read it)
        if max_tokens == 0:  # populates the prompt cache, no response (takes no scripted reply)
            return self._answer(_EMPTY_REPLY, model, max_tokens, refs, tokens, body, workspace_id, None, code)
        skills = (None if self.resolve_skills is None or "container" not in body  # (no container: no skills)
                  else self.resolve_skills(body, betas, workspace_id, code))
        state = self._state  # (one attribute read: as atomic without the lock as with it)
        if given is None and state.responder is None and not state.replies:
            chosen = _DEFAULT_REPLY  # nothing scripted, the common case: no record, no lock
        else:
            chosen = self._next_reply(body, api_version, betas, refs, given, code)
        return self._answer(chosen, model, max_tokens, refs, tokens, body, workspace_id, skills, code)

    # -- internals ------------------------------------------------------------------
    def _check(
        self, body: Any, count_only: bool, api_version: Optional[str], betas: frozenset[str], body_size: int,
        seen: list[tuple[FileReference, ...]], workspace_id: Optional[str] = None,
    ) -> tuple[str, Optional[int], tuple[FileReference, ...], int]:
        """The checked request's model and ``max_tokens``, its resolved references, its input
        tokens (``seen[0]``: the references as far as they got, for the record of a refused request)."""
        quick = quick_check(body, count_only, api_version)  # the common request, in one pass
        if quick is not None:
            model, max_tokens, found, chars = quick
        else:  # the exact checks: every error with the API's wording and JSON path
            shape = check_request(body, count_only=count_only, api_version=api_version, betas=betas)
            _rules.check_body(body, api_version)
            model, max_tokens, chars = shape.model, shape.max_tokens, shape.text_chars
            found = [(ref.file_id, ref.block_type, ref.path) for ref in shape.references]
        metas: dict[str, Any] = {}  # (each file's metadata, as _resolve found it)
        resolved = []
        try:
            for file_id, block_type, path in found:
                resolved.append(self._resolve(file_id, block_type, path, workspace_id, metas))
        except FilesAPIError:
            seen[0] = tuple(FileReference(*ref) for ref in found)  # (unresolved, as the record shows them)
            raise
        refs = seen[0] = tuple(resolved)
        if refs:
            _rules.check_files(refs, model, lambda ref: _rules.file_facts(
                metas[ref.file_id], lambda: self.files.content(ref.file_id, workspace_id=workspace_id)))
        total = body_size
        tokens = MESSAGE_OVERHEAD_TOKENS * len(body["messages"]) + tokens_for_chars(chars)
        uploads = False
        for ref in refs:  # (one pass: sizes, tokens, container uploads)
            total += ref.size_bytes or 0
            if ref.block_type == "image":
                tokens += IMAGE_TOKENS
            elif ref.block_type == "document":
                tokens += math.ceil((ref.size_bytes or 0) / DOCUMENT_BYTES_PER_TOKEN)
            elif ref.block_type == "container_upload":
                uploads = True
        if uploads and not enables_code_execution(body):
            _rules.notice_ignored_container_upload(getattr(self.files, "misuse", None))
        if total > self.max_referenced_bytes:
            raise RequestTooLargeError(TOO_LARGE.format(size=total, limit=self.max_referenced_bytes))
        if tokens > _rules.SMALLEST_CONTEXT_WINDOW:  # (else within every model's window: no call)
            _rules.check_context(tokens, model)
        return model, max_tokens, refs, tokens

    def _resolve(self, file_id: str, block_type: str, path: str, workspace_id: Optional[str] = None,
                 metas: Optional[dict[str, Any]] = None) -> FileReference:
        try:  # a file of another workspace is not found (``partition_workspaces``)
            meta = self.files.get(file_id, workspace_id=workspace_id)
        except NotFoundError:
            raise hinted(NotFoundError(FILE_NOT_FOUND), unknown_hint(FileReference(file_id, block_type, path))
                         ) from None
        if meta.expires_at is not None and meta.expires_at <= self.files.clock.now():
            ref = FileReference(file_id, block_type, path)
            expired_notice(self.files, ref, meta)  # decision: an expired file is as unknown
            raise hinted(NotFoundError(FILE_NOT_FOUND), expired_hint(ref, meta))
        mime = meta.mime_type
        if mime not in KNOWN_TYPES:  # (a known type is already as its normal form)
            mime = mime.split(";", 1)[0].strip().lower()
        if block_type == "document" and mime not in DOCUMENT_TYPES:
            raise hinted(InvalidRequestError(
                f"Unsupported document file format: {meta.mime_type}. "
                "Only PDF and plaintext documents are supported."
            ), mismatch_hint(FileReference(file_id, block_type, path), meta))
        if block_type == "image" and mime not in IMAGE_TYPES:
            raise hinted(InvalidRequestError(IMAGE_TYPE_MISMATCH),
                         mismatch_hint(FileReference(file_id, block_type, path), meta))
        if metas is not None:
            metas[file_id] = meta
        return FileReference(file_id, block_type, path, meta.filename, meta.mime_type, meta.size_bytes)

    def _next_reply(
        self, body: dict[str, Any], api_version: Optional[str], betas: frozenset[str],
        refs: tuple[FileReference, ...], given: Optional[Reply], code: bool,
    ) -> Reply:
        with self._lock:
            state = self._state
            responder = state.responder
        record: Optional[MessagesRequest] = None  # (made only for the user's code: predicates, a responder)
        queued = given
        if queued is None and state.replies:
            record = MessagesRequest("create", body, api_version, betas, refs)
            try:  # outside the lock: a when= predicate is the user's code
                queued = state.replies.take(record)
            except Exception as exc:
                raise self._mistake(f"a when= predicate of claude_files.messages.reply() raised "
                                    f"{type(exc).__name__}: {exc}") from exc
        if queued is not None:
            reply = queued
        elif responder is not None:
            if record is None:
                record = MessagesRequest("create", body, api_version, betas, refs)
            try:  # outside the lock: the user's code
                answer = responder(record)
                reply = answer if isinstance(answer, Reply) else Reply(
                    answer if isinstance(answer, str) else None)
                if not isinstance(answer, (Reply, str, type(None))):
                    raise TypeError(
                        f"a responder returns a Reply, a str or None, not {type(answer).__name__}")
            except Exception as exc:  # the test's own code failed: say so, and fail the test
                raise self._mistake(f"the responder given to claude_files.messages.respond_with() raised "
                                    f"{type(exc).__name__}: {exc}") from exc
        else:
            reply = _DEFAULT_REPLY
        if reply.output_files and not code:
            names = ", ".join(name for name, _, _ in reply.output_files)
            raise self._mistake(
                f"the scripted reply has output_files ({names}) but this request did not enable code "
                'execution: add tools=[{"type": "code_execution_20250825", "name": "code_execution"}] '
                "to the request the code under test sends, or drop output_files from "
                "claude_files.messages.reply()."
            )
        return reply

    def _mistake(self, text: str) -> InvalidRequestError:
        message = f"pytest-claude-files: {text}"
        with self._lock:
            self._state.mistakes.append(message)
        return InvalidRequestError(message)

    def _answer(
        self, reply: Reply, model: str, requested_max: Optional[int], refs: tuple[FileReference, ...],
        input_tokens: int, body: dict[str, Any], workspace_id: Optional[str],
        skills: Optional[list[dict[str, Any]]], code: bool,
    ) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        container: Optional[dict[str, Any]] = None
        if code or skills is not None:
            container = self._run_code(reply, content, body, workspace_id)
            if skills is not None:
                container["skills"] = skills
        cited: Optional[list[dict[str, Any]]] = None
        if reply.citations:
            try:
                cited = _citations.build(reply.citations, body, self.files.content)
            except _citations.CitationMistake as exc:
                raise self._mistake(str(exc)) from None
        text = reply.text
        if text is None and not reply.tool_use and requested_max != 0:
            outputs = [name for name, _, _ in reply.output_files] if reply.output_files else ()
            text = default_text(refs, outputs)
        stop_reason = reply.stop_reason or ("tool_use" if reply.tool_use else "end_turn")
        if requested_max == 0:  # decision: no content, stop_reason max_tokens, 0 output tokens
            stop_reason = "max_tokens"
        output_tokens = tokens_for_chars(len(text or ""))
        max_tokens = requested_max or 1
        if text is not None and output_tokens > max_tokens and reply.stop_reason is None:
            text, output_tokens, stop_reason = text[:max_tokens * 4], max_tokens, "max_tokens"
        if text:
            text_block: dict[str, Any] = {"type": "text", "text": text}
            if cited:
                text_block["citations"] = cited
            content.append(text_block)
        for tool in reply.tool_use:
            block = {"type": "tool_use", "id": tool.get("id") or _new_id("toolu_01"),
                     "name": tool["name"], "input": dict(tool.get("input") or {})}
            output_tokens += tokens_for_chars(count_text_chars(block["input"]))
            content.append(block)
        usage: dict[str, Any] = {
            "input_tokens": input_tokens,
            "output_tokens": max(1, output_tokens) if requested_max != 0 else 0,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        }
        message = {
            "id": _new_id("msg_01"),
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }
        if container is not None:
            message["container"] = container
        return message

    def _run_code(self, reply: Reply, content: list[dict[str, Any]], body: dict[str, Any],
                  workspace_id: Optional[str]) -> dict[str, Any]:
        """The container of a request with a code-execution tool (or skills), and the tool's blocks
        when the reply scripts a run (output files, a command, stdout, stderr or a return code)."""
        container = _containers.container_of(body, self.files.clock.now(), lambda: _new_id("container_01"),
                                              format_timestamp)
        tool = _containers.code_execution_tool(body)
        ran = (reply.output_files or reply.stdout or reply.stderr or reply.return_code
               or reply.command != DEFAULT_COMMAND)
        if tool is None or not ran:
            return container
        outputs = [  # made in the workspace of the request
            self.files.add_file(name, data, mime_type=mime, downloadable=True, workspace_id=workspace_id).id
            for name, data, mime in reply.output_files]
        content.extend(_containers.tool_blocks(tool, _new_id("srvtoolu_01"), reply.command, reply.stdout,
                                               reply.stderr, reply.return_code, outputs))
        return container


def _new_id(prefix: str) -> str:
    return prefix + _ids.new_request_id()[len(_ids.REQUEST_ID_PREFIX):]
