"""Write the blank application form 申請用紙.xlsx (the contract in formspec)."""

from __future__ import annotations

from pathlib import Path

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pipeline.core import domain
from pipeline.core.formspec import (
    FIELDS,
    FORM_SHEET,
    FORM_VERSION,
    ROUND_PROPERTY,
    VERSION_LABEL,
)
from pipeline.core.settings import RoundSettings
from pipeline.core.wording import form_examples, japanese_datetime
from pipeline.stage3_write.xlsx import (
    DATE_FORMAT,
    MONTH_FORMAT,
    fitted_height,
    fmt,
    new_workbook,
    print_setup,
)

LIST_SHEET = "リスト"
GUIDE_SHEET = "記入方法"
MARK_CHOICES = ("○",)  # to unmark, the applicant clears the cell
_LONG_TEXT_HEIGHT = 72
# Column widths: together at most 80 units, so that A4 portrait prints them at 100 % (10 pt)
_LABEL_WIDTH = 22
_INPUT_WIDTH = 34
_GUIDE_WIDTH = 24
_FORM_WIDTH = _LABEL_WIDTH + _INPUT_WIDTH + _GUIDE_WIDTH
_GUIDE_COLUMNS = ((20, "項目"), (6, "必須"), (54, "記入のしかた"))


def write_form(path: Path, settings: RoundSettings) -> None:
    """Write the round's blank form to ``path`` (its folder must exist): its title, deadline,
    where to send it and its examples come from the settings, and a document property marks
    the round, so that a form of another round is recognised when it comes back."""
    title_text = f"{settings.name} 申請用紙"
    workbook = new_workbook(path, title_text)
    workbook.set_custom_property(ROUND_PROPERTY, settings.name)
    examples = form_examples(settings.deadline.date())
    title = fmt(workbook, bold=True, font_size=14)
    section = fmt(workbook, bold=True, font_color="#FFFFFF", bg_color="#1F4E79")
    label = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    guide = fmt(workbook, font_color="#404040", text_wrap=True)
    version = fmt(workbook, font_color="#595959")
    entry = {"locked": False, "bg_color": "#FFF2CC", "border": 1, "text_wrap": True}
    text_input = fmt(workbook, **entry)
    date_input = fmt(workbook, num_format=DATE_FORMAT, align="left", **entry)
    month_input = fmt(workbook, num_format=MONTH_FORMAT, align="left", **entry)
    mark_input = fmt(workbook, align="center", **entry)

    sheet = workbook.add_worksheet(FORM_SHEET)
    guide_sheet = workbook.add_worksheet(GUIDE_SHEET)
    lists = workbook.add_worksheet(LIST_SHEET)
    lists.hide()
    list_ranges = _write_lists(lists)

    sheet.set_column("A:A", _LABEL_WIDTH)
    sheet.set_column("B:B", _INPUT_WIDTH)
    sheet.set_column("C:C", _GUIDE_WIDTH)
    sheet.write_string(0, 0, title_text, title)
    sheet.write_string(1, 0, VERSION_LABEL, label)
    sheet.write_string(1, 1, FORM_VERSION, version)
    sheet.set_row(1, fitted_height([(VERSION_LABEL, _LABEL_WIDTH)]))
    for row, text in ((2, "黄色のセルに入力してください。見出しの文字は変更しないでください。"
                          "入力方法は右の説明と「記入方法」シートをご覧ください。"),
                      (3, submission(settings))):
        sheet.merge_range(row, 0, row, 2, text, guide)
        sheet.set_row(row, fitted_height([(text, _FORM_WIDTH)]))
    sheet.set_row(0, 24)
    row = 4
    current_section = ""
    for field in FIELDS:
        if field.section != current_section:
            current_section = field.section
            sheet.merge_range(row, 0, row, 2, field.section, section)
            row += 1
        field_guide = field.guide_for(examples)
        sheet.write_string(row, 0, field.label, label)
        sheet.write_string(row, 2, field_guide, guide)
        height = fitted_height([(field.label, _LABEL_WIDTH), (field_guide, _GUIDE_WIDTH)])
        sheet.set_row(row, height)
        if field.is_checklist:
            row += 1
            for item in field.items:
                sheet.set_row(row, fitted_height([(item, _LABEL_WIDTH)]))
                sheet.write_string(row, 0, item, label)
                sheet.write_blank(row, 1, None, mark_input)
                sheet.data_validation(row, 1, row, 1, {
                    "validate": "list", "source": list_ranges["mark"], "error_type": "warning",
                    "input_title": item[:32], "input_message": "該当する場合は「○」を選んでください。",
                })
                row += 1
            continue
        cell_format = {"date": date_input, "year_month": month_input}.get(field.kind, text_input)
        sheet.write_blank(row, 1, None, cell_format)
        validation: dict[str, object] = {
            "validate": "any", "input_title": field.label[:32], "input_message": field_guide[:255],
        }
        if field.key in list_ranges:
            validation.update(validate="list", source=list_ranges[field.key],
                              error_type="warning",
                              error_message="一覧にない値です。一覧から選んでください。")
        sheet.data_validation(row, 1, row, 1, validation)
        if field.kind == "long_text":
            sheet.set_row(row, max(_LONG_TEXT_HEIGHT, height))
        row += 1

    sheet.freeze_panes(4, 0)
    sheet.repeat_rows(0)  # the title on every printed page
    sheet.protect("", {"insert_rows": True, "format_rows": True, "format_columns": True,
                       "format_cells": True})
    print_setup(sheet, landscape=False, header=domain.PROGRAM_NAME)
    sheet.print_area(0, 0, row - 1, 2)
    sheet.activate()
    _write_guide(guide_sheet, label, guide, settings, examples)
    workbook.close()


