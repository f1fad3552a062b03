"""Reviewers' scores judged and aggregated: valid scores, conflicts of interest, rows for
applications not in the round, then per application the means over reviewers."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import problems
from pipeline.core.filekey import file_key
from pipeline.core.normalize import Invalid, clean_text, display, parse_mark
from pipeline.core.notes import Note
from pipeline.core.records import RawCell, ReviewRow, ReviewSheet
from pipeline.core.reviewspec import COMMENT_LABEL, CONFLICT_LABEL, FILE_LABEL, REVIEW_SHEET
from pipeline.core.settings import REVIEW_SCORES, RoundSettings
from schemas.selection import EligibleSchema, ReviewMeansSchema, ReviewScoreSchema

_SCORE_COLUMNS = ["reviewer", "file", "criterion", "score"]


@dataclass
class ReviewRead:
    scores: DataFrame[ReviewScoreSchema]  # conflicts left out
    conflicts: pd.DataFrame  # reviewer, file
    problems: list[problems.Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # one row per reviewer per application (a reviewer's sheets merged): the sheets the scores
    # came from (see _sources), reviewer, file, conflict, comment, then each criterion's score
    # (None where not given or not usable)
    details: list[tuple[object, ...]] = field(default_factory=list)
    sheets_counted: int = 0  # sheets whose scores count (every sheet that could be read)
    reviewers: tuple[str, ...] = ()  # one per reviewer, as the newest sheet names them
    # reviewers counted apart whose names are close enough to be one person's
    similar_names: list[tuple[str, str]] = field(default_factory=list)


_Entry = tuple[ReviewSheet, ReviewRow]  # one sheet's row for one application


def judge(sheets: Sequence[ReviewSheet], settings: RoundSettings,
          known_files: Iterable[str]) -> ReviewRead:
    """Every returned review sheet, checked cell by cell like a form. One reviewer counts
    once: a reviewer's sheets are merged, for each application and criterion the newest
    sheet's filled cell counting (a blank left on a newer sheet keeps the earlier score). Rows
    name applications by file name, compared by :func:`file_key`."""
    scores: list[tuple[str, str, str, int]] = []
    conflicts: list[tuple[str, str]] = []
    read = ReviewRead(ReviewScoreSchema.validate(pd.DataFrame(columns=_SCORE_COLUMNS)),
                      pd.DataFrame())
    by_key: dict[str, list[str]] = defaultdict(list)
    for file in known_files:
        by_key[file_key(file)].append(file)
    usable = []
    for sheet in sheets:
        if sheet.problem is not None:
            read.problems.append(sheet.problem)
        else:
            usable.append(sheet)
    reviewers = _by_reviewer(usable, read)
    for reviewer, own in reviewers:
        if own[-1].reviewer is None:
            read.notes.append(Note.of("reviewer_unnamed", sheet=own[-1].name))
        for file, entries in _rows_by_application(own, by_key, read).items():
            _judge_application(reviewer, file, entries, settings, read, scores, conflicts)
    order = {sheet.name: n for n, sheet in enumerate(sheets)}
    read.problems.sort(key=lambda p: (order.get(p.file, -1), *_reading_order(p.cell)))
    read.scores = ReviewScoreSchema.validate(pd.DataFrame(scores, columns=_SCORE_COLUMNS))
    read.conflicts = pd.DataFrame(conflicts, columns=["reviewer", "file"])
    read.sheets_counted = len(usable)
    read.reviewers = tuple(reviewer for reviewer, _ in reviewers)
    named = [(reviewer, reviewer_key(reviewer)) for reviewer, own in reviewers if own[-1].reviewer]
    read.similar_names = [(a, b) for n, (a, key_a) in enumerate(named)
                          for b, key_b in named[n + 1:] if _similar(key_a, key_b)]
    return read


# Words around a name that say a role or politeness, not who: 山田太郎（委員長）, 委員長 山田太郎,
# 山田太郎先生. Longer words first (副委員長 before 委員長 before 委員).
_TITLES = ("副委員長", "委員長", "副座長", "座長", "審査委員", "審査員", "委員", "先生", "さま", "様",
           "殿", "氏")
_BRACKETED = re.compile(r"[(\[【〔〈<][^)\]】〕〉>]*[)\]】〕〉>]")


def _reading_order(address: str) -> tuple[int, int, str]:
    """A cell address (J6) as (row, column width, column) for sorting; "" (whole file) first."""
    found = re.fullmatch(r"([A-Z]+)([0-9]+)", address)
    return (int(found.group(2)), len(found.group(1)), found.group(1)) if found else (0, 0, "")


def reviewer_key(name: str) -> str:
    """The same reviewer however the name was spaced, typed, titled or given a role."""
    plain = "".join(unicodedata.normalize("NFKC", name).split())
    core = _BRACKETED.sub("", plain)
    stripped = None
    while stripped != core:
        stripped = core
        for title in _TITLES:
            core = core.removeprefix(title).removesuffix(title)
    return (core or plain).casefold()


def _similar(a: str, b: str) -> bool:
    """Two different reviewer keys that may still be one person's: one edit apart (names of
    3 characters or more), or one inside the other (山田 and 山田太郎)."""
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 2 and shorter in longer:
        return True
    return len(shorter) >= 3 and _one_edit_apart(shorter, longer)


def _one_edit_apart(shorter: str, longer: str) -> bool:
    # hand-written: a bounded check on two short names needs no edit-distance library
    if len(longer) == len(shorter):
        return sum(x != y for x, y in zip(shorter, longer, strict=True)) == 1
    return len(longer) == len(shorter) + 1 and any(
        longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def _by_reviewer(sheets: Sequence[ReviewSheet],
                 read: ReviewRead) -> list[tuple[str, list[ReviewSheet]]]:
    """Each reviewer (named as on their newest sheet) with their sheets, oldest first; a sheet
    without a reviewer's name is a reviewer of its own. Merged names and resent sheets are
    said in notes."""
    groups: dict[str, list[ReviewSheet]] = defaultdict(list)
    for sheet in sheets:
        groups[reviewer_key(sheet.reviewer) if sheet.reviewer else f"\0{sheet.name}"].append(sheet)
    reviewers = []
    for same in groups.values():
        ordered, how = _oldest_first(same)
        newest = ordered[-1]
        reviewer = newest.reviewer or newest.name
        typed = list(dict.fromkeys(s.reviewer for s in ordered if s.reviewer))
        if len(typed) > 1:
            read.notes.append(Note.of("reviewer_names_same",
                                      names="と".join(f"「{name}」" for name in typed)))
        if len(ordered) > 1:
            read.notes.append(Note.of("reviewer_sheets_many", reviewer=reviewer, count=len(ordered),
                                      sheets=tuple(s.name for s in ordered), how=how))
        reviewers.append((reviewer, ordered))
    return reviewers


def _oldest_first(sheets: Sequence[ReviewSheet]) -> tuple[list[ReviewSheet], str]:
    """A reviewer's sheets in the order they were saved (their documents' saved times), else in
    the order of their file names; and which order it is, in words."""
    times = [s.saved_at for s in sheets]
    if all(times) and len(set(times)) == len(times):
        return sorted(sheets, key=lambda s: s.saved_at), "保存日時の順"
    return (sorted(sheets, key=lambda s: s.name),
            "ファイル名の順（保存日時では新旧を判断できないため、ファイル名の順で後のものを新しいとしました）")


def _rows_by_application(sheets: Sequence[ReviewSheet], by_key: Mapping[str, list[str]],
                         read: ReviewRead) -> dict[str, list[_Entry]]:
    """One reviewer's rows by the application they score, oldest sheet first. A row naming no
    application of the round is a problem on the reviewer's newest sheet, and a note on an
    earlier one (the newer sheet is the one to fix)."""
    found: dict[str, list[_Entry]] = defaultdict(list)
    newest = sheets[-1]
    for sheet in sheets:
        listed = Counter(file_key(row.file) for row in sheet.rows)
        for row in sheet.rows:
            name_cell = row.cells[FILE_LABEL]
            key = file_key(row.file)
            files = by_key.get(key, [])
            if len(files) != 1:
                code = "unknown_application" if not files else "ambiguous_application"
                if sheet is newest:
                    _problem(read, sheet, name_cell, FILE_LABEL, code)
                elif not _blank(row):
                    read.notes.append(Note.of("review_row_not_ours", sheet=sheet.name,
                                              cell=name_cell.address, file=row.file,
                                              newest=newest.name))
                continue
            if listed[key] > 1:  # never counted twice: every row of it is to be fixed
                _problem(read, sheet, name_cell, FILE_LABEL, "duplicate_review_row")
                continue
            found[files[0]].append((sheet, row))
    return found


def _problem(read: ReviewRead, sheet: ReviewSheet, cell: RawCell, label: str,
             code: str) -> None:
    message = problems.describe(code, label=label, value=display(cell.value))
    read.problems.append(problems.Problem(sheet.name, REVIEW_SHEET, cell.address, label,
                                          display(cell.value), code, message))


def _filled(cell: RawCell) -> bool:
    return clean_text(cell.value) is not None


def _blank(row: ReviewRow) -> bool:
    """No score and no conflict mark: nothing the reviewer said on this row."""
    return not any(_filled(cell) for label, cell in row.cells.items()
                   if label not in (FILE_LABEL, COMMENT_LABEL))


def _judge_application(reviewer: str, file: str, entries: Sequence[_Entry],
                       settings: RoundSettings, read: ReviewRead,
                       scores: list[tuple[str, str, str, int]],
                       conflicts: list[tuple[str, str]]) -> None:
    """One reviewer's say on one application, from their rows for it, oldest first: the newest
    row that says anything decides the conflict; each criterion's score is its newest filled
    cell since the last row marked as a conflict."""
    filled = [entry for entry in entries if not _blank(entry[1])]
    sheet, row = (filled or entries)[-1]
    conflict = parse_mark(row.cells[CONFLICT_LABEL].value)
    if isinstance(conflict, Invalid):
        _problem(read, sheet, row.cells[CONFLICT_LABEL], CONFLICT_LABEL, "bad_mark")
        return
    comments = [clean_text(r.cells[COMMENT_LABEL].value) for _, r in entries if COMMENT_LABEL in r.cells]
    comment = next((c for c in reversed(comments) if c), "")
    if conflict:
        conflicts.append((reviewer, file))
        read.details.append((sheet.name, reviewer, file, "○", comment,
                             *(None for _ in settings.review)))
        given = [row.cells[c.label].address for c in settings.review if _filled(row.cells[c.label])]
        if given:
            read.notes.append(Note.of("review_scores_despite_conflict", sheet=sheet.name,
                                      cells=tuple(given), file=file))
        return
    since = filled[1 + max((n for n, (_, r) in enumerate(filled)
                            if parse_mark(r.cells[CONFLICT_LABEL].value) is True), default=-1):]
    given_scores: list[int | None] = []
    used: list[tuple[str, str]] = []  # (criterion label, sheet) of each score counted
    for criterion in settings.review:
        cells = [(s, r.cells[criterion.label]) for s, r in since if _filled(r.cells[criterion.label])]
        if not cells:
            _problem(read, sheet, row.cells[criterion.label], criterion.label, "missing_score")
            given_scores.append(None)
            continue
        source, cell = cells[-1]
        score = _score(cell.value)
        if isinstance(score, int):
            scores.append((reviewer, file, criterion.key, score))
            used.append((criterion.label, source.name))
            given_scores.append(score)
        else:
            _problem(read, source, cell, criterion.label, "bad_score")
            given_scores.append(None)
    read.details.append((_sources(used, sheet.name), reviewer, file, "", comment, *given_scores))


def _sources(used: Sequence[tuple[str, str]], default: str) -> str:
    """Which sheet each score came from: the sheet's name when all came from one, else each
    sheet with its criteria (審査/3.xlsx（実現可能性）、審査/1.xlsx（課題の明確さ・波及効果））."""
    sheets = list(dict.fromkeys(sheet for _, sheet in used))
    if len(sheets) <= 1:
        return sheets[0] if sheets else default
    return "、".join(f"{sheet}（{'・'.join(label for label, s in used if s == sheet)}）"
                    for sheet in sheets)


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
    """Per application: each criterion's exact mean over reviewers without a conflict (a
    Fraction; None before any score), the number of reviewers, and the criteria they disagree on."""
    stats = read.scores.groupby(["file", "criterion"])["score"].agg(["sum", "count", "min", "max"])
    means = {key: Fraction(int(total), int(count)) for key, total, count in
             zip(stats.index, stats["sum"].tolist(), stats["count"].tolist(), strict=True)}
    spread = dict(zip(stats.index, (stats["max"] - stats["min"]).tolist(), strict=True))
    counts = read.scores.groupby("file")["reviewer"].nunique().to_dict()
    rows = []
    for file in eligible[EligibleSchema.file].tolist():
        row: dict[str, object] = {"file": file}
        for criterion in settings.review:
            row[f"mean:{criterion.key}"] = means.get((file, criterion.key))
        row["reviewer_count"] = int(counts.get(file, 0))
        row["disagreement"] = "、".join(
            c.label for c in settings.review
            if spread.get((file, c.key), 0) >= settings.disagreement_threshold)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["file", *(f"mean:{c.key}" for c in settings.review),
                                        "reviewer_count", "disagreement"])
    return ReviewMeansSchema.validate(frame.astype({f"mean:{c.key}": object for c in settings.review}))


def provisional_reasons(read: ReviewRead, eligible: pd.DataFrame,
                        settings: RoundSettings) -> list[Note]:
    """Why the reviews cannot support a final ranking yet, each with what to do."""
    reasons = [Note.of("review_sheet_problems", sheet=sheet, cells=cells)
               for sheet, cells in _problem_cells(read.problems).items()]
    files = eligible[EligibleSchema.file].tolist()
    if not files:
        return reasons
    reasons += [Note.of("reviewer_names_similar", first=a, second=b) for a, b in read.similar_names]
    if not read.reviewers:
        return [*reasons, Note.of("no_review_sheets")]
    unfinished = list(review_gaps(read, files, settings))
    if unfinished:
        more = f" ほか{len(unfinished) - 5}件" if len(unfinished) > 5 else ""
        reasons.append(Note.of("reviews_unfinished", count=len(unfinished),
                               files=tuple(unfinished[:5]), more=more))
    return reasons


NO_REVIEWS_YET = "審査票がまだ戻っていません"


def review_gaps(read: ReviewRead, files: Sequence[str], settings: RoundSettings) -> dict[str, str]:
    """Per application whose reviews are not all in (a reviewer without a conflict has not
    scored every criterion, or nobody has): what is missing, for its row in 選定会議資料."""
    if not settings.review or not files:
        return {}
    if not read.reviewers:
        return dict.fromkeys(files, NO_REVIEWS_YET)
    scored = read.scores.groupby(["file", "reviewer"])["criterion"].nunique()
    full = set(scored[scored == len(settings.review)].index.tolist())
    conflicted = set(zip(read.conflicts["file"], read.conflicts["reviewer"], strict=True)) \
        if len(read.conflicts) else set()
    gaps = {}
    for file in files:
        missing = [r for r in read.reviewers if (file, r) not in full | conflicted]
        if missing or not any((file, r) in full for r in read.reviewers):
            gaps[file] = (f"{'・'.join(missing)}の点数がそろっていません" if missing
                          else "利害関係のない審査員がいません")
    return gaps


def _problem_cells(found: Sequence[problems.Problem]) -> dict[str, str]:
    cells: dict[str, list[str]] = defaultdict(list)
    for problem in found:
        cells[problem.file].append(problem.cell or "ファイル全体")
    return {sheet: "、".join(listed[:10]) + (f" ほか{len(listed) - 10}か所" if len(listed) > 10 else "")
            for sheet, listed in cells.items()}
