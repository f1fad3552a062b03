"""Every workbook we write opens, renders and prints in LibreOffice; forms saved by another
application read back the same."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.core.settings import RoundSettings
from pipeline.demo import DemoRound, run_demo
from pipeline.run import run_round
from pipeline.stage1_read.forms import read_form
from pipeline.stage1_read.review_sheets import read_review_sheets
from pipeline.stage1_read.sniff import sniff
from pipeline.stage2_decide.reviews import judge
from pipeline.stage2_decide.validate import validate_forms
from pipeline.stage3_write.letters import MARK_COLOR
from tests.office import (
    add_eligible_forms,
    convert,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    soffice,
    workbook_kinds,
)
from tests.paper import read_committee
from tests.roundfactory import RUN_AT, add_form, fill_review, org

pytestmark = pytest.mark.slow  # `make quick` leaves these out

ROOT = Path(__file__).resolve().parents[1]



@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, settings: RoundSettings) -> DemoRound:
    soffice()
    demo_round, _ = run_demo(tmp_path_factory.mktemp("office") / "demo", settings)
    return demo_round


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


EXPECTED_TEXT = {
    "申請用紙": ["申請用紙", "申請日", "団体種別", "希望する支援メニュー", "プロボノ事務局移転支援",
             "実施体制の確認", "伴走支援事業申請用紙第1版"],
    "選定結果": ["選定結果", "判定", "選定順位", "受付一覧", "入力エラー", "不適格"],
    "計画書": ["伴走支援計画書", "キックオフ・課題整理", "成果指標（KPI）", "役割分担", "東京都・アドバイザー"],
    "審査票": ["審査票", "課題の明確さ", "実現可能性", "波及効果", "利害関係あり"],
    "差戻し": ["修正が必要な箇所", "電話番号", "申請日"],
}
# 選定結果: its wide working sheets print at 10 pt across pages, the committee paper with its
# texts in full (the demo's 40 applications); the form and its guide at 10 pt: 3 and 2 pages;
# the plan (#31): 2 or 3
MAX_PAGES = {"申請用紙": 5, "計画書": 3, "選定結果": 110}


@pytest.mark.parametrize("kind", list(EXPECTED_TEXT))
def test_workbook_renders_in_libreoffice(demo: DemoRound, tmp_path: Path, kind: str) -> None:
    workbook = workbook_kinds(demo.outbox)[kind]
    pdf = convert(workbook, "pdf", tmp_path)
    pages = pdf_pages(pdf)
    assert 1 <= pages <= MAX_PAGES.get(kind, 50), pages
    text = _squeeze(pdf_text(pdf))
    for expected in EXPECTED_TEXT[kind]:  # a heading may wrap in a narrow column
        assert _in_order(_squeeze(expected), text), (kind, expected)
    fonts = pdf_fonts(pdf)
    assert re.search(r"CJK|Noto|Gothic|Mincho|IPA", fonts), fonts  # a Japanese font, no tofu


def test_every_reason_and_message_prints_whole(demo: DemoRound, tmp_path: Path) -> None:
    """Rows are as tall as their wrapped text: no reason or message is cut when printed."""
    workbook = demo.outbox / "選定結果.xlsx"
    text = _squeeze(pdf_text(convert(workbook, "pdf", tmp_path)))
    sheets = openpyxl.load_workbook(workbook)
    for name, column in (("不適格", "理由"), ("入力エラー", "エラー内容"), ("受付一覧", "理由"),
                         ("選定順位", "理由"), ("審査内訳", "団体名")):
        rows = list(sheets[name].iter_rows(values_only=True))
        at = rows[0].index(column)
        for row in rows[1:]:
            # wrapped cells print line by line, interleaved with their neighbours' lines:
            # whole means every character, in order
            assert _in_order(_squeeze(str(row[at])), text), (name, row[at])
    for entry in read_committee(workbook):  # the committee's texts in full
        for heading in ("取組課題", "目指す成果", "選外の理由・同点・相違"):
            assert _in_order(_squeeze(str(entry[heading] or "")), text), (heading, entry[heading])
    committee = sheets["選定会議資料"]
    assert all(c.font.sz >= 9 for row in committee.iter_rows() for c in row if c.value)


def _in_order(wanted: str, text: str) -> bool:
    remaining = iter(text)
    return all(ch in remaining for ch in wanted)


def test_plan_shows_the_applicants_text_whole(demo: DemoRound, tmp_path: Path) -> None:
    plan = workbook_kinds(demo.outbox)["計画書"]
    sheet = openpyxl.load_workbook(plan)["計画書"]
    goals = next(row[1].value for row in sheet.iter_rows() if row[0].value == "伴走支援で目指す成果")
    months = [c.value for row in sheet.iter_rows() if row[0].value == "活動" for c in row[2:] if c.value]
    text = _squeeze(pdf_text(convert(plan, "pdf", tmp_path)))
    assert _squeeze(goals) in text
    for month in months:
        assert month in text


def _record(path: Path) -> dict[str, object]:
    validated = validate_forms([read_form(path)])
    assert validated.problems.empty, validated.problems.to_dict("records")
    return {str(k): v for k, v in validated.applications.drop(columns="file").iloc[0].items()}


def test_form_resaved_by_libreoffice_reads_the_same(demo: DemoRound, tmp_path: Path) -> None:
    original = demo.inbox / next(f.name for f in demo.files if f.planted == "全角数字")
    resaved = convert(original, 'xlsx:Calc MS Excel 2007 XML', tmp_path / "xlsx")
    assert resaved.read_bytes() != original.read_bytes()
    assert _record(resaved) == _record(original)


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_xls_and_ods_saved_by_an_office_suite_read_like_the_xlsx(
        demo: DemoRound, tmp_path: Path, kind: str) -> None:
    original = demo.inbox / demo.files[-1].name
    converted = convert(original, kind, tmp_path)
    assert _record(converted) == _record(original)


def test_an_ods_describing_a_huge_sheet_is_refused_before_the_parser(
        demo: DemoRound, tmp_path: Path) -> None:
    ods = convert(demo.inbox / demo.files[-1].name, "ods", tmp_path)
    with zipfile.ZipFile(ods) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    huge = (b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
            b'table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p>'
            b'</table:table-cell></table:table-row></table:table>')
    bomb = tmp_path / "bomb.ods"
    with zipfile.ZipFile(bomb, "w") as archive:
        for info, data in parts.items():
            if info.filename == "content.xml":
                data = data.replace(b"</table:table>", huge, 1)
            archive.writestr(info, data)
    assert sniff(bomb) == "hostile"
    assert read_form(bomb).problems[0].code == "hostile"


def test_an_encrypted_xls_is_refused_with_its_own_message(demo: DemoRound, tmp_path: Path) -> None:
    xls = convert(demo.inbox / demo.files[-1].name, "xls", tmp_path)
    data = bytearray(xls.read_bytes())
    bof = data.find(b"\x09\x08\x10\x00\x00\x06\x05\x00")
    data[bof + 20: bof + 22] = b"\x2f\x00"  # FILEPASS right after the globals' BOF
    encrypted = tmp_path / "locked.xls"
    encrypted.write_bytes(bytes(data))
    form = read_form(encrypted)
    assert form.problems[0].code == "encrypted"
    assert "パスワードを外して" in form.problems[0].message


def test_a_xls_form_to_fix_gets_a_fresh_xlsx_copy_with_its_values_and_marks(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = add_form(tmp_path, "nakano.xlsx", org("中野の会", "新宿区", {"電話番号": "12"}),
                      blank_dir=blank_dir)
    convert(source, "xls", inbox)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert result.ledger.set_index("file").loc["nakano.xls", "decision"] == "要修正"
    copy = openpyxl.load_workbook(tmp_path / "outbox" / "差戻し" / "nakano_要修正.xlsx")
    form = copy["申請書"]
    cells = {c.value: form.cell(c.row, c.column + 1) for row in form.iter_rows() for c in row
             if isinstance(c.value, str)}
    assert cells["団体名"].value == "中野の会"
    assert cells["電話番号"].value == "12"
    assert cells["電話番号"].fill.fgColor.rgb.endswith(MARK_COLOR)
    assert copy.custom_doc_props["bansou-corrects"].value.endswith(" nakano.xls")
    letter = (tmp_path / "outbox" / "差戻し" / "nakano_連絡文.txt").read_text(encoding="utf-8")
    assert "新しい申請用紙（.xlsx）に写し" in letter


def test_review_sheet_saved_by_libreoffice_reads_back(demo: DemoRound, tmp_path: Path,
                                                      settings: RoundSettings) -> None:
    blank = demo.outbox / "審査票.xlsx"
    files = [str(row[0].value) for row in openpyxl.load_workbook(blank)["審査票"].iter_rows(min_row=6)
             if row[0].value]
    scores: dict[str, tuple[object, object, object] | str] = {
        files[0]: (5, 4, 3), files[1]: "conflict", files[2]: (2, 2, 1)}
    filled = fill_review(blank, tmp_path / "filled" / "審査票_LO.xlsx", "審査員L", scores)
    resaved = convert(filled, 'xlsx:Calc MS Excel 2007 XML', tmp_path / "resaved")
    labels = [c.label for c in settings.review]
    read = judge(read_review_sheets((resaved,), labels), settings, set(files))
    original = judge(read_review_sheets((filled,), labels), settings, set(files))
    assert read.conflicts.values.tolist() == [["審査員L", files[1]]]
    got = read.scores.sort_values(["file", "criterion"]).values.tolist()
    assert got == original.scores.sort_values(["file", "criterion"]).values.tolist()
    assert len(got) == 6
    # the rows left unscored are reported at the same cells either way
    assert [(p.cell, p.code) for p in read.problems] == [(p.cell, p.code) for p in original.problems]
    assert len(read.problems) == 3 * (len(files) - 3)


# the committee's texts are whole (取組課題 and 目指す成果 in full): two or three applications a page
@pytest.mark.parametrize(("eligible", "fewest_pages", "most_pages"), [(3, 1, 2), (45, 15, 23)])
def test_the_committee_sheet_grows_by_pages_each_with_its_heading(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings, eligible: int,
        fewest_pages: int, most_pages: int) -> None:
    """選定会議資料 on paper: as many pages as the applications need and no more, each page with
    the sheet's title, 暫定 while provisional, and the column headings repeated."""
    soffice()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_eligible_forms(inbox, eligible, blank_dir)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert (result.ranked["decision"] != "").sum() == eligible and result.provisional
    pages = pdf_text(convert(tmp_path / "outbox" / "選定結果.xlsx", "pdf", tmp_path)).split("\f")
    committee = [page for page in pages if "選定会議資料" in page and "【暫定】" in page]
    assert fewest_pages <= len(committee) <= most_pages, len(committee)
    for number, page in enumerate(committee, start=1):
        assert "順位" in page and "合計点" in page  # the headings, repeated
        assert f"{number} / {len(committee)} ページ" in page  # numbered within the sheet
    assert len(read_committee(tmp_path / "outbox" / "選定結果.xlsx")) == eligible
