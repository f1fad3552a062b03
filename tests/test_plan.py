"""Support plans: one per selected district, schedule and roles as the form said."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from pipeline.stage3_write.plans import month_labels, plan_file_name, schedule
from pipeline.stage3_write.selection import PLAN_COLUMN, RANKING_KEYS, _table
from pipeline.stage3_write.xlsx import new_workbook, row_height, text_width
from tests.roundfactory import RUN_AT, add_form, org

ROOT = Path(__file__).resolve().parents[1]



def _sheet_text(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path)["計画書"]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _row(rows: list[list[object]], first: str) -> list[object]:
    return next(r for r in rows if r[0] == first)


@pytest.mark.slow
def test_one_plan_per_selected_and_its_contents(tmp_path: Path, blank_dir: Path,
                                                settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "a.xlsx", org("新宿の会", "新宿区", {"希望開始時期": "2016年11月",
                                                      "希望期間（か月）": "４ヶ月"}),
             {"プラン策定支援": "○", "打合せ・会議運営支援": "○", "担当窓口の設置": "○",
              "モデル事業・活動の実施": "○"}, blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("八王子の会", "八王子市", {"希望期間（か月）": 8}),
             blank_dir=blank_dir)
    add_form(inbox, "c.xlsx", org("新宿の別の会", "新宿区", {"連携先の関係機関・団体": None}),
             {"プラン策定支援": "○"}, blank_dir=blank_dir)  # fewer points: 選外
    add_form(inbox, "d.xlsx", org("横浜", "新宿区", {"区市町村": "横浜市"}), blank_dir=blank_dir)
    outbox = tmp_path / "outbox"
    result = run_round(inbox, outbox, settings, RUN_AT)
    decisions = dict(zip(result.ledger["file"], result.ledger["decision"], strict=True))
    assert decisions == {"a.xlsx": "選定", "b.xlsx": "選定", "c.xlsx": "選外", "d.xlsx": "不適格"}
    plans = sorted(p.name for p in (outbox / "計画").iterdir())
    ranks = result.ranked.set_index("file")["rank"]
    assert plans == sorted([f"{ranks['a.xlsx']:02d}_新宿区_新宿の会.xlsx",
                            f"{ranks['a.xlsx']:02d}_新宿区_新宿の会_支援記録.xlsx",
                            f"{ranks['b.xlsx']:02d}_八王子市_八王子の会.xlsx",
                            f"{ranks['b.xlsx']:02d}_八王子市_八王子の会_支援記録.xlsx"])

    rows = _sheet_text(outbox / "計画" / f"{ranks['a.xlsx']:02d}_新宿区_新宿の会.xlsx")
    header = next(r for r in rows if r[0] == "活動")
    assert [m for m in header[2:] if m] == ["2016年11月", "2016年12月", "2017年1月", "2017年2月"]
    activities = [r[0] for r in rows[rows.index(header) + 1:]][:5]
    assert activities == ["キックオフ・課題整理", "打合せ・会議運営支援", "プラン策定支援",
                          "中間振り返り", "成果報告・振り返り"]
    gantt = rows[rows.index(header):]
    assert _row(gantt, "キックオフ・課題整理")[2:6] == ["●", None, None, None]
    assert _row(gantt, "成果報告・振り返り")[2:6] == [None, None, None, "●"]
    assert _row(gantt, "中間振り返り")[2:6] == [None, "●", None, None]
    assert _row(gantt, "打合せ・会議運営支援")[2:6] == ["●", "●", None, None]
    assert _row(gantt, "プラン策定支援")[2:6] == [None, "●", "●", "●"]
    flat = [str(v) for r in rows for v in r if v is not None]
    assert "担当窓口の設置：確認済" in flat
    assert "庁内の連携確保：未確認" in flat
    assert "モデル事業・活動の実施：確認済" in flat
    assert {"キックオフ実施日", "出席者", "アドバイザー", "地区の担当者", "指標", "目標値", "期日",
            "担当"} <= set(flat)

    rows_b = _sheet_text(outbox / "計画" / f"{ranks['b.xlsx']:02d}_八王子市_八王子の会.xlsx")
    header_b = next(r for r in rows_b if r[0] == "活動")
    assert len([m for m in header_b[2:] if m]) == 8

    ranking = openpyxl.load_workbook(outbox / "選定結果.xlsx")["選定順位"]
    titles = [c.value for c in ranking[1]]
    link_col = titles.index("計画書") + 1
    links = {ranking.cell(r, titles.index("ファイル名") + 1).value:
             ranking.cell(r, link_col).hyperlink for r in range(2, ranking.max_row + 1)}
    assert links["a.xlsx"].target.replace("\\", "/") == f"計画/{ranks['a.xlsx']:02d}_新宿区_新宿の会.xlsx"
    assert links["c.xlsx"] is None


@pytest.mark.slow
def test_rerun_replaces_its_own_plans_and_keeps_the_staff_s(tmp_path: Path, blank_dir: Path,
                                                            settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "a.xlsx", org("新宿の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("八王子の会", "八王子市"), blank_dir=blank_dir)
    outbox = tmp_path / "outbox"
    run_round(inbox, outbox, settings, RUN_AT)
    plans = sorted(p.name for p in (outbox / "計画").iterdir())
    assert len(plans) == 4  # a plan and a support log for each
    # the run's own outputs are replaced byte for byte; one it no longer writes goes
    (inbox / "b.xlsx").unlink()
    first = {p.name: p.read_bytes() for p in (outbox / "計画").iterdir()}
    run_round(inbox, outbox, settings, RUN_AT)
    second = {p.name: p.read_bytes() for p in (outbox / "計画").iterdir()}
    assert list(second) == [n for n in plans if "新宿区" in n]
    assert all(second[n] == first[n] for n in second)
    # staff add a note and fill in the KPI rows of a plan: both survive the next run
    (outbox / "計画" / "打合せメモ.txt").write_text("キックオフは9月5日", encoding="utf-8")
    plan = outbox / "計画" / next(n for n in second if "支援記録" not in n)
    edited = openpyxl.load_workbook(plan)
    edited.active["A1"] = "記入済み"
    edited.save(plan)
    staff_plan = plan.read_bytes()
    result = run_round(inbox, outbox, settings, RUN_AT)
    assert (outbox / "計画" / "打合せメモ.txt").read_text(encoding="utf-8") == "キックオフは9月5日"
    assert plan.read_bytes() == staff_plan
    beside = plan.with_name(f"{plan.stem}（{RUN_AT:%Y-%m-%d %H時%M分} 版）.xlsx")
    assert beside.read_bytes() == second[plan.name]
    assert {kept.path: kept.newest for kept in result.staff_files} == {
        "計画/打合せメモ.txt": None, f"計画/{plan.name}": f"計画/{beside.name}"}


@pytest.mark.parametrize(
    ("org_name", "expected"),
    [
        ("NPO/法人:みらい*ねっと?", "03_新宿区_NPO_法人_みらい_ねっと_.xlsx"),
        ('"<引用>"|パイプ', "03_新宿区___引用___パイプ.xlsx"),
        ("全角／記号＊も可", "03_新宿区_全角／記号＊も可.xlsx"),
        ("あ" * 200, f"03_新宿区_{'あ' * 40}.xlsx"),
        ("末尾の点...", "03_新宿区_末尾の点.xlsx"),
        ("\u30ab\u3099ハ\u309a", "03_新宿区_ガパ.xlsx"),  # decomposed kana become NFC
    ],
)
def test_plan_file_names_are_safe(org_name: str, expected: str) -> None:
    name = plan_file_name(3, "新宿区", org_name)
    assert name == expected
    assert not set(name) & set('\\/:*?"<>|')


@pytest.mark.parametrize("months", [4, 5, 6, 7, 8])
def test_schedule_places_every_menu_inside_the_period(settings: RoundSettings,
                                                      months: int) -> None:
    menus = tuple(settings.plan.menu_phase)
    rows = schedule(menus, months, settings.plan)
    assert [r.activity for r in rows[1:-2]] == list(menus)
    for row in rows:
        assert row.months and all(0 <= m < months for m in row.months)
    by_name = {r.activity: r.months for r in rows}
    assert min(by_name["打合せ・会議運営支援"]) < min(by_name["事業実施段階における直接支援"])
    assert max(by_name["事業実施段階における直接支援"]) == months - 1


def test_month_labels_cross_the_year() -> None:
    import datetime as dt

    assert month_labels(dt.date(2016, 11, 1), 4) == ["2016年11月", "2016年12月", "2017年1月",
                                                     "2017年2月"]


@pytest.mark.slow
def test_a_plan_has_one_column_per_month_and_no_doubled_municipality(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "a.xlsx", org("新宿区社会福祉協議会", "新宿区", {"希望期間（か月）": 4}),
             blank_dir=blank_dir)
    run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    (plan,) = (tmp_path / "outbox" / "計画").glob("*[!録].xlsx")
    sheet = openpyxl.load_workbook(plan).active
    assert sheet["A1"].value == "【暫定】伴走支援計画書　新宿区社会福祉協議会"
    header = next(r for r in sheet.iter_rows() if r[0].value == "活動")
    months = [c.value for c in header[2:] if c.value]
    assert len(months) == 4 and sheet.max_column == 2 + 4  # no empty month columns after them
    # a page breaks, where it must, only before a section's heading (never leaving it alone at
    # a page's foot); the 役割分担 heading of this plan would end the first page: it starts one
    headings = {c.row - 1 for c in sheet["A"] if isinstance(c.value, str)
                and c.value[:1].isdigit() and c.value[1:3] == ". "}
    breaks = {brk.id for brk in sheet.row_breaks.brk}
    assert breaks <= headings
    # every heading and label shows whole in print: the schedule's heading (longer than the
    # table is wide) wraps in a row tall enough; so do a kickoff label and the log's headings
    schedule_heading = next(c for c in sheet["A"] if str(c.value).startswith("4. "))
    assert schedule_heading.alignment.wrap_text
    assert sheet.row_dimensions[schedule_heading.row].height >= row_height(2)
    kickoff = next(c for c in sheet["A"] if c.value == "キックオフ実施日")
    assert sheet.row_dimensions[kickoff.row].height >= row_height(2)
    (log,) = (tmp_path / "outbox" / "計画").glob("*_支援記録.xlsx")
    log_sheet = openpyxl.load_workbook(log)["支援記録"]
    head = next(c for c in log_sheet["A"] if c.value == "日付")
    assert log_sheet.row_dimensions[head.row].height >= row_height(2)  # 参加人数, アドバイザー


def test_the_ranking_s_plan_links_are_one_line_wide_enough_for_their_names(tmp_path: Path) -> None:
    """LibreOffice shows a link on one line whatever the cell's wrapping: its column is as
    wide as the longest name shown, and no row grows for it."""
    name = plan_file_name(1, "西東京市", "特定非営利活動法人西東京市地域福祉ネットワーク推進協議会")
    frame = pd.DataFrame({"順位": [1, 2], "判定": ["選定", "選外"], "暫定": ["", ""],
                          "区市町村": ["西東京市", "新宿区"], "団体名": ["…", "…"],
                          PLAN_COLUMN: [f"計画/{name}", ""]})
    path = tmp_path / "links.xlsx"
    workbook = new_workbook(path, "test")
    _table(workbook, "選定順位", frame, key_columns=RANKING_KEYS)
    workbook.close()
    sheet = openpyxl.load_workbook(path)["選定順位"]
    assert sheet["F2"].value == name
    assert sheet["F2"].hyperlink.target.replace("\\", "/") == f"計画/{name}"
    assert sheet.column_dimensions["F"].width >= text_width(name)
    assert sheet.row_dimensions[2].height is None  # one line
