"""What the reading stage hands over: each file as read, the inbox, the receipt register,
the returned review sheets and the previous run's results. Plain records, no file access:
:mod:`pipeline.stage1_read` fills them, the deciding and writing stages use them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from pipeline.core import problems
from pipeline.core.formspec import FORM_SHEET, ROUND_PROPERTY
from pipeline.core.notes import Note
from pipeline.core.problems import Problem

# ---- Forms ----


class RawCell(NamedTuple):
    """A value read from a cell of a workbook (a form, a review sheet, a plan, a log), and where."""

    value: object
    address: str  # e.g. "B14"


class Cells(Mapping[str, RawCell]):
    """A form's cells by field key, kept compact: its values its own, and where they are (each
    key's position and cell) shared by every form filled in from the same blank form. A large
    round holds thousands of forms of one layout (10,000 forms: 50 MB less than a dict each)."""

    __slots__ = ("_values", "_where")

    def __init__(self, where: Mapping[str, tuple[int, str]], values: tuple[object, ...]) -> None:
        self._where = where  # key → (position in values, address)
        self._values = values

    def __getitem__(self, key: str) -> RawCell:
        position, address = self._where[key]
        return RawCell(self._values[position], address)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


@dataclass
class RawForm:
    """One file as read: raw values by field key (``menus:プラン策定支援`` for items)."""

    file: str
    cells: Mapping[str, RawCell] = field(default_factory=dict)
    sha256: str = ""
    label_addresses: Mapping[str, str] = field(default_factory=dict)  # where each label is
    problems: list[Problem] = field(default_factory=list)
    remarks: tuple[Note, ...] = ()  # for staff, e.g. that a macro-enabled workbook was read as values only
    corrects: str = ""  # SHA-256 of the file this one corrects (our 差戻し tag), if any
    round_name: str = ""  # the round the blank form was made for (its round mark, as kept)
    formulas: frozenset[str] = frozenset()  # addresses of the form sheet's formula cells
    sheet: str = FORM_SHEET  # the sheet read as the form (a copy or a renamed sheet, if so)
    # problems with a form that is still read (e.g. two filled sheets): it is 要修正
    form_problems: list[Problem] = field(default_factory=list)
    # (normalised values, problems met), when a worker process already normalised the form
    normalized: tuple[dict[str, object], list[Problem]] | None = None

    @property
    def is_form(self) -> bool:
        return not self.problems

    @property
    def round_shown(self) -> str:
        """The round mark as staff may be shown it (quoted, its start only, its source named)."""
        return quoted_property(ROUND_PROPERTY, self.round_name)


# Anyone can write a document property: what is kept of one is text on one line with nothing
# invisible in it, and what is shown is its start, quoted, with where it came from.
_LONGEST_KEPT = 100  # round.name's own limit: a longer property names no round
_SHOWN = 40
_SPACES = re.compile(r"\s+")


def property_text(value: str) -> str:
    """A document property's text as it may be kept: each control character or line or
    paragraph separator a space, format characters (bidi overrides, zero-width marks) left
    out; longer than a round name may be, cut to what is shown. Other text stays as typed,
    so that the round's own name compares equal."""
    text = "".join(" " if category in ("Zl", "Zp") or category == "Cc" else char
                   for char in value
                   if (category := unicodedata.category(char)) in ("Cc", "Zl", "Zp")
                   or category[0] != "C")
    return text if len(text) <= _LONGEST_KEPT else _cut(text)


def quoted_property(name: str, text: str) -> str:
    """How a document property is shown to staff: its name and its start, on one line, quoted."""
    return f"文書のプロパティ {name}「{_cut(_SPACES.sub(' ', property_text(text)).strip())}」"


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}…"


# ---- The inbox ----


@dataclass(frozen=True)
class InboxFile:
    name: str  # NFC: names saved on a Mac arrive decomposed
    path: Path


@dataclass(frozen=True)
class InboxScan:
    files: tuple[InboxFile, ...]  # every file that may be an application, by name
    ignored: tuple[tuple[str, str], ...]  # (name, why) for files and folders we do not judge
    registers: tuple[Path, ...]  # named 受付簿*.xlsx (in any width or case)
    review_files: tuple[Path, ...]
    # inbox/支援/: returned plans and support logs (never applications), every file there
    support_files: tuple[Path, ...] = ()


# ---- The receipt register (受付簿) and staff decisions (事務局判断) ----

DECISIONS_SHEET = "事務局判断"
DECISION_LABELS = {"file": "ファイル名", "action": "判断", "original": "元のファイル",
                   "reason": "理由", "author": "記入者", "date": "日付"}


@dataclass(frozen=True)
class RegisterEntry:
    name: str  # the file name as staff typed it
    name_cell: str  # e.g. B5
    time_cell: str
    raw_time: str  # as typed, for messages
    received: dt.datetime | None  # aware Japan time; None when it cannot be read
    year_typed: bool = True  # False: 「12/25 10:00」, its year is the deciding stage's choice
    sender: str | None = None  # 送信元 (an e-mail address), when the register has the column
    org_name: str | None = None  # 団体名, when the register has the column


@dataclass(frozen=True)
class StaffDecisionRow:
    """One row of the sheet 事務局判断, as typed (its cells named for messages)."""

    file: str
    file_cell: str
    action: str  # 除外 / 適格 / 不適格 / 再提出として扱う, as typed (checked when applied)
    action_cell: str
    original: str | None  # 元のファイル, for 再提出として扱う
    reason: str | None
    author: str | None
    date: str | None  # as typed


@dataclass(frozen=True)
class Register:
    source: str | None  # the register's file name; None when there is none
    entries: tuple[RegisterEntry, ...] = ()
    notes: tuple[Note, ...] = ()  # rows that name no file, a 事務局判断 sheet that cannot be read
    problem: Note | None = None  # why the register cannot be used at all
    decisions: tuple[StaffDecisionRow, ...] = ()
    # applicants' workbooks that have the register's headings: judged as applications
    lookalikes: tuple[str, ...] = ()


NO_REGISTER = Register(None)


# ---- Returned review sheets (審査票) ----


@dataclass(frozen=True)
class ReviewRow:
    file: str  # as the reviewer's row names it
    cells: dict[str, RawCell]  # column label → cell (ファイル名, 利害関係あり, each criterion)


@dataclass(frozen=True)
class ReviewSheet:
    name: str  # 審査/<file name>
    reviewer: str | None  # 審査員氏名 as typed
    rows: tuple[ReviewRow, ...] = ()
    problem: problems.Problem | None = None  # why the sheet as a whole cannot be used
    saved_at: str = ""  # when Excel last saved it (docProps/core.xml, ISO 8601), if it says


# ---- The previous run ----


@dataclass(frozen=True)
class Previous:
    """By file name: 判定 and 団体名 (every file), 順位 and 合計点 (ranked files)."""

    decisions: dict[str, tuple[str, str]]
    ranks: dict[str, tuple[int, Fraction]]  # the exact total (an older manifest's float as written)


@dataclass(frozen=True)
class PreviousRound:
    """The round before this one (round.toml's previous_round): the organisations it selected."""

    name: str  # its folder, as round.toml names it
    selected: tuple[str, ...]  # 団体名 as written
    found: bool  # its outbox/ had the results of a run
