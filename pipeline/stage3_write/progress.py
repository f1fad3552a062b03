"""進捗.xlsx: the support year of every selected district as of the run, printable for the
Tokyo side's monthly meeting (A4, every sheet one page wide at 100 %).

Sheets: 概要 (counts, settings, every file of inbox/支援/ and whether it counted), 一覧 (a row
per district), 要確認 (what is overdue), 指標 (each KPI's latest result against its target),
記入の不備 (problems in the returned files, at their cells), and a sheet per district with its
timeline (planned vs held by month, a Gantt) and its sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline.core import domain
from pipeline.core.support import SupportResult
from pipeline.core.wording import japanese_date
from pipeline.stage3_write.xlsx import fitted_height, fmt, new_workbook, print_setup, write_text

Column = tuple[str, float]  # heading, width
# A landscape A4 page holds columns of 112 units at 100 % as LibreOffice sets them (a portrait
# one 78): each sheet's widths stay within, so that 10 pt prints at 10 pt.


class Styles:
    """The formats every support-year sheet shares."""

    def __init__(self, workbook: Workbook) -> None:
        self.title = fmt(workbook, bold=True, font_size=14, text_wrap=True)
        self.head = fmt(workbook, bold=True, bg_color="#1F4E79", font_color="#FFFFFF", border=1,
                        text_wrap=True, valign="vcenter")
        self.body = fmt(workbook, border=1, text_wrap=True)
        self.label = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
        self.note = fmt(workbook, font_color="#595959", text_wrap=True)
        self.done = fmt(workbook, border=1, align="center", bg_color="#C6EFCE")
        self.late = fmt(workbook, border=1, align="center", bg_color="#FFC7CE", bold=True)
        self.ahead = fmt(workbook, border=1, align="center", bg_color="#DDEBF7")
        self.extra = fmt(workbook, border=1, align="center", bg_color="#EDEDED")
        self.empty = fmt(workbook, border=1)


def table(sheet: Worksheet, top: int, columns: Sequence[Column], rows: Sequence[Sequence[object]],
          styles: Styles, spans: Sequence[int] | None = None) -> int:
    """A heading row and its rows from ``top``, each row as tall as its most wrapped cell;
    ``spans``: how many of the sheet's columns each column takes (merged; ``columns`` then
    gives their widths added up). Returns the row after the table."""
    spans = spans or [1] * len(columns)
    starts = [sum(spans[:i]) for i in range(len(spans))]
    last = starts[-1] + spans[-1] - 1

    def put(row: int, col: int, value: object, style: Format) -> None:
        first, span = starts[col], spans[col]
        if span > 1:
            sheet.merge_range(row, first, row, first + span - 1, "", style)
        write_text(sheet, row, first, value, style)

    for col, (heading, _) in enumerate(columns):
        put(top, col, heading, styles.head)
    sheet.set_row(top, fitted_height([(h, w) for h, w in columns]))
    for offset, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            put(top + offset, col, value, styles.body)
        # file names (支援/支援記録_北区.xlsx 8行) break only at some characters: room is left
        sheet.set_row(top + offset, fitted_height(
            [(str(v), columns[c][1] * _BREAKS) for c, v in enumerate(values) if v is not None]
            or [("", 1)]))
    if not rows:
        sheet.merge_range(top + 1, 0, top + 1, last, "（なし）", styles.body)
        return top + 2
    return top + 1 + len(rows)


_TITLE_PT = 14
_BREAKS = 0.75  # of a column's width a wrapped line of mixed text is counted to fill


def label_rows(sheet: Worksheet, top: int, rows: Sequence[tuple[str, object]], styles: Styles,
               widths: tuple[float, float], last_col: int) -> int:
    """A label in column A and its value across B to ``last_col``, each row as tall as its
    text (``widths``: the label's and the value's); returns the row after them."""
    for row, (text, value) in enumerate(rows, start=top):
        sheet.write_string(row, 0, text, styles.label)
        sheet.merge_range(row, 1, row, last_col, "", styles.body)
        write_text(sheet, row, 1, value, styles.body)
        sheet.set_row(row, fitted_height([(text, widths[0]), (str(value), widths[1])]))
    return top + len(rows)


def title_row(sheet: Worksheet, row: int, text: str, styles: Styles,
              widths: Sequence[float]) -> None:
    """A 14 pt title across the printed columns, as tall as its wrapped lines."""
    if len(widths) > 1:
        sheet.merge_range(row, 0, row, len(widths) - 1, "", styles.title)
    write_text(sheet, row, 0, text, styles.title)
    # characters at 14 pt are wider than the 10 pt the widths are counted in
    sheet.set_row(row, fitted_height([(text, sum(widths) * 10 / _TITLE_PT)], _TITLE_PT))


def list_sheet(workbook: Workbook, name: str, columns: Sequence[Column],
               rows: Sequence[Sequence[object]], styles: Styles, header: str) -> tuple[Worksheet, int]:
    """A sheet that is one table: its columns' widths, the table, A4 landscape with the
    headings on every page; returns the sheet and the row after the table."""
    sheet = workbook.add_worksheet(name)
    set_widths(sheet, [w for _, w in columns])
    end = table(sheet, 0, columns, rows, styles)
    print_setup(sheet, landscape=True, header=header)
    sheet.repeat_rows(0)
    return sheet, end


def set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)


def district_name(row: pd.Series) -> str:
    municipality, org = str(row["municipality"]), str(row["org_name"])
    return org if org.startswith(municipality) else f"{municipality} {org}"


def district_sheet_name(row: pd.Series) -> str:
    """``03 八王子市``: unique by rank, within Excel's 31 characters and allowed characters."""
    return f"{int(row['rank']):02d} {row['municipality']}"[:31]


