"""Intake: the inbox, the receipt register, and returned forms — every field found by its
label, with the cell it came from.

It does not judge values; it hands the raw cell values (with their addresses) to
:mod:`pipeline.validate`. Every file is checked (:func:`sniff_bytes`) before a parser sees it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import python_calamine

from pipeline import problems, zipparts
from pipeline.formspec import (
    CHECKLIST_FIELDS,
    FIELDS,
    FIELDS_BY_KEY,
    FORM_SHEET,
    FORM_VERSION,
    VERSION_LABEL,
    item_key,
)
from pipeline.normalize import clean_text, display, label_key, parse_datetime
from pipeline.problems import Problem
from pipeline.settings import JST

Position = tuple[int, int]

# Fewer labels than this found on 申請書 means the workbook is not our form.
_MIN_LABELS_FOUND = len(FIELDS) // 2


class RawCell(NamedTuple):  # a tuple: cheap to send back from a worker process
    value: object
    address: str  # e.g. "B14"


@dataclass
class RawForm:
    """One file as read: raw values by field key (``menus:プラン策定支援`` for items)."""

    file: str
    cells: dict[str, RawCell] = field(default_factory=dict)
    sha256: str = ""
    label_addresses: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    remark: str = ""  # for staff, e.g. that a macro-enabled workbook was read as values only
    # (normalised values, problems met), when a worker process already normalised the form
    normalized: tuple[dict[str, object], list[Problem]] | None = None

    @property
    def is_form(self) -> bool:
        return not self.problems

    # Forms come back from the worker processes by the thousand. A named tuple pickles by
    # calling Python code for each cell; plain tuples do not (a form travels 2× quicker).
    def __getstate__(self) -> dict[str, object]:
        return self.__dict__ | {"cells": {key: tuple(cell) for key, cell in self.cells.items()}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.cells = {key: RawCell(*cell) for key, cell in state["cells"].items()}


@functools.lru_cache(maxsize=256)
def column_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@functools.lru_cache(maxsize=4096)  # one string object per address: pickles once per chunk
def cell_address(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


def read_form(path: Path, name: str | None = None) -> RawForm:
    """Read one returned form, with its SHA-256; a file that is not a readable form gets one
    file-level problem. The file is read once; every check and the parser work on those bytes."""
    name = name or path.name
    data = load(path)
    if isinstance(data, str):
        form = _file_problem(name, "", "unreadable", data)
        form.sha256 = sha256_of(path)
        return form
    form = _read_form(data, path.suffix, name)
    form.sha256 = hashlib.sha256(data).hexdigest()
    return form


def _read_form(data: bytes, suffix: str, name: str) -> RawForm:
    if reason := sniff_bytes(data):
        return _file_problem(name, "", "unreadable", reason)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            if FORM_SHEET not in workbook.sheet_names:
                return _file_problem(name, "", "not_a_form")
            sheet = workbook.get_sheet_by_name(FORM_SHEET)
            grid = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        finally:
            workbook.close()
        # Rows and cells placed by position rather than by address can still spread far
        # (the checks above bound only the addresses): the grid calamine built tells.
        if len(grid) > MAX_FORM_ROWS or (grid and len(grid[0]) > MAX_FORM_COLS):
            return _file_problem(name, "", "unreadable", _HOSTILE)
    except python_calamine.PasswordError:
        return _file_problem(name, "", "unreadable", _PASSWORD)
    except (python_calamine.CalamineError, OSError, ValueError):
        return _file_problem(name, "", "unreadable", _NOT_XLSX)
    form = read_grid(name, grid, merged)
    # Excel opens a workbook with macros only when it is named .xlsm
    if form.is_form and suffix.lower() == ".xlsm" and _has_macros(data):
        form.remark = MACRO_REMARK
    return form


MACRO_REMARK = "マクロ付きのブックです。値だけを読み取り、マクロは実行していません。"


def _has_macros(data: bytes) -> bool:
    return any(name.lower().endswith("vbaproject.bin") for name in zipparts.entries(data))


_LONGEST_LABEL = 60  # typed labels with marks and notes; longer text is an answer
# What to look for, keyed once: each field's label, and each checklist item's label.
_VERSION_KEY = label_key(VERSION_LABEL)
_FIELD_LABELS = tuple((spec, label_key(spec.label)) for spec in FIELDS)
_ITEM_LABELS = {spec.key: tuple((item_key(spec, item), label_key(item)) for item in spec.items)
                for spec in CHECKLIST_FIELDS}


@functools.lru_cache(maxsize=8192)
def _cached_label_key(text: str) -> str:
    return label_key(text)


def read_grid(name: str, grid: Sequence[Sequence[object]],
              merged: Sequence[tuple[Position, Position]]) -> RawForm:
    """Find the fields in the cells of a 申請書 sheet."""
    labels: dict[str, list[Position]] = defaultdict(list)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, str) and 0 < len(value) <= _LONGEST_LABEL:
                labels[_cached_label_key(value)].append((r, c))
    merged_end = {start: end for start, end in merged}

    def right_of(position: Position) -> RawCell:
        r, c = position
        c = merged_end.get(position, position)[1] + 1
        value = grid[r][c] if c < len(grid[r]) else None
        return RawCell(None if value == "" else value, cell_address(r, c))

    version = labels.get(_VERSION_KEY)
    if version:
        typed = right_of(version[0]).value
        if clean_text(typed) != FORM_VERSION:
            return _file_problem(name, display(typed), "wrong_version", FORM_VERSION)

    form = RawForm(name)
    for spec, key in _FIELD_LABELS:
        if not (positions := labels.get(key)):
            continue
        heading = positions[0]
        form.label_addresses[spec.key] = cell_address(*heading)
        if not spec.is_checklist:
            form.cells[spec.key] = right_of(heading)
            continue
        for item, item_label in _ITEM_LABELS[spec.key]:
            if below := [p for p in labels.get(item_label, ()) if p[0] > heading[0]]:
                nearest = min(below, key=lambda p: (p[0], abs(p[1] - heading[1])))
                form.label_addresses[item] = cell_address(*nearest)
                form.cells[item] = right_of(nearest)
    found = len(form.label_addresses.keys() & FIELDS_BY_KEY.keys())
    if found < _MIN_LABELS_FOUND:
        return _file_problem(name, "", "not_recognised", f"{len(FIELDS)}項目中{found}項目")
    return form


def crashed_form(path: Path, name: str) -> RawForm:
    """A file whose reading ended the worker process (a parser abort or out of memory)."""
    form = _file_problem(name, "", "unreadable",
                         "読み込みの途中で処理が異常終了しました。ファイルが壊れているか、申請用紙としては"
                         "大きすぎます。配布した申請用紙に記入して再送してください。")
    form.sha256 = sha256_of(path)
    return form


def _file_problem(name: str, value: str, code: str, extra: str = "") -> RawForm:
    message = problems.describe(code, value=value, extra=extra)
    sheet = FORM_SHEET if code in ("wrong_version", "not_recognised") else ""
    problem = problems.Problem(name, sheet, "", "ファイル", value, code, message)
    return RawForm(name, problems=[problem])


# --- What a file is, before any parser sees it -------------------------------------------

_NOT_XLSX = ("Excelブック（.xlsx）として開けません。申請用紙をExcelで開き直し、"
             "「Excel ブック (*.xlsx)」形式で保存して再送してください。")
_PASSWORD = "パスワードで保護されています。パスワードを外して再送してください。"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_ENTRIES = 200
_MAX_UNPACKED = 50 * 1024 * 1024  # a filled form unpacks to well under 1 MB
MAX_FILE_SIZE = 20 * 1024 * 1024  # a filled form is some 15 KB; pictures pasted in stay far below
_MAX_RATIO = 200
# Beyond these a 申請書 sheet is not our form; calamine would allocate the whole area.
MAX_FORM_ROWS = 2000
MAX_FORM_COLS = 100
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
# Only cell references with two or more letters or four or more digits can be out of bounds.
_FAR_CELL = re.compile(rb'<c r="([A-Z]{2,}|[A-Z](?=\d{4,}))(\d+)"')
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_PROLOG = 4096
_SHORT_PROLOG = 256


def load(path: Path) -> bytes | str:
    """The file's bytes, or why they cannot be had (a Japanese reason)."""
    try:
        if path.stat().st_size > MAX_FILE_SIZE:
            return _TOO_BIG
        return path.read_bytes()
    except OSError:
        return "ファイルを開けません。もう一度保存して再送してください。"


