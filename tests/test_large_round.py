"""A large inbox takes the parallel paths (two readers, two writers): every file is still
accounted for exactly once, and the outputs stay byte-identical."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.settings_load import load_settings
from pipeline.demo import DEMO_RUN_AT, generate_round
from pipeline.run import run_round
from pipeline.stage1_read import workers
from tests.conftest import ROUND_TOML

pytestmark = pytest.mark.slow  # `make quick` leaves these out

ROOT = Path(__file__).resolve().parents[1]


def test_large_round_is_complete_and_deterministic(tmp_path: Path) -> None:
    forms = workers.PARALLEL_FROM + 100
    settings = load_settings(ROUND_TOML)
    demo = generate_round(tmp_path / "big", settings, forms=forms)
    result = run_round(demo.inbox, demo.outbox, settings, DEMO_RUN_AT)
    assert sorted(result.ledger["file"]) == sorted(f.name for f in demo.files)
    decisions = dict(zip(result.ledger["file"], result.ledger["decision"], strict=True))
    for demo_file in demo.files:
        assert decisions[demo_file.name] in demo_file.expected, demo_file
    first = {p.relative_to(demo.outbox): p.read_bytes() for p in demo.outbox.rglob("*")
             if p.is_file()}
    noticed = sum(d in ("選定", "選外", "不適格", "重複") for d in decisions.values())
    # no reviews yet: the ranking is 暫定, and 選定・選外 notices are drafts
    assert result.provisional
    assert len([p for p in first if p.parts[0] in ("通知", "通知（暫定）")]) == noticed
    assert len([p for p in first if p.parts[0] == "差戻し"]) == 2 * (forms - noticed)
    run_round(demo.inbox, demo.outbox, settings, DEMO_RUN_AT)
    second = {p.relative_to(demo.outbox): p.read_bytes() for p in demo.outbox.rglob("*")
              if p.is_file()}
    assert first.keys() == second.keys()
    # the first run had no previous results, the second says 変更なし: only that differs
    assert sorted(str(p) for p in first if first[p] != second[p]) == [
        ".bansou-manifest.json", "選定結果.xlsx"]
    run_round(demo.inbox, demo.outbox, settings, DEMO_RUN_AT)
    third = {p.relative_to(demo.outbox): p.read_bytes() for p in demo.outbox.rglob("*")
             if p.is_file()}
    assert third == second  # from the second identical run on, byte-identical
