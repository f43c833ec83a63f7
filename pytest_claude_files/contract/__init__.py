"""The fidelity suite: one test per row of docs/fidelity.md, against any backend.

Run it with ``pytest --pyargs pytest_claude_files.contract`` (the in-process fake), with
``--claude-files-backend=server`` (the emulator) or ``--claude-files-backend=real`` (your
account: ``ANTHROPIC_API_KEY``, or any ``ANTHROPIC_BASE_URL``). Every test calls the official
SDK through the ``contract`` fixture, which sends each call to the backend and to a fake in
this process and compares the answers. See docs/contract.md.
"""

from __future__ import annotations

__all__ = ["NOT_CHECKABLE"]

_SETTING = "a setting of the fake, not a behaviour of the API"
_WARNING = "a warning the plugin gives the test, not an answer of the API"
_EMULATOR = (
    "the emulator server's own storage, control API or limits (tests/test_server_store.py, "
    "test_server_limits.py, test_server_control_security.py), not an answer of the API"
)

_SKILL_MADE = (
    "creates a skill on the account, which the suite's cleanup (files only) would not remove "
    "(tests/test_skills_sdk.py checks the fake)"
)
_SCRIPTED = "the fake's scripted reply; a model chooses what it cites (tests/test_citations.py)"

_BATCH_ENDS = "needs a batch that has ended on the account (minutes to 24 hours of processing)"
_SESSIONS = (
    "Managed Agents sessions bill container runtime and leave agents, environments and sessions on "
    "the account, beyond this suite's budget of Files and Messages calls (tests/test_sessions_*.py "
    "check the fake)"
)

