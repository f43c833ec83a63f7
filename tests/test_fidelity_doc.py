"""docs/fidelity.md holds together: every row names a source or says "decision", and no two
rows claim opposite things about the same behaviour (issue 19 found several that did)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FIDELITY = Path(__file__).resolve().parent.parent / "docs" / "fidelity.md"
_ROW = re.compile(r"^\|\s*`([a-z0-9][a-z0-9._-]*)`\s*\|")
SOURCE_WORDS = re.compile(
    r"decision|https?://|docs|guide|SDK|sdk|#\d+|RFC|[A-Z_]+\.md|report|page|reference|"
    r"`@anthropic-ai/sdk`|published",
)


def rows() -> dict[str, list[str]]:
    """row id -> its cells (id, behaviour, source, test)."""
    found: dict[str, list[str]] = {}
    for line in FIDELITY.read_text(encoding="utf-8").splitlines():
        if _ROW.match(line):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            found[cells[0].strip("`")] = cells
    return found


def test_every_row_has_a_behaviour_a_source_and_a_test() -> None:
    bad = {rid: cells for rid, cells in rows().items() if len(cells) != 4 or not all(cells)}
    assert bad == {}, "rows without four filled cells"
    unsourced = [rid for rid, cells in rows().items() if not SOURCE_WORDS.search(cells[2])]
    assert unsourced == [], "rows whose source column names no source and no decision"


# (topic, a claim, its opposite): no row may state the opposite of another row's claim.
CONTRADICTIONS = [
    ("`/` in a filename", r"or with `[^`]*/`", r"`/` is never refused"),
    ("workspaces", r"by default every workspace sees every file",
     r"by default \(`partition_workspaces=True`\)"),
    ("expired metadata", r"metadata (stays|is kept) forever", r"metadata stays readable"),
    ("container lifetime", r"container expires 30 days after the reply", r"short rolling"),
    ("consecutive turns", r"roles alternate from `user`", r"consecutive same-role turns are combined"),
    ("max_tokens 0", r"`max_tokens: 0`[^|]*400", r"`max_tokens: 0`[^|]*accepted"),
    ("file source under 2023-06-01",
     r"`anthropic-version: 2023-06-01` without `files-api-2025-04-14`: 400",
     r"no beta header is needed for a file source"),
]


@pytest.mark.parametrize(("topic", "claim", "opposite"), CONTRADICTIONS, ids=[c[0] for c in CONTRADICTIONS])
def test_no_two_rows_disagree(topic: str, claim: str, opposite: str) -> None:
    text = {rid: cells[1] for rid, cells in rows().items()}
    saying = sorted(rid for rid, t in text.items() if re.search(claim, t))
    denying = sorted(rid for rid, t in text.items() if re.search(opposite, t))
    assert not (saying and denying), f"{topic}: {saying} say one thing, {denying} the opposite"


def test_the_contradiction_check_can_fail() -> None:
    """The check above sees a disagreement when two rows make one."""
    text = {"a": "or with `< > /` is 400", "b": "a `/` is never refused"}
    _, claim, opposite = CONTRADICTIONS[0]
    assert any(re.search(claim, t) for t in text.values())
    assert any(re.search(opposite, t) for t in text.values())


def test_row_ids_are_unique() -> None:
    lines = FIDELITY.read_text(encoding="utf-8").splitlines()
    ids = [m.group(1) for line in lines if (m := _ROW.match(line))]
    assert len(ids) == len(set(ids))