def submission(settings: RoundSettings) -> str:
    """The deadline and where to send the form, as the form's first rows say them."""
    office = settings.office
    return (f"締切：{japanese_datetime(settings.deadline)}（日本時間）までに届いたもの。"
            f"提出先：{office.name}（メール：{office.email}）")


def list_columns() -> dict[str, tuple[str, ...]]:
    """The hidden list sheet's columns, A onwards: each drop-down's choices."""
    return {
        "org_type": tuple(domain.ORG_TYPES.values()),
        "municipality": tuple(domain.MUNICIPALITIES),
        "challenge_category": tuple(domain.CHALLENGE_CATEGORIES),
        "pre_consultation": tuple(domain.YES_NO),
        "mark": tuple(MARK_CHOICES),
    }


def _write_lists(lists: Worksheet) -> dict[str, str]:
    """Fill the hidden list sheet; return each drop-down's source range."""
    ranges: dict[str, str] = {}
    for col, (key, values) in enumerate(list_columns().items()):
        for row, value in enumerate(values):
            lists.write_string(row, col, value)
        letter = chr(ord("A") + col)
        ranges[key] = f"={LIST_SHEET}!${letter}$1:${letter}${len(values)}"
    ranges["mailed_materials"] = ranges["pre_consultation"]
    return ranges


def _write_guide(sheet: Worksheet, label: Format, guide: Format, settings: RoundSettings,
                 examples: dict[str, str]) -> None:
    office = settings.office
    rows = [tuple(heading for _, heading in _GUIDE_COLUMNS)]
    rows += [(f.label, "必須" if f.required else "任意", f.guide_for(examples)) for f in FIELDS]
    rows += [
        ("", "", ""),
        ("締切", "", f"{japanese_datetime(settings.deadline)}（日本時間）までに届いたものを受け付けます。"),
        ("提出方法", "", f"記入した申請用紙を、メールで {office.email} へ送ってください。ファイル名は"
                       "変えてもかまいません。補足資料は郵送でも受け付けます"
                       f"（{office.address}）。"),
        ("問い合わせ先", "", f"{office.name}　電話：{office.phone}　メール：{office.email}"),
        ("注意", "", "「申請書」シートの見出しの文字は変えないでください。行の追加はできます。"),
        ("連携先の記入", "", "「連携先の関係機関・団体」に「なし」「特になし」「－」などと書いた場合は、"
                          "記入なしとして扱います（連携先の配点はありません）。"),
    ]
    for col, (width, _) in enumerate(_GUIDE_COLUMNS):
        sheet.set_column(col, col, width)
    for row, values in enumerate(rows):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, label if row == 0 else guide)
        # every row as tall as its wrapped text: 提出方法 wraps to several lines, and a row
        # left to the office suite did not grow, printing it over 問い合わせ先
        sheet.set_row(row, fitted_height(zip(values, (w for w, _ in _GUIDE_COLUMNS),
                                             strict=True)))
    sheet.repeat_rows(0)
    print_setup(sheet, landscape=False)
