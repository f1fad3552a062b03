"""Receipt from the register: each file's arrival as the receipt register's row for it says,
else its 申請日; every row that names no file, several files, or an unusable time is said
(a note for 概要, a reason the ranking is 暫定)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence

import pandas as pd

from pipeline.core.filekey import FileIndex
from pipeline.core.notes import Note
from pipeline.core.records import Register, RegisterEntry
from pipeline.core.settings import JST, RoundSettings
from pipeline.core.wording import japanese_datetime
from pipeline.stage2_decide.arrivals import (
    Arrival,
    Receipts,
)


def match_register(files: Sequence[str], index: FileIndex, register: Register,
                    records: pd.DataFrame, settings: RoundSettings, run_at: dt.datetime,
                    result: Receipts) -> dict[str, Arrival]:
    """Each file's arrival: the register's time where a row names it (names compared by
    :func:`file_key`; without an extension when exactly one file fits), else its 申請日."""
    form_dates = dict(zip(records["file"].tolist(), records["application_date"].tolist(),
                          strict=True))
    arrivals = {file: _form_date(form_dates.get(file), _NOT_LISTED) for file in files}
    if register.source is None:
        return arrivals
    source = register.source
    if register.problem is not None:
        result.notes.append(register.problem)
        result.provisional.append(Note.of("register_unusable", problem=register.problem))
        return {file: _form_date(form_dates.get(file), _UNREADABLE) for file in files}
    result.notes.extend(register.notes)
    matched: dict[str, RegisterEntry] = {}
    for entry in register.entries:
        candidates = index.find(entry.name)
        if not candidates:
            result.notes.append(Note.of("register_row_no_file", source=source,
                                        cell=entry.name_cell, name=entry.name))
            result.provisional.append(Note.of("register_row_finds_no_file", cell=entry.name_cell,
                                              name=entry.name))
            continue
        if len(candidates) > 1:
            result.notes.append(Note.of("register_row_many_files", source=source,
                                        cell=entry.name_cell, name=entry.name,
                                        files=tuple(candidates)))
            result.provisional.append(Note.of("register_row_finds_many_files",
                                              cell=entry.name_cell, name=entry.name,
                                              files=tuple(candidates)))
            continue
        (file,) = candidates
        if file in matched:
            result.notes.append(Note.of("register_row_twice", source=source, cell=entry.name_cell,
                                        file=file, first_cell=matched[file].name_cell))
            continue
        matched[file] = entry
        received, why = _register_time(entry, settings, run_at)
        if received is None:
            form_date = arrivals[file]
            arrivals[file] = Arrival(form_date.when, Note.of(
                "basis_register_time_unusable", cell=entry.time_cell, written=entry.raw_time))
            result.notes.append(Note.of("register_time_unusable", source=source,
                                        cell=entry.time_cell, why=why))
            result.provisional.append(Note.of("register_time_not_read", cell=entry.time_cell,
                                              written=entry.raw_time, why=why))
            continue
        exact = unicodedata.normalize("NFC", entry.name) == file
        basis = Note.of("basis_register") if exact else Note.of(
            "basis_register_row", cell=entry.name_cell, name=entry.name)
        if not entry.year_typed:
            basis = Note.of("basis_year_read", basis=basis, year=received.year)
            result.notes.append(Note.of("register_year_read", source=source, cell=entry.time_cell,
                                        written=entry.raw_time, when=japanese_datetime(received)))
        arrivals[file] = Arrival(received, basis, from_register=True)
    result.registered = matched
    return arrivals


def _register_time(entry: RegisterEntry, settings: RoundSettings, run_at: dt.datetime
                   ) -> tuple[dt.datetime | None, str]:
    """The time a register row says, or None and why it cannot be used. A date typed without
    its year takes the year that puts it nearest the deadline (12/25 before a January deadline
    is last year's); a time after the run cannot be a receipt (a typing slip: 1/30 for 1/13, or
    a year too many), whatever year it was given."""
    when = entry.received
    if when is None:
        return None, "日時として読み取れません。2016/6/30 17:05 の形で入力してください"
    if not entry.year_typed:
        year = settings.deadline.year
        when = min((c for c in (_in_year(when, y) for y in (year - 1, year, year + 1)) if c),
                   key=lambda c: abs(c - settings.deadline))
    if when > run_at:
        return None, (f"実行日時（{japanese_datetime(run_at)}）より後の日時です。"
                      "年・月・日を確かめてください")
    return when, ""


def _in_year(when: dt.datetime, year: int) -> dt.datetime | None:
    try:
        return when.replace(year=year)
    except ValueError:  # 2/29 in a year without it
        return None


def note_twins(by_key: Mapping[str, list[str]], result: Receipts) -> None:
    """Names that differ only in width, case or Unicode form: each file is kept and judged, but
    a typed name (a register or review-sheet row) cannot tell them apart."""
    for twins in (names for names in by_key.values() if len(names) > 1):
        result.notes.append(Note.of("name_twins", count=len(twins), files=tuple(twins)))


# Why a file's receipt is not the register's: the words 受付日の根拠 gives.
_NOT_LISTED, _UNREADABLE = "受付簿に記載なし", "受付簿を読み込めないため"


def _form_date(day: object, why: str) -> Arrival:
    if isinstance(day, dt.date):
        return Arrival(dt.datetime.combine(day, dt.time(), JST), Note.of("basis_form_date", why=why))
    return Arrival(None, Note.of("basis_unknown", why=why))
