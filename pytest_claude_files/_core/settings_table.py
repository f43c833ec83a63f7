"""The one table of the fake's settings: each declared once, everything else made from it.

A row names a setting (the ``@pytest.mark.claude_files`` argument and the field of
``ClaudeFilesConfig``), its marker doc line, its ini option (with that option's type and
help text) and its ``claude-files-fake serve`` flags. ``_core/config.py`` takes the marker
arguments from here (``MARKER_ARGS``, the usage errors' "known arguments"), ``plugin.py``
registers the ini options from here, ``_plugin/config.py`` reads them from here, and
``tests/test_settings_table.py`` checks that the serve flags and docs/reference.md match
it. Standard library only: the plugin's start-up imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

__all__ = ["SETTINGS", "ServeFlag", "Setting", "by_name", "ini_options", "marker_args", "serve_flags"]


@dataclass(frozen=True)
class ServeFlag:
    """A ``claude-files-fake serve`` flag of a setting. ``kind`` says how it parses:
    ``key`` / ``beta`` (repeatable), ``size``, ``positive``, ``true`` (on when given),
    ``false`` (off when given), ``true_or_none`` (on when given, else the default)."""

    flag: str
    kind: str
    help: str


@dataclass(frozen=True)
class Setting:
    name: str
    """The marker argument (and the ``ClaudeFilesConfig`` field)."""
    doc: str
    """The marker's doc line: what it does, its default."""
    ini: Optional[str] = None
    """The ini option (``None``: the setting has none)."""
    ini_help: str = ""
    ini_type: str = "string"
    """``string`` or ``linelist`` (pytest's ``addini`` types)."""
    serve: tuple[ServeFlag, ...] = ()
    """The ``claude-files-fake serve`` flags that set it."""


SETTINGS: tuple[Setting, ...] = (
    Setting("api_keys", "keys the fake accepts (a list of strings); default: any non-empty key",
            "claude_files_api_keys", "API keys the fake accepts (one a line); default: any non-empty key.",
            "linelist",
            (ServeFlag("--api-key", "key",
                       "accept only this key (repeatable); default: any non-empty key"),)),
    Setting("api_key", "the key the fixture clients send; default: the first of api_keys, or a fake key"),
    Setting("storage_quota", "organization storage in bytes or with a unit ('10MB'); default 1TB",
            "claude_files_storage_quota",
            "Organization storage of the fake, bytes or with a unit ('10MB'); default 1TB.",
            serve=(ServeFlag("--storage-quota", "size", "storage per space (default 1TB)"),)),
    Setting("max_file_size", "largest file in bytes or with a unit ('1MB'); default 500MB",
            "claude_files_max_file_size",
            "Largest file the fake accepts, bytes or with a unit; default 500MB.",
            serve=(ServeFlag("--max-file-size", "size", "largest file accepted (default 500MB)"),)),
    Setting("rate_limit", "requests per minute before 429 rate_limit_error, or 'documented' (500, the "
                          "published figure for file calls); default unlimited",
            "claude_files_rate_limit", "Requests per minute before the fake answers 429; default unlimited.",
            serve=(ServeFlag("--rate-limit", "positive", "requests per minute per space before 429, or "
                                                    "'documented' (500); default unlimited"),)),
    Setting("now", "the clock's start (datetime or ISO 8601 string); default the real time"),
    Setting("freeze_time", "stop the clock (True) so created_at values are predictable; default False"),
    Setting("max_retries", "the fixture clients' max_retries; default the SDK's (2)",
            "claude_files_max_retries", "max_retries of the fixture clients; default the SDK's (2)."),
    Setting("guess_mime_type",
            "guess a type for parts sent as application/octet-stream (opt-in); default False",
            "claude_files_guess_mime_type",
            "Store a guess from the filename for parts sent as application/octet-stream "
            "(the real API keeps octet-stream); true/false, default false.",
            serve=(ServeFlag("--guess-mime-type", "true", "store a guess from the filename for parts sent "
                   "as application/octet-stream (the real API keeps octet-stream)"),)),
    Setting("check_anthropic_version", "refuse a missing or unknown anthropic-version (400); default True",
            "claude_files_check_anthropic_version",
            "Refuse a missing or unknown anthropic-version header (400) as the API does; true/false, "
            "default true.",
            serve=(ServeFlag("--no-check-anthropic-version", "false",
                             "serve requests with a missing or unknown anthropic-version header"),)),
    Setting("check_anthropic_beta", "refuse malformed anthropic-beta values (400); default True",
            "claude_files_check_anthropic_beta",
            "Refuse malformed anthropic-beta values (400) as the API does; true/false, default true.",
            serve=(ServeFlag("--no-check-anthropic-beta", "false",
                             "serve requests with malformed anthropic-beta values"),)),
    Setting("known_betas", "beta names accepted without a warning, besides the built-in list; default none",
            "claude_files_known_betas",
            "Beta names to accept without a warning, besides the built-in list (comma- or space-separated).",
            serve=(ServeFlag("--known-beta", "beta",
                             "a beta name to accept besides the built-in list (repeatable)"),)),
    Setting("partition_workspaces",
            "another anthropic-workspace-id's file is a 404; default True (False: shared)",
            "claude_files_partition_workspaces",
            "Files belong to the anthropic-workspace-id they were made in; another workspace's file is a "
            "404 (the real API's rule). true/false, default true.",
            serve=(
                ServeFlag("--partition-workspaces", "true_or_none",
                          "files belong to the anthropic-workspace-id they were made in (the default)"),
                ServeFlag("--shared-workspaces", "false",
                          "every anthropic-workspace-id sees every file (the real API partitions them)"))),
    Setting("misuse_warnings",
            "client-misuse warnings: 'warn', 'error' (fail the test) or 'ignore'; default 'warn'",
            "claude_files_misuse_warnings",
            "Client-misuse warnings: warn (default), error (fail the test) or ignore "
            "(only record on claude_files.warnings)."),
    Setting("cassette", "a recorded cassette whose uploaded files the fake starts with, recorded ids and all "
                        "(a path, relative to the test module); default none"),
)


def marker_args() -> dict[str, str]:
    """The marker's arguments and their doc lines, in the table's order."""
    return {s.name: s.doc for s in SETTINGS}


def ini_options() -> list[Setting]:
    """The settings that have an ini option."""
    return [s for s in SETTINGS if s.ini is not None]


def serve_flags() -> list[tuple[Setting, ServeFlag]]:
    """Every serve flag with its setting, in the table's order."""
    return [(s, f) for s in SETTINGS for f in s.serve]


def by_name(name: str) -> Setting:
    for setting in SETTINGS:
        if setting.name == name:
            return setting
    raise KeyError(name)
