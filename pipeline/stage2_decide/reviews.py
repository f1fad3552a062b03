"""Reviewers' scores judged and aggregated: valid scores, conflicts of interest, rows for
applications not in the round, then per application the means over reviewers."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import problems
from pipeline.core.filekey import file_key
from pipeline.core.normalize import Invalid, clean_text, display, parse_mark
from pipeline.core.reviewspec import COMMENT_LABEL, CONFLICT_LABEL, FILE_LABEL, REVIEW_SHEET
from pipeline.core.settings import REVIEW_SCORES, RoundSettings
from pipeline.stage1_read.review_sheets import ReviewCell, ReviewRow, ReviewSheet
from schemas.selection import EligibleSchema, ReviewMeansSchema, ReviewScoreSchema

_SCORE_COLUMNS = ["reviewer", "file", "criterion", "score"]


@dataclass
class ReviewRead:
    scores: DataFrame[ReviewScoreSchema]  # conflicts left out
    conflicts: pd.DataFrame  # reviewer, file
    problems: list[problems.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # one row per application per counted sheet: sheet, reviewer, file, conflict, comment,
    # then each criterion's score (None where not given or not usable)
    details: list[tuple[object, ...]] = field(default_factory=list)
    sheets_counted: int = 0  # sheets whose scores count (not set aside, not unreadable)
    reviewers: tuple[str, ...] = ()  # one per counted sheet


def judge(sheets: Sequence[ReviewSheet], settings: RoundSettings,
          known_files: Iterable[str]) -> ReviewRead:
    """Every returned review sheet, checked cell by cell like a form. One reviewer counts
    once: of two sheets from one reviewer only the later counts. Rows name applications by
    file name, compared by :func:`file_key`."""
    scores: list[tuple[str, str, str, int]] = []
    conflicts: list[tuple[str, str]] = []
    read = ReviewRead(ReviewScoreSchema.validate(pd.DataFrame(columns=_SCORE_COLUMNS)),
                      pd.DataFrame())
    by_key: dict[str, list[str]] = defaultdict(list)
    for file in known_files:
        by_key[file_key(file)].append(file)
    reviewers: list[str] = []
    for sheet in _one_per_reviewer(sheets, read):
        if sheet.problem is not None:
            read.problems.append(sheet.problem)
            continue
        reviewer = sheet.reviewer or sheet.name
        reviewers.append(reviewer)
        if sheet.reviewer is None:
            read.notes.append(f"{sheet.name}: 審査員氏名が未入力のため、ファイル名で区別しました。")
        listed = Counter(file_key(row.file) for row in sheet.rows)
        for row in sheet.rows:
            _judge_row(sheet, reviewer, row, by_key, listed, settings, read, scores, conflicts)
    read.scores = ReviewScoreSchema.validate(pd.DataFrame(scores, columns=_SCORE_COLUMNS))
    read.conflicts = pd.DataFrame(conflicts, columns=["reviewer", "file"])
    read.sheets_counted = len(reviewers)
    read.reviewers = tuple(reviewers)
    return read


def reviewer_key(name: str) -> str:
    """The same reviewer however the name was spaced or typed."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _one_per_reviewer(sheets: Sequence[ReviewSheet], read: ReviewRead) -> list[ReviewSheet]:
    """Sheets in order, a reviewer's earlier sheets set aside (named in a note). The later is
    the one saved later (its document's saved time), else the one whose name sorts last."""
    by_reviewer: dict[str, list[ReviewSheet]] = defaultdict(list)
    for sheet in sheets:
        if sheet.problem is None and sheet.reviewer is not None:
            by_reviewer[reviewer_key(sheet.reviewer)].append(sheet)
    set_aside: set[str] = set()
    for same in (group for group in by_reviewer.values() if len(group) > 1):
        ordered = sorted(same, key=lambda s: (s.saved_at, s.name))
        kept = ordered[-1]
        times = [s.saved_at for s in ordered]
        how = ("保存日時が最も新しいもの" if all(times) and times[-1] != times[-2]
               else "ファイル名の順で最後のもの（保存日時では新旧を判断できません）")
        aside = [s.name for s in ordered[:-1]]
        set_aside.update(aside)
        read.notes.append(f"審査員「{kept.reviewer}」の審査票が{len(same)}つあります。{kept.name} "
                          f"（{how}）を使い、{'、'.join(aside)} は使いませんでした。")
    return [sheet for sheet in sheets if sheet.name not in set_aside]


