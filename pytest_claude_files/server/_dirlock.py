"""One server per ``--data-dir``: an exclusive lock on ``<data dir>/.lock`` for the server's life.

Two servers on one directory would split its state (one deletes what the other still
serves). On a disk with no room for the lock file (no inodes left), the directory itself is
locked: a server still starts and serves what the directory holds. The lock is an ``flock``
on an open file, so it dies with the process, also on ``kill -9``: a stale ``.lock`` file
never blocks a restart.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Optional

__all__ = ["LOCK_NAME", "DataDirLock"]

LOCK_NAME = ".lock"


class DataDirLock:
    """The held lock of a data directory; :meth:`release` (idempotent) gives it back."""

    def __init__(self, directory: Path) -> None:
        from pytest_claude_files.server._persistence import ServerError

        self.path = directory / LOCK_NAME
        try:
            self._fd: Optional[int] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # no room for the lock file (no inodes left): lock the directory itself
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS) or not directory.is_dir():
                raise ServerError(
                    f"--data-dir {directory}: cannot make its lock file ({exc.strerror})") from None
            self.path = directory
            self._fd = os.open(directory, os.O_RDONLY)
        if sys.platform == "win32":  # pragma: no cover - POSIX is what CI runs
            return
        import fcntl

        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = "unknown" if self.path == directory else \
                os.read(self._fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(self._fd)
            self._fd = None
            raise ServerError(
                f"--data-dir {directory}: another claude-files-fake server uses it (pid {holder}); "
                f"stop that one, or give this one another --data-dir"
            ) from None
        if self.path != directory:
            try:  # who holds it, for the next server's error (none when the disk is full)
                os.ftruncate(self._fd, 0)
                os.write(self._fd, f"{os.getpid()}\n".encode())
            except OSError:
                pass

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock
            self._fd = None
