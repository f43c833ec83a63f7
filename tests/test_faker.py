"""The Faker provider and the claude_files_faker / claude_files_seed fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from pytest_claude_files import errors, models
from pytest_claude_files._core import ids as _ids
from pytest_claude_files._core import naming as _naming
from pytest_claude_files._core.files import decode_page_token
from pytest_claude_files._core.service import FakeFiles
from pytest_claude_files._plugin.faker_fixtures import base_seed, seed_for

faker = pytest.importorskip("faker")
anthropic = pytest.importorskip("anthropic")

from pytest_claude_files.faker_provider import ClaudeFilesProvider  # noqa: E402

SEEDS = range(60)


def make(seed: int) -> Any:
    fake = faker.Faker()
    fake.add_provider(ClaudeFilesProvider)
    fake.seed_instance(seed)
    return fake


@pytest.mark.parametrize("dialect", ["beta", "ga"])
def test_metadata_is_valid_for_our_models_the_sdk_and_json(dialect: str) -> None:
    sdk_cls = anthropic.types.beta.BetaFileMetadata
    if dialect == "ga" and hasattr(anthropic.types, "FileMetadata"):
        sdk_cls = anthropic.types.FileMetadata
    for seed in SEEDS:
        meta = make(seed).claude_file_metadata(dialect)
        wire = json.loads(json.dumps(meta.to_api(dialect)))
        assert models.FileMetadata.model_validate(wire) == meta
        sdk = sdk_cls.model_validate(wire)
        assert (sdk.id, sdk.filename, sdk.created_at, sdk.size_bytes) == (
            meta.id, meta.filename, meta.created_at, meta.size_bytes)
        assert _ids.is_file_id(meta.id) and _naming.check_filename(meta.filename) == meta.filename
        assert meta.mime_type == _naming.decide_mime_type(None, meta.filename)
        if dialect == "beta":
            assert meta.expires_at is None and "expires_at" not in wire


def test_metadata_fields_can_be_set() -> None:
    meta = make(1).claude_file_metadata(downloadable=True, size_bytes=3, scope="sesn_x", filename="r.pdf")
    assert (meta.downloadable, meta.size_bytes, meta.scope, meta.filename, meta.mime_type) == (
        True, 3, models.FileScope(id="sesn_x"), "r.pdf", "application/pdf")
    with pytest.raises(TypeError, match="colour"):
        make(1).claude_file_metadata(colour="red")


def test_ids_and_names() -> None:
    fake = make(5)
    for _ in range(50):
        assert _ids.FILE_ID_RE.match(fake.claude_file_id())
        assert _ids.REQUEST_ID_RE.match(fake.claude_request_id())
        name = fake.claude_filename()
        assert _naming.check_filename(name) == name
    early, late = fake.claude_created_at(), fake.claude_created_at()
    early, late = sorted([early, late])
    if early < late:
        assert fake.claude_file_id(early) < fake.claude_file_id(late)
    assert fake.claude_filename(".csv").endswith(".csv")


@pytest.mark.parametrize("kind", ["empty", "forbidden", "control", "too_long"])
def test_invalid_filenames(kind: str) -> None:
    fake = make(2)
    for _ in range(20):
        with pytest.raises(errors.InvalidRequestError):
            _naming.check_filename(fake.claude_invalid_filename(kind))
    with pytest.raises(ValueError, match="kind must be one of"):
        fake.claude_invalid_filename("weird")


def test_pages_have_consistent_cursors() -> None:
    for seed in SEEDS:
        fake = make(seed)
        beta = fake.claude_list_page("beta", limit=3)
        ids = [m.id for m in beta.data]
        assert ids == sorted(set(ids), reverse=True)
        assert (beta.first_id, beta.last_id) == ((ids[0], ids[-1]) if ids else (None, None))
        assert not beta.has_more or len(ids) == 3
        ga = fake.claude_list_page("ga", limit=2)
        if ga.next_page:
            assert decode_page_token(ga.next_page) == ga.data[-1].id


def test_errors_agree_with_the_status_table() -> None:
    fake = make(3)
    for _ in range(40):
        body = fake.claude_error_json()
        status = errors.error_class_for(body["error"]["type"]).status
        assert errors.STATUS_TO_ERROR_TYPE[status] == body["error"]["type"]
        assert _ids.REQUEST_ID_RE.match(body["request_id"])
    expired = fake.claude_error_json(error_code="file_expired")
    assert expired["error"] == {**expired["error"], "type": "not_found_error",
                                "details": {"error_code": "file_expired"}}
    with pytest.raises(ValueError, match="does not come with status"):
        fake.claude_error(400, "file_expired")


def test_upload_payloads_upload_as_promised() -> None:
    files = FakeFiles()
    for seed in SEEDS:
        payload = make(seed).claude_upload_payload()
        meta = files.upload(payload.content, payload.filename, content_type=payload.content_type,
                            dialect="beta")
        assert (meta.filename, meta.mime_type, meta.size_bytes) == (
            payload.filename, payload.mime_type, len(payload.content))
        if payload.mime_type == "application/pdf":
            assert payload.content.startswith(b"%PDF-")
        if payload.mime_type == "application/json":
            json.loads(payload.content)


def test_same_seed_same_values_other_seed_other_values() -> None:
    def values(seed: int) -> list[Any]:
        fake = make(seed)
        return [fake.claude_file_metadata(), fake.claude_file_id(), fake.claude_filename(),
                fake.claude_upload_payload(), fake.claude_error_json()]

    assert values(11) == values(11)
    assert values(11) != values(12)


# -- seeds --------------------------------------------------------------------------------
def _config(option: Any = None, ini: str = "", randomly: Any = None, has_randomly: bool = False) -> Any:
    return SimpleNamespace(
        getoption=lambda name, default=None: option,
        getini=lambda name: ini,
        option=SimpleNamespace(randomly_seed=randomly),
        pluginmanager=SimpleNamespace(hasplugin=lambda name: has_randomly),
    )


def test_base_seed_precedence() -> None:
    everything = _config(option="5", ini="6", randomly=7, has_randomly=True)
    assert base_seed(everything) == (5, "--claude-files-seed")
    assert base_seed(_config(ini="0x10", randomly=7, has_randomly=True)) == (16, "claude_files_seed (ini)")
    assert base_seed(_config(randomly=7, has_randomly=True)) == (7, "--randomly-seed")
    assert base_seed(_config(randomly=7, has_randomly=False)) == (0, "the default")
    assert seed_for(0, "t.py::a") != seed_for(0, "t.py::b") != seed_for(1, "t.py::b")
    assert seed_for(3, "t.py::a") == seed_for(3, "t.py::a")


FIXTURE_TEST = """
    def test_one(claude_files_faker, claude_files_seed):
        print("VALUES", claude_files_seed, claude_files_faker.claude_file_id(),
              claude_files_faker.claude_filename())

    def test_two(claude_files_faker):
        print("VALUES", claude_files_faker.claude_file_id())
