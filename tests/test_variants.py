"""Forms as people really fill them (issue 15): a corpus of the ways each kind of value is
written, each read to what the person meant, or — where the meaning is ambiguous — refused
with the problem named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.formspec import FIELDS_BY_KEY
from pipeline.core.normalize import Invalid, MonthOnly, clean_text, normalize_field, parse_mark
from pipeline.core.notes import Note
from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from pipeline.stage1_read.forms import read_form
from pipeline.stage2_decide.validate import validate_forms
from tests.formfactory import VALID, find_label, make_form, with_values
from tests.roundfactory import FINAL_AT, RUN_AT, add_form, org

D = dt.date
COUNCIL = "区市町村社会福祉協議会"

VARIANTS: list[tuple[str, object, object]] = [
    # 申請日
    ("application_date", "2016/6/28", D(2016, 6, 28)),
    ("application_date", "2016-06-28", D(2016, 6, 28)),
    ("application_date", "2016年6月28日", D(2016, 6, 28)),
    ("application_date", "２０１６年６月２８日", D(2016, 6, 28)),
    ("application_date", "平成28年6月28日", D(2016, 6, 28)),
    ("application_date", "平成２８年６月２８日（火）", D(2016, 6, 28)),
    ("application_date", "H28.6.28", D(2016, 6, 28)),
    ("application_date", "h28/6/28", D(2016, 6, 28)),
    ("application_date", "R8.6.1", D(2026, 6, 1)),
    ("application_date", "令和元年5月1日", D(2019, 5, 1)),
    ("application_date", "2016/6/28(火)", D(2016, 6, 28)),
    ("application_date", " 2016/6/28 ", D(2016, 6, 28)),
    ("application_date", "2016/6/28\u200b", D(2016, 6, 28)),
    ("application_date", "\ufeff2016/6/28", D(2016, 6, 28)),
    ("application_date", dt.datetime(2016, 6, 28), D(2016, 6, 28)),
    ("application_date", 42549, D(2016, 6, 28)),
    ("application_date", 42549.0, D(2016, 6, 28)),
    ("application_date", "2016/6", Invalid("bad_date")),
    ("application_date", "6月28日ごろ", Invalid("bad_date")),
    ("application_date", "2016/13/1", Invalid("bad_date")),
    ("application_date", "2016/2/30", Invalid("bad_date")),
    ("application_date", "近日中", Invalid("bad_date")),
    # 希望開始時期
    ("start_month", "2016年9月", D(2016, 9, 1)),
    ("start_month", "平成28年9月", D(2016, 9, 1)),
    ("start_month", "2016/9", D(2016, 9, 1)),
    ("start_month", "２０１６年９月", D(2016, 9, 1)),
    ("start_month", "2016年9月から", D(2016, 9, 1)),
    ("start_month", "2016年9月頃", D(2016, 9, 1)),
    ("start_month", "2016年9月ごろ", D(2016, 9, 1)),
    ("start_month", "2016年9月予定", D(2016, 9, 1)),
    ("start_month", "2016年9月上旬", D(2016, 9, 1)),
    ("start_month", "2016年9月中旬", D(2016, 9, 1)),
    ("start_month", "2016年9月下旬から", D(2016, 9, 1)),
    ("start_month", "2016年9月以降", D(2016, 9, 1)),
    ("start_month", "2016年9月～", D(2016, 9, 1)),
    ("start_month", "平成二十八年九月", D(2016, 9, 1)),
    ("start_month", dt.datetime(2016, 9, 15), D(2016, 9, 1)),
    ("start_month", "10月", MonthOnly(10)),
    ("start_month", "１０月頃", MonthOnly(10)),
    ("start_month", "十月から", MonthOnly(10)),
    ("start_month", "13月", Invalid("bad_year_month")),
    ("start_month", "秋ごろ", Invalid("bad_year_month")),
    ("start_month", "未定", Invalid("bad_year_month")),
    # 希望期間（か月）
    ("duration_months", 6, 6),
    ("duration_months", 6.0, 6),
    ("duration_months", "6", 6),
    ("duration_months", "６", 6),
    ("duration_months", "6か月", 6),
    ("duration_months", "6ヶ月", 6),
    ("duration_months", "6ヵ月", 6),
    ("duration_months", "6カ月", 6),
    ("duration_months", "6箇月", 6),
    ("duration_months", "6か月間", 6),
    ("duration_months", "6か月程度", 6),
    ("duration_months", "約6か月", 6),
    ("duration_months", "およそ6ヶ月", 6),
    ("duration_months", "6ヶ月くらい", 6),
    ("duration_months", "六か月", 6),
    ("duration_months", "八ヶ月", 8),
    ("duration_months", "半年", 6),
    ("duration_months", "半年間", 6),
    ("duration_months", "約半年", 6),
    ("duration_months", "1年", 12),  # read; the schema then says 4 to 8
    ("duration_months", "4～6か月", Invalid("bad_months")),
    ("duration_months", "4-6", Invalid("bad_months")),
    ("duration_months", "6.5", Invalid("bad_months")),
    ("duration_months", 6.5, Invalid("bad_months")),
    ("duration_months", "相談して決めたい", Invalid("bad_months")),
    # 電話番号
    ("phone", "03-3333-1111", "03-3333-1111"),
    ("phone", "0333331111", "03-3333-1111".replace("-", "")),
    ("phone", "０３－３３３３－１１１１", "03-3333-1111"),
    ("phone", "03（3333）1111", "03-3333-1111"),
    ("phone", "(03)3333-1111", "03-3333-1111"),
    ("phone", "03 3333 1111", "03-3333-1111"),
    ("phone", "03ー3333ー1111", "03-3333-1111"),
    ("phone", "090-1234-5678", "090-1234-5678"),
    ("phone", "03-3333-1111（内線）", "03-3333-1111 (内線)"),
    ("phone", "03-3333-1111（内線123）", "03-3333-1111 (内線123)"),
    ("phone", "03-3333-1111 内線123", "03-3333-1111 内線123"),
    ("phone", "03-3333-1111（代表）", "03-3333-1111 (代表)"),
    ("phone", "03-3333-1111 平日9時〜17時", "03-3333-1111 平日9時〜17時"),
    ("phone", "TEL 03-3333-1111", "03-3333-1111"),
    ("phone", "電話：03-3333-1111", "03-3333-1111"),
    ("phone", "03-3333-1111、090-1234-5678", "03-3333-1111 090-1234-5678"),
    ("phone", "03-3333-1111／03-3333-2222", "03-3333-1111 03-3333-2222"),
    ("phone", "03-3333-1111 090-1234-5678", "03-3333-1111 090-1234-5678"),
    ("phone", 333331111, "0333331111"),
    ("phone", 9012345678.0, "09012345678"),
    ("phone", "3333-1111", Invalid("bad_phone")),
    ("phone", "内線123", Invalid("bad_phone")),
    ("phone", "未定", Invalid("bad_phone")),
    # 郵便番号
    ("postal_code", "169-0075", "169-0075"),
    ("postal_code", "1690075", "169-0075"),
    ("postal_code", "〒169-0075", "169-0075"),
    ("postal_code", "〒１６９－００７５", "169-0075"),
    ("postal_code", "169ー0075", "169-0075"),
    ("postal_code", " 169-0075 ", "169-0075"),
    ("postal_code", 1690075, "169-0075"),
    ("postal_code", 1690075.0, "169-0075"),
    ("postal_code", "169-007", Invalid("bad_postal_code")),
    ("postal_code", "新宿区", Invalid("bad_postal_code")),
    # メールアドレス
    ("email", "info@example.jp", "info@example.jp"),
    ("email", "ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｊｐ", "info@example.jp"),
    ("email", " info@example.jp ", "info@example.jp"),
    ("email", "mailto:info@example.jp", "info@example.jp"),
    ("email", "info@example.jp\u200b", "info@example.jp"),
    ("email", "info@example.jp、sub@example.jp", Invalid("bad_email")),
    ("email", "info@example", Invalid("bad_email")),
    ("email", "未定", Invalid("bad_email")),
    # 区市町村
    ("municipality", "新宿区", "新宿区"),
    ("municipality", "東京都新宿区", "新宿区"),
    ("municipality", "東京都 新宿区", "新宿区"),
    ("municipality", "新宿", "新宿区"),
    ("municipality", "八王子", "八王子市"),
    ("municipality", "西多摩郡瑞穂町", "瑞穂町"),
    ("municipality", "東京都西多摩郡日の出町", "日の出町"),
    ("municipality", "大島町", "大島町"),
    ("municipality", "新宿区\u200b", "新宿区"),
    ("municipality", "横浜市", "横浜市"),  # kept as written: eligibility refuses it
    # 団体種別
    ("org_type", COUNCIL, COUNCIL),
    ("org_type", "社協", COUNCIL),
    ("org_type", "社会福祉協議会", COUNCIL),
    ("org_type", "区市町村 社会福祉協議会", COUNCIL),
    ("org_type", "包括", "地域包括支援センター"),
    ("org_type", "地域包括支援センター", "地域包括支援センター"),
    ("org_type", "その他", "その他（NPO支援センター等）"),
    ("org_type", "NPO", "その他（NPO支援センター等）"),
    ("org_type", "株式会社", "株式会社"),  # a type outside the four: 不適格, not 要修正
    ("org_type", "㈱", "(株)"),
    ("org_type", "学校法人", "学校法人"),
    ("org_type", "医療法人", "医療法人"),
    ("org_type", "個人", "個人"),
    ("org_type", "町内会みたいなもの", Invalid("bad_choice")),
    ("org_type", "センター", Invalid("ambiguous_choice")),
    # 事前相談の有無
    ("pre_consultation", "あり", "あり"),
    ("pre_consultation", "なし", "なし"),
    ("pre_consultation", " あり ", "あり"),
    ("pre_consultation", "有り", Invalid("bad_choice")),
    # free text
    ("org_name", "中野\u200b区社協", "中野区社協"),
    ("org_name", "\ufeff中野区社協", "中野区社協"),
    ("org_name", "中野区\u00ad社協", "中野区社協"),
    ("org_name", "中野区\u2060社協\u202e", "中野区社協"),
    ("org_name", "中野区\u00a0社協", "中野区 社協"),
    ("org_name", "中野区　　社協", "中野区 社協"),
    ("org_name", "中野区\x07社協", "中野区社協"),
    ("org_name", "=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"),  # text stays text
    ("goals", "一行目\r\n二行目", "一行目\n二行目"),
    ("goals", "  ", None),
]


@pytest.mark.parametrize(("key", "typed", "meant"), VARIANTS,
                         ids=[f"{key}:{typed!r}" for key, typed, _ in VARIANTS])
def test_each_way_of_writing_a_value_reads_as_meant(key: str, typed: object,
                                                   meant: object) -> None:
    found = normalize_field(FIELDS_BY_KEY[key], typed)
    if isinstance(meant, Invalid):
        assert isinstance(found, Invalid) and found.code == meant.code
    else:
        assert found == meant


MARKS = [("○", True), ("◯", True), ("〇", True), ("●", True), ("✓", True), ("✔", True),
         ("レ", True), ("☑", True), ("はい", True), ("有", True), ("希望する", True),
         ("TRUE", True), (1, True), (True, True), (" ○ ", True), ("○\u200b", True),
         ("", False), (None, False), ("×", False), ("ー", False), ("-", False), ("いいえ", False),
         ("無", False), (0, False), (False, False), ("△", Invalid("bad_mark")),
         ("たぶん", Invalid("bad_mark")), (2, Invalid("bad_mark"))]


@pytest.mark.parametrize(("typed", "meant"), MARKS, ids=[repr(t) for t, _ in MARKS])
def test_marks(typed: object, meant: object) -> None:
    assert parse_mark(typed) == meant


def test_the_corpus_is_large_enough() -> None:
    assert len(VARIANTS) + len(MARKS) >= 150


def test_invisible_characters_never_reach_a_value() -> None:
    for invisible in "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u202a\u202c\u2066\u2069\x01\x1f\x7f":
        assert clean_text(f"中{invisible}野") == "中野"


# --- Whole forms ---------------------------------------------------------------------------------

def _problems(path: Path, deadline: dt.date | None = None) -> list[tuple[str, str, str]]:
    found = validate_forms([read_form(path)], deadline).problems
    return list(zip(found["cell"], found["label"], found["code"], strict=True))


def _set(label: str, value: object) -> Callable[[Worksheet], None]:
    def edit(sheet: Worksheet) -> None:
        row, col = find_label(sheet, label)
        sheet.cell(row, col + 1).value = value  # a string with = becomes a formula here
    return edit


def test_a_formula_in_an_input_cell_is_named_as_a_formula(tmp_path: Path,
                                                          blank_dir: Path) -> None:
    path = make_form(tmp_path / "f.xlsx", edit=_set("申請日", "=TODAY()"), blank_dir=blank_dir)
    found = validate_forms([read_form(path)]).problems
    assert found[["cell", "label", "code"]].values.tolist() == [["B6", "申請日", "formula"]]
    assert found["message"].iloc[0].startswith("「申請日」のセルに数式が入力されています。")


def test_a_value_typed_into_the_label_cell_is_read(tmp_path: Path, blank_dir: Path) -> None:
    def inline(sheet: Worksheet) -> None:
        row, col = find_label(sheet, "団体名")
        sheet.cell(row, col).value = "団体名：中野の会"
        sheet.cell(row, col + 1).value = None

    path = make_form(tmp_path / "f.xlsx", edit=inline, blank_dir=blank_dir)
    validated = validate_forms([read_form(path)])
    assert validated.problems.empty
    assert validated.applications["org_name"].tolist() == ["中野の会"]


def test_an_application_date_far_from_the_round_is_an_input_problem(
        tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "f.xlsx", with_values({"申請日": "2061/6/28"}), blank_dir=blank_dir)
    assert _problems(path, D(2016, 6, 30)) == [("B6", "申請日", "date_out_of_round")]
    assert _problems(path) == []  # without a round (bansou check), no rule to apply


@pytest.mark.slow
def test_a_month_without_a_year_takes_the_round_s_year_and_says_so(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "oct.xlsx", org("十月の会", "新宿区", {"希望開始時期": "10月頃"}), blank_dir=blank_dir)
    add_form(inbox, "jan.xlsx", org("一月の会", "八王子市", {"希望開始時期": "1月"}), blank_dir=blank_dir)
    result = run_round(inbox, tmp_path / "outbox", settings, FINAL_AT)
    months = result.records.set_index("file")["start_month"]
    assert months["oct.xlsx"] == D(2016, 10, 1) and months["jan.xlsx"] == D(2017, 1, 1)
    reason = result.ledger.set_index("file").loc["oct.xlsx", "reason"]
    assert "希望開始時期は年の記載がないため 2016年10月 と読みました。" in str(reason)


@pytest.mark.slow
def test_a_type_outside_the_four_is_ineligible_with_its_own_reason(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "co.xlsx", org("まちづくり株式会社", "新宿区", {"団体種別": "株式会社"}),
             blank_dir=blank_dir)
    add_form(inbox, "odd.xlsx", org("謎の会", "八王子市", {"団体種別": "町内会みたいなもの"}),
             blank_dir=blank_dir)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)  # before the 再提出期限
    ledger = result.ledger.set_index("file")
    assert ledger.loc["co.xlsx", "decision"] == "不適格"
    assert ledger.loc["co.xlsx", "reason"] == "団体種別「株式会社」は本事業の対象ではありません。"
    assert ledger.loc["co.xlsx", "reason_code"] == "org_type_allowed"
    assert ledger.loc["odd.xlsx", "decision"] == "要修正"


# --- Which sheet is the form -------------------------------------------------------------------

def _workbook_with(path: Path, blank_dir: Path, arrange: Callable[[openpyxl.Workbook], None]) -> Path:
    make_form(path, blank_dir=blank_dir)  # 申請書 filled with VALID
    workbook = openpyxl.load_workbook(path)
    arrange(workbook)
    workbook.save(path)
    return path


def _blank_original_and_filled_copy(workbook: openpyxl.Workbook) -> None:
    """Excel's 移動またはコピー: the applicant fills 申請書 (2) and leaves 申請書 blank."""
    original = workbook["申請書"]
    workbook.copy_worksheet(original).title = "申請書 (2)"
    for label in VALID:
        row, col = find_label(original, label)
        original.cell(row, col + 1).value = None


