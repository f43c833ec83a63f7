"""Write docs/reference.md's tables of settings from the settings table (``_core/settings_table.py``).

    python tests/gen_reference.py            # rewrite the tables in docs/reference.md
    python tests/gen_reference.py --check    # exit 1 if they are out of date

The generator is ``pytest_claude_files._core.settings_docs``; ``tests/test_settings_docs.py``
fails when the page differs from what it writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from pytest_claude_files._core.settings_docs import main

    args = sys.argv[1:]
    if "--check" not in args and "--write" not in args:
        args.append("--write")
    raise SystemExit(main([*args, "--page", str(ROOT / "docs" / "reference.md")]
                          if "--page" not in args else args))
