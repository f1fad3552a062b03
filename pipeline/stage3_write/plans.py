"""Write one 伴走支援計画書 and one 支援記録 per selected district.

Both come back: the office fills the plan at the kickoff meeting (date, attendees, advisers,
district contacts, KPIs, the agreed schedule) and records each session in the log, then saves
them into inbox/支援/. Each carries a tag (a document property: the application's SHA-256) and
names its district, which is how a returned copy is matched (pipeline.stage2_decide.progress).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pipeline.core import domain, support
from pipeline.core.names import PLAN_DIR
from pipeline.core.points import shown_text
from pipeline.core.settings import RoundSettings
from pipeline.core.support import PLAN_SHEET, ScheduleRow, schedule
from pipeline.stage3_write.outputs import MAX_PART, safe_file_part
from pipeline.stage3_write.xlsx import (
    fitted_height,
    fmt,
    new_workbook,
    print_setup,
    write_text,
)

__all__ = ["PLAN_DIR", "PLAN_SHEET", "ScheduleRow", "log_file_name", "month_labels",
           "plan_file_name", "schedule", "write_log", "write_plan"]

_MONTH_COLUMNS = 8  # the longest period the program allows
_FIRST_MONTH_COL = 2
_LABEL_WIDTH = 15
_DETAIL_WIDTH = 35
_MONTH_WIDTH = 6.5
# A landscape A4 page holds these columns (102 units) at 100 % as LibreOffice sets them: printed,
# 10 pt stays 10 pt.
_MERGED_WIDTH = _DETAIL_WIDTH + _MONTH_COLUMNS * _MONTH_WIDTH  # a value cell spans B to the last month


def plan_file_name(rank: int, municipality: str, org_name: str, longest: int = MAX_PART) -> str:
    """``NN_区市町村_団体名.xlsx``, safe on Windows and macOS (``longest``: outputs.part_room)."""
    return (f"{rank:02d}_{safe_file_part(municipality, longest)}_"
            f"{safe_file_part(org_name, longest)}.xlsx")


def log_file_name(plan_file: str) -> str:
    """The log beside its plan: ``NN_区市町村_団体名_支援記録.xlsx``."""
    path = Path(plan_file)
    return path.with_name(f"{path.stem}_{support.LOG_SHEET}{path.suffix}").as_posix()


def month_labels(start: dt.date, months: int) -> list[str]:
    labels = []
    for offset in range(months):
        year, month = divmod(start.month - 1 + offset, 12)
        labels.append(f"{start.year + year}年{month + 1}月")
    return labels


def write_plan(path: Path, application: pd.Series, settings: RoundSettings,
               provisional: bool = False) -> None:
    """One plan workbook for one selected application (a RankedSchema row); marked 暫定 in
    its title and page header while the ranking is."""
    workbook = new_workbook(path, f"伴走支援計画書 {application['municipality']}")
    workbook.set_custom_property(support.PLAN_PROPERTY, str(application["sha256"]))
    sheet = workbook.add_worksheet(PLAN_SHEET)
    title = fmt(workbook, bold=True, font_size=16)
    section = fmt(workbook, bold=True, font_color="#FFFFFF", bg_color="#1F4E79", text_wrap=True)
    label = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    value = fmt(workbook, border=1, text_wrap=True)
    month_head = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, align="center",
                     text_wrap=True)
    active = fmt(workbook, border=1, bg_color="#5B9BD5", font_color="#FFFFFF", align="center")
    idle = fmt(workbook, border=1)
    entry = fmt(workbook, border=1, bg_color="#FFF2CC")
    months = int(application["duration_months"])
    # One column per month of the period, sharing the width of the longest period: no
    # empty month columns after a short schedule.
    last_col = _FIRST_MONTH_COL + months - 1

    sheet.set_column(0, 0, _LABEL_WIDTH)
    sheet.set_column(1, 1, _DETAIL_WIDTH)
    sheet.set_column(_FIRST_MONTH_COL, last_col, _MONTH_WIDTH * _MONTH_COLUMNS / months)
    row = 0
    heights: dict[int, float] = {}  # what each row is set to: the plan is paginated from them
    headings: list[int] = []

    def set_height(at: int, height: float) -> None:
        heights[at] = min(height, _TALLEST_ROW)
        sheet.set_row(at, heights[at])

    sheet.merge_range(row, 0, row, last_col, "", title)
    mark = "【暫定】" if provisional else ""
    municipality, org_name = str(application["municipality"]), str(application["org_name"])
    # 八王子市社会福祉協議会 already says 八王子市: the title does not repeat it
    who = org_name if org_name.startswith(municipality) else f"{municipality}　{org_name}"
    write_text(sheet, row, 0, f"{mark}伴走支援計画書　{who}", title)
    set_height(row, 28)
    row += 2

    def heading(text: str) -> None:
        """A section's heading across the table, wrapped where it is longer (never cut)."""
        nonlocal row
        sheet.merge_range(row, 0, row, last_col, text, section)
        height = fitted_height([(text, _LABEL_WIDTH + _MERGED_WIDTH)])
        if height > _ONE_LINE:
            set_height(row, height)
        headings.append(row)
        row += 1

    def gap() -> None:
        """A thin space between sections."""
        nonlocal row
        set_height(row, _GAP)
        row += 1

    def field(name: str, content: object) -> None:
        """A label and its value across the month columns, the row as tall as either wraps."""
        nonlocal row
        sheet.write_string(row, 0, name, label)
        sheet.merge_range(row, 1, row, last_col, "", value)
        write_text(sheet, row, 1, content, value)
        text = content if isinstance(content, str) else ""
        height = fitted_height([(name, _LABEL_WIDTH), (text, _MERGED_WIDTH)])
        if height > _ONE_LINE:  # one line: the office suite's own height
            set_height(row, height)
        row += 1

    heading("1. 区市町村・申請団体")
    field(support.MUNICIPALITY_LABEL, application["municipality"])
    field(support.ORG_LABEL, application["org_name"])
    field("団体種別", application["org_type"])
    field("代表者", application["representative"])
    field("担当部署・担当者", f"{application['department']}　{application['contact_name']}")
    field("電話", application["phone"])
    field("メール", application["email"])
    field("順位・合計点", f"{application['rank']}位　{shown_text(application['total'])}点"
                         f"（満点{settings.max_total}点）")
    gap()
    heading("2. 取組課題と目指す成果")
    field("取組課題の区分", application["challenge_category"])
    field("取組課題の内容", application["challenge_detail"])
    field("現在の取組状況", application["current_activities"])
    field("連携先", application["partners"])
    field("伴走支援で目指す成果", application["goals"])
    gap()
    heading("3. 伴走支援の内容")
    for menu in application["menus"]:
        field(menu, domain.MENUS[menu])
    if isinstance(application["menu_other"], str):
        field("その他の希望内容", application["menu_other"])
    gap()

    start = pd.Timestamp(application["start_month"]).date()
    heading(f"4. スケジュール（{month_labels(start, months)[0]}から{months}か月）　キックオフ会議で"
            "合意した予定に直してください（●＝予定の月、数字＝その月の回数）")
    sheet.write_string(row, 0, support.ACTIVITY, month_head)
    sheet.write_string(row, 1, support.DETAIL, month_head)
    for offset, text in enumerate(month_labels(start, months)):
        sheet.write_string(row, _FIRST_MONTH_COL + offset, text, month_head)
    set_height(row, fitted_height([(text, _MONTH_WIDTH * _MONTH_COLUMNS / months)
                                      for text in month_labels(start, months)]))
    row += 1
    for item in schedule(tuple(application["menus"]), months, settings.plan):
        sheet.write_string(row, 0, item.activity, label)
        sheet.write_string(row, 1, item.detail, value)
        for offset in range(months):
            if offset in item.months:
                sheet.write_string(row, _FIRST_MONTH_COL + offset, "●", active)
            else:
                sheet.write_blank(row, _FIRST_MONTH_COL + offset, None, idle)
        # fitted to the text as it wraps: no line of a long menu lost in print
        set_height(row, fitted_height([(item.activity, _LABEL_WIDTH),
                                          (item.detail, _DETAIL_WIDTH)]))
        row += 1
    gap()

    heading("5. 役割分担")
    _roles(sheet, row, application, label, value, last_col)
    row += max(len(domain.ROLES_TOKYO), len(domain.COMMITMENTS)) + 1
    gap()

    heading("6. キックオフ会議で記入（出席者と成果指標（KPI））")
    for text in support.KICKOFF_LABELS:
        sheet.write_string(row, 0, text, label)
        sheet.merge_range(row, 1, row, last_col, "", entry)
        set_height(row, fitted_height([(text, _LABEL_WIDTH)], minimum=20))
        row += 1
    for col, text in enumerate(support.KPI_HEADINGS):
        first, last = _kpi_span(col, last_col)
        if first == last:
            sheet.write_string(row, first, text, month_head)
        else:
            sheet.merge_range(row, first, row, last, text, month_head)
    row += 1
    for _ in range(settings.plan.kpi_rows):
        for col in range(len(support.KPI_HEADINGS)):
            first, last = _kpi_span(col, last_col)
            if first == last:
                sheet.write_blank(row, first, None, entry)
            else:
                sheet.merge_range(row, first, row, last, "", entry)
        set_height(row, 20)
        row += 1

    # the title on every page: the header carries it
    print_setup(sheet, landscape=True, header=f"{mark}伴走支援計画書　{who}（{domain.PROGRAM_NAME}）")
    sheet.fit_to_pages(1, 0)
    # a section's heading is never left alone at a page's foot
    sheet.set_h_pagebreaks(_heading_breaks([heights.get(r, _DEFAULT_ROW) for r in range(row)],
                                           headings))
    sheet.print_area(0, 0, row - 1, last_col)
    workbook.close()


