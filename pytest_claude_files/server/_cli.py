"""``claude-files-fake``: the emulator server from the command line.

    claude-files-fake serve --host 127.0.0.1 --port 0
    python -m pytest_claude_files serve --port 8000 --shared --seed seed.jsonl

The first line on stdout is ``claude-files-fake serving on http://HOST:PORT`` (so a
script can read the URL when it asked for ``--port 0``); what the start set aside in
``--data-dir`` (quarantined files) is printed on stderr, one warning a line. SIGTERM and
SIGINT (Ctrl-C) stop it with status 0. Usage errors (bad flags, an
unreadable seed file, an unusable data directory) exit with status 2 and one line on
stderr; a port already in use exits with status 1. No tracebacks.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import signal
import sys
from typing import Any, Optional, Sequence, TextIO

PROG = "claude-files-fake"
EXIT_USAGE = 2
EXIT_START_FAILED = 1

def _setting_flags(serve: argparse.ArgumentParser) -> None:
    """The serve flags of the settings, each from its row of the settings table: a value goes
    through the row's parser, and a bad one is the same problem as from the marker or the ini
    option (``argument --storage-quota: expected a size such as ..., got 'lots'``)."""
    from pytest_claude_files._core.settings_table import parse_from, serve_flags

    def reader(setting: Any, flag: str) -> Any:
        def read(text: str) -> Any:
            from pytest_claude_files._core.settings_table import SourceError

            try:
                return parse_from(setting, "serve", text, flag)
            except SourceError as exc:
                raise argparse.ArgumentTypeError(exc.problem) from None

        return read

    for setting, flag in sorted(serve_flags(), key=lambda row: row[0].scope != "serve"):  # server's first
        kind: dict[str, Any] = {
            "value": {"type": reader(setting, flag.flag), "metavar": flag.metavar, "default": flag.default},
            "repeat": {"action": "extend", "type": reader(setting, flag.flag), "metavar": flag.metavar},
            "true": {"action": "store_true", "default": flag.default},
            "false": {"action": "store_false", "default": flag.default},
            "true_or_none": {"action": "store_true", "default": None},
        }[flag.kind]
        serve.add_argument(flag.flag, dest=setting.name, help=flag.help, **kind)


def setting_values(args: argparse.Namespace, environ: Optional[Any] = None) -> dict[str, Any]:
    """The settings the serve flags (else their environment variables) set: name -> value."""
    from pytest_claude_files._core.settings_table import SETTINGS, SourceError, parse_from

    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if not setting.serve or (setting.scope == "serve" and setting.env is None):
            continue  # the server's own flags (host, port, ...) are read from args
        value = getattr(args, setting.name, None)
        if value is None and setting.env is not None and env.get(setting.env, "").strip():
            try:
                value = parse_from(setting, "env", env[setting.env])
            except SourceError as exc:
                raise ValueError(str(exc)) from None
        if value is not None:
            values[setting.name] = value
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A fake Claude Files API on a real port (pytest-claude-files emulator).",
    )
    from pytest_claude_files._version import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    serve = commands.add_parser(
        "serve", help="serve the fake Files API over HTTP",
        description="Serve the fake Files API (and its control API) over HTTP.",
    )
    _setting_flags(serve)  # every serve flag, from the one table (_core/settings_table.py)
    openapi = commands.add_parser("openapi", help="print the OpenAPI 3.1 document and exit")
    openapi.add_argument("--indent", type=int, default=2, help="JSON indentation (default 2)")
    docs = commands.add_parser(
        "docs", help="print the documentation (offline, from the installed package)",
        description="Print a page of the documentation, or one section of it: "
                    "claude-files-fake docs reference#ini-options. Without SECTION: the pages.",
    )
    docs.add_argument("section", nargs="?", default="", metavar="PAGE[#SECTION]",
                      help="a page (reference, respx, ...) and optionally a section anchor")
    cassettes = commands.add_parser(
        "cassettes", help="work with recorded cassettes (claude-files-fake docs cassettes)",
        description="Recorded cassettes (--claude-files-record) and the fake.",
    )
    actions = cassettes.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check", help="replay each cassette's requests against the fake; print where its answers differ",
        description="Replay each cassette's requests against a fresh fake and print, per request, where "
                    "the fake's answer differs from the recorded one (status, error type and message, "
                    "fields, headers), with the docs/fidelity.md row. Exit 1 on any difference.",
    )
    check.add_argument("directory", metavar="DIR",
                       help="a directory of cassettes (searched recursively), or one cassette")
    drift = commands.add_parser(
        "drift", help="compare the installed SDK with the fake's tables; exit 1 on any difference",
        description="Print every difference between the installed anthropic SDK (and, with --node, "
                    "@anthropic-ai/sdk) and what the fake was last reviewed against: beta names, "
                    "error codes and their statuses, file-bearing block types, Files method and "
                    "list parameters, the anthropic-version sent (claude-files-fake docs drift).",
    )
    drift.add_argument("--node", nargs="?", const=".", default=None, metavar="DIR",
                       help="also check @anthropic-ai/sdk from the node_modules at or above DIR "
                            "(default: the current directory)")
    drift.add_argument("--no-python", dest="python", action="store_false",
                       help="skip the Python SDK (with --node: check only the TypeScript one)")
    return parser


class _Terminated(BaseException):
    """SIGTERM: stop, with status 0 (a BaseException, as KeyboardInterrupt: no `except Exception`
    on the way swallows it)."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _say(text: str, stream: Optional[TextIO] = None) -> None:
    """Print a line; a reader that went away (a script read the URL and closed the pipe) does
    not stop the server."""
    out = stream or sys.stdout
    try:
        print(text, file=out, flush=True)
    except (BrokenPipeError, ValueError, OSError):
        # What failed to flush stays buffered, and Python's own flush at exit would fail
        # again (exit status 120): point the stream at /dev/null, as the Python docs advise.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "openapi":
        from pytest_claude_files.server._openapi import openapi_document

        print(json.dumps(openapi_document(), indent=args.indent))
        return 0
    if args.command == "cassettes":
        from pytest_claude_files._core.cassette import CassetteError
        from pytest_claude_files._live.cassette_check import run as check_cassettes

        try:
            return check_cassettes(args.directory, sys.stdout)
        except CassetteError as exc:
            return _fail(str(exc), EXIT_USAGE)
    if args.command == "docs":
        from pytest_claude_files._core.docs import DocsError, read_section

        try:
            sys.stdout.write(read_section(args.section))
        except DocsError as exc:
            return _fail(str(exc), EXIT_USAGE)
        return 0
    if args.command == "drift":
        from pytest_claude_files._sdk.drift import run

        return run(python=args.python, node=args.node)
    # SIGTERM or Ctrl-C while starting (loading a seed, a data dir): stop quietly, status 0;
    # the handler before goes back at the end (main() called in-process leaves none behind)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _serve(args)
    except (KeyboardInterrupt, _Terminated):
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


