"""Scores as the round's rules make them (issue 24): exact totals, ties decided by the
round's tie-break and said on both rows, rounding only for display; a reviewer's sheets merged
by row, reviewers told apart by name without titles and roles."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from pipeline.core.notes import Note
from pipeline.core.points import shown, shown_text
from pipeline.core.settings import RoundSettings
from pipeline.stage2_decide import reviews
from tests.frames import application, eligible
from tests.paper import read_committee
from tests.roundfactory import (
    RUN_AT,
    add_form,
    fill_review,
    make_register,
    org,
    run_in,
    saved_at,
)
from tests.test_stages import _sheet

_run = run_in


def _half_up(exact: Fraction) -> float:
    """Round half up to 2 decimals, worked out here apart from the code under test."""
    return math.floor(exact * 100 + Fraction(1, 2)) / 100


# --- 1. Exact arithmetic -------------------------------------------------------------------------

def test_rounding_for_display_is_half_up_once() -> None:
    assert shown_text(Fraction(1, 8)) == "0.13"  # round() would give 0.12 (half to even)
    assert shown_text(Fraction(2 * 56, 3) + 16) == "53.33"  # not 18.67 + 18.67 + 16 = 53.34
    assert shown_text(Fraction(91)) == "91" and shown_text(Fraction(127, 2)) == "63.5"
    assert shown(Fraction(-1, 8)) == -shown(Fraction(1, 8))


@pytest.mark.slow
def test_an_exact_tie_is_decided_by_the_tie_break_and_said_on_both_rows(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    """Thirds that round up on every criterion (14/3 × 4 = 18.67 three times = 56.01) against
    whole means (20 + 20 + 16 = 56): the exact totals are equal, and the earlier receipt wins."""
    settings = dataclasses.replace(settings, max_districts=1)
    add_form(inbox, "thirds.xlsx", org("三分の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "whole.xlsx", org("整数の会", "八王子市"), blank_dir=blank_dir)
    add_form(inbox, "lower.xlsx", org("下位の会", "大島町"), blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("whole.xlsx", "2016/6/27 10:00"),
                                       ("thirds.xlsx", "2016/6/28 15:30"),
                                       ("lower.xlsx", "2016/6/29 9:00")])
    _run(inbox, settings, RUN_AT)
    blank = inbox.parent / "outbox" / "審査票.xlsx"
    given = [  # per reviewer: thirds.xlsx, whole.xlsx, lower.xlsx
        ((5, 4, 5), (5, 5, 4), (5, 5, 4)),
        ((5, 5, 4), (5, 5, 4), (5, 5, 4)),
        ((4, 5, 5), (5, 5, 4), (4, 4, 4)),
    ]
    for name, (thirds, whole, lower) in zip(("一", "二", "三"), given, strict=True):
        fill_review(blank, inbox / "審査" / f"審査票_{name}.xlsx", f"審査員{name}",
                    {"thirds.xlsx": thirds, "whole.xlsx": whole, "lower.xlsx": lower})
    result = _run(inbox, settings)
    ranked = result.ranked
    totals: dict[str, Fraction] = dict(zip(ranked["file"], ranked["total"], strict=True))
    means: dict[str, Fraction] = dict(zip(ranked["file"], ranked["reviewer_mean"], strict=True))
    assert totals["thirds.xlsx"] == totals["whole.xlsx"]
    assert means["thirds.xlsx"] == means["whole.xlsx"]
    assert dict(zip(ranked["file"], ranked["decision"], strict=True)) == {
        "whole.xlsx": "選定", "thirds.xlsx": "選外", "lower.xlsx": "選外"}

    outbox = inbox.parent / "outbox"
    sheets = pd.read_excel(outbox / "選定結果.xlsx", sheet_name=None, engine="openpyxl")
    table: dict[Any, dict[Any, Any]] = sheets["選定順位"].set_index("ファイル名").to_dict("index")
    for file, total in totals.items():  # the displayed total is the exact total rounded half up
        assert table[file]["合計点"] == _half_up(total)
    assert str(table["lower.xlsx"]["合計点"]).endswith(".33")  # 56/3 + 56/3 + 16 + auto
    tie = f"同点（{shown_text(totals['whole.xlsx'])}点）。受付の早い順により、"
    assert str(table["whole.xlsx"]["理由"]).startswith("1位（合計")
    assert f"{tie}thirds.xlsx（2位）より上位です。" in str(table["whole.xlsx"]["理由"])
    loser = str(table["thirds.xlsx"]["理由"])
    assert f"{tie}whole.xlsx（1位）より下位です。" in loser
    assert "同点時の順位の決め方（受付の早い順）で下位となったため選外です" in loser
    assert "同点" not in str(table["lower.xlsx"]["理由"])
    committee = {row["団体名"].split("\n")[-1]: row for row in read_committee(outbox / "選定結果.xlsx")}
    said = "選外の理由・同点・相違"
    assert "2件中1番目：受付の早い順" in committee["整数の会"][said]
    assert "2件中2番目：受付の早い順" in committee["三分の会"][said]
    assert "同点の1位に受付の早い順で及ばず" in committee["三分の会"][said]  # the tie-break left it out
    assert "同点" not in str(committee["下位の会"][said] or "")
    assert committee["下位の会"][f"合計点\n/{settings.max_total}"] == _half_up(totals["lower.xlsx"])
    summary = pd.read_excel(outbox / "選定結果.xlsx", sheet_name="概要", header=None, dtype=str,
                            engine="openpyxl")
    rule = dict(zip(summary[0], summary[1], strict=True))["点数の表示"]
    assert rule.startswith("小数第2位まで（四捨五入）。順位は端数を含む正確な値で決めます")
    plan = next((outbox / "計画").iterdir())
    sheet = openpyxl.load_workbook(plan).active
    assert sheet is not None
    assert any(f"{shown_text(totals['whole.xlsx'])}点" in str(cell.value)
               for row_cells in sheet.iter_rows() for cell in row_cells)


# --- 10. Reviewer sheets merged by row ------------------------------------------------------------

@pytest.mark.slow
def test_a_reviewer_s_three_sheets_are_merged_by_row_and_criterion(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    outbox = inbox.parent / "outbox"
    forms = {"a.xlsx": ("エーの会", "新宿区"), "b.xlsx": ("ビーの会", "八王子市"),
             "c.xlsx": ("シーの会", "大島町")}
    for file, (name, place) in forms.items():
        add_form(inbox, file, org(name, place), blank_dir=blank_dir)
    register: list[tuple[object, object]] = [(file, "2016/6/25 10:00") for file in forms]
    make_register(inbox / "受付簿.xlsx", register)
    _run(inbox, settings, RUN_AT)
    sheets = inbox / "審査"
    first = saved_at(fill_review(outbox / "審査票.xlsx", sheets / "1回目.xlsx", "佐藤 花子",
                                 {"a.xlsx": (4, 4, 4), "b.xlsx": (2, 3, 2), "c.xlsx": (5, 5, 5)}),
                     "2016-07-02T09:00:00Z")
    # a fourth application comes in time; the reviewer gets the new sheet, twice
    add_form(inbox, "d.xlsx", org("ディーの会", "町田市"), blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [*register, ("d.xlsx", "2016/6/30 17:00")])
    _run(inbox, settings, RUN_AT)
    second = saved_at(fill_review(outbox / "審査票.xlsx", sheets / "2回目.xlsx",
                                  "佐藤花子（副委員長）", {"d.xlsx": (1, 2, 3)}),
                      "2016-07-03T09:00:00Z")
    third = fill_review(outbox / "審査票.xlsx", sheets / "0_最新.xlsx", "委員　佐藤 花子 様",
                        {"b.xlsx": (5, None, 1)})
    workbook = openpyxl.load_workbook(third)
    review = workbook["審査票"]
    review.delete_rows(next(c.row for c in review["A"] if c.value == "a.xlsx"))  # only on 1回目
    workbook.save(third)
    saved_at(third, "2016-07-04T09:00:00Z")  # the newest, although its name sorts first

    result = _run(inbox, settings)
    assert result.ranked["reviewer_count"].tolist() == [1, 1, 1, 1]
    assert not result.problems["file"].str.startswith("審査/").any()
    assert not any("審査" in reason for reason in result.provisional_reasons), result.provisional_reasons
    details = pd.read_excel(outbox / "選定結果.xlsx", sheet_name="審査内訳",
                            engine="openpyxl").set_index("ファイル名")
    scores = {file: tuple(int(details.loc[file, label])
                          for label in ("課題の明確さ", "実現可能性", "波及効果"))
              for file in details.index}
    assert scores == {"a.xlsx": (4, 4, 4), "b.xlsx": (5, 3, 1), "c.xlsx": (5, 5, 5),
                      "d.xlsx": (1, 2, 3)}
    source = details["審査票"].to_dict()
    assert source["a.xlsx"] == source["c.xlsx"] == f"審査/{first.name}"
    assert source["d.xlsx"] == f"審査/{second.name}"
    assert source["b.xlsx"] == (f"審査/{third.name}（課題の明確さ・波及効果）、"
                                f"審査/{first.name}（実現可能性）")
    assert set(details["審査員"]) == {"委員 佐藤 花子 様"}  # as its newest sheet names them
    summary = pd.read_excel(outbox / "選定結果.xlsx", sheet_name="概要", header=None, dtype=str,
                            engine="openpyxl")
    notes = " ".join(summary[0].dropna())
    assert "審査員「佐藤 花子」と「佐藤花子(副委員長)」と「委員 佐藤 花子 様」を同じ審査員としました" in notes
    assert f"古い順に 審査/{first.name}、審査/{second.name}、審査/{third.name}。保存日時の順" in notes


def test_names_with_roles_are_one_reviewer_and_near_names_keep_the_round_provisional(
        settings: RoundSettings) -> None:
    frame = eligible(application("a.xlsx"), application("b.xlsx", municipality="八王子市"))
    scored: dict[str, tuple[object, ...]] = {"a.xlsx": (None, 3, 4, 2), "b.xlsx": (None, 2, 2, 5)}
    sheets = [_sheet("審査/1.xlsx", "山本 健（座長）", scored, saved_at="2016-07-02"),
              _sheet("審査/2.xlsx", "山本健", {"a.xlsx": (None, 4, 4, 4)}, saved_at="2016-07-03"),
              _sheet("審査/3.xlsx", "山本 建", scored),  # one character apart: who is it?
              _sheet("審査/4.xlsx", "Ｔａｎａｋａ先生", scored),
              _sheet("審査/5.xlsx", "tanaka", scored)]
    read = reviews.judge(sheets, settings, frame["file"])
    assert read.reviewers == ("山本健", "山本 建", "tanaka")
    assert Note.of("reviewer_names_same", names="「山本 健（座長）」と「山本健」") in read.notes
    assert "審査員「山本 健（座長）」と「山本健」を同じ審査員としました" in " ".join(n.text for n in read.notes)
    merged = read.scores[read.scores["reviewer"] == "山本健"].set_index(["file", "criterion"])
    assert merged.loc[("a.xlsx", "clarity"), "score"] == 4  # the newer sheet
    assert merged.loc[("b.xlsx", "impact"), "score"] == 5  # blank on it: the earlier one's
    reasons = reviews.provisional_reasons(read, frame, settings)
    assert [(r.code, dict(r.fields)) for r in reasons] == [
        ("reviewer_names_similar", {"first": "山本健", "second": "山本 建"})]
    # one inside the other (a surname alone) is as doubtful
    surname = [*sheets[:2], _sheet("審査/6.xlsx", "山本", scored)]
    assert reviews.judge(surname, settings, frame["file"]).similar_names == [("山本健", "山本")]
