"""Deciding a round: one short, declared sequence of steps, each a function from its inputs to
its outputs (:func:`decide` is the place to read to understand a run).

Takes the files as read (the records of :mod:`pipeline.core.records`) and returns a
:class:`RoundResult`; reads and writes nothing, and changes none of its arguments. Each stage
is a module of functions on DataFrames (validate → receipt → eligibility → score → select);
the steps here call them in order.
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
from pipeline.core.notes import Note, distinct, in_a_row
from pipeline.core.records import (
    InboxScan,
    Previous,
    PreviousRound,
    RawForm,
    Register,
    ReviewSheet,
)
from pipeline.core.result import RoundResult
from pipeline.core.settings import RoundSettings
from pipeline.core.timing import Lap, no_lap
from pipeline.core.wording import japanese_datetime, month_day
from pipeline.stage2_decide import changes, eligibility, receipt, reviews, score, select, staff
from pipeline.stage2_decide.arrivals import Receipts, resubmission_end
from pipeline.stage2_decide.validate import Validated, validate_forms
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
           forms: Sequence[RawForm], settings: RoundSettings, run_at: dt.datetime,
           lap: Lap = no_lap, previous: Previous | None = None,
           issued: Issued | None = None,
           previous_round: PreviousRound | None = None) -> RoundResult:
    """Every file's 判定, with everything the outputs show. Once validated the raw forms are
    no longer needed: a caller that hands them over keeping no reference of its own lets a
    large round's memory go down there."""
    with lap("validate"):
        intake = take_in(forms, settings)
    del forms  # the raw cells are no longer needed
    with lap("eligibility"):
        received = receive(intake, register, settings, run_at, issued)
        judged = judge_eligibility(intake, received, settings)
    with lap("score and select"):
        ranking = rank(judged, review_sheets, settings)
    with lap("ledger"):
        ledger = keep_ledger(intake, received, judged, ranking)
    return round_result(scan, intake, received, judged, ranking, ledger, settings, run_at,
                        previous, issued, previous_round)


class Intake(NamedTuple):
    """The forms validated, with what each file says of itself."""

    validated: Validated
    hashes: dict[str, str]  # every file → its SHA-256, in inbox order
    remarks: dict[str, list[Note]]  # file → what staff should know of how it was read
    corrects: dict[str, str]  # file → the SHA-256 its 差戻し tag says it corrects


def take_in(forms: Sequence[RawForm], settings: RoundSettings) -> Intake:
    """Every form validated, and its hash, remarks and 差戻し tag."""
    hashes = {form.file: form.sha256 for form in forms}
    remarks = {form.file: list(form.remarks) for form in forms if form.remarks}
    for form in forms:  # a form made for another round (last year's, kept by the applicant)
        if form.round_name and form.round_name != settings.name:
            remarks.setdefault(form.file, []).append(other_round(form.round_shown, settings))
    corrects = {form.file: form.corrects for form in forms if form.corrects}
    validated = validate_forms(forms, settings.deadline.date())
    for name, inferred in validated.inferred.items():
        remarks.setdefault(name, []).extend(inferred)
    return Intake(validated, hashes, remarks, corrects)


class Received(NamedTuple):
    """Receipt, and the files decided before eligibility (staff exclusions, 重複, 要修正 and
    読込不可, an application never corrected by the 再提出期限)."""

    receipts: Receipts
    rulings: staff.Rulings
    decisions: dict[str, Verdict]


def receive(intake: Intake, register: Register, settings: RoundSettings, run_at: dt.datetime,
            issued: Issued | None) -> Received:
    records = intake.validated.records
    unjudgeable = _unjudgeable(intake.validated.problems, records)
    rulings = staff.resolve(register.decisions, intake.hashes, register.source)
    receipts = receipt.receive(
        intake.hashes, register, records, intake.corrects,
        {f: verdict.decision for f, verdict in unjudgeable.items()}, settings, run_at,
        rulings, anonymous=[f for f, verdict in unjudgeable.items() if verdict.code == "blank_form"],
        issued=issued)
    decisions = {file: Verdict(INELIGIBLE, "staff_excluded", f"{ruling.shown()}。")
                 for file, ruling in rulings.by_file.items() if ruling.action == staff.EXCLUDE}
    decisions |= {item.file: Verdict(DUPLICATE, item.code, item.reason)
                  for item in receipts.superseded if item.file not in decisions}
    decisions |= {f: v for f, v in unjudgeable.items() if f not in decisions}
    decisions |= _missed_resubmission(decisions, settings, run_at)
    return Received(receipts, rulings, decisions)


