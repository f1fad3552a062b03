"""Schemas of the selection run, each stage extending the one before it."""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any, TypeVar, cast

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame, Series

from pipeline.core import domain, problems
from pipeline.core.domain import (  # noqa: F401  (the schemas' vocabulary, re-exported)
    DECISIONS,
    DUPLICATE,
    INELIGIBLE,
    NEEDS_FIX,
    NOT_SELECTED,
    SELECTED,
    UNREADABLE,
)
from schemas.application import ApplicationSchema, Contract

# Why a ranked application got its 判定 (letters and tools read these, never the Japanese text).
RANK_REASONS = ("selected", "same_municipality", "over_limit")
# The eligibility rules (pipeline.stage2_decide.eligibility), by key: the 不適格 sheet's rule.
ELIGIBILITY_RULES = ("municipality_in_tokyo", "located_in_tokyo", "org_type_allowed",
                     "received_by_deadline")
MUNICIPALITY_IN_TOKYO, LOCATED_IN_TOKYO, ORG_TYPE_ALLOWED, RECEIVED_BY_DEADLINE = ELIGIBILITY_RULES
STAFF_DECISION = "staff_decision"  # 不適格 by a staff decision in the register
# Why a file that was not ranked got its 判定, besides the eligibility rules' keys and, for a
# file that cannot be read, the problem's code (pipeline.core.problems).
LEDGER_REASONS = (*RANK_REASONS, "same_content", "later_submission", "replaced_by_correction",
                  "input_problems", "blank_form", "missed_resubmission", "staff_excluded",
                  STAFF_DECISION)


def points_column(key: str) -> str:
    """The column of a criterion's points in :class:`ScoredSchema`."""
    return f"points:{key}"


def _exact(frame: pd.DataFrame, pattern: str, low: int, high: int | None = None) -> bool:
    """Every value of the columns matching ``pattern`` is a Fraction from ``low`` to ``high``,
    or None: points, means and totals are exact (rounded only for display,
    :mod:`pipeline.core.points`). Compared in integers: pandera's ``ge`` on Fractions costs a
    second at 10,000 applications."""
    for column in frame.filter(regex=pattern).columns:
        for value in frame[column].tolist():
            if value is None:
                continue
            if type(value) is not Fraction or value.numerator < low * value.denominator or (
                    high is not None and value.numerator > high * value.denominator):
                return False
    return True


class ReceivedSchema(ApplicationSchema):
    """An application with when and how it was received."""

    sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    received_at: Series[pd.DatetimeTZDtype] = pa.Field(dtype_kwargs={"unit": "ns", "tz": "Asia/Tokyo"})
    received_basis: Series[str]

    class Config:
        name = "ReceivedSchema"


class EligibleSchema(ReceivedSchema):
    """An application that passed every eligibility rule."""

    org_type: Series[str] = pa.Field(isin=list(domain.ORG_TYPES.values()))
    municipality: Series[str] = pa.Field(isin=list(domain.MUNICIPALITIES))
    area: Series[str] = pa.Field(isin=list(domain.AREAS))

    class Config:
        name = "EligibleSchema"


class ScoredSchema(EligibleSchema):
    """Points per criterion (columns ``points:<key>``), reviews and the total, each an exact
    ``fractions.Fraction`` (the means over reviewers are thirds, sevenths ...)."""

    # Fractions ≥ 0 (points_and_total_are_exact); a reviewer criterion nobody has scored yet
    # is empty (None), not 0
    points: Series[object] = pa.Field(alias=r"^points:.+$", regex=True, nullable=True)
    reviewer_count: Series[int] = pa.Field(ge=0)
    # the mean of the review criteria's means, a Fraction from 1 to 5; None before any review
    reviewer_mean: Series[object] = pa.Field(nullable=True)
    disagreement: Series[str]  # the criteria reviewers disagree on, "" when none
    total: Series[object] = pa.Field(nullable=False)  # a Fraction ≥ 0

    @pa.dataframe_check(name="points_and_total_are_exact")
    def points_and_total_are_exact(cls, df: pd.DataFrame) -> bool:
        return (_exact(df, r"^(points:.+|total)$", 0)
                and _exact(df, r"^reviewer_mean$", 1, 5))

    class Config:
        name = "ScoredSchema"


