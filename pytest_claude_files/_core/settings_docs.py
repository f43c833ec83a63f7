"""The tables of settings in docs/reference.md, written from the settings table
(``_core/settings_table.py``).

Each table sits between two markers in the page, ``<!-- settings:NAME -->`` and
``<!-- /settings:NAME -->`` (``marker``, ``respx``, ``ini``, ``options``, ``env``, ``serve``); the prose
around them is written by hand. After changing a row::

    python tests/gen_reference.py            # rewrites docs/reference.md (this module's --write)
    python tests/gen_reference.py --check    # exit 1 if it is out of date

``tests/test_settings_docs.py`` fails when the page differs from what ``--write`` writes.
Standard library only.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

from pytest_claude_files._core import settings_table as _table

__all__ = ["COMMAND", "TABLES", "render", "tables"]

COMMAND = "python tests/gen_reference.py"
DEFAULT_PAGE = Path("docs") / "reference.md"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"


def _grid(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    return "\n".join([_row(*head), "|" + "---|" * len(head), *(_row(*r) for r in rows)])


def marker_table() -> str:
    return _grid(("argument", "type", "default", "meaning"),
                  [(f"`{s.name}`", s.type, s.default, s.doc) for s in _table.marker_settings()])


def respx_table() -> str:
    return _grid(("argument", "type", "default", "meaning"),
                 [(f"`{s.name}`", s.type, s.default, s.doc) for s in _table.SETTINGS if s.scope == "respx"])


def ini_table() -> str:
    return _grid(("ini option", "values", "default", "meaning"),
                  [(f"`{s.ini}`", s.values, s.default, s.doc) for s in _table.ini_options()])


def options_table() -> str:
    rows = []
    for s in _table.options():
        assert s.option is not None
        link = f"[`{s.option}`](#{s.option[1:]})"  # the section's anchor: "### `--claude-files-x`"
        rows.append((link, "flag" if s.option_flag else s.values, s.default, s.doc))
    return _grid(("option", "values", "default", "meaning"), rows)


def env_table() -> str:
    return _grid(("variable", "read by", "meaning"),
                  [(f"`{s.env}`", s.env_reader, s.doc) for s in _table.env_vars()])


def serve_table() -> str:
    rows = []
    for s, flag in sorted(_table.serve_flags(), key=lambda row: row[0].scope != "serve"):  # as --help
        value = {"value": s.values, "repeat": f"{s.values}, repeatable"}.get(flag.kind, "flag")
        rows.append((f"`{flag.flag}`", value, s.default, s.doc if s.scope == "serve" else flag.help))
    return _grid(("flag", "value", "default", "meaning"), rows)


TABLES: dict[str, Callable[[], str]] = {
    "marker": marker_table, "respx": respx_table, "ini": ini_table, "options": options_table,
    "env": env_table, "serve": serve_table,
}


def tables() -> dict[str, str]:
    """Every generated table by its marker name."""
    return {name: make() for name, make in TABLES.items()}


def _filler(text: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(1) + text + "\n" + match.group(2)


def render(page: str) -> str:
    """``page`` with every table between its markers rewritten from the settings table; a marker
    missing from the page is a ``ValueError``."""
    for name, text in tables().items():
        pattern = re.compile(rf"(<!-- settings:{name} -->\n)(?:.*?\n)?(<!-- /settings:{name} -->)", re.S)
        if not pattern.search(page):
            raise ValueError(f"the page has no <!-- settings:{name} --> ... "
                             f"<!-- /settings:{name} --> block")
        page = pattern.sub(_filler(text), page)
    return page


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_claude_files._core.settings_docs",
        description="Write docs/reference.md's tables of settings from the settings table.")
    parser.add_argument("--page", type=Path, default=DEFAULT_PAGE,
                        help="the page (default docs/reference.md)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the tables in the page")
    mode.add_argument("--check", action="store_true", help="exit 1 if the page's tables are out of date")
    args = parser.parse_args(argv)
    if not args.write and not args.check:
        for name, text in tables().items():
            print(f"<!-- settings:{name} -->\n{text}\n<!-- /settings:{name} -->\n")
        return 0
    try:
        page = args.page.read_text(encoding="utf-8")
        new = render(page)
    except (OSError, ValueError) as exc:
        print(f"settings_docs: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if new != page:
            print(f"{args.page}: the settings tables are out of date; run: {COMMAND}", file=sys.stderr)
            return 1
        return 0
    if new != page:
        args.page.write_text(new, encoding="utf-8")
        print(f"{args.page}: settings tables rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
