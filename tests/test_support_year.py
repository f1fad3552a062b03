"""The support year: plans and logs that come back, 進捗.xlsx and 成果報告.xlsx, checked value
by value against the workbooks staff returned (read here with openpyxl, not by the tool)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core import domain, support
from pipeline.core.names import SUPPORT_DIR
from pipeline.core.result import RoundResult
from pipeline.core.settings import RoundSettings
from pipeline.demo import DemoRound, run_demo
from pipeline.demo_year import BEHIND, KPI_OVERDUE, PLAN_NOT_RETURNED, WITH_PROBLEMS
from pipeline.stage2_decide.progress import number_in
from tests.conftest import ROUND_TOML

pytestmark = pytest.mark.slow  # a whole demo year: `make quick` leaves these out


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory,
         settings: RoundSettings) -> tuple[DemoRound, RoundResult]:
    return run_demo(tmp_path_factory.mktemp("year") / "demo", settings, support_year=True)


def _rows(path: Path, sheet: str, header_first: str) -> list[dict[str, object]]:
    """The rows of a table whose heading row starts with ``header_first``, by heading."""
    book = openpyxl.load_workbook(path, data_only=True)[sheet]
    rows = [[c.value for c in r] for r in book.iter_rows()]
    top = next(i for i, r in enumerate(rows) if r[0] == header_first)
    table = []
    for row in rows[top + 1:]:
        if all(v is None for v in row):
            break  # the table's end
        table.append(dict(zip(rows[top], row, strict=True)))
    return table


def _tagged(folder: Path, prop: str) -> dict[str, Path]:
    """The returned workbooks of ``folder`` by the SHA-256 their tag names."""
    found = {}
    for path in sorted(folder.iterdir()):
        props = openpyxl.load_workbook(path).custom_doc_props
        if prop in props.names:
            found[props[prop].value] = path
    return found


def _sessions(path: Path, run_on: dt.date) -> list[tuple[int, dt.date, str, object]]:
    """(row, date, menu, participants) of every session typed in a returned log up to the run."""
    sheet = openpyxl.load_workbook(path)[support.LOG_SHEET]
    top = next(r[0].row for r in sheet.iter_rows() if r[0].value == "日付")
    return [(row[0].row, row[0].value.date(), row[1].value, row[3].value)
            for row in sheet.iter_rows(min_row=top + 1)
            if isinstance(row[0].value, dt.datetime) and row[0].value.date() <= run_on]


@dataclass(frozen=True)
class _District:
    """What a district's returned files say."""

    held: int
    menus: Counter[str]
    participants: int
    phase: str
    plan: Path | None
    log: Path


def _expected(year: tuple[DemoRound, RoundResult]) -> dict[int, _District]:
    """Per rank, what the returned files say: sessions, participants, phase, planned."""
    demo, result = year
    run_on = result.run_at.date()
    folder = demo.inbox / SUPPORT_DIR
    logs, plans = _tagged(folder, support.LOG_PROPERTY), _tagged(folder, support.PLAN_PROPERTY)
    selected = result.ranked[result.ranked["decision"] == "選定"]
    expected = {}
    for _, app in selected.iterrows():
        held = _sessions(logs[app["sha256"]], run_on)
        menus = {menu for _, _, menu, _ in held}
        phase = next((p for activity, p in (("成果報告・振り返り", "成果報告"),
                                             ("中間振り返り", "中間振り返り"),
                                             ("キックオフ・課題整理", "キックオフ")) if activity in menus),
                     "未着手")
        expected[int(app["rank"])] = _District(
            len(held), Counter(str(menu) for _, _, menu, _ in held),
            sum(p for *_, p in held if isinstance(p, int)), phase, plans.get(app["sha256"]),
            logs[app["sha256"]])
    return expected


