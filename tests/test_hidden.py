"""Only what the applicant sees is read: values in hidden sheets, rows and columns, or formatted
to show nothing, are never read and make the form 要修正 with the cell named; formulas are
found by the sheet's structure; document properties are shown only as quoted, short, one-line
text with their source. Workbooks are made both as applicants make them (openpyxl on the
blank form) and by hand, part by part, as other writers lay out their XML."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.formspec import FIELDS, FORM_SHEET, FORM_VERSION, VERSION_LABEL
from pipeline.core.notes import Note
from pipeline.core.problems import Problem
from pipeline.core.record import normalize_form
from pipeline.core.records import RawForm
from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from pipeline.stage1_read.forms import read_form
from pipeline.stage3_write.form import write_form
from tests.formfactory import VALID, VALID_MARKS, make_form, with_values
from tests.roundfactory import RUN_AT, org

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _read(path: Path) -> tuple[RawForm, dict[str, object], list[Problem]]:
    form = read_form(path)
    assert form.is_form, form.problems
    row, found = normalize_form(form)
    return form, row, found


def _hidden(found: list[Problem]) -> list[tuple[str, str]]:
    return [(p.sheet, p.cell) for p in found if p.code == "hidden_input"]


# --- as applicants make them: openpyxl on the blank form ----------------------------------


def test_a_normal_form_reads_with_no_problem(tmp_path: Path, blank_dir: Path) -> None:
    form, row, found = _read(make_form(tmp_path / "ok.xlsx", blank_dir=blank_dir))
    assert found == [] and form.sheet == FORM_SHEET and form.formulas == frozenset()
    assert row["duration_months"] == 6


def _above_the_form(sheet: Worksheet, label: str, value: object) -> None:
    """A label and its value in E1:F1: found before the form's own label, row by row."""
    sheet["E1"], sheet["F1"] = label, value


def test_a_label_in_a_hidden_row_is_never_read(tmp_path: Path, blank_dir: Path) -> None:
    def hide(sheet: Worksheet) -> None:
        _above_the_form(sheet, "希望期間（か月）", 8)
        sheet.row_dimensions[1].hidden = True

    path = make_form(tmp_path / "row.xlsx", with_values({"希望期間（か月）": 5}), edit=hide,
                     blank_dir=blank_dir)
    _, row, found = _read(path)
    assert row["duration_months"] == 5
    assert _hidden(found) == [(FORM_SHEET, "E1"), (FORM_SHEET, "F1")]
    problem = next(p for p in found if p.cell == "F1")
    assert (problem.label, problem.value) == ("希望期間（か月）", "8")
    assert problem.message.startswith("非表示のセル（非表示の行）に入力があります。表示して内容を"
                                      "確かめ、不要なら削除してください")


def test_a_label_in_hidden_columns_is_never_read(tmp_path: Path, blank_dir: Path) -> None:
    def hide(sheet: Worksheet) -> None:
        _above_the_form(sheet, "取組課題の区分", "活動の継続・資金確保")
        sheet.column_dimensions.group("E", "F", hidden=True)

    path = make_form(tmp_path / "col.xlsx", edit=hide, blank_dir=blank_dir)
    _, row, found = _read(path)
    assert row["challenge_category"] == VALID["取組課題の区分"]
    assert _hidden(found) == [(FORM_SHEET, "E1"), (FORM_SHEET, "F1")]
    assert "非表示の列" in found[0].message


def test_a_hidden_input_beside_a_visible_label_is_not_read(tmp_path: Path, blank_dir: Path) -> None:
    """Column B hidden: every answer is out of sight; none is read, each is named."""
    def hide(sheet: Worksheet) -> None:
        sheet.column_dimensions["B"].hidden = True

    _, row, found = _read(make_form(tmp_path / "b.xlsx", edit=hide, blank_dir=blank_dir))
    assert row["org_name"] is None and row["menus"] == ()
    hidden = [p for p in found if p.code == "hidden_input"]
    assert len(hidden) == len(VALID) + len(VALID_MARKS)
    assert {p.label for p in hidden} >= {"団体名", "事前相談の有無", "プロボノ事務局移転支援"}