NOT_CHECKABLE: dict[str, str] = {
    "skills.endpoints": _SKILL_MADE,
    "skills.bundle.size": "uploads 8 to 30 MB, over the suite's byte bound",
    "skills.display-name": _SKILL_MADE,
    "skills.ids": _SKILL_MADE,
    "skills.versions": _SKILL_MADE,
    "skills.delete": _SKILL_MADE,
    "skills.name-taken": _SKILL_MADE,
    "skills.workspace": _SETTING,
    "skills.bounded": _SETTING,
    "messages.skills.resolve": "needs a billed code-execution run with skills loaded",
    "messages.skills.limit": (
        "needs 21 distinct skills (repeating the four Anthropic ones may be refused for another reason)"
    ),
    "citations.location": _SCRIPTED,
    "citations.pdf-page": _SCRIPTED,
    "citations.stream": _SCRIPTED,
    "citations.script-mistake": "a failure the plugin gives the test, not an answer of the API",
    **{row: _SESSIONS for row in (
        "sessions.shapes", "sessions.environment.unique-name", "sessions.create.unknown-environment",
        "sessions.create.archived", "sessions.mount.new-file", "sessions.mount.path",
        "sessions.mount.max-100", "sessions.events.file-source",
        "sessions.mount.not-found", "sessions.resources.update", "sessions.resources.delete",
        "sessions.events.turn", "sessions.events.outputs", "sessions.events.stream", "sessions.archive",
        "sessions.delete.files-stay", "sessions.workspace",
    )},
    "sessions.mount.types": "a limit of the fake (it fakes file resources only), not an answer of the API",
    "sessions.deployments": "deployments are not faked",
    "sessions.bounds": (
        "the fake's own bounds (the documented 50 and 16 are checked by tests/test_sessions_adapters.py)"
    ),
    "files.upload.unnamed": (
        "the SDK always sends the part's filename (tests/test_sdk_files.py sends raw multipart)"
    ),
    "files.upload.rejected-changes-nothing": (
        "a refused request answers no id to look for on an account (tests/test_service.py checks "
        "the fake's state)"
    ),
    "files.mime.typescript-tofile": (
        "needs the TypeScript SDK on Node, outside this Python suite (tests/test_server_node.py)"
    ),
    "files.mime.no-content-type": "the Python SDK always sends the part's Content-Type (httpx guesses one)",
    "files.mime.guess-opt-in": _SETTING,
    "files.mime.documented-table": (
        "the fake's guess for a part without Content-Type, which the SDK never sends"
    ),
    "files.mime.add-file-explicit": "seeding is the fake's own API",
    "files.headers.relax": _SETTING,
    "files.headers.repeated-beta": "the SDK sends one anthropic-beta header",
    "files.headers.credentials": (
        "the suite's client sends its key one way (x-api-key up to SDK 1.x, Bearer in 2.x): every "
        "request of the run checks that one"
    ),
    "files.headers.api-keys": _SETTING,
    "files.headers.order": "needs requests that fail several checks at once, without credentials among them",
    "files.list.page-cost": "the fake's own cost, not observable through the API",
    "files.download.bytes": (
        "only files made by Claude's tools are downloadable: it needs a code-execution run "
        "(tests/test_sdk_files.py)"
    ),
    "files.download.expired": (
        "needs an hour of waiting for the file to expire (tests/test_sdk_files.py moves the fake's clock)"
    ),
    "files.errors.status-types": (
        "the API answers these only in conditions an account cannot provoke on demand (overload, "
        "timeouts, outages)"
    ),
    "files.errors.sdk-status-classes": (
        "the API answers these only in conditions an account cannot provoke on demand"
    ),
    "files.errors.method-codes": "only for organizations in those states (on hold, a disabled CMEK key)",
    "files.errors.appeal-url": "only for an organization on hold",
    "files.errors.details-extra": "only for organizations in the states of the method-level codes",
    "files.errors.no-500": "the fake's robustness (fuzzed in tests/test_fuzz_handler.py)",
    "files.limits.scoped-outside-quota": (
        "session-scoped files are made by managed-agent sessions, and the quota is 1 TB "
        "(tests/test_fidelity_sdk.py)"
    ),
    "files.limits.expired-frees": "needs an hour of waiting and a full storage",
    "files.workspace.partition": "needs two workspaces of your organization and their ids",
    "files.workspace.shared-opt-in": _SETTING,
    "files.expired.metadata-window": "needs an hour for a file to expire and 30 days after",
    "files.expired.delete": "needs an hour of waiting for the file to expire",
    "files.limits.rate-documented": _SETTING,
    "warnings.beta-dialect-trap": _WARNING,
    "warnings.octet-stream-upload": _WARNING,
    "warnings.unfinished-listing": _WARNING,
    "warnings.unknown-beta": _WARNING,
    "warnings.none-for-correct-use": _WARNING,
    "warnings.once": _WARNING,
    "warnings.error-mode": _WARNING,
    "warnings.ignore-mode": _WARNING,
    "messages.reference.expired": "needs an hour of waiting for the file to expire",
    "messages.request-too-large": "needs 32 MB of referenced files",
    "messages.body.not-json": "the SDK always sends a JSON body",
    "messages.nesting": "the API's depth limit is unpublished, and a deep request it accepts would be billed",
    "messages.tokens": (
        "the fake's token counts are a deterministic decision; the model's tokenizer differs by design"
    ),
    "messages.reply.default": "the fake's reply is scripted, not a model's",
    "messages.code-execution.outputs": "needs a code-execution run (billed, slow)",
    "messages.code-execution.container-lifetime": "needs a code-execution run (billed, slow)",
    "messages.context-window": "needs a prompt over the context window (a large, billed upload)",
    "messages.pdf.pages": "needs a PDF of more than 600 pages (megabytes of upload and billed input)",
    "messages.pdf.encrypted": "needs a real encrypted PDF, which the suite does not ship",
    "messages.image.dimensions": "needs a valid image over 8000 pixels on a side (a large upload)",
    "errors.codes.2-17": "the API answers these only in states an account cannot provoke on demand",
    "warnings.container-upload-ignored": _WARNING,
    "warnings.duplicate-upload": _WARNING,
    "warnings.expired-file-referenced": _WARNING,
    "warnings.non-retryable-retried": _WARNING,
    "warnings.retry-after-ignored": _WARNING,
    "warnings.upload-never-deleted": _WARNING,
    "warnings.user-line": _WARNING,
    "warnings.verdict": _WARNING,
    "messages.reference.hint": (
        "the fake's own explanation beside the API's wording (a hint header and the recorded "
        "request), which the API does not send"
    ),
    "messages.script.output-files-without-tool": (
        "a scripting mistake of the test's author, which the fake catches"
    ),
    "files.filename.path": "the same behaviour as files.upload.filename-last-component, checked by its test",
    "files.filename.forbidden": "the same behaviour as files.upload.filename-rules, checked by its test",
    "files.filename.empty-ga": (
        "the suite's SDK sends the filename it is given; an empty one is checked on the fake"
    ),
    "files.filename.empty-beta": (
        "the suite's SDK sends the filename it is given; an empty one is checked on the fake"
    ),
    "faults.internal-error.500": "a bug of the fake, not a behaviour of the API",
    "faults.error.one-builder": "faults a test scripts on the fake, not answers of the API",
    "faults.cut-body.head-only": "faults a test scripts on the fake, not answers of the API",
    "ratelimit.bucket.capacity": "the respx token bucket of the fake, not observable through the API",
    "ratelimit.reset.whole-seconds": "the fake sends rate-limit headers only when a test sets a rate limit",
    "server.disk-full": _EMULATOR,
    "server.spool-full": _EMULATOR,
    "server.store.atomic": _EMULATOR,
    "server.store.workspace": _EMULATOR,
    "server.uri-too-long": _EMULATOR,
    "server.too-many-params": _EMULATOR,
    "server.headers-too-large": _EMULATOR,
    "server.body-too-large": _EMULATOR,
    "server.read-timeout": _EMULATOR,
    "server.control.own-tenant": _EMULATOR,
    "server.control.cross-site": _EMULATOR,
    "server.control.validation": _EMULATOR,
    # Message Batches: a batch's results come only once it has ended on the account
    "batches.endpoints": "the other rows of this section call every endpoint through the SDK",
    "batches.request.errored": _BATCH_ENDS,
    "batches.results.jsonl": _BATCH_ENDS,
    "batches.results.order": "a decision of the fake (the API promises no order)",
    "batches.end.next-look": "the fake's own timing (a real batch ends within minutes to 24 hours)",
    "batches.hold": _SETTING,
    "batches.replies": "scripting is the fake's own API",
    "batches.cancel.ended": _BATCH_ENDS,
    "batches.delete.in-progress": "needs a batch still processing when the delete arrives (timing)",
    "batches.delete.ended": _BATCH_ENDS,
    "batches.list": "an account's list holds its other batches, and a page of them differs by nature",
    "batches.size.256mb": "needs a 256 MB request",
    "batches.expiry.24h": "needs 24 hours of a batch in progress",
    "batches.archive.29d": "needs 29 days of waiting",
    "batches.workspace": "needs two workspaces of your organization and their ids",
    "batches.memory": "the fake's own bound, not observable through the API",
    "batches.emulator": _EMULATOR,
    "server.control.host": _EMULATOR,
    "server.data-dir.lock": _EMULATOR,
    "server.body-deadline": _EMULATOR,
    "server.tenants.idle": _EMULATOR,
    "server.control.budget": _EMULATOR,
    "server.records.bytes": _EMULATOR,
    "server.state.kept": _EMULATOR,
    "server.state.batch-in-progress": _EMULATOR,
    "server.state.clock": _EMULATOR,
    "server.state.not-kept": _EMULATOR,
    "server.state.read-changes": _EMULATOR,
    "server.state.disk-full": _EMULATOR,
    "server.state.quarantine": _EMULATOR,
    "server.state.no-inodes": _EMULATOR,
    "server.state.seeds-once": _EMULATOR,
}
"""Rows of docs/fidelity.md that no contract test checks, and why (tests/ checks the fake)."""
