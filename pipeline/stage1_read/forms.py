"""Returned forms: every field of the 申請書 sheet found by its label, with the cell it came from.

It does not judge values; :mod:`pipeline.core.record` normalises them and
:mod:`pipeline.stage2_decide.validate` validates them. Every file is checked
(:func:`pipeline.stage1_read.sniff.sniff_bytes`) before a parser sees it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from pipeline.core import problems
from pipeline.core.cells import cell_address
from pipeline.core.formspec import (
    CHECKLIST_FIELDS,
    CORRECTS_PROPERTY,
    FIELDS,
    FIELDS_BY_KEY,
    FORM_SHEET,
    FORM_VERSION,
    ROUND_PROPERTY,
    VERSION_LABEL,
    item_key,
)
from pipeline.core.normalize import clean_text, display, label_key
from pipeline.core.notes import Note
from pipeline.core.problems import Problem
from pipeline.core.records import RawCell, RawForm, property_text
from pipeline.stage1_read import sheetxml, zipparts
from pipeline.stage1_read.inbox import sha256_of
from pipeline.stage1_read.sniff import (
    HOSTILE,
    MAX_FORM_COLS,
    MAX_FORM_ROWS,
    NOT_XLSX,
    PASSWORD,
    Limits,
    Parts,
    load,
    sniff_bytes,
)

Position = tuple[int, int]

# Fewer labels than this found on 申請書 means the workbook is not our form.
_MIN_LABELS_FOUND = len(FIELDS) // 2


def read_form(path: Path, name: str | None = None) -> RawForm:
    """Read one returned form, with its SHA-256; a file that is not a readable form gets one
    file-level problem. The file is read once; every check and the parser work on those bytes."""
    name = name or path.name
    data = load(path)
    if isinstance(data, str):
        form = _file_problem(name, "", data)
        form.sha256 = sha256_of(path)
        return form
    form = _read_form(data, path.suffix, name)
    form.sha256 = hashlib.sha256(data).hexdigest()
    return form


def _read_form(data: bytes, suffix: str, name: str) -> RawForm:
    parts = Parts()
    if reason := sniff_bytes(data, keep=parts):
        return _file_problem(name, "", reason)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            form = _form_sheet(_Book(data, parts, workbook, name))
        finally:
            workbook.close()
    except python_calamine.PasswordError:
        return _file_problem(name, "", PASSWORD)
    except (python_calamine.CalamineError, OSError, ValueError):
        return _file_problem(name, "", NOT_XLSX)
    if form is None:
        return _file_problem(name, "", "not_a_form")
    form.corrects, form.round_name = _our_properties(data, parts.entries)
    # Excel opens a workbook with macros only when it is named .xlsm
    if form.is_form and suffix.lower() == ".xlsm" and _has_macros(parts.entries):
        form.remarks += (Note.of("macros_not_run"),)
    if form.is_form and not parts.entries:  # an .xls or .ods: its structure is not read here
        form.remarks += (Note.of("structure_unchecked"),)
    return form
# Sheets of our own blank form that are never the form.
_NOT_THE_FORM = frozenset({"記入方法", "リスト"})
_SHEETS_LOOKED_AT = 10
_ANSWERED = 3  # fields with a value: fewer means the sheet was left blank


@dataclass
class _Book:
    """One workbook being read: its bytes, what the checks kept of them, the parser's view."""

    data: bytes
    parts: Parts
    workbook: python_calamine.CalamineWorkbook
    name: str  # the file's

    @functools.cached_property
    def hidden_sheets(self) -> frozenset[str]:
        visible = python_calamine.SheetVisibleEnum.Visible
        return frozenset(sheet.name for sheet in self.workbook.sheets_metadata
                         if sheet.visible != visible)

    def facts(self, sheet_name: str) -> sheetxml.SheetFacts:
        """The sheet's formulas and what it hides (an .xlsx's; other formats tell nothing)."""
        sheet = self.parts.sheet_xml(self.data, sheet_name) if self.parts.entries else None
        if sheet is None:
            return sheetxml.NOTHING
        styles = self.parts.entries.get(_STYLES)
        return sheetxml.sheet_facts(
            sheet, styles and sheetxml.Styles(
                bytes([styles.method & 0xFF]) + zipparts.stored(self.data, styles),
                lambda: zipparts.read(self.data, styles, styles.unpacked)),
            rows=MAX_FORM_ROWS, cols=MAX_FORM_COLS)