def month_text(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:])}月"


def write_progress(path: Path, result: SupportResult, round_name: str,
                   settings_rows: Sequence[tuple[str, str]], provisional: bool) -> None:
    workbook = new_workbook(path, f"進捗 {round_name}")
    styles = Styles(workbook)
    mark = "【選定は暫定】" if provisional else ""
    header = f"{mark}{domain.PROGRAM_NAME}　進捗（{japanese_date(result.run_on)}現在）"
    names = {str(r["file"]): district_name(r) for _, r in result.districts.iterrows()}
    _summary(workbook, styles, result, round_name, settings_rows, header, mark)
    _districts(workbook, styles, result, header)
    _attention(workbook, styles, result, names, header)
    _kpis(workbook, styles, result, names, header)
    _problems(workbook, styles, result, header)
    _sessions(workbook, styles, result, names, header)
    for _, district in result.districts.iterrows():
        _timeline(workbook, styles, result, district, header)
    workbook.close()


_SUMMARY_WIDTHS = (24, 12, 18, 9, 40, 7)


def _summary(workbook: Workbook, styles: Styles, result: SupportResult, round_name: str,
             settings_rows: Sequence[tuple[str, str]], header: str, mark: str) -> None:
    sheet = workbook.add_worksheet("概要")
    set_widths(sheet, _SUMMARY_WIDTHS)
    # the page header carries the title to every page
    title_row(sheet, 0, f"{mark}進捗（{japanese_date(result.run_on)}現在）", styles, _SUMMARY_WIDTHS)
    counts = [
        ("募集回", round_name),
        ("支援中の地区", f"{len(result.districts)}地区"),
        ("実施した支援", f"{len(result.sessions)}回（参加者 {int(result.districts['participants'].sum())}人）"),
        ("要確認", f"{result.attention}件（遅れ {len(result.overdue)}件・記入の不備 "
                  f"{len(result.problems)}件）"),
        ("地区が分からない・数えていないファイル", f"{len(result.unmatched)}件（下の一覧の「状態」）"),
        ("遅れの基準日", f"{japanese_date(result.run_on)}（この日より前に終わった月・期日）"),
        *settings_rows,
    ]
    row = label_rows(sheet, 2, counts, styles, (_SUMMARY_WIDTHS[0], sum(_SUMMARY_WIDTHS[1:])),
                     len(_SUMMARY_WIDTHS) - 1) + 1
    title_row(sheet, row, "inbox/支援/ のファイル（すべて）", styles, _SUMMARY_WIDTHS)
    rows = [(f["file"], f["kind"], names_of(result, f["district"]), f["state"], f["note"], f["rows"])
            for _, f in result.files.iterrows()]
    table(sheet, row + 1, list(zip(("ファイル名", "種類", "地区", "状態", "内容", "行数"),
                                   _SUMMARY_WIDTHS, strict=True)), rows, styles)
    print_setup(sheet, landscape=True, header=header)


