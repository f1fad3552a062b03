"""The rubric engine: automatic points from the form, reviewer points from the reviews."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.normalize import has_content
from pipeline.core.points import row_sums
from pipeline.core.settings import AutoCriterion, RoundSettings
from schemas.selection import (
    EligibleSchema,
    ReviewMeansSchema,
    ScoredSchema,
    points_column,
    validate_stage,
)


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
    earned = [int(times) for times in AUTO_RULES[criterion.rule](eligible, settings).tolist()]
    points = {times: Fraction(times * criterion.points) for times in set(earned)}
    return pd.Series([points[times] for times in earned], index=eligible.index, dtype=object)


def score(eligible: DataFrame[EligibleSchema], reviews: DataFrame[ReviewMeansSchema],
          settings: RoundSettings) -> DataFrame[ScoredSchema]:
    """Every criterion's points and the total, exact (Fractions: a mean over three reviewers
    is in thirds); rounded only where shown. Without reviews, reviewer points are empty (None)
    and count 0 in the total."""
    scored = eligible.merge(reviews, on="file", how="left", validate="one_to_one")
    points = {points_column(c.key): auto_points(scored, c, settings) for c in settings.auto}
    mean_columns = [f"mean:{c.key}" for c in settings.review]
    means = [[_exact(m) for m in scored[column].tolist()] for column in mean_columns]
    for criterion, column in zip(settings.review, means, strict=True):
        points[points_column(criterion.key)] = pd.Series(
            [None if m is None else m * criterion.weight for m in column],
            index=scored.index, dtype=object)
    rows = len(scored)
    reviewer_mean = [total / count if count else None for total, count in row_sums(means, rows)]
    totals = [total for total, _ in row_sums([c.tolist() for c in points.values()], rows)]
    scored = scored.drop(columns=mean_columns).assign(
        **points,
        reviewer_mean=pd.Series(reviewer_mean, index=scored.index, dtype=object),
        total=pd.Series(totals, index=scored.index, dtype=object),
    )
    return validate_stage(ScoredSchema, EligibleSchema, scored)


def _exact(mean: object) -> Fraction | None:
    """A mean as aggregated (None, or NaN where a merge found no row), exact or None."""
    return mean if isinstance(mean, Fraction) else None