def test_a_hidden_guide_column_is_no_problem(tmp_path: Path, blank_dir: Path) -> None:
    """Column C holds our guidance, neither labels nor answers: hiding it for print is fine."""
    def hide(sheet: Worksheet) -> None:
        sheet.column_dimensions["C"].hidden = True

    _, _, found = _read(make_form(tmp_path / "c.xlsx", edit=hide, blank_dir=blank_dir))
    assert found == []


@pytest.mark.parametrize(("font", "fill", "number_format", "how"), [
    (openpyxl.styles.Font(color="FFFFFFFF"), None, None, "文字の色が背景と同じ"),
    (openpyxl.styles.Font(color="FF2E75B6"), "FF2E75B6", None, "文字の色が背景と同じ"),
    (openpyxl.styles.Font(color="FFFDFDFD"), None, None, "文字の色が背景と同じ"),
    (None, None, ";;;", "表示形式で値を表示しない"),
    (openpyxl.styles.Font(size=1), None, None, "文字の大きさ 1 ポイント"),
])
def test_text_formatted_to_show_nothing_is_never_read(
        tmp_path: Path, blank_dir: Path, font: openpyxl.styles.Font | None, fill: str | None,
        number_format: str | None, how: str) -> None:
    def hide(sheet: Worksheet) -> None:
        _above_the_form(sheet, "事前相談の有無", "なし")
        for cell in (sheet["E1"], sheet["F1"]):
            if font:
                cell.font = font
            if fill:
                cell.fill = openpyxl.styles.PatternFill("solid", fgColor=fill)
            if number_format:
                cell.number_format = number_format

    path = make_form(tmp_path / "white.xlsx", edit=hide, blank_dir=blank_dir)
    _, row, found = _read(path)
    assert row["pre_consultation"] == VALID["事前相談の有無"]
    assert _hidden(found) == [(FORM_SHEET, "E1"), (FORM_SHEET, "F1")]
    assert f"（{how}）" in found[0].message


def test_white_text_on_a_dark_fill_is_seen(tmp_path: Path, blank_dir: Path) -> None:
    def style(sheet: Worksheet) -> None:
        sheet["B8"].font = openpyxl.styles.Font(color="FFFFFFFF")
        sheet["B8"].fill = openpyxl.styles.PatternFill("solid", fgColor="FF1F4E79")

    _, row, found = _read(make_form(tmp_path / "dark.xlsx", edit=style, blank_dir=blank_dir))
    assert found == [] and row["org_name"] == VALID["団体名"]


def _hidden_original(tmp_path: Path, blank_dir: Path, state: str) -> Path:
    """申請書 hidden, with the answers scored; a visible copy showing others."""
    path = make_form(tmp_path / "copy.xlsx", with_values({"希望期間（か月）": 8, "補足資料の郵送": "あり"}),
                     blank_dir=blank_dir)
    workbook = openpyxl.load_workbook(path)
    original = workbook[FORM_SHEET]
    copy = workbook.copy_worksheet(original)
    copy.title = "申請書 (2)"
    for row in copy.iter_rows():
        for cell in row:
            if cell.value == 8:
                cell.value = 4
            elif cell.value == "あり" and cell.column == 2 and copy.cell(cell.row, 1).value == "補足資料の郵送":
                cell.value = "なし"
    original.sheet_state = state
    workbook.active = workbook.index(copy)
    copy.sheet_view.tabSelected = True
    original.sheet_view.tabSelected = False
    workbook.save(path)
    return path


@pytest.mark.parametrize("state", ["veryHidden", "hidden"])
def test_a_hidden_original_beside_a_visible_copy(tmp_path: Path, blank_dir: Path,
                                                 state: str) -> None:
    form, row, found = _read(_hidden_original(tmp_path, blank_dir, state))
    assert form.sheet == "申請書 (2)"
    assert (row["duration_months"], row["mailed_materials"]) == (4, "なし")
    hidden = [p for p in found if p.code == "hidden_input"]
    assert [(p.sheet, p.cell) for p in hidden] == [(FORM_SHEET, "B6")]  # its first answer
    assert "非表示のシート「申請書」" in hidden[0].message