def names_of(result: SupportResult, file: object) -> str:
    found = result.districts[result.districts["file"] == file]
    return district_name(found.iloc[0]) if len(found) else ""


_LIST_COLUMNS: tuple[Column, ...] = (
    ("順位", 5), ("地区", 19), ("段階", 9), ("キックオフ", 10), ("予定（今日まで）", 6),
    ("実施", 5), ("予定（全体）", 6), ("参加者", 6), ("メニュー別 実施/予定（今日まで）", 25),
    ("指標 達成/全体", 6), ("遅れ", 5), ("予定の出典", 9))


def _districts(workbook: Workbook, styles: Styles, result: SupportResult, header: str) -> None:
    rows = [(int(d["rank"]), district_name(d), d["phase"], d["kickoff_date"] or "－",
             int(d["planned_to_date"]), int(d["held"]), int(d["planned_total"]),
             int(d["participants"]), _by_menu(result, str(d["file"])),
             f"{int(d['kpis_met'])}/{int(d['kpis'])}", int(d["overdue"]), d["plan_source"])
            for _, d in result.districts.iterrows()]
    sheet, end = list_sheet(workbook, "一覧", _LIST_COLUMNS, rows, styles, header)
    sheet.merge_range(end + 1, 0, end + 1, len(_LIST_COLUMNS) - 1,
                      "予定の出典：「計画書」は inbox/支援/ に戻った計画書（キックオフで合意した予定）、"
                      "「当初の計画」は計画書がまだ戻っていないため申請内容から作った予定です。",
                      styles.note)
    sheet.set_row(end + 1, 30)
    sheet.freeze_panes(1, 0)


def _by_menu(result: SupportResult, file: str) -> str:
    """「ワークショップ運営支援 1/2」 per activity, planned up to the run's month."""
    month = f"{result.run_on:%Y-%m}"
    planned = result.planned[(result.planned["file"] == file) & (result.planned["month"] <= month)]
    held = result.sessions[result.sessions["file"] == file]
    activities = list(dict.fromkeys([*planned["activity"], *held["menu"]]))
    return "\n".join(f"{a} {int((held['menu'] == a).sum())}/"
                     f"{int(planned.loc[planned['activity'] == a, 'sessions'].sum())}"
                     for a in activities)


_ATTENTION_COLUMNS: tuple[Column, ...] = (("地区", 24), ("種類", 10), ("時期・期日", 11),
                                          ("内容", 66))


def _attention(workbook: Workbook, styles: Styles, result: SupportResult, names: dict[str, str],
               header: str) -> None:
    rows = [(names[o["file"]], o["kind"], o["when"], o["what"]) for _, o in result.overdue.iterrows()]
    list_sheet(workbook, "要確認", _ATTENTION_COLUMNS, rows, styles, header)


_KPI_COLUMNS: tuple[Column, ...] = (
    ("地区", 15), ("指標", 18), ("目標値", 8), ("期日", 11), ("担当", 7), ("最新の実績", 8),
    ("測定日", 11), ("状態", 7), ("期日超過", 6), ("出典（支援記録の行）", 20))


def kpi_rows(kpis: pd.DataFrame, names: dict[str, str]) -> list[tuple[object, ...]]:
    return [(names[k["file"]], k["name"], k["target"], k["due"], k["owner"], k["latest"] or "－",
             k["measured_on"], k["status"], "超過" if k["overdue"] else "", k["source"])
            for _, k in kpis.iterrows()]


def _kpis(workbook: Workbook, styles: Styles, result: SupportResult, names: dict[str, str],
          header: str) -> None:
    list_sheet(workbook, "指標", _KPI_COLUMNS, kpi_rows(result.kpis, names), styles, header)


_PROBLEM_COLUMNS: tuple[Column, ...] = (("ファイル名", 22), ("シート", 8), ("セル", 6),
                                        ("項目", 12), ("入力値", 14), ("内容", 48))


def _problems(workbook: Workbook, styles: Styles, result: SupportResult, header: str) -> None:
    rows = [(p["file"], p["sheet"], p["cell"], p["label"], p["value"], p["message"])
            for _, p in result.problems.iterrows()]
    list_sheet(workbook, "記入の不備", _PROBLEM_COLUMNS, rows, styles, header)


