"""Deciding a round: validate → eligibility → score → select, then one 判定 per file.

Takes the files as read (:mod:`pipeline.stage1_read`) and returns a :class:`RoundResult`;
reads and writes nothing. Each stage is a module of functions on DataFrames; this one
calls them in order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import problems as problem_kinds
from pipeline.core.manifest import Issued
from pipeline.core.records import InboxScan, Previous, RawForm, Register, ReviewSheet
from pipeline.core.result import RoundResult
from pipeline.core.settings import RoundSettings
from pipeline.core.timing import Lap, no_lap
from pipeline.core.wording import japanese_datetime, month_day
from pipeline.stage2_decide import changes, eligibility, receipt, reviews, score, select, staff
from pipeline.stage2_decide.arrivals import resubmission_end
from pipeline.stage2_decide.validate import validate_forms
from schemas.selection import (
    DUPLICATE,
    INELIGIBLE,
    NEEDS_FIX,
    UNREADABLE,
    EligibleSchema,
    IneligibleSchema,
    LedgerSchema,
    ProblemSchema,
    RankedSchema,
)


def decide(scan: InboxScan, register: Register, review_sheets: Sequence[ReviewSheet],
           forms: list[RawForm], settings: RoundSettings, run_at: dt.datetime,
           lap: Lap = no_lap, previous: Previous | None = None,
           issued: Issued | None = None) -> RoundResult:
    """Every file's 判定, with everything the outputs show. ``forms`` is emptied once
    validated: a large round's memory goes down there."""
    hashes = {form.file: form.sha256 for form in forms}
    remarks = {form.file: f" {form.remark}" for form in forms if form.remark}
    for form in forms:  # a form made for another round (last year's, kept by the applicant)
        if form.round_name and form.round_name != settings.name:
            note = other_round(form.round_shown, settings)
            remarks[form.file] = f"{remarks.get(form.file, '')} {note}"
    corrects = {form.file: form.corrects for form in forms if form.corrects}
    with lap("validate"):
        validated = validate_forms(forms, settings.deadline.date())
    forms.clear()  # the raw cells are no longer needed
    records = validated.records
    for name, inferred in validated.inferred.items():
        remarks[name] = remarks.get(name, "") + f" {inferred}"
    with lap("eligibility"):
        unjudgeable = _unjudgeable(validated.problems, records)
        rulings = staff.resolve(register.decisions, hashes, register.source)
        received_files = receipt.receive(
            hashes, register, records, corrects,
            {f: verdict.decision for f, verdict in unjudgeable.items()}, settings, run_at,
            rulings, anonymous=[f for f, verdict in unjudgeable.items() if verdict.code == "blank_form"],
            issued=issued)
        receipts = received_files.frame
        decisions = {file: Verdict(INELIGIBLE, "staff_excluded", f"{ruling.shown()}。")
                     for file, ruling in rulings.by_file.items() if ruling.action == staff.EXCLUDE}
        decisions |= {item.file: Verdict(DUPLICATE, item.code, item.reason)
                      for item in received_files.superseded if item.file not in decisions}
        decisions |= {f: v for f, v in unjudgeable.items() if f not in decisions}
        decisions |= _missed_resubmission(decisions, settings, run_at)
        clean = validated.applications
        received = clean[~clean["file"].isin(decisions)].merge(receipts, on="file", how="left",
                                                               validate="one_to_one")
        eligible, ineligible, place_notes, disputes = eligibility.check_eligibility(received,
                                                                                    settings)
        if rulings.by_file:  # staff decisions over the rules' verdict (checked again: 0.2 s)
            ruled, ineligible_ruled = staff.apply_eligibility(received, eligible, ineligible,
                                                              rulings)
            eligible = EligibleSchema.validate(ruled)
            ineligible = IneligibleSchema.validate(ineligible_ruled)
            # a staff decision on the file settles what its evidence disputed
            disputes = {f: text for f, text in disputes.items()
                        if f not in rulings.by_file and f in set(eligible["file"])}
        for file, group in ineligible.groupby("file", sort=False):
            decisions[str(file)] = Verdict(INELIGIBLE, str(group["rule"].iloc[0]),
                                           " ".join(group["reason"]))
    with lap("score and select"):
        review_read = reviews.judge(review_sheets, settings, eligible["file"].tolist())
        scored = score.score(eligible, reviews.aggregate(review_read, eligible, settings),
                             settings)
        ranked = select.rank(scored, settings) if len(scored) else _empty_ranked(scored)
        decisions |= {str(f): Verdict(str(d), str(c), str(r)) for f, d, c, r in
                      zip(ranked["file"].tolist(), ranked["decision"].tolist(),
                          ranked["reason_code"].tolist(), ranked["reason"].tolist(), strict=True)}
    with lap("ledger"):
        # for staff, on the file's rows in 受付一覧 and 選定順位 (never in a letter)
        ruling_notes = {f: f"{ruling.shown()}。" for f, ruling in rulings.by_file.items()
                        if ruling.action != staff.EXCLUDE}  # an exclusion is the row's reason
        staff_notes = {f: " ".join(filter(None, (received_files.remarks.get(f, "").strip(),
                                                 place_notes.get(f, ""), disputes.get(f, ""),
                                                 ruling_notes.get(f, ""))))
                       for f in {*received_files.remarks, *place_notes, *disputes, *ruling_notes}}
        files = receipts["file"].tolist()  # plain strings: quick to loop over
        ledger = LedgerSchema.validate(receipts.assign(
            org_name=receipts["file"].map(records["org_name"] if len(records) else {}),
            decision=[decisions[f].decision for f in files],
            reason=[decisions[f].reason + remarks.get(f, "") for f in files],
            reason_code=[decisions[f].code for f in files],
            staff_note=[staff_notes.get(f, "") for f in files],
        ))
        if staff_notes:  # on its ranked row too
            ranked = ranked.assign(reason=[f"{r} {staff_notes[f]}" if f in staff_notes else r
                                           for f, r in zip(ranked["file"], ranked["reason"],
                                                           strict=True)])
    changed = changes.compare(previous, ledger, ranked)
    review_problems = pd.DataFrame([dataclasses.astuple(p) for p in review_read.problems],
                                   columns=validated.problems.columns, dtype=object)
    return RoundResult(
        settings=settings,
        run_at=run_at,
        ledger=ledger,
        ranked=ranked,
        ineligible=ineligible,
        problems=ProblemSchema.validate(
            pd.concat([validated.problems, review_problems], ignore_index=True)),
        records=records,
        provisional_reasons=tuple(dict.fromkeys([
            *_phase(len(hashes), settings, run_at),
            *(note.text for note in received_files.provisional),
            *rulings.provisional,
            *_awaiting_corrections(decisions, settings, run_at),
            *reviews.provisional_reasons(review_read, eligible, settings),
            *eligibility.dispute_reasons(disputes),
        ])),
        ignored=scan.ignored,
        register_notes=(*(note.text for note in received_files.notes), *rulings.notes),
        review_notes=tuple(review_read.notes),
        review_sheets=review_read.sheets_counted,
        plan_files={},
        superseded_by={item.file: item.by for item in received_files.superseded},
        sources={f.name: f.path for f in scan.files},
        changes=changed,
        review_details=pd.DataFrame(review_read.details, columns=[
            "sheet", "reviewer", "file", "conflict", "comment",
            *(c.key for c in settings.review)]),
        changes_summary=changes.summary(previous, changed),
        location_notes=tuple(f"{file}: {note}" for file, note in place_notes.items()),
        issued=receipt.issued_now(issued or {}, hashes, _sent_back(decisions), records, run_at),
        type_disputes=tuple(f"{file}: {text}" for file, text in disputes.items()),
    )


