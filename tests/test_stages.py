"""Each deciding stage on its own, on small DataFrames (in the style of kedro's node tests)."""

from __future__ import annotations

import dataclasses

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.notes import Note
from pipeline.core.records import RawCell, ReviewRow, ReviewSheet
from pipeline.core.settings import RoundSettings
from pipeline.stage2_decide import reviews, score, select
from schemas.selection import NOT_SELECTED, SELECTED, ScoredSchema
from tests.frames import application, eligible
from tests.frames import reviews as review_means


def _scored(settings: RoundSettings, *rows: dict[str, object],
            means: dict[str, float] | None = None) -> DataFrame[ScoredSchema]:
    frame = eligible(*rows)
    return score.score(frame, review_means(frame, [c.key for c in settings.review], means),
                       settings)


def test_auto_points_follow_each_rule(settings: RoundSettings) -> None:
    scored = _scored(settings,
                     application("none.xlsx", menus=("ワークショップ運営支援",)),
                     application("all.xlsx", pre_consultation="あり", partners="町会",
                                 commitments=("担当窓口の設置", "庁内の連携確保")))
    points = scored.set_index("file")
    assert points.loc["none.xlsx", "total"] == 0  # ワークショップ does not fit 活動の継続
    # 2 commitments × 4 + 事前相談 5 + 連携先 5 + メニュー適合 10
    assert points.loc["all.xlsx", "points:commitments"] == 8
    assert points.loc["all.xlsx", "total"] == 28


def test_the_menu_fit_table_of_round_toml_decides_the_points(settings: RoundSettings) -> None:
    """足立区's case: ワークショップ under 担い手の発掘・拡大 earns nothing by default, and the
    points once the round's table lists it; その他 earns them with any menu."""
    workshop = application("a.xlsx", challenge_category="担い手の発掘・拡大",
                           menus=("ワークショップ運営支援",))
    other = application("o.xlsx", challenge_category="その他", menus=("プラン策定支援",))
    default = _scored(settings, workshop, other).set_index("file")["points:menu_fit"]
    assert default.to_dict() == {"a.xlsx": 0, "o.xlsx": 10}
    table = {**settings.menu_fit, "担い手の発掘・拡大": ("ワークショップ運営支援",), "その他": ()}
    widened = dataclasses.replace(settings, menu_fit=table)
    assert _scored(widened, workshop, other).set_index("file")["points:menu_fit"].to_dict() == {
        "a.xlsx": 10, "o.xlsx": 0}


def test_reviewer_points_are_mean_times_weight(settings: RoundSettings) -> None:
    scored = _scored(settings, application("a.xlsx"), means={"a.xlsx": 4.5})
    row = scored.iloc[0]
    assert row["points:clarity"] == 18.0 and row["reviewer_mean"] == 4.5


def test_rank_selects_at_most_n_and_one_per_municipality(settings: RoundSettings) -> None:
    settings = dataclasses.replace(settings, max_districts=2)
    scored = _scored(settings,
                     application("a.xlsx", pre_consultation="あり"),
                     application("b.xlsx", pre_consultation="あり", partners="町会"),
                     application("c.xlsx", municipality="八王子市"),
                     application("d.xlsx", municipality="町田市"),
                     means={"a.xlsx": 3.0, "b.xlsx": 3.0, "c.xlsx": 2.0, "d.xlsx": 1.0})
    ranked = select.rank(scored, settings).set_index("file")
    assert ranked["rank"].to_dict() == {"b.xlsx": 1, "a.xlsx": 2, "c.xlsx": 3, "d.xlsx": 4}
    assert ranked.loc["b.xlsx", "decision"] == SELECTED
    assert ranked.loc["a.xlsx", "reason_code"] == "same_municipality"
    assert ranked.loc["c.xlsx", "decision"] == SELECTED
    assert ranked.loc["d.xlsx", "decision"] == NOT_SELECTED
    assert ranked.loc["d.xlsx", "reason_code"] == "over_limit"