"""


def _values(result: pytest.RunResult) -> list[str]:
    return [line[line.index("VALUES"):] for line in result.outlines if "VALUES" in line]


def test_fixture_is_reproducible_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FIXTURE_TEST)
    first = pytester.runpytest("-s", "-q")
    first.assert_outcomes(passed=2)
    again = pytester.runpytest("-s", "-q")
    assert _values(first) == _values(again) and len(_values(first)) == 2
    one, two = _values(first)
    assert one.split()[2] != two.split()[1]  # each test has its own stream
    other = pytester.runpytest("-s", "-q", "--claude-files-seed=99")
    assert _values(other) != _values(first)
    pytester.makeini("[pytest]\nclaude_files_seed = 99\n")
    assert _values(pytester.runpytest("-s", "-q")) == _values(other)


def test_failure_prints_the_seed_and_how_to_reproduce(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fails(claude_files_faker):
            assert claude_files_faker.claude_file_id() == "nope"

        def test_fails_without_faker():
            assert False
        """
    )
    result = pytester.runpytest("--claude-files-seed=42")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*- claude-files seed -*",
        "claude_files_faker / claude_files_seed: seed * "
        "(base seed 42 from --claude-files-seed, mixed with the test id).",
        "Reproduce with: pytest "
        "'test_failure_prints_the_seed_and_how_to_reproduce.py::test_fails' --claude-files-seed=42",
    ])
    assert result.stdout.str().count("claude-files seed -") == 1  # only the test that used it
    result.stdout.fnmatch_lines(["claude-files: base seed 42 (from --claude-files-seed)"])


def test_bad_seed_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--claude-files-seed=abc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--claude-files-seed: expected an integer seed, got 'abc'*"])
    pytester.makeini("[pytest]\nclaude_files_seed = x1\n")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(["*claude_files_seed (ini option): expected an integer seed, got 'x1'*"])


def test_option_is_listed_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--claude-files-seed=SEED*", "*claude_files_seed*"])


def test_loading_the_plugin_imports_no_faker_or_hypothesis() -> None:
    code = ("import sys, pytest_claude_files.plugin; "
            "print(sorted(m for m in ('faker', 'hypothesis', 'anthropic', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
