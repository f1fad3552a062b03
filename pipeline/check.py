"""Check files the moment they arrive (bansou check): each as what it is — an application form,
a returned review sheet, or the receipt register."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from pipeline.core import problems
from pipeline.core.names import (
    LIST_FILE,
    PROGRESS_FILE,
    REPORT_FILE,
    SELECTION_FILE,
    SUPPORT_DIR,
)
from pipeline.core.records import InboxFile, RawForm, Register
from pipeline.core.reviewspec import REVIEW_SHEET
from pipeline.core.settings import RoundSettings
from pipeline.core.support import log_activities
from pipeline.stage1_read import workers
from pipeline.stage1_read.inbox import REVIEW_DIR
from pipeline.stage1_read.register import registers_by_content
from pipeline.stage1_read.review_sheets import read_review_sheets
from pipeline.stage1_read.support import read_support_files
from pipeline.stage3_write.outputs import output_name


def check_files(paths: Sequence[Path], settings: RoundSettings | None = None
                ) -> dict[Path, list[problems.Problem]]:
    """Every problem of each file, in the order of its cells. ``settings`` (the round's
    review criteria and deadline) are needed to check a review sheet; without them a
    review sheet is reported as not checkable.

    The forms are read together (in two worker processes when there are many) and validated
    in one pass, so that checking a whole inbox takes about as long as a run reads it.
    """
    unique = list(dict.fromkeys(paths))
    # plans and logs staff saved into inbox/支援/ are never forms
    support_files = [path for path in unique if path.parent.name == SUPPORT_DIR]
    unique = [path for path in unique if path not in support_files]
    # A path names each form: two files of the same name in different folders stay apart.
    forms = workers.read_forms([InboxFile(str(path), path) for path in unique])
    staff_files: dict[Path, list[problems.Problem]] = {}
    found: dict[Path, list[problems.Problem]] = {path: [] for path in unique}
    found |= _support_problems(support_files, settings)
    by_name = {str(path): path for path in unique}
    # A workbook that is not a form may be a review sheet or the register: checked as such.
    year = settings.deadline.year if settings else dt.date.today().year
    others = [path for path, form in zip(unique, forms, strict=True)
              if not form.is_form and form.problems[0].code == "not_a_form"]
    # our own results have a register's headings (受付一覧): never taken for one
    ours = [path for path in others
            if output_name(path.name) in _RESULTS and not _is_review_sheet(path)]
    staff_files |= {path: [problems.whole_file(str(path), "our_output", extra=path.name)]
                    for path in ours}
    others = [path for path in others if path not in ours]
    for path in filter(_is_review_sheet, others):
        staff_files[path] = _review_problems(path, settings)
    maybe_registers = [path for path in others if not _is_review_sheet(path)]
    for path, register in zip(maybe_registers, registers_by_content(maybe_registers, year),
                              strict=True):
        if register is not None:
            staff_files[path] = _register_problems(path, register)
    deadline = settings.deadline.date() if settings else None
    for problem in _form_problems(forms, deadline):
        if by_name[problem.file] not in staff_files:
            found[by_name[problem.file]].append(problem)
    return found | staff_files


def _form_problems(forms: Sequence[RawForm], deadline: dt.date | None) -> list[problems.Problem]:
    """Each file's problems as a run finds them. The deciding stage (pandas, pandera: most of
    the command's time) is imported only when a file is a form: a PDF, a picture or a damaged
    file is answered at once."""
    if not any(form.is_form for form in forms):
        return problems.in_order(problem for form in forms for problem in form.problems)
    from pipeline.stage2_decide.validate import validate_forms

    return [problems.Problem(*row) for row in
            validate_forms(forms, deadline).problems.itertuples(index=False, name=None)]


# what a run writes for staff to read, never a file to check (unlike the blank form and review sheet)
_RESULTS = (SELECTION_FILE, LIST_FILE, PROGRESS_FILE, REPORT_FILE)


def _is_review_sheet(path: Path) -> bool:
    return path.parent.name == REVIEW_DIR or path.stem.startswith(REVIEW_SHEET)


def _review_problems(path: Path, settings: RoundSettings | None) -> list[problems.Problem]:
    if settings is None:
        return [problems.whole_file(str(path), "needs_settings", extra="審査票の評価項目")]
    from pipeline.stage2_decide import reviews

    (sheet,) = read_review_sheets([path], [c.label for c in settings.review])
    # Outside a run the round's applications are not known: every file name listed counts.
    read = reviews.judge([sheet], settings, [row.file for row in sheet.rows])
    return [p for p in read.problems if p.code != "ambiguous_application"]


def _support_problems(paths: Sequence[Path], settings: RoundSettings | None
                      ) -> dict[Path, list[problems.Problem]]:
    """What each plan or support log says wrongly of itself (dates, counts, hidden sheets,
    a file that is neither). Outside a run the selected districts are not known: whether a
    file belongs to one is said by the run (進捗.xlsx)."""
    if not paths:
        return {}
    if settings is None:
        return {path: [problems.whole_file(str(path), "needs_settings", extra="計画書・支援記録")]
                for path in paths}
    read = read_support_files(list(paths), log_activities(settings.plan))
    return {path: [dataclasses.replace(problem, file=str(path)) for problem in file.problems]
            for path, file in zip(paths, read, strict=True)}


def _register_problems(path: Path, register: Register) -> list[problems.Problem]:
    return [problems.Problem(str(path), "", entry.time_cell, "受付日時", entry.raw_time,
                             "bad_datetime", problems.describe("bad_datetime", label="受付日時",
                                                               value=entry.raw_time))
            for entry in register.entries if entry.received is None]
