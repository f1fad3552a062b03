"""Writing a decided round: every output, staged and published all at once.

The writers are independent; on a large round two processes share them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pipeline.core import processes
from pipeline.core.manifest import LastRun, Results
from pipeline.core.names import (
    DRAFT_NOTICE_DIR,
    FORM_FILE,
    LIST_FILE,
    NOTICE_DIR,
    PLAN_DIR,
    PROGRESS_FILE,
    REPORT_FILE,
    RETURN_DIR,
    REVIEW_FILE,
    SELECTION_FILE,
)
from pipeline.core.points import row_sums
from pipeline.core.result import RoundResult
from pipeline.core.timing import Lap, no_lap
from pipeline.stage3_write import letters
from pipeline.stage3_write.form import write_form
from pipeline.stage3_write.outputs import OutputSet, part_room
from pipeline.stage3_write.plans import log_file_name, plan_file_name, write_log, write_plan
from pipeline.stage3_write.review_sheet import write_review_sheet
from pipeline.stage3_write.selection import write_application_list, write_selection
from schemas.selection import SELECTED, points_column


def write_outputs(outbox: Path, result: RoundResult, templates: Mapping[str, str],
                  lap: Lap = no_lap, last: LastRun | None = None,
                  keep_existing: bool = False, report: bool = False) -> RoundResult:
    """Write every output into ``outbox``; the previous outputs stay whole on failure, and
    staff's files there are kept (``keep_existing``: see OutputSet). Returns the result with
    the plan files it wrote and the staff's files it kept."""
    selected = result.ranked[result.ranked["decision"] == SELECTED]
    room = part_room(outbox)  # every path within Windows' limit, in a deep folder too
    result = dataclasses.replace(result, plan_files={
        str(row["file"]): f"{PLAN_DIR}/{plan_file_name(int(row['rank']), row['municipality'], row['org_name'], room)}"
        for _, row in selected.iterrows()})
    folders = (RETURN_DIR, NOTICE_DIR, DRAFT_NOTICE_DIR, PLAN_DIR)
    with lap("write"), OutputSet(outbox, result.run_at, last, _results(result),
                                 result.issued, result.plan_files, keep_existing) as outputs:
        # Independent, taken in this order by two processes: 選定結果 and 申請一覧 (the most
        # cells) first, one on each, then the others as each process is free.
        letter_folders = (outputs.folder(RETURN_DIR), outputs.folder(NOTICE_DIR),
                          outputs.folder(DRAFT_NOTICE_DIR))
        selection = outputs.path(SELECTION_FILE)
        jobs: list[processes.Job] = [
            ("write application list", write_application_list,
             (outputs.path(LIST_FILE), result)),
            ("write review sheet", _write_review_sheet, (outputs.path(REVIEW_FILE), result)),
            ("write letters", letters.write_letters,
             (*letter_folders, result, templates, outputs.write_file, room)),
            ("write plans", _write_plans, (outputs.folder(PLAN_DIR), selected, result)),
            ("write form", write_form, (outputs.path(FORM_FILE), result.settings)),
            *_support_jobs(outputs, result, report),
        ]
        large = len(result.ledger) >= processes.PARALLEL_FROM
        written = {*outputs.files, *result.plan_files.values()}
        if outputs.staff_under(folders[:3]):  # 概要 says where the letters of their names went
            processes.run_jobs(jobs, parallel=large)
            result = dataclasses.replace(result, staff_files=outputs.kept(written | outputs.staged()))
            write_selection(selection, result)
        else:
            result = dataclasses.replace(result, staff_files=outputs.kept(written))
            processes.run_jobs([("write selection", write_selection, (selection, result)), *jobs],
                               parallel=large)
    return result


def _support_jobs(outputs: OutputSet, result: RoundResult, report: bool) -> list[processes.Job]:
    """進捗.xlsx each run; 成果報告.xlsx when asked for, and from then on each run."""
    if result.support is None:
        return []
    from pipeline.stage3_write.progress import write_progress
    from pipeline.stage3_write.report import write_report

    rows = result.settings.support.as_rows()
    jobs: list[processes.Job] = [("write progress", write_progress, (
        outputs.path(PROGRESS_FILE), result.support, result.settings.name, rows,
        result.provisional))]
    if report or (outputs.manifest and REPORT_FILE in outputs.manifest.latest):
        jobs.append(("write report", write_report, (
            outputs.path(REPORT_FILE), result.support, result.ranked, result.settings)))
    return jobs


def _results(result: RoundResult) -> Results:
    """What the next run compares with (前回からの変更)."""
    ranks = dict(zip(result.ranked["file"].tolist(),
                     zip(result.ranked["rank"].tolist(), map(str, result.ranked["total"].tolist()),
                         strict=True), strict=True))
    return {file: (decision, org if isinstance(org, str) else "", *ranks.get(file, (None, None)))
            for file, decision, org in zip(result.ledger["file"].tolist(),
                                           result.ledger["decision"].tolist(),
                                           result.ledger["org_name"].tolist(), strict=True)}


def _write_plans(folder: Path, selected: pd.DataFrame, result: RoundResult) -> None:
    """Each selected district's plan, and its support log beside it."""
    for _, row in selected.iterrows():
        name = Path(result.plan_files[str(row["file"])]).name
        write_plan(folder / name, row, result.settings, provisional=result.provisional)
        write_log(folder / log_file_name(name), row, result.settings,
                  provisional=result.provisional)


def _write_review_sheet(path: Path, result: RoundResult) -> None:
    eligible = result.ranked.sort_values("file").reset_index(drop=True)
    auto = [total for total, _ in row_sums(
        [eligible[points_column(c.key)].tolist() for c in result.settings.auto], len(eligible))]
    write_review_sheet(path, eligible, result.settings,
                       pd.Series(auto, index=eligible["file"], dtype=object))
