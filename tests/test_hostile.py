"""Hostile and broken input: every file ends with a clear 判定 and reason, nothing gets in."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.core.settings_load import load_settings
from pipeline.run import run_round
from pipeline.stage3_write.selection import RoundResult
from tests.conftest import ROUND_TOML
from tests.hostile import build
from tests.roundfactory import RUN_AT, new_inbox

ROOT = Path(__file__).resolve().parents[1]


# One round of hostile files, shared by the module: a whole round, for `make test` only.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile_round(tmp_path_factory: pytest.TempPathFactory,
                  blank_dir: Path) -> tuple[Path, RoundResult, list]:
    inbox = new_inbox(tmp_path_factory, "hostile")
    directory = inbox.parent
    expected = build(inbox, blank_dir)
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
              for p in inbox.rglob("*") if p.is_file()}
    for path in [inbox, *inbox.rglob("*")]:  # a read-only inbox
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        result = run_round(inbox, directory / "outbox", load_settings(ROUND_TOML), RUN_AT)
    finally:
        for path in [inbox, *inbox.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
             for p in inbox.rglob("*") if p.is_file()}
    assert after == before  # nothing in inbox/ modified, moved or deleted
    return directory, result, expected


def test_every_file_ends_as_it_should(hostile_round) -> None:
    _, result, expected = hostile_round
    ledger = result.ledger.set_index("file")
    assert sorted(ledger.index) == sorted(h.name for h in expected)
    for hostile in expected:
        decision, reason = ledger.loc[hostile.name, ["decision", "reason"]]
        assert decision in hostile.decisions, (hostile.name, decision, reason)
        assert hostile.reason in reason, (hostile.name, reason)


def test_each_reason_is_actionable_japanese(hostile_round) -> None:
    _, result, _ = hostile_round
    unreadable = result.ledger[result.ledger["decision"] == "読込不可"]
    assert len(unreadable) == 15
    assert unreadable["reason"].str.contains("再送してください").all()


def test_formula_text_stays_text_everywhere(hostile_round) -> None:
    directory, _, _ = hostile_round
    outbox = directory / "outbox"
    checked = 0
    for path in outbox.rglob("*.xlsx"):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate)
                    checked += 1
                    if cell.hyperlink is None:
                        continue
                    if sheet.title == "修正箇所":  # links to the cells to fix, in the workbook
                        link = cell.hyperlink
                        assert link.target is None and link.location.split("!")[0].strip("'") \
                            in workbook.sheetnames
                    else:  # only our own links to plan files
                        assert (sheet.title, str(cell.hyperlink.target)[:3]) == ("選定順位", "計画\\")
    assert checked > 1000
    errors = pd.read_excel(outbox / "選定結果.xlsx", sheet_name="入力エラー", engine="openpyxl",
                           dtype=str, keep_default_na=False)
    long_text = errors[errors["ファイル名"] == "formulas.xlsx"]
    assert long_text["項目"].tolist() == ["現在の取組状況"]
    assert long_text["エラー内容"].iloc[0] == "「現在の取組状況」が長すぎます（10000文字）。要点を絞って入力してください。"
    marked = openpyxl.load_workbook(outbox / "差戻し" / "formulas_要修正.xlsx")
    assert marked["申請書"]["B8"].value.startswith("=HYPERLINK(")
    assert marked["申請書"]["B8"].data_type == "s"


def test_rare_kanji_and_emoji_survive(hostile_round) -> None:
    directory, _, _ = hostile_round
    ranking = pd.read_excel(directory / "outbox" / "選定結果.xlsx", sheet_name="選定順位",
                            engine="openpyxl")
    assert "𠮷田🌸サロン" in ranking["団体名"].tolist()


def test_unowned_subfolder_is_left_alone_and_reported(hostile_round) -> None:
    directory, result, _ = hostile_round
    assert ("someone_elses_folder/", "フォルダ（中のファイルは対象外）") in result.ignored
    summary = pd.read_excel(directory / "outbox" / "選定結果.xlsx", sheet_name="概要",
                            engine="openpyxl", header=None).to_string()
    assert "someone_elses_folder/" in summary
