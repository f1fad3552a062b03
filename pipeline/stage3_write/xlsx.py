"""Shared XlsxWriter set-up for every workbook we write.

Every workbook is deterministic (a fixed creation time) and treats strings
as data: nothing an applicant typed becomes a formula, a number or a link.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import xlsxwriter
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet as OpenpyxlSheet
from openpyxl.writer.excel import ExcelWriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

# On every Windows PC since Windows 10 (1809), and in Debian (fonts-morisawa-bizud-gothic) for the
# office suite the tests render with: the pages the tests look at are the pages staff print.
FONT = "BIZ UDゴシック"
FIXED_CREATED = dt.datetime(2016, 4, 19, 0, 0, 0)
A4 = 9
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
MONTH_FORMAT = 'yyyy"年"m"月"'
DECISION_COLOURS = {"選定": "#C6EFCE", "選外": "#EDEDED", "不適格": "#FFC7CE", "要修正": "#FFEB9C",
                    "読込不可": "#F8CBAD", "重複": "#DDEBF7"}


def new_workbook(path: Path | str, title: str) -> Workbook:
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": DATE_FORMAT,
        },
    )
    workbook.set_properties({"title": title, "author": "伴走支援事業 事務局",
                             "created": FIXED_CREATED})
    workbook.formats[0].set_font_name(FONT)
    workbook.formats[0].set_font_size(10)
    return workbook


def fmt(workbook: Workbook, **properties: Any) -> Format:
    """A format with the project's font."""
    return workbook.add_format({"font_name": FONT, "font_size": 10, "valign": "top",
                                **properties})


CELL_LIMIT = 32_767  # characters a cell holds (Excel, and XlsxWriter's write_string)
_CLIPPED = "…（長すぎるため省略しました。全文は元のファイルにあります）"


def cell_text(value: str) -> str:
    """Text as a cell can hold it (32,767 UTF-16 units): a longer value is cut, saying so."""
    if len(value) <= CELL_LIMIT // 2 or len(value.encode("utf-16-le")) <= 2 * CELL_LIMIT:
        return value
    kept = value.encode("utf-16-le")[:2 * (CELL_LIMIT - len(_CLIPPED))]
    return kept.decode("utf-16-le", errors="ignore") + _CLIPPED


def cell_value(value: object) -> object:
    """A value as a cell of ours holds it: None (a blank cell) where missing, text clipped to
    what a cell holds, numbers, dates and booleans as they are, anything else as text. The
    workbooks are made with strings_to_formulas, _urls and _numbers off (:func:`new_workbook`):
    text an applicant typed stays text, never a formula, a link or a number."""
    if value is None or value is pd.NaT or value is pd.NA or value != value:
        return None
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, dt.date | bool | int | float):
        return value
    return str(value)


def write_column(sheet: Worksheet, row: int, col: int, values: Iterable[object],
                 cell_format: Format | None = None) -> None:
    """Values that may have come from an applicant, down a column (:func:`cell_value`)."""
    sheet.write_column(row, col, [cell_value(value) for value in values], cell_format)


def write_text(sheet: Worksheet, row: int, col: int, value: object,
               cell_format: Format | None = None) -> None:
    """A value that may have come from an applicant, in one cell (:func:`cell_value`)."""
    sheet.write(row, col, cell_value(value), cell_format)


def row_height(lines: int, font_pt: float = 10.0) -> float:
    """The height (pt) of a row of text ``lines`` lines tall (:data:`LINE_SPACING`)."""
    return round(lines * font_pt * LINE_SPACING + _ROW_PADDING, 1)


def words_wrapped_lines(text: str, width: float) -> int:
    """Like :func:`wrapped_lines`, breaking lines where office suites do: at a space when the
    next word does not fit (「特定非営利活動法人 新宿区…」 takes a line for the first word), within
    a word only when it is wider than the column."""
    if " " not in text:  # most Japanese text: breaks anywhere
        return wrapped_lines(text, width)
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0.0
        for word in part.split(" "):
            size = text_width(word)
            if used and used + text_width(" ") + size > width:  # to the next line
                lines += 1
                used = 0.0
            elif used:
                size += text_width(" ")
            while used + size > width:  # a word wider than the column breaks anywhere
                lines += 1
                size -= width - used
                used = 0.0
            used += size
    return lines


_HEADER_LIMIT = 255
PAGE_FOOTER = "&C&9&P ページ"  # the page number within the sheet


def print_setup(sheet: Worksheet, *, landscape: bool, header: str = "",
                across: bool = False) -> None:
    """A4, one page wide; ``across``: at 100 % over as many pages as the columns need (a wide
    working sheet, printed with its key columns repeated)."""
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    if across:
        sheet.set_print_scale(100)
    else:
        sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    if header:  # & starts a code in a header; Excel allows 255 characters in all
        text = header.replace("&", "&&")
        prefix = "&L&9"
        if len(prefix + text) > _HEADER_LIMIT:
            text = text[:_HEADER_LIMIT - len(prefix) - 1].rstrip("&") + "…"
        sheet.set_header(prefix + text)
    # Pages numbered within the sheet: office suites count &N (and, without a
    # first page number, &P) over the whole workbook when it is printed at once ("28 / 103").
    sheet.set_footer(PAGE_FOOTER)
    sheet.set_start_page(1)


