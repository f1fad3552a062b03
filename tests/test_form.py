"""The blank form follows the contract and is comfortable to fill in Excel."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pipeline.core import domain
from pipeline.core.formspec import (
    FIELDS,
    FORM_SHEET,
    FORM_VERSION,
    LABEL_ROWS,
    VERSION_LABEL,
    item_key,
)
from pipeline.core.settings import RoundSettings


@pytest.fixture(scope="module")
def sheet(blank_dir: Path):
    return openpyxl.load_workbook(blank_dir / "申請用紙.xlsx")[FORM_SHEET]


def _cells(sheet) -> dict[str, tuple[int, int]]:
    return {c.value: (c.row, c.column) for row in sheet.iter_rows() for c in row
            if isinstance(c.value, str)}


def test_every_label_has_an_unlocked_input_cell_to_its_right(sheet) -> None:
    cells = _cells(sheet)
    for field in FIELDS:
        row, col = cells[field.label]
        assert sheet.cell(row, col).protection.locked, field.label
        if field.is_checklist:
            for offset, item in enumerate(field.items, start=1):
                assert sheet.cell(row + offset, col).value == item
                assert not sheet.cell(row + offset, col + 1).protection.locked
        else:
            assert sheet.cell(row, col + 1).value is None
            assert not sheet.cell(row, col + 1).protection.locked, field.label


def test_version_label_and_protection(sheet) -> None:
    row, col = _cells(sheet)[VERSION_LABEL]
    assert sheet.cell(row, col + 1).value == FORM_VERSION
    assert sheet.protection.sheet
    assert not sheet.protection.password
    assert not sheet.protection.insertRows  # False means "allowed" in OOXML


def test_drop_downs_for_every_choice(sheet, blank_dir: Path) -> None:
    cells = _cells(sheet)
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    lists = openpyxl.load_workbook(blank_dir / "申請用紙.xlsx")["リスト"]
    assert lists.sheet_state == "hidden"
    column_values = {
        col[0].column_letter: [c.value for c in col if c.value is not None]
        for col in lists.iter_cols()
    }
    expected = {
        "団体種別": list(domain.ORG_TYPES.values()),
        "区市町村": list(domain.MUNICIPALITIES),
        "取組課題の区分": list(domain.CHALLENGE_CATEGORIES),
        "事前相談の有無": list(domain.YES_NO),
        "補足資料の郵送": list(domain.YES_NO),
        "プラン策定支援": ["○"],
    }
    for label, values in expected.items():
        row, col = cells[label]
        address = sheet.cell(row, col + 1).coordinate
        validation = validations[address]
        assert validation.type == "list"
        letter = validation.formula1.split("!")[1][1]
        assert column_values[letter] == values, label
    assert len(domain.MUNICIPALITIES) == 62


def test_print_setup_and_japanese_font(sheet) -> None:
    assert sheet.page_setup.paperSize == 9
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    row, col = _cells(sheet)["取組課題の内容"]
    assert sheet.row_dimensions[row].height >= 60
    assert sheet.cell(row, col + 1).alignment.wrap_text
    assert sheet.cell(row, col).font.name == "BIZ UDゴシック"  # on Windows and in the tests


def test_form_is_byte_identical_when_written_twice(tmp_path: Path,
                                                    settings: RoundSettings) -> None:
    from pipeline.stage3_write.form import write_form

    write_form(tmp_path / "a.xlsx", settings)
    write_form(tmp_path / "b.xlsx", settings)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_label_rows_are_where_the_blank_form_has_its_labels(blank_dir: Path) -> None:
    sheet = openpyxl.load_workbook(blank_dir / "申請用紙.xlsx")["申請書"]
    for spec in FIELDS:
        assert sheet.cell(LABEL_ROWS[spec.key] + 1, 1).value == spec.label
        for item in spec.items:
            assert sheet.cell(LABEL_ROWS[item_key(spec, item)] + 1, 1).value == item
