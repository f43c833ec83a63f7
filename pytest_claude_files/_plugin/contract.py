"""pytest side of the fidelity suite (``pytest --pyargs pytest_claude_files.contract``).

Only what must exist before the suite's own ``conftest.py`` is loaded lives here: the
``claude_files_fidelity`` marker (so
``--strict-markers`` accepts it in any project; the JSON report's option is a row of the
settings table, registered by ``plugin.py``). The harness, the plan printed before a
run against ``real`` and the summary are in ``pytest_claude_files/contract/``. Imports only
pytest, the stdlib and the suite's stdlib-only ``_plan``.
"""

from __future__ import annotations

import pytest

from pytest_claude_files.contract._plan import DOCS, MARKER_FIDELITY, OPTION_REPORT

__all__ = ["MARKER_FIDELITY", "OPTION_REPORT"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER_FIDELITY}(row_id, *, uploads=0, bytes=0, refused=0, calls=(), real=None, live=None): "
        f"a test of the fidelity suite that checks the row row_id of docs/fidelity.md; "
        f"uploads/bytes/refused/calls declare what it sends, real=/live= why it cannot run against "
        f"the real API / any live backend. See {DOCS}",
    )
