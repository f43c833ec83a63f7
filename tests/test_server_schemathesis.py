"""schemathesis against the OpenAPI document and the live server, in both dialects.

schemathesis generates requests from the document and checks every response against it:
no 500, and status, content type, headers and body conform. Bounded: a fixed number of
examples per operation and dialect, no deadline, no shrinking phase; about 15 s.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (extra: test)")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis import checks as st_checks  # noqa: E402
from schemathesis.specs.openapi import checks as oa_checks  # noqa: E402

from pytest_claude_files.models import BETA_HEADER_VALUE  # noqa: E402
from pytest_claude_files.server import ServerHandle, start_server  # noqa: E402
from pytest_claude_files.server._openapi import openapi_document  # noqa: E402

KEY = "sk-ant-schemathesis"
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def live() -> Iterator[ServerHandle]:
    with start_server("127.0.0.1", 0) as handle:
        files = handle.files(KEY)
        files.add_files(30)
        files.add_file("out.csv", b"a,b\n", downloadable=True)
        yield handle


# The document the server serves (test_served_document_is_the_built_one) loaded directly:
# schemathesis' lazy fixture loader does not support this pytest version.
schema = schemathesis.openapi.from_dict(openapi_document())

CHECKS = [
    st_checks.not_a_server_error,
    oa_checks.status_code_conformance,
    oa_checks.content_type_conformance,
    oa_checks.response_headers_conformance,
    oa_checks.response_schema_conformance,
]


DIALECT_HEADERS = {"ga": {}, "beta": {"anthropic-beta": BETA_HEADER_VALUE}}


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_live_server_conforms_to_its_document(case: Any, dialect: str, live: ServerHandle) -> None:
    headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01", **DIALECT_HEADERS[dialect]}
    if case.headers and dialect == "beta":
        case.headers.pop("anthropic-beta", None)  # the dialect under test wins
    case.call_and_validate(base_url=live.base_url, headers=headers, checks=CHECKS)


def test_schemathesis_reached_every_operation(live: ServerHandle) -> None:
    # runs after the generated cases (file order): each operation was really exercised
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("counts the requests of the generated cases, which xdist spreads over workers")
    counts = live.app.tenants.get(KEY).request_counts()
    for operation in ("upload", "list", "retrieve_metadata", "download", "delete"):
        assert counts.get(operation, 0) >= 5, counts