def sniff(path: Path, every_part: bool = False) -> str | None:
    """Why the file at ``path`` cannot be read as a form (None when it may be one)."""
    data = load(path)
    return data if isinstance(data, str) else sniff_bytes(data, every_part)


def sniff_bytes(data: bytes, every_part: bool = False) -> str | None:
    """Why these bytes cannot be read as a form (None when they may be one).

    Checks the bytes and the zip before any parser sees them: declared sizes,
    ratio and entry count, DTDs in the parts the parser reads (``every_part``
    for a parser that reads them all, as openpyxl does), cell references
    beyond a form's bounds.
    """
    head = data[:8]
    if not head:
        return "ファイルが空（0バイト）です。申請用紙を保存し直して再送してください。"
    if head.startswith(_OLE):
        # An encrypted .xlsx is an OLE file whose directory names the EncryptionInfo stream.
        return _PASSWORD if "EncryptionInfo".encode("utf-16-le") in data[: 1 << 20] else (
            "古い形式のExcelファイル（.xls）か、他のソフトのファイルです。申請用紙をExcelで開き、"
            "「Excel ブック (*.xlsx)」形式で保存して再送してください。")
    if head.startswith(b"%PDF"):
        return ("PDFファイルです。PDFは読み取れません。配布した申請用紙（Excel）に記入し、"
                ".xlsxのまま再送してください。")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "画像ファイルです。配布した申請用紙（Excel）に記入し、.xlsxのまま再送してください。"
    if not head.startswith(b"PK\x03\x04"):
        return _NOT_XLSX
    return _sniff_zip(data, every_part)