SERVER_EXTRA_HINT = "pip install 'pytest-claude-files[server]'"


def _uvicorn_missing() -> Optional[str]:
    """The one-line error when the [server] extra (uvicorn) is not installed, else None."""
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        return f"serve needs uvicorn, which is not installed: {SERVER_EXTRA_HINT}"
    return None


def _serve(args: argparse.Namespace) -> int:
    from dataclasses import fields

    missing = _uvicorn_missing()
    if missing:
        return _fail(missing, EXIT_USAGE)

    from pytest_claude_files._core.files import FakeFilesSettings
    from pytest_claude_files.server._app import (
        allow_host,
        bind_socket,
        make_app,
        url_of,
        uvicorn_config,
    )
    from pytest_claude_files.server._asgi import DEFAULT_READ_TIMEOUT, DEFAULT_SPOOL_THRESHOLD
    from pytest_claude_files.server._persistence import ServerError, load_seed_file

    try:
        values = setting_values(args)  # the flags, else the variables, of the table's rows
        fake_fields = {f.name for f in fields(FakeFilesSettings)}
        settings = FakeFilesSettings(**{k: v for k, v in values.items()
                                        if k in fake_fields and k != "api_keys"})  # keys: per tenant
        seeds = load_seed_file(args.seed_file) if args.seed_file else []
        token = values.get("control_token")
        if args.control_token_file is not None:
            if args.control_token is not None:
                return _fail("--control-token-file: give the token one way, not also --control-token",
                             EXIT_USAGE)
            try:
                with open(args.control_token_file, encoding="utf-8") as handle:
                    token = handle.readline().strip()
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                return _fail(f"--control-token-file {args.control_token_file}: cannot read it ({reason})",
                             EXIT_USAGE)
        if token is not None and not token.strip():
            return _fail("--control-token: the admin token cannot be empty (give one, or leave it out: "
                         "cross-tenant control operations are then refused)", EXIT_USAGE)
        quiet = logging.NullHandler()  # the start's warnings are printed below, once (not also by logging)
        start_logger = logging.getLogger("pytest_claude_files.server")
        start_logger.addHandler(quiet)
        try:
            app = make_app(
                settings=settings, api_keys=values.get("api_keys"), shared=args.shared,
                control_api=args.control_api, data_dir=args.data_dir, seeds=seeds,
                spool_threshold=args.spool_threshold if args.spool_threshold is not None
                else DEFAULT_SPOOL_THRESHOLD,
                control_token=token,
                read_timeout=args.read_timeout if args.read_timeout is not None else DEFAULT_READ_TIMEOUT,
            )
        finally:
            start_logger.removeHandler(quiet)
    except ServerError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        sock = bind_socket(args.host, args.port)
    except ServerError as exc:
        return _fail(str(exc), EXIT_START_FAILED)
    allow_host(app, args.host)

    try:
        import uvicorn

        _say(f"{PROG} serving on {url_of(sock)}")
        details = [
            "tenants: " + ("one shared space" if args.shared else "one space per API key"),
            "keys: " + (f"{len(values['api_keys'])} configured" if values.get("api_keys")
                        else "any non-empty key"),
            "control API: " + ("/_claude_files/" if args.control_api else "off"),
            "OpenAPI: /openapi.json",
        ]
        if args.data_dir:
            details.append(f"data dir: {args.data_dir}")
        if token:
            details.append("admin token: set")
        _say("  " + "; ".join(details))
        for warning in app.tenants.warnings:
            _say(f"{PROG}: warning: {warning}", sys.stderr)
        gc.collect()
        gc.freeze()  # startup objects (pydantic, uvicorn) out of every later collection
        signal.signal(signal.SIGTERM, _terminated)  # uvicorn re-raises the signal once stopped
        class _Server(uvicorn.Server):
            def handle_exit(self, sig: int, frame: Any) -> None:
                if self.should_exit:  # a second SIGTERM (or Ctrl-C): stop now, open requests or not
                    self.force_exit = True
                super().handle_exit(sig, frame)

        _Server(uvicorn_config(app, args.log_level)).run(sockets=[sock])
    except (KeyboardInterrupt, _Terminated):  # Ctrl-C / SIGTERM, re-raised by uvicorn once stopped
        pass
    finally:
        sock.close()
    return 0
