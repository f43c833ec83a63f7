"""pytest side of the fidelity suite (``pytest --pyargs pytest_claude_files.contract``).

Only what must exist before the suite's own ``conftest.py`` is loaded lives here: the
command-line option of the JSON report and the ``claude_files_fidelity`` marker (so
``--strict-markers`` accepts it in any project). The harness, the plan printed before a
run against ``real`` and the summary are in ``pytest_claude_files/contract/``. Imports only
pytest, the stdlib and the suite's stdlib-only ``_plan``.
"""

from __future__ import annotations

import pytest

from pytest_claude_files.contract._plan import DOCS, MARKER_FIDELITY, OPTION_REPORT

__all__ = ["MARKER_FIDELITY", "OPTION_REPORT"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("claude-files", "pytest-claude-files: a fake Claude Files API")
    group.addoption(
        OPTION_REPORT,
        dest="claude_files_contract_report",
        default=None,
        metavar="PATH",
        help=f"write the fidelity suite's results (pytest --pyargs pytest_claude_files.contract) "
        f"as JSON to PATH: every behaviour, confirmed or not, and each difference with the "
        f"request, the fake's answer and the backend's. See {DOCS}",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER_FIDELITY}(row_id, *, uploads=0, bytes=0, refused=0, calls=(), real=None, live=None): "
        f"a test of the fidelity suite that checks the row row_id of docs/fidelity.md; "
        f"uploads/bytes/refused/calls declare what it sends, real=/live= why it cannot run against "
        f"the real API / any live backend. See {DOCS}",
    )
