"""The benchmark runs in CI at a small size so that it cannot rot (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # `make quick` leaves these out

ROOT = Path(__file__).resolve().parents[1]


def test_small_benchmark_produces_its_table(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "20", "--repeat", "1", "--out", str(tmp_path),
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, check=True)
    text = results.read_text(encoding="utf-8")
    assert completed.stdout.strip() in text
    assert "| 20 |" in text
    for stage in ("read", "validate", "write"):
        assert f"| {stage} |" in text
    assert "`bansou check FILE`" in text and "`bansou check FILE (a PDF)`" in text
    assert "### Each step of reading a form (20 forms" in text
    assert "### Per-form work in a worker (20 forms" in text
    assert "### The parent process (20 forms" in text
    # the round is in its support year: the selected districts' plans and logs came back
    returned = sorted(p.name for p in (tmp_path / "round-20" / "inbox" / "支援").iterdir())
    assert sum(name.startswith("支援記録_") for name in returned) >= 5
    assert any(name.startswith("計画書_") for name in returned)