def _phase(files: int, settings: RoundSettings, run_at: dt.datetime) -> list[str]:
    """Before the deadline more applications may come; with none, there is nothing to fix."""
    if run_at <= settings.deadline:
        return [f"締切前です（締切：{japanese_datetime(settings.deadline)}）。締切後にもう一度実行すると"
                "確定できます"]
    if not files:
        return ["inbox に申請がありません。届いた申請用紙を inbox に保存してください"]
    return []


def _awaiting_corrections(decisions: dict[str, Verdict], settings: RoundSettings,
                          run_at: dt.datetime) -> list[str]:
    """While a form sent back for fixing may still come back corrected, the ranking may change."""
    waiting = _sent_back(decisions)
    if not waiting or run_at > resubmission_end(settings):
        return []
    return [f"要修正・読込不可の申請が{len(waiting)}件あり、再提出期限"
            f"（{month_day(settings.resubmission_deadline)}）まで修正版が届く可能性があります"]


def _missed_resubmission(decisions: dict[str, Verdict], settings: RoundSettings,
                         run_at: dt.datetime) -> dict[str, Verdict]:
    """After the 再提出期限, an application never corrected has its final outcome: 不適格."""
    if run_at <= resubmission_end(settings):
        return {}
    deadline = month_day(settings.resubmission_deadline)
    return {f: Verdict(INELIGIBLE, "missed_resubmission",
                       f"再提出期限（{deadline}）までに修正版が届きませんでした（{decisions[f].reason}）")
            for f in _sent_back(decisions)}