_STYLES = "xl/styles.xml"  # its declared size: the checks before the parser bounded it


@dataclass(frozen=True)
class SeenSheet:
    """A sheet as the person who filled it sees it: the values shown (``grid``), those it hides
    (by position) with the facts that tell how, its merged ranges and formula cells."""

    grid: Sequence[Sequence[object]]
    merged: Sequence[tuple[Position, Position]]
    unseen: dict[Position, object]
    facts: sheetxml.SheetFacts


def _seen_sheet(book: _Book, sheet_name: str) -> SeenSheet | None:
    """The sheet's shown values; None when its grid reaches beyond a form's bounds."""
    sheet = book.workbook.get_sheet_by_name(sheet_name)
    grid: Sequence[Sequence[object]] = sheet.to_python(skip_empty_area=False)
    # Rows and cells placed by position rather than by address can still spread far
    # (the checks before the parser bound only the addresses): the grid calamine built tells.
    if len(grid) > MAX_FORM_ROWS or (grid and len(grid[0]) > MAX_FORM_COLS):
        return None
    merged = sheet.merged_cell_ranges or []
    facts = _with_covered_cells(book.facts(sheet_name), grid, merged)
    unseen: dict[Position, object] = {}
    if facts.hides:  # what the person filling it cannot see is never read
        grid, unseen = _seen_only(grid, facts)
    return SeenSheet(grid, merged, unseen, facts)


def seen_sheets(data: bytes, name: str, wanted: Sequence[str]
                ) -> tuple[dict[str, SeenSheet], frozenset[str]] | str:
    """The sheets ``wanted`` of a workbook staff return to us (a plan, a support log) as their
    reader sees them, through the same checks as a form (every worksheet bounded like a form's,
    hidden cells, covered cells, formulas), and the names of its hidden sheets; or why the file
    cannot be read (a problem code)."""
    parts = Parts()
    if reason := sniff_bytes(data, limits=Limits(None, MAX_FORM_ROWS, MAX_FORM_COLS), keep=parts):
        return reason
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            book = _Book(data, parts, workbook, name)
            found = {sheet: _seen_sheet(book, sheet) for sheet in wanted
                     if sheet in workbook.sheet_names}
            hidden = book.hidden_sheets
        finally:
            workbook.close()
    except python_calamine.PasswordError:
        return PASSWORD
    except (python_calamine.CalamineError, OSError, ValueError):
        return NOT_XLSX
    if any(sheet is None for sheet in found.values()):
        return HOSTILE
    return {sheet: seen for sheet, seen in found.items() if seen is not None}, hidden


def _read_sheet(book: _Book, sheet_name: str) -> RawForm:
    seen = _seen_sheet(book, sheet_name)
    if seen is None:
        return _file_problem(book.name, "", HOSTILE)
    grid, merged, unseen, facts = seen.grid, seen.merged, seen.unseen, seen.facts
    form = read_grid(book.name, grid, merged)
    form.sheet = sheet_name
    form.formulas = facts.formulas
    if unseen and form.is_form:
        form.form_problems += _unseen_problems(form, unseen, grid, merged, facts)
    return form


def _with_covered_cells(facts: sheetxml.SheetFacts, grid: Sequence[Sequence[object]],
                        merged: Sequence[tuple[Position, Position]]) -> sheetxml.SheetFacts:
    """The facts, with the cells a merged range covers (only its first cell shows) that hold
    a value: whatever the file's format, calamine says where its merged ranges are."""
    covered: dict[Position, str] = {}
    for (top, left), (bottom, right) in merged:
        for r in range(top, min(bottom + 1, len(grid))):
            row = grid[r]
            for c in range(left + (r == top), min(right + 1, len(row))):  # all but the first
                if row[c] not in (None, ""):
                    covered[(r, c)] = _COVERED
    if not covered:
        return facts
    return dataclasses.replace(facts, unseen_cells={**covered, **facts.unseen_cells})


_COVERED = "結合したセルの下に隠れたセル"
_NO_ANSWERS = (None, "", VERSION_LABEL, FORM_VERSION)


