"""A mutation smoke over the trust-critical modules (issue 24); NOT part of the test suite.

Each mutant below is a bug planted by hand in one line of the ledger, the cleanup sweep,
the respx pass-through, the emulator's store, the header checks, the control API's
security checks or the workspace rules, with the fast tests that should catch it. For each
mutant the script copies the package and the tests to a temporary directory, plants the
bug there (the working tree is never touched), runs those tests, and counts the mutant as
*killed* when they fail. It prints one line per mutant and the kill rate::

    python tests/mutation_smoke.py            # every mutant (about 3 minutes on 2 cores)
    python tests/mutation_smoke.py -k ledger  # the mutants whose name contains "ledger"
    python tests/mutation_smoke.py --list

The file's name does not start with ``test_``, so pytest never collects it and CI never
runs it. A mutant whose line is no longer in the code (the code moved on) is reported as
``gone`` and left out of the rate: update its text. The rate of a run is in
``docs/benchmarks.md`` ("Mutation smoke").
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "pytest_claude_files"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # relative to the package
    old: str  # must occur exactly once in the file
    new: str
    tests: tuple[str, ...]  # pytest node ids or files, relative to the repository


M = "tests/test_trust_mutants.py"
S = "tests/test_server_state.py"
G = "tests/test_trust_guards.py"
MUTANTS: tuple[Mutant, ...] = (
    # -- respx pass-through -------------------------------------------------------------
    Mutant("router: wildcard by suffix without the dot", "_respx/router.py",
           "host.endswith(pattern[1:]):", "host.endswith(pattern[2:]):",
           (f"{M}::test_wildcard_pass_through_matches_subdomains_only",)),
    Mutant("router: exact host by substring", "_respx/router.py",
           'if pattern == "*" or pattern == host:', 'if pattern == "*" or pattern in host:',
           (f"{M}::test_an_exact_pass_through_host_is_matched_whole",)),
    Mutant("router: host names compared with their case", "_respx/router.py",
           'host = host.lower().rstrip(".")', "",
           (f"{M}::test_wildcard_pass_through_matches_subdomains_only",)),
    # -- cleanup sweep ------------------------------------------------------------------------
    Mutant("cleanup: unsigned lines deleted without the key's secret", "_live/cleanup.py",
           "elif upload.target in deleters and upload.key in mac_keys:", "elif upload.target in deleters:",
           (f"{M}::test_a_sweep_without_the_keys_secret_deletes_no_unsigned_line",)),
    Mutant("cleanup: ephemeral uploads deleted, not dropped", "_live/cleanup.py",
           "if upload.ephemeral:", "if False:",
           ("tests/test_cleanup_ledger.py::test_sweep_deletes_only_what_the_ledger_lists_for_our_credentials",)),
    # -- ledger -------------------------------------------------------------------------------
    Mutant("ledger: base_url with .. accepted", "_live/ledger.py",
           'and ".." not in parts.path', "",
           (f"{M}::test_a_ledger_line_with_dot_dot_in_its_base_url_is_rejected",)),
    Mutant("ledger: signature not checked", "_live/ledger.py",
           "if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(mac_key, rec)):",
           "if not isinstance(mac, str):",
           ("tests/test_cleanup_guards.py", "tests/test_cleanup_ledger.py")),
    Mutant("ledger: any file id accepted", "_live/ledger.py",
           'return isinstance(file_id, str) and _FILE_ID.match(file_id) is not None',
           "return isinstance(file_id, str)",
           ("tests/test_cleanup_guards.py",)),
    Mutant("ledger: any key fingerprint accepted", "_live/ledger.py",
           "if not isinstance(key, str) or not _FINGERPRINT.match(key):", "if not isinstance(key, str):",
           (f"{M}::test_a_ledger_line_whose_key_is_not_a_fingerprint_is_rejected",)),
    Mutant("ledger: hidden (in-progress) ledgers claimed", "_live/ledger.py",
           'or not name.startswith(prefix) or name.startswith(".")', "or not name.startswith(prefix)",
           (f"{M}::test_a_hidden_ledger_is_never_claimed",)),
    Mutant("ledger: a locked ledger claimed", "_live/ledger.py",
           "        if not _lock(fd):\n            os.close(fd)\n            if busy",
           "        if False:\n            os.close(fd)\n            if busy",
           ("tests/test_cleanup_ledger.py", "tests/test_cleanup_guards.py")),
    Mutant("ledger: a symlink followed", "_live/ledger_fs.py",
           "    if not stat.S_ISREG(mode):\n        return None, _kind(mode)\n    try:",
           "    try:",
           ("tests/test_cleanup_guards.py",)),
    Mutant("ledger: sweep claims files it did not write", "_live/ledger.py",
           "if not _LEDGER_NAME.match(name)", "if not name.endswith('.jsonl')",
           (f"{G}::test_the_sweep_leaves_the_users_jsonl_files_alone",)),
    Mutant("ledger: a hard-linked file claimed", "_live/ledger_fs.py",
           "if info.st_nlink != 1:", "if False:",
           (f"{G}::test_a_hard_linked_file_is_never_claimed",)),
    Mutant("ledger: a file without a session line claimed", "_live/ledger_fs.py",
           'if not is_session or not isinstance(record.get("v"), int):',
           "if False:",
           (f"{G}::test_the_sweep_leaves_the_users_jsonl_files_alone",)),
    Mutant("ledger: a ledger cut at the read limit removed", "_live/ledger.py",
           "if self.state.pending or self.state.cut:", "if self.state.pending:",
           (f"{G}::test_a_ledger_over_the_limit_is_kept_and_reported",)),
    Mutant("ledger: .gitignore written over a user's directory", "_live/ledger_fs.py",
           "    if not created:\n        return\n", "",
           (f"{G}::test_no_gitignore_goes_into_a_directory_the_plugin_did_not_create",)),
    # -- the workspace of a delete -------------------------------------------------------------
    Mutant("handler: delete ignores the workspace", "_http/handler.py",
           "deleted = self.files.delete(file_id, workspace_id=workspace)",
           "deleted = self.files.delete(file_id)",
           (f"{M}::test_a_delete_from_another_workspace_is_a_404",)),
    Mutant("files: delete looks up without the workspace", "_core/files.py",
           "            self._lookup(file_id, workspace_id)\n            self._discard(file_id)",
           "            self._lookup(file_id)\n            self._discard(file_id)",
           (f"{M}::test_a_delete_from_another_workspace_is_a_404",)),
    Mutant("files: partitioning ignored", "_core/files.py",
           "return stored.workspace == workspace_id or not self.settings.partition_workspaces",
           "return True",
           (f"{M}::test_a_delete_from_another_workspace_is_a_404",)),
    # -- the store's atomic steps ---------------------------------------------------------------
    Mutant("store: metadata renamed in before the content", "server/_store.py",
           '        io.step("bin.rename")\n        os.replace(staged, base.with_suffix(".bin"))\n',
           '        io.step("bin.rename")\n',
           (f"{M}::test_each_atomic_step_finds_the_directory_in_the_state_it_expects",)),
    Mutant("store: delete removes the content first", "server/_store.py",
           '        base.with_suffix(".json").unlink(missing_ok=True)  # gone for good from here on',
           '        base.with_suffix(".bin").unlink(missing_ok=True)',
           (f"{M}::test_each_atomic_step_finds_the_directory_in_the_state_it_expects",)),
    # -- the emulator's state (issue 24, continued) -----------------------------------------
    Mutant("state: a batch acknowledged before it is kept", "_core/batches.py",
           "                self._save(batch.id, _to_record(batch))  # kept before it is acknowledged",
           "                pass",
           (f"{S}::test_batches_come_back_as_they_were",)),
    Mutant("state: a sent session event not kept", "_core/sessions.py",
           "            sent = self._send(session, events)\n            self._persist(session)\n",
           "            sent = self._send(session, events)\n",
           (f"{S}::test_agents_environments_and_sessions_come_back",)),
    Mutant("state: a deleted skill version comes back", "_core/skills.py",
           "            self._drop(record.id, kind=VERSIONS_KIND)\n", "",
           (f"{S}::test_skills_and_their_versions_come_back",)),
    Mutant("state: the clock not kept at a move", "_core/clock.py",
           "                self._offset += step\n        self._changed()\n",
           "                self._offset += step\n",
           (f"{S}::test_an_expired_file_stays_expired_after_a_restart",)),
    Mutant("state: the clock not restored", "server/_tenants.py",
           "            clock = records.load_clock()", "            clock = FakeClock()",
           (f"{S}::test_an_expired_file_stays_expired_after_a_restart",)),
    Mutant("state: a record saved without the directory fsync", "server/_records.py",
           '            self.io.step("dir.fsync")\n            fsync_dir(where)\n', "",
           ("tests/test_server_records.py::test_a_save_writes_fsyncs_renames_then_fsyncs_the_directory",)),
    Mutant("state: a corrupt record stops the start", "server/_records.py",
           "            except (ValueError, LookupError, TypeError, AttributeError, OSError, FilesAPIError) "
           "as exc:",
           "            except OSError as exc:",
           (f"{S}::test_a_corrupt_record_is_quarantined_and_the_rest_served",)),
    Mutant("state: no room for new files stops the start", "server/_persistence.py",
           "        if exc.errno in NO_ROOM and path.is_dir():", "        if False:",
           ("tests/test_server_nospace.py::test_a_restart_with_no_inodes_left_serves_reads_and_refuses_writes",)),
    # -- the error table --------------------------------------------------------------------------
    Mutant("errors: file_expired 404 -> 410", "errors.py",
           '"file_expired": 404,', '"file_expired": 410,',
           (f"{M}::test_the_error_code_table_is_the_documented_one",)),
    Mutant("files: expired download is a 400", "_core/files.py",
           '                raise NotFoundError(f"File `{shown(file_id)}` has expired.", '
           'error_code="file_expired")\n'
           "            if not stored.meta.downloadable:",
           '                raise InvalidRequestError(f"File `{shown(file_id)}` has expired.", '
           'error_code="file_expired")\n            if not stored.meta.downloadable:',
           (f"{M}::test_the_fake_raises_each_code_with_the_tables_status",)),
    # -- header checks --------------------------------------------------------------------------------
    Mutant("headers: anthropic-beta split on ', '", "_http/headers.py",
           'names = frozenset(v.strip() for v in value.split(",") if v.strip())',
           'names = frozenset(v.strip() for v in value.split(", ") if v.strip())',
           (f"{M}::test_anthropic_beta_values_joined_with_a_bare_comma",)),
    Mutant("headers: unknown anthropic-version accepted", "_http/headers.py",
           "    if value.strip() not in ANTHROPIC_VERSIONS:", "    if False:",
           ("tests/test_http.py", "tests/test_fidelity_http.py")),
    Mutant("headers: malformed beta names accepted", "_http/headers.py",
           "    if bad:\n", "    if False:\n",
           ("tests/test_http.py", "tests/test_fidelity_http.py")),
    Mutant("control: Origin 127.* prefix taken for loopback", "server/_control.py",
           "return _is_loopback_host(parts.hostname)", 'return (parts.hostname or "").startswith("127.")',
           (f"{G}::test_an_origin_that_only_starts_like_loopback_is_refused",)),
    Mutant("control: Host not checked", "server/_control.py",
           "if not self._host_allowed(headers):", "if False:",
           (f"{G}::test_a_request_with_a_foreign_host_header_is_refused",)),
    Mutant("control: framing headers allowed in a fault", "server/_faults.py",
           "        if name.lower() in FRAMING_HEADERS:", "        if False:",
           (f"{G}::test_control_values_that_would_break_v1_are_400_and_change_nothing",)),
    Mutant("control: a lone surrogate accepted", "server/_control.py",
           '                value.encode("utf-8")', "                pass",
           (f"{G}::test_control_values_that_would_break_v1_are_400_and_change_nothing",)),
    Mutant("control: deep nesting accepted", "server/_control.py",
           "        if depth > MAX_CONTROL_DEPTH:", "        if False:",
           (f"{G}::test_control_values_that_would_break_v1_are_400_and_change_nothing",)),
    Mutant("server: no total body deadline", "server/_asgi.py",
           "            wait = min(wait, deadline - asyncio.get_running_loop().time())", "            pass",
           (f"{G}::test_a_dribbled_body_times_out_as_a_whole",)),
    Mutant("server: no lock on the data dir", "server/_tenants.py",
           "            self.dir_lock = DataDirLock(self.data_dir)  # one server per directory",
           "            pass",
           (f"{G}::test_a_second_server_on_the_same_data_dir_refuses_to_start",)),
    Mutant("redact: short keys replaced anywhere", "_live/cleanup.py",
           "        if len(value) >= REDACT_ANYWHERE:", "        if True:",
           (f"{G}::test_a_short_key_is_redacted_as_a_whole_token_only",)),
    Mutant("messages: the record bounded by count only", "_core/record.py",
           "(len(self._items) > self.max_items or self.bytes > self.max_bytes)",
           "(len(self._items) > self.max_items)",
           (f"{G}::test_the_messages_record_is_bounded_by_bytes",)),
    # -- Messages -----------------------------------------------------------------------------------
    Mutant("messages: mime parameters kept", "_core/messages.py",
           'mime = mime.split(";", 1)[0].strip().lower()', "mime = mime.lower()",
           (f"{M}::test_a_stored_mime_type_with_parameters_is_a_document",)),
    Mutant("messages: the request's container ignored", "_core/containers.py",
           "container_id = given if isinstance(given, str) and given else new_id()",
           "container_id = new_id()",
           (f"{M}::test_the_replys_container_is_the_requests_container",)),
    Mutant("routes: GET /v1/messages served as a create", "_http/routes.py",
           'elif method == "POST" and path.startswith(MESSAGES_PATH):',
           "elif path.startswith(MESSAGES_PATH):",
           (f"{M}::test_other_methods_on_messages_are_not_a_400",)),
    Mutant("backends: a server with a fixed URL and key is ephemeral", "_live/backends.py",
           "ephemeral=not (url and key),", "ephemeral=not url,",
           (f"{M}::test_backend_ephemeral_is_a_server_without_a_fixed_url_and_key",)),
    Mutant("backends: with_endpoint forgets ephemeral", "_live/backends.py",
           "normalize_base_url(base_url), key, self.ephemeral)", "normalize_base_url(base_url), key)",
           (f"{M}::test_backend_ephemeral_is_a_server_without_a_fixed_url_and_key",)),
)


def _copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    shutil.copytree(ROOT / PKG, target / PKG, ignore=ignore)
    shutil.copytree(ROOT / "tests", target / "tests", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")


def run(mutant: Mutant, python: str) -> str:
    """``killed``, ``survived`` or ``gone`` (its line is not in the code, or not once)."""
    with tempfile.TemporaryDirectory(prefix="claude-files-mutant-") as tmp:
        target = Path(tmp)
        _copy_tree(target)
        path = target / PKG / mutant.path
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if text.count(mutant.old) != 1:
            return "gone"
        path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(target), "PYTHONDONTWRITEBYTECODE": "1"}
        result = subprocess.run(
            [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly",
             "--no-header", *mutant.tests],
            cwd=target, env=env, capture_output=True, text=True, timeout=600,
        )
        if result.returncode == 5 or "ERROR: not found" in result.stdout + result.stderr:
            return "gone"  # the tests named are not there (renamed)
        return "killed" if result.returncode != 0 else "survived"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", default="", help="only mutants whose name contains this text")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if args.k.lower() in m.name.lower()]
    if args.list:
        for mutant in chosen:
            print(f"{mutant.name}  ({PKG}/{mutant.path})")
        return 0
    counts = {"killed": 0, "survived": 0, "gone": 0}
    started = time.monotonic()
    for mutant in chosen:
        outcome = run(mutant, sys.executable)
        counts[outcome] += 1
        print(f"{outcome:8}  {mutant.name}", flush=True)
    tried = counts["killed"] + counts["survived"]
    rate = 100.0 * counts["killed"] / tried if tried else 0.0
    print(f"\n{counts['killed']} of {tried} mutants killed ({rate:.1f} %); {counts['gone']} gone; "
          f"{time.monotonic() - started:.0f} s")
    return 0 if counts["survived"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
