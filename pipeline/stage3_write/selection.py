"""Write 選定結果.xlsx: 概要, 選定順位, 不適格, 入力エラー, 受付一覧 (the output contract in docs/DOMAIN.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline.core import domain, postal
from pipeline.core.formspec import FIELDS
from pipeline.core.manifest import KeptFile
from pipeline.core.points import DISPLAY_RULE, shown_number, shown_text
from pipeline.core.result import RoundResult
from pipeline.core.settings_rows import overview_rows
from pipeline.stage2_decide.eligibility import OUTSIDE_TOKYO_RULES
from pipeline.stage3_write.committee import write_committee
from pipeline.stage3_write.xlsx import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    DECISION_COLOURS,
    FONT,
    cell_value,
    fmt,
    new_workbook,
    print_setup,
    row_height,
    text_width,
    words_wrapped_lines,
    write_column,
    write_text,
)
from schemas.selection import DECISIONS, points_column

OUTSIDE_TOKYO = "都外"  # 概要's 地域: refused as outside Tokyo, or a 区市町村 not one of the 62
UNKNOWN_AREA = "不明"  # 概要's 地域: no 区市町村 could be read
_MAX_WIDTH = 32  # wider text wraps: the sheet stays readable on screen and on A4
# a sheet printed across pages: its long texts wrap wider, so its rows (and pages) are fewer
_MAX_WIDTH_ACROSS = 50
RANKING_KEYS = 5  # 順位 判定 暫定 区市町村 団体名: repeated on every printed page
PLAN_COLUMN = "計画書"  # holds our own relative paths: the one column written as links
# A link is one line in LibreOffice, whatever the cell's wrapping: its column fits the longest
# name shown (a plan's name is at most about this wide: outputs.part_room).
_MAX_LINK_WIDTH = 100
CODE_COLUMN = "コード"  # the problem's stable code, for tools: hidden from staff


def write_selection(path: Path, result: RoundResult) -> None:
    workbook = new_workbook(path, "選定結果")
    _summary(workbook, result)
    write_committee(workbook, result)
    # the wide working sheets print at 100 % across pages, their key columns on every page
    _table(workbook, "選定順位", _ranking_frame(result), decision_column="判定",
           key_columns=RANKING_KEYS)
    _table(workbook, "不適格", result.ineligible.rename(
        columns={"file": "ファイル名", "org_name": "団体名", "reason": "理由"})[
        ["ファイル名", "団体名", "理由"]])
    _table(workbook, "入力エラー", result.problems.rename(columns={
        "file": "ファイル名", "sheet": "シート", "cell": "セル", "label": "項目",
        "value": "入力値", "message": "エラー内容", "code": CODE_COLUMN})[
        ["ファイル名", "シート", "セル", "項目", "入力値", "エラー内容", CODE_COLUMN]],
        hidden=(CODE_COLUMN,))
    ledger = result.ledger.assign(reason=result.ledger["reason"].str.cat(
        result.ledger["staff_note"], sep=" ").str.rstrip())
    _table(workbook, "受付一覧", _naive(ledger).rename(columns={
        "file": "ファイル名", "sha256": "SHA-256", "received_at": "受付日時",
        "received_basis": "受付日の根拠", "org_name": "団体名", "decision": "判定",
        "reason": "理由"})[["ファイル名", "受付日時", "受付日の根拠", "団体名", "判定", "理由",
                          "SHA-256"]], decision_column="判定", key_columns=1,
        unprinted=("SHA-256",))  # 64 characters to check a file by, on screen only
    details, by_reviewer = _review_breakdown(result)
    _table(workbook, "審査内訳", details, key_columns=2)
    _table(workbook, "審査員別", by_reviewer)
    _table(workbook, "前回からの変更", result.changes.rename(columns={
        "change": "変更", "file": "ファイル名", "org_name": "団体名", "before": "前回",
        "after": "今回"}) if len(result.changes) else pd.DataFrame(
        {"変更": [result.changes_summary]}))
    workbook.close()


def _review_breakdown(result: RoundResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every score each reviewer gave, with conflicts and comments and the sheet it came from;
    and per reviewer how many applications they rated and the mean they gave."""
    criteria = [(c.key, c.label) for c in result.settings.review]
    details = result.review_details
    names = result.records["org_name"].to_dict() if len(result.records) else {}
    table = pd.DataFrame({
        "審査員": details["reviewer"], "ファイル名": details["file"],
        "団体名": details["file"].map(names).fillna(""),
        **{label: details[key].astype("Float64") for key, label in criteria},
        "利害関係あり": details["conflict"], "コメント": details["comment"],
        "審査票": details["sheet"]})
    # by application, in rank order: one application's scores together on the page
    ranks = {file: n for n, file in enumerate(result.ranked["file"].tolist())}
    table = table.assign(order=table["ファイル名"].map(ranks).fillna(len(ranks))).sort_values(
        ["order", "ファイル名", "審査員"], kind="stable").drop(columns="order").reset_index(drop=True)
    scored = details.dropna(subset=[key for key, _ in criteria], how="all")
    per_reviewer = pd.DataFrame({"審査員": sorted(set(details["reviewer"]))})
    per_reviewer["採点した申請"] = per_reviewer["審査員"].map(
        scored.groupby("reviewer").size()).fillna(0).astype(int)
    per_reviewer["利害関係あり"] = per_reviewer["審査員"].map(
        details[details["conflict"] != ""].groupby("reviewer").size()).fillna(0).astype(int)
    given = scored.melt(id_vars="reviewer", value_vars=[key for key, _ in criteria]).dropna()
    sums = given.groupby("reviewer")["value"].agg(["sum", "count"])
    means = {reviewer: shown_number(Fraction(int(total), int(count))) for reviewer, total, count
             in zip(sums.index, sums["sum"].tolist(), sums["count"].tolist(), strict=True)}
    per_reviewer["付けた点の平均"] = per_reviewer["審査員"].map(means).astype(float)
    return table, per_reviewer