def _sent_back(decisions: dict[str, Verdict]) -> list[str]:
    """The files a 差戻し goes back for (要修正, 読込不可): to be fixed by the 再提出期限."""
    return [f for f, verdict in decisions.items() if verdict.decision in (NEEDS_FIX, UNREADABLE)]


def other_round(round_shown: str, settings: RoundSettings) -> str:
    """``round_shown``: the form's round mark as staff may be shown it (RawForm.round_shown)."""
    return (f"別の募集回の申請用紙で提出されています（{round_shown}、今回は「{settings.name}」）。"
            "記入欄は同じため、そのまま読み取って判定しました。")


class Verdict(NamedTuple):
    decision: str  # a 判定
    code: str  # why, for tools and letters (LedgerSchema.reason_code)
    reason: str  # why, in Japanese


def _unjudgeable(problems: pd.DataFrame, records: pd.DataFrame) -> dict[str, Verdict]:
    """要修正 for a form with input problems; 読込不可 for a file that is not a readable form."""
    found = {}
    for file, group in problems.groupby("file", sort=False):
        if file in records.index and not group["code"].map(_whole_file).any():
            if _unfilled(list(records.loc[file].to_numpy()[1:])):
                found[str(file)] = Verdict(NEEDS_FIX, "blank_form",
                                           "申請用紙が未記入です。記入して再送してください。")
                continue
            found[str(file)] = Verdict(NEEDS_FIX, "input_problems",
                                       f"入力の不備が{len(group)}件あります（入力エラーシート参照）。")
        else:
            found[str(file)] = Verdict(UNREADABLE, str(group["code"].iloc[0]),
                                       str(group["message"].iloc[0]))
    return found


def _unfilled(values: list[object]) -> bool:
    """The blank form sent back as it was: not one field answered (``values``: every field
    of the record but the file name, which comes first)."""
    return all(_blank(value) for value in values)


def _blank(value: object) -> bool:
    if isinstance(value, tuple):  # a checklist: the items marked yes
        return not value
    return value is None or (isinstance(value, float) and value != value)


def _whole_file(code: str) -> bool:
    return problem_kinds.KINDS[code].whole_file


def _empty_ranked(scored: pd.DataFrame) -> DataFrame[RankedSchema]:
    return RankedSchema.validate(scored.assign(rank=pd.Series(dtype=int),
                                               decision=pd.Series(dtype=str),
                                               reason=pd.Series(dtype=str),
                                               reason_code=pd.Series(dtype=str),
                                               tie_note=pd.Series(dtype=str)))
