"""The one table of the package's settings: each declared once, everything else made from it.

A row (:class:`Setting`) names a setting and says, once: its doc line, the values it takes and
its default (as the docs show them), its parser (``_core/setting_parsers.py``), and every
spelling a user can set it by: the ``@pytest.mark.claude_files`` argument (``scope="test"``),
the ini option, the ``--claude-files-*`` command-line option, the environment variable and the
``claude-files-fake serve`` flags. From the rows:

- ``_core/config.py``: the marker's arguments (``MARKER_ARGS``), the parsing of every value
  (``validate``), the fake's settings (``ClaudeFilesConfig.settings_kwargs``);
- ``plugin.py`` (``_plugin/config.register``): every ini option and ``--claude-files-*`` option;
  ``_plugin/config.py`` reads the ini options, the options and the environment variables of
  the test settings into ``ClaudeFilesConfig``; the session settings' modules take their names
  (``OPTION_*``, ``INI_*``, ``ENV_*``) and parsers from their rows;
- ``server/_cli.py``: the serve flags of the settings;
- the usage errors (:func:`usage_message`): the same problem from any source, with that
  source's spelling of the setting and the fix.

Adding a setting is one row here plus its behaviour (for a test setting that the fake reads,
a field of ``FakeFilesSettings`` of the same name). Standard library only: the plugin's
start-up imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from pytest_claude_files._core import setting_parsers as p
from pytest_claude_files._core.setting_parsers import Parser

__all__ = [
    "DOCS_ENV",
    "DOCS_INI",
    "DOCS_MARKER",
    "DOCS_OPTIONS",
    "SETTINGS",
    "ServeFlag",
    "Setting",
    "SourceError",
    "by_name",
    "choices",
    "env_vars",
    "ini_options",
    "marker_args",
    "marker_settings",
    "options",
    "parse_from",
    "serve_flags",
    "spelling",
    "usage_message",
]

DOCS_MARKER = "claude-files-fake docs reference#the-claude_files-marker"
DOCS_INI = "claude-files-fake docs reference#ini-options"
DOCS_OPTIONS = "claude-files-fake docs reference#command-line-options"
DOCS_ENV = "claude-files-fake docs reference#environment-variables"
_REAL = "claude-files-fake docs real-backend"
_CASSETTES = "claude-files-fake docs cassettes"
_SEEDS = "claude-files-fake docs strategies#seeds"
_VERDICT = "claude-files-fake docs reference#the-session-verdict"
_CONTRACT = "claude-files-fake docs contract"


@dataclass(frozen=True)
class ServeFlag:
    """A ``claude-files-fake serve`` flag of a setting. ``kind`` says how it reads:
    ``value`` (one value, through the row's parser), ``repeat`` (repeatable, each value
    through the parser, all of them together), ``true`` (on when given), ``false`` (off when
    given), ``true_or_none`` (on when given, else the default)."""

    flag: str
    kind: str
    help: str
    metavar: Optional[str] = None
    default: Any = None
    """The value when the flag is not given (``None``: the setting's default applies)."""


@dataclass(frozen=True)
class Setting:
    name: str
    """The setting's name: the marker argument and ``ClaudeFilesConfig`` field (``scope="test"``),
    the ``dest`` of its command-line option (``claude_files_<name>``)."""
    doc: str
    """One line: what it does (the docs tables' "meaning")."""
    values: str
    """What it takes, as the docs show it (markdown)."""
    default: str
    """Its default, as the docs show it (markdown)."""
    parse: Parser = p.string
    """``parse(value, text) -> value``; raises ``SettingValueError`` (the problem only)."""
    scope: str = "test"
    """``test``: a marker argument, merged over the suite-wide sources for each test;
    ``respx``: a ``@pytest.mark.claude_files_respx`` argument; ``session``: read once by the
    plugin; ``serve``: the emulator's."""
    type: str = ""
    """The marker argument's Python type, as the docs show it (``scope="test"``)."""
    ini: Optional[str] = None
    ini_help: str = ""
    ini_type: str = "string"
    """``string`` or ``linelist`` (pytest's ``addini`` types)."""
    option: Optional[str] = None
    """The ``--claude-files-*`` option (``None``: none)."""
    option_help: str = ""
    option_flag: bool = False
    """The option takes no value (``store_true``)."""
    metavar: Optional[str] = None
    env: Optional[str] = None
    """The environment variable (``None``: none)."""
    env_reader: str = "the plugin"
    """Who reads the environment variable (the docs' "read by")."""
    serve: tuple[ServeFlag, ...] = ()
    """The ``claude-files-fake serve`` flags that set it."""
    docs: Optional[str] = None
    """The ``claude-files-fake docs`` section a usage error points to (default: the
    reference's section of the source)."""

    @property
    def dest(self) -> str:
        """The pytest option's ``dest`` (``config.getoption``)."""
        return f"claude_files_{self.name}"


_BOOL = "`true`, `false`"
_SIZE = "size"

SETTINGS: tuple[Setting, ...] = (
    # -- the fake and the client fixtures: marker arguments (scope="test") -------------------------
    Setting("api_keys", "keys the fake accepts; any other gets 401 `authentication_error`",
            "keys, one a line", "any non-empty key", p.api_keys, type="list of `str` (or one `str`)",
            ini="claude_files_api_keys", ini_type="linelist",
            ini_help="API keys the fake accepts (one a line); default: any non-empty key.",
            serve=(ServeFlag("--api-key", "repeat", "accept only this key (repeatable); default: any "
                             "non-empty key", "KEY"),)),
    Setting("api_key", "the key the client fixtures send",
            "a key", "the first of `api_keys`, else a fake key", p.api_key, type="`str`"),
    Setting("storage_quota", "organization storage; beyond it an upload gets 400 `storage_quota_exceeded`",
            _SIZE, "`1TB`", p.size, type="`int` bytes or `str` with a unit (`\"10MB\"`)",
            ini="claude_files_storage_quota",
            ini_help="Organization storage of the fake, bytes or with a unit ('10MB'); default 1TB.",
            serve=(ServeFlag("--storage-quota", "value", "storage per space (default 1TB)", "SIZE"),)),
    Setting("max_file_size", "largest file; beyond it an upload gets 413",
            _SIZE, "`500MB`", p.size, type="`int` bytes or `str` with a unit (`\"1MB\"`)",
            ini="claude_files_max_file_size",
            ini_help="Largest file the fake accepts, bytes or with a unit; default 500MB.",
            serve=(ServeFlag("--max-file-size", "value", "largest file accepted (default 500MB)", "SIZE"),)),
    Setting("rate_limit", "requests per minute before 429 `rate_limit_error` with `retry-after`; "
                          "`\"documented\"` is the published figure for file calls, 500 a minute",
            "integer ≥ 1 or `documented` (500)", "unlimited", p.rate_limit,
            type="`int` ≥ 1 or `\"documented\"`", ini="claude_files_rate_limit",
            ini_help="Requests per minute before the fake answers 429; default unlimited.",
            serve=(ServeFlag("--rate-limit", "value", "requests per minute per space before 429, or "
                             "'documented' (500); default unlimited", "N"),)),
    Setting("now", "where the fake's clock starts (naive means UTC)",
            "ISO 8601", "the real time", p.instant, type="`datetime` or ISO 8601 `str`"),
    Setting("freeze_time", "stop the clock, so `created_at` values are predictable",
            _BOOL, "`False`", p.strict_flag, type="`bool`"),
    Setting("max_retries", "`max_retries` of the client fixtures",
            "integer ≥ 0", "the SDK's (2)", p.whole(0), type="`int` ≥ 0", ini="claude_files_max_retries",
            ini_help="max_retries of the fixture clients; default the SDK's (2)."),
    Setting("guess_mime_type",
            "opt-in, unfaithful: store a guess from the filename for a part sent as "
            "`application/octet-stream` (the real API keeps octet-stream; "
            "[mime type](fidelity.md#mime-type))",
            _BOOL, "`False`", p.flag, type="`bool`", ini="claude_files_guess_mime_type",
            ini_help="Store a guess from the filename for parts sent as application/octet-stream "
                     "(the real API keeps octet-stream); true/false, default false.",
            serve=(ServeFlag("--guess-mime-type", "true", "store a guess from the filename for parts sent "
                   "as application/octet-stream (the real API keeps octet-stream)"),)),
    Setting("check_anthropic_version",
            "`False`: serve a missing or unknown `anthropic-version` (the API answers 400)",
            _BOOL, "`True`", p.flag, type="`bool`", ini="claude_files_check_anthropic_version",
            ini_help="Refuse a missing or unknown anthropic-version header (400) as the API does; "
                     "true/false, default true.",
            serve=(ServeFlag("--no-check-anthropic-version", "false",
                             "serve requests with a missing or unknown anthropic-version header"),)),
    Setting("check_anthropic_beta", "`False`: serve malformed `anthropic-beta` values (the API answers 400)",
            _BOOL, "`True`", p.flag, type="`bool`", ini="claude_files_check_anthropic_beta",
            ini_help="Refuse malformed anthropic-beta values (400) as the API does; true/false, "
                     "default true.",
            serve=(ServeFlag("--no-check-anthropic-beta", "false",
                             "serve requests with malformed anthropic-beta values"),)),
    Setting("known_betas",
            "beta names accepted without a warning besides the built-in list (`words-YYYY-MM-DD`)",
            "beta names, comma- or space-separated", "none", p.betas,
            type="list of `str`", ini="claude_files_known_betas",
            ini_help="Beta names to accept without a warning, besides the built-in list (comma- or "
                     "space-separated).",
            serve=(ServeFlag("--known-beta", "repeat",
                             "a beta name to accept besides the built-in list (repeatable)", "NAME"),)),
    Setting("partition_workspaces",
            "files belong to the `anthropic-workspace-id` they were made in; another workspace's file is "
            "a 404 and is not listed, as in the real API (\"the workspace is the isolation boundary\"); "
            "`False`: one space shared by every workspace",
            _BOOL, "`True`", p.flag, type="`bool`", ini="claude_files_partition_workspaces",
            ini_help="Files belong to the anthropic-workspace-id they were made in; another workspace's "
                     "file is a 404 (the real API's rule). true/false, default true.",
            serve=(
                ServeFlag("--partition-workspaces", "true_or_none",
                          "files belong to the anthropic-workspace-id they were made in (the default)"),
                ServeFlag("--shared-workspaces", "false",
                          "every anthropic-workspace-id sees every file (the real API partitions them)"))),
    Setting("misuse_warnings",
            "client-misuse warnings ([warnings](fidelity.md#warnings)): warn, fail the test at teardown, "
            "or only record on `claude_files.warnings`",
            "`warn`, `error`, `ignore`", "`warn`", p.choice("warn", "error", "ignore"),
            type="`\"warn\"`, `\"error\"`, `\"ignore\"`", ini="claude_files_misuse_warnings",
            ini_help="Client-misuse warnings: warn (default), error (fail the test) or ignore "
                     "(only record on claude_files.warnings)."),
    Setting("cassette", "the fake starts with the files a recorded cassette uploaded, with their recorded "
                        "ids ([cassettes]"
                        "(cassettes.md#seeding-the-fake-from-a-cassette-claude_filesload_cassettepath))",
            "a path", "none", p.cassette, type="a path (relative to the test module)"),
    # -- the claude_files_respx marker (scope="respx") -----------------------------------------
    Setting("base_url", "where the routes answer; set it when your client has another `base_url`",
            "scheme and host", "`\"https://api.anthropic.com\"`", p.api_url, scope="respx",
            type="`str` (scheme and host)"),
    Setting("pass_through", "other hosts that may reach the network: names, `\"*.example.com\"`, `\"*\"`; "
                            "never the API's host",
            "host names", "`()`", p.hosts, scope="respx", type="`str` or list of `str`"),
    Setting("stateful", "`False`: no fake behind the Files routes, only scripted answers", _BOOL, "`True`",
            p.strict_flag, scope="respx", type="`bool`"),
    Setting("real_sleep", "really sleep the SDK's retry waits and `latency()` (default: recorded, not slept)",
            _BOOL, "`False`", p.strict_flag, scope="respx", type="`bool`"),
    Setting("assert_all_called", "respx's check that every Files route was called", _BOOL, "`False`",
            p.strict_flag, scope="respx", type="`bool`"),
    Setting("assert_all_scripted_used", "fail the test at teardown, listing them, when `script()`-ed results "
                                        "were never used (also `claude_files_respx.assert_all_scripted_used "
                                        "= False` in the test)",
            _BOOL, "`True`", p.strict_flag, scope="respx", type="`bool`"),
    # -- the session: read once by the plugin (scope="session") --------------------------------
    Setting("backend", "where the client fixtures send requests: the in-memory fake, the emulator "
                       "server, the real API, or recorded cassettes",
            "`fake`, `server`, `real`, `replay`", "`fake`", p.choice("fake", "server", "real", "replay"),
            scope="session", ini="claude_files_backend", ini_help="backend: fake (default), server or real",
            option="--claude-files-backend", metavar="fake|server|real",
            option_help="where the claude_files_client fixtures send requests: the in-memory fake "
                        "(default), the emulator server, or the real API (ANTHROPIC_API_KEY). "
                        "Also $CLAUDE_FILES_BACKEND and the claude_files_backend ini option. "
                        f"See {_REAL}",
            env="CLAUDE_FILES_BACKEND", docs=_REAL),
    Setting("cleanup", "delete the session's live uploads at its end", "`on`, `off`", "`on`", p.on_off,
            scope="session", ini="claude_files_cleanup",
            ini_help="auto-cleanup of live uploads: on (default) or off",
            option="--claude-files-cleanup", metavar="on|off",
            option_help="delete, at session end, every file the session uploaded to the server or "
                        "real backend (default on); off keeps them (the ledger still lists them)",
            docs=_REAL),
    Setting("record_all", "also record (and clean up) uploads of every anthropic client in the process",
            _BOOL, "`false`", p.on_off, scope="session", ini="claude_files_record_all",
            ini_help="record uploads of every anthropic client: true/false",
            option="--claude-files-record-all", option_flag=True,
            option_help="also record (and clean up) uploads to the backend made by any anthropic "
                        "client in the process, not only the fixture clients", docs=_REAL),
    Setting("sweep", "delete what earlier sessions left, run no tests", "flag", "off", p.flag,
            scope="session", option="--claude-files-sweep", option_flag=True,
            option_help="delete what the ledgers of earlier sessions still list, and run no tests",
            docs=_REAL),
    Setting("cleanup_attempts", "tries per delete before a file is reported as left", "integer ≥ 1", "`8`",
            p.whole(1), scope="session", ini="claude_files_cleanup_attempts",
            ini_help="tries per delete before giving up (default 8)", docs=_REAL),
    Setting("cleanup_max_delay", "longest wait between delete retries; caps `retry-after` too",
            "seconds ≥ 0", "`30`", p.seconds, scope="session", ini="claude_files_cleanup_max_delay",
            ini_help="longest wait between delete retries, seconds, also for retry-after (default 30)",
            docs=_REAL),
    Setting("cleanup_budget", "total seconds a cleanup may spend waiting", "seconds ≥ 0", "`300`",
            p.seconds, scope="session", ini="claude_files_cleanup_budget",
            ini_help="total seconds a cleanup may wait (default 300)", docs=_REAL),
    Setting("ledger_dir", "where the ledger of live uploads lives, relative to the rootdir; outside the "
                          "cache so `--cache-clear` keeps it; a symlink there is a usage error",
            "path", "`.claude-files-ledger`", p.path, scope="session", ini="claude_files_ledger_dir",
            ini_help="where the ledger of live uploads lives, relative to the rootdir (default "
                     ".claude-files-ledger; outside the cache, so --cache-clear keeps it)", docs=_REAL),
    Setting("record", "write the live answers to one cassette per test", "flag", "off", p.flag,
            scope="session", option="--claude-files-record", option_flag=True,
            option_help="write what the live backend (real or server) answers to one cassette per test, "
                        f"for --claude-files-backend=replay. See {_CASSETTES}", docs=_CASSETTES),
    Setting("record_mode", "which cassettes `--claude-files-record` writes",
            "`once`, `new_episodes`, `all`, `none`", "`once`",
            p.choice("once", "new_episodes", "all", "none"),
            scope="session", ini="claude_files_record_mode",
            ini_help="record mode: once (default), new_episodes, all, none",
            option="--claude-files-record-mode", metavar="once|new_episodes|all|none",
            option_help="which cassettes --claude-files-record writes: once (default: only missing ones), "
                        "new_episodes (add new requests), all (rewrite), none. Also the "
                        "claude_files_record_mode ini option", docs=_CASSETTES),
    Setting("cassette_dir", "where cassettes live, relative to the rootdir (`<dir>/<test module>/<test "
                            "name>.yaml`); must exist on `replay`",
            "path", "`cassettes/` beside each test module", p.path, scope="session",
            ini="claude_files_cassette_dir",
            ini_help="directory of the cassettes, relative to the rootdir (default: cassettes/ beside each "
                     "test module); cassettes are <dir>/<test module>/<test name>.yaml", docs=_CASSETTES),
    Setting("cassette_bytes", "what a cassette keeps of an uploaded file: its bytes and sha256, or only "
                              "the sha256 and size",
            "`full`, `hash`", "`full`", p.choice("full", "hash"), scope="session",
            ini="claude_files_cassette_bytes",
            ini_help="what a cassette keeps of an uploaded file: full (default: the bytes and their sha256) "
                     "or hash (only the sha256 and size)", docs=_CASSETTES),
    Setting("contract_report", "write the fidelity suite's results as JSON", "a path", "none", p.path,
            scope="session", option="--claude-files-contract-report", metavar="PATH",
            option_help="write the fidelity suite's results (pytest --pyargs pytest_claude_files.contract) "
                        "as JSON to PATH: every behaviour, confirmed or not, and each difference with the "
                        f"request, the fake's answer and the backend's. See {_CONTRACT}", docs=_CONTRACT),
    Setting("seed", "base seed of `claude_files_seed` / `claude_files_faker`", "integer",
            "pytest-randomly's, else `0`", p.seed, scope="session", ini="claude_files_seed",
            ini_help="Base seed of claude_files_faker (an integer).",
            option="--claude-files-seed", metavar="SEED",
            option_help="Base seed of claude_files_faker / claude_files_seed (default: ini "
                        "claude_files_seed, else pytest-randomly's seed, else 0).", docs=_SEEDS),
    Setting("verdict", "the end-of-session verdict of the file lifecycle; `fail` exits non-zero when "
                       "it lists anything",
            "`report`, `fail`, `off`", "`report`", p.choice("report", "fail", "off"), scope="session",
            ini="claude_files_verdict", ini_help="the session verdict: report (default), fail or off",
            option="--claude-files-verdict", metavar="report|fail|off",
            option_help="the end-of-session verdict: report (default), fail (exit non-zero when it lists "
                        "anything) or off. Also the claude_files_verdict ini option. "
                        f"See {_VERDICT}", docs=_VERDICT),
    Setting("report", "write the session verdict as JSON", "a path", "none", p.path, scope="session",
            ini="claude_files_report", ini_help="path of the session verdict's JSON report",
            option="--claude-files-report", metavar="PATH",
            option_help="write the session verdict (misuse notices and file-lifecycle findings, each with "
                        "its test and line) as JSON to PATH. Also the claude_files_report ini option. "
                        f"See {_VERDICT}", docs=_VERDICT),
    Setting("server_url", "use a running emulator (`claude-files-fake serve`, docker-compose) instead of "
                          "starting one per process; refused if it names the real API",
            "a URL", "none", scope="session", env="CLAUDE_FILES_SERVER_URL",
            env_reader="backend `server`, `claude_files_server`", docs=_REAL),
    Setting("server_api_key", "a fixed key for that emulator; default a random key per session (its own "
                              "space of files)",
            "a key", "a random key per session", scope="session", env="CLAUDE_FILES_SERVER_API_KEY",
            env_reader="backend `server`", docs=_REAL),
    Setting("real_api_key", "the key; without it tests that need it are skipped and nothing is sent. "
                            "The fake ignores it",
            "a key", "none", scope="session", env="ANTHROPIC_API_KEY", env_reader="backend `real`",
            docs=_REAL),
    Setting("real_base_url", "the API's URL. The fake ignores it", "a URL", "`https://api.anthropic.com`",
            scope="session", env="ANTHROPIC_BASE_URL", env_reader="backend `real`", docs=_REAL),
    # -- the emulator (scope="serve") ----------------------------------------------------------
    Setting("host", "interface to listen on", "address", "`127.0.0.1`", scope="serve",
            serve=(ServeFlag("--host", "value", "interface to listen on (default 127.0.0.1)", "HOST",
                             "127.0.0.1"),)),
    Setting("port", "port; `0` picks a free one (printed)", "0 to 65535", "`8000`", p.port, scope="serve",
            serve=(ServeFlag("--port", "value", "port to listen on (default 8000; 0 picks a free one and "
                             "prints the URL)", "PORT", 8000),)),
    Setting("shared", "one space of files for every key (default: one per key)", "flag", "off",
            p.flag, scope="serve",
            serve=(ServeFlag("--shared", "true", "one space for every key (default: files are kept per "
                             "API key)", None, False),)),
    Setting("control_api", "serve the control API under `/_claude_files/`", "flag", "served", p.flag,
            scope="serve",
            serve=(ServeFlag("--no-control-api", "false", "do not serve the control API under "
                             "/_claude_files/", None, True),)),
    Setting("data_dir", "keep files, batches, skills, agents, environments, sessions and each space's "
                        "clock across restarts ([persistence](server.md#persistence))",
            "directory", "in memory", p.path, scope="serve",
            serve=(ServeFlag("--data-dir", "value", "keep files, batches, skills, agents, environments, "
                             "sessions and the clock in DIR across restarts (default: in memory only)",
                             "DIR"),)),
    Setting("seed_file", "files every space starts with ([format](server.md#seed-files))",
            "JSON Lines file", "none", p.path, scope="serve",
            serve=(ServeFlag("--seed", "value", "JSON Lines file of files every space starts with "
                             "(claude-files-fake docs server#seed-files)", "FILE"),)),
    Setting("spool_threshold", "request bodies above this go to a temporary file", _SIZE, "`1MiB`",
            p.size, scope="serve",
            serve=(ServeFlag("--spool-threshold", "value", "request bodies above this go to a temporary "
                             "file (default 1MiB)", "SIZE"),)),
    Setting("control_token_file", "read the admin token from the first line of the file (a token on the "
                                  "command line shows in the process list); not with `--control-token`",
            "path", "none", p.path, scope="serve",
            serve=(ServeFlag("--control-token-file", "value", "read the admin token from the first line of "
                             "PATH (a token on the command line is visible to every user in the process "
                             "list)", "PATH"),)),
    Setting("read_timeout", "time to send request headers, or the next piece of a body, before the "
                            "server closes the connection",
            "seconds (0 < s ≤ 3600)", "`30`", p.timeout, scope="serve",
            serve=(ServeFlag("--read-timeout", "value", "seconds a client may take to send its request "
                             "headers, or the next piece of its body, before the server closes it "
                             "(default 30)", "SECONDS"),)),
    Setting("log_level", "uvicorn's log level", "`critical` … `trace`", "`warning`",
            p.choice("critical", "error", "warning", "info", "debug", "trace"), scope="serve",
            serve=(ServeFlag("--log-level", "value", "uvicorn's log level: critical, error, warning, info, "
                             "debug or trace (default warning)", "LEVEL", "warning"),)),
    Setting("control_token", "the control API's admin token (cross-tenant operations, sent as "
                             "`x-control-token`); none: they are refused",
            "token", "none", p.token, scope="serve", env="CLAUDE_FILES_CONTROL_TOKEN",
            env_reader="`claude-files-fake serve`, `start_server`",
            serve=(ServeFlag("--control-token", "value",
                             "admin token of cross-tenant control operations (reset of every space), "
                             "sent as x-control-token; default: $CLAUDE_FILES_CONTROL_TOKEN, else refused",
                             "TOKEN"),)),
)


def marker_settings() -> list[Setting]:
    """The settings of ``@pytest.mark.claude_files`` (and ``ClaudeFilesConfig``)."""
    return [s for s in SETTINGS if s.scope == "test"]





def marker_args(scope: str = "test") -> dict[str, str]:
    """A marker's arguments and their doc lines, in the table's order: ``@pytest.mark.claude_files``
    (``scope="test"``) or ``@pytest.mark.claude_files_respx`` (``scope="respx"``)."""
    return {s.name: s.doc for s in SETTINGS if s.scope == scope}


def ini_options() -> list[Setting]:
    """The settings that have an ini option."""
    return [s for s in SETTINGS if s.ini is not None]


def options() -> list[Setting]:
    """The settings that have a ``--claude-files-*`` option."""
    return [s for s in SETTINGS if s.option is not None]


def env_vars() -> list[Setting]:
    """The settings that have an environment variable."""
    return [s for s in SETTINGS if s.env is not None]


def serve_flags() -> list[tuple[Setting, ServeFlag]]:
    """Every serve flag with its setting, in the table's order."""
    return [(s, f) for s in SETTINGS for f in s.serve]


def by_name(name: str) -> Setting:
    for setting in SETTINGS:
        if setting.name == name:
            return setting
    raise KeyError(name)


def choices(name: str) -> tuple[str, ...]:
    """The values the setting ``name`` takes, when its parser is a ``choice``."""
    parse = by_name(name).parse
    return parse.choices if isinstance(parse, p.choice) else ()


def spelling(name: str, source: str) -> str:
    """The setting ``name``'s ``option``, ``ini`` or ``env`` name from its row (modules take
    their ``OPTION_*``, ``INI_*``, ``ENV_*`` constants from here)."""
    value = getattr(by_name(name), source)
    if not isinstance(value, str):
        raise KeyError(f"the setting {name} has no {source}")
    return value


def usage_message(setting: Setting, source: str, problem: str, where: str = "") -> str:
    """The usage error of a bad value of ``setting`` from ``source`` (``marker``, ``ini``,
    ``option``, ``env``, ``serve``): the source's spelling of the setting, the problem
    (``expected ..., got <the value>``) and the fix. ``where``: the serve flag, or the marker."""
    problem = problem.rstrip(".")
    if source == "ini":
        return (f"{setting.ini} (ini option): {problem}. Fix the value in your pytest configuration; "
                f"see {setting.docs or DOCS_INI}")
    if source == "option":
        return f"{setting.option}: {problem}. See {setting.docs or DOCS_OPTIONS}"
    if source == "env":
        return (f"{setting.env} (environment variable): {problem}. Fix or unset the variable; "
                f"see {setting.docs or DOCS_ENV}")
    if source == "serve":
        return f"argument {where}: {problem}"
    marker = where or "@pytest.mark.claude_files"
    return f"{marker}: {setting.name}: {problem}. See {setting.docs or DOCS_MARKER}"


def parse_from(setting: Setting, source: str, value: Any, where: str = "") -> Any:
    """``setting``'s parser on a value from ``source``; a bad value raises
    :class:`SourceError` with :func:`usage_message`."""
    try:
        return setting.parse(value, source != "marker")
    except p.SettingValueError as exc:
        raise SourceError(usage_message(setting, source, str(exc), where), setting=setting.name,
                          problem=str(exc)) from None


class SourceError(ValueError):
    """A bad value from one source; ``str()`` is the whole usage message."""

    def __init__(self, message: str, *, setting: str, problem: str) -> None:
        super().__init__(message)
        self.setting = setting
        self.problem = problem
