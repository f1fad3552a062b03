"""Write one 伴走支援計画書 per selected district."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pipeline.core import domain
from pipeline.core.points import shown_text
from pipeline.core.settings import PlanSettings, RoundSettings
from pipeline.stage3_write.outputs import MAX_PART, safe_file_part
from pipeline.stage3_write.xlsx import fmt, new_workbook, print_setup, wrapped_lines, write_text

PLAN_SHEET = "計画書"
_MONTH_COLUMNS = 8  # the longest period the program allows
_FIRST_MONTH_COL = 2
_DETAIL_WIDTH = 46
_MONTH_WIDTH = 10
_MERGED_WIDTH = _DETAIL_WIDTH + _MONTH_COLUMNS * _MONTH_WIDTH  # a value cell spans B to the last month


def plan_file_name(rank: int, municipality: str, org_name: str, longest: int = MAX_PART) -> str:
    """``NN_区市町村_団体名.xlsx``, safe on Windows and macOS (``longest``: outputs.part_room)."""
    return (f"{rank:02d}_{safe_file_part(municipality, longest)}_"
            f"{safe_file_part(org_name, longest)}.xlsx")


@dataclass(frozen=True)
class ScheduleRow:
    activity: str
    detail: str
    months: tuple[int, ...]  # 0-based months of the period


def schedule(menus: tuple[str, ...], months: int, plan: PlanSettings) -> list[ScheduleRow]:
    """Kick-off first, each chosen menu in its phase, a mid-term review and a closing report."""
    rows = [ScheduleRow(plan.kickoff, "地域課題・ニーズ・資源の整理、役割分担と成果指標の確認", (0,))]
    rows += [ScheduleRow(menu, domain.MENUS[menu], tuple(plan.months_of(menu, months)))
             for menu in menus]
    rows.append(ScheduleRow(plan.midterm_review, "進捗と成果指標の確認、後半の計画の見直し",
                            ((months - 1) // 2,)))
    rows.append(ScheduleRow(plan.closing_report, "成果のとりまとめと今後の展開の検討",
                            (months - 1,)))
    return rows


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
    sheet = workbook.add_worksheet(PLAN_SHEET)
    title = fmt(workbook, bold=True, font_size=16)
    section = fmt(workbook, bold=True, font_color="#FFFFFF", bg_color="#1F4E79")
    label = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    value = fmt(workbook, border=1, text_wrap=True)
    month_head = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, align="center")
    active = fmt(workbook, border=1, bg_color="#5B9BD5", font_color="#FFFFFF", align="center")
    idle = fmt(workbook, border=1)
    entry = fmt(workbook, border=1, bg_color="#FFF2CC")
    months = int(application["duration_months"])
    # One column per month of the period, sharing the width of the longest period: no
    # empty month columns after a short schedule.
    last_col = _FIRST_MONTH_COL + months - 1

    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, _DETAIL_WIDTH)
    sheet.set_column(_FIRST_MONTH_COL, last_col, _MONTH_WIDTH * _MONTH_COLUMNS / months)
    row = 0
    sheet.merge_range(row, 0, row, last_col, "", title)
    mark = "【暫定】" if provisional else ""
    municipality, org_name = str(application["municipality"]), str(application["org_name"])
    # 八王子市社会福祉協議会 already says 八王子市: the title does not repeat it
    who = org_name if org_name.startswith(municipality) else f"{municipality}　{org_name}"
    write_text(sheet, row, 0, f"{mark}伴走支援計画書　{who}", title)
    sheet.set_row(row, 28)
    row += 2

    def heading(text: str) -> None:
        nonlocal row
        sheet.merge_range(row, 0, row, last_col, text, section)
        row += 1

    def field(name: str, content: object, height: float | None = None) -> None:
        nonlocal row
        sheet.write_string(row, 0, name, label)
        sheet.merge_range(row, 1, row, last_col, "", value)
        write_text(sheet, row, 1, content, value)
        if height:
            sheet.set_row(row, height)
        row += 1

    heading("1. 区市町村・申請団体")
    field("区市町村", application["municipality"])
    field("団体名", application["org_name"])
    field("団体種別", application["org_type"])
    field("代表者", application["representative"])
    field("担当部署・担当者", f"{application['department']}　{application['contact_name']}")
    field("電話", application["phone"])
    field("メール", application["email"])
    field("順位・合計点", f"{application['rank']}位　{shown_text(application['total'])}点"
                         f"（満点{settings.max_total}点）")
    row += 1
    heading("2. 取組課題と目指す成果")
    field("取組課題の区分", application["challenge_category"])
    field("取組課題の内容", application["challenge_detail"], _height(application["challenge_detail"]))
    field("現在の取組状況", application["current_activities"],
          _height(application["current_activities"]))
    field("連携先", application["partners"], _height(application["partners"]))
    field("伴走支援で目指す成果", application["goals"], _height(application["goals"]))
    row += 1
    heading("3. 伴走支援の内容")
    for menu in application["menus"]:
        field(menu, domain.MENUS[menu], 30)
    if isinstance(application["menu_other"], str):
        field("その他の希望内容", application["menu_other"], _height(application["menu_other"]))
    row += 1

    start = pd.Timestamp(application["start_month"]).date()
    heading(f"4. スケジュール（{month_labels(start, months)[0]}から{months}か月）")
    sheet.write_string(row, 0, "活動", month_head)
    sheet.write_string(row, 1, "内容", month_head)
    for offset, text in enumerate(month_labels(start, months)):
        sheet.write_string(row, _FIRST_MONTH_COL + offset, text, month_head)
    row += 1
    for item in schedule(tuple(application["menus"]), months, settings.plan):
        sheet.write_string(row, 0, item.activity, label)
        sheet.write_string(row, 1, item.detail, value)
        for offset in range(months):
            if offset in item.months:
                sheet.write_string(row, _FIRST_MONTH_COL + offset, "●", active)
            else:
                sheet.write_blank(row, _FIRST_MONTH_COL + offset, None, idle)
        sheet.set_row(row, 30)
        row += 1
    row += 1

    # Sections 5 and 6 start the second page: a heading is never left alone at a page's foot.
    sheet.set_h_pagebreaks([row])
    heading("5. 役割分担")
    _roles(sheet, row, application, label, value, last_col)
    row += max(len(domain.ROLES_TOKYO), len(domain.COMMITMENTS)) + 2

    heading("6. キックオフ会議で記入")
    for col, text in enumerate(("成果指標（KPI）", "目標値", "担当", "期日")):
        first, last = _kpi_span(col, last_col)
        if first == last:
            sheet.write_string(row, first, text, month_head)
        else:
            sheet.merge_range(row, first, row, last, text, month_head)
    row += 1
    for _ in range(settings.plan.kpi_rows):
        for col in range(4):
            first, last = _kpi_span(col, last_col)
            if first == last:
                sheet.write_blank(row, first, None, entry)
            else:
                sheet.merge_range(row, first, row, last, "", entry)
        sheet.set_row(row, 24)
        row += 1

    print_setup(sheet, landscape=True, header=f"{mark}{domain.PROGRAM_NAME}　伴走支援計画書")
    sheet.fit_to_pages(1, 0)
    sheet.print_area(0, 0, row - 1, last_col)
    workbook.close()


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


def _height(text: object) -> float | None:
    """Row height for wrapped long text across the merged width (~90 full-width characters)."""
    if not isinstance(text, str):
        return None
    lines = wrapped_lines(text, _MERGED_WIDTH)
    return min(15.0 * lines + 4, 300.0) if lines > 1 else None