def _sniff_zip(data: bytes, every_part: bool) -> str | None:
    try:
        entries = zipparts.entries(data)
        if "word/document.xml" in entries:
            return ("Wordファイルです。配布した申請用紙（Excel）に記入し、.xlsxのまま"
                    "再送してください。")
        if "content.xml" in entries and "mimetype" in entries and b"opendocument" in (
                zipparts.read(data, entries["mimetype"], 100)):
            return _OPENDOCUMENT
        if _WORKBOOK not in entries:
            return _NOT_XLSX
        if len(entries) > _MAX_ENTRIES:
            return _TOO_BIG
        unpacked = sum(entry.unpacked for entry in entries.values())
        packed = sum(entry.packed for entry in entries.values()) or 1
        if unpacked > _MAX_UNPACKED or unpacked / packed > _MAX_RATIO:
            return _TOO_BIG
        # The workbook and its relations are read whole: they say which part is the 申請書 sheet.
        workbook = zipparts.read(data, entries[_WORKBOOK], _MAX_UNPACKED)
        relations = (zipparts.read(data, entries[_RELATIONS], _MAX_UNPACKED)
                     if _RELATIONS in entries else b"")
        if _prolog_is_hostile(workbook[:_PROLOG]) or (
                relations and _prolog_is_hostile(relations[:_PROLOG])):
            return _HOSTILE
        form_sheet = _form_sheet_part(workbook, relations)
        for name, entry in entries.items():
            whole = name == form_sheet or (not form_sheet and name.startswith("xl/worksheets/"))
            parsed = every_part or whole or name in _PARSED_PARTS
            if name in (_WORKBOOK, _RELATIONS) or not (parsed and name.endswith((".xml", ".rels"))):
                continue
            if _sheet_is_hostile(zipparts.read(data, entry, _MAX_UNPACKED + 1)) if whole else (
                    _prolog_is_hostile(_prolog(data, entry))):
                return _HOSTILE
    except zipparts.BadZip:
        return ("ファイルが壊れているか、途中までしか届いていません。申請用紙を保存し直して"
                "再送してください。")
    return None


_WORKBOOK = "xl/workbook.xml"
_RELATIONS = "xl/_rels/workbook.xml.rels"
# What python-calamine parses besides the sheet it is asked for.
_PARSED_PARTS = frozenset({_WORKBOOK, _RELATIONS, "xl/sharedStrings.xml", "xl/styles.xml",
                           "[Content_Types].xml"})