def test_progress_lists_every_selected_district_as_its_returned_files_say(
        year: tuple[DemoRound, RoundResult]) -> None:
    demo, result = year
    rows = {row["順位"]: row for row in _rows(demo.outbox / "進捗.xlsx", "一覧", "順位")}
    expected = _expected(year)
    assert set(rows) == set(expected) and len(rows) == 5
    for rank, want in expected.items():
        row = rows[rank]
        assert row["実施"] == want.held, rank
        assert row["参加者"] == want.participants, rank
        assert row["段階"] == want.phase, rank
        shown = dict(line.rsplit(" ", 1) for line in str(row["メニュー別 実施/予定（今日まで）"]).splitlines())
        for menu, count in want.menus.items():
            assert int(shown[menu].split("/")[0]) == count, (rank, menu)
        assert row["予定の出典"] == ("当初の計画" if rank == PLAN_NOT_RETURNED else "計画書")
    # the plan's agreed schedule: every ● up to the run's month, read back from the plan itself
    plan = expected[1].plan
    assert isinstance(plan, Path)
    sheet = openpyxl.load_workbook(plan)[support.PLAN_SHEET]
    header = next(r for r in sheet.iter_rows() if r[0].value == "活動")
    months = {c.column: c.value for c in header[2:] if c.value}
    run_month = f"{result.run_at:%Y年}{result.run_at.month}月"
    ordered = list(months.values())
    due = set(ordered[: ordered.index(run_month) + 1]) if run_month in ordered else set(ordered)
    marked = sum(1 for r in sheet.iter_rows(min_row=header[0].row + 1, max_row=header[0].row + 12)
                 if r[0].value for c in r[2:] if c.value == "●" and months.get(c.column) in due)
    assert rows[1]["予定（今日まで）"] == marked


def test_attention_names_the_district_behind_and_the_overdue_kpi(
        year: tuple[DemoRound, RoundResult]) -> None:
    demo, result = year
    names = {int(str(r["順位"])): r["地区"] for r in _rows(demo.outbox / "進捗.xlsx", "一覧", "順位")}
    attention = _rows(demo.outbox / "進捗.xlsx", "要確認", "地区")
    behind = [r for r in attention if r["地区"] == names[BEHIND] and r["種類"] == "予定の月"]
    assert len(behind) == 1 and "実施0回" in str(behind[0]["内容"])
    kpi = [r for r in attention if r["地区"] == names[KPI_OVERDUE] and r["種類"] == "指標の期日"]
    assert [str(r["内容"])[:12] for r in kpi] == ["指標「新たな担い手の数」"]
    assert str(kpi[0]["時期・期日"]) < result.run_at.date().isoformat()
    assert not [r for r in attention if r["地区"] == names[1]]  # on schedule, KPIs met
    # 指標: the overdue KPI's latest result and where it came from, as the log says
    kpis = _rows(demo.outbox / "進捗.xlsx", "指標", "地区")
    overdue = next(r for r in kpis if r["地区"] == names[KPI_OVERDUE] and r["期日超過"] == "超過")
    log = _expected(year)[KPI_OVERDUE].log
    assert isinstance(log, Path)
    source = re.fullmatch(r"支援/(.+) 指標の実績 (\d+)行", str(overdue["出典（支援記録の行）"]))
    assert source and source.group(1) == log.name
    measured = openpyxl.load_workbook(log)[support.KPI_SHEET]
    assert measured.cell(int(source.group(2)), 3).value == overdue["最新の実績"]
    assert overdue["状態"] == "未達"
    met = [r for r in kpis if r["地区"] == names[1]]
    assert met and all(r["状態"] == "達成" for r in met)


def test_problems_are_named_at_their_cells_and_the_unselected_log_is_not_counted(
        year: tuple[DemoRound, RoundResult]) -> None:
    demo, _ = year
    problems = _rows(demo.outbox / "進捗.xlsx", "記入の不備", "ファイル名")
    found = {(r["ファイル名"], r["セル"]) for r in problems}
    folder = demo.inbox / SUPPORT_DIR
    planted = set()
    for path in folder.iterdir():
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value in ("年度末頃", "十数名"):
                        planted.add((f"支援/{path.name}", cell.coordinate))
    assert planted and planted <= found
    with_problems = _expected((demo, _))[WITH_PROBLEMS]
    assert any(r["項目"] == "目標値" and r["ファイル名"] == f"支援/{Path(str(with_problems.plan)).name}"
               for r in problems)
    files = {r["ファイル名"]: r for r in _rows(demo.outbox / "進捗.xlsx", "概要", "ファイル名")}
    assert set(files) == {f"支援/{p.name}" for p in folder.iterdir()}  # every file, once
    stray = [r for r in files.values() if r["状態"] != "読み込み"]
    assert [(r["種類"], r["行数"]) for r in stray] == [("支援記録", 1)]
    assert "選定されていない" in str(stray[0]["内容"])
    # none of inbox/支援/ is an application
    ledger = openpyxl.load_workbook(demo.outbox / "選定結果.xlsx")["受付一覧"]
    assert not [c.value for c in ledger["A"] if str(c.value).startswith("支援")]


