"""``python -m pytest_claude_files serve ...``: the emulator server's command line."""

from __future__ import annotations

import sys

from pytest_claude_files.server._cli import main

if __name__ == "__main__":
    sys.exit(main())