def _seen_only(grid: Sequence[Sequence[object]], facts: sheetxml.SheetFacts
               ) -> tuple[list[list[object]], dict[Position, object]]:
    """The grid with every value the applicant cannot see taken out, and those values (our
    様式 mark is no answer: it still tells the form's version)."""
    seen = [list(row) for row in grid]
    unseen: dict[Position, object] = {}
    for r, row in enumerate(seen):
        for c, value in enumerate(row):
            if value not in _NO_ANSWERS and facts.how_unseen((r, c)):
                unseen[(r, c)] = value
                row[c] = None
    return seen, unseen


def _unseen_problems(form: RawForm, unseen: dict[Position, object],
                     seen: Sequence[Sequence[object]], merged: Sequence[tuple[Position, Position]],
                     facts: sheetxml.SheetFacts) -> list[Problem]:
    """A problem for each value the applicant cannot see that would be read as a field: a
    label, a value beside a label, or a label and its value typed in one cell."""
    grid = [list(row) for row in seen]
    for (r, c), value in unseen.items():
        grid[r][c] = value
    labels = {key: spec.label for spec, key in _FIELD_LABELS}
    labels |= {key: item for spec in CHECKLIST_FIELDS for item, key in
               ((item, label_key(item)) for item in spec.items)}
    # a label's merged range, by its row and last column: its input is the next cell
    merged_by_end = {(start[0], end[1]): start for start, end in merged}
    found = []
    for (r, c), value in sorted(unseen.items()):
        key = _cached_label_key(value) if isinstance(value, str) else ""
        left = [(r, c - 1)] + ([merged_by_end[(r, c - 1)]] if (r, c - 1) in merged_by_end else [])
        label = (labels.get(key) or next(filter(None, (_label_at(grid, p, labels) for p in left)), "")
                 or _inline_label(value))
        if label:
            how = facts.how_unseen((r, c))
            found.append(Problem(form.file, form.sheet, cell_address(r, c), label, display(value),
                                 "hidden_input", problems.describe("hidden_input", extra=how)))
    if len(found) > _MOST_NAMED:  # a sheet full of them: the first are enough to act on
        rest = f"ほかに{len(found) - _MOST_NAMED}か所"
        found[_MOST_NAMED:] = [problems.whole_file(form.file, "hidden_input", sheet=form.sheet,
                                                   extra=rest)]
    return found


_MOST_NAMED = 50


def _label_at(grid: Sequence[Sequence[object]], position: Position,
              labels: dict[str, str]) -> str:
    row, col = position
    value = grid[row][col] if 0 <= col < len(grid[row]) else None
    return labels.get(_cached_label_key(value), "") if isinstance(value, str) else ""