LIST_SHEET = "申請一覧"
LIST_NOT_PRINTED = ("申請一覧（印刷用ではありません。差し込み印刷・他のシステム用のデータです。印刷には"
                    "選定結果.xlsx の「選定会議資料」「選定順位」「受付一覧」を使ってください）")


def write_application_list(path: Path, result: RoundResult) -> None:
    """申請一覧.xlsx: a workbook of its own (for mail merge; written beside 選定結果.xlsx, in
    parallel with it on a large round)."""
    workbook = new_workbook(path, LIST_SHEET)
    # data to copy from, not to print: one line a row (fitting 10,000 rows' heights would double
    # the time it takes); printed, it gives its headings and says where the printable papers are
    _table(workbook, LIST_SHEET, application_list(result), decision_column="判定",
           fit_rows=False, page_header=LIST_NOT_PRINTED)
    workbook.close()


def application_list(result: RoundResult) -> pd.DataFrame:
    """Every readable application's every field as read, with its 判定: for mail merge and for
    other systems (``bansou export`` writes it as CSV)."""
    records = result.records
    decisions = result.ledger.set_index("file")["decision"]
    columns: dict[str, object] = {"ファイル名": records["file"],
                                  "判定": records["file"].map(decisions)}
    for spec in FIELDS:
        values = records[spec.key]
        if spec.is_checklist:
            values = values.map(lambda chosen: "、".join(chosen) if chosen else "")
        elif spec.kind in ("date", "year_month"):
            values = pd.to_datetime(values)
        columns[spec.label] = values
    listed = pd.DataFrame(columns, index=records.index).reset_index(drop=True)
    return listed.join(_decided(result), on="ファイル名")


def _decided(result: RoundResult) -> pd.DataFrame:
    """Per file (the index): 順位, 合計点 and each criterion's points (ranked files), 理由 and
    受付日時 (every file), for mail merge beside the form's fields."""
    ranked, ledger = result.ranked, _naive(result.ledger)
    points = {"順位": ranked["rank"], "合計点": _shown(ranked["total"]),
              **{label: _shown(ranked[points_column(key)]) for key, label in result.settings.criteria}}
    by_file = pd.DataFrame(points).set_axis(ranked["file"].tolist()) if len(ranked) else \
        pd.DataFrame(columns=list(points), dtype=float)
    decided = by_file.reindex(ledger["file"].tolist()).astype({"順位": "Int64"})
    decided["理由"] = ledger["reason"].tolist()
    decided["受付日時"] = ledger["received_at"].tolist()
    return decided


