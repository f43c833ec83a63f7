"""``kill -9`` cycles of ``claude-files-fake serve --data-dir`` with every surface in flight
(issue 24): files, Message Batches, skills and their versions, Managed Agents sessions.

Each cycle starts the server (forked, as ``tests/test_server_crash.py`` does), runs four
clients at once through the official SDK (uploads and deletes; batch creates, cancels, looks
and deletes; skill and version creates and deletes; session creates, messages, archives and
deletes), kills the server with SIGKILL at a random moment once every client has had an
answer, restarts it, and checks that every acknowledged operation is there: nothing lost,
nothing deleted come back, no phantom. An operation whose answer the kill cut off has an
unknown outcome and is counted apart. The slow test ``tests/test_server_crash_state.py``
runs 10 cycles; by hand (outside CI), from the repository root::

    python -m tests.crash_cycles --cycles 100

prints the figures (acked operations, lost, resurrected, phantoms, restart times).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from pytest_claude_files.strategies import skill_files
from tests.test_server_crash import start

KEY = "sk-ant-crash-state"
ASK = {"model": "claude-fake-model", "max_tokens": 32, "messages": [{"role": "user", "content": "Hi"}]}
MESSAGE = {"type": "user.message", "content": [{"type": "text", "text": "Go on."}]}


@dataclass
class Book:
    """What the clients were told (acknowledged), per surface."""

    files: dict[str, str] = field(default_factory=dict)  # id -> name
    files_gone: set[str] = field(default_factory=set)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> n, ended, canceled
    batches_gone: set[str] = field(default_factory=set)
    skills: dict[str, set[str]] = field(default_factory=dict)  # id -> version ids
    skills_gone: set[str] = field(default_factory=set)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> sent event ids, archived
    sessions_gone: set[str] = field(default_factory=set)
    agent: str = ""
    environment: str = ""
    acked: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def ack(self, what: str) -> None:
        self.acked += 1
        self.counts[what] = self.counts.get(what, 0) + 1


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)
    phantoms: list[str] = field(default_factory=list)
    unknown: int = 0
    errors: list[str] = field(default_factory=list)


class Worker(threading.Thread):
    """One client: runs ``step`` until the server dies; ``in_flight`` names the operation cut off."""

    def __init__(self, url: str, step: Callable[[Any, random.Random, Worker], None], seed: int,
                 errors: list[str]) -> None:
        super().__init__(daemon=True)
        import anthropic

        self.client = anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=0, timeout=10)
        self.step, self.rng, self.errors = step, random.Random(seed), errors
        self.in_flight: Optional[tuple[str, str]] = None
        self.answered = threading.Event()

    def run(self) -> None:
        import anthropic

        while True:
            try:
                self.step(self.client, self.rng, self)
            except anthropic.APIConnectionError:
                return  # the server is gone: what was in flight stays in ``in_flight``
            except anthropic.APIStatusError as exc:
                self.errors.append(f"{self.in_flight}: {exc.status_code} {exc.message}")
                return
            self.in_flight = None
            self.answered.set()


def files_step(book: Book) -> Callable[[Any, random.Random, Worker], None]:
    def step(client: Any, rng: random.Random, me: Worker) -> None:
        live = [i for i in book.files if i not in book.files_gone]
        if live and rng.random() < 0.4:
            victim = rng.choice(live)
            me.in_flight = ("file.delete", victim)
            client.files.delete(victim)
            book.files_gone.add(victim)
            book.ack("file.delete")
        else:
            name = f"u{len(book.files)}-{rng.randrange(10**9)}.bin"
            me.in_flight = ("file.upload", name)
            made = client.files.upload(file=(name, rng.randbytes(rng.choice([10, 5000, 100_000])),
                                             "application/octet-stream"))
            book.files[made.id] = name
            book.ack("file.upload")
    return step


def batches_step(book: Book) -> Callable[[Any, random.Random, Worker], None]:
    def step(client: Any, rng: random.Random, me: Worker) -> None:
        batches = client.messages.batches
        live = [i for i in book.batches if i not in book.batches_gone]
        roll = rng.random()
        if not live or roll < 0.4:
            n = rng.randint(1, 3)
            me.in_flight = ("batch.create", "")
            made = batches.create(requests=[{"custom_id": f"r{i}", "params": ASK} for i in range(n)])
            book.batches[made.id] = {"n": n, "ended": False, "canceled": False}
            book.ack("batch.create")
            return
        victim = rng.choice(live)
        state = book.batches[victim]
        if roll < 0.6 and not state["ended"]:
            me.in_flight = ("batch.cancel", victim)
            try:
                batches.cancel(victim)
                state["canceled"] = True
            except Exception as exc:  # already ended (a 400): it was seen ended
                if getattr(exc, "status_code", None) != 400:
                    raise
                state["ended"] = True
            book.ack("batch.cancel")
        elif roll < 0.8:
            me.in_flight = ("batch.retrieve", victim)
            if batches.retrieve(victim).processing_status == "ended":
                state["ended"] = True
            book.ack("batch.retrieve")
        elif state["ended"]:
            me.in_flight = ("batch.delete", victim)
            batches.delete(victim)
            book.batches_gone.add(victim)
            book.ack("batch.delete")
    return step


def skills_step(book: Book) -> Callable[[Any, random.Random, Worker], None]:
    def step(client: Any, rng: random.Random, me: Worker) -> None:
        live = [i for i in book.skills if i not in book.skills_gone]
        roll = rng.random()
        if not live or roll < 0.35:
            name = f"s{len(book.skills)}-{rng.randrange(10**6)}"
            me.in_flight = ("skill.create", name)
            made = client.skills.create(files=skill_files(name, files={"data.bin": rng.randbytes(200)}))
            book.skills[made.id] = {made.latest_version_id}
            book.ack("skill.create")
            return
        victim = rng.choice(live)
        versions = book.skills[victim]
        name = client.skills.retrieve(victim).display_name if roll < 0.7 else ""
        if roll < 0.7:
            me.in_flight = ("skill.version", victim)
            made = client.skills.versions.create(victim, files=skill_files(name))
            versions.add(made.id)
            book.ack("skill.version")
        elif roll < 0.85 and len(versions) > 1:
            version = rng.choice(sorted(versions))
            me.in_flight = ("skill.version.delete", victim)
            client.skills.versions.delete(version, skill_id=victim)
            versions.discard(version)
            book.ack("skill.version.delete")
        elif roll >= 0.85:
            me.in_flight = ("skill.delete", victim)
            client.skills.delete(victim)
            book.skills_gone.add(victim)
            book.ack("skill.delete")
    return step


def sessions_step(book: Book) -> Callable[[Any, random.Random, Worker], None]:
    def step(client: Any, rng: random.Random, me: Worker) -> None:
        sessions = client.beta.sessions
        live = [i for i in book.sessions if i not in book.sessions_gone]
        open_ = [i for i in live if not book.sessions[i]["archived"]]
        roll = rng.random()
        if not open_ or roll < 0.3:
            me.in_flight = ("session.create", "")
            made = sessions.create(agent=book.agent, environment_id=book.environment)
            book.sessions[made.id] = {"events": [], "archived": False}
            book.ack("session.create")
        elif roll < 0.75:
            victim = rng.choice(open_)
            me.in_flight = ("session.send", victim)
            sent = sessions.events.send(victim, events=[MESSAGE])
            book.sessions[victim]["events"].extend(e.id for e in sent.data)
            book.ack("session.send")
        elif roll < 0.85:
            victim = rng.choice(open_)
            me.in_flight = ("session.archive", victim)
            sessions.archive(victim)
            book.sessions[victim]["archived"] = True
            book.ack("session.archive")
        else:
            victim = rng.choice(live)
            me.in_flight = ("session.delete", victim)
            sessions.delete(victim)
            book.sessions_gone.add(victim)
            book.ack("session.delete")
    return step


def check(client: Any, book: Book, cut: list[tuple[str, str]], found: Findings, rng: random.Random,
          sample: Optional[int]) -> None:
    """After a restart: everything acknowledged is there, nothing deleted is back, no phantom.
    ``cut``: the operations the kill cut off (their outcome is unknown). ``sample``: how many
    sessions and skills to read in depth (``None``: all)."""
    import anthropic

    kinds = {op for op, _ in cut}
    targets = {target for _, target in cut}

    def pick(ids: list[str]) -> list[str]:
        return ids if sample is None or len(ids) <= sample else rng.sample(ids, sample)

    def compare(what: str, listed: set[str], acked: dict[str, Any], gone: set[str], create: str) -> None:
        for object_id in acked:
            present = object_id in listed
            if (f"{what}.delete", object_id) in cut:
                found.unknown += 1
                if not present:
                    gone.add(object_id)
            elif object_id in gone and present:
                found.back.append(f"{what} {object_id}")
            elif object_id not in gone and not present:
                found.lost.append(f"{what} {object_id}")
        for object_id in listed - set(acked):
            if create in kinds:  # made, but its answer was lost to the kill
                found.unknown += 1
                adopt(what, object_id)
            else:
                found.phantoms.append(f"{what} {object_id}")

    def adopt(what: str, object_id: str) -> None:
        if what == "file":
            book.files[object_id] = "?"
        elif what == "batch":
            got = client.messages.batches.retrieve(object_id)
            book.batches[object_id] = {"n": sum(got.request_counts.model_dump().values()), "ended": False,
                                       "canceled": False}
        elif what == "skill":
            book.skills[object_id] = {v.id for v in client.skills.versions.list(object_id, limit=100)}
        else:
            book.sessions[object_id] = {"events": [], "archived": False}

    compare("file", {f.id for f in client.files.list(limit=1000)}, book.files, book.files_gone, "file.upload")
    batches = {b.id: b for b in client.messages.batches.list(limit=1000)}
    compare("batch", set(batches), book.batches, book.batches_gone, "batch.create")
    for batch_id, state in book.batches.items():
        got = batches.get(batch_id)
        if got is None or batch_id in targets:
            continue
        if state["ended"] and got.processing_status != "ended":
            found.lost.append(f"batch {batch_id} ended, now {got.processing_status}")
        if state["canceled"] and got.processing_status == "in_progress":
            found.lost.append(f"batch {batch_id} cancel")
        ended = got.processing_status == "ended"
        if state["canceled"] and ended and got.request_counts.canceled != state["n"]:
            found.lost.append(f"batch {batch_id} canceled, results {got.request_counts}")
    skills = {s.id for s in client.skills.list(source="custom", limit=100)}
    compare("skill", skills, book.skills, book.skills_gone, "skill.create")
    for skill_id in pick(sorted(skills & set(book.skills) - targets)):
        versions = {v.id for v in client.skills.versions.list(skill_id, limit=100)}
        if versions != book.skills[skill_id]:
            found.lost.append(f"skill {skill_id} versions {sorted(book.skills[skill_id] ^ versions)}")
    listed = {s.id: s for s in client.beta.sessions.list(limit=1000, include_archived=True)}
    compare("session", set(listed), book.sessions, book.sessions_gone, "session.create")
    for session_id in pick(sorted(set(listed) & set(book.sessions) - targets)):
        state = book.sessions[session_id]
        if state["archived"] and listed[session_id].archived_at is None:
            found.lost.append(f"session {session_id} archive")
        events = {e.id for e in client.beta.sessions.events.list(session_id, limit=1000)}
        missing = [e for e in state["events"] if e not in events]
        if missing:
            found.lost.append(f"session {session_id} events {missing}")
    for op, target in cut:  # what an operation cut off may have done, read back
        if op in ("skill.version", "skill.version.delete") and target in skills:
            book.skills[target] = {v.id for v in client.skills.versions.list(target, limit=100)}
        elif op == "session.archive" and target in listed:
            book.sessions[target]["archived"] = listed[target].archived_at is not None
    for what, getter, object_id in (("agent", client.beta.agents.retrieve, book.agent),
                                    ("environment", client.beta.environments.retrieve, book.environment)):
        try:
            getter(object_id)
        except anthropic.NotFoundError:
            found.lost.append(f"{what} {object_id}")


def run(cycles: int, data_dir: Path, seed: int = 2024, sample: Optional[int] = 8,
        hold: float = 0.5, say: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """``cycles`` kill-and-restart cycles on ``data_dir``; the figures."""
    import anthropic

    log = data_dir.parent / f"{data_dir.name}-stderr.log"
    rng = random.Random(seed)
    book, found = Book(), Findings()
    restarts: list[float] = []
    begun = time.monotonic()
    pid, url = start(data_dir, log)
    setup = anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=0)
    book.environment = setup.beta.environments.create(name="crash").id
    book.agent = setup.beta.agents.create(name="crash", model="claude-opus-4-7").id
    for cycle in range(cycles):
        from pytest_claude_files.server.control_client import ControlClient

        ControlClient(url, KEY).hold_batches(rng.random() < hold)  # held: in progress at the kill
        workers = [Worker(url, make(book), rng.randrange(2**32), found.errors)
                   for make in (files_step, batches_step, skills_step, sessions_step)]
        for worker in workers:
            worker.start()
        for worker in workers:
            assert worker.answered.wait(30) or not worker.is_alive(), "a client got no answer"
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for worker in workers:
            worker.join(15)
        assert not any(w.is_alive() for w in workers), "a client hangs on a dead server"
        cut = [w.in_flight for w in workers if w.in_flight is not None]
        moment = time.monotonic()
        pid, url = start(data_dir, log)  # every restart succeeds
        restarts.append(time.monotonic() - moment)
        client = anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=0, timeout=30)
        last = cycle == cycles - 1
        check(client, book, cut, found, rng, None if last else sample)
        say(f"cycle {cycle + 1}/{cycles}: acked {book.acked}, restart {restarts[-1]:.2f} s, lost "
            f"{len(found.lost)}, back {len(found.back)}, phantoms {len(found.phantoms)}")
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    warnings = log.read_text().count("warning:") if log.exists() else 0
    return {
        "cycles": cycles, "acked": book.acked, "acked_by_operation": dict(sorted(book.counts.items())),
        "lost": found.lost, "back": found.back, "phantoms": found.phantoms, "unknown": found.unknown,
        "errors": found.errors, "restart_max_s": round(max(restarts), 3),
        "restart_mean_s": round(sum(restarts) / len(restarts), 3), "quarantine_warnings": warnings,
        "clean_exit": os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
        "kept": {"files": len(set(book.files) - book.files_gone),
                 "batches": len(set(book.batches) - book.batches_gone),
                 "skills": len(set(book.skills) - book.skills_gone),
                 "sessions": len(set(book.sessions) - book.sessions_gone)},
        "seconds": round(time.monotonic() - begun, 1),
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.crash_cycles", description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--dir", type=Path, default=None, help="the data dir's parent (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        where = (args.dir or Path(scratch)) / "data"
        figures = run(args.cycles, where, args.seed, say=print)
    for key, value in figures.items():
        print(f"{key}: {value}")
    ok = not (figures["lost"] or figures["back"] or figures["phantoms"] or figures["errors"])
    return 0 if ok and figures["clean_exit"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