def _judge_row(sheet: ReviewSheet, reviewer: str, row: ReviewRow,
               by_key: Mapping[str, list[str]], listed: Counter[str], settings: RoundSettings,
               read: ReviewRead, scores: list[tuple[str, str, str, int]],
               conflicts: list[tuple[str, str]]) -> None:
    def problem(cell: ReviewCell, label: str, code: str) -> None:
        message = problems.describe(code, label=label, value=display(cell.value))
        read.problems.append(problems.Problem(sheet.name, REVIEW_SHEET, cell.address, label,
                                              display(cell.value), code, message))

    name_cell = row.cells[FILE_LABEL]
    key = file_key(row.file)
    files = by_key.get(key, [])
    if len(files) != 1:
        problem(name_cell, FILE_LABEL,
                "unknown_application" if not files else "ambiguous_application")
        return
    if listed[key] > 1:  # never counted twice: every row of it is to be fixed
        problem(name_cell, FILE_LABEL, "duplicate_review_row")
        return
    (file,) = files
    conflict = parse_mark(row.cells[CONFLICT_LABEL].value)
    if isinstance(conflict, Invalid):
        problem(row.cells[CONFLICT_LABEL], CONFLICT_LABEL, "bad_mark")
        return
    comment = clean_text(row.cells[COMMENT_LABEL].value) if COMMENT_LABEL in row.cells else None
    given_scores = [None if conflict else _score(row.cells[c.label].value) for c in settings.review]
    read.details.append((sheet.name, reviewer, file, "○" if conflict else "", comment or "",
                         *(s if isinstance(s, int) else None for s in given_scores)))
    if conflict:
        conflicts.append((reviewer, file))
        given = [row.cells[c.label].address for c in settings.review
                 if clean_text(row.cells[c.label].value) is not None]
        if given:
            read.notes.append(f"{sheet.name} {'、'.join(given)}: 利害関係ありの申請（{file}）に点数が"
                              "あります。点数は使いませんでした。")
        return
    for criterion in settings.review:
        cell = row.cells[criterion.label]
        score = _score(cell.value)
        if isinstance(score, int):
            scores.append((reviewer, file, criterion.key, score))
        else:
            problem(cell, criterion.label, "missing_score" if score is None else "bad_score")


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


def provisional_reasons(read: ReviewRead, eligible: pd.DataFrame,
                        settings: RoundSettings) -> list[str]:
    """Why the reviews cannot support a final ranking yet, each with what to do."""
    reasons = []
    for sheet, cells in _problem_cells(read.problems).items():
        reasons.append(f"審査票 {sheet} に不備があります（{cells}）。直して戻してもらってください")
    files = eligible[EligibleSchema.file].tolist()
    if not files:
        return reasons
    if not read.sheets_counted:
        return [*reasons, "審査票がまだ戻っていません（順位は自動採点だけによります）"]
    scored = read.scores.groupby(["file", "reviewer"])["criterion"].nunique()
    full = scored[scored == len(settings.review)].groupby("file").size().to_dict()
    conflicts = read.conflicts.groupby("file").size().to_dict() if len(read.conflicts) else {}
    unfinished = [f for f in files
                  if not full.get(f) or full.get(f, 0) + conflicts.get(f, 0) < read.sheets_counted]
    if unfinished:
        shown = "、".join(unfinished[:5]) + (f" ほか{len(unfinished) - 5}件" if len(unfinished) > 5 else "")
        reasons.append(f"審査員全員の点数がそろっていない申請が{len(unfinished)}件あります（{shown}）")
    return reasons


def _problem_cells(found: Sequence[problems.Problem]) -> dict[str, str]:
    cells: dict[str, list[str]] = defaultdict(list)
    for problem in found:
        cells[problem.file].append(problem.cell or "ファイル全体")
    return {sheet: "、".join(listed[:10]) + (f" ほか{len(listed) - 10}か所" if len(listed) > 10 else "")
            for sheet, listed in cells.items()}
