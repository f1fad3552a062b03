"""成果報告.xlsx: the year-end report for the Tokyo side.

概要 sums across districts (sessions by menu, participants, KPIs met) with charts; a sheet per
district gives its plan, what was done and its KPI results. Every number traces to the log
rows it came from: the sums are formulas over 根拠 (one row per session counted, with its file
and row), their values stored as well, so that a reader without recalculation sees them too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook

from pipeline.core import domain
from pipeline.core.settings import RoundSettings
from pipeline.core.support import SupportResult, log_activities
from pipeline.core.wording import japanese_date
from pipeline.stage3_write.progress import (
    Column,
    Styles,
    district_name,
    district_sheet_name,
    kpi_rows,
    label_rows,
    list_sheet,
    session_rows,
    set_widths,
    table,
    title_row,
)
from pipeline.stage3_write.xlsx import FONT, fitted_height, new_workbook, print_setup

EVIDENCE_SHEET = "根拠"
_EVIDENCE_COLUMNS: tuple[Column, ...] = (
    ("順位", 5), ("地区", 12), ("日付", 11), ("支援メニュー", 14), ("形式", 6), ("人数", 5),
    ("参加者", 10), ("実施内容", 18), ("次のステップ", 12), ("アドバイザー", 8),
    ("出典（支援記録の行）", 10))
# 根拠's columns the sums read (Excel letters)
_RANK, _MENU, _PEOPLE = "A", "D", "F"


def write_report(path: Path, support: SupportResult, ranked: pd.DataFrame,
                 settings: RoundSettings) -> None:
    workbook = new_workbook(path, f"成果報告 {settings.name}")
    styles = Styles(workbook)
    header = f"{domain.PROGRAM_NAME}　成果報告（{japanese_date(support.run_on)}現在）"
    names = {str(d["file"]): district_name(d) for _, d in support.districts.iterrows()}
    ranks = {str(d["file"]): int(d["rank"]) for _, d in support.districts.iterrows()}
    sessions = support.sessions.assign(rank=support.sessions["file"].map(ranks)).sort_values(
        ["rank", "date", "row"], kind="stable")
    charts = _summary(workbook, styles, support, sessions, settings, header)
    _charts(workbook, charts, header)
    applications = ranked.set_index("file")
    for _, district in support.districts.iterrows():
        _district(workbook, styles, support, district, applications.loc[district["file"]],
                  names, header)
    _evidence(workbook, styles, sessions, names, header)
    workbook.close()


_SUMMARY_WIDTHS = (26, 10, 10, 10, 10, 10)
_CHART_FONT = {"name": FONT, "size": 11}  # printed at 10 pt or more, as the sheets' text
_CHART_TITLE = {"name": FONT, "size": 12, "bold": True}


def _summary(workbook: Workbook, styles: Styles, support: SupportResult, sessions: pd.DataFrame,
             settings: RoundSettings, header: str) -> list[Chart]:
    """The sums, and the charts of them (placed on グラフ)."""
    sheet = workbook.add_worksheet("概要")
    charts: list[Chart] = []
    set_widths(sheet, _SUMMARY_WIDTHS)
    title_row(sheet, 0, f"成果報告（{japanese_date(support.run_on)}現在）", styles, _SUMMARY_WIDTHS)
    sheet.merge_range(1, 0, 1, len(_SUMMARY_WIDTHS) - 1, settings.name, styles.note)
    last = 1 + len(sessions)  # 根拠's last data row (1-based, under its heading)
    evidence = f"'{EVIDENCE_SHEET}'!"
    count = len(sessions)
    people = int(sessions["participants"].fillna(0).sum())
    kpis, met = len(support.kpis), int((support.kpis["status"] == "達成").sum())
    totals = [
        ("支援した地区", len(support.districts), None),
        ("支援の回数", count, f"=COUNTA({evidence}${_MENU}$2:${_MENU}${max(last, 2)})"),
        ("参加者（延べ人数）", people, f"=SUM({evidence}${_PEOPLE}$2:${_PEOPLE}${max(last, 2)})"),
        ("成果指標", kpis, None),
        ("成果指標のうち達成", met, None),
    ]
    row = 2
    for text, value, formula in totals:
        sheet.write_string(row, 0, text, styles.label)
        if formula:
            sheet.write_formula(row, 1, formula, styles.body, value)
        else:
            sheet.write_number(row, 1, value, styles.body)
        row += 1
    note = (f"数はすべて「{EVIDENCE_SHEET}」シート（数えた支援記録の行。ファイル名と行番号つき）"
            "から計算しています。")
    sheet.merge_range(row, 0, row, len(_SUMMARY_WIDTHS) - 1, note, styles.note)
    sheet.set_row(row, fitted_height([(note, sum(_SUMMARY_WIDTHS))]))
    row += 2

    title_row(sheet, row, "支援メニュー別", styles, _SUMMARY_WIDTHS)
    menu_top = row + 1
    for col, text in enumerate(("支援メニュー", "回数", "参加者", "地区数")):
        sheet.write_string(menu_top, col, text, styles.head)
    sheet.set_row(menu_top, fitted_height([("支援メニュー", _SUMMARY_WIDTHS[0])]))
    activities = [a for a in log_activities(settings.plan) if a in set(sessions["menu"])]
    for offset, activity in enumerate(activities, start=1):
        mine = sessions[sessions["menu"] == activity]
        r = menu_top + offset
        sheet.write_string(r, 0, activity, styles.label)
        where = f"{evidence}${_MENU}$2:${_MENU}${max(last, 2)},$A{r + 1}"
        sheet.write_formula(r, 1, f"=COUNTIFS({where})", styles.body, len(mine))
        sheet.write_formula(r, 2, f"=SUMIFS({evidence}${_PEOPLE}$2:${_PEOPLE}${max(last, 2)},"
                                  f"{where})", styles.body,
                            int(mine["participants"].fillna(0).sum()))
        sheet.write_number(r, 3, mine["file"].nunique(), styles.body)
        sheet.set_row(r, fitted_height([(activity, _SUMMARY_WIDTHS[0])]))
    row = menu_top + len(activities) + 2
    if activities:  # a chart of the table above
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series({"name": "支援の回数",
                          "categories": ["概要", menu_top + 1, 0, menu_top + len(activities), 0],
                          "values": ["概要", menu_top + 1, 1, menu_top + len(activities), 1],
                          "data_labels": {"value": True, "font": _CHART_FONT}})
        chart.set_title({"name": "支援メニュー別の回数", "name_font": _CHART_TITLE})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": _CHART_FONT})
        chart.set_y_axis({"reverse": True, "num_font": _CHART_FONT})
        charts.append(chart)

    title_row(sheet, row, "地区別", styles, _SUMMARY_WIDTHS)
    district_top = row + 1
    headings = ("地区", "段階", "実施", "予定", "参加者", "指標 達成/全体")
    for col, text in enumerate(headings):
        sheet.write_string(district_top, col, text, styles.head)
    sheet.set_row(district_top, fitted_height(zip(headings, _SUMMARY_WIDTHS, strict=True)))
    for offset, (_, district) in enumerate(support.districts.iterrows(), start=1):
        r = district_top + offset
        rank = int(district["rank"])
        sheet.write_string(r, 0, district_name(district), styles.label)
        sheet.write_string(r, 1, str(district["phase"]), styles.body)
        sheet.write_formula(r, 2, f"=COUNTIFS({evidence}${_RANK}$2:${_RANK}${max(last, 2)},{rank})",
                            styles.body, int(district["held"]))
        sheet.write_number(r, 3, int(district["planned_total"]), styles.body)
        sheet.write_formula(r, 4, f"=SUMIFS({evidence}${_PEOPLE}$2:${_PEOPLE}${max(last, 2)},"
                                  f"{evidence}${_RANK}$2:${_RANK}${max(last, 2)},{rank})",
                            styles.body, int(district["participants"]))
        sheet.write_string(r, 5, f"{int(district['kpis_met'])}/{int(district['kpis'])}",
                           styles.body)
        sheet.set_row(r, fitted_height([(district_name(district), _SUMMARY_WIDTHS[0])]))
    bottom = district_top + len(support.districts)
    row = bottom + 2
    if len(support.districts):
        chart = workbook.add_chart({"type": "column"})
        for col, name in ((3, "予定"), (2, "実施")):
            chart.add_series({"name": name,
                              "categories": ["概要", district_top + 1, 0, bottom, 0],
                              "values": ["概要", district_top + 1, col, bottom, col]})
        chart.set_title({"name": "地区別の支援（予定と実施）", "name_font": _CHART_TITLE})
        chart.set_legend({"position": "bottom", "font": _CHART_FONT})
        chart.set_x_axis({"num_font": _CHART_FONT})
        chart.set_y_axis({"num_font": _CHART_FONT})
        charts.append(chart)
    print_setup(sheet, landscape=False, header=header)
    sheet.print_area(0, 0, row, len(_SUMMARY_WIDTHS) - 1)
    return charts


_PLAN_WIDTHS = (18, 100)
_KPI_COLUMNS: tuple[Column, ...] = (
    ("地区", 12), ("指標", 15), ("目標値", 9), ("期日", 10), ("担当", 8), ("最新の実績", 8),
    ("測定日", 10), ("状態", 7), ("期日超過", 6), ("出典（支援記録の行）", 26))
# The sessions under the KPIs share the sheet's columns: each spans some of them.
_SESSION_SPANS = (1, 1, 1, 1, 5, 1)


_CHART_ROWS = 28  # one chart a landscape page


def _charts(workbook: Workbook, charts: list[Chart], header: str) -> None:
    sheet = workbook.add_worksheet("グラフ")
    for number, chart in enumerate(charts):
        sheet.insert_chart(number * _CHART_ROWS, 0, chart, {"x_scale": 2.0, "y_scale": 1.5})
    sheet.set_h_pagebreaks([n * _CHART_ROWS for n in range(1, len(charts))])
    print_setup(sheet, landscape=True, header=header)
    sheet.print_area(0, 0, max(len(charts), 1) * _CHART_ROWS - 1, 15)


def _district(workbook: Workbook, styles: Styles, support: SupportResult, district: pd.Series,
              application: pd.Series, names: dict[str, str], header: str) -> None:
    """The district's plan, what was done (each session, with its log row) and its KPIs."""
    sheet = workbook.add_worksheet(district_sheet_name(district))
    set_widths(sheet, [w for _, w in _KPI_COLUMNS])
    width = sum(w for _, w in _KPI_COLUMNS[1:])
    title_row(sheet, 0, district_name(district), styles, [w for _, w in _KPI_COLUMNS])
    sheet.repeat_rows(0)  # the district's name on every page
    start = pd.Timestamp(application["start_month"]).date()
    rows = [
        ("取組課題の区分", application["challenge_category"]),
        ("伴走支援で目指す成果", application["goals"]),
        ("支援メニュー", "、".join(application["menus"])),
        ("期間", f"{start.year}年{start.month}月から{int(application['duration_months'])}か月"),
        ("段階", district["phase"]),
        ("キックオフ", district["kickoff_date"] or "－"),
        ("支援の回数", f"実施 {int(district['held'])}回／予定 {int(district['planned_total'])}回"
                      f"（参加者 延べ{int(district['participants'])}人）"),
        ("計画書・支援記録", f"{district['plan_file'] or '（未返却）'}　{district['log_file'] or '（未返却）'}"),
    ]
    row = label_rows(sheet, 2, rows, styles, (_KPI_COLUMNS[0][1], width), len(_KPI_COLUMNS) - 1) + 1
    title_row(sheet, row, "成果指標", styles, [w for _, w in _KPI_COLUMNS])
    kpis = support.kpis[support.kpis["file"] == district["file"]]
    row = table(sheet, row + 1, _KPI_COLUMNS, kpi_rows(kpis, names), styles) + 1
    title_row(sheet, row, "実施した支援", styles, [w for _, w in _KPI_COLUMNS])
    done = support.sessions[support.sessions["file"] == district["file"]].sort_values(
        ["date", "row"])
    widths = [w for _, w in _KPI_COLUMNS]
    starts = [sum(_SESSION_SPANS[:i]) for i in range(len(_SESSION_SPANS))]
    columns = [(heading, sum(widths[start:start + span])) for heading, start, span in zip(
        ("日付", "支援メニュー", "形式", "人数", "実施内容", "出典（支援記録の行）"), starts,
        _SESSION_SPANS, strict=True)]
    session_values = [(r[1], r[2], r[3], r[4], r[6], r[9]) for r in session_rows(done, names)]
    row = table(sheet, row + 1, columns, session_values, styles, spans=_SESSION_SPANS)
    print_setup(sheet, landscape=True, header=header)
    sheet.print_area(0, 0, row, len(_KPI_COLUMNS) - 1)


def _evidence(workbook: Workbook, styles: Styles, sessions: pd.DataFrame, names: dict[str, str],
              header: str) -> None:
    """One row per session counted: what every sum of 概要 reads."""
    rows = [(int(rank), *values) for rank, values in
            zip(sessions["rank"].tolist(), session_rows(sessions, names), strict=True)]
    sheet, _ = list_sheet(workbook, EVIDENCE_SHEET, _EVIDENCE_COLUMNS, rows, styles, header)
    sheet.freeze_panes(1, 0)
