"""What applicants and reviewers get on paper (issue 28): the form's 記入方法 rows hold their
text, the review sheet's title and headings have room, and a 差戻し workbook says on paper
which cells to fix, how, for whom and by when."""

from __future__ import annotations

import dataclasses
import io
import math
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from pipeline.stage3_write.form import GUIDE_SHEET, write_form
from pipeline.stage3_write.letters import SUMMARY_SHEET
from tests.office import soffice
from tests.roundfactory import RUN_AT, add_form, new_inbox, one_form_round, org
from tools.print_audit import audit


def _office(settings: RoundSettings) -> RoundSettings:
    """Another office, with a long address and name, so that its lines wrap further."""
    office = dataclasses.replace(
        settings.office, name="公益財団法人 東京しごと・ふくし連携推進機構 地域づくり支援部 中間支援担当",
        address="〒190-0012 東京都立川市曙町二丁目8番18号 東京都立川合同庁舎 北棟12階 1205号室",
        phone="042-555-0199", email="bansou-madoguchi@tachikawa-chiiki.example.jp")
    return dataclasses.replace(settings, office=office)


def _lines_needed(text: str, width: float) -> int:
    """Lines as the narrowest reading sets them: full-width characters 2 units of the column's
    width, others 1 (no margins)."""
    units = [sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in part)
             for part in text.split("\n")]
    return sum(max(1, math.ceil(u / width)) for u in units)


def _width(sheet: Worksheet, column: int) -> float:
    """A column's width (openpyxl keeps columns of one width as one range)."""
    return next((d.width for d in sheet.column_dimensions.values()
                 if d.min and d.max and d.min <= column <= d.max), 8.43)


def _rows_hold_their_text(sheet: Worksheet, font_pt: float = 10.0) -> list[str]:
    """Rows whose set height is less than their wrapped text needs at 1.3 × the font a line."""
    merged = {(m.min_row, m.min_col): range(m.min_col, m.max_col + 1)
              for m in sheet.merged_cells.ranges}
    short = []
    for row in sheet.iter_rows():
        height = sheet.row_dimensions[row[0].row].height
        for cell in row:
            if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            columns = merged.get((cell.row, cell.column), [cell.column])
            width = sum(_width(sheet, column) for column in columns)
            needed = _lines_needed(cell.value, width) * (cell.font.sz or font_pt) * 1.3
            if height is None or height < needed:
                short.append(f"{cell.coordinate} {height} < {needed:.1f}: {cell.value[:20]}")
    return short


def test_every_row_of_the_guide_is_as_tall_as_its_text(tmp_path: Path,
                                                        settings: RoundSettings) -> None:
    """記入方法: each row has a height that holds its wrapped text (an office suite left to
    fit it printed 提出方法 over 問い合わせ先), for an office whose lines are long."""
    form = tmp_path / "申請用紙.xlsx"
    write_form(form, _office(settings))
    workbook = openpyxl.load_workbook(form)
    guide = workbook[GUIDE_SHEET]
    labels = {row[0].value: row[0].row for row in guide.iter_rows() if row[0].value}
    assert _lines_needed(str(guide.cell(labels["提出方法"], 3).value), _width(guide, 3)) >= 3
    assert _rows_hold_their_text(guide) == []
    assert _rows_hold_their_text(workbook["申請書"]) == []


@pytest.mark.slow
def test_the_form_for_another_office_prints_whole_at_10_points(
        tmp_path: Path, settings: RoundSettings) -> None:
    soffice()
    form = tmp_path / "申請用紙.xlsx"
    write_form(form, _office(settings))
    audits = {a.sheet: a for a in audit(form, min_pt=10, max_pages=3)}
    assert set(audits) == {"申請書", GUIDE_SHEET}
    for result in audits.values():
        assert result.ok, result.summary()
        assert result.effective_pt >= 10


def test_the_review_sheet_title_and_headings_have_room(inbox: Path, blank_dir: Path,
                                                       settings: RoundSettings) -> None:
    outbox = one_form_round(inbox, "nerima.xlsx", org("練馬の支え合い会", "練馬区"), settings,
                            blank_dir=blank_dir)
    sheet = openpyxl.load_workbook(outbox / "審査票.xlsx")["審査票"]
    title = sheet["A1"]
    assert title.font.sz == 14 and (sheet.row_dimensions[1].height or 0) >= 14 * 1.3 + 2
    header = next(row for row in sheet.iter_rows() if row[0].value == "ファイル名")
    assert {c.value for c in header} >= {c.label for c in settings.review}
    assert _rows_hold_their_text(sheet) == []
    # A4 landscape at 9 pt or more in LibreOffice (a unit is 6.45 pt at 100 %): the columns,
    # as stored (with Excel's padding), at most 140 units wide
    widths = sum(_width(sheet, c.column) for c in header)
    assert widths <= 140, widths


