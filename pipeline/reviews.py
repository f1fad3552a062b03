"""Review sheets: the blank 審査票 we send reviewers, and the filled copies they return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine

from pipeline import problems
from pipeline.intake import REVIEW_DIR, cell_address, sniff
from pipeline.normalize import Invalid, clean_text, display, label_key, parse_mark
from pipeline.settings import REVIEW_SCORES, RoundSettings
from pipeline.xlsx import fmt, new_workbook, print_setup, wrapped_lines, write_text
from schemas.selection import EligibleSchema

REVIEW_SHEET = "審査票"
REVIEWER_LABEL = "審査員氏名"
FILE_LABEL = "ファイル名"
CONFLICT_LABEL = "利害関係あり"
COMMENT_LABEL = "コメント"
_CONTEXT_COLUMNS = (  # what a reviewer needs to judge, from the application
    ("区市町村", "municipality", 10),
    ("団体名", "org_name", 24),
    ("団体種別", "org_type", 16),
    ("取組課題の区分", "challenge_category", 16),
    ("取組課題の内容", "challenge_detail", 40),
    ("伴走支援で目指す成果", "goals", 36),
    ("希望する支援メニュー", "menus", 24),
)
_HEADER_ROW = 4
Grid = Sequence[Sequence[object]]


def write_review_sheet(path: Path, eligible: pd.DataFrame, settings: RoundSettings,
                       auto_points: pd.Series) -> None:
    """One row per eligible application; 1–5 drop-downs per reviewer criterion."""
    workbook = new_workbook(path, "審査票")
    sheet = workbook.add_worksheet(REVIEW_SHEET)
    title = fmt(workbook, bold=True, font_size=14)
    header = fmt(workbook, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    cell = fmt(workbook, border=1, text_wrap=True)
    entry = fmt(workbook, border=1, bg_color="#FFF2CC", locked=False, text_wrap=True,
                align="center")
    comment = fmt(workbook, border=1, bg_color="#FFF2CC", locked=False, text_wrap=True)
    sheet.write_string(0, 0, f"{settings.name} 審査票", title)
    sheet.write_string(1, 0, REVIEWER_LABEL, header)
    sheet.merge_range(1, 1, 1, 2, "", comment)
    sheet.write_string(2, 0, "黄色のセルに、各項目1〜5点（5が最も高い）を選んでください。利害関係がある"
                       "申請は「利害関係あり」に○を付け、点数は空欄にしてください。", fmt(workbook))
    columns = [(FILE_LABEL, None, 22), *_CONTEXT_COLUMNS, ("自動採点", None, 8)]
    columns += [(c.label, None, 10) for c in settings.review]
    columns += [(CONFLICT_LABEL, None, 9), (COMMENT_LABEL, None, 36)]
    for col, (label, _, width) in enumerate(columns):
        sheet.write_string(_HEADER_ROW, col, label, header)
        sheet.set_column(col, col, width)
    first_score = len(_CONTEXT_COLUMNS) + 2
    keys = ["file", *(key for _, key, _ in _CONTEXT_COLUMNS)]
    points = auto_points.to_dict()
    for offset, row in enumerate(eligible[keys].to_dict("records"), start=1):
        r = _HEADER_ROW + offset
        sheet.write_string(r, 0, row["file"], cell)
        lines = 1
        for col, (_, key, width) in enumerate(_CONTEXT_COLUMNS, start=1):
            value = row[key]
            text = "、".join(value) if isinstance(value, tuple) else value
            write_text(sheet, r, col, text, cell)
            if isinstance(text, str):
                lines = max(lines, wrapped_lines(text, width))
        sheet.set_row(r, 14.0 * min(lines, 8) + 2)  # wrapped text stays readable
        sheet.write_number(r, first_score - 1, float(points[row["file"]]), cell)
        for col in range(first_score, first_score + len(settings.review)):
            sheet.write_blank(r, col, None, entry)
        sheet.write_blank(r, first_score + len(settings.review), None, entry)
        sheet.write_blank(r, first_score + len(settings.review) + 1, None, comment)
    last = _HEADER_ROW + len(eligible)
    if len(eligible):
        sheet.data_validation(_HEADER_ROW + 1, first_score, last,
                              first_score + len(settings.review) - 1,
                              {"validate": "list", "source": [str(s) for s in REVIEW_SCORES],
                               "input_message": "1〜5点（5が最も高い）"})
        sheet.data_validation(_HEADER_ROW + 1, first_score + len(settings.review), last,
                              first_score + len(settings.review), {"validate": "list",
                                                                    "source": ["○"]})
    sheet.freeze_panes(_HEADER_ROW + 1, 1)
    sheet.protect("", {"format_columns": True, "format_rows": True, "autofilter": True,
                       "sort": True})
    sheet.autofilter(_HEADER_ROW, 0, max(last, _HEADER_ROW), len(columns) - 1)
    print_setup(sheet, landscape=True, header=settings.name)
    sheet.repeat_rows(_HEADER_ROW)
    workbook.close()


@dataclass
class ReviewRead:
    scores: pd.DataFrame  # reviewer, file, criterion, score — conflicts left out
    conflicts: pd.DataFrame  # reviewer, file
    problems: list[problems.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_reviews(paths: tuple[Path, ...], settings: RoundSettings,
                 known_files: set[str]) -> ReviewRead:
    """Every returned review sheet, checked cell by cell like a form."""
    scores: list[tuple[str, str, str, int]] = []
    conflicts: list[tuple[str, str]] = []
    read = ReviewRead(pd.DataFrame(), pd.DataFrame())
    for path in paths:
        name = f"{REVIEW_DIR}/{path.name}"
        grid = _review_grid(path, name, read)
        if grid is None:
            continue
        _read_one(grid, name, settings, known_files, read, scores, conflicts)
    read.scores = pd.DataFrame(scores, columns=["reviewer", "file", "criterion", "score"])
    read.conflicts = pd.DataFrame(conflicts, columns=["reviewer", "file"])
    return read


def _review_grid(path: Path, name: str, read: ReviewRead) -> Grid | None:
    reason = sniff(path)
    if reason is None:
        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            try:
                if REVIEW_SHEET in workbook.sheet_names:
                    return workbook.get_sheet_by_name(REVIEW_SHEET).to_python(
                        skip_empty_area=False)
                reason = f"「{REVIEW_SHEET}」シートがありません。配布した審査票に記入してください。"
            finally:
                workbook.close()
        except (python_calamine.CalamineError, OSError, ValueError):
            reason = "審査票を開けません。Excelブック（.xlsx）で保存し直してください。"
    read.problems.append(problems.Problem(name, "", "", "ファイル", "", "unreadable",
                                          problems.describe("unreadable", extra=reason)))
    return None


def _read_one(grid: Grid, name: str, settings: RoundSettings,
              known_files: set[str], read: ReviewRead,
              scores: list[tuple[str, str, str, int]], conflicts: list[tuple[str, str]]) -> None:
    def problem(r: int, c: int, label: str, raw: object, code: str) -> None:
        message = problems.describe(code, label=label, value=display(raw))
        read.problems.append(problems.Problem(name, REVIEW_SHEET, cell_address(r, c), label,
                                              display(raw), code, message))

    wanted = [FILE_LABEL, CONFLICT_LABEL, *(c.label for c in settings.review)]
    header = next((r for r, row in enumerate(grid)
                   if set(wanted) <= {label_key(v) for v in row}), None)
    if header is None:
        message = problems.describe("not_recognised", extra="審査票の見出し行が見つかりません")
        read.problems.append(problems.Problem(name, REVIEW_SHEET, "", "ファイル", "",
                                              "not_recognised", message))
        return
    columns = {label_key(v): c for c, v in enumerate(grid[header]) if isinstance(v, str)}
    reviewer = _reviewer_name(grid) or name
    if reviewer == name:
        read.notes.append(f"{name}: 審査員氏名が未入力のため、ファイル名で区別しました。")
    for r in range(header + 1, len(grid)):
        row = grid[r]
        file = clean_text(row[columns[FILE_LABEL]])
        if file is None:
            continue
        if file not in known_files:
            problem(r, columns[FILE_LABEL], FILE_LABEL, file, "unknown_application")
            continue
        conflict = parse_mark(row[columns[CONFLICT_LABEL]])
        if isinstance(conflict, Invalid):
            problem(r, columns[CONFLICT_LABEL], CONFLICT_LABEL, row[columns[CONFLICT_LABEL]],
                    "bad_mark")
            continue
        if conflict:
            conflicts.append((reviewer, file))
            continue
        for criterion in settings.review:
            c = columns[criterion.label]
            score = _score(row[c])
            if isinstance(score, int):
                scores.append((reviewer, file, criterion.key, score))
            else:
                problem(r, c, criterion.label, row[c],
                        "missing_score" if score is None else "bad_score")


def _reviewer_name(grid: Grid) -> str | None:
    for row in grid:
        for c, value in enumerate(row):
            if label_key(value) == REVIEWER_LABEL and c + 1 < len(row):
                return clean_text(row[c + 1])
    return None


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


def aggregate(read: ReviewRead, eligible: pd.DataFrame, settings: RoundSettings) -> pd.DataFrame:
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
    return pd.DataFrame(rows, columns=["file", *(f"mean:{c.key}" for c in settings.review),
                                       "reviewer_count", "disagreement"])