def _naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: show Japan time as it is."""
    return frame.assign(received_at=frame["received_at"].dt.tz_localize(None))


def _ranking_frame(result: RoundResult) -> pd.DataFrame:
    ranked = _naive(result.ranked) if len(result.ranked) else result.ranked
    settings = result.settings
    columns: dict[str, object] = {
        "順位": ranked["rank"],
        "判定": ranked["decision"],
        "暫定": "暫定" if result.provisional else "",
        "区市町村": ranked["municipality"],
        "団体名": ranked["org_name"],
        "団体種別": ranked["org_type"],
        "地域": ranked["area"],
        "合計点": _shown(ranked["total"]),
    }
    for key, label in settings.criteria:
        columns[label] = _shown(ranked[points_column(key)])
    columns.update({
        "審査員数": ranked["reviewer_count"],
        "審査平均": _shown(ranked["reviewer_mean"]),
        "審査の相違": ranked["disagreement"],
        "受付日時": ranked["received_at"],
        "理由": ranked["reason"],
        "ファイル名": ranked["file"],
    })
    frame = pd.DataFrame(columns, index=ranked.index)
    if result.plan_files:
        frame[PLAN_COLUMN] = [result.plan_files.get(f, "") for f in ranked["file"]]
    return frame


def _shown(exact: pd.Series) -> pd.Series:
    """Exact points as displayed (:mod:`pipeline.core.points`); empty where not scored."""
    return pd.Series([shown_number(v) for v in exact.tolist()], index=exact.index, dtype=float)


def _table(workbook: Workbook, name: str, frame: pd.DataFrame, *,
           decision_column: str | None = None, hidden: Sequence[str] = (),
           key_columns: int = 0, unprinted: Sequence[str] = (), fit_rows: bool = True,
           page_header: str = "") -> None:
    """A sheet made for Excel users: frozen header, filters, fitted widths, A4 landscape.
    With ``key_columns``, printed at 100 % across as many pages as its columns need, the first
    ``key_columns`` repeated on each; ``unprinted``: last columns left off the printed page.
    Without ``fit_rows`` (a sheet not for printing: ``page_header`` says so), one line a row and only
    the headings are printed."""
    sheet = workbook.add_worksheet(name)
    header = fmt(workbook, bold=True, bg_color="#1F4E79", font_color="#FFFFFF", border=1,
                 text_wrap=True, valign="vcenter")
    body = fmt(workbook, border=1, text_wrap=True)
    when = fmt(workbook, border=1, num_format=DATETIME_FORMAT)
    day = fmt(workbook, border=1, num_format=DATE_FORMAT)
    number = fmt(workbook, border=1)  # General: 84 and 86.67 as they are (no "84.")
    link = fmt(workbook, border=1, font_color="#0563C1", underline=1, text_wrap=True)
    lines = [1] * len(frame)  # each row as tall as its most wrapped cell
    for col, title in enumerate(frame.columns):
        sheet.write_string(0, col, str(title), header)
        series = frame[title]
        is_time = pd.api.types.is_datetime64_any_dtype(series)
        is_number = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        values = _plain_times(series) if is_time else series.tolist()  # plain values loop quickly
        shown = [Path(str(v)).name for v in values] if title == PLAN_COLUMN else values
        widest = max([text_width(str(title)), *(text_width(str(v)) for v in shown[:500])])
        if title == PLAN_COLUMN:
            widest_allowed = _MAX_LINK_WIDTH
        elif key_columns and col >= key_columns:
            widest_allowed = _MAX_WIDTH_ACROSS
        else:
            widest_allowed = _MAX_WIDTH
        width = widest + 2 if title in unprinted else min(max(widest + 2, 6), widest_allowed)
        sheet.set_column(col, col, width, None, {"hidden": title in hidden})
        if fit_rows and widest + 2 > widest_allowed and title not in (*hidden, *unprinted, PLAN_COLUMN):
            for index, value in enumerate(values):
                if isinstance(value, str) and text_width(value) > width - 2:
                    lines[index] = max(lines[index], words_wrapped_lines(value, width - 2))
        if title != PLAN_COLUMN and not is_time:  # strings stay strings
            write_column(sheet, 1, col, values, number if is_number else body)
            continue
        for row, value in enumerate(values, start=1):
            if cell_value(value) in (None, ""):
                sheet.write_blank(row, col, None, when if is_time else body)
            elif title == PLAN_COLUMN:
                # Our own file name, never applicant text: a link is safe here.
                sheet.write_url(row, col, f"external:{value}", link, string=shown[row - 1])
            else:  # a date typed without a time is shown as a date
                sheet.write_datetime(row, col, value, day if value.time() == dt.time() else when)
    for index, count in enumerate(lines, start=1):
        if count > 1:  # not every office suite fits row heights to wrapped text
            sheet.set_row(index, row_height(min(count, 20)))
    last_row, last_col = max(len(frame), 1), max(len(frame.columns) - 1, 0)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last_row, last_col)
    sheet.set_row(0, 30)
    if decision_column is not None and len(frame):
        col = list(frame.columns).index(decision_column)
        for decision, colour in DECISION_COLOURS.items():
            sheet.conditional_format(1, col, last_row, col, {
                "type": "cell", "criteria": "==", "value": f'"{decision}"',
                "format": workbook.add_format({"bg_color": colour})})
    print_setup(sheet, landscape=True, header=page_header or f"選定結果 {name}",
                across=bool(key_columns))
    sheet.repeat_rows(0)
    if key_columns:
        sheet.repeat_columns(0, key_columns - 1)
    if not fit_rows:
        sheet.print_area(0, 0, 0, last_col)
    elif unprinted:
        sheet.print_area(0, 0, last_row, last_col - len(unprinted))


def _plain_times(series: pd.Series) -> list[dt.datetime | None]:
    """A time column as datetime.datetime values, None where missing (ten times quicker than
    going through a pandas Timestamp for each)."""
    if series.dt.tz is not None:
        series = series.dt.tz_localize(None)
    times: list[dt.datetime | None] = series.to_numpy(dtype="datetime64[us]").tolist()
    return times


def _count_rows(labels: Sequence[str], counts: pd.Series) -> list[tuple[str, int]]:
    return [(label, int(counts.get(label, 0))) for label in labels]


def _summary(workbook: Workbook, result: RoundResult) -> None:
    sheet = workbook.add_worksheet("概要")
    title = fmt(workbook, bold=True, font_size=14)
    heading = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1)
    cell = fmt(workbook, border=1, text_wrap=True)
    warn_cell = fmt(workbook, bold=True, font_color="#C00000", border=1, text_wrap=True)
    # the four columns fit A4 landscape at 100 % (so 概要 prints at 10 pt)
    sheet.set_column("A:A", _SUMMARY_WIDTHS[0])
    sheet.set_column("B:B", _SUMMARY_WIDTHS[1])
    sheet.set_column("C:D", _SUMMARY_WIDTHS[2])

    def put(row: int, label: object, value: object, label_cell: Format, value_cell: Format) -> None:
        """A label and its value, the row as tall as the wrapped value."""
        write_text(sheet, row, 0, label, label_cell)
        write_text(sheet, row, 1, value, value_cell)
        lines = max(words_wrapped_lines(str(label), _SUMMARY_WIDTHS[0] - 2),
                    words_wrapped_lines(str(value), _SUMMARY_WIDTHS[1] - 2))
        if lines > 1:
            sheet.set_row(row, row_height(lines))

    sheet.write_string(0, 0, f"{result.settings.name} 選定結果", title)
    status = (f"暫定（理由{len(result.provisional_reasons)}件：下の各行の対応が済むと確定します。"
              "暫定の間、選定・選外の通知は「通知（暫定）」フォルダの下書きです）"
              if result.provisional else "確定（審査がそろい、判定を保留する理由はありません）")
    rows: list[tuple[str, str]] = [
        ("実行日時", result.run_at.strftime("%Y年%m月%d日 %H:%M")),
        ("順位", status),
        *((f"暫定の理由 {n}", reason) for n, reason in enumerate(result.provisional_reasons, 1)),
        *((f"設定の注意 {n}", warning) for n, warning in enumerate(result.settings.warnings, 1)),
        ("読み込んだ審査票", f"{result.review_sheets}件"),
        ("前回からの変更", f"{result.changes_summary}（「前回からの変更」シート）"),
    ]
    row = 2
    for label, value in rows:
        flagged = ((result.provisional and label.startswith(("順位", "暫定")))
                   or label.startswith("設定の注意"))
        put(row, label, value, heading, warn_cell if flagged else cell)
        row += 1
    selected = result.ranked[result.ranked["decision"] == "選定"]
    row += 1
    sheet.write_string(row, 0, f"選定（{len(selected)}件{'・暫定' if result.provisional else ''}）",
                       heading)
    sheet.write_string(row, 1, "区市町村・団体名（合計点）", heading)
    for entry in selected.itertuples(index=False):
        row += 1
        put(row, f"{entry.rank}位", f"{entry.municipality}　{entry.org_name}（{shown_text(entry.total)}点）",
            cell, cell)
    row += 1

    ledger, records = result.ledger, result.records
    decided = ledger.set_index("file")["decision"]
    row += 1
    decision_top = row
    row = _count_table(sheet, row, "判定", _count_rows(DECISIONS, ledger["decision"].value_counts()),
                       heading, cell)
    known = records.assign(decision=records["file"].map(decided))
    types = [(label, int((known["org_type"] == label).sum()),
              int(((known["org_type"] == label) & (known["decision"] == "選定")).sum()))
             for label in domain.ORG_TYPES.values()]
    row = _count_table(sheet, row + 1, "団体種別（読み込めた申請）", types, heading, cell)
    area = _areas(result)
    areas = [(label, int((area == label).sum()),
              int(((area == label) & (known["decision"] == "選定")).sum()))
             for label in (*domain.AREAS, OUTSIDE_TOKYO, UNKNOWN_AREA)]
    area_top = row + 1
    row = _count_table(sheet, area_top, "地域（読み込めた申請）", areas, heading, cell)

    charts = [(decision_top, len(DECISIONS), "判定ごとの件数"), (area_top, len(areas), "地域ごとの件数")]

    row += 1
    sheet.write_string(row, 0, "募集回の設定（round.toml）", heading)
    row += 1
    for label, value in [*overview_rows(result.settings), ("点数の表示", DISPLAY_RULE),
                         ("郵便番号データ", postal.data_version())]:
        put(row, label, value, cell, cell)
        row += 1
    row += 1
    sheet.write_string(row, 0, "判定の対象外としたもの", heading)
    sheet.write_string(row, 1, "理由", heading)
    row += 1
    for name, why in result.ignored or (("（なし）", ""),):
        put(row, name, why, cell, cell)
        row += 1
    if result.staff_files:
        row += 1
        sheet.write_string(row, 0, "outbox で事務局が追加・変更したファイル（そのまま残しました）",
                           heading)
        sheet.write_string(row, 1, "今回の出力", heading)
        row += 1
        for kept in result.staff_files:
            put(row, kept.path, _kept_note(kept, result), cell, cell)
            row += 1
    for notes, title in ((result.location_notes, "郵便番号・所在地・区市町村の食い違い（判定はしました。"
                                                 "申請者に確かめてください）"),
                         (result.type_disputes, "団体種別と団体名の法人格の食い違い（順位は暫定です。"
                                                "事務局判断を記入してください）")):
        if not notes:
            continue
        row += 1
        sheet.merge_range(row, 0, row, 3, title, heading)  # across the notes' width, not cut
        row += 1
        for note in notes:
            _note_row(sheet, row, note.text, cell)
            row += 1
    row += 1
    sheet.merge_range(row, 0, row, 3, "受付簿・審査票についての注意", heading)
    row += 1
    for text in [note.text for note in result.notes] or ["（なし）"]:
        _note_row(sheet, row, text, cell)
        row += 1
    # the charts below the tables, side by side, on a page of their own: nothing beside a
    # table widens the page, and no chart is cut across pages. They start a little below the
    # page's top edge: a frame drawn on the edge prints at the foot of the page before too.
    sheet.set_h_pagebreaks([row + 1])
    width, gap = 360, 20  # pixels: two charts and the gap between them fit the page's width
    for n, (top, count, name) in enumerate(charts):
        chart = workbook.add_chart({"type": "column"})
        chart.add_series({"name": name, "categories": ["概要", top + 1, 0, top + count, 0],
                          "values": ["概要", top + 1, 1, top + count, 1],
                          "data_labels": {"value": True, "font": {"name": FONT}}})
        chart.set_title({"name": name, "name_font": {"name": FONT, "size": 11}})
        chart.set_x_axis({"num_font": {"name": FONT}})
        chart.set_y_axis({"num_font": {"name": FONT}})
        chart.set_legend({"none": True})
        chart.set_size({"width": width, "height": 230})
        sheet.insert_chart(row + 1, 0, chart, {"x_offset": n * (width + gap), "y_offset": 8})
    # the title on every page in the page header: a repeated title row prints over the first
    # rows of the next page in LibreOffice when our own page breaks precede it
    print_setup(sheet, landscape=True, header=f"{result.settings.name} 選定結果 概要")
    sheet.activate()


_SUMMARY_WIDTHS = (40, 52, 8)  # 概要's columns A, B and C–D


def _note_row(sheet: Worksheet, row: int, note: str, cell: Format) -> None:
    """A note across the four columns, the row as tall as its wrapped text."""
    sheet.merge_range(row, 0, row, 3, "", cell)
    write_text(sheet, row, 0, note, cell)
    width = _SUMMARY_WIDTHS[0] + _SUMMARY_WIDTHS[1] + 2 * _SUMMARY_WIDTHS[2]
    sheet.set_row(row, row_height(words_wrapped_lines(note, width - 2)))


def _kept_note(kept: KeptFile, result: RoundResult) -> str:
    """What this run wrote for a file staff kept: the output of its name, or for a plan, the
    plan of its district now (its rank may have changed, and with it the plan's name)."""
    if kept.application is None:
        return (f"同じ名前の今回の出力は「{kept.newest}」に書きました" if kept.newest
                else "このツールは今回、この名前のファイルを書いていません")
    file = kept.application
    decided = dict(zip(result.ledger["file"], zip(result.ledger["decision"],
                                                  result.ledger["org_name"], strict=True),
                       strict=True))
    if file not in decided:
        return f"この計画書の申請（{file}）は今回の受付にありません。計画書は書いていません"
    decision, org_name = decided[file]
    ranked = result.ranked[result.ranked["file"] == file]
    district = " ".join([*ranked["municipality"].astype(str), str(org_name or "")]).strip()
    if kept.newest:
        return (f"{district}の計画書です（今回 {ranked['rank'].iloc[0]}位）。"
                f"今回の計画書は「{kept.newest}」に書きました")
    return f"{district}の計画書です。今回は{decision}のため、計画書は書いていません"


def _areas(result: RoundResult) -> pd.Series:
    """Each readable form's 地域 for 概要: by its 区市町村, except that an application refused
    as outside Tokyo (its 郵便番号 and 所在地 say so) is 都外 whatever 区市町村 it names."""
    records, ineligible = result.records, result.ineligible
    outside = ineligible.loc[ineligible["rule"].isin(OUTSIDE_TOKYO_RULES), "file"]
    area = records["municipality"].map(domain.MUNICIPALITY_AREA)
    area = area.where(records["municipality"].isna() | area.notna(), OUTSIDE_TOKYO)
    return area.mask(records["file"].isin(outside), OUTSIDE_TOKYO).fillna(UNKNOWN_AREA)


def _count_table(sheet: Worksheet, row: int, title: str, rows: Sequence[tuple[object, ...]],
                 heading: Format, cell: Format) -> int:
    width = len(rows[0]) if rows else 2
    headers = [title, "件数", "うち選定"][:width]
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, heading)
    for values in rows:
        row += 1
        for col, value in enumerate(values):
            write_text(sheet, row, col, value, cell)
        lines = words_wrapped_lines(str(values[0]), _SUMMARY_WIDTHS[0] - 2)
        if lines > 1:
            sheet.set_row(row, row_height(lines))
    return row + 1
