"""The staff's receipt register (受付簿): when each file's e-mail arrived.

Found by its name (受付簿.xlsx) or by its content (a sheet with the ファイル名 and 受付日時
headings), read with limits sized for a staff workbook. Every row is kept as typed, with its
cells: matching rows with inbox files, and judging what an unreadable time means, is the
deciding stage's work (:mod:`pipeline.stage2_decide.receipt`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from pipeline.core import problems, processes
from pipeline.core.cells import cell_address
from pipeline.core.normalize import clean_text, display, label_key, parse_datetime
from pipeline.core.settings import JST
from pipeline.stage1_read.forms import RawForm
from pipeline.stage1_read.inbox import InboxScan
from pipeline.stage1_read.sniff import sniff, staff_workbook

REGISTER_FILE_LABEL = "ファイル名"
REGISTER_TIME_LABEL = "受付日時"
_SHEETS_LOOKED_AT = 5  # the register is one of the first sheets of a staff workbook
Grid = Sequence[Sequence[object]]


@dataclass(frozen=True)
class RegisterEntry:
    name: str  # the file name as staff typed it
    name_cell: str  # e.g. B5
    time_cell: str
    raw_time: str  # as typed, for messages
    received: dt.datetime | None  # aware Japan time; None when it cannot be read


@dataclass(frozen=True)
class Register:
    source: str | None  # the register's file name; None when there is none
    entries: tuple[RegisterEntry, ...] = ()
    notes: tuple[str, ...] = ()  # rows that name no file, in Japanese
    problem: str | None = None  # why the register cannot be used at all, in Japanese


NO_REGISTER = Register(None)


def read_named_register(scan: InboxScan, default_year: int) -> Register | None:
    """The register named 受付簿.xlsx, read; None when there is none, or more than one
    (:func:`locate` then says which). Needs no form, so a run reads it while forms are read."""
    if len(scan.registers) != 1:
        return None
    return read_register(scan.registers[0], default_year)


def locate(scan: InboxScan, forms: list[RawForm], named: Register | None, default_year: int
           ) -> tuple[Register, InboxScan, list[RawForm]]:
    """The register: the file named 受付簿.xlsx (``named``, read by
    :func:`read_named_register`), or a workbook that is not a form but has the register's
    headings (``受付簿 (1).xlsx``, ``受付簿_0630.xlsx``). Those found by content leave the forms
    and are listed with the files not judged. Two candidates: none is used, and the
    register's problem says which to keep."""
    paths = {f.name: f.path for f in scan.files}
    candidates = [form.file for form in forms
                  if form.problems and form.problems[0].code == "not_a_form"]
    found_by_content = {
        file: register for file, register in zip(
            candidates, registers_by_content([paths[f] for f in candidates], default_year),
            strict=True)
        if register is not None}
    names = sorted(found_by_content)
    scan = dataclasses.replace(
        scan, files=tuple(f for f in scan.files if f.name not in found_by_content),
        ignored=(*scan.ignored, *((name, "受付簿（見出しから判断）") for name in names)))
    forms = [form for form in forms if form.file not in found_by_content]
    count = len(scan.registers) + len(names)
    if count > 1:
        listed = "、".join([*(path.name for path in scan.registers), *names])
        return Register(listed, problem=f"受付簿が{count}つあります（{listed}）。"
                                        "使う1つを残し、ほかは inbox の外に移してください。"), scan, forms
    if scan.registers:
        return named or read_register(scan.registers[0], default_year), scan, forms
    return (found_by_content[names[0]] if names else NO_REGISTER), scan, forms


def read_register(path: Path, default_year: int) -> Register:
    """The register's rows; a date typed without its year is in ``default_year``. Read in a
    worker process with a memory limit, like every workbook from outside."""
    def crashed(_: int) -> Register:
        return Register(path.name, problem=f"{path.name} を読み込めません："
                                           f"{problems.describe('crashed')}")

    return processes.isolated([(_read_register, (path, default_year))], crashed)[0]


def registers_by_content(paths: Sequence[Path], default_year: int) -> list[Register | None]:
    """Each workbook's register if it is one saved under another name: a sheet headed
    ファイル名 and 受付日時; None when it has no such sheet (or cannot be read at all)."""
    return processes.isolated([(_register_by_content, (path, default_year)) for path in paths],
                              lambda _: None)


def _read_register(path: Path, default_year: int) -> Register:
    found = _header(path)
    if isinstance(found, str):
        return Register(path.name, problem=f"{path.name} を読み込めません：{found}")
    return _rows(path, found, default_year)


def _register_by_content(path: Path, default_year: int) -> Register | None:
    found = _header(path)
    return None if isinstance(found, str) else _rows(path, found, default_year)


def _rows(path: Path, found: tuple[Grid, int, int, int], default_year: int) -> Register:
    grid, header_row, file_col, time_col = found
    entries: list[RegisterEntry] = []
    notes: list[str] = []
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        name = clean_text(row[file_col]) if file_col < len(row) else None
        raw_time = row[time_col] if time_col < len(row) else None
        if name is None:
            if clean_text(raw_time) is not None:
                notes.append(f"{path.name} {cell_address(r, file_col)}: ファイル名がありません"
                             f"（受付日時 {display(raw_time)} の行）。")
            continue
        when = parse_datetime(raw_time, default_year)
        received = None
        if isinstance(when, dt.datetime):
            received = when.replace(tzinfo=JST) if when.tzinfo is None else when.astimezone(JST)
        entries.append(RegisterEntry(name, cell_address(r, file_col), cell_address(r, time_col),
                                     display(raw_time), received))
    return Register(path.name, tuple(entries), tuple(notes))


def _header(path: Path) -> tuple[Grid, int, int, int] | str:
    """The first sheet with the headings: its cells, the heading row and the two columns;
    or why there is none (in Japanese)."""
    if code := sniff(path, limits=staff_workbook(None)):
        return problems.describe(code)
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
        return "Excelブックとして開けません。Excelブック（.xlsx）として保存し直してください。"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a panic in the Rust parser (pyo3's PanicException)
        return "読み込みの途中で異常終了しました。Excelブック（.xlsx）として保存し直してください。"
    return f"「{REGISTER_FILE_LABEL}」と「{REGISTER_TIME_LABEL}」の見出しがありません。"
