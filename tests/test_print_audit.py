"""Every printed sheet of every workbook kind prints legibly: rendered by LibreOffice to A4 PDF
and audited (tools/print_audit.py) for effective size, clipped text, text printed over text,
page counts and the title on every page — for the demo round and for a round of 45
applications."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from pipeline.core.settings import RoundSettings
from pipeline.demo import run_demo
from pipeline.run import run_round
from tests.office import add_eligible_forms, soffice
from tests.roundfactory import RUN_AT, add_form, org, review_everything
from tools.print_audit import (
    Finding,
    Page,
    SheetAudit,
    Word,
    _lines,
    audit,
    audit_many,
    audit_sheet,
    main,
    overlapping,
    printings,
    squeeze,
)

LARGE_ROUND = 45

# 申請一覧.xlsx is data for mail merge, marked not for printing (its page header says which
# papers to print instead, as #28 allows): it is not audited.
KINDS = ["申請用紙", "審査票", "差戻し", "選定結果", "計画書", "支援記録"]

# Applicants and the committee read these at 10 pt; every other printed sheet at 9 pt.
MIN_PT = {("申請用紙", "申請書"): 10.0, ("申請用紙", "記入方法"): 10.0,
          ("差戻し", "申請書"): 10.0, ("差戻し", "記入方法"): 10.0, ("差戻し", "修正箇所"): 10.0,
          ("選定結果", "選定会議資料"): 10.0, ("計画書", "計画書"): 10.0}


def max_pages(kind: str, sheet: str, applications: int) -> int:
    """Fixed documents stay short; lists grow by about one page per 10 applications, the
    review sheet (every application's full text beside the scores) by one per 3."""
    if kind == "申請用紙" or (kind, sheet) in (("差戻し", "申請書"), ("差戻し", "記入方法")):
        return 3  # the form at 10 pt: 3 pages, its guide 2
    if kind in ("計画書", "支援記録") or (kind, sheet) == ("差戻し", "修正箇所"):
        return 3
    if kind == "審査票":
        return 2 + math.ceil(applications / 3)
    if (kind, sheet) in _ACROSS_PAGES:
        return 2 + 2 * applications
    return 2 + math.ceil(applications / 10)


# The committee paper (each application's texts in full: one or two a page) and the wide working
# sheets printed at 100 % across pages with their key columns repeated (#28): at most two pages
# an application (two page widths of columns).
_ACROSS_PAGES = {("選定結果", "選定会議資料"), ("選定結果", "選定順位"),
                            ("選定結果", "受付一覧"), ("選定結果", "審査内訳")}


def _audit_round(outbox: Path, applications: int) -> dict[str, list[SheetAudit]]:
    """Every 差戻し workbook and one workbook of every other kind in ``outbox``, audited in
    one LibreOffice call."""
    workbooks = {kind: [outbox / f"{kind}.xlsx"] for kind in ("申請用紙", "審査票", "選定結果")}
    plans = sorted((outbox / "計画").glob("*.xlsx"))
    workbooks["計画書"] = [path for path in plans if not path.stem.endswith("_支援記録")][:1]
    workbooks["支援記録"] = [path for path in plans if path.stem.endswith("_支援記録")][:1]
    workbooks["差戻し"] = sorted((outbox / "差戻し").glob("*.xlsx"))
    kind_of = {path: kind for kind, paths in workbooks.items() for path in paths}
    audits: dict[str, list[SheetAudit]] = {kind: [] for kind in KINDS}
    for result in audit_many(list(kind_of), min_pt=0):
        kind = kind_of[result.workbook]
        audits[kind].append(_judged(result, kind, applications))
    return audits


def _judged(result: SheetAudit, kind: str, applications: int) -> SheetAudit:
    """The audit with this kind's size and page bounds applied to its measures."""
    findings = list(result.findings)
    wanted = MIN_PT.get((kind, result.sheet), 9.0)
    if result.effective_pt < wanted:
        findings.append(Finding("small_print", f"実効 {result.effective_pt:.1f} pt（{wanted:g} pt 以上）"))
    bound = max_pages(kind, result.sheet, applications)
    if result.pages > bound:
        findings.append(Finding("pages", f"{result.pages} ページ（{bound} ページまで）"))
    return replace(result, findings=tuple(findings))


@pytest.fixture(scope="module")
def demo_audits(tmp_path_factory: pytest.TempPathFactory,
                settings: RoundSettings) -> dict[str, list[SheetAudit]]:
    soffice()
    demo, _ = run_demo(tmp_path_factory.mktemp("print-audit") / "demo", settings)
    return _audit_round(demo.outbox, len(demo.files))


@pytest.fixture(scope="module")
def large_audits(tmp_path_factory: pytest.TempPathFactory, blank_dir: Path,
                 settings: RoundSettings) -> dict[str, list[SheetAudit]]:
    """45 eligible applications, every one reviewed, plus one form to fix and one unreadable
    file (so that 差戻し workbooks of both kinds exist)."""
    soffice()
    root = tmp_path_factory.mktemp("print-audit-45")
    inbox = root / "inbox"
    inbox.mkdir()
    add_eligible_forms(inbox, LARGE_ROUND, blank_dir)
    add_form(inbox, "要修正の申請.xlsx", org("練馬の支え合い会", "練馬区", {"電話番号": "12"}),
             blank_dir=blank_dir)
    (inbox / "読めない申請.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    outbox = root / "outbox"
    run_round(inbox, outbox, settings, RUN_AT)
    review_everything(outbox, inbox)
    run_round(inbox, outbox, settings, RUN_AT)
    return _audit_round(outbox, LARGE_ROUND + 2)


def _report(audits: list[SheetAudit]) -> str:
    return "\n".join(a.summary() for a in audits)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_demo_round_prints_legibly(demo_audits: dict[str, list[SheetAudit]], kind: str) -> None:
    audits = demo_audits[kind]
    assert audits, kind
    assert all(a.ok for a in audits), _report(audits)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_round_of_45_applications_prints_legibly(large_audits: dict[str, list[SheetAudit]],
                                                  kind: str) -> None:
    audits = large_audits[kind]
    assert audits, kind
    assert all(a.ok for a in audits), _report(audits)


# --- the audit itself -----------------------------------------------------------------------

def _workbook(path: Path, fill: Callable[[xlsxwriter.Workbook], None]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    fill(workbook)
    workbook.close()
    return path


def _probe(workbook: xlsxwriter.Workbook) -> None:
    """A sheet at 11 pt and 100 % with a cut cell, one fitted to a page, one over pages."""
    eleven = workbook.add_format({"font_name": "游ゴシック", "font_size": 11, "valign": "top"})
    wrapped = workbook.add_format({"font_name": "游ゴシック", "font_size": 11, "text_wrap": True,
                                   "valign": "top"})
    plain = workbook.add_worksheet("等倍")
    plain.set_paper(9)
    plain.set_column("A:B", 24)
    plain.write_string(0, 0, "等倍の見出し", eleven)
    plain.write_string(1, 0, "隣のセルに切られてしまう長い説明文がここに続きます", eleven)
    plain.write_string(1, 1, "隣", eleven)
    plain.write_string(2, 0, "行が低すぎて二行目以降が印刷されない折り返しの説明文がここにあります", wrapped)
    plain.set_row(2, 16)
    plain.write_string(3, 0, "十分な高さのある折り返しの説明文は全部が印刷されます", wrapped)
    plain.write_string(3, 1, "右隣も折り返して二行になる説明文です", wrapped)
    plain.set_row(3, 48)
    plain.write_number(4, 0, 2718281, eleven)
    fitted = workbook.add_worksheet("縮小")
    fitted.set_paper(9)
    fitted.fit_to_pages(1, 0)
    for col in range(20):
        fitted.write_string(0, col, f"列{col}", eleven)
    long_list = workbook.add_worksheet("一覧")
    long_list.set_paper(9)
    long_list.write_string(0, 0, "一覧の見出し", eleven)
    for row in range(1, 120):
        long_list.write_string(row, 0, f"行{row}", eleven)
    repeated = workbook.add_worksheet("見出しの繰り返し")
    repeated.set_paper(9)
    repeated.repeat_rows(0)
    repeated.write_string(0, 0, "繰り返す見出し", eleven)
    for row in range(1, 120):
        repeated.write_string(row, 0, f"行{row}", eleven)
    hidden = workbook.add_worksheet("隠し")
    hidden.write_string(0, 0, "印刷されないシート")
    hidden.print_area(0, 0, 0, 0)
    hidden.hide()


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SheetAudit]:
    soffice()
    path = _workbook(tmp_path_factory.mktemp("probe") / "probe.xlsx", _probe)
    return {a.sheet: a for a in audit(path, max_pages={"一覧": 1})}


@pytest.mark.slow
def test_the_audit_measures_the_printed_size_in_points(probe: dict[str, SheetAudit]) -> None:
    assert probe["等倍"].effective_pt == 11.0
    assert probe["縮小"].effective_pt < 9 and "small_print" in probe["縮小"].codes()
    assert "隠し" not in probe  # a hidden sheet does not print


@pytest.mark.slow
def test_the_audit_finds_text_cut_by_a_neighbour_or_a_short_row(
        probe: dict[str, SheetAudit]) -> None:
    """Text cut by its neighbour is not in the PDF; the lines of a wrapped cell below its row
    are, under a clip, and overlap what the next row prints."""
    clipped = [f.message for f in probe["等倍"].findings if f.code == "clipped"]
    assert len(clipped) == 2, clipped
    assert "A2" in clipped[0] and "A3" in clipped[1]
    assert "overlap" in probe["等倍"].codes()
    assert probe["縮小"].codes() == {"small_print"}


@pytest.mark.slow
def test_the_audit_wants_the_title_on_every_page_and_bounds_the_pages(
        probe: dict[str, SheetAudit]) -> None:
    long_list = probe["一覧"]
    assert long_list.pages >= 2
    assert {f.page for f in long_list.findings if f.code == "title_missing"} == set(
        range(2, long_list.pages + 1))
    assert "pages" in long_list.codes()
    assert probe["見出しの繰り返し"].pages >= 2 and probe["見出しの繰り返し"].ok


def test_overlapping_word_boxes_are_text_over_text_touching_ones_are_not() -> None:
    line = Word("問い合わせ先", 40, 100, 100, 113)  # 10 pt: a box of 13 pt around its em
    below = Word("電話", 40, 113.5, 70, 126.5)
    next_line = Word("東京都", 40, 110, 100, 123)  # one em below, as BIZ UDゴシック's lines are
    over = Word("提出方法の続き", 60, 104, 160, 117)
    assert overlapping([line, below]) == []
    assert overlapping([line, next_line]) == []
    assert overlapping([line, below, over]) == [(line, over)]
    assert overlapping([line, Word("重なり", 40, 103, 100, 116)]) != []


def test_a_wrapped_cell_is_found_line_by_line_beside_its_neighbours() -> None:
    # two wrapped cells side by side: pdftotext lines mix them
    page = Page(595, 842, (
        Word("あいうえお", 40, 100, 90, 113), Word("さしすせそ", 200, 100, 250, 113),
        Word("かきくけこ", 40, 113, 90, 126), Word("たちつてと", 200, 113, 250, 126),
        Word("別の行", 40, 400, 70, 413), Word("なにぬ", 40, 413, 70, 426)))
    pages = [_lines(page)]

    def found(text: str) -> list[float] | None:
        place = next(printings(text, pages), None)
        return None if place is None else [line.y for line in place]

    assert found(squeeze("あいうえお かきくけこ")) == [100, 113]
    assert found("さしすせそたちつてと")
    assert found("あいうえおかきくけこなにぬ") is None  # its last line is not near
    assert found("あいうえおはひふ") is None


def test_a_text_several_cells_hold_is_looked_for_wherever_it_is_printed() -> None:
    """An organisation on each reviewer's row of 審査内訳 is printed once per row: a cell is cut
    only when no printing of its text fits its row, not when another cell's printing does not."""
    page = Page(595, 842, (
        Word("支え合い", 40, 100, 90, 113), Word("の会", 40, 113, 70, 126),
        Word("支え合いの会", 40, 300, 120, 313)))
    assert [[line.y for line in found] for found in printings("支え合いの会", [_lines(page)])] == [
        [300], [100, 113]]


def test_the_title_is_looked_for_line_by_line_whatever_order_pdftotext_gives() -> None:
    """pdftotext may give a page header's words between those of the title row below it."""
    sheet = openpyxl.Workbook().active
    sheet["A1"], sheet["B1"] = "伴走支援計画書", "千代田区"
    page = Page(595, 842, (Word("伴走支援計画書", 40, 21, 100, 30), Word("千代田区", 110, 21, 150, 30),
                           Word("伴走支援計画書", 40, 51, 100, 64),
                           Word("（伴走支援事業）", 160, 21, 220, 30),
                           Word("千代田区", 110, 51, 150, 64)))
    audited = audit_sheet(Path("計画書.xlsx"), sheet, [page], min_pt=0, title="伴走支援計画書 千代田区")
    assert "title_missing" not in audited.codes()
    assert "title_missing" in audit_sheet(Path("計画書.xlsx"), sheet, [page], min_pt=0,
                                          title="千代田区 伴走支援計画書").codes()


@pytest.mark.slow
def test_the_command_line_lists_each_sheet_and_fails_on_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    soffice()

    def small(workbook: xlsxwriter.Workbook) -> None:
        sheet = workbook.add_worksheet("小さい")
        sheet.write_string(0, 0, "見出し", workbook.add_format({"font_size": 7}))
    path = _workbook(tmp_path / "small.xlsx", small)
    assert main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "small.xlsx / 小さい: 1 ページ、実効 7.0 pt" in out and "[small_print]" in out
    assert main([str(path), "--min-pt", "7"]) == 0
    assert openpyxl.load_workbook(path)["小さい"]["A1"].value == "見出し"  # untouched
