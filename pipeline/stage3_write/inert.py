"""Nothing live goes back in an applicant's own workbook (the 差戻し workbook).

What the applicant's file may carry that a spreadsheet program would run, fetch or hide:
formulas (WEBSERVICE, DDE, external references), hyperlinks, defined names, conditional
formats and data validations with formulas of their own, hidden and very-hidden sheets. Macros,
external link parts, OLE objects and custom XML parts are never loaded (openpyxl with
``keep_vba=False, keep_links=False`` writes only the parts it models). What is ours is rebuilt:
the hidden list sheet of the drop-downs, and the drop-downs that point at it.
"""

from __future__ import annotations

import re

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.stage3_write.form import LIST_SHEET, list_columns

# Our drop-downs: a list whose source is a column of our list sheet (form.py), and input
# messages with no rule at all.
_OUR_LIST_SOURCE = re.compile(rf"^{LIST_SHEET}!\$[A-Z]\$1:\$[A-Z]\$\d+$")


def make_inert(workbook: openpyxl.Workbook, cached: openpyxl.Workbook) -> list[str]:
    """Every formula becomes the value Excel last computed, as text or number; hyperlinks,
    defined names, conditional formats, foreign data validations and hidden sheets go; our
    list sheet is written anew. Returns the cells whose formula was replaced (シート!セル)."""
    replaced: list[str] = []
    for sheet in list(workbook.worksheets):
        if sheet.sheet_state != "visible":  # the applicant's hidden sheets, and our list sheet
            workbook.remove(sheet)
            continue
        values = cached[sheet.title]
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                if cell.data_type == "f":  # typed text that starts with = is data_type "s"
                    replaced.append(f"{sheet.title}!{cell.coordinate}")
                    cell.value = values[cell.coordinate].value
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # a cached text stays text
                cell.hyperlink = None
        sheet._hyperlinks = []
        sheet.defined_names.clear()
        sheet.conditional_formatting = ConditionalFormattingList()
        kept = [rule for rule in sheet.data_validations.dataValidation if _ours(rule)]
        sheet.data_validations.dataValidation = kept
    workbook.defined_names.clear()
    if LIST_SHEET in workbook.sheetnames:  # a visible sheet under our list sheet's name
        workbook[LIST_SHEET].title = f"{LIST_SHEET}（申請者）"
    _rebuild_lists(workbook)
    return replaced


def _ours(rule: DataValidation) -> bool:
    if rule.type in (None, "none") and not rule.formula1 and not rule.formula2:
        return True
    return (rule.type == "list" and rule.formula2 is None
            and bool(_OUR_LIST_SOURCE.match(str(rule.formula1 or "").lstrip("="))))


def _rebuild_lists(workbook: openpyxl.Workbook) -> None:
    lists = workbook.create_sheet(LIST_SHEET)
    for column, values in enumerate(list_columns().values(), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row, column).value = value
            lists.cell(row, column).data_type = "s"
    lists.sheet_state = "hidden"
