"""Returned forms: read by label wherever the fields moved, validated, reported by cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core import domain
from pipeline.core.formspec import FIELDS_BY_LABEL
from pipeline.core.normalize import ReadAs, normalize_field, parse_mark
from pipeline.demo import insert_cols, insert_rows
from pipeline.stage1_read.forms import read_form
from pipeline.stage2_decide.validate import Validated, validate_forms
from tests.formfactory import (
    VALID,
    VALID_MARKS,
    find_label,
    make_form,
    with_values,
)


def _run(path: Path) -> Validated:
    return validate_forms([read_form(path)])


def _record(path: Path) -> dict[str, object]:
    result = _run(path)
    assert result.problems.empty, result.problems.to_dict("records")
    return {str(k): v for k, v in result.applications.drop(columns="file").iloc[0].items()}


EXPECTED = {
    "application_date": pd.Timestamp("2016-06-28"),
    "org_type": "区市町村社会福祉協議会",
    "org_name": "社会福祉法人 新宿区社会福祉協議会",
    "representative": "会長 山田 太郎",
    "municipality": "新宿区",
    "postal_code": "169-0075",
    "address": "東京都新宿区高田馬場1-17-20",
    "intermediary_function": None,
    "department": "地域活動推進課",
    "contact_name": "佐藤 花子",
    "phone": "03-5273-9191",
    "email": "chiiki@shinjuku-shakyo.example.jp",
    "challenge_category": "担い手の発掘・拡大",
    "challenge_detail": VALID["取組課題の内容"],
    "current_activities": VALID["現在の取組状況"],
    "partners": VALID["連携先の関係機関・団体"],
    "goals": VALID["伴走支援で目指す成果"],
    "menus": ("地域デビュー支援策のブラッシュアップ", "プロボノ事務局移転支援"),
    "menu_other": None,
    "start_month": pd.Timestamp("2016-09-01"),
    "duration_months": 6,
    "commitments": ("担当窓口の設置", "庁内の連携確保", "地域の関係機関への働きかけ"),
    "pre_consultation": "あり",
    "mailed_materials": "なし",
}


def _same(record: Mapping[str, object], expected: Mapping[str, object]) -> None:
    for key, value in expected.items():
        got = record[key]
        if value is None:
            assert pd.isna(got), key  # type: ignore[call-overload]
        else:
            assert got == value, key


def test_round_trip_of_every_field(tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "a.xlsx", blank_dir=blank_dir)
    record = _record(path)
    assert set(record) == set(EXPECTED)
    _same(record, EXPECTED)


# What applicants type, and the value read (the contract's tolerated variants).
TOLERATED = [
    ("申請日", dt.datetime(2016, 6, 28), "application_date", pd.Timestamp("2016-06-28")),
    ("申請日", "2016-06-28", "application_date", pd.Timestamp("2016-06-28")),
    ("申請日", "2016年6月28日", "application_date", pd.Timestamp("2016-06-28")),
    ("申請日", "平成28年6月28日", "application_date", pd.Timestamp("2016-06-28")),
    ("申請日", "H28.6.28", "application_date", pd.Timestamp("2016-06-28")),
    ("申請日", "R8.6.1", "application_date", pd.Timestamp("2026-06-01")),
    ("申請日", "令和元年5月1日", "application_date", pd.Timestamp("2019-05-01")),
    ("申請日", "２０１６／６／２８", "application_date", pd.Timestamp("2016-06-28")),
    ("申請日", "2016年6月28日(火)", "application_date", pd.Timestamp("2016-06-28")),
    ("団体種別", "社会福祉協議会", "org_type", "区市町村社会福祉協議会"),
    ("団体種別", "社協", "org_type", "区市町村社会福祉協議会"),
    ("団体種別", "包括", "org_type", "地域包括支援センター"),
    ("団体種別", "区市町村", "org_type", domain.ORG_TYPES["municipality"]),
    ("区市町村", "東京都新宿区", "municipality", "新宿区"),
    ("区市町村", "西多摩郡瑞穂町", "municipality", "瑞穂町"),
    ("区市町村", "東京都西多摩郡日の出町", "municipality", "日の出町"),
    ("区市町村", "八王子", "municipality", "八王子市"),
    ("郵便番号", "〒169-0075", "postal_code", "169-0075"),
    ("郵便番号", "１６９－００７５", "postal_code", "169-0075"),
    ("郵便番号", "1690075", "postal_code", "169-0075"),
    ("郵便番号", 1690075, "postal_code", "169-0075"),
    ("電話番号", "０３－５２７３－９１９１", "phone", "03-5273-9191"),
    ("電話番号", "03(5273)9191", "phone", "03-5273-9191"),
    ("電話番号", 352739191, "phone", "0352739191"),
    ("電話番号", "090-1234-5678", "phone", "090-1234-5678"),
    ("メールアドレス", "ｃｈｉｉｋｉ＠ｅｘａｍｐｌｅ．ｊｐ", "email", "chiiki@example.jp"),
    ("メールアドレス", " mailto:chiiki@example.jp ", "email", "chiiki@example.jp"),
    ("希望開始時期", "平成28年9月", "start_month", pd.Timestamp("2016-09-01")),
    ("希望開始時期", "2016/9", "start_month", pd.Timestamp("2016-09-01")),
    ("希望開始時期", dt.datetime(2016, 9, 15), "start_month", pd.Timestamp("2016-09-01")),
    ("希望期間（か月）", "６", "duration_months", 6),
    ("希望期間（か月）", "6か月", "duration_months", 6),
    ("希望期間（か月）", "６ヶ月", "duration_months", 6),
    ("希望期間（か月）", 8.0, "duration_months", 8),
    ("事前相談の有無", "なし", "pre_consultation", "なし"),
    ("取組課題の区分", "活動の継続・資金確保", "challenge_category", "活動の継続・資金確保"),
    ("団体名", "  ｻﾝﾌﾟﾙ　団体  ", "org_name", "サンプル 団体"),
]
YES_MARKS = ["○", "◯", "〇", "●", "✓", "✔", "レ", "☑", "はい", "有", "希望する", "TRUE", "1", True, 1]
NO_MARKS = [None, "×", "✕", "ー", "-", "いいえ", "無", "FALSE", "0", False, 0]


@pytest.mark.parametrize(("label", "typed", "key", "expected"), TOLERATED)
def test_tolerated_variants_are_read_as_values(label: str, typed: object, key: str,
                                               expected: object) -> None:
    value = normalize_field(FIELDS_BY_LABEL[label], typed)
    value = value.value if isinstance(value, ReadAs) else value
    if isinstance(expected, pd.Timestamp):
        value = pd.Timestamp(value)  # type: ignore[arg-type]
    assert FIELDS_BY_LABEL[label].key == key and value == expected


def test_marks_are_read_as_yes_or_no() -> None:
    assert all(parse_mark(mark) is True for mark in YES_MARKS)
    assert all(parse_mark(mark) is False for mark in NO_MARKS)


# The same variants through a form file (cell types as Excel writes them): a file each.
@pytest.mark.slow
@pytest.mark.parametrize(("label", "typed", "key", "expected"), TOLERATED)
def test_tolerated_variants(tmp_path: Path, blank_dir: Path, label: str, typed: object,
                            key: str, expected: object) -> None:
    path = make_form(tmp_path / "v.xlsx", with_values({label: typed}), blank_dir=blank_dir)
    assert _record(path)[key] == expected


@pytest.mark.slow
@pytest.mark.parametrize("mark", YES_MARKS)
def test_yes_marks(tmp_path: Path, blank_dir: Path, mark: object) -> None:
    path = make_form(tmp_path / "m.xlsx", marks={"プラン策定支援": mark}, blank_dir=blank_dir)
    assert _record(path)["menus"] == ("プラン策定支援",)


@pytest.mark.slow
@pytest.mark.parametrize("mark", NO_MARKS)
def test_no_marks(tmp_path: Path, blank_dir: Path, mark: object) -> None:
    marks = {"プラン策定支援": "○", "打合せ・会議運営支援": mark}
    path = make_form(tmp_path / "m.xlsx", marks=marks, blank_dir=blank_dir)
    assert _record(path)["menus"] == ("プラン策定支援",)


def _insert_rows_everywhere(sheet: Worksheet) -> None:
    insert_rows(sheet, 1, 3)  # above everything
    row, _ = find_label(sheet, "区市町村")
    insert_rows(sheet, row, 2)  # between fields
    row, _ = find_label(sheet, "希望する支援メニュー")
    insert_rows(sheet, row + 2, 1)  # inside a checklist, after its first item


def _move_right(sheet: Worksheet) -> None:
    insert_cols(sheet, 1, 2)


def _retype_labels(sheet: Worksheet) -> None:
    for label, retyped in [("団体名", "※団体名（必須）："), ("電話番号", "電話　番号"),
                           ("メールアドレス", "ﾒｰﾙｱﾄﾞﾚｽ:"), ("申請日", "＊申請日"),
                           ("希望期間（か月）", "希望期間(か月)"), ("プラン策定支援", " プラン策定支援 ")]:
        row, col = find_label(sheet, label)
        sheet.cell(row, col).value = retyped


def _merge_inputs(sheet: Worksheet) -> None:
    for label in ("団体名", "取組課題の内容"):
        row, col = find_label(sheet, label)
        sheet.merge_cells(start_row=row, start_column=col + 1, end_row=row, end_column=col + 2)


def _merge_label(sheet: Worksheet) -> None:
    # A label merged over two columns: its input is right of the merged range.
    row, col = find_label(sheet, "代表者職氏名")
    value = sheet.cell(row, col + 1).value
    sheet.cell(row, col + 2).value = value
    sheet.cell(row, col + 1).value = None
    sheet.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 1)


@pytest.mark.parametrize("edit", [_insert_rows_everywhere, _move_right, _retype_labels,
                                  _merge_inputs, _merge_label])
def test_layout_changes_do_not_matter(tmp_path: Path, blank_dir: Path, edit) -> None:
    marks = {**VALID_MARKS, "プラン策定支援": "○"}
    path = make_form(tmp_path / "e.xlsx", marks=marks, edit=edit, blank_dir=blank_dir)
    record = _record(path)
    _same(record, {**EXPECTED, "menus": ("プラン策定支援", *EXPECTED["menus"])})  # type: ignore[misc]


def _problems(path: Path) -> list[tuple[str, str, str, str]]:
    found = _run(path).problems
    return list(found[["cell", "label", "value", "code"]].itertuples(index=False, name=None))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"申請日": None}, ("B6", "申請日", "", "required")),
        ({"申請日": "きのう"}, ("B6", "申請日", "きのう", "bad_date")),
        ({"申請日": "2016/2/30"}, ("B6", "申請日", "2016/2/30", "bad_date")),
        ({"団体種別": "町内会みたいなもの"}, ("B7", "団体種別", "町内会みたいなもの", "bad_choice")),
        ({"団体種別": "センター"}, ("B7", "団体種別", "センター", "ambiguous_choice")),
        ({"郵便番号": "169-007"}, ("B11", "郵便番号", "169-007", "bad_postal_code")),
        ({"電話番号": "5273-9191"}, ("B17", "電話番号", "5273-9191", "bad_phone")),
        ({"メールアドレス": "a@b.jp, c@d.jp"}, ("B18", "メールアドレス", "a@b.jp, c@d.jp", "bad_email")),
        ({"取組課題の区分": "防災"}, ("B20", "取組課題の区分", "防災", "bad_choice")),
        ({"取組課題の内容": None}, ("B21", "取組課題の内容", "", "required")),
        ({"希望開始時期": "秋ごろ"}, ("B35", "希望開始時期", "秋ごろ", "bad_year_month")),
        ({"希望期間（か月）": 12}, ("B36", "希望期間（か月）", "12", "months_out_of_range")),
        ({"希望期間（か月）": "4～6か月"}, ("B36", "希望期間（か月）", "4～6か月", "bad_months")),
        ({"事前相談の有無": "たぶん"}, ("B44", "事前相談の有無", "たぶん", "bad_choice")),
        ({"団体種別": "その他（NPO支援センター等）"},
         ("B13", "中間支援機能の概要", "", "function_required_for_other")),
    ],
)
def test_each_problem_names_its_cell(tmp_path: Path, blank_dir: Path,
                                     changes: dict[str, object],
                                     expected: tuple[str, str, str, str]) -> None:
    path = make_form(tmp_path / "p.xlsx", with_values(changes), blank_dir=blank_dir)
    assert _problems(path) == [expected]


def test_checklist_problems(tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "c.xlsx", marks={"その他": "○", "プラン策定支援": "たぶん"},
                     blank_dir=blank_dir)
    assert _problems(path) == [
        ("B29", "希望する支援メニュー：プラン策定支援", "たぶん", "bad_mark"),
        ("B34", "その他の希望内容", "", "menu_other_required"),
    ]
    none_chosen = make_form(tmp_path / "n.xlsx", marks={}, blank_dir=blank_dir)
    assert _problems(none_chosen) == [("B27", "希望する支援メニュー", "", "no_menu")]


def test_messages_are_actionable_japanese(tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "p.xlsx", with_values({"郵便番号": "abc"}), blank_dir=blank_dir)
    message = _run(path).problems["message"].tolist()
    assert message == ["「郵便番号」の「abc」は7桁の郵便番号として読み取れません。"
                       "163-8001 のように入力してください。"]


def test_a_value_the_normaliser_rejected_is_not_reported_again(tmp_path: Path,
                                                               blank_dir: Path) -> None:
    path = make_form(tmp_path / "p.xlsx", with_values({"希望期間（か月）": "長め"}), blank_dir=blank_dir)
    assert [code for *_, code in _problems(path)] == ["bad_months"]


def test_missing_label_is_reported_once(tmp_path: Path, blank_dir: Path) -> None:
    def drop_label(sheet: Worksheet) -> None:
        row, col = find_label(sheet, "担当部署")
        sheet.cell(row, col).value = "部署"

    path = make_form(tmp_path / "l.xlsx", edit=drop_label, blank_dir=blank_dir)
    assert _problems(path) == [("", "担当部署", "", "label_missing")]
    # the message names where the blank form has the label
    message = _run(path).problems["message"].iloc[0]
    assert message.startswith("「担当部署」の見出しが見つかりません（配布した申請用紙では A15 のセルです）。")


def test_every_problem_of_a_form_with_many(tmp_path: Path, blank_dir: Path) -> None:
    changes = {label: "???" for label in VALID}
    path = make_form(tmp_path / "many.xlsx", changes, marks={"その他": "?"}, blank_dir=blank_dir)
    found = _problems(path)
    labels = [label for _, label, _, _ in found]
    assert len(labels) == len(set(labels))  # nothing twice
    assert {"申請日", "郵便番号", "電話番号", "メールアドレス", "希望期間（か月）",
            "希望開始時期", "団体種別", "事前相談の有無", "希望する支援メニュー"} <= set(labels)
    assert all(cell.startswith("B") for cell, *_ in found)