def test_a_filled_copy_beside_a_blank_original_is_read(tmp_path: Path, blank_dir: Path) -> None:
    path = _workbook_with(tmp_path / "copy.xlsx", blank_dir, _blank_original_and_filled_copy)
    form = read_form(path)
    assert form.sheet == "申請書 (2)" and form.remarks == (Note.of("form_on_other_sheet", sheet="申請書 (2)"),)
    validated = validate_forms([form])
    assert validated.problems.empty and len(validated.applications) == 1


def test_a_renamed_form_sheet_is_read(tmp_path: Path, blank_dir: Path) -> None:
    def rename(workbook: openpyxl.Workbook) -> None:
        workbook["申請書"].title = "中野区社協 申請"

    form = read_form(_workbook_with(tmp_path / "renamed.xlsx", blank_dir, rename))
    assert form.is_form and form.sheet == "中野区社協 申請"
    assert validate_forms([form]).problems.empty


def test_two_filled_sheets_are_to_be_fixed_naming_both(tmp_path: Path, blank_dir: Path) -> None:
    def two(workbook: openpyxl.Workbook) -> None:
        workbook.copy_worksheet(workbook["申請書"]).title = "申請書 (2)"

    found = validate_forms([read_form(_workbook_with(tmp_path / "two.xlsx", blank_dir, two))]).problems
    assert found[["sheet", "code"]].values.tolist() == [["申請書", "two_filled_sheets"]]
    assert "「申請書」、「申請書 (2)」" in found["message"].iloc[0]