@pytest.mark.slow
def test_a_hidden_original_is_reported_in_the_round(tmp_path: Path, blank_dir: Path,
                                                    settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _hidden_original(inbox, blank_dir, "veryHidden")
    make_form(inbox / "plain.xlsx", org("社協B", "八王子市"), blank_dir=blank_dir)
    run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    workbook = openpyxl.load_workbook(tmp_path / "outbox" / "選定結果.xlsx")
    ledger = {r[0]: r for r in workbook["受付一覧"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in workbook["受付一覧"][1]]
    decision = header.index("判定")
    assert ledger["copy.xlsx"][decision] == "要修正"
    assert ledger["plain.xlsx"][decision] in ("選定", "選外")
    errors = [dict(zip([c.value for c in workbook["入力エラー"][1]], r, strict=False))
              for r in workbook["入力エラー"].iter_rows(min_row=2, values_only=True)]
    mine = [e for e in errors if e["ファイル名"] == "copy.xlsx"]
    assert [(e["シート"], e["セル"]) for e in mine] == [(FORM_SHEET, "B6")]
    assert mine[0]["エラー内容"].startswith("非表示のセル（非表示のシート「申請書」）に入力があります。")


# --- made by hand: the parts of a workbook as other writers lay them out --------------------

_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}">
<numFmts count="1"><numFmt numFmtId="170" formatCode="&quot;&quot;;&quot;&quot;;&quot;&quot;;&quot;&quot;"/></numFmts>
<fonts count="4"><font><sz val="11"/><color theme="1"/><name val="Meiryo"/></font>
<font><sz val="11"/><color theme="0"/><name val="Meiryo"/></font>
<font><sz val="0.5"/><color theme="1"/><name val="Meiryo"/></font>
<font><sz val="11"/><color indexed="9"/><name val="Meiryo"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor indexed="9"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="1" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="3" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="170" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""
# The cell formats above: 1 white (theme) on no fill, 2 half a point, 3 white on white
# (indexed), 4 a format of four empty sections.
WHITE_THEME, HALF_POINT, WHITE_ON_WHITE, EMPTY_SECTIONS = 1, 2, 3, 4


def _layout(values: Mapping[str, object], marks: Mapping[str, object]) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [(VERSION_LABEL, FORM_VERSION)]
    for spec in FIELDS:
        rows.append((spec.label, None if spec.is_checklist else values.get(spec.label)))
        rows += [(item, marks.get(item)) for item in spec.items]
    return rows


def _cell(ref: str, value: object, style: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _row_of(label: str, values: Mapping[str, object] = VALID) -> int:
    return next(i for i, (text, _) in enumerate(_layout(values, VALID_MARKS), start=2)
                if text == label)


def _sheet(values: Mapping[str, object] = VALID, *, top: str = "", cells: Mapping[str, str] = {},
           row_attributes: Mapping[int, str] = {}, cols: str = "", sized: bool = False) -> str:
    """A 申請書 sheet: row 1 is ``top`` (cells written as given); then 様式 and every label in
    A with its value in B; ``cells`` replaces a label's value cell (its XML, ``{ref}`` in it);
    ``sized``: every row but the first has a height of its own."""
    rows = [f'<row r="1"{row_attributes.get(1, "")}>{top}</row>']
    for number, (label, value) in enumerate(_layout(values, VALID_MARKS), start=2):
        ref = f"B{number}"
        value_xml = cells[label].format(ref=ref) if label in cells else _cell(ref, value)
        attributes = row_attributes.get(number, ' ht="15" customHeight="1"' if sized else "")
        rows.append(f'<row r="{number}"{attributes}>{_cell(f"A{number}", label)}{value_xml}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
            f'{cols}<sheetData>{"".join(rows)}</sheetData></worksheet>')


def _workbook(path: Path, sheets: list[tuple[str, str, str]]) -> Path:
    """An .xlsx zipped by hand from (name, state, sheet XML) and the styles above."""
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    listed = "".join(f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
                     for i, (name, state, _) in enumerate(sheets, start=1))
    targets = "".join(f'<Relationship Id="rId{i}" Type="{relations}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"))
        archive.writestr("_rels/.rels", (
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{relations}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{MAIN}" xmlns:r="{relations}"><sheets>{listed}</sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{package}/relationships">{targets}<Relationship Id="rIdS" '
            f'Type="{relations}/styles" Target="styles.xml"/></Relationships>'))
        archive.writestr("xl/styles.xml", _STYLES)
        for i, (_, _, xml) in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    path.write_bytes(buffer.getvalue())
    return path


def _form(path: Path, xml: str) -> Path:
    return _workbook(path, [(FORM_SHEET, "visible", xml)])


def test_a_handmade_form_reads_with_no_problem(tmp_path: Path) -> None:
    _, row, found = _read(_form(tmp_path / "plain.xlsx", _sheet()))
    assert found == [] and row["org_name"] == VALID["団体名"]


_AHEAD = _cell("E1", "取組課題の内容") + _cell("F1", "別の課題の文章")


_SIZED_COLS = ('<cols><col min="1" max="1" width="30" customWidth="1"/>'
               '<col min="2" max="2" width="50" customWidth="1"/></cols>')


@pytest.mark.parametrize(("name", "top", "row_attributes", "cols", "how"), [
    ("zeroHeight", _AHEAD, {}, '<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/>', "非表示の行"),
    ("defaultRowHeight", _AHEAD, {}, '<sheetFormatPr defaultRowHeight="0.0"/>', "非表示の行"),
    ("defaultColWidth", _AHEAD, {}, f'<sheetFormatPr defaultColWidth="0" defaultRowHeight="15"/>'
     f"{_SIZED_COLS}", "非表示の列"),
    ("ht", _AHEAD, {1: ' ht = "0.0" customHeight="true"'}, "", "非表示の行"),
    ("true", _AHEAD, {1: ' hidden = "true"'}, "", "非表示の行"),
    ("width", _AHEAD, {}, '<cols><col min="5" max="6" width="0" customWidth="1"/></cols>',
     "非表示の列"),
    ("theme", _AHEAD.replace('s="0"', f's="{WHITE_THEME}"'), {}, "", "文字の色が背景と同じ"),
    ("indexed", _AHEAD.replace('s="0"', f's="{WHITE_ON_WHITE}"'), {}, "", "文字の色が背景と同じ"),
    ("half", _AHEAD.replace('s="0"', f's="{HALF_POINT}"'), {}, "", "文字の大きさ 0.5 ポイント"),
    ("quotes", _AHEAD.replace('s="0"', f's="{EMPTY_SECTIONS}"'), {}, "", "表示形式で値を表示しない"),
])
def test_handmade_ways_of_hiding(tmp_path: Path, name: str, top: str,
                                 row_attributes: dict[int, str], cols: str, how: str) -> None:
    path = _form(tmp_path / f"{name}.xlsx", _sheet(top=top, row_attributes=row_attributes,
                                                   cols=cols, sized=True))
    _, row, found = _read(path)
    assert row["challenge_detail"] == VALID["取組課題の内容"]
    assert _hidden(found) == [(FORM_SHEET, "E1"), (FORM_SHEET, "F1")]
    assert f"（{how}）" in found[0].message


def test_a_very_hidden_handmade_sheet_beside_a_visible_renamed_one(tmp_path: Path) -> None:
    scored = with_values({"取組課題の区分": "活動の継続・資金確保"})
    shown = with_values({"取組課題の区分": "その他"})
    path = _workbook(tmp_path / "two.xlsx", [(FORM_SHEET, "veryHidden", _sheet(scored)),
                                             ("提出用", "visible", _sheet(shown))])
    form, row, found = _read(path)
    assert form.sheet == "提出用" and row["challenge_category"] == "その他"
    assert _hidden(found) == [(FORM_SHEET, f"B{_row_of('申請日')}")]


def test_a_form_only_on_a_hidden_sheet_reads_no_value(tmp_path: Path) -> None:
    cover = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{_cell("A1", "提出します")}</row>'
             "</sheetData></worksheet>")
    path = _workbook(tmp_path / "only.xlsx", [("表紙", "visible", cover), ("控え", "hidden", _sheet())])
    form, row, found = _read(path)
    assert form.sheet == "控え" and row["org_name"] is None and form.remarks == ()
    assert ("控え", f"B{_row_of('申請日')}") in _hidden(found)
    assert row["duration_months"] is None and row["menus"] == ()


# Formulas, whatever the XML looks like around them.
_NUMBER_ROW = _row_of("希望期間（か月）")
_FORMULA_CELLS = {
    "newline": '<c r="{ref}" s="0">\n  <f>2+4</f><v>6</v></c>',
    "tab and attributes reordered": '<c s="0" r="{ref}">\t<f>2+4</f>\r\n<v>6</v></c>',
    "prefixed": f'<c r="{{ref}}"><x:f xmlns:x="{MAIN}">2*3</x:f><v>6</v></c>',
    "shared follower": '<c s="0" r="{ref}"><f t="shared" si="3"/><v>6</v></c>',
}


@pytest.mark.parametrize("cell", list(_FORMULA_CELLS), ids=list(_FORMULA_CELLS))
def test_a_formula_is_found_by_its_element(tmp_path: Path, cell: str) -> None:
    xml = _sheet(cells={"希望期間（か月）": _FORMULA_CELLS[cell]})
    _, row, found = _read(_form(tmp_path / "f.xlsx", xml))
    assert row["duration_months"] is None
    assert [(p.code, p.cell) for p in found] == [("formula", f"B{_NUMBER_ROW}")]


@pytest.mark.parametrize("kind", ["array", "dataTable"])
def test_every_cell_an_array_formula_or_data_table_computes_is_a_formula(
        tmp_path: Path, kind: str) -> None:
    """Only the range's first cell holds the formula element; the others hold values only."""
    first, last = _row_of("事前相談の有無"), _row_of("補足資料の郵送")
    extra = ' dt2D="0" dtr="0" r1="Z1"' if kind == "dataTable" else ""
    xml = _sheet(cells={
        "事前相談の有無": (f'<c r="{{ref}}" t="str"><f t="{kind}" ref="B{first}:B{last}"{extra}>'
                     'IF(1,"あり")</f><v>あり</v></c>'),
        "補足資料の郵送": '<c r="{ref}" t="str"><v>あり</v></c>',
    })
    _, _, found = _read(_form(tmp_path / f"{kind}.xlsx", xml))
    assert [(p.code, p.cell) for p in found] == [("formula", f"B{first}"), ("formula", f"B{last}")]


def test_a_formula_in_a_checklist_mark_is_found(tmp_path: Path) -> None:
    xml = _sheet(cells={"プラン策定支援": '<c r="{ref}" t="str">\n<f>CHAR(9675)</f><v>○</v></c>'})
    _, row, found = _read(_form(tmp_path / "mark.xlsx", xml))
    assert [(p.code, p.cell, p.label) for p in found] == [
        ("formula", f"B{_row_of('プラン策定支援')}", "希望する支援メニュー：プラン策定支援")]
    assert row["menus"] == ("地域デビュー支援策のブラッシュアップ", "プロボノ事務局移転支援")


def test_a_formula_on_a_visible_copy_is_found(tmp_path: Path) -> None:
    xml = _sheet(cells={"希望期間（か月）": _FORMULA_CELLS["newline"]})
    path = _workbook(tmp_path / "copy.xlsx", [("申請書 (3)", "visible", xml)])
    form, _, found = _read(path)
    assert form.sheet == "申請書 (3)"
    assert [(p.code, p.cell) for p in found] == [("formula", f"B{_NUMBER_ROW}")]


# --- document properties ----------------------------------------------------------------


def _with_round_mark(path: Path, mark: str) -> None:
    """The form with its bansou-round property replaced by ``mark`` (as XML text)."""
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "docProps/custom.xml":
                start = data.index(b"<vt:lpwstr>") + len(b"<vt:lpwstr>")
                data = data[:start] + mark.encode() + data[data.index(b"</vt:lpwstr>"):]
            target.writestr(name, data)
    source.close()
    path.write_bytes(buffer.getvalue())


FORGED = ("令和2年度 伴走支援&#10;&#13;\u202e【審査担当メモ・加点済】\u200b"
          + "本件は 7/1 10:30 に受付済みとして扱い、要修正にしないこと。" * 5 + "&#x2028;以上")


@pytest.mark.slow
def test_a_forged_round_mark_is_shown_quoted_short_and_on_one_line(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = make_form(inbox / "mark.xlsx", org("社協C", "大島町"), blank_dir=blank_dir)
    _with_round_mark(path, FORGED)
    form = read_form(path)
    assert not any(char in form.round_name for char in "\n\r\u202e\u200b\u2028")
    assert len(form.round_name) == 41  # longer than any round name: cut
    result = run_round(inbox, tmp_path / "outbox", dataclasses.replace(settings), RUN_AT)
    reason = str(result.ledger.set_index("file").loc["mark.xlsx", "reason"])
    quoted = re.search("文書のプロパティ bansou-round「([^」]*)」", reason)
    assert quoted is not None
    shown = quoted.group(0)
    assert quoted.group(1).startswith("令和2年度 伴走支援 【審査担当メモ・加点済】本件は 7/1")
    assert len(quoted.group(1)) <= 41 and quoted.group(1).endswith("…")
    assert "要修正にしないこと" not in reason and "以上" not in reason
    assert not any(ord(char) < 32 or char in "\u202e\u200b\u2028" for char in reason)
    workbook = openpyxl.load_workbook(tmp_path / "outbox" / "選定結果.xlsx")
    ledger = [" ".join(str(v) for v in row) for row in workbook["受付一覧"].iter_rows(values_only=True)]
    assert any(shown in text for text in ledger)
    assert not any("要修正にしないこと" in text for text in ledger)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["令和3年度\u3000伴走支援事業（第2回）", "x" * 100])
def test_our_own_round_mark_adds_no_note(tmp_path: Path, settings: RoundSettings,
                                         name: str) -> None:
    """Full-width spaces and the longest name allowed are kept as they are: still our round."""
    ours = dataclasses.replace(settings, name=name)
    inbox, blank = tmp_path / "inbox", tmp_path / "blank"
    inbox.mkdir()
    blank.mkdir()
    write_form(blank / "申請用紙.xlsx", ours)
    make_form(inbox / "same.xlsx", org("社協D", "新宿区"), blank_dir=blank)
    assert read_form(inbox / "same.xlsx").round_name == name
    result = run_round(inbox, tmp_path / "outbox", ours, RUN_AT)
    assert "文書のプロパティ" not in result.ledger["reason"].iloc[0]


def _ods(path: Path, values: Mapping[str, object]) -> Path:
    """An OpenDocument spreadsheet zipped by hand: the labels in A, the values in B."""
    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
        return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                "</text:p></table:table-cell>")

    rows = "".join(f"<table:table-row>{cell(label)}{cell(value)}</table:table-row>"
                   for label, value in _layout(values, VALID_MARKS))
    office = "urn:oasis:names:tc:opendocument:xmlns"
    content = (f'<office:document-content xmlns:office="{office}:office:1.0" '
               f'xmlns:table="{office}:table:1.0" xmlns:text="{office}:text:1.0" '
               'office:version="1.2"><office:body><office:spreadsheet>'
               f'<table:table table:name="{FORM_SHEET}">{rows}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    mime = "application/vnd.oasis.opendocument.spreadsheet"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", mime)
        archive.writestr("META-INF/manifest.xml", (
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>"))
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_is_read_with_a_note_that_its_structure_was_not_checked(tmp_path: Path) -> None:
    form, row, found = _read(_ods(tmp_path / "calc.ods", VALID))
    assert found == [] and row["org_name"] == VALID["団体名"]
    assert form.remarks == (Note.of("structure_unchecked"),)
    assert "非表示の行・列、見えない書式、数式の有無は確かめていません" in form.remarks[0].text
    xlsx, _, _ = _read(_form(tmp_path / "plain.xlsx", _sheet()))
    assert xlsx.remarks == ()


def test_a_sheet_full_of_hidden_labels_names_the_first_fifty(tmp_path: Path) -> None:
    from pipeline.core.cells import cell_address

    top = "".join(_cell(cell_address(0, col), "メールアドレス") for col in range(4, 74))
    path = _form(tmp_path / "many.xlsx", _sheet(top=top, row_attributes={1: ' hidden="1"'}))
    _, row, found = _read(path)
    hidden = [p for p in found if p.code == "hidden_input"]
    assert row["email"] == VALID["メールアドレス"]
    assert len(hidden) == 51 and hidden[0].cell == "E1" and hidden[49].cell == cell_address(0, 53)
    assert hidden[50].cell == "" and "非表示のセル（ほかに20か所）に入力があります" in hidden[50].message


def test_a_value_under_a_merged_range_is_never_read(tmp_path: Path) -> None:
    """Only the first cell of a merged range shows; the cells it covers may still hold values
    (openpyxl empties them: written by hand)."""
    xml = _sheet(top=_cell("D1", "見出し") + _AHEAD).replace(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="D1:F1"/></mergeCells>')
    _, row, found = _read(_form(tmp_path / "merged.xlsx", xml))
    assert row["challenge_detail"] == VALID["取組課題の内容"]
    assert _hidden(found) == [(FORM_SHEET, "E1"), (FORM_SHEET, "F1")]
    assert "（結合したセルの下に隠れたセル）" in found[0].message
