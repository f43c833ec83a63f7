"""The files of the cleanup ledger on disk: locks, directory fsync, opening a regular file
without following links, the ledger directory, and what makes a file a ledger of ours."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Optional

__all__ = ["LEDGER_NAME", "NOFOLLOW", "ensure_ledger_dir", "fsync_dir", "lock", "not_a_ledger",
           "open_regular"]

def lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; ``False`` when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - POSIX is what CI runs
        import msvcrt

        try:
            os.lseek(fd, 1 << 30, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


NOFOLLOW = getattr(os, "ONOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: Path, flags: int) -> tuple[Optional[int], str]:
    """``(fd, "")`` for a regular file at ``path`` (never through a link, never blocking on a
    FIFO), else ``(None, why)``; ``why`` is ``""`` when the file is simply gone."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    if not stat.S_ISREG(mode):
        return None, _kind(mode)
    try:
        fd = os.open(path, flags | NOFOLLOW | _NONBLOCK)
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"cannot be opened ({exc.strerror})"
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # swapped between the lstat and the open
        os.close(fd)
        return None, _kind(mode)
    return fd, ""


def ensure_ledger_dir(directory: Path) -> None:
    """Create the ledger directory (0700) with a ``.gitignore``; refuse a symlink or a file there.

    The ``.gitignore`` (``*``) goes only into a directory this call created: a directory
    that was already there (``claude_files_ledger_dir`` pointed at a folder of the user's)
    is the user's, and nothing is written into it but the ledgers themselves.
    """
    created = False
    try:
        mode = os.lstat(directory).st_mode
    except FileNotFoundError:
        try:
            directory.mkdir(mode=0o700, parents=True)
            created = True
        except FileExistsError:  # made meanwhile by another process
            pass
        mode = os.lstat(directory).st_mode
    if not stat.S_ISDIR(mode):
        raise NotADirectoryError(
            f"claude-files: the ledger directory {directory} is {_kind(mode)}; remove it "
            f"(the plugin creates the directory itself)"
        )
    if not created:
        return
    ignore = directory / ".gitignore"
    try:
        fd = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    except FileExistsError:
        return
    try:
        os.write(fd, b"# created by pytest-claude-files: uploads still to delete\n*\n")
    finally:
        os.close(fd)


LEDGER_NAME = re.compile(r"\A[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*-[0-9]+-[0-9a-f]+\.jsonl\Z")
"""The name of a ledger file: ``<session>-<worker>-<pid>-<stamp>.jsonl``. A sweep looks at
no other file (a user's ``seed.jsonl`` in the ledger directory is not a ledger)."""
_HEAD_BYTES = 64 * 1024


def not_a_ledger(fd: int) -> str:
    """Why the open file ``fd`` is not a ledger this plugin wrote (``""`` when it is one).

    A ledger starts with its ``session`` line and has one name only: a file with another
    first line, or with a second (hard) link, is someone else's and is never touched."""
    info = os.fstat(fd)
    if info.st_nlink != 1:
        return f"a file with {info.st_nlink} hard links (a ledger has one)"
    os.lseek(fd, 0, os.SEEK_SET)
    head = os.read(fd, _HEAD_BYTES)
    first = head.split(b"\n", 1)[0]
    try:
        record = json.loads(first)
    except ValueError:
        record = None
    is_session = isinstance(record, dict) and record.get("event") == "session"
    if not is_session or not isinstance(record.get("v"), int):
        return "a file that does not start as a ledger does (a session line)"
    return ""
