"""選定会議資料 as a paper a committee decides from (issue 28), and what 申請一覧 and its CSV
carry beside the form's fields."""

from __future__ import annotations

import dataclasses
import re
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.settings import AutoCriterion, ReviewCriterion, RoundSettings
from pipeline.new_round import new_round
from pipeline.run import run_round
from pipeline.stage3_write import committee
from pipeline.stage3_write.committee import PROVISIONAL_MARK
from tests.conftest import ROUND_TOML
from tests.office import convert, soffice
from tests.paper import read_committee
from tests.roundfactory import FINAL_AT, RUN_AT, add_form, fill_review, org, run_in


def _rubric(settings: RoundSettings) -> RoundSettings:
    """Five automatic items (two by one rule) and two reviewer items, other labels and points."""
    return dataclasses.replace(settings, auto=(
        AutoCriterion("team", "体制", "commitments", 3),
        AutoCriterion("talked", "相談", "pre_consultation", 7),
        AutoCriterion("partners", "連携", "partners", 2),
        AutoCriterion("partners2", "連携２", "partners", 1),
        AutoCriterion("fit", "適合", "menu_fit", 6)),
        review=(ReviewCriterion("vision", "構想", 3), ReviewCriterion("reach", "広がり", 2)))


@pytest.mark.slow  # a whole round: make test runs it
def test_the_committee_columns_follow_the_rubric_each_with_its_maximum(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    rubric = _rubric(settings)
    add_form(inbox, "a.xlsx", org("ゆりの会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("きくの会", "三鷹市"), blank_dir=blank_dir)
    result = run_round(inbox, inbox.parent / "outbox", rubric, RUN_AT)
    sheet = openpyxl.load_workbook(inbox.parent / "outbox" / "選定結果.xlsx")["選定会議資料"]
    headings = [c.value for c in sheet[2] if c.value]
    wanted = [f"{label}\n/{rubric.criterion_max[key]}" for key, label in rubric.criteria]
    assert len(wanted) == 7 and wanted[:5] == ["体制\n/15", "相談\n/7", "連携\n/2", "連携２\n/1", "適合\n/6"]
    at = headings.index(wanted[0])
    assert headings[at:at + 7] == wanted  # automatic, then the reviewers' items, in rubric order
    assert headings[at + 7:at + 10] == ["自動\n/31", "審査\n/25", f"合計点\n/{rubric.max_total}"]
    rows = read_committee(inbox.parent / "outbox" / "選定結果.xlsx")
    shown = {row["団体名"].split("\n")[-1]: row["体制\n/15"] for row in rows}
    exact = dict(zip(result.ranked["org_name"], result.ranked["points:team"], strict=True))
    assert shown == {name: int(points) for name, points in exact.items()}
    # nobody has reviewed: the title and every row say 暫定, and why
    assert str(sheet["A1"].value).startswith(PROVISIONAL_MARK)
    for row in rows:
        assert row["団体名"].startswith(PROVISIONAL_MARK)
        assert "審査票がまだ戻っていません" in row["選外の理由・同点・相違"]
        assert row["構想\n/15"] is None  # not scored: blank, not 0


@pytest.mark.slow  # a whole round: make test runs it
def test_only_the_rows_whose_reviews_are_missing_are_provisional_and_the_line_is_drawn(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    one_per_place = dataclasses.replace(settings, max_districts=1)
    add_form(inbox, "a.xlsx", org("ゆりの会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("きくの会", "三鷹市"), blank_dir=blank_dir)
    add_form(inbox, "c.xlsx", org("はすの会", "新宿区"), blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    run_in(inbox, one_per_place)
    blank = outbox / "審査票.xlsx"
    fill_review(blank, inbox / "審査" / "1.xlsx", "丙", {"a.xlsx": (5, 5, 5), "b.xlsx": (2, 3, 2),
                                                          "c.xlsx": (4, 4, 4)})
    fill_review(blank, inbox / "審査" / "2.xlsx", "丁", {"a.xlsx": (5, 4, 5), "c.xlsx": (4, 4, 4)})
    result = run_in(inbox, one_per_place)
    rows = {row["団体名"].split("\n")[-1]: row for row in read_committee(outbox / "選定結果.xlsx")}
    assert not rows["ゆりの会"]["団体名"].startswith(PROVISIONAL_MARK)
    assert rows["きくの会"]["団体名"].startswith(PROVISIONAL_MARK)  # 丁 has not scored it
    assert "丁の点数がそろっていません" in rows["きくの会"]["選外の理由・同点・相違"]
    assert rows["ゆりの会"]["判定"] == "選定"
    assert "同じ区市町村の1位を選定" in rows["はすの会"]["選外の理由・同点・相違"]
    assert "選定数の上限（1件）を超える" in rows["きくの会"]["選外の理由・同点・相違"]
    assert result.row_provisional.keys() == {"b.xlsx"}
    # the selection line: a thick red border under the last selected application's texts only
    sheet = openpyxl.load_workbook(outbox / "選定結果.xlsx")["選定会議資料"]
    thick = {c.row for row in sheet.iter_rows() for c in row if c.border.bottom.style == "thick"}
    assert thick == {5}  # the first application's texts row (rows 4 and 5)


@pytest.mark.slow  # a whole round: make test runs it
def test_the_organisations_the_previous_round_selected_are_marked(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    first = tmp_path / "2016"
    (first / "inbox").mkdir(parents=True)
    shutil.copy(ROUND_TOML, first / "round.toml")  # the fixture settings, with their templates
    shutil.copytree(ROUND_TOML.parent / "templates", first / "templates")
    add_form(first / "inbox", "a.xlsx", org("社会福祉法人 ゆりの会", "新宿区"), blank_dir=blank_dir)
    run_in(first / "inbox", settings)
    following = new_round(tmp_path / "2017", first / "round.toml")
    assert following.previous_round is not None
    assert following.previous_round.resolve() == first.resolve()
    inbox = tmp_path / "2017" / "inbox"
    add_form(inbox, "a.xlsx", org("ゆりの会", "新宿区", {"申請日": "2017/6/20"}), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("きくの会", "三鷹市", {"申請日": "2017/6/20"}), blank_dir=blank_dir)
    run_round(inbox, tmp_path / "2017" / "outbox", following, FINAL_AT.replace(year=2017))
    rows = {row["団体名"].split("\n")[-1]: row
            for row in read_committee(tmp_path / "2017" / "outbox" / "選定結果.xlsx")}
    assert rows["ゆりの会"]["前回\n選定"] == "○" and not rows["きくの会"]["前回\n選定"]


@pytest.mark.slow  # a whole round: make test runs it
def test_the_application_list_and_its_csv_carry_the_decision_beside_the_fields(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path) -> None:
    add_form(inbox, "a.xlsx", org("ゆりの会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("きくの会", "八王子市", {"団体種別": "株式会社"}),
             blank_dir=blank_dir)
    result = run_in(inbox, settings)
    target = tmp_path / "list.csv"
    outbox = inbox.parent / "outbox"
    assert CliRunner().invoke(main, ["export", "--outbox", str(outbox), "-o", str(target)]).exit_code == 0
    exported: dict[Any, dict[Any, Any]] = pd.read_csv(
        target, encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index(
        "ファイル名").to_dict("index")
    ranked: dict[Any, dict[Any, Any]] = result.ranked.set_index("file").to_dict("index")
    assert exported["a.xlsx"]["順位"] == "1" and exported["b.xlsx"]["順位"] == ""
    assert float(exported["a.xlsx"]["合計点"]) == float(ranked["a.xlsx"]["total"])
    for key, label in settings.criteria[:len(settings.auto)]:
        assert float(exported["a.xlsx"][label]) == float(ranked["a.xlsx"][f"points:{key}"])
    ledger: dict[Any, dict[Any, Any]] = result.ledger.set_index("file").to_dict("index")
    for file in ("a.xlsx", "b.xlsx"):
        assert exported[file]["理由"] == ledger[file]["reason"]
        assert exported[file]["受付日時"].startswith(str(ledger[file]["received_at"].date()))
    assert exported["b.xlsx"]["判定"] == "不適格"


def _effective_sizes(pdf: Path) -> list[tuple[float, str]]:
    """Per page: the median word-box height ÷ 1.3 (10 pt text gives 10.0), and its text."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)
        heights = [float(bottom) - float(top) for top, bottom, _ in boxes]
        pages.append((statistics.median(heights) / 1.3 if heights else 99.0,
                      "".join(word for _, _, word in boxes)))
    return pages


@pytest.mark.slow
def test_the_selection_workbook_prints_legibly(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path) -> None:
    soffice()
    for n, place in enumerate(("新宿区", "八王子市", "大島町", "世田谷区", "町田市", "練馬区")):
        add_form(inbox, f"{n}.xlsx", org(f"第{n}のまちづくりセンター", place), blank_dir=blank_dir)
    result = run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
    pages = _effective_sizes(convert(inbox.parent / "outbox" / "選定結果.xlsx", "pdf", tmp_path))
    committee = [(size, text) for size, text in pages if "選定会議資料" in text]
    assert committee
    for number, (size, text) in enumerate(committee, start=1):
        assert size >= 10.0, size  # at 100 %, the committee's 10 pt
        assert text.startswith(f"{PROVISIONAL_MARK}{result.settings.name}".replace(" ", ""))
        assert f"{number}/{len(committee)}ページ" in text  # numbered within the sheet
    for size, _ in pages:
        assert size >= 9.0, size  # 概要, 選定順位, 受付一覧 … all legible
    summary = "".join(text for _, text in pages)
    for entry in result.ranked[result.ranked["decision"] == "選定"].itertuples():
        assert f"{entry.org_name}（" in summary  # 概要's 「…（87.34点）」 whole
    # 受付一覧 prints without its SHA-256 (on screen only), across pages with ファイル名 repeated
    ledger = openpyxl.load_workbook(inbox.parent / "outbox" / "選定結果.xlsx")["受付一覧"]
    assert ledger.print_title_cols == "$A:$A" and [c.value for c in ledger[1]][-1] == "SHA-256"
    assert not any(re.search(r"[0-9a-f]{64}", text) for _, text in pages)


@pytest.mark.slow  # a whole round: make test runs it
def test_a_round_larger_than_the_paper_keeps_the_top_of_the_ranking_and_says_where_the_rest_are(
        inbox: Path, blank_dir: Path, settings: RoundSettings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(committee, "PAPER_LIMIT", 2)
    for name, place in (("ゆりの会", "新宿区"), ("きくの会", "三鷹市"), ("はすの会", "八王子市")):
        add_form(inbox, f"{name}.xlsx", org(name, place), blank_dir=blank_dir)
    result = run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
    workbook = inbox.parent / "outbox" / "選定結果.xlsx"
    rows = read_committee(workbook)
    ranked = result.ranked.sort_values("rank")["org_name"].tolist()
    assert [row["団体名"].split("\n")[-1] for row in rows] == ranked[:2]
    sheet = openpyxl.load_workbook(workbook)[committee.COMMITTEE_SHEET]
    said = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("上位2件" in text and "ほかの1件は「選定順位」" in text for text in said)
