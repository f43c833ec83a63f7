"""The drift watch (``claude-files-fake drift``): the installed SDK against the fake's tables.

Each kind of change an SDK release can make is planted in a patched copy of the SDK's
tables (a beta name, an error code, a file-bearing block type, a parameter, the version it
sends) and must make the command exit 1 naming it; the unpatched newest SDK exits 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import typing
from importlib import metadata
from pathlib import Path

import pytest

from pytest_claude_files._core.message_check import check_request
from pytest_claude_files._sdk import drift
from pytest_claude_files._sdk.compat import sdk_error_codes
from pytest_claude_files._sdk.reviewed import FILE_BEARING_TYPES, REVIEWED_SDK
from pytest_claude_files.server._cli import main

NEWEST = metadata.version("anthropic") == REVIEWED_SDK.split()[-1]
needs_reviewed_sdk = pytest.mark.skipif(
    not NEWEST, reason=f"the fake's tables were reviewed against {REVIEWED_SDK}; drift is measured there "
                       "(tox: the sdklatest environment runs `claude-files-fake drift`)")


@needs_reviewed_sdk
def test_the_reviewed_sdk_has_no_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift"]) == 0
    assert capsys.readouterr().out.startswith(f"no drift: {REVIEWED_SDK} matches")


@needs_reviewed_sdk
def test_one_more_beta_name_is_drift(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import anthropic.types

    patched = typing.Union[anthropic.types.AnthropicBetaParam, typing.Literal["new-thing-2027-01-01"]]
    monkeypatch.setattr(anthropic.types, "AnthropicBetaParam", patched)
    assert main(["drift"]) == 1
    out = capsys.readouterr().out
    assert "beta names: the SDK has the beta name 'new-thing-2027-01-01' that the fake does not know" in out
    assert out.count("drift:") == 1  # nothing else moved


@needs_reviewed_sdk
def test_one_more_error_code_is_drift(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import anthropic
    import anthropic._error_classes as classes

    monkeypatch.setitem(classes.ERROR_CLASSES, (409, "file_in_use"), anthropic.ConflictError)
    monkeypatch.setitem(classes.ERROR_CLASSES, (500, "storage_quota_exceeded"), anthropic.InternalServerError)
    monkeypatch.delitem(classes.ERROR_CLASSES, (400, "storage_quota_exceeded"))
    assert main(["drift"]) == 1
    out = capsys.readouterr().out
    assert "the SDK has the error code 'file_in_use'" in out
    # a status that moved is named in the reviewed table and in the fake's own behaviour
    assert "'storage_quota_exceeded' comes with status 500 in the SDK, 400 in the fake's table" in out
    assert "the fake answers 'storage_quota_exceeded' with status 400, the SDK maps it to 500" in out


@needs_reviewed_sdk
def test_one_more_file_bearing_block_type_is_drift(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "patched_sdk_types"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "audio_block_param.py").write_text(textwrap.dedent("""
        from typing_extensions import Literal, Required, TypedDict

        class AudioBlockParam(TypedDict, total=False):
            file_id: Required[str]
            type: Required[Literal["audio"]]
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(drift, "TYPE_PACKAGES", (*drift.TYPE_PACKAGES, "patched_sdk_types"))
    assert main(["drift"]) == 1
    assert "file-bearing types: the SDK has the block or source type 'audio'" in capsys.readouterr().out


@needs_reviewed_sdk
def test_a_new_files_parameter_and_version_are_drift(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from anthropic.types import file_list_params

    monkeypatch.setitem(file_list_params.FileListParams.__annotations__, "order", str)
    monkeypatch.setattr("anthropic._client.ANTHROPIC_API_VERSION", "2027-06-01", raising=False)
    assert main(["drift"]) == 1
    out = capsys.readouterr().out
    assert ("list query parameters: the SDK has the parameter 'files.list(order)' that the fake does not "
            "know (make the fake handle it, then add it to _sdk/reviewed.py)") in out
    assert "anthropic-version: the SDK sends anthropic-version '2027-06-01', which the fake refuses" in out


def test_a_removed_name_is_drift_too() -> None:
    ours = drift.reviewed_facts()
    assert ours.betas is not None
    fewer = drift.SdkFacts(name="sdk", betas=ours.betas - {"files-api-2025-04-14"})
    assert [str(d) for d in drift.compare(fewer)] == [
        "beta names: the fake knows the beta name 'files-api-2025-04-14' that the SDK no longer has"]


def test_an_older_sdk_without_a_table_is_not_compared_there() -> None:
    assert drift.compare(drift.SdkFacts(name="old")) == []
    if sdk_error_codes() is None:  # 0.x / 1.x: no error-class table
        assert drift.read_python_sdk().error_codes is None


@pytest.mark.parametrize("kind", sorted(FILE_BEARING_TYPES))
def test_the_fake_resolves_every_reviewed_file_bearing_type(kind: str) -> None:
    """The table is not only a list: a request with each type has its file_id checked."""
    file_id = "file_011CNha8iCJcU1wXNR6q4V8w"
    if kind == "file":
        blocks = [{"type": "document", "source": {"type": "file", "file_id": file_id}}]
    elif kind == "container_upload":
        blocks = [{"type": "container_upload", "file_id": file_id}]
    else:
        inner = [{"type": kind, "file_id": file_id}]
        blocks = [{"type": "tool_result", "tool_use_id": "toolu_1", "content": inner}]
    body = {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": blocks}]}
    shape = check_request(body, betas=frozenset({"files-api-2025-04-14"}))
    assert [ref.file_id for ref in shape.references] == [file_id]


# -- the TypeScript SDK, from a node_modules tree ----------------------------------------
def _node_sdk(root: Path, *, betas: tuple[str, ...], block_type: str = "container_upload",
              version: str = "2026-10-21") -> Path:
    sdk = root / "node_modules" / "@anthropic-ai" / "sdk"
    (sdk / "resources" / "beta").mkdir(parents=True)
    (sdk / "package.json").write_text(json.dumps({"name": "@anthropic-ai/sdk", "version": "9.9.9"}))
    union = " | ".join(f"'{b}'" for b in betas)
    (sdk / "resources" / "beta" / "beta.d.ts").write_text(
        f"export type AnthropicBeta = (string & {{}}) | {union};\n")
    (sdk / "resources" / "messages.d.ts").write_text(
        f"export interface UploadBlockParam {{\n    file_id: string;\n    type: '{block_type}';\n}}\n")
    (sdk / "client.js").write_text(f"headers = {{ 'anthropic-version': '{version}' }};\n")
    return sdk


def test_the_node_sdk_is_read_from_its_type_declarations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = drift.reviewed_facts()
    assert ours.betas is not None
    _node_sdk(tmp_path, betas=(*sorted(ours.betas), "ts-only-2027-01-01"), block_type="audio")
    assert main(["drift", "--no-python", "--node", str(tmp_path / "deep" / "..")]) == 1
    out = capsys.readouterr().out
    assert "drift: @anthropic-ai/sdk 9.9.9: beta names: the SDK has the beta name 'ts-only-2027-01-01'" in out
    assert "the SDK has the block or source type 'audio'" in out
    assert "the fake knows the block or source type 'file' that the SDK no longer has" in out


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest_claude_files", "drift", "--node", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no node_modules/@anthropic-ai/sdk at or above" in done.stderr
    done = subprocess.run([sys.executable, "-m", "pytest_claude_files", "drift", "--no-python"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "nothing to check" in done.stderr
