"""Wiring: the place to read to understand a run.

intake → validate → eligibility → score → select → write. Each stage is a
module of functions on DataFrames; this module only calls them in order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from pipeline import (
    correspondence,
    eligibility,
    intake,
    reviews,
    score,
    select,
    workers,
)
from pipeline.errors import InboxError
from pipeline.form import write_form
from pipeline.outputs import OutputSet
from pipeline.plan import PLAN_DIR, plan_file_name, write_plan
from pipeline.report import RoundResult, write_selection
from pipeline.settings import JST, RoundSettings
from pipeline.validate import validate_forms
from schemas.selection import (
    DUPLICATE,
    INELIGIBLE,
    NEEDS_FIX,
    SELECTED,
    UNREADABLE,
    LedgerSchema,
    RankedSchema,
)

SELECTION_FILE = "選定結果.xlsx"
REVIEW_FILE = "審査票.xlsx"
FORM_FILE = "申請用紙.xlsx"


def run_time() -> dt.datetime:
    """Now in Japan time, or SOURCE_DATE_EPOCH when set (reproducible outputs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), JST)
    return dt.datetime.now(JST)


# Given the number of files, a context yielding a function called with each count finished.
Progress = Callable[[int], contextlib.AbstractContextManager[Callable[[int], None]]]


class Stopwatch:
    """Seconds spent per stage of a run (for the benchmark)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}

    @contextlib.contextmanager
    def lap(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.laps[stage] = self.laps.get(stage, 0.0) + time.perf_counter() - started


def decide(inbox: Path, settings: RoundSettings, run_at: dt.datetime,
           progress: Progress | None = None, watch: Stopwatch | None = None) -> RoundResult:
    """Read the inbox and decide every file; writes nothing."""
    watch = watch or Stopwatch()
    with watch.lap("scan"):
        scan = _scan(inbox)
        register = intake.read_register(scan.register)
    with watch.lap("read"), (progress or _no_progress)(len(scan.files)) as advance:
        forms = workers.read_forms(scan.files, advance)
    hashes = {form.file: form.sha256 for form in forms}
    remarks = {form.file: f" {form.remark}" for form in forms if form.remark}
    with watch.lap("validate"):
        validated = validate_forms(forms)
    del forms  # the raw cells are no longer needed: a large round's memory goes down here
    records = validated.records
    with watch.lap("eligibility"):
        receipt = eligibility.receipts(hashes, register, records)
        superseded = eligibility.superseded(receipt, records)
        decisions = {item.file: (DUPLICATE, item.reason) for item in superseded}
        decisions |= _unjudgeable(validated.problems, records, set(decisions))
        clean = validated.applications
        received = clean[~clean["file"].isin(decisions)].merge(receipt, on="file", how="left",
                                                               validate="one_to_one")
        eligible, ineligible = eligibility.check_eligibility(received, settings)
        for file, group in ineligible.groupby("file", sort=False):
            decisions[str(file)] = (INELIGIBLE, " ".join(group["reason"]))
    with watch.lap("score and select"):
        review_read = reviews.read_reviews(scan.review_files, settings, set(eligible["file"]))
        scored = score.score(eligible, reviews.aggregate(review_read, eligible, settings),
                             settings)
        ranked = select.rank(scored, settings) if len(scored) else _empty_ranked(scored)
        decisions |= {str(f): (str(d), str(r)) for f, d, r in
                      zip(ranked["file"].tolist(), ranked["decision"].tolist(),
                          ranked["reason"].tolist(), strict=True)}
    with watch.lap("ledger"):
        files = receipt["file"].tolist()  # plain strings: quick to loop over
        ledger = LedgerSchema.validate(receipt.assign(
            org_name=receipt["file"].map(records["org_name"] if len(records) else {}),
            decision=[decisions[f][0] for f in files],
            reason=[decisions[f][1] + remarks.get(f, "") for f in files],
        ))
    review_problems = pd.DataFrame([dataclasses.astuple(p) for p in review_read.problems],
                                   columns=validated.problems.columns, dtype=object)
    return RoundResult(
        settings=settings,
        run_at=run_at,
        ledger=ledger,
        ranked=ranked,
        ineligible=ineligible,
        problems=pd.concat([validated.problems, review_problems], ignore_index=True),
        records=records,
        provisional=len(ranked) > 0 and score.is_provisional(ranked),
        ignored=scan.ignored,
        notes=(*register.notes,
               *(f"受付簿に記載があるが inbox にないファイル：{name}"
                 for name in eligibility.unlisted_register_rows(scan.files, register)),
               *review_read.notes),
        review_sheets=len(scan.review_files),
        plan_files={},
        superseded_by={item.file: item.by for item in superseded},
        sources={f.name: f.path for f in scan.files},
    )


def _scan(inbox: Path) -> intake.InboxScan:
    if not inbox.is_dir():
        raise InboxError(f"受付フォルダ {inbox} が見つかりません。フォルダを作り、申請用紙を保存してください。")
    try:
        return intake.scan_inbox(inbox)
    except OSError as error:
        raise InboxError(f"受付フォルダ {inbox} を読み込めません（{error.strerror}）。") from error


def _unjudgeable(problems: pd.DataFrame, records: pd.DataFrame,
                 decided: set[str]) -> dict[str, tuple[str, str]]:
    """要修正 for a form with input problems; 読込不可 for a file that is not a readable form."""
    found = {}
    for file, group in problems.groupby("file", sort=False):
        if file in decided:
            continue
        if (group["sheet"] != "").all() and file in records.index:
            found[str(file)] = (NEEDS_FIX, f"入力の不備が{len(group)}件あります（入力エラーシート参照）。")
        else:
            found[str(file)] = (UNREADABLE, str(group["message"].iloc[0]))
    return found


@contextlib.contextmanager
def _no_progress(total: int) -> Iterator[Callable[[int], None]]:
    yield lambda count: None


def _empty_ranked(scored: pd.DataFrame) -> pd.DataFrame:
    return RankedSchema.validate(scored.assign(rank=pd.Series(dtype=int),
                                               decision=pd.Series(dtype=str),
                                               reason=pd.Series(dtype=str)))


def run_round(inbox: Path, outbox: Path, settings: RoundSettings,
              run_at: dt.datetime | None = None, progress: Progress | None = None,
              watch: Stopwatch | None = None) -> RoundResult:
    """Decide the round and write every output; the previous outputs stay whole on failure."""
    watch = watch or Stopwatch()
    templates = correspondence.load_templates(settings.templates)
    result = decide(inbox, settings, run_at or run_time(), progress, watch)
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
