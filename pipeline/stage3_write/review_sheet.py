"""The blank review sheet (審査票) we send reviewers: one row per eligible application."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.reviewspec import (
    COMMENT_LABEL,
    CONFLICT_LABEL,
    FILE_LABEL,
    HEADER_ROW,
    REVIEW_SHEET,
    REVIEWER_LABEL,
)
from pipeline.core.settings import REVIEW_SCORES, RoundSettings
from pipeline.stage3_write.xlsx import fitted_height, fmt, new_workbook, print_setup, write_column

# What a reviewer needs to judge, from the application: narrow, wrapped columns, about 130
# units in all with the score columns, so that a printed row is at least 9 pt on A4 landscape
# (団体種別 under the name, the 区分 before the 取組課題).
_CONTEXT_COLUMNS = (
    ("区市町村", "municipality", 7),
    ("団体名（団体種別）", "org_name", 15),
    ("取組課題（区分・内容）", "challenge_detail", 24),
    ("伴走支援で目指す成果", "goals", 20),
    ("希望する支援メニュー", "menus", 12),
)
_FILE_WIDTH = 11
_AUTO_WIDTH = 5
_SCORE_WIDTH = 6
_COMMENT_WIDTH = 13
_MAX_ROW_HEIGHT = 409.0  # Excel's tallest row


def write_review_sheet(path: Path, eligible: pd.DataFrame, settings: RoundSettings,
                       auto_points: pd.Series) -> None:
    """One row per eligible application; 1–5 drop-downs per reviewer criterion."""
    workbook = new_workbook(path, "審査票")
    sheet = workbook.add_worksheet(REVIEW_SHEET)
    title = fmt(workbook, bold=True, font_size=14)
    header = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    cell = fmt(workbook, border=1, text_wrap=True)
    entry = fmt(workbook, border=1, bg_color="#FFF2CC", locked=False, text_wrap=True,
                align="center")
    comment = fmt(workbook, border=1, bg_color="#FFF2CC", locked=False, text_wrap=True)
    title_text = f"{settings.name} 審査票"
    sheet.write_string(0, 0, title_text, title)
    sheet.set_row(0, 24)  # the 14 pt title within its own row, not over the name below
    sheet.write_string(1, 0, REVIEWER_LABEL, header)
    sheet.merge_range(1, 1, 1, 2, "", comment)
    sheet.set_row(1, 20)
    sheet.write_string(2, 0, "黄色のセルに、各項目1〜5点（5が最も高い）を選んでください。利害関係がある"
                       "申請は「利害関係あり」に○を付け、点数は空欄にしてください。", fmt(workbook))
    columns = [(FILE_LABEL, None, _FILE_WIDTH), *_CONTEXT_COLUMNS,
               ("自動採点", None, _AUTO_WIDTH)]
    columns += [(c.label, None, _SCORE_WIDTH) for c in settings.review]
    columns += [(CONFLICT_LABEL, None, _SCORE_WIDTH), (COMMENT_LABEL, None, _COMMENT_WIDTH)]
    for col, (label, _, width) in enumerate(columns):
        sheet.write_string(HEADER_ROW, col, label, header)
        sheet.set_column(col, col, width)
    # headings wrap in the narrow score columns: the row is as tall as the longest
    sheet.set_row(HEADER_ROW, fitted_height((label, width) for label, _, width in columns))
    first_score = len(_CONTEXT_COLUMNS) + 2
    rows = eligible[["file", "org_type", "challenge_category",
                     *(key for _, key, _ in _CONTEXT_COLUMNS)]].to_dict("records")
    texts = [[row["file"] for row in rows],
             *([_context(row, key) for row in rows] for _, key, _ in _CONTEXT_COLUMNS)]
    first = HEADER_ROW + 1
    for col, column in enumerate(texts):
        write_column(sheet, first, col, column, cell)
    for offset, row_texts in enumerate(zip(*texts, strict=True)):
        sheet.set_row(first + offset, min(_MAX_ROW_HEIGHT, fitted_height(
            (text, width) for text, (_, _, width) in zip(row_texts, columns, strict=False)
            if isinstance(text, str))))
    points = auto_points.to_dict()
    write_column(sheet, first, first_score - 1, [float(points[row["file"]]) for row in rows], cell)
    blank = [None] * len(rows)
    for col in range(first_score, first_score + len(settings.review) + 1):  # scores, 利害関係
        sheet.write_column(first, col, blank, entry)
    sheet.write_column(first, first_score + len(settings.review) + 1, blank, comment)
    last = HEADER_ROW + len(eligible)
    if len(eligible):
        sheet.data_validation(HEADER_ROW + 1, first_score, last,
                              first_score + len(settings.review) - 1,
                              {"validate": "list", "source": [str(s) for s in REVIEW_SCORES],
                               "input_message": "1〜5点（5が最も高い）"})
        sheet.data_validation(HEADER_ROW + 1, first_score + len(settings.review), last,
                              first_score + len(settings.review), {"validate": "list",
                                                                    "source": ["○"]})
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    sheet.protect("", {"format_columns": True, "format_rows": True, "autofilter": True,
                       "sort": True})
    sheet.autofilter(HEADER_ROW, 0, max(last, HEADER_ROW), len(columns) - 1)
    print_setup(sheet, landscape=True, header=title_text)  # the title on every page
    sheet.set_margins(left=0.3, right=0.3, top=0.7, bottom=0.7)
    sheet.repeat_rows(HEADER_ROW)
    workbook.close()


def _context(row: Mapping[Hashable, Any], key: str) -> object:
    """A context cell's text: the 団体種別 under the name, the 区分 before the 取組課題."""
    value = row[key]
    if isinstance(value, tuple):
        return "、".join(value)
    if key == "org_name" and row.get("org_type"):
        return f"{value}\n（{row['org_type']}）"
    if key == "challenge_detail" and row.get("challenge_category"):
        return f"【{row['challenge_category']}】{value}"
    return value