_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                           rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def _form_sheet_part(workbook: bytes, relations: bytes) -> str:
    """The zip entry of the 申請書 sheet: the only sheet the parser will load.
    Unknown: every worksheet is then read in full."""
    wanted = FORM_SHEET.encode()
    rel_id = next((rid for name, rid in _SHEET_ENTRY.findall(workbook) if name == wanted), None)
    for match in _RELATIONSHIP.finditer(relations):
        found_id, target = (match.group(1), match.group(2)) if match.group(1) else (
            match.group(4), match.group(3))
        if found_id == rel_id:
            target_text = target.decode(errors="replace").lstrip("/")
            return target_text if target_text.startswith("xl/") else f"xl/{target_text}"
    return ""


_OPENDOCUMENT = ("OpenDocument形式（.ods）のファイルです。LibreOffice の場合は「ファイル」→「名前を付けて"
                 "保存」で、ファイルの種類に「Excel 2007-365 (.xlsx)」を選んで保存し、再送してください。")
_TOO_BIG = ("ファイルの中身が申請用紙としては大きすぎます。配布した申請用紙に記入し、"
            "画像などを貼り付けずに再送してください。")
_HOSTILE = ("ファイルに申請用紙にはない構造（DTD・外部参照、または極端に広いシート）が含まれて"
            "いるため読み取りません。配布した申請用紙に記入して再送してください。")


def _prolog(data: bytes, entry: zipparts.Entry) -> bytes:
    """The start of a part, up to its root element: a short read is enough for nearly all."""
    head = zipparts.read(data, entry, _SHORT_PROLOG)
    return head if _ROOT_ELEMENT.search(head) else zipparts.read(data, entry, _PROLOG)


def _prolog_is_hostile(head: bytes) -> bool:
    """A DTD (entity bombs, external entities): it can only stand before the root element."""
    root = _ROOT_ELEMENT.search(head)
    return root is None or b"<!" in head[:root.start()].replace(b"<!--", b"")


def _sheet_is_hostile(data: bytes) -> bool:
    """A DTD, or cells reaching far beyond a form (the form's sheet, or every worksheet
    when it is not known). ``data`` is the part up to one byte past the size allowed."""
    if len(data) > _MAX_UNPACKED or _prolog_is_hostile(data[:_PROLOG]):
        return True
    # Rows or cells without addresses, placed one after another (``<row>`` and ``<c/>``
    # are the shortest: a shorter part cannot hold too many).
    if len(data) > 5 * MAX_FORM_ROWS and data.count(b"<row") > MAX_FORM_ROWS:
        return True
    cells = MAX_FORM_ROWS * MAX_FORM_COLS
    if len(data) > 4 * cells and data.count(b"<c") > cells:
        return True
    far = (match for pattern in (_DIMENSION, _FAR_CELL) for match in pattern.finditer(data))
    return any(_beyond_form(match.group(1), match.group(2)) for match in far)


def _beyond_form(column: bytes, row: bytes) -> bool:
    col_number = 0
    for letter in column.decode():
        col_number = col_number * 26 + ord(letter) - 64
    return int(row) > MAX_FORM_ROWS or col_number > MAX_FORM_COLS


# --- The inbox ---------------------------------------------------------------------------

REGISTER_NAME = "受付簿.xlsx"
REVIEW_DIR = "審査"
_IGNORED_NAMES = {".ds_store": "macOSの管理ファイル", "thumbs.db": "Windowsの管理ファイル",
                  "desktop.ini": "Windowsの管理ファイル", "readme.txt": "inboxの説明ファイル"}


@dataclass(frozen=True)
class InboxFile:
    name: str  # NFC: names saved on a Mac arrive decomposed
    path: Path


@dataclass(frozen=True)
class InboxScan:
    files: tuple[InboxFile, ...]  # every file that may be an application, by name
    ignored: tuple[tuple[str, str], ...]  # (name, why) for files and folders we do not judge
    register: Path | None
    review_files: tuple[Path, ...]


