"""The mutation smoke (``tests/mutation_smoke.py``, run by hand) stays aimed at the code.

A mutant whose line was rewritten by a refactor is reported ``gone`` and silently left out
of the kill rate; three went stale that way in one day of hot-path work. This fast check
fails at once instead: every mutant's text occurs exactly once in its module, and every
test it names exists.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _smoke() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_smoke", ROOT / "tests" / "mutation_smoke.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mutation_smoke", module)  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


MUTANTS = _smoke().MUTANTS


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutants_line_is_in_the_code_once(mutant: Any) -> None:
    path = ROOT / "pytest_claude_files" / mutant.path
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    count = text.count(mutant.old)
    assert count == 1, (f"mutant {mutant.name!r}: its text occurs {count} times in "
                        f"pytest_claude_files/{mutant.path}; update it in tests/mutation_smoke.py")


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutants_tests_exist(mutant: Any) -> None:
    for node in mutant.tests:
        file, _, name = node.partition("::")
        source = (ROOT / file).read_text(encoding="utf-8")
        assert not name or f"def {name.split('[')[0]}(" in source, f"{node} (mutant {mutant.name!r}) is gone"
