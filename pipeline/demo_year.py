"""The sample round's support year: the office fills each selected district's plan at its
kickoff and records its sessions in the log, as staff would in Excel (openpyxl), and saves
them into inbox/支援/ under names of its own.

What it plants (each a case 進捗.xlsx must show):

- the 2nd district is behind schedule: no session in the last month its plan expected one;
- the 1st district has reached its KPIs; the 3rd district's first KPI is overdue: its date
  has passed and the result is short;
- the 4th district's plan has problems (a KPI date that is no date, a count that is no count);
- the 5th district's plan was not returned (its schedule is the one we wrote);
- a log of a district that was not selected (a 選外 application's) with one row.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core import support
from pipeline.core.names import SUPPORT_DIR
from pipeline.core.result import RoundResult
from pipeline.core.settings import JST, RoundSettings
from pipeline.stage2_decide.progress import planned_schedule
from pipeline.stage3_write.plans import log_file_name, write_log
from pipeline.stage3_write.xlsx import save_openpyxl
from schemas.selection import NOT_SELECTED, SELECTED

# Seven months into the program: every district is under way, none has closed.
DEMO_SUPPORT_RUN_AT = dt.datetime(2017, 1, 23, 10, 0, tzinfo=JST)
_ADVISERS = ("今井 アドバイザー", "東京ホームタウンプロジェクト 山田")
_FORMATS = ("訪問", "オンライン", "来庁")
BEHIND, KPI_OVERDUE, WITH_PROBLEMS, PLAN_NOT_RETURNED = 2, 3, 4, 5  # ranks


def fill_support_year(directory: Path, result: RoundResult, settings: RoundSettings) -> None:
    """Write ``directory``/inbox/支援/ from the plans and logs the last run wrote."""
    folder = directory / "inbox" / SUPPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    outbox = directory / "outbox"
    selected = result.ranked[result.ranked["decision"] == SELECTED].sort_values("rank")
    run_on = DEMO_SUPPORT_RUN_AT.date()
    for _, application in selected.iterrows():
        rank = int(application["rank"])
        plan = outbox / result.plan_files[str(application["file"])]
        months = _months(application)
        if rank != PLAN_NOT_RETURNED:
            _fill_plan(plan, folder / f"計画書_キックオフ済_{application['municipality']}.xlsx",
                       application, months, rank)
        _fill_log(outbox / log_file_name(result.plan_files[str(application["file"])]),
                  folder / f"支援記録_{application['municipality']}.xlsx", application, months,
                  settings, rank, run_on)
    other = result.ranked[result.ranked["decision"] == NOT_SELECTED].sort_values("rank").iloc[0]
    stray = folder / f"支援記録_{other['municipality']}（選外）.xlsx"
    write_log(stray, other, settings)
    workbook = openpyxl.load_workbook(stray)
    _session(workbook[support.LOG_SHEET], 6, dt.date(2016, 10, 12), "打合せ・会議運営支援", 5)
    save_openpyxl(workbook, stray)


def _months(application: pd.Series) -> list[dt.date]:
    start = pd.Timestamp(application["start_month"]).date()
    return [support.first_of_month(start, n) for n in range(int(application["duration_months"]))]


def _last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _label_row(sheet: Worksheet, label: str) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == label)


def _fill_plan(source: Path, target: Path, application: pd.Series, months: list[dt.date],
               rank: int) -> None:
    workbook = openpyxl.load_workbook(source)
    sheet = workbook[support.PLAN_SHEET]
    values = {support.KICKOFF_DATE: months[0].replace(day=8),
              support.ATTENDEES: f"{application['contact_name']}、地域の関係機関 4名、事務局 2名",
              support.ADVISERS: "、".join(_ADVISERS),
              support.DISTRICT_CONTACTS: f"{application['department']} {application['contact_name']}"}
    for label, value in values.items():
        sheet.cell(_label_row(sheet, label), 2).value = value
    heading = _label_row(sheet, support.KPI_NAME)
    columns = {cell.value: cell.column for cell in sheet[heading] if cell.value}
    due = (months[1] if rank == KPI_OVERDUE else months[-1])
    kpis = [("新たな担い手の数", "20人", _last_day(due), "地区"),
            ("ワークショップの参加者", "60人", _last_day(months[-1]), "事務局")]
    if rank == WITH_PROBLEMS:  # a date no one can read, and a target left out
        kpis[1] = ("ワークショップの参加者", None, "年度末頃", "事務局")  # type: ignore[assignment]
    for offset, kpi in enumerate(kpis, start=1):
        for heading_text, value in zip(support.KPI_HEADINGS, kpi, strict=True):
            sheet.cell(heading + offset, columns[heading_text]).value = value
    save_openpyxl(workbook, target)


def _fill_log(source: Path, target: Path, application: pd.Series, months: list[dt.date],
              settings: RoundSettings, rank: int, run_on: dt.date) -> None:
    """A session in each month the plan we wrote expects one, up to the run's date."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook[support.LOG_SHEET]
    row = _label_row(sheet, support.SESSION_DATE) + 1
    planned = planned_schedule(application, settings)
    passed = sorted({month for _, month, *_ in planned
                     if _last_day(dt.date.fromisoformat(f"{month}-01")) < run_on})
    for activity, month, *_ in planned:
        day = dt.date.fromisoformat(f"{month}-01").replace(day=8 if activity ==
                                                           settings.plan.kickoff else 18)
        if day > run_on or (rank == BEHIND and passed and month == passed[-1]):
            continue
        people: object = 12 + row % 7
        if rank == WITH_PROBLEMS and activity != settings.plan.kickoff:
            people = "十数名"  # not a count: a problem at its cell, the session still counted
        _session(sheet, row, day, activity, people)
        row += 1
    results = workbook[support.KPI_SHEET]
    top = _label_row(results, support.MEASURED_ON)
    last = max((m for m in months if _last_day(m) < run_on), default=months[0])
    reached = {1: ("22人", "64人"), KPI_OVERDUE: ("8人", "41人")}.get(rank, ("14人", "41人"))
    for offset, values in enumerate(((last.replace(day=25), "新たな担い手の数", reached[0], "登録者数"),
                                     (last.replace(day=25), "ワークショップの参加者", reached[1],
                                      "延べ人数")), start=1):
        for col, value in enumerate(values, start=1):
            results.cell(top + offset, col).value = value
    save_openpyxl(workbook, target)


def _session(sheet: Worksheet, row: int, day: dt.date, activity: str, people: object) -> None:
    values = (day, activity, _FORMATS[row % len(_FORMATS)], people,
              "地区の担当者、関係機関", f"{activity}：現状の共有と次の手順の確認",
              "次回までに関係者への声かけを進める", _ADVISERS[row % 2])
    for col, value in enumerate(values, start=1):
        sheet.cell(row, col).value = value
