"""bansou export: the last run's 申請一覧 as CSV, for mail merge and other systems."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import python_calamine

from pipeline.core.errors import OutputError
from pipeline.stage1_read.sniff import sniff, staff_workbook

LIST_SHEET = "申請一覧"
# A cell that a spreadsheet program would read as the start of a formula (or of a DDE call)
# is written with a leading ' (OWASP, CSV injection), in every column, file names included.
# Hand-written: defusedcsv 3.0 leaves a leading tab or carriage return as it is and rewrites
# every "|" inside the text, which changes what applicants wrote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_csv(selection: Path, target: Path) -> int:
    """Write the 申請一覧 sheet of ``selection`` (outbox/申請一覧.xlsx) to ``target`` as UTF-8
    CSV with a BOM (Excel opens it correctly); returns the number of applications written."""
    if not selection.is_file() or sniff(selection, limits=staff_workbook(LIST_SHEET)):
        raise OutputError(f"{selection} を読み込めません。先に bansou run（make）を実行してください。")
    workbook = python_calamine.CalamineWorkbook.from_path(str(selection))
    try:
        if LIST_SHEET not in workbook.sheet_names:
            raise OutputError(f"{selection} に「{LIST_SHEET}」シートがありません。"
                              "bansou run（make）をもう一度実行してください。")
        grid = workbook.get_sheet_by_name(LIST_SHEET).to_python()
    finally:
        workbook.close()
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in grid:
            writer.writerow([inert(_text(value)) for value in row])
    return max(len(grid) - 1, 0)


def inert(text: str) -> str:
    """The text as a spreadsheet program shows it, never as a formula it runs."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
