"""What receipt knows of each file's arrival, shared by its parts: matching the register
(:mod:`~pipeline.stage2_decide.register_match`) and an organisation's versions
(:mod:`~pipeline.stage2_decide.versions`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from pipeline.core.notes import Note
from pipeline.core.records import RegisterEntry
from pipeline.core.settings import JST, RoundSettings


@dataclass(frozen=True)
class Superseded:
    file: str
    by: str  # the file judged instead
    code: str  # same_content, later_submission or replaced_by_correction (LedgerSchema.reason_code)
    reason: str


@dataclass
class Receipts:
    """Every file's receipt and the files superseded, with what staff should know."""

    frame: pd.DataFrame  # file, sha256, received_at (aware, Japan time), received_basis
    superseded: list[Superseded] = field(default_factory=list)
    remarks: dict[str, list[Note]] = field(default_factory=dict)  # file → said on its row
    notes: list[Note] = field(default_factory=list)  # for 概要
    provisional: list[Note] = field(default_factory=list)  # reasons the ranking is 暫定
    registered: dict[str, RegisterEntry] = field(default_factory=dict)  # file → its register row

    def remark(self, file: str, note: Note) -> None:
        """Something staff should know of a file, on its row."""
        self.remarks.setdefault(file, []).append(note)


@dataclass(frozen=True)
class Arrival:
    when: dt.datetime | None  # None: not known
    basis: Note  # 受付日の根拠
    from_register: bool = False


def sort_time(arrival: Arrival) -> dt.datetime:
    return arrival.when or dt.datetime.max.replace(tzinfo=JST)


def resubmission_end(settings: RoundSettings) -> dt.datetime:
    """The last moment of the 再提出期限 (a date, Japan time)."""
    return dt.datetime.combine(settings.resubmission_deadline, dt.time.max, JST)
