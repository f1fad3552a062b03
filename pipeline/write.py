"""Writing a decided round: every output, staged and published all at once.

The writers are independent; on a large round two processes share them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pipeline import correspondence, reviews, score, workers
from pipeline.form import write_form
from pipeline.outputs import OutputSet
from pipeline.plan import PLAN_DIR, plan_file_name, write_plan
from pipeline.report import RoundResult, write_selection
from pipeline.run import Stopwatch
from schemas.selection import SELECTED

SELECTION_FILE = "選定結果.xlsx"
REVIEW_FILE = "審査票.xlsx"
FORM_FILE = "申請用紙.xlsx"


def write_outputs(outbox: Path, result: RoundResult, templates: Mapping[str, str],
                  watch: Stopwatch) -> RoundResult:
    """Write every output into ``outbox``; the previous outputs stay whole on failure.
    Returns the result with the plan files it wrote."""
    selected = result.ranked[result.ranked["decision"] == SELECTED]
    result = dataclasses.replace(result, plan_files={
        str(row["file"]): f"{PLAN_DIR}/{plan_file_name(int(row['rank']), row['municipality'], row['org_name'])}"
        for _, row in selected.iterrows()})
    with OutputSet(outbox) as outputs:
        jobs: list[workers.Job] = [  # independent; the longest first
            ("write selection", write_selection, (outputs.path(SELECTION_FILE), result)),
            ("write letters", correspondence.write_letters,
             (outputs.folder(correspondence.RETURN_DIR),
              outputs.folder(correspondence.NOTICE_DIR), result, templates)),
            ("write review sheet", _write_review_sheet, (outputs.path(REVIEW_FILE), result)),
            ("write plans", _write_plans, (outputs.folder(PLAN_DIR), selected, result)),
            ("write form", write_form, (outputs.path(FORM_FILE),)),
        ]
        large = len(result.ledger) >= workers.PARALLEL_FROM
        watch.laps.update(workers.run_jobs(jobs, parallel=large))
    return result


def _write_plans(folder: Path, selected: pd.DataFrame, result: RoundResult) -> None:
    for _, row in selected.iterrows():
        write_plan(folder / Path(result.plan_files[str(row["file"])]).name, row, result.settings)


def _write_review_sheet(path: Path, result: RoundResult) -> None:
    eligible = result.ranked.sort_values("file").reset_index(drop=True)
    reviews.write_review_sheet(path, eligible, result.settings,
                               score.auto_total(eligible, result.settings))
