"""Limits: file size, storage quota, rate limit (docs/fidelity.md, ## Files: limits).

Each needs what no real account should be put through (a 500 MB upload, a full storage,
a burst of requests): they run on the fake, with small limits set by the marker.
"""

from __future__ import annotations

import pytest

from pytest_claude_files.contract._harness import Contract

fidelity = pytest.mark.claude_files_fidelity


@pytest.mark.claude_files(max_file_size=8, max_retries=0)
@fidelity(
    "files.limits.file-size",
    uploads=1,
    bytes=9,
    calls=("upload",),
    live="needs a 500 MB upload (the fake's limit is set to 8 bytes here)",
)
def test_a_file_over_the_size_limit_is_413(contract: Contract) -> None:
    answer = contract.run(
        "upload 9 bytes over an 8-byte limit",
        lambda c: c.files.upload(file=("big.bin", b"123456789", "application/octet-stream")),
    )
    assert (answer.status, answer.error_type) == (413, "request_too_large")


@pytest.mark.claude_files(storage_quota=10, max_retries=0)
@fidelity(
    "files.limits.quota",
    uploads=2,
    bytes=11,
    calls=("upload",),
    live="fills the organization's storage (the fake's quota is set to 10 bytes here)",
)
def test_a_full_storage_is_refused(contract: Contract) -> None:
    contract.upload("a.txt", b"123456")
    answer = contract.run(
        "upload 5 bytes into 4 free", lambda c: c.files.upload(file=("b.txt", b"12345", "text/plain"))
    )
    assert (answer.status, answer.error_type, answer.error_code) == (
        400,
        "invalid_request_error",
        "storage_quota_exceeded",
    )


@pytest.mark.claude_files(rate_limit=1, max_retries=0)
@fidelity(
    "files.limits.rate",
    calls=("list",),
    live="provokes the account's rate limit (the fake's is set to 1 request a minute here)",
)
def test_over_the_rate_limit_is_429_with_retry_after(contract: Contract) -> None:
    contract.run("list", lambda c: c.files.list(limit=1))
    answer = contract.run("list again within the minute", lambda c: c.files.list(limit=1))
    assert (answer.status, answer.error_type) == (429, "rate_limit_error")
    assert int(answer.headers["retry-after"]) > 0