def test_ties_are_broken_in_the_order_the_round_gives(settings: RoundSettings) -> None:
    early = application("z.xlsx", received_at=pd.Timestamp("2016-06-01 09:00", tz="Asia/Tokyo"))
    late = application("a.xlsx", municipality="八王子市")
    by_time = select.rank(_scored(settings, early, late), settings)
    assert by_time["file"].tolist() == ["z.xlsx", "a.xlsx"]
    by_name = dataclasses.replace(settings, tie_break=("file",))
    assert select.rank(_scored(by_name, early, late), by_name)["file"].tolist() == [
        "a.xlsx", "z.xlsx"]


def _sheet(name: str, reviewer: str, rows: dict[str, tuple[object, ...]],
           saved_at: str = "") -> ReviewSheet:
    """A review sheet as read: per file, (利害関係あり, score per criterion)."""
    labels = ["利害関係あり", "課題の明確さ", "実現可能性", "波及効果"]
    return ReviewSheet(name, reviewer, tuple(
        ReviewRow(file, {"ファイル名": RawCell(file, f"A{n}"),
                         **{label: RawCell(value, f"{'JKLM'[i]}{n}")
                            for i, (label, value) in enumerate(zip(labels, values, strict=True))}})
        for n, (file, values) in enumerate(rows.items(), start=6)), saved_at=saved_at)


def test_judge_counts_one_sheet_per_reviewer_and_flags_what_it_cannot_use(
        settings: RoundSettings) -> None:
    sheets = [
        _sheet("審査/old.xlsx", "山口", {"a.xlsx": (None, 1, 1, 1)}, saved_at="2016-07-01"),
        _sheet("審査/new.xlsx", "山 口", {"a.xlsx": (None, 5, 5, 5), "ｂ.XLSX": ("○", 4, None, None),
                                        "zzz.xlsx": (None, 3, 3, 3)}, saved_at="2016-07-02"),
    ]
    read = reviews.judge(sheets, settings, ["a.xlsx", "b.xlsx"])
    assert read.reviewers == ("山 口",) and read.sheets_counted == 2
    assert read.scores["score"].tolist() == [5, 5, 5]  # the newer sheet's scores
    assert read.conflicts.values.tolist() == [["山 口", "b.xlsx"]]
    assert [p.code for p in read.problems] == ["unknown_application"]
    many = next(note for note in read.notes if note.code == "reviewer_sheets_many")
    assert many.fields["sheets"] == ("審査/old.xlsx", "審査/new.xlsx") and many.fields["how"] == "保存日時の順"
    assert Note.of("review_scores_despite_conflict", sheet="審査/new.xlsx", cells=("K7",),
                   file="b.xlsx") in read.notes
    frame = eligible(application("a.xlsx"), application("b.xlsx", municipality="八王子市"))
    reasons = reviews.provisional_reasons(read, frame, settings)
    # its only reviewer had a conflict: no score at all
    assert [(r.code, dict(r.fields)) for r in reasons] == [
        ("review_sheet_problems", {"sheet": "審査/new.xlsx", "cells": "A8"}),
        ("reviews_unfinished", {"count": 1, "files": ("b.xlsx",), "more": ""})]


def test_an_application_without_every_reviewer_s_scores_keeps_the_ranking_provisional(
        settings: RoundSettings) -> None:
    sheets = [_sheet("審査/1.xlsx", "一", {"a.xlsx": (None, 3, 3, 3), "b.xlsx": (None, 3, 3, 3)}),
              _sheet("審査/2.xlsx", "二", {"a.xlsx": (None, 3, 3, 3)})]
    frame = eligible(application("a.xlsx"), application("b.xlsx", municipality="八王子市"))
    read = reviews.judge(sheets, settings, frame["file"])
    unfinished = reviews.provisional_reasons(read, frame, settings)
    assert [(r.code, r.fields["files"]) for r in unfinished] == [("reviews_unfinished", ("b.xlsx",))]
    none_back = reviews.provisional_reasons(reviews.judge([], settings, frame["file"]), frame,
                                            settings)
    assert [r.code for r in none_back] == ["no_review_sheets"]