_SESSION_COLUMNS: tuple[Column, ...] = (
    ("地区", 12), ("日付", 10), ("支援メニュー", 13), ("形式", 5), ("人数", 4), ("参加者", 9),
    ("実施内容", 16), ("次のステップ", 12), ("アドバイザー", 8), ("出典（支援記録の行）", 11))


def session_rows(sessions: pd.DataFrame, names: dict[str, str]) -> list[tuple[object, ...]]:
    return [(names[s["file"]], s["date"], s["menu"], s["format"], _count(s["participants"]),
             s["who"], s["done"], s["next_steps"], s["adviser"],
             f"{s['log_file']} {s['row']}行")
            for _, s in sessions.iterrows()]


def _sessions(workbook: Workbook, styles: Styles, result: SupportResult, names: dict[str, str],
              header: str) -> None:
    sheet, end = list_sheet(workbook, "実施記録", _SESSION_COLUMNS,
                            session_rows(result.sessions, names), styles, header)
    sheet.print_area(0, 0, end - 1, len(_SESSION_COLUMNS) - 1)


_ACTIVITY_WIDTH = 24
_MONTH_WIDTH = 8


def _timeline(workbook: Workbook, styles: Styles, result: SupportResult, district: pd.Series,
              header: str) -> None:
    """The district's Gantt: a row per activity, a column per month, each cell 実施/予定."""
    file = str(district["file"])
    sheet = workbook.add_worksheet(district_sheet_name(district))
    planned = result.planned[result.planned["file"] == file]
    held = result.sessions[result.sessions["file"] == file]
    months = sorted({*planned["month"], *held["month"]})
    sheet.set_column(0, 0, _ACTIVITY_WIDTH)
    sheet.set_column(1, max(len(months), 1), _MONTH_WIDTH)
    widths = [_ACTIVITY_WIDTH] + [_MONTH_WIDTH] * max(len(months), 1)
    title = f"{district_name(district)}　段階：{district['phase']}"
    title_row(sheet, 0, title, styles, widths)
    legend = ("各月のセルは「実施回数/予定回数」。緑＝予定どおり、赤＝月が過ぎて予定に足りない、"
              "青＝これからの予定、灰＝予定のない月の実施。")
    sheet.merge_range(1, 0, 1, max(len(months), 1), legend, styles.note)
    sheet.set_row(1, fitted_height([(legend, _ACTIVITY_WIDTH + _MONTH_WIDTH * max(len(months), 1))]))
    sheet.write_string(3, 0, "活動", styles.head)
    for col, month in enumerate(months, start=1):
        sheet.write_string(3, col, month_text(month), styles.head)
    sheet.set_row(3, fitted_height([(month_text(m), _MONTH_WIDTH) for m in months] or [("", 1)]))
    activities = list(dict.fromkeys([*planned["activity"], *held["menu"]]))
    overdue = result.overdue[(result.overdue["file"] == file)
                             & (result.overdue["kind"] == "予定の月")]
    late_cells = set(zip(overdue["when"], overdue["subject"], strict=True))
    row = 4
    for activity in activities:
        sheet.write_string(row, 0, activity, styles.label)
        sheet.set_row(row, fitted_height([(activity, _ACTIVITY_WIDTH)]))
        for col, month in enumerate(months, start=1):
            expected = int(planned.loc[(planned["activity"] == activity)
                                       & (planned["month"] == month), "sessions"].sum())
            done = int(((held["menu"] == activity) & (held["month"] == month)).sum())
            style, text = _gantt_cell(expected, done, (month, activity) in late_cells, styles)
            sheet.write_string(row, col, text, style) if text else sheet.write_blank(
                row, col, None, style)
        row += 1
    print_setup(sheet, landscape=True, header=f"{header}　{title}")
    sheet.print_area(0, 0, max(row - 1, 3), max(len(months), 1))


def _count(value: object) -> int | None:
    """A participants count as written (NaN where the row left it blank)."""
    return None if not isinstance(value, int | float) or value != value else int(value)


def _gantt_cell(expected: int, done: int, late: bool, styles: Styles) -> tuple[Format, str]:
    if not expected and not done:
        return styles.empty, ""
    text = f"{done}/{expected}"
    if late:
        return styles.late, text
    if not expected:
        return styles.extra, text
    if done >= expected:
        return styles.done, text
    return styles.ahead, text