def test_report_sums_trace_to_the_log_rows(year: tuple[DemoRound, RoundResult]) -> None:
    demo, _ = year
    report = demo.outbox / "成果報告.xlsx"
    expected = _expected(year)
    evidence = _rows(report, "根拠", "順位")
    assert len(evidence) == sum(w.held for w in expected.values())
    for row in evidence:  # each row is a row of a returned log
        name, number = str(row["出典（支援記録の行）"]).rsplit(" ", 1)
        log = openpyxl.load_workbook(demo.inbox / name)[support.LOG_SHEET]
        line = int(number.removesuffix("行"))
        assert log.cell(line, 1).value.date().isoformat() == row["日付"]
        assert log.cell(line, 2).value == row["支援メニュー"]
    summary = openpyxl.load_workbook(report, data_only=True)["概要"]
    values = {r[0].value: r[1].value for r in summary.iter_rows() if r[0].value}
    assert values["支援の回数"] == len(evidence)
    assert values["参加者（延べ人数）"] == sum(w.participants for w in expected.values())
    by_menu = Counter(str(r["支援メニュー"]) for r in evidence)
    totals: Counter[str] = sum((w.menus for w in expected.values()), Counter())
    assert by_menu == totals
    for menu, count in totals.items():
        assert values[menu] == count, menu
    formulas = openpyxl.load_workbook(report)["概要"]
    counted = next(r for r in formulas.iter_rows() if r[0].value == "支援の回数")[1].value
    assert str(counted).startswith("=COUNTA('根拠'!")  # traceable: the sum reads 根拠
    kpis = _rows(demo.outbox / "進捗.xlsx", "指標", "地区")
    met = sum(1 for k in kpis if (goal := number_in(str(k["目標値"] or ""))) is not None
              and (got := number_in(str(k["最新の実績"]))) is not None and got >= goal)
    assert values["成果指標のうち達成"] == met


def test_reruns_are_byte_identical_and_staff_edits_survive(
        year: tuple[DemoRound, RoundResult], settings: RoundSettings, tmp_path: Path) -> None:
    from pipeline.run import run_round

    original, result = year
    shutil.copytree(original.directory, tmp_path / "copy")
    demo = DemoRound(tmp_path / "copy")
    before = {name: (demo.outbox / name).read_bytes() for name in ("進捗.xlsx", "成果報告.xlsx")}
    run_round(demo.inbox, demo.outbox, settings, result.run_at)
    assert {n: (demo.outbox / n).read_bytes() for n in before} == before  # kept current too
    edited = openpyxl.load_workbook(demo.outbox / "進捗.xlsx")
    edited["一覧"]["A30"] = "会議で確認済み"
    edited.save(demo.outbox / "進捗.xlsx")
    mine = (demo.outbox / "進捗.xlsx").read_bytes()
    run_round(demo.inbox, demo.outbox, settings, result.run_at)
    assert (demo.outbox / "進捗.xlsx").read_bytes() == mine
    dated = demo.outbox / f"進捗（{result.run_at:%Y-%m-%d %H時%M分} 版）.xlsx"
    assert dated.read_bytes() == before["進捗.xlsx"]


