"""What deciding a round produces, and the writers write: one value for the whole round."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core.manifest import KeptFile
from pipeline.core.notes import Note
from pipeline.core.settings import RoundSettings
from pipeline.core.support import SupportResult


@dataclass(frozen=True)
class RoundResult:
    """Everything a run decided, ready to be written."""

    settings: RoundSettings
    run_at: dt.datetime
    ledger: pd.DataFrame  # LedgerSchema
    ranked: pd.DataFrame  # RankedSchema
    ineligible: pd.DataFrame  # IneligibleSchema
    problems: pd.DataFrame  # problems.PROBLEM_COLUMNS (ProblemSchema)
    records: pd.DataFrame  # every readable form, normalised
    provisional_notes: tuple[Note, ...]  # why the ranking is 暫定 (none: 確定), each with what to do
    ignored: tuple[tuple[str, str], ...]
    register_notes: tuple[Note, ...]  # receipt remarks for staff (register rows, versions)
    review_notes: tuple[Note, ...]  # review-sheet remarks for staff
    review_sheets: int
    plan_files: dict[str, str]  # file → plan path relative to outbox/
    superseded_by: dict[str, str]  # 重複 file → the file judged instead
    sources: dict[str, Path]  # file name (NFC) → where it is in the inbox

    changes: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)  # since the last run
    changes_summary: str = ""
    # per counted review sheet and application: sheet, reviewer, file, conflict, comment, and a
    # column per review criterion key (reviews.ReviewRead.details)
    review_details: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    # files in outbox/ that staff added or changed since the last run: kept (stage3_write.outputs)
    staff_files: tuple[KeptFile, ...] = ()
    # per file, where the 郵便番号, 所在地 and 区市町村 disagree (eligibility.Location)
    location_notes: tuple[Note, ...] = ()
    # every 差戻し issued this round, this run's included (core.manifest.Issued)
    issued: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    # per file, where the 団体名's legal form disputes the 団体種別 (eligibility)
    type_disputes: tuple[Note, ...] = ()
    # the support year: returned plans and logs against the selected districts (進捗.xlsx)
    support: SupportResult | None = None
    # ranked file → why its row is still 暫定 (reviews missing, a dispute staff must settle)
    row_provisional: dict[str, str] = dataclasses.field(default_factory=dict)
    # ranked files whose organisation the previous round (round.toml's previous_round) selected
    previously_selected: frozenset[str] = frozenset()
    # 要修正 files the reader found safe to open whole, as openpyxl does (every part and cell
    # bounded): their 差戻し marks the applicant's own workbook; any other gets a fresh copy
    openable: frozenset[str] = frozenset()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_notes)

    @property
    def provisional_reasons(self) -> tuple[str, ...]:
        """Why the ranking is 暫定, in Japanese."""
        return tuple(note.text for note in self.provisional_notes)

    @property
    def notes(self) -> tuple[Note, ...]:
        return (*self.register_notes, *self.review_notes)
