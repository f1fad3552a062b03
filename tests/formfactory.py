"""Make returned forms the way applicants do: fill the real blank form with openpyxl."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.formspec import FORM_SHEET
from pipeline.core.settings_load import load_settings
from pipeline.stage3_write.form import write_form
from tests.conftest import ROUND_TOML

# What a careful applicant types, by label.
VALID: dict[str, object] = {
    "申請日": "2016/6/28",
    "団体種別": "区市町村社会福祉協議会",
    "団体名": "社会福祉法人 新宿区社会福祉協議会",
    "代表者職氏名": "会長 山田 太郎",
    "区市町村": "新宿区",
    "郵便番号": "169-0075",
    "所在地": "東京都新宿区高田馬場1-17-20",
    "担当部署": "地域活動推進課",
    "担当者氏名": "佐藤 花子",
    "電話番号": "03-5273-9191",
    "メールアドレス": "chiiki@shinjuku-shakyo.example.jp",
    "取組課題の区分": "担い手の発掘・拡大",
    "取組課題の内容": "定年退職後の男性が地域活動に参加するきっかけが少ない。",
    "現在の取組状況": "地域サロン20か所を支援している。",
    "連携先の関係機関・団体": "地域包括支援センター、町会・自治会",
    "伴走支援で目指す成果": "新たな担い手30人の参加と、3つの新規活動の立ち上げ。",
    "希望開始時期": "2016年9月",
    "希望期間（か月）": 6,
    "事前相談の有無": "あり",
    "補足資料の郵送": "なし",
}
VALID_MARKS: dict[str, str] = {
    "地域デビュー支援策のブラッシュアップ": "○",
    "プロボノ事務局移転支援": "○",
    "担当窓口の設置": "○",
    "庁内の連携確保": "○",
    "地域の関係機関への働きかけ": "○",
}

def blank_form(directory: Path) -> Path:
    path = directory / "申請用紙.xlsx"
    if not path.exists():
        write_form(path, load_settings(ROUND_TOML))
    return path


def find_label(sheet: Worksheet, label: str, *, below: int = 0) -> tuple[int, int]:
    for row in sheet.iter_rows(min_row=below + 1):
        for cell in row:
            if cell.value == label:
                return cell.row, cell.column
    raise KeyError(label)


def fill(sheet: Worksheet, values: Mapping[str, object], marks: Mapping[str, object]) -> None:
    for label, value in values.items():
        row, col = find_label(sheet, label)
        cell = sheet.cell(row, col + 1)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text, even when it looks like a formula
    menus_row, _ = find_label(sheet, "希望する支援メニュー")
    for item, mark in marks.items():
        row, col = find_label(sheet, item, below=menus_row)
        sheet.cell(row, col + 1).value = mark


def make_form(
    path: Path,
    values: Mapping[str, object] | None = None,
    marks: Mapping[str, object] | None = None,
    *,
    edit: Callable[[Worksheet], None] | None = None,
    blank_dir: Path | None = None,
) -> Path:
    """A returned form: the blank form, filled (VALID by default), then edited."""
    workbook = openpyxl.load_workbook(blank_form(blank_dir or path.parent))
    sheet = workbook[FORM_SHEET]
    fill(sheet, VALID if values is None else values, VALID_MARKS if marks is None else marks)
    if edit:
        edit(sheet)
    workbook.save(path)
    return path


def with_values(changes: Mapping[str, object]) -> dict[str, object]:
    """VALID with some labels changed (None empties the cell)."""
    return {**VALID, **changes}