def _words(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, left, top, bottom, text) of every word poppler finds."""
    found, page = [], 0
    for line in subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                               capture_output=True, text=True).stdout.splitlines():
        if "<page " in line:
            page += 1
        elif match := re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" '
                                r'yMax="([\d.]+)">([^<]*)<', line):
            found.append((page, float(match.group(1)), float(match.group(2)),
                          float(match.group(3)), match.group(4)))
    return found


def _overflowing(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """Lines of column B's text that run into the next row: a line starts in a row (under its
    label in column A) and ends below where the next row's label starts. (Japanese text only:
    Latin letters sit in boxes of other heights.)"""
    words = _words(pdf)
    detail = Counter(round(w[1]) for w in words if 100 < w[1] < 200).most_common(1)[0][0]
    found = []
    for page in {w[0] for w in words}:
        labels = _row_starts(sorted(w[2] for w in words if w[0] == page and w[1] < 40 and w[2] > 40))
        for word in words:
            if word[0] != page or abs(word[1] - detail) > 2 or not any(
                    char >= "\u3000" for char in word[4]):
                continue
            starts = [y for y in labels if y <= word[2] + 0.3]
            later = [y for y in labels if starts and y > starts[-1]]
            if later and word[3] > later[0] + 0.5:
                found.append(word)
    return found


def _row_starts(tops: list[float]) -> list[float]:
    """The tops of column A's labels where a row starts: a label's own next line (one line
    below the last, as a wrapped 「担当部署・担当者」 is) starts none."""
    starts: list[float] = []
    for previous, top in zip([None, *tops], tops, strict=False):
        if previous is None or top - previous > 15:  # a line of 10 pt text is 10 to 14.5 pt
            starts.append(top)
    return starts


def test_progress_and_report_pass_the_print_audit_on_a4_at_9_points(
        year: tuple[DemoRound, RoundResult]) -> None:
    """tools/print_audit.py (from the print-audit branch, i28a): every printed sheet rendered
    alone by LibreOffice, checked for size, clipped text, overlaps and its title."""
    from tests.office import soffice
    from tools.print_audit import audit_many

    soffice()
    demo, _ = year
    books = [demo.outbox / "進捗.xlsx", demo.outbox / "成果報告.xlsx"]
    for book in books:
        for sheet in openpyxl.load_workbook(book).worksheets:
            assert sheet.page_setup.paperSize == 9, sheet.title  # A4
    audits = audit_many(books, min_pt=9.0)
    assert {a.sheet for a in audits} >= {"概要", "一覧", "要確認", "指標", "記入の不備", "実施記録",
                                         "グラフ", "根拠", "01 " + str(_first_municipality(year))}
    assert all(a.ok for a in audits), "\n".join(a.summary() for a in audits if not a.ok)


def _first_municipality(year: tuple[DemoRound, RoundResult]) -> object:
    ranked = year[1].ranked
    return ranked.loc[ranked["rank"] == 1, "municipality"].iloc[0]


def test_a_long_schedule_row_prints_whole_at_10_points(
        year: tuple[DemoRound, RoundResult], settings: RoundSettings, tmp_path: Path) -> None:
    """#28: a schedule row's detail (ワークショップ運営支援's is the longest) lost its last line."""
    from pipeline.stage3_write.plans import write_plan
    from tests.office import convert, soffice
    from tools.print_audit import audit_many

    soffice()
    _, result = year
    application = result.ranked.iloc[0].copy()
    application["menus"] = tuple(domain.MENUS)
    for months in (4, 5, 6, 7, 8):
        application["duration_months"] = months
        write_plan(tmp_path / f"plan{months}.xlsx", application, settings)
        pdf = convert(tmp_path / f"plan{months}.xlsx", "pdf", tmp_path / "pdf")
        # every line of it inside its row (LibreOffice writes a clipped line into the PDF too)
        assert not _overflowing(pdf), months
    # and the audit: every cell's text on the pages (none clipped), 10 pt or more
    audits = audit_many([tmp_path / f"plan{months}.xlsx" for months in (4, 5, 6, 7, 8)],
                        min_pt=10.0)
    assert all(a.ok for a in audits), "\n".join(a.summary() for a in audits if not a.ok)


def test_report_command_and_the_console_line(year: tuple[DemoRound, RoundResult]) -> None:
    demo, result = year
    epoch = str(int(result.run_at.timestamp()))
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": epoch})
    done = runner.invoke(main, ["report", "--inbox", str(demo.inbox), "--outbox",
                                str(demo.outbox), "--config", str(ROUND_TOML)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    support_result = result.support
    assert support_result is not None
    assert lines[0] == (f"支援中 5地区：要確認 {support_result.attention}件（遅れ "
                        f"{len(support_result.overdue)}件・記入の不備 {len(support_result.problems)}件）"
                        "。進捗.xlsx にあります")
    assert lines[-1] == f"成果報告: {demo.outbox / '成果報告.xlsx'}"
    again = runner.invoke(main, ["run", "--inbox", str(demo.inbox), "--outbox",
                                 str(demo.outbox), "--config", str(ROUND_TOML)])
    assert again.exit_code == 0 and lines[0] in again.output.splitlines()
    assert (demo.outbox / "成果報告.xlsx").is_file()  # a run keeps the report once written
