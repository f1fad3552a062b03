"""Every byte the demo round writes is pinned: a refactoring that changes an output fails here.

A change of output that is intended updates the pinned hashes in the same commit:
``BANSOU_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` rewrites them; the diff shows which
files changed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipeline.core.settings import RoundSettings
from pipeline.demo import run_demo

GOLDEN = Path(__file__).parent / "fixtures" / "demo-outputs.sha256"


def _hashes(directory: Path) -> dict[str, str]:
    return {path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_demo_round_outputs_are_byte_identical_to_the_pinned_ones(
        tmp_path: Path, settings: RoundSettings) -> None:
    demo, _ = run_demo(tmp_path / "demo", settings)
    found = _hashes(demo.outbox)
    if os.environ.get("BANSOU_UPDATE_GOLDEN"):
        GOLDEN.write_text("".join(f"{digest}  {name}\n" for name, digest in found.items()),
                          encoding="utf-8")
    pinned = {name: digest for digest, name in
              (line.split("  ", 1) for line in GOLDEN.read_text(encoding="utf-8").splitlines())}
    changed = sorted(name for name in found.keys() | pinned.keys()
                     if found.get(name) != pinned.get(name))
    assert not changed, f"outputs differ from tests/fixtures/demo-outputs.sha256: {changed}"