class RankedSchema(ScoredSchema):
    """The ranking and the decision for every eligible application."""

    rank: Series[int] = pa.Field(ge=1, unique=True)
    decision: Series[str] = pa.Field(isin=[SELECTED, NOT_SELECTED])
    reason: Series[str]
    reason_code: Series[str] = pa.Field(isin=list(RANK_REASONS))
    # why 選外, in a few words, for 選定会議資料 (「選定数の上限（5件）を超える。同点の5位に受付の早い順
    # で及ばず」); "" for 選定
    short_reason: Series[str]
    # where the total equals a neighbour's: the tie-break that ordered them, for 選定会議資料
    # (「同点（40点）：受付の早い順で上位」); "" when the total is nobody else's
    tie_note: Series[str]

    @pa.dataframe_check(name="selected_outrank_not_selected_of_same_municipality")
    def selected_outrank_not_selected_of_same_municipality(cls, df: pd.DataFrame) -> bool:
        # Selection is greedy in rank order, so within a municipality no 選外
        # application may rank above a 選定 one.
        worst_selected = df[df["decision"] == SELECTED].groupby("municipality")["rank"].max()
        best_rest = df[df["decision"] == NOT_SELECTED].groupby("municipality")["rank"].min()
        common = worst_selected.index.intersection(best_rest.index)
        return bool((worst_selected[common] < best_rest[common]).all())

    class Config:
        name = "RankedSchema"


Model = TypeVar("Model", bound=pa.DataFrameModel)


def validate_stage(model: type[Model], since: type[pa.DataFrameModel],
                   frame: pd.DataFrame) -> DataFrame[Model]:
    """``frame`` against ``model``, for a stage that adds columns to a frame valid under
    ``since`` (and keeps, filters or orders its rows): the whole contract on the frame's shape
    (every column, none besides, their types: checked on no rows), the values of what the
    stage adds or redefines, and ``model``'s checks across columns. The values ``since`` holds
    were checked by the stage that made them: checking them again at every stage cost 0.5 s
    at 10,000 applications."""
    model.validate(frame.iloc[:0])
    return cast(DataFrame[Model], _added(model, since).validate(frame))


@functools.cache
def _added(model: type[pa.DataFrameModel], since: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    schema, before = model.to_schema(), since.to_schema()
    added = schema.select_columns([name for name, column in schema.columns.items()
                                   if before.columns.get(name) != column])
    added.strict = False  # the columns' names were checked on the whole schema
    return added


class LedgerSchema(Contract):
    """受付一覧: every file found in the inbox, exactly once."""

    file: Series[str] = pa.Field(unique=True)
    sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    received_at: Series[pd.DatetimeTZDtype] = pa.Field(
        nullable=True, dtype_kwargs={"unit": "ns", "tz": "Asia/Tokyo"})
    received_basis: Series[str]
    org_name: Series[str] = pa.Field(nullable=True)
    decision: Series[str] = pa.Field(isin=list(DECISIONS))
    reason: Series[str]
    # a LEDGER_REASONS code, the key of the first eligibility rule failed (不適格), or the
    # problem that makes a file 読込不可
    reason_code: Series[str] = pa.Field(
        isin=[*LEDGER_REASONS, *ELIGIBILITY_RULES, *problems.KINDS])
    # for staff only (shown after the reason in 受付一覧, never in a letter): e.g. that another
    # applicant sent an application under the same name
    staff_note: Series[str]

    class Config:
        name = "LedgerSchema"


class IneligibleSchema(Contract):
    """不適格: one row per failed rule."""

    file: Series[str]
    org_name: Series[str] = pa.Field(nullable=True)
    rule: Series[str] = pa.Field(isin=[*ELIGIBILITY_RULES, STAFF_DECISION])
    reason: Series[str]

    class Config:
        name = "IneligibleSchema"


# One text column per field of a Problem (pipeline.core.problems), in its order.
_ProblemColumns: Any = type("_ProblemColumns", (Contract,), {
    "__annotations__": {column: Series[str] for column in problems.PROBLEM_COLUMNS},
    "code": pa.Field(isin=list(problems.KINDS)),
    "message": pa.Field(str_length={"min_value": 1}),
})


class ProblemSchema(_ProblemColumns):
    """入力エラー: one row per problem in a form or a review sheet."""

    class Config:
        name = "ProblemSchema"


class ReviewScoreSchema(Contract):
    """One reviewer's score for one criterion of one application (conflicts left out)."""

    reviewer: Series[str]
    file: Series[str]
    criterion: Series[str]
    score: Series[int] = pa.Field(isin=[1, 2, 3, 4, 5])

    class Config:
        name = "ReviewScoreSchema"


class ReviewMeansSchema(Contract):
    """Per eligible application: each criterion's exact mean (``mean:<key>``, a Fraction; None
    before any review), reviewers, disagreement."""

    file: Series[str] = pa.Field(unique=True)
    mean: Series[object] = pa.Field(alias=r"^mean:.+$", regex=True, nullable=True)  # 1 to 5
    reviewer_count: Series[int] = pa.Field(ge=0)
    disagreement: Series[str]

    @pa.dataframe_check(name="means_are_exact")
    def means_are_exact(cls, df: pd.DataFrame) -> bool:
        return _exact(df, r"^mean:.+$", 1, 5)

    class Config:
        name = "ReviewMeansSchema"