class Judged(NamedTuple):
    """Eligibility of the applications not decided on receipt."""

    eligible: DataFrame[EligibleSchema]
    ineligible: DataFrame[IneligibleSchema]
    place_notes: dict[str, tuple[Note, ...]]  # file → where its evidence about the place disagrees
    disputes: dict[str, Note]  # file → what disagrees about its organisation type
    decisions: dict[str, Verdict]  # the ineligible


def judge_eligibility(intake: Intake, received: Received, settings: RoundSettings) -> Judged:
    clean = intake.validated.applications
    rulings = received.rulings
    applications = clean[~clean["file"].isin(received.decisions)].merge(
        received.receipts.frame, on="file", how="left", validate="one_to_one")
    eligible, ineligible, place_notes, disputes = eligibility.check_eligibility(applications,
                                                                                settings)
    if rulings.by_file:  # staff decisions over the rules' verdict (checked again: 0.2 s)
        ruled, ineligible_ruled = staff.apply_eligibility(applications, eligible, ineligible,
                                                          rulings)
        eligible = EligibleSchema.validate(ruled)
        ineligible = IneligibleSchema.validate(ineligible_ruled)
        # a staff decision on the file settles what its evidence disputed
        disputes = {f: text for f, text in disputes.items()
                    if f not in rulings.by_file and f in set(eligible["file"])}
    decisions = {str(file): Verdict(INELIGIBLE, str(group["rule"].iloc[0]), " ".join(group["reason"]))
                 for file, group in ineligible.groupby("file", sort=False)}
    return Judged(eligible, ineligible, place_notes, disputes, decisions)


class Ranking(NamedTuple):
    review_read: reviews.ReviewRead
    ranked: DataFrame[RankedSchema]
    decisions: dict[str, Verdict]  # the ranked


def rank(judged: Judged, review_sheets: Sequence[ReviewSheet], settings: RoundSettings
         ) -> Ranking:
    eligible = judged.eligible
    review_read = reviews.judge(review_sheets, settings, eligible["file"].tolist())
    scored = score.score(eligible, reviews.aggregate(review_read, eligible, settings), settings)
    ranked = select.rank(scored, settings) if len(scored) else _empty_ranked(scored)
    decisions = {str(f): Verdict(str(d), str(c), str(r)) for f, d, c, r in
                 zip(ranked["file"].tolist(), ranked["decision"].tolist(),
                     ranked["reason_code"].tolist(), ranked["reason"].tolist(), strict=True)}
    return Ranking(review_read, ranked, decisions)


class Ledger(NamedTuple):
    ledger: pd.DataFrame  # LedgerSchema: every file's 判定
    ranked: pd.DataFrame  # RankedSchema, with the staff's notes on its rows
    decisions: dict[str, Verdict]  # every file's


def keep_ledger(intake: Intake, received: Received, judged: Judged, ranking: Ranking) -> Ledger:
    """Every file's 判定 and reason, with the notes for staff on its rows in 受付一覧 and
    選定順位 (never in a letter)."""
    decisions = received.decisions | judged.decisions | ranking.decisions
    rulings, remarks = received.rulings, received.receipts.remarks
    ruling_notes = {f: f"{ruling.shown()}。" for f, ruling in rulings.by_file.items()
                    if ruling.action != staff.EXCLUDE}  # an exclusion is the row's reason

    def for_staff(file: str) -> str:
        dispute = judged.disputes.get(file)
        notes = (*remarks.get(file, ()), *judged.place_notes.get(file, ()), *filter(None, [dispute]))
        return " ".join(filter(None, (in_a_row(notes), ruling_notes.get(file, ""))))

    staff_notes = {f: for_staff(f)
                   for f in {*remarks, *judged.place_notes, *judged.disputes, *ruling_notes}}
    receipts = received.receipts.frame
    records = intake.validated.records
    files = receipts["file"].tolist()  # plain strings: quick to loop over
    ledger = LedgerSchema.validate(receipts.assign(
        org_name=receipts["file"].map(records["org_name"] if len(records) else {}),
        decision=[decisions[f].decision for f in files],
        reason=[" ".join(filter(None, (decisions[f].reason, in_a_row(intake.remarks.get(f, ())))))
                for f in files],
        reason_code=[decisions[f].code for f in files],
        staff_note=[staff_notes.get(f, "") for f in files],
    ))
    ranked = ranking.ranked
    if staff_notes:  # on its ranked row too
        ranked = ranked.assign(reason=[f"{r} {staff_notes[f]}" if f in staff_notes else r
                                       for f, r in zip(ranked["file"], ranked["reason"],
                                                       strict=True)])
    return Ledger(ledger, ranked, decisions)


