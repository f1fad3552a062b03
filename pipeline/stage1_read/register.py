"""The staff's receipt register (受付簿): when each file's e-mail arrived, and the decisions
only staff can take (sheet 事務局判断).

Only a workbook staff saved as 受付簿*.xlsx is a register (:mod:`pipeline.stage1_read.inbox`);
a workbook elsewhere in inbox/ that merely has the register's headings is an applicant's file,
judged as one and named in 概要 (README 「信頼するもの」). Read with limits sized for a staff
workbook. Every row is kept as typed, with its cells: matching rows with inbox files, and
judging what a time or a decision means, is the deciding stage's work
(:mod:`pipeline.stage2_decide.receipt`, :mod:`pipeline.stage2_decide.staff`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import python_calamine

from pipeline.core import problems, processes
from pipeline.core.cells import cell_address
from pipeline.core.normalize import clean_text, display, has_year, label_key, parse_datetime
from pipeline.core.notes import Note
from pipeline.core.records import (
    DECISION_LABELS,
    DECISIONS_SHEET,
    NO_REGISTER,
    InboxScan,
    RawForm,
    Register,
    RegisterEntry,
    StaffDecisionRow,
)
from pipeline.core.settings import JST
from pipeline.stage1_read.sniff import sniff, staff_workbook

REGISTER_FILE_LABEL = "ファイル名"
REGISTER_TIME_LABEL = "受付日時"
# Optional columns that link a file to its sender (README 「受付簿」): a workbook sent after an
# unreadable file by the same sender is that file's resubmission.
REGISTER_SENDER_LABEL = "送信元"
REGISTER_ORG_LABEL = "団体名"
_SHEETS_LOOKED_AT = 5  # the register is one of the first sheets of a staff workbook
Grid = Sequence[Sequence[object]]


def read_named_register(scan: InboxScan, default_year: int) -> Register | None:
    """The register named 受付簿.xlsx, read; None when there is none, or more than one
    (:func:`locate` then says which). Needs no form, so a run reads it while forms are read."""
    if len(scan.registers) != 1:
        return None
    return read_register(scan.registers[0], default_year)


def locate(scan: InboxScan, forms: Sequence[RawForm], named: Register | None, default_year: int
           ) -> Register:
    """The register: the one workbook staff saved as 受付簿*.xlsx (``named``, read by
    :func:`read_named_register`). Two such workbooks: none is used, and the register's problem
    says which to keep. Applicants' workbooks with the register's headings are named in
    ``lookalikes`` (they stay applications, whatever they look like)."""
    paths = {f.name: f.path for f in scan.files}
    candidates = [form.file for form in forms
                  if form.problems and form.problems[0].code == "not_a_form"]
    lookalikes = tuple(file for file, found in zip(
        candidates, registers_by_content([paths[f] for f in candidates], default_year),
        strict=True) if found is not None)
    if len(scan.registers) > 1:
        names = tuple(path.name for path in scan.registers)
        register = Register("、".join(names),
                            problem=Note.of("registers_many", count=len(names), files=names))
    elif scan.registers:
        register = named or read_register(scan.registers[0], default_year)
    else:
        register = NO_REGISTER
    return dataclasses.replace(register, lookalikes=lookalikes)


def read_register(path: Path, default_year: int) -> Register:
    """The register's rows; a date typed without its year is in ``default_year``. Read in a
    worker process with a memory limit, like every workbook from outside."""
    def crashed(_: int) -> Register:
        return Register(path.name, problem=_unreadable(path, "crashed"))

    return processes.isolated([(_read_register, (path, default_year))], crashed)[0]


def registers_by_content(paths: Sequence[Path], default_year: int) -> list[Register | None]:
    """Each workbook's register if it is one saved under another name: a sheet headed
    ファイル名 and 受付日時; None when it has no such sheet (or cannot be read at all)."""
    return processes.isolated([(_register_by_content, (path, default_year)) for path in paths],
                              lambda _: None)


def _read_register(path: Path, default_year: int) -> Register:
    """The staff's register: its rows, and its sheet 事務局判断 (only the register staff saved
    has one that counts; a workbook found by its headings is read for its rows alone)."""
    found = _header(path)
    if isinstance(found, Note):
        return Register(path.name, problem=found)
    register = _rows(path, found, default_year)
    try:
        return dataclasses.replace(register, decisions=_decisions(path))
    except (python_calamine.CalamineError, OSError, ValueError, IndexError):
        return dataclasses.replace(register, notes=(
            *register.notes, Note.of("decisions_sheet_unreadable", file=path.name,
                                     sheet=DECISIONS_SHEET)))


def _register_by_content(path: Path, default_year: int) -> Register | None:
    found = _header(path)
    return None if isinstance(found, Note) else _rows(path, found, default_year)


def _rows(path: Path, found: tuple[Grid, int, int, int], default_year: int) -> Register:
    grid, header_row, file_col, time_col = found
    headings = [label_key(v) for v in grid[header_row]]
    sender_col = _column(headings, REGISTER_SENDER_LABEL)
    org_col = _column(headings, REGISTER_ORG_LABEL)
    entries: list[RegisterEntry] = []
    notes: list[Note] = []
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        name = clean_text(row[file_col]) if file_col < len(row) else None
        raw_time = row[time_col] if time_col < len(row) else None
        if name is None:
            if clean_text(raw_time) is not None:
                notes.append(Note.of("register_row_without_file", file=path.name,
                                     cell=cell_address(r, file_col), time=display(raw_time)))
            continue
        when = parse_datetime(raw_time, default_year)
        received = None
        if isinstance(when, dt.datetime):
            received = when.replace(tzinfo=JST) if when.tzinfo is None else when.astimezone(JST)
        entries.append(RegisterEntry(name, cell_address(r, file_col), cell_address(r, time_col),
                                     display(raw_time), received, has_year(raw_time),
                                     _text(row, sender_col), _text(row, org_col)))
    return Register(path.name, tuple(entries), tuple(notes))


def _column(headings: list[str], label: str) -> int | None:
    return headings.index(label) if label in headings else None


def _text(row: Sequence[object], column: int | None) -> str | None:
    return clean_text(row[column]) if column is not None and column < len(row) else None


def _decisions(path: Path) -> tuple[StaffDecisionRow, ...]:
    """The rows of the sheet 事務局判断 (none when the register has no such sheet). Headings
    are found by label in its first rows, like the register's."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        names = [n for n in workbook.sheet_names if label_key(n) == DECISIONS_SHEET]
        if not names:
            return ()
        grid = workbook.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    header = next((r for r, row in enumerate(grid[:20])
                   if {DECISION_LABELS["file"], DECISION_LABELS["action"]}
                   <= {label_key(v) for v in row}), None)
    if header is None:
        return ()
    keys = [label_key(v) for v in grid[header]]
    columns = {key: _column(keys, label) for key, label in DECISION_LABELS.items()}
    found = []
    for index in range(header + 1, len(grid)):
        cells = grid[index]
        file, action = _text(cells, columns["file"]), _text(cells, columns["action"])
        if file is None and action is None:
            continue
        file_col, action_col = columns["file"], columns["action"]
        assert file_col is not None and action_col is not None
        date_col = columns["date"]
        found.append(StaffDecisionRow(
            file or "", f"{DECISIONS_SHEET}!{cell_address(index, file_col)}", action or "",
            f"{DECISIONS_SHEET}!{cell_address(index, action_col)}",
            _text(cells, columns["original"]), _text(cells, columns["reason"]),
            _text(cells, columns["author"]),
            display(cells[date_col]) if date_col is not None and date_col < len(cells) else None))
    return tuple(found)


