"""The rubric engine: automatic points from the form, reviewer points from the reviews."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.normalize import has_content
from pipeline.core.settings import AutoCriterion, RoundSettings
from schemas.selection import EligibleSchema, ReviewMeansSchema, ScoredSchema, points_column


def _menu_fit(df: pd.DataFrame, settings: RoundSettings) -> pd.Series:
    """1 where a chosen menu is one round.toml's table lists for the 取組課題の区分."""
    return pd.Series(
        [bool(set(settings.menu_fit.get(category, ())) & set(menus))
         for category, menus in zip(df[EligibleSchema.challenge_category],
                                    df[EligibleSchema.menus], strict=True)],
        index=df.index, dtype=int)


# settings.AUTO_RULES → how many times a criterion's points are earned.
AUTO_RULES: dict[str, Callable[[pd.DataFrame, RoundSettings], pd.Series]] = {
    "commitments": lambda df, _: df[EligibleSchema.commitments].map(len),
    "pre_consultation": lambda df, _: (df[EligibleSchema.pre_consultation] == "あり").astype(int),
    "partners": lambda df, _: df[EligibleSchema.partners].map(has_content).astype(int),
    "menu_fit": _menu_fit,
}


def auto_points(eligible: pd.DataFrame, criterion: AutoCriterion,
                settings: RoundSettings) -> pd.Series:
    return AUTO_RULES[criterion.rule](eligible, settings).astype(float) * criterion.points


def score(eligible: DataFrame[EligibleSchema], reviews: DataFrame[ReviewMeansSchema],
          settings: RoundSettings) -> DataFrame[ScoredSchema]:
    """Every criterion's points and the total. Without reviews, reviewer points are 0."""
    scored = eligible.merge(reviews, on="file", how="left", validate="one_to_one")
    points = {points_column(c.key): auto_points(scored, c, settings) for c in settings.auto}
    mean_columns = [f"mean:{c.key}" for c in settings.review]
    for criterion in settings.review:
        mean = scored[f"mean:{criterion.key}"]
        points[points_column(criterion.key)] = (mean * criterion.weight).round(2)
    reviewer_mean = scored[mean_columns].mean(axis=1) if mean_columns else pd.Series(
        float("nan"), index=scored.index)
    scored = scored.drop(columns=mean_columns).assign(
        **points,
        reviewer_mean=reviewer_mean.round(2),
        total=lambda df: df[list(points)].sum(axis=1).round(2),
    )
    return ScoredSchema.validate(scored)