def scan_inbox(inbox: Path) -> InboxScan:
    """Everything at the top of inbox/, sorted and hashed; never changes a file."""
    files: list[InboxFile] = []
    ignored: list[tuple[str, str]] = []
    register: Path | None = None
    reviews: tuple[Path, ...] = ()
    with os.scandir(inbox) as found:  # file types come with the listing: no stat per file
        entries = sorted(found, key=_listing_order)
    names: set[str] = set()
    for entry in entries:
        name = unicodedata.normalize("NFC", entry.name)
        if name in names:  # the same name saved twice, composed and decomposed: both are kept
            name = entry.name
        names.add(name)
        path = inbox / entry.name
        if entry.is_dir():
            if name == REVIEW_DIR:
                reviews = tuple(sorted(
                    (p for p in path.iterdir() if p.is_file() and _is_workbook_name(p.name)),
                    key=lambda p: unicodedata.normalize("NFC", p.name)))
                ignored.append((name + "/", f"審査票のフォルダ（{len(reviews)}件を読み込み）"))
            else:
                ignored.append((name + "/", "フォルダ（中のファイルは対象外）"))
        elif name == REGISTER_NAME:
            register = path
            ignored.append((name, "受付簿"))
        elif name.startswith("~$"):
            ignored.append((name, "Excelの一時ファイル（開いている間だけ作られるもの）"))
        elif name.lower() in _IGNORED_NAMES:
            ignored.append((name, _IGNORED_NAMES[name.lower()]))
        elif entry.is_file():
            files.append(InboxFile(name, path))
        else:
            ignored.append((name, "通常のファイルではありません"))
    return InboxScan(tuple(files), tuple(ignored), register, reviews)


def _listing_order(entry: os.DirEntry[str]) -> tuple[str, bool, str]:
    """By name as shown (NFC); a name already composed before the same name decomposed."""
    shown = unicodedata.normalize("NFC", entry.name)
    return shown, entry.name != shown, entry.name


def _is_workbook_name(name: str) -> bool:
    return not name.startswith(("~$", ".")) and name.lower().endswith((".xlsx", ".xlsm"))


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (of nothing, for a file that cannot be opened: 受付一覧 says why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return hashlib.sha256(b"").hexdigest()
    return digest.hexdigest()


# --- The receipt register ----------------------------------------------------------------

REGISTER_FILE_LABEL = "ファイル名"
REGISTER_TIME_LABEL = "受付日時"


@dataclass(frozen=True)
class Register:
    received: dict[str, dt.datetime]  # NFC file name → aware Japan time
    notes: tuple[str, ...]  # rows that could not be used, in Japanese


def read_register(path: Path | None) -> Register:
    """The staff's receipt register; unusable rows become notes, never errors."""
    if path is None:
        return Register({}, ())
    if reason := sniff(path):
        return Register({}, (f"{REGISTER_NAME} を読み込めません：{reason}",))
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        grid = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        workbook.close()
    except (python_calamine.CalamineError, OSError, ValueError, IndexError):
        return Register({}, (f"{REGISTER_NAME} を読み込めません。Excelブックとして保存し直してください。",))
    header = next(((r, row) for r, row in enumerate(grid)
                   if {REGISTER_FILE_LABEL, REGISTER_TIME_LABEL} <= {label_key(v) for v in row}),
                  None)
    if header is None:
        return Register({}, (f"{REGISTER_NAME} に「{REGISTER_FILE_LABEL}」と「{REGISTER_TIME_LABEL}」"
                             "の見出しがありません。",))
    header_row, labels = header
    keys = [label_key(v) for v in labels]
    file_col, time_col = keys.index(REGISTER_FILE_LABEL), keys.index(REGISTER_TIME_LABEL)
    received: dict[str, dt.datetime] = {}
    notes: list[str] = []
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        name = clean_text(row[file_col])
        raw_time = row[time_col]
        if name is None:
            if clean_text(raw_time) is not None:
                notes.append(f"{REGISTER_NAME} {cell_address(r, file_col)}: ファイル名がありません。")
            continue
        name = unicodedata.normalize("NFC", name)
        when = parse_datetime(raw_time)
        if not isinstance(when, dt.datetime):
            notes.append(f"{REGISTER_NAME} {cell_address(r, time_col)}: 「{display(raw_time)}」を"
                         "受付日時として読み取れません（2016/6/30 17:05 の形で入力してください）。")
            continue
        if name in received:
            notes.append(f"{REGISTER_NAME} {cell_address(r, file_col)}: 「{name}」が2回記載されています"
                         "（最初の行を使いました）。")
            continue
        received[name] = when.replace(tzinfo=JST) if when.tzinfo is None else when.astimezone(JST)
    return Register(received, tuple(notes))
