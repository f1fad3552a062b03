"""Returned review sheets (審査票): each sheet's reviewer and rows, raw, with their cells.

Judging the scores (valid, conflicts, applications in the round) is
:mod:`pipeline.stage2_decide.reviews`' work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import python_calamine

from pipeline.core import problems, processes
from pipeline.core.cells import cell_address
from pipeline.core.normalize import clean_text, label_key
from pipeline.core.records import RawCell, ReviewRow, ReviewSheet
from pipeline.core.reviewspec import (
    COMMENT_LABEL,
    CONFLICT_LABEL,
    FILE_LABEL,
    REVIEW_SHEET,
    REVIEWER_LABEL,
)
from pipeline.stage1_read import zipparts
from pipeline.stage1_read.inbox import REVIEW_DIR, shown_name
from pipeline.stage1_read.sniff import sniff, staff_workbook

Grid = Sequence[Sequence[object]]


def read_review_sheets(paths: Sequence[Path], criteria: Sequence[str]) -> list[ReviewSheet]:
    """Every returned review sheet; ``criteria`` are the labels of the score columns. Each is
    read in a worker process with a memory limit: one that exhausts or crashes its parser costs
    that sheet only."""
    names = [f"{REVIEW_DIR}/{shown_name(path.name)}" for path in paths]

    def unreadable(index: int) -> ReviewSheet:
        return ReviewSheet(names[index], None, problem=_file_problem(names[index],
                                                                     "review_unreadable"))

    return processes.isolated([(_read_sheet, (path, name, criteria))
                               for path, name in zip(paths, names, strict=True)], unreadable)


def _read_sheet(path: Path, name: str, criteria: Sequence[str]) -> ReviewSheet:
    grid = _review_grid(path, name)
    if isinstance(grid, problems.Problem):
        return ReviewSheet(name, None, problem=grid)
    wanted = [FILE_LABEL, CONFLICT_LABEL, *criteria]
    header = next((r for r, row in enumerate(grid)
                   if set(wanted) <= {label_key(v) for v in row}), None)
    if header is None:
        return ReviewSheet(name, None, problem=problems.whole_file(
            name, "other_review_sheet", sheet=REVIEW_SHEET, extra="・".join(wanted)))
    columns = {label_key(v): c for c, v in enumerate(grid[header]) if isinstance(v, str)}
    if COMMENT_LABEL in columns:  # optional: a sheet without the column still counts
        wanted.append(COMMENT_LABEL)
    rows = []
    for r in range(header + 1, len(grid)):
        file = clean_text(grid[r][columns[FILE_LABEL]])
        if file is not None:
            rows.append(ReviewRow(file, {label: RawCell(grid[r][columns[label]],
                                                           cell_address(r, columns[label]))
                                         for label in wanted}))
    return ReviewSheet(name, _reviewer_name(grid), tuple(rows), saved_at=saved_at(path))


def _review_grid(path: Path, name: str) -> Grid | problems.Problem:
    code = sniff(path, limits=staff_workbook(REVIEW_SHEET))
    if code is None:
        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            try:
                if REVIEW_SHEET in workbook.sheet_names:
                    return workbook.get_sheet_by_name(REVIEW_SHEET).to_python(
                        skip_empty_area=False)
                code = "no_review_sheet"
            finally:
                workbook.close()
        except (python_calamine.CalamineError, OSError, ValueError):
            code = "review_unreadable"
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # a panic in the Rust parser (pyo3's PanicException)
            code = "review_unreadable"
    return _file_problem(name, code)


def _file_problem(name: str, code: str) -> problems.Problem:
    """A problem with the review sheet as a whole."""
    return problems.whole_file(name, code)


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([0-9T:.Z+-]{10,40})</dcterms:modified>")


def saved_at(path: Path) -> str:
    try:
        data = path.read_bytes()
        entry = zipparts.entries(data).get("docProps/core.xml")
        found = _MODIFIED.search(zipparts.read(data, entry, 1 << 16)) if entry else None
    except (OSError, zipparts.BadZip):
        return ""
    return found.group(1).decode() if found else ""


def _reviewer_name(grid: Grid) -> str | None:
    for row in grid:
        for c, value in enumerate(row):
            if label_key(value) == REVIEWER_LABEL and c + 1 < len(row):
                return clean_text(row[c + 1])
    return None