def _header(path: Path) -> tuple[Grid, int, int, int] | Note:
    """The first sheet with the headings: its cells, the heading row and the two columns;
    or why there is none."""
    if code := sniff(path, limits=staff_workbook(None)):
        return _unreadable(path, code)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            for index in range(min(len(workbook.sheet_names), _SHEETS_LOOKED_AT)):
                grid = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
                for r, row in enumerate(grid):
                    keys = [label_key(v) for v in row]
                    if REGISTER_FILE_LABEL in keys and REGISTER_TIME_LABEL in keys:
                        return grid, r, keys.index(REGISTER_FILE_LABEL), keys.index(
                            REGISTER_TIME_LABEL)
        finally:
            workbook.close()
    except (python_calamine.CalamineError, OSError, ValueError, IndexError):
        return Note.of("register_unopenable", file=path.name)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a panic in the Rust parser (pyo3's PanicException)
        return Note.of("register_parser_crashed", file=path.name)
    return Note.of("register_no_headings", file=path.name, file_label=REGISTER_FILE_LABEL,
                   time_label=REGISTER_TIME_LABEL)


def _unreadable(path: Path, kind: str) -> Note:
    """The register refused before any parser, or its reader crashed (a problem kind)."""
    return Note.of("register_unreadable", file=path.name, kind=kind, why=problems.describe(kind))