# --- 差戻し --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory, blank_dir: Path,
             settings: RoundSettings) -> Path:
    """A round with a form to fix and a damaged workbook of another format (.xls)."""
    inbox = new_inbox(tmp_path_factory, "returns")
    root = inbox.parent
    add_form(inbox, "町田の申請.xlsx", org("町田ささえあいネット", "町田市", {
        "電話番号": "042-12", "メールアドレス": "あとで連絡します"}), blank_dir=blank_dir)
    (inbox / "三鷹_旧様式.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40)
    (inbox / "写真.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    run_round(inbox, root / "outbox", settings, RUN_AT)
    return root / "outbox" / "差戻し"


def _header_row(summary: Worksheet) -> int:
    return next(row[0].row for row in summary.iter_rows()
                if (row[0].value, row[1].value) == ("シート", "セル"))


def _listing(summary: Worksheet) -> list[tuple[Any, ...]]:
    return [row for row in summary.iter_rows(min_row=_header_row(summary) + 1) if row[0].value]


def test_marked_cells_are_a_strong_colour_shown_in_a_legend(returned: Path) -> None:
    workbook = openpyxl.load_workbook(returned / "町田の申請_要修正.xlsx")
    summary, form = workbook[SUMMARY_SHEET], workbook["申請書"]
    legend = next(c for row in summary.iter_rows(max_row=_header_row(summary)) for c in row
                  if c.value == "修正が必要なセル")
    swatch = summary.cell(legend.row, legend.column - 1).fill.fgColor.rgb
    marked = [form[str(row[1].value)] for row in _listing(summary)]
    assert len(marked) == 2
    red, green, blue = (int(swatch[-6:][i:i + 2], 16) for i in (0, 2, 4))
    assert 0.2126 * red + 0.7152 * green + 0.0722 * blue < 128  # dark: strong on paper too
    inputs = {c.fill.fgColor.rgb for row in form.iter_rows() for c in row
              if not c.protection.locked and c not in marked}
    assert swatch not in inputs
    for cell in marked:
        assert cell.fill.fgColor.rgb == swatch
        assert cell.font.color is not None and cell.font.color.rgb.endswith("FFFFFF")


def test_the_problem_list_names_whom_by_when_and_links_each_cell(
        returned: Path, settings: RoundSettings) -> None:
    path = returned / "町田の申請_要修正.xlsx"
    summary = openpyxl.load_workbook(path)[SUMMARY_SHEET]
    top = " ".join(str(c.value) for row in summary.iter_rows(max_row=_header_row(summary))
                   for c in row if c.value)
    deadline = settings.resubmission_deadline
    assert "町田ささえあいネット" in top and "町田の申請.xlsx" in top
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in top
    headings = [c.value for c in summary[_header_row(summary)]]
    for row in _listing(summary):
        values = dict(zip(headings, (c.value for c in row), strict=True))
        assert values["修正内容"]  # the fix on paper, not only in the cell's comment
        link = row[headings.index("セル")].hyperlink
        assert link is not None and link.target is None
        assert link.location == f"'申請書'!{values['セル']}"
    with zipfile.ZipFile(path) as archive:  # nothing outside the workbook is linked
        rels = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".rels"))
    assert b'TargetMode="External"' not in rels


def test_an_unreadable_workbook_of_another_format_gets_a_fresh_form(
        returned: Path, settings: RoundSettings) -> None:
    workbook = openpyxl.load_workbook(returned / "三鷹_旧様式_要修正.xlsx")
    assert workbook.sheetnames[:3] == [SUMMARY_SHEET, "申請書", GUIDE_SHEET]
    assert workbook.active.title == SUMMARY_SHEET
    labels = [row[0].value for row in workbook["申請書"].iter_rows() if row[0].value]
    assert "団体名" in labels and "電話番号" in labels
    letter = (returned / "三鷹_旧様式_連絡文.txt").read_text(encoding="utf-8")
    assert "新しい申請用紙（.xlsx）" in letter
    # a picture is no workbook: the list of problems only
    assert openpyxl.load_workbook(returned / "写真_要修正.xlsx").sheetnames == [SUMMARY_SHEET]


@pytest.mark.slow
def test_the_returned_workbooks_print_whole(returned: Path) -> None:
    soffice()
    audits = audit(returned / "町田の申請_要修正.xlsx", min_pt=10, max_pages=3)
    assert [a.sheet for a in audits] == [SUMMARY_SHEET, "申請書", GUIDE_SHEET]
    assert all(a.ok for a in audits), "\n".join(a.summary() for a in audits)


def test_an_ods_with_print_titles_is_not_taken_for_a_hostile_sheet() -> None:
    """A form with its title row repeated on every page, saved as .ods by LibreOffice: the
    row sits in <table:table-header-rows>, after the columns' styles, which run to the
    sheet's last column; neither is a cell beyond the form's bounds."""
    from pipeline.stage1_read.sniff import sniff_bytes

    ns = "urn:oasis:names:tc:opendocument:xmlns"
    empty_to_the_end = ('<table:table-row><table:table-cell office:value-type="string">'
                        '<text:p>練馬区</text:p></table:table-cell>'
                        '<table:table-cell table:number-columns-repeated="16383"/></table:table-row>')
    content = (f'<office:document-content xmlns:office="{ns}:office:1.0" '
               f'xmlns:table="{ns}:table:1.0" xmlns:text="{ns}:text:1.0"><office:body>'
               '<office:spreadsheet><table:table table:name="申請書">'
               '<table:table-column table:number-columns-repeated="16384"/>'
               f'<table:table-header-rows>{empty_to_the_end}</table:table-header-rows>'
               f'{empty_to_the_end}</table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    assert sniff_bytes(buffer.getvalue()) is None
