"""Reviewers' scores judged and aggregated: valid scores, conflicts of interest, rows for
applications not in the round, then per application the means over reviewers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import problems
from pipeline.core.normalize import Invalid, clean_text, display, parse_mark
from pipeline.core.reviewspec import CONFLICT_LABEL, FILE_LABEL, REVIEW_SHEET
from pipeline.core.settings import REVIEW_SCORES, RoundSettings
from pipeline.stage1_read.review_sheets import ReviewCell, ReviewSheet
from schemas.selection import EligibleSchema, ReviewMeansSchema, ReviewScoreSchema

_SCORE_COLUMNS = ["reviewer", "file", "criterion", "score"]


@dataclass
class ReviewRead:
    scores: DataFrame[ReviewScoreSchema]  # conflicts left out
    conflicts: pd.DataFrame  # reviewer, file
    problems: list[problems.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def judge(sheets: Sequence[ReviewSheet], settings: RoundSettings,
          known_files: set[str]) -> ReviewRead:
    """Every returned review sheet, checked cell by cell like a form."""
    scores: list[tuple[str, str, str, int]] = []
    conflicts: list[tuple[str, str]] = []
    read = ReviewRead(ReviewScoreSchema.validate(pd.DataFrame(columns=_SCORE_COLUMNS)),
                      pd.DataFrame())
    for sheet in sheets:
        if sheet.problem is not None:
            read.problems.append(sheet.problem)
            continue

        def problem(cell: ReviewCell, label: str, code: str, name: str = sheet.name) -> None:
            message = problems.describe(code, label=label, value=display(cell.value))
            read.problems.append(problems.Problem(name, REVIEW_SHEET, cell.address, label,
                                                  display(cell.value), code, message))

        reviewer = sheet.reviewer or sheet.name
        if sheet.reviewer is None:
            read.notes.append(f"{sheet.name}: 審査員氏名が未入力のため、ファイル名で区別しました。")
        for row in sheet.rows:
            if row.file not in known_files:
                problem(row.cells[FILE_LABEL], FILE_LABEL, "unknown_application")
                continue
            conflict = parse_mark(row.cells[CONFLICT_LABEL].value)
            if isinstance(conflict, Invalid):
                problem(row.cells[CONFLICT_LABEL], CONFLICT_LABEL, "bad_mark")
                continue
            if conflict:
                conflicts.append((reviewer, row.file))
                continue
            for criterion in settings.review:
                cell = row.cells[criterion.label]
                score = _score(cell.value)
                if isinstance(score, int):
                    scores.append((reviewer, row.file, criterion.key, score))
                else:
                    problem(cell, criterion.label,
                            "missing_score" if score is None else "bad_score")
    read.scores = ReviewScoreSchema.validate(
        pd.DataFrame(scores, columns=_SCORE_COLUMNS))
    read.conflicts = pd.DataFrame(conflicts, columns=["reviewer", "file"])
    return read


def _score(raw: object) -> int | Invalid | None:
    if isinstance(raw, bool):
        return Invalid("bad_score")
    if isinstance(raw, int | float):
        number: object = raw
    else:
        text = clean_text(raw)
        if text is None:
            return None
        number = text.removesuffix("点")
    try:
        value = float(number)  # type: ignore[arg-type]
    except ValueError:
        return Invalid("bad_score")
    return int(value) if value.is_integer() and int(value) in REVIEW_SCORES else Invalid("bad_score")


def aggregate(read: ReviewRead, eligible: DataFrame[EligibleSchema],
              settings: RoundSettings) -> DataFrame[ReviewMeansSchema]:
    """Per application: each criterion's mean over reviewers without a conflict,
    the number of reviewers, and the criteria they disagree on."""
    by_criterion = read.scores.groupby(["file", "criterion"])["score"]
    means = by_criterion.mean().to_dict()
    spread = (by_criterion.max() - by_criterion.min()).to_dict()
    counts = read.scores.groupby("file")["reviewer"].nunique().to_dict()
    rows = []
    for file in eligible[EligibleSchema.file].tolist():
        row: dict[str, object] = {"file": file}
        for criterion in settings.review:
            row[f"mean:{criterion.key}"] = means.get((file, criterion.key), float("nan"))
        row["reviewer_count"] = int(counts.get(file, 0))
        row["disagreement"] = "、".join(
            c.label for c in settings.review
            if spread.get((file, c.key), 0) >= settings.disagreement_threshold)
        rows.append(row)
    return ReviewMeansSchema.validate(pd.DataFrame(
        rows, columns=["file", *(f"mean:{c.key}" for c in settings.review), "reviewer_count",
                       "disagreement"]))
