"""The service root: the fake of one account, its resources side by side.

``FakeService`` (public name ``FakeFiles``, kept for the suites written against it) is
what the ``claude_files`` fixture gives a test, what the emulator holds per tenant and
what the respx router serves. It owns what every resource shares: one clock, one
settings object, one misuse log, and the resources themselves:

- ``files``: :class:`~pytest_claude_files._core.files.FilesResource` (also a sequence of
  every file's metadata, newest first);
- ``messages``: :class:`~pytest_claude_files._core.messages.FakeMessages`;
- further resources (Message Batches, Skills, Managed Agents sessions), each a
  :class:`Resource` built here with this service, as a typed attribute and in
  :attr:`FakeService.resources` (reset and teardown checks go through it).

The documented conveniences of the Files resource (``get``, ``content``, ``add_file``,
``storage_used``, ``calls``, ...) stay on the root, so ``claude_files.get(file_id)`` works
as it always has. A storage is plugged in, not subclassed: ``FilesResource(storage=...)``
(``_core/storage.py``; the emulator's ``--data-dir`` store is ``server/_store.py``'s
``DirectoryStore``), passed here as ``files``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Iterator, Optional, Sequence

from pytest_claude_files._core.agents import FakeAgents, FakeEnvironments
from pytest_claude_files._core.batches import FakeBatches
from pytest_claude_files._core.clock import FakeClock
from pytest_claude_files._core.files import AgentsPage, BetaPage, Call, Content, FilesResource, GAPage
from pytest_claude_files._core.journal import Journal
from pytest_claude_files._core.lifecycle import Lifecycle
from pytest_claude_files._core.messages import FakeMessages
from pytest_claude_files._core.misuse import Misuse, MisuseLog
from pytest_claude_files._core.resource import Resource
from pytest_claude_files._core.sessions import FakeSessions
from pytest_claude_files._core.settings import FakeFilesSettings
from pytest_claude_files._core.skills import FakeSkills
from pytest_claude_files._core.storage import MemoryRecords, RecordStorage
from pytest_claude_files.models import DeletedFile, Dialect, FileMetadata

__all__ = ["FakeFiles", "FakeService", "Resource"]


class FakeService:
    """The fake Anthropic API of one account: ``claude_files``.

    ``FakeService(settings, clock=..., files=..., records=...)`` or ``FakeService(**settings)``:
    ``files`` plugs in a Files resource with its own storage (default: in memory),
    ``records`` where the other resources keep their objects (default: nowhere else).
    """

    def __init__(
        self,
        settings: Optional[FakeFilesSettings] = None,
        *,
        clock: Optional[FakeClock] = None,
        files: Optional[FilesResource] = None,
        records: Optional[RecordStorage] = None,
        **overrides: Any,
    ) -> None:
        base = settings or (files.settings if files is not None else FakeFilesSettings())
        chosen = replace(base, **overrides) if overrides else base
        if files is None:
            files = FilesResource(chosen, clock=clock or FakeClock())
        files.settings = chosen
        self.files: FilesResource = files
        """The Files resource (``claude_files.files``): also every file's metadata, newest first."""
        self.misuse: MisuseLog = files.misuse
        self.records: RecordStorage = records if records is not None else MemoryRecords()
        """Where the objects of the resources beside Files are kept (``_core/storage.py``)."""
        self.lifecycle: Lifecycle = Lifecycle(files)
        """The uploads the code under test made, watched for the session verdict's findings."""
        self.journal: Journal = Journal()
        """Every request answered, every resource alike (``claude_files.journal``)."""
        self.messages: FakeMessages = FakeMessages(self)
        """The Messages side, sharing these files (``claude_files.messages``)."""
        # further resources, each a ``Resource`` given this service, listed in ``resources``:
        self.resources: dict[str, Resource] = {}
        self.batches: FakeBatches = FakeBatches(self)
        """The Message Batches API (``claude_files.batches``): its requests go through ``messages``."""
        self.resources["batches"] = self.batches
        self.skills: FakeSkills = FakeSkills(self)
        """The Skills API (``claude_files.skills``): custom skills and Anthropic's."""
        self.resources["skills"] = self.skills
        self.messages.resolve_skills = self.skills.resolve_container
        self.agents: FakeAgents = FakeAgents(self)
        """Managed Agents agents (``claude_files.agents``)."""
        self.environments: FakeEnvironments = FakeEnvironments(self)
        """Managed Agents environments (``claude_files.environments``)."""
        self.sessions: FakeSessions = FakeSessions(self, self.agents, self.environments)
        """Managed Agents sessions, their mounted files and events; script agent turns with
        ``claude_files.sessions.reply(...)``."""
        self.resources.update(agents=self.agents, environments=self.environments, sessions=self.sessions)
        for resource in self.resources.values():  # what ``records`` kept (an emulator's restart)
            resource.load_records()
            resource.records_loaded = True

    # -- the whole account ------------------------------------------------------------
    @property
    def settings(self) -> FakeFilesSettings:
        """The ``FakeFilesSettings`` in force (assigning one applies it to every resource)."""
        return self.files.settings

    @settings.setter
    def settings(self, value: FakeFilesSettings) -> None:
        self.files.settings = value
        self.misuse.mode = value.misuse_warnings

    @property
    def clock(self) -> FakeClock:
        """The one clock of every resource (assigning one replaces it everywhere)."""
        return self.files.clock

    @clock.setter
    def clock(self, value: FakeClock) -> None:
        self.files.clock = value

    @property
    def warnings(self) -> list[Misuse]:
        """The client-misuse notices of this fake (``Misuse(code, message)``), oldest first."""
        return list(self.misuse.records)

    def finish(self) -> list[Misuse]:
        """End of a test: notice listings that stopped at a page with more; return the
        notices that must fail the test (all under ``misuse_warnings="error"``, else those
        the warning filters escalated)."""
        self.files.unfinished_listings()
        self.lifecycle.finish()
        return self.misuse.failures()

    def problems(self) -> list[str]:
        """Script problems of every resource that fail the test at teardown (Messages'
        mistakes and unused replies, and those of the other resources)."""
        found = self.messages.problems()
        for resource in self.resources.values():
            found.extend(resource.problems())
        return found

    def is_empty(self, kept: bool = False) -> bool:
        """Whether this account holds nothing a later request could see: no file, no
        object or scripted reply of any resource, the clock following real time, every
        setting of a resource at its default. Records of past requests (calls, the journal,
        Messages requests) do not count. ``kept``: files, objects and the clock that the
        ``--data-dir`` store keeps do not count either (they come back from disk). The
        emulator drops idle tenants that are empty."""
        return ((kept or (len(self.files) == 0 and self.clock.is_default)) and self.messages.is_empty()
                and all(resource.is_empty(kept) for resource in self.resources.values()))

    def reset(self) -> None:
        """Forget every file, call, script and object of every resource (settings and clock stay)."""
        self.files.reset()
        self.lifecycle.reset()
        self.messages.reset()
        for resource in self.resources.values():
            resource.reset()
        self.misuse.clear()
        self.journal.clear()

    # -- the Files conveniences (documented on ``claude_files``) ---------------------
    def __len__(self) -> int:
        return len(self.files)

    def __contains__(self, item: object) -> bool:
        return item in self.files

    def __iter__(self) -> Iterator[FileMetadata]:
        return iter(self.files)

    def __repr__(self) -> str:
        return f"<FakeService files={len(self.files)} used={self.files.storage_used}B>"

    @property
    def calls(self) -> list[Call]:
        """Every Files operation performed or refused: ``Call(operation, file_id, params, error)``."""
        return self.files.calls

    @property
    def listings(self) -> Any:
        return self.files.listings

    @property
    def storage_used(self) -> int:
        """Bytes counting against the storage quota: scoped files and expired contents excluded."""
        return self.files.storage_used

    def operations(self, name: Optional[str] = None) -> list[Call]:
        """The recorded Files calls, optionally only those of one operation (``"upload"``...)."""
        return self.files.operations(name)

    def get(self, file_id: str, *, workspace_id: Optional[str] = None) -> FileMetadata:
        """A file's metadata (``NotFoundError`` when there is none)."""
        return self.files.get(file_id, workspace_id=workspace_id)

    def content(self, file_id: str, *, workspace_id: Optional[str] = None) -> bytes:
        """A file's bytes, downloadable or not (a test may look; the API may refuse); workspaces
        are partitioned by default, so a file made in a workspace is read with its ``workspace_id``."""
        return self.files.content(file_id, workspace_id=workspace_id)

    def add_file(
        self,
        filename: str,
        content: Content | str = b"",
        *,
        mime_type: Optional[str] = None,
        downloadable: bool = False,
        scope_id: Optional[str] = None,
        created_at: Optional[datetime] = None,
        expires_at: Optional[datetime] = None,
        file_id: Optional[str] = None,
        workspace_id: Optional[str] = None,
    ) -> FileMetadata:
        """Seed a file directly, as if Claude's tools had made it (see ``FilesResource.add_file``)."""
        return self.files.add_file(
            filename, content, mime_type=mime_type, downloadable=downloadable, scope_id=scope_id,
            created_at=created_at, expires_at=expires_at, file_id=file_id, workspace_id=workspace_id,
        )

    def load_cassette(self, path: Any, *, include_deleted: bool = False) -> list[FileMetadata]:
        """Seed the files a recorded cassette uploaded, with their recorded ids (and bytes),
        so a test goes on from recorded state; files the cassette deleted again are left out
        unless ``include_deleted``. Returns the files added. See ``claude-files-fake docs cassettes``."""
        from pytest_claude_files._core.cassette import seed_service

        return seed_service(self, path, include_deleted=include_deleted)

    def add_files(self, count: int, *, prefix: str = "file", **kwargs: Any) -> list[FileMetadata]:
        """Seed ``count`` small text files named ``{prefix}-{i}.txt``, oldest first."""
        return self.files.add_files(count, prefix=prefix, **kwargs)

    # the five operations, as the HTTP layer calls them
    def upload(self, content: Content, filename: Optional[str], *, content_type: Optional[str] = None,
               dialect: Dialect = "ga", expires_in_seconds: Optional[int] = None,
               scope_id: Optional[str] = None, workspace_id: Optional[str] = None) -> FileMetadata:
        """``POST /v1/files``."""
        return self.files.upload(content, filename, content_type=content_type, dialect=dialect,
                                 expires_in_seconds=expires_in_seconds, scope_id=scope_id,
                                 workspace_id=workspace_id)

    def list_beta(self, **kwargs: Any) -> BetaPage:
        """A beta-dialect page (see ``FilesResource.list_beta``)."""
        return self.files.list_beta(**kwargs)

    def list_agents(self, **kwargs: Any) -> AgentsPage:
        """A managed-agents page (see ``FilesResource.list_agents``)."""
        return self.files.list_agents(**kwargs)

    def list_ga(self, *, limit: Optional[int] = None, page: Optional[str] = None,
                ids: Optional[Sequence[str]] = None, scope_id: Optional[str] = None,
                workspace_id: Optional[str] = None) -> GAPage:
        """A GA-dialect page (see ``FilesResource.list_ga``)."""
        return self.files.list_ga(limit=limit, page=page, ids=ids, scope_id=scope_id,
                                  workspace_id=workspace_id)

    def retrieve(self, file_id: str, *, workspace_id: Optional[str] = None) -> FileMetadata:
        """``GET /v1/files/{file_id}``."""
        return self.files.retrieve(file_id, workspace_id=workspace_id)

    def download(self, file_id: str, *, workspace_id: Optional[str] = None) -> tuple[FileMetadata, Content]:
        """``GET /v1/files/{file_id}/content``."""
        return self.files.download(file_id, workspace_id=workspace_id)

    def delete(self, file_id: str, *, workspace_id: Optional[str] = None) -> DeletedFile:
        """``DELETE /v1/files/{file_id}``."""
        return self.files.delete(file_id, workspace_id=workspace_id)


FakeFiles = FakeService
"""The name the root had before it held more than Files; users' suites construct it."""
