"""The blank review sheet (審査票) we send reviewers: one row per eligible application."""

from __future__ import annotations

from pathlib import Path

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
from pipeline.stage3_write.xlsx import fmt, new_workbook, print_setup, wrapped_lines, write_text

# What a reviewer needs to judge, from the application: narrow, wrapped columns, so that a
# printed row is legible on A4 landscape.
_CONTEXT_COLUMNS = (
    ("区市町村", "municipality", 8),
    ("団体名", "org_name", 18),
    ("団体種別", "org_type", 12),
    ("取組課題の区分", "challenge_category", 12),
    ("取組課題の内容", "challenge_detail", 30),
    ("伴走支援で目指す成果", "goals", 26),
    ("希望する支援メニュー", "menus", 18),
)

_FILE_WIDTH = 14


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
    sheet.write_string(0, 0, f"{settings.name} 審査票", title)
    sheet.write_string(1, 0, REVIEWER_LABEL, header)
    sheet.merge_range(1, 1, 1, 2, "", comment)
    sheet.write_string(2, 0, "黄色のセルに、各項目1〜5点（5が最も高い）を選んでください。利害関係がある"
                       "申請は「利害関係あり」に○を付け、点数は空欄にしてください。", fmt(workbook))
    columns = [(FILE_LABEL, None, _FILE_WIDTH), *_CONTEXT_COLUMNS, ("自動採点", None, 6)]
    columns += [(c.label, None, 7) for c in settings.review]
    columns += [(CONFLICT_LABEL, None, 7), (COMMENT_LABEL, None, 22)]
    for col, (label, _, width) in enumerate(columns):
        sheet.write_string(HEADER_ROW, col, label, header)
        sheet.set_column(col, col, width)
    first_score = len(_CONTEXT_COLUMNS) + 2
    keys = ["file", *(key for _, key, _ in _CONTEXT_COLUMNS)]
    points = auto_points.to_dict()
    for offset, row in enumerate(eligible[keys].to_dict("records"), start=1):
        r = HEADER_ROW + offset
        sheet.write_string(r, 0, row["file"], cell)
        lines = wrapped_lines(row["file"], _FILE_WIDTH)
        for col, (_, key, width) in enumerate(_CONTEXT_COLUMNS, start=1):
            value = row[key]
            text = "、".join(value) if isinstance(value, tuple) else value
            write_text(sheet, r, col, text, cell)
            if isinstance(text, str):
                lines = max(lines, wrapped_lines(text, width))
        sheet.set_row(r, 14.0 * min(lines, 12) + 2)  # wrapped text stays readable
        sheet.write_number(r, first_score - 1, float(points[row["file"]]), cell)
        for col in range(first_score, first_score + len(settings.review)):
            sheet.write_blank(r, col, None, entry)
        sheet.write_blank(r, first_score + len(settings.review), None, entry)
        sheet.write_blank(r, first_score + len(settings.review) + 1, None, comment)
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
    print_setup(sheet, landscape=True, header=settings.name)
    sheet.repeat_rows(HEADER_ROW)
    workbook.close()