_ONE_LINE = fitted_height([("", 1.0)])
_TALLEST_ROW = 409.0  # pt: Excel's limit (a 4,000-character answer is cut in print, never lost)
_GAP = 6.0  # pt
_DEFAULT_ROW = 17.0  # pt: a row left to the office suite, one line of 10 pt text
_PAGE = 480.0  # pt of rows an A4 landscape page holds within its margins
_KEPT_WITH = 2  # rows a heading keeps on its page


def _heading_breaks(heights: list[float], headings: list[int]) -> list[int]:
    """Page breaks before the headings that would otherwise end a page (with fewer than
    ``_KEPT_WITH`` of their rows after them), paginating the rows as the office suite does."""
    breaks: list[int] = []
    used = 0.0
    for at, height in enumerate(heights):
        kept = height + (sum(heights[at + 1:at + 1 + _KEPT_WITH]) if at in headings else 0.0)
        if used and used + kept > _PAGE:
            if at in headings and used + height <= _PAGE:
                breaks.append(at)  # the suite would have printed the heading at the foot
            used = 0.0
        used += height
    return breaks


def _kpi_span(col: int, last_col: int) -> tuple[int, int]:
    """Columns of the KPI table: 指標 over A and B, the other three sharing the month columns
    (4 to 8 of them) as evenly as they divide."""
    if col == 0:
        return 0, 1
    width = last_col - _FIRST_MONTH_COL + 1
    bounds = [_FIRST_MONTH_COL + width * part // 3 for part in range(4)]
    return bounds[col - 1], bounds[col] - 1


def _roles(sheet: Worksheet, row: int, application: pd.Series, label: Format,
           value: Format, last_col: int) -> None:
    """東京都・アドバイザー on the left, the district's commitments as the form said on the right."""
    sheet.merge_range(row, 0, row, 1, "東京都・アドバイザー", label)
    sheet.merge_range(row, _FIRST_MONTH_COL, row, last_col, "区市町村等（実施体制の確認）", label)
    confirmed = set(application["commitments"])
    for offset in range(max(len(domain.ROLES_TOKYO), len(domain.COMMITMENTS))):
        tokyo = domain.ROLES_TOKYO[offset] if offset < len(domain.ROLES_TOKYO) else ""
        district = ""
        if offset < len(domain.COMMITMENTS):
            item = domain.COMMITMENTS[offset]
            district = f"{item}：{'確認済' if item in confirmed else '未確認'}"
        sheet.merge_range(row + 1 + offset, 0, row + 1 + offset, 1, tokyo, value)
        sheet.merge_range(row + 1 + offset, _FIRST_MONTH_COL, row + 1 + offset, last_col,
                          district, value)


_LOG_ROWS = 40  # rows ready to fill; staff may add more below
_LOG_WIDTHS = (11, 17, 7, 6, 14, 26, 20, 10)  # LOG_HEADINGS': 111, A4 landscape at 100 %
_RESULT_ROWS = 30
_RESULT_WIDTHS = (11, 26, 13, 28)  # RESULT_HEADINGS': 78, A4 portrait at 100 %


def write_log(path: Path, application: pd.Series, settings: RoundSettings,
              provisional: bool = False) -> None:
    """The district's 支援記録: a row per support session (日付, 支援メニュー, 形式, 参加人数,
    参加者, 実施内容, 次のステップ, アドバイザー), and the KPI results as measured (指標の実績)."""
    workbook = new_workbook(path, f"支援記録 {application['municipality']}")
    workbook.set_custom_property(support.LOG_PROPERTY, str(application["sha256"]))
    title = fmt(workbook, bold=True, font_size=14)
    label = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1)
    value = fmt(workbook, border=1)
    head = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, align="center", text_wrap=True)
    entry = fmt(workbook, border=1, bg_color="#FFF2CC", text_wrap=True)
    day = fmt(workbook, border=1, bg_color="#FFF2CC", num_format='yyyy"年"m"月"d"日"')
    note = fmt(workbook, italic=True, font_color="#595959", text_wrap=True)
    mark = "【暫定】" if provisional else ""

    sheet = workbook.add_worksheet(support.LOG_SHEET)
    for col, width in enumerate(_LOG_WIDTHS):
        sheet.set_column(col, col, width)
    last = len(support.LOG_HEADINGS) - 1
    heading = f"{mark}支援記録　{application['org_name']}"
    write_text(sheet, 0, 0, heading, title)
    sheet.set_row(0, 24)
    for row, (text, content) in enumerate(((support.MUNICIPALITY_LABEL, application["municipality"]),
                                           (support.ORG_LABEL, application["org_name"])), start=1):
        sheet.write_string(row, 0, text, label)
        sheet.merge_range(row, 1, row, last, "", value)
        write_text(sheet, row, 1, content, value)
    activities = (settings.plan.kickoff, settings.plan.midterm_review, settings.plan.closing_report,
                  *domain.MENUS)
    guide = ("支援を行うたびに1行記入します。支援メニューはキックオフ・中間振り返り・成果報告も選べます"
             "（一覧から選択）。形式は " + "・".join(support.FORMATS) + "。保存したら inbox/支援/ に"
             "置いてください（ファイル名は自由です）。")
    sheet.merge_range(3, 0, 3, last, guide, note)
    sheet.set_row(3, fitted_height([(guide, sum(_LOG_WIDTHS))]))
    top = 4
    for col, text in enumerate(support.LOG_HEADINGS):
        sheet.write_string(top, col, text, head)
    sheet.set_row(top, fitted_height(list(zip(support.LOG_HEADINGS, _LOG_WIDTHS, strict=True))))
    for row in range(top + 1, top + 1 + _LOG_ROWS):
        sheet.write_blank(row, 0, None, day)
        for col in range(1, len(support.LOG_HEADINGS)):
            sheet.write_blank(row, col, None, entry)
        sheet.set_row(row, 30)
    rows = (top + 1, top + _LOG_ROWS)
    sheet.data_validation(rows[0], 1, rows[1], 1, {"validate": "list", "source": list(activities),
                                                   "error_type": "warning"})
    sheet.data_validation(rows[0], 2, rows[1], 2, {"validate": "list",
                                                   "source": list(support.FORMATS),
                                                   "error_type": "warning"})
    sheet.freeze_panes(top + 1, 0)
    print_setup(sheet, landscape=True, header=f"{heading}（{domain.PROGRAM_NAME}）")
    sheet.repeat_rows(top)
    sheet.print_area(0, 0, rows[1], last)

    results = workbook.add_worksheet(support.KPI_SHEET)
    for col, width in enumerate(_RESULT_WIDTHS):
        results.set_column(col, col, width)
    guide = "計画書の成果指標（KPI）を測ったら、1行に1つ記入します。「指標」は計画書と同じ名前にしてください。"
    results.merge_range(0, 0, 0, len(_RESULT_WIDTHS) - 1, guide, note)
    results.set_row(0, fitted_height([(guide, sum(_RESULT_WIDTHS))]))
    for col, text in enumerate(support.RESULT_HEADINGS):
        results.write_string(1, col, text, head)
    for row in range(2, 2 + _RESULT_ROWS):
        results.write_blank(row, 0, None, day)
        for col in range(1, len(support.RESULT_HEADINGS)):
            results.write_blank(row, col, None, entry)
    print_setup(results, landscape=False, header=f"{mark}{domain.PROGRAM_NAME}　指標の実績")
    results.print_area(0, 0, 1 + _RESULT_ROWS, len(_RESULT_WIDTHS) - 1)
    workbook.close()