def _inline_label(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return next((spec.label for spec in FIELDS if _inline_pattern(spec.label).match(value)), "")


def _answered(form: RawForm) -> bool:
    values = (cell.value for key, cell in form.cells.items() if ":" not in key)
    return sum(value not in (None, "") for value in values) >= _ANSWERED


def _form_sheet(book: _Book) -> RawForm | None:
    """The sheet that holds the filled form, among those the applicant sees: 申請書, or a sheet
    under another name recognised by its labels and 様式 mark (a copy, a renamed sheet). Two
    filled sheets: the first is read and the form is 要修正, naming both. A hidden sheet
    that holds the form is never read: the form is 要修正, naming it. A workbook with no
    other sheets than our own costs nothing here."""
    names = book.workbook.sheet_names
    form = _read_sheet(book, FORM_SHEET) if FORM_SHEET in names else None
    if form is not None and not form.is_form:
        return form
    others = [s for s in names[:_SHEETS_LOOKED_AT] if s != FORM_SHEET and s not in _NOT_THE_FORM]
    hidden = book.hidden_sheets
    # Those sheets were not bounded by the first check (it looks at 申請書 only).
    if others and sniff_bytes(book.data, limits=Limits(None, MAX_FORM_ROWS, MAX_FORM_COLS)):
        others = []
    forms = ([form] if form is not None else []) + [
        other for sheet in others if (other := _read_sheet(book, sheet)).is_form]
    seen = [f for f in forms if f.sheet not in hidden]
    unseen = [f for f in forms if f.sheet in hidden]
    filled = [f for f in seen if _answered(f)]
    form = filled[0] if filled else next(iter(seen), None)
    if form is None and unseen:  # the form is only on hidden sheets: read none of its values
        form = _emptied(unseen[0])
    elif form is not None and form.sheet != FORM_SHEET:
        form.remarks += (Note.of("form_on_other_sheet", sheet=form.sheet),)
    if form is None:
        return None
    if len(filled) > 1:
        sheets = "、".join(f"「{f.sheet}」" for f in filled)
        form.form_problems.append(problems.whole_file(
            book.name, "two_filled_sheets", sheet=form.sheet, extra=sheets))
    form.form_problems += [_hidden_sheet_problem(f) for f in unseen]
    return form


def _emptied(form: RawForm) -> RawForm:
    """A form whose labels were found on a hidden sheet, with none of its values."""
    cells = {key: RawCell(None, cell.address) for key, cell in form.cells.items()}
    return RawForm(form.file, cells, label_addresses=form.label_addresses, sheet=form.sheet)


def _hidden_sheet_problem(form: RawForm) -> Problem:
    """A hidden sheet that holds the form: named with its first value, if any."""
    first = next((cell for cell in form.cells.values() if cell.value not in (None, "")), None)
    return Problem(form.file, form.sheet, first.address if first else "", problems.WHOLE_FILE,
                   display(first.value) if first else "", "hidden_input",
                   problems.describe("hidden_input", extra=f"非表示のシート「{form.sheet}」"))


_CUSTOM_PROPERTIES = "docProps/custom.xml"
_CORRECTS = re.compile(rf'name="{CORRECTS_PROPERTY}"[^>]*>\s*<vt:lpwstr>([0-9a-f]{{64}}) '.encode())
_ROUND = re.compile(rf'name="{ROUND_PROPERTY}"[^>]*>\s*<vt:lpwstr>([^<]*)</'.encode())


def _our_properties(data: bytes, entries: dict[str, zipparts.Entry]) -> tuple[str, str]:
    """What our document properties say: the SHA-256 a 差戻し tag names (the file this one
    corrects) and the round the blank form was made for (as :func:`property_text` keeps
    it); "" for each that is absent. ``entries``: the zip's directory (empty for an .xls or
    an .ods, which have no document properties of ours)."""
    entry = entries.get(_CUSTOM_PROPERTIES)
    if entry is None:
        return "", ""
    part = zipparts.read(data, entry, 1 << 16)
    corrects, round_name = _CORRECTS.search(part), _ROUND.search(part)
    return (corrects.group(1).decode() if corrects else "",
            property_text(html.unescape(round_name.group(1).decode(errors="replace")))
            if round_name else "")


def _has_macros(entries: dict[str, zipparts.Entry]) -> bool:
    return any(name.lower().endswith("vbaproject.bin") for name in entries)


_LONGEST_LABEL = 60  # typed labels with marks and notes; longer text is an answer
# What to look for, keyed once: each field's label, and each checklist item's label.
_VERSION_KEY = label_key(VERSION_LABEL)
_FIELD_LABELS = tuple((spec, label_key(spec.label)) for spec in FIELDS)
_ITEM_LABELS = {spec.key: tuple((item_key(spec, item), label_key(item)) for item in spec.items)
                for spec in CHECKLIST_FIELDS}


_SOUGHT = frozenset({_VERSION_KEY, *(key for _, key in _FIELD_LABELS),
                     *(key for items in _ITEM_LABELS.values() for _, key in items)})


@functools.lru_cache(maxsize=8192)
def _cached_label_key(text: str) -> str:
    return label_key(text)


@functools.lru_cache(maxsize=8192)
def _sought_label(text: str) -> str:
    """The label key of a cell's text when it is one of the labels a form is read by, else ""."""
    key = label_key(text)
    return key if key in _SOUGHT else ""


# Every form names the same few hundred cells: each address is made once per process.
_address = functools.lru_cache(maxsize=4096)(cell_address)


def read_grid(name: str, grid: Sequence[Sequence[object]],
              merged: Sequence[tuple[Position, Position]]) -> RawForm:
    """Find the fields in the cells of a 申請書 sheet."""
    labels: dict[str, list[Position]] = defaultdict(list)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            # most cells are empty (""): the cheapest test first, on every cell of every form
            if (value and isinstance(value, str) and len(value) <= _LONGEST_LABEL
                    and (key := _sought_label(value))):
                labels[key].append((r, c))
    merged_end = {start: end for start, end in merged}

    def right_of(position: Position) -> RawCell:
        r, c = position
        c = merged_end.get(position, position)[1] + 1
        value = grid[r][c] if c < len(grid[r]) else None
        return RawCell(None if value == "" else value, _address(r, c))

    version = labels.get(_VERSION_KEY)
    if version:
        typed = right_of(version[0]).value
        if clean_text(typed) != FORM_VERSION:
            return _file_problem(name, display(typed), "wrong_version", FORM_VERSION)

    cells: dict[str, RawCell] = {}
    label_addresses: dict[str, str] = {}
    typed_with_label: list[tuple[int, int, str]] | None = None
    for spec, key in _FIELD_LABELS:
        if not (positions := labels.get(key)):
            if spec.is_checklist:
                continue
            if typed_with_label is None:  # only for a form with a label missing: rare
                typed_with_label = _label_and_value_cells(grid)
            if inline := _value_in_label_cell(typed_with_label, spec.label):
                label_addresses[spec.key], cells[spec.key] = inline.address, inline
            continue
        heading = positions[0]
        label_addresses[spec.key] = _address(*heading)
        if not spec.is_checklist:
            cells[spec.key] = right_of(heading)
            continue
        for item, item_label in _ITEM_LABELS[spec.key]:
            if below := [p for p in labels.get(item_label, ()) if p[0] > heading[0]]:
                nearest = min(below, key=lambda p: (p[0], abs(p[1] - heading[1])))
                label_addresses[item] = _address(*nearest)
                cells[item] = right_of(nearest)
    found = len(label_addresses.keys() & FIELDS_BY_KEY.keys())
    if found < _MIN_LABELS_FOUND:
        return _file_problem(name, "", "not_recognised", f"{len(FIELDS)}項目中{found}項目")
    return RawForm(name, cells, label_addresses=label_addresses)


def _label_and_value_cells(grid: Sequence[Sequence[object]]) -> list[tuple[int, int, str]]:
    """Cells holding text with a separator whose right neighbour is empty."""
    found = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if (isinstance(value, str) and _SEPARATOR.search(value)
                    and (c + 1 >= len(row) or row[c + 1] in (None, ""))):
                found.append((r, c, value))
    return found


def _value_in_label_cell(cells: Sequence[tuple[int, int, str]], label: str) -> RawCell | None:
    """``団体名：〇〇会`` or ``団体名　〇〇会`` typed into one cell, the input cell beside it left
    empty: the value is what follows the label (a separator is required, so that a value
    that merely starts like a label is not taken for one)."""
    pattern = _inline_pattern(label)
    for r, c, value in cells:
        if found := pattern.match(value):
            return RawCell(found.group(1), cell_address(r, c))
    return None


_SEPARATOR = re.compile(r"[:：\s]")


@functools.lru_cache(maxsize=64)
def _inline_pattern(label: str) -> re.Pattern[str]:
    """The label, then a separator (a colon, or spaces), then the value. Possessive
    quantifiers: a run of 32,000 spaces is read once, never backtracked into (linear time)."""
    return re.compile(rf"^[\s※＊*]*+{re.escape(label)}(?:\s*+[（(](?:必須|任意)[)）])?"
                      rf"(?:\s*+[:：]\s*+|\s++)(\S.*)$", re.DOTALL)


def crashed_form(path: Path, name: str) -> RawForm:
    """A file whose reading ended the worker process (a parser abort or out of memory)."""
    form = _file_problem(name, "", "crashed")
    form.sha256 = sha256_of(path)
    return form


def _file_problem(name: str, value: str, code: str, extra: str = "") -> RawForm:
    sheet = FORM_SHEET if code in ("wrong_version", "not_recognised") else ""  # whole file
    return RawForm(name, problems=[problems.whole_file(name, code, sheet=sheet, value=value,
                                                       extra=extra)])
