"""Every ```python block of docs/respx.md and docs/benchmarks-respx.md runs as a test module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks() -> list[tuple[str, str]]:
    found = []
    for name in ("respx.md", "benchmarks-respx.md"):
        path = DOCS / name
        if path.exists():
            for i, match in enumerate(BLOCK.finditer(path.read_text())):
                found.append((f"{name}-{i}", match.group(1)))
    return found


BLOCKS = _blocks()


def test_the_guide_has_code() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("code", [code for _, code in BLOCKS], ids=[name for name, _ in BLOCKS])
def test_doc_block_passes(pytester: pytest.Pytester, code: str) -> None:
    pytester.makepyfile(test_doc=code)
    result = pytester.runpytest("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    # a block may skip itself where an optional library is absent (httpx2 on anthropic < 1.0)
    assert outcomes.get("passed", 0) + outcomes.get("skipped", 0) >= 1
