"""Every workbook we write opens, renders and prints in LibreOffice; forms saved by another
application read back the same."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from pipeline.core.settings import RoundSettings
from pipeline.demo import DemoRound, run_demo
from pipeline.stage1_read.forms import read_form
from pipeline.stage1_read.review_sheets import read_review_sheets
from pipeline.stage2_decide.reviews import judge
from pipeline.stage2_decide.validate import validate_forms
from tests.office import convert, pdf_fonts, pdf_pages, pdf_text, soffice, workbook_kinds
from tests.roundfactory import fill_review

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
MAX_PAGES = {"申請用紙": 2, "計画書": 2}


@pytest.mark.parametrize("kind", list(EXPECTED_TEXT))
def test_workbook_renders_in_libreoffice(demo: DemoRound, tmp_path: Path, kind: str) -> None:
    workbook = workbook_kinds(demo.outbox)[kind]
    pdf = convert(workbook, "pdf", tmp_path)
    pages = pdf_pages(pdf)
    assert 1 <= pages <= MAX_PAGES.get(kind, 50), pages
    text = _squeeze(pdf_text(pdf))
    for expected in EXPECTED_TEXT[kind]:
        assert _squeeze(expected) in text, (kind, expected)
    fonts = pdf_fonts(pdf)
    assert re.search(r"CJK|Noto|Gothic|Mincho|IPA", fonts), fonts  # a Japanese font, no tofu


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


def test_ods_is_refused_with_how_to_save_as_xlsx(demo: DemoRound, tmp_path: Path) -> None:
    original = demo.inbox / demo.files[-1].name
    ods = convert(original, "ods", tmp_path)
    form = read_form(ods)
    assert not form.is_form
    assert "「Excel 2007-365 (.xlsx)」" in form.problems[0].message


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
