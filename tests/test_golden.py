"""What the demo round writes is pinned as a readable snapshot (tests/snapshot.py: every
sheet's cells with their values and the styles staff see, every letter's text): a refactoring
that changes an output fails here and shows the difference.

A change of output that is intended updates the snapshot in the same commit:
``BANSOU_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` writes it and fails, saying so; read
``git diff tests/fixtures/demo-outputs.txt``, then run the test again without the variable.
Bytes are not compared: XlsxWriter's and openpyxl's releases may write the same workbook
differently.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from pipeline.core.settings import RoundSettings
from pipeline.demo import run_demo
from tests.snapshot import snapshot

GOLDEN = Path(__file__).parent / "fixtures" / "demo-outputs.txt"
_SHOWN = 200  # lines of a diff shown; the whole diff is one command away


@pytest.mark.slow
def test_demo_round_outputs_are_the_pinned_ones(tmp_path: Path,
                                                 settings: RoundSettings) -> None:
    demo, _ = run_demo(tmp_path / "demo", settings)
    found = snapshot(demo.outbox)
    if os.environ.get("BANSOU_UPDATE_GOLDEN"):
        GOLDEN.write_text(found, encoding="utf-8")
        pytest.fail(f"BANSOU_UPDATE_GOLDEN is set: wrote {GOLDEN}. Check `git diff` of it and "
                    "run the test again without the variable.")
    pinned = GOLDEN.read_text(encoding="utf-8") if GOLDEN.exists() else ""
    if found != pinned:
        diff = list(difflib.unified_diff(pinned.splitlines(), found.splitlines(),
                                         "pinned", "this run", lineterm=""))
        shown = "\n".join(diff[:_SHOWN])
        more = f"\n… {len(diff) - _SHOWN} more lines" if len(diff) > _SHOWN else ""
        pytest.fail(f"the demo's outputs differ from {GOLDEN.name}:\n{shown}{more}",
                    pytrace=False)
