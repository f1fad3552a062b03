"""Each deciding stage on its own, on small DataFrames (in the style of kedro's node tests)."""

from __future__ import annotations

import dataclasses

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.settings import RoundSettings
from pipeline.stage2_decide import score, select
from schemas.selection import NOT_SELECTED, SELECTED, ScoredSchema
from tests.frames import application, eligible, reviews


def _scored(settings: RoundSettings, *rows: dict[str, object],
            means: dict[str, float] | None = None) -> DataFrame[ScoredSchema]:
    frame = eligible(*rows)
    return score.score(frame, reviews(frame, [c.key for c in settings.review], means), settings)


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


def test_reviewer_points_are_mean_times_weight(settings: RoundSettings) -> None:
    scored = _scored(settings, application("a.xlsx"), means={"a.xlsx": 4.5})
    row = scored.iloc[0]
    assert row["points:clarity"] == 18.0 and row["reviewer_mean"] == 4.5
    assert not score.is_provisional(scored)
    assert score.is_provisional(_scored(settings, application("b.xlsx")))


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
