"""Read returned forms: find every field by its label, keep where it came from.

Only this module reads applicants' files. It does not judge values; it hands
the raw cell values (with their addresses) to :mod:`pipeline.validate`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from pipeline import problems
from pipeline.formspec import (
    CHECKLIST_FIELDS,
    FIELDS,
    FORM_SHEET,
    FORM_VERSION,
    VERSION_LABEL,
    item_key,
)
from pipeline.normalize import clean_text, display, label_key

Position = tuple[int, int]

# Fewer labels than this found on 申請書 means the workbook is not our form.
_MIN_LABELS_FOUND = len(FIELDS) // 2


@dataclass(frozen=True)
class RawCell:
    value: object
    address: str  # e.g. "B14"


@dataclass
class RawForm:
    """One file as read: raw values by field key (``menus:プラン策定支援`` for items)."""

    file: str
    cells: dict[str, RawCell] = field(default_factory=dict)
    label_addresses: dict[str, str] = field(default_factory=dict)
    problems: list[problems.Problem] = field(default_factory=list)

    @property
    def is_form(self) -> bool:
        return not self.problems


def column_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_address(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


class UnreadableFile(Exception):
    """The file cannot be opened as a workbook; the message is for the applicant."""


def read_form(path: Path, name: str | None = None) -> RawForm:
    """Read one returned form. Raises :class:`UnreadableFile` for a file that is not a workbook."""
    name = name or path.name
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            if FORM_SHEET not in workbook.sheet_names:
                return _file_problem(name, "", "not_a_form")
            sheet = workbook.get_sheet_by_name(FORM_SHEET)
            grid = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        finally:
            workbook.close()
    except python_calamine.PasswordError as error:
        raise UnreadableFile("パスワードで保護されています。パスワードを外して再送してください。") from error
    except (python_calamine.CalamineError, OSError, ValueError) as error:
        raise UnreadableFile(
            "Excelブック（.xlsx）として開けません。申請用紙をExcelで開き直し、"
            "「Excel ブック (*.xlsx)」形式で保存して再送してください。"
        ) from error
    return read_grid(name, grid, merged)


def read_grid(name: str, grid: Sequence[Sequence[object]],
              merged: Sequence[tuple[Position, Position]]) -> RawForm:
    """Find the fields in the cells of a 申請書 sheet."""
    labels: dict[str, list[Position]] = defaultdict(list)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, str) and value:
                labels[label_key(value)].append((r, c))
    merged_end = {start: end for start, end in merged}

    def right_of(position: Position) -> tuple[object, str]:
        r, c = position
        c = merged_end.get(position, position)[1] + 1
        value = grid[r][c] if c < len(grid[r]) else None
        return (None if value == "" else value), cell_address(r, c)

    version = labels.get(label_key(VERSION_LABEL))
    if version:
        typed, _ = right_of(version[0])
        if clean_text(typed) != FORM_VERSION:
            return _file_problem(name, display(typed), "wrong_version", FORM_VERSION)

    form = RawForm(name)
    for spec in FIELDS:
        positions = labels.get(label_key(spec.label))
        if not positions:
            continue
        heading = positions[0]
        form.label_addresses[spec.key] = cell_address(*heading)
        if not spec.is_checklist:
            form.cells[spec.key] = RawCell(*right_of(heading))
    for spec in CHECKLIST_FIELDS:
        if spec.key not in form.label_addresses:
            continue
        heading = labels[label_key(spec.label)][0]
        for item in spec.items:
            below = [p for p in labels.get(label_key(item), []) if p[0] > heading[0]]
            if below:
                nearest = min(below, key=lambda p: (p[0], abs(p[1] - heading[1])))
                form.label_addresses[item_key(spec, item)] = cell_address(*nearest)
                form.cells[item_key(spec, item)] = RawCell(*right_of(nearest))
    found = sum(spec.key in form.label_addresses for spec in FIELDS)
    if found < _MIN_LABELS_FOUND:
        return _file_problem(name, "", "not_recognised", f"{len(FIELDS)}項目中{found}項目")
    return form


def _file_problem(name: str, value: str, code: str, extra: str = "") -> RawForm:
    message = problems.describe(code, value=value, extra=extra)
    title = problems.KINDS[code].title
    problem = problems.Problem(name, FORM_SHEET, "", title, value, code, message)
    return RawForm(name, problems=[problem])
