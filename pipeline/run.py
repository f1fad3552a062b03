"""Wiring: the place to read to understand a run.

intake → validate → eligibility → score → select → write. Each stage is a
module of functions on DataFrames; this module only calls them in order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
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
    ReceivedSchema,
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


def decide(inbox: Path, settings: RoundSettings, run_at: dt.datetime,
           progress: Progress | None = None) -> RoundResult:
    """Read the inbox and decide every file; writes nothing."""
    if not inbox.is_dir():
        raise InboxError(f"受付フォルダ {inbox} が見つかりません。フォルダを作り、申請用紙を保存してください。")
    try:
        scan = intake.scan_inbox(inbox)
    except OSError as error:
        raise InboxError(f"受付フォルダ {inbox} を読み込めません（{error.strerror}）。") from error
    register = intake.read_register(scan.register)
    with (progress or _no_progress)(len(scan.files)) as advance:
        forms = workers.read_forms(scan.files, advance)
    validated = validate_forms(forms)
    records = validated.records
    receipt = eligibility.receipts(scan.files, register, records)

    decisions: dict[str, tuple[str, str]] = {}
    superseded = eligibility.superseded(receipt, records)
    for item in superseded:
        decisions[item.file] = (DUPLICATE, item.reason)
    problem_frame = validated.problems
    for file, group in problem_frame.groupby("file", sort=False):
        if file in decisions:
            continue
        if (group["sheet"] != "").all() and file in records.index:
            decisions[str(file)] = (NEEDS_FIX, f"入力の不備が{len(group)}件あります（入力エラーシート参照）。")
        else:
            decisions[str(file)] = (UNREADABLE, str(group["message"].iloc[0]))

    clean = validated.applications
    clean = clean[~clean["file"].isin(decisions)]
    received = clean.merge(receipt, on="file", how="left", validate="one_to_one")
    received = ReceivedSchema.validate(received)
    eligible, ineligible = eligibility.check_eligibility(received, settings)
    for file, group in ineligible.groupby("file", sort=False):
        decisions[str(file)] = (INELIGIBLE, " ".join(group["reason"]))

    review_read = reviews.read_reviews(scan.review_files, settings, set(eligible["file"]))
    aggregated = reviews.aggregate(review_read, eligible, settings)
    scored = score.score(eligible, aggregated, settings)
    ranked = select.rank(scored, settings) if len(scored) else _empty_ranked(scored)
    for row in ranked.itertuples(index=False):
        decisions[str(row.file)] = (str(row.decision), str(row.reason))

    org_names = records["org_name"] if len(records) else pd.Series(dtype=object)
    remarks = {form.file: f" {form.remark}" for form in forms if form.remark}
    ledger = receipt.assign(
        org_name=receipt["file"].map(org_names),
        decision=[decisions[f][0] for f in receipt["file"]],
        reason=[decisions[f][1] + remarks.get(f, "") for f in receipt["file"]],
    )
    review_problems = pd.DataFrame([tuple(p.__dict__.values()) for p in review_read.problems],
                                   columns=problem_frame.columns, dtype=object)
    notes = (*register.notes,
             *(f"受付簿に記載があるが inbox にないファイル：{name}"
               for name in eligibility.unlisted_register_rows(scan.files, register)),
             *review_read.notes)
    return RoundResult(
        settings=settings,
        run_at=run_at,
        ledger=LedgerSchema.validate(ledger),
        ranked=ranked,
        ineligible=ineligible,
        problems=pd.concat([problem_frame, review_problems], ignore_index=True),
        records=records,
        provisional=len(ranked) > 0 and score.is_provisional(ranked),
        ignored=scan.ignored,
        notes=notes,
        review_sheets=len(scan.review_files),
        plan_files={},
        superseded_by={item.file: item.by for item in superseded},
        sources={f.name: f.path for f in scan.files},
    )


@contextlib.contextmanager
def _no_progress(total: int) -> Iterator[Callable[[int], None]]:
    yield lambda count: None


def _empty_ranked(scored: pd.DataFrame) -> pd.DataFrame:
    return RankedSchema.validate(scored.assign(rank=pd.Series(dtype=int),
                                               decision=pd.Series(dtype=str),
                                               reason=pd.Series(dtype=str)))


def run_round(inbox: Path, outbox: Path, settings: RoundSettings,
              run_at: dt.datetime | None = None, progress: Progress | None = None) -> RoundResult:
    """Decide the round and write every output; the previous outputs stay whole on failure."""
    templates = correspondence.load_templates(settings.templates)
    result = decide(inbox, settings, run_at or run_time(), progress)
    selected = result.ranked[result.ranked["decision"] == SELECTED]
    plan_files = {
        str(row["file"]): f"{PLAN_DIR}/{plan_file_name(int(row['rank']), row['municipality'], row['org_name'])}"
        for _, row in selected.iterrows()
    }
    result = dataclasses.replace(result, plan_files=plan_files)
    with OutputSet(outbox) as outputs:
        plans = outputs.folder(PLAN_DIR)
        for _, row in selected.iterrows():
            write_plan(plans / Path(plan_files[str(row["file"])]).name, row, settings)
        write_selection(outputs.path(SELECTION_FILE), result)
        correspondence.write_returns(outputs.folder(correspondence.RETURN_DIR), result,
                                     result.sources, templates)
        correspondence.write_notices(outputs.folder(correspondence.NOTICE_DIR), result, templates)
        eligible = result.ranked.sort_values("file").reset_index(drop=True)
        reviews.write_review_sheet(outputs.path(REVIEW_FILE), eligible, settings,
                                   score.auto_total(eligible, settings))
        write_form(outputs.path(FORM_FILE))
    return result