def round_result(scan: InboxScan, intake: Intake, received: Received, judged: Judged,
                 ranking: Ranking, ledger: Ledger, settings: RoundSettings, run_at: dt.datetime,
                 previous: Previous | None, issued: Issued | None,
                 previous_round: PreviousRound | None = None) -> RoundResult:
    """What the outputs show, gathered from the steps."""
    validated, receipts, rulings = intake.validated, received.receipts, received.rulings
    review_read, decisions, disputes = ranking.review_read, ledger.decisions, judged.disputes
    changed = changes.compare(previous, ledger.ledger, ledger.ranked)
    review_problems = pd.DataFrame([dataclasses.astuple(p) for p in review_read.problems],
                                   columns=validated.problems.columns, dtype=object)
    return RoundResult(
        settings=settings,
        run_at=run_at,
        ledger=ledger.ledger,
        ranked=ledger.ranked,
        ineligible=judged.ineligible,
        problems=ProblemSchema.validate(
            pd.concat([validated.problems, review_problems], ignore_index=True)),
        records=validated.records,
        provisional_notes=distinct([
            *_phase(len(intake.hashes), settings, run_at),
            *receipts.provisional,
            *rulings.provisional,
            *_awaiting_corrections(decisions, settings, run_at),
            *reviews.provisional_reasons(review_read, judged.eligible, settings),
            *eligibility.dispute_reasons(disputes),
        ]),
        ignored=scan.ignored,
        register_notes=(*receipts.notes, *rulings.notes, *_previous_round_missing(previous_round)),
        review_notes=tuple(review_read.notes),
        review_sheets=review_read.sheets_counted,
        plan_files={},
        superseded_by={item.file: item.by for item in receipts.superseded},
        sources={f.name: f.path for f in scan.files},
        changes=changed,
        review_details=pd.DataFrame(review_read.details, columns=[
            "sheet", "reviewer", "file", "conflict", "comment",
            *(c.key for c in settings.review)]),
        changes_summary=changes.summary(previous, changed),
        location_notes=tuple(Note.of("place_disagrees", file=file, notes=notes)
                             for file, notes in judged.place_notes.items()),
        issued=receipt.issued_now(issued or {}, intake.hashes, _sent_back(decisions),
                                  validated.records, run_at),
        type_disputes=tuple(Note.of("type_disagrees_in", file=file, what=note)
                            for file, note in disputes.items()),
        row_provisional=_row_provisional(
            reviews.review_gaps(review_read, ledger.ranked["file"].tolist(), settings), disputes),
        previously_selected=_previously_selected(ledger.ranked, previous_round),
    )


def _row_provisional(review_gaps: dict[str, str], disputes: dict[str, Note]) -> dict[str, str]:
    """Per ranked file, why its own row is 暫定, in a few words."""
    rows = dict(review_gaps)
    for file in disputes:
        rows[file] = "。".join(filter(None, (rows.get(file), DISPUTE_ROW_NOTE)))
    return rows


DISPUTE_ROW_NOTE = "団体種別を事務局が確かめるまで暫定"


def _previously_selected(ranked: pd.DataFrame, previous_round: PreviousRound | None) -> frozenset[str]:
    """The ranked files whose organisation (its name as :func:`receipt.org_name_key` compares
    names) the previous round selected."""
    if previous_round is None:
        return frozenset()
    before = {receipt.org_name_key(name) for name in previous_round.selected} - {None}
    return frozenset(file for file, name in zip(ranked["file"].tolist(),
                                                ranked["org_name"].tolist(), strict=True)
                     if receipt.org_name_key(name) in before)


def _previous_round_missing(previous_round: PreviousRound | None) -> list[Note]:
    if previous_round is None or previous_round.found:
        return []
    return [Note.of("previous_round_missing", name=previous_round.name)]


def _phase(files: int, settings: RoundSettings, run_at: dt.datetime) -> list[Note]:
    """Before the deadline more applications may come; with none, there is nothing to fix."""
    if run_at <= settings.deadline:
        return [Note.of("before_deadline", deadline=japanese_datetime(settings.deadline))]
    if not files:
        return [Note.of("inbox_empty")]
    return []


def _awaiting_corrections(decisions: dict[str, Verdict], settings: RoundSettings,
                          run_at: dt.datetime) -> list[Note]:
    """While a form sent back for fixing may still come back corrected, the ranking may change."""
    waiting = _sent_back(decisions)
    if not waiting or run_at > resubmission_end(settings):
        return []
    return [Note.of("awaiting_corrections", count=len(waiting),
                    deadline=month_day(settings.resubmission_deadline))]


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


def other_round(round_shown: str, settings: RoundSettings) -> Note:
    """``round_shown``: the form's round mark as staff may be shown it (RawForm.round_shown)."""
    return Note.of("other_round_form", shown=round_shown, name=settings.name)


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
                                               short_reason=pd.Series(dtype=str),
                                               tie_note=pd.Series(dtype=str)))