def text_width(text: str) -> float:
    """Column width for text: full-width characters take two columns.

    Counted from the UTF-8 length (Japanese characters take three bytes), which is
    quick enough for every cell of a 10,000-row sheet."""
    wide = (len(text.encode()) - len(text)) // 2
    return 1.1 * (len(text) - wide) + 2.0 * wide


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` wide (row heights are not
    fitted by every office suite, so our writers set them)."""
    return sum(max(1, math.ceil(text_width(part) / width)) for part in text.split("\n"))


# A wrapped line's height per point of font size. LibreOffice sets BIZ UDゴシック's lines 1.0 × the
# size apart; 游ゴシック, which an office may make its workbooks' font, needs 1.7 in Excel (its
# default row at 11 pt is 18.75 pt). Rows fitted for the widest show whole whatever the font.
LINE_SPACING = 1.7
_ROW_PADDING = 4.0
DEFAULT_COLUMN_WIDTH = 8.43


_NOT_WIDE = bytes(range(0xE0))  # UTF-8 bytes other than the lead bytes of U+0800 and above


def display_width(text: str) -> float:
    """Width of ``text`` in column units as Excel sets a Japanese font at 10 pt (a unit is its
    digit, 7 px): East Asian wide and full-width characters take 1.85 units (13.3 px: one em),
    others 1.1 (BIZ UDゴシック's are half an em, 游ゴシック's proportional ones at most this);
    LibreOffice sets them no wider, so rows fitted to this show whole in both.

    Wide is told by the UTF-8 length, at C speed for 10,000-row sheets: kanji, kana,
    full-width forms and the symbols Japanese fonts set full-width (○ ※ ① →) all lie at
    U+0800 and above; the few narrow characters there (half-width katakana) count as wide,
    which only makes a row taller."""
    wide = len(text.encode().translate(None, _NOT_WIDE))
    return 1.1 * len(text) + 0.75 * wide


def fitted_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` units wide, counted by the
    characters' East Asian width (a unit is kept for the cell's margins)."""
    usable = max(1.0, width - 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


def fitted_height(cells: Iterable[tuple[str, float]], font_pt: float = 10.0,
                  minimum: float = 15.0) -> float:
    """The height (pt) of a row whose wrapped cells, given as (text, column width), all show
    whole when printed: office suites fit a row to its text only when the row has no height
    of its own, and never for merged cells, so our writers set it."""
    lines = max((fitted_lines(text, width) for text, width in cells), default=1)
    return max(minimum, row_height(lines, font_pt))


def fit_row_heights(sheet: OpenpyxlSheet) -> None:
    """Make every row of an openpyxl sheet tall enough for its wrapped text (never lower):
    for a sheet we pass on but did not lay out, such as the applicant's own form."""
    widths = {letter: dimension.width or DEFAULT_COLUMN_WIDTH
              for letter, dimension in sheet.column_dimensions.items()}

    def width(column: int) -> float:
        return widths.get(get_column_letter(column), DEFAULT_COLUMN_WIDTH)

    spans = {(m.min_row, m.min_col): (sum(width(c) for c in range(m.min_col, m.max_col + 1)),
                                      m.max_row - m.min_row + 1) for m in sheet.merged_cells.ranges}
    for row in sheet.iter_rows():
        needed = 0.0
        for cell in row:
            if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            cell_width, rows = spans.get((cell.row, cell.column), (width(cell.column), 1))
            if rows == 1:
                needed = max(needed, fitted_height([(cell.value, cell_width)],
                                                   float(cell.font.sz or 11)))
        if needed:
            dimension = sheet.row_dimensions[row[0].row]
            dimension.height = max(needed, dimension.height or 0)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries carry a fixed time, so the same workbook gives the same bytes."""

    def writestr(self, name: str | zipfile.ZipInfo, data: str | bytes,  # type: ignore[override]
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=FIXED_CREATED.timetuple()[:6])
            name.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename: str | os.PathLike[str], arcname: str | None = None,  # type: ignore[override]
              compress_type: int | None = None, compresslevel: int | None = None) -> None:
        # openpyxl streams each worksheet through a temporary file
        with open(filename, "rb") as handle:
            self.writestr(arcname or str(filename), handle.read(), compress_type, compresslevel)


def new_openpyxl_workbook() -> openpyxl.Workbook:
    """An empty openpyxl workbook stamped with the fixed creation time."""
    workbook = openpyxl.Workbook()
    workbook.properties.created = FIXED_CREATED
    return workbook


def save_openpyxl(workbook: openpyxl.Workbook, path: Path) -> None:
    """Save like openpyxl does, minus the current time (deterministic bytes)."""
    workbook.properties.modified = FIXED_CREATED
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
