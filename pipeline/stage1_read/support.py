"""Returned plans and support logs (inbox/支援/): every field found by its label, every value
with the cell it came from.

Each file goes through the checks a form goes through (:func:`forms.seen_sheets`: sniffed
before a parser sees it, zip limits, every worksheet bounded, hidden and covered cells and
formulas never read) in a worker process with the memory and time limits. Matching a file to
a selected district is :mod:`pipeline.stage2_decide.progress`' work.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from pipeline.core import processes, support
from pipeline.core.cells import cell_address
from pipeline.core.names import SUPPORT_DIR
from pipeline.core.normalize import (
    Invalid,
    clean_text,
    display,
    label_key,
    nfkc,
    parse_choice,
    parse_date,
    parse_mark,
    parse_year_month,
)
from pipeline.core.problems import WHOLE_FILE
from pipeline.core.records import RawCell
from pipeline.core.support import KpiResult, KpiRow, ScheduledMonth, Session, SupportFile
from pipeline.stage1_read import zipparts
from pipeline.stage1_read.forms import SeenSheet, seen_sheets
from pipeline.stage1_read.inbox import shown_name
from pipeline.stage1_read.review_sheets import saved_at
from pipeline.stage1_read.sniff import load

Position = tuple[int, int]
_MOST_NAMED = 50  # hidden cells named one by one; more are counted


def read_support_files(paths: Sequence[Path], activities: tuple[str, ...]) -> list[SupportFile]:
    """Every file of inbox/支援/, each read in a worker process with the memory limit (one that
    crashes or exhausts its parser costs that file only). ``activities``: what a log's
    支援メニュー may name (the menus and the plan's kickoff, mid-term and closing)."""
    names = [f"{SUPPORT_DIR}/{shown_name(path.name)}" for path in paths]

    def unreadable(index: int) -> SupportFile:
        return _file_problem(names[index], "crashed")

    return processes.isolated([(read_support_file, (path, name, activities))
                               for path, name in zip(paths, names, strict=True)], unreadable)


def read_support_file(path: Path, name: str, activities: tuple[str, ...]) -> SupportFile:
    data = load(path)
    if isinstance(data, str):
        return _file_problem(name, data)
    found = seen_sheets(data, name, (support.PLAN_SHEET, support.LOG_SHEET, support.KPI_SHEET))
    if isinstance(found, str):
        return _file_problem(name, found)
    sheets, hidden = found
    kind = next((k for k in (support.PLAN_SHEET, support.LOG_SHEET) if k in sheets), "")
    if not kind:
        return _file_problem(name, "support_not_ours")
    if kind in hidden:  # never read: what staff do not see is not what they meant
        return _file_problem(name, "hidden_input", extra=f"非表示のシート「{kind}」")
    read = SupportFile(name, kind, tag=_tag(data, kind), saved_at=saved_at(path))
    _Sheet(read, kind, sheets[kind]).fill(activities)
    if kind == support.LOG_SHEET and support.KPI_SHEET in sheets:
        if support.KPI_SHEET in hidden:
            read.problems.append(support.problem(name, support.KPI_SHEET, "", WHOLE_FILE, "",
                                                 "hidden_input",
                                                 f"非表示のシート「{support.KPI_SHEET}」"))
        else:
            _Sheet(read, support.KPI_SHEET, sheets[support.KPI_SHEET]).fill(activities)
    return read


def _file_problem(name: str, code: str, extra: str = "") -> SupportFile:
    return SupportFile(name, problems=[support.problem(name, "", "", WHOLE_FILE, "", code, extra)])


_CUSTOM = "docProps/custom.xml"


def _tag(data: bytes, kind: str) -> str:
    """The SHA-256 our property names in the workbook ("" without one)."""
    name = support.PLAN_PROPERTY if kind == support.PLAN_SHEET else support.LOG_PROPERTY
    entry = zipparts.entries(data).get(_CUSTOM)
    if entry is None:
        return ""
    part = zipparts.read(data, entry, 1 << 16)
    found = re.search(rf'name="{name}"[^>]*>\s*<vt:lpwstr>([0-9a-f]{{64}})</'.encode(), part)
    return found.group(1).decode() if found else ""


class _Sheet:
    """One sheet of a returned workbook being read into ``read``."""

    def __init__(self, read: SupportFile, name: str, seen: SeenSheet) -> None:
        self.read, self.name, self.seen = read, name, seen
        self.grid = seen.grid
        self.merged_end = {start: end for start, end in seen.merged}
        self.labels: dict[str, Position] = {}
        for r, row in enumerate(self.grid):
            for c, value in enumerate(row):
                if isinstance(value, str) and (key := label_key(value)):
                    self.labels.setdefault(key, (r, c))

    def problem(self, cell: str, label: str, value: object, code: str, extra: str = "") -> None:
        self.read.problems.append(support.problem(self.read.file, self.name, cell, label,
                                                  display(value), code, extra))

    def cell(self, r: int, c: int, label: str) -> RawCell:
        """The value at (r, c) as shown; a formula is a problem, and its value is not read."""
        address = cell_address(r, c)
        value = self.grid[r][c] if r < len(self.grid) and c < len(self.grid[r]) else None
        if address in self.seen.facts.formulas:
            self.problem(address, label, value, "formula")
            value = None
        return RawCell(None if value == "" else value, address)

    def beside(self, label: str) -> RawCell | None:
        """The input cell right of the label (of its merged range)."""
        position = self.labels.get(label_key(label))
        if position is None:
            return None
        return self.cell(position[0], self.merged_end.get(position, position)[1] + 1, label)

    def table(self, headings: Sequence[str]) -> tuple[int, dict[str, int]] | None:
        """The heading row holding every one of ``headings`` and each heading's column."""
        wanted = {label_key(h): h for h in headings}
        for r, row in enumerate(self.grid):
            columns = {wanted[k]: c for c, v in enumerate(row)
                       if (k := label_key(v)) in wanted}
            if len(columns) == len(wanted):
                return r, columns
        return None

    def fill(self, activities: tuple[str, ...]) -> None:
        self._hidden()
        if self.name == support.KPI_SHEET:
            self._results()
            return
        self.read.municipality = self.beside(support.MUNICIPALITY_LABEL)
        self.read.org_name = self.beside(support.ORG_LABEL)
        if self.name == support.PLAN_SHEET:
            self.read.kickoff = {label: cell for label in support.KICKOFF_LABELS
                                 if (cell := self.beside(label)) is not None}
            date = self.read.kickoff.get(support.KICKOFF_DATE)
            if date is not None and isinstance(parse_date(date.value), Invalid):
                self.problem(date.address, support.KICKOFF_DATE, date.value, "bad_date")
            self._kpis()
            self._schedule()
        else:
            self._sessions(activities)

    def _hidden(self) -> None:
        """Every value staff cannot see on the sheet, named at its cell (never read)."""
        unseen = sorted(self.seen.unseen.items())
        for (r, c), value in unseen[:_MOST_NAMED]:
            self.problem(cell_address(r, c), "セル", value, "hidden_input",
                         self.seen.facts.how_unseen((r, c)) or "結合したセルの下に隠れたセル")
        if len(unseen) > _MOST_NAMED:
            self.problem("", WHOLE_FILE, "", "hidden_input", f"ほかに{len(unseen) - _MOST_NAMED}か所")

    def _rows(self, headings: Sequence[str], stop_at_blank: bool
              ) -> list[tuple[int, dict[str, RawCell]]]:
        """The rows under the heading row of ``headings``, each heading's cell; blank rows skipped
        (or, ``stop_at_blank``, the end of the table)."""
        found = self.table(headings)
        if found is None:
            return []
        top, columns = found
        rows = []
        for r in range(top + 1, len(self.grid)):
            cells = {h: self.cell(r, c, h) for h, c in columns.items()}
            if all(cell.value is None for cell in cells.values()):
                if stop_at_blank:
                    break
                continue
            rows.append((r, cells))
        return rows

    def _kpis(self) -> None:
        for _, cells in self._rows(support.KPI_HEADINGS, stop_at_blank=False):
            name = clean_text(cells[support.KPI_NAME].value)
            if name is None:
                continue
            target = clean_text(cells[support.KPI_TARGET].value)
            due = _due(cells[support.KPI_DUE].value)
            for label, missing in ((support.KPI_TARGET, target is None),
                                   (support.KPI_DUE, cells[support.KPI_DUE].value is None)):
                if missing:
                    self.problem(cells[label].address, label, name, "support_kpi_incomplete")
            if isinstance(due, Invalid):
                self.problem(cells[support.KPI_DUE].address, support.KPI_DUE,
                             cells[support.KPI_DUE].value, "bad_date")
            self.read.kpis.append(KpiRow(name, target or "", due if isinstance(due, dt.date)
                                         else None, clean_text(cells[support.KPI_OWNER].value)
                                         or "", cells[support.KPI_NAME].address))

    def _schedule(self) -> None:
        found = self.table((support.ACTIVITY, support.DETAIL))
        if found is None:
            return
        top, columns = found
        months = {c: month for c in range(columns[support.DETAIL] + 1, len(self.grid[top]))
                  if isinstance(month := parse_year_month(self.grid[top][c]), dt.date)}
        for r in range(top + 1, len(self.grid)):
            activity = clean_text(self.cell(r, columns[support.ACTIVITY], support.ACTIVITY).value)
            if activity is None:
                break
            for c, month in months.items():
                cell = self.cell(r, c, f"{activity}（{month.year}年{month.month}月）")
                sessions = _sessions(cell.value)
                if isinstance(sessions, Invalid):
                    self.problem(cell.address, f"{activity}（{month.year}年{month.month}月）",
                                 cell.value, "bad_mark")
                elif sessions != 0:
                    self.read.schedule.append(ScheduledMonth(activity, month, sessions,
                                                             cell.address))

    def _sessions(self, activities: tuple[str, ...]) -> None:
        for r, cells in self._rows(support.LOG_HEADINGS, stop_at_blank=False):
            date = self._date(cells[support.SESSION_DATE], support.SESSION_DATE)
            menu = self._choice(cells[support.MENU], support.MENU, activities)
            form = self._choice(cells[support.FORMAT], support.FORMAT, support.FORMATS)
            count = _count(cells[support.PARTICIPANTS].value)
            if isinstance(count, Invalid):
                self.problem(cells[support.PARTICIPANTS].address, support.PARTICIPANTS,
                             cells[support.PARTICIPANTS].value, "support_bad_number")
            if date is None or menu is None:
                continue  # not counted: the problem is on its cell
            who, done, next_steps, adviser = (clean_text(cells[h].value) or "" for h in (
                support.WHO, support.DONE, support.NEXT, support.ADVISER))
            self.read.sessions.append(Session(
                date, menu, form or "", count if isinstance(count, int) else None, who, done,
                next_steps, adviser, row=r + 1, date_cell=cells[support.SESSION_DATE].address))

    def _results(self) -> None:
        for r, cells in self._rows(support.RESULT_HEADINGS, stop_at_blank=False):
            date = self._date(cells[support.MEASURED_ON], support.MEASURED_ON)
            name = clean_text(cells[support.KPI_NAME].value)
            value = clean_text(cells[support.KPI_VALUE].value)
            for label, text in ((support.KPI_NAME, name), (support.KPI_VALUE, value)):
                if text is None:
                    self.problem(cells[label].address, label, "", "required")
            if date is not None and name is not None and value is not None:
                self.read.results.append(KpiResult(
                    date, name, value, clean_text(cells[support.KPI_NOTE].value) or "", r + 1,
                    cells[support.MEASURED_ON].address, cells[support.KPI_NAME].address))

    def _date(self, cell: RawCell, label: str) -> dt.date | None:
        date = parse_date(cell.value)
        if date is None:
            self.problem(cell.address, label, "", "required")
        elif isinstance(date, Invalid):
            self.problem(cell.address, label, cell.value, "bad_date")
        return date if isinstance(date, dt.date) else None

    def _choice(self, cell: RawCell, label: str, choices: tuple[str, ...]) -> str | None:
        chosen = parse_choice(cell.value, choices)
        if chosen is None:
            self.problem(cell.address, label, "", "required")
        elif isinstance(chosen, Invalid):
            self.problem(cell.address, label, cell.value, chosen.code, "、".join(choices))
        return chosen if isinstance(chosen, str) else None


def _due(raw: object) -> dt.date | Invalid | None:
    """A KPI's 期日: a date, or a month (its last day)."""
    day = parse_date(raw)
    if not isinstance(day, Invalid):
        return day
    month = parse_year_month(raw)
    if isinstance(month, dt.date):
        return month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return day


_NUMBER = re.compile(r"^\s*(\d{1,6})\s*(?:人|名)?\s*$")


def _count(raw: object) -> int | Invalid | None:
    """A count of people: 12, 12人, １２名."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return int(raw) if float(raw).is_integer() and 0 <= raw < 1_000_000 else Invalid(
            "support_bad_number")
    found = _NUMBER.match(nfkc(str(raw)))
    return int(found.group(1)) if found else Invalid("support_bad_number")


def _sessions(raw: object) -> int | Invalid | None:
    """A month's cell in the agreed schedule: a number of sessions, a mark (the usual number,
    None) or nothing (0)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw not in (0, 1):
        return int(raw) if float(raw).is_integer() and 0 < raw <= 20 else Invalid("bad_mark")
    if isinstance(raw, str) and (found := re.fullmatch(r"(\d{1,2})\s*回?", nfkc(raw).strip())):
        return int(found.group(1))
    mark = parse_mark(raw)
    if isinstance(mark, Invalid):
        return mark
    return None if mark else 0

