"""What a file is, before any parser sees it: magic bytes, the zip directory, the prologs of
the parts a parser will read, and cell references beyond the bounds of the sheet it will load.

An applicant's form is small; the staff's own workbooks (the register, review sheets) may
hold tens of thousands of rows: each kind is checked against limits sized for it.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.cells import column_index
from pipeline.core.formspec import FORM_SHEET
from pipeline.stage1_read import zipparts

# Each refusal is a problem code (pipeline.core.problems holds its Japanese message).
NOT_XLSX = "not_xlsx"
PASSWORD = "encrypted"
HOSTILE = "hostile"
TOO_BIG = "too_big"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_ENTRIES = 200
_MAX_SHEETS = 50  # our form has three; a workbook declaring thousands is not one
_MAX_UNPACKED = 50 * 1024 * 1024  # a filled form unpacks to well under 1 MB
MAX_FILE_SIZE = 20 * 1024 * 1024  # a filled form is some 15 KB; pictures pasted in stay far below
_MAX_RATIO = 200
# Beyond these a 申請書 sheet is not our form; calamine would allocate the whole area.
MAX_FORM_ROWS = 2000
MAX_FORM_COLS = 100


@dataclass(frozen=True)
class Limits:
    """The sheet a parser will load (None: the first, so every worksheet is checked) and how
    far its cells may reach."""

    sheet: str | None
    rows: int
    cols: int


FORM = Limits(FORM_SHEET, MAX_FORM_ROWS, MAX_FORM_COLS)


def staff_workbook(sheet: str | None) -> Limits:
    """A register or review sheet: tens of thousands of rows (a round of 10,000 applications
    with room to spare), a few dozen columns."""
    return Limits(sheet, 50_000, 60)

@dataclass
class Parts:
    """What the checks read anyway, kept for the reader: the zip's directory, the workbook
    and its relations, and the loaded sheet's XML (by its part's name)."""

    entries: dict[str, zipparts.Entry] = field(default_factory=dict)
    workbook: bytes = b""
    relations: bytes = b""
    sheets: dict[str, bytes] = field(default_factory=dict)  # by part name
    part_of: dict[str, str] = field(default_factory=dict)  # sheet name → part name, when known

    def sheet_xml(self, data: bytes, sheet: str) -> bytes | None:
        """The XML of the worksheet named ``sheet`` (None: no such part)."""
        part = self.part_of.get(sheet) or _loaded_sheet_part(
            _SHEET_ENTRY.findall(self.workbook), self.relations, sheet)
        if not part or part not in self.entries:
            return None
        if part not in self.sheets:
            self.sheets[part] = zipparts.read(data, self.entries[part], _MAX_UNPACKED)
        return self.sheets[part]

# Where a sheet says how far its cells reach, in one pass over the part: the dimension's far
# corner, a cell reference that may be out of bounds (only two or more letters or four or more
# digits can be), and the far corner of a merged range (openpyxl creates every cell a merge
# covers): each (column letters, row).
_REACH = re.compile(rb'<(?:dimension ref="(?:[A-Z]+\d+:)?|c r="(?=[A-Z]{2}|[A-Z]\d{4})|'
                    rb'mergeCell ref="[A-Z]+\d+:)([A-Z]+)(\d+)"')
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_PROLOG = 4096
_SHORT_PROLOG = 256


def load(path: Path) -> bytes | str:
    """The file's bytes, or why they cannot be had (a problem code)."""
    try:
        found = path.stat()
        if not stat.S_ISREG(found.st_mode):  # a pipe or a device would never end
            return "cannot_open"
        if found.st_size > MAX_FILE_SIZE:
            return TOO_BIG
        return path.read_bytes()
    except OSError:
        return "cannot_open"


def sniff(path: Path, every_part: bool = False, limits: Limits = FORM) -> str | None:
    """Why the file at ``path`` cannot be read as a form, as a problem code (None when it
    may be one)."""
    data = load(path)
    return data if isinstance(data, str) else sniff_bytes(data, every_part, limits)


def opens_whole_safely(path: Path) -> bool:
    """Whether a parser that reads every part and builds every cell of every sheet and merged
    range (openpyxl, which marks a 差戻し in the applicant's own workbook) may open the file:
    every part bounded as a form's sheet is."""
    return sniff(path, every_part=True, limits=Limits(None, MAX_FORM_ROWS, MAX_FORM_COLS)) is None


def sniff_bytes(data: bytes, every_part: bool = False, limits: Limits = FORM,
                keep: Parts | None = None) -> str | None:
    """Why these bytes cannot be read as a form, as a problem code (None when they may be one).

    Checks the bytes and the zip before any parser sees them: declared sizes,
    ratio and entry count, DTDs in the parts the parser reads (``every_part``
    for a parser that reads them all, as openpyxl does), cell references
    beyond a form's bounds. ``keep``, when given, receives what was read of an .xlsx (the
    form's reader looks at the loaded sheet's structure too).
    """
    head = data[:8]
    if not head:
        return "empty_file"
    if head.startswith(_OLE):
        return _sniff_ole(data, limits)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    if not head.startswith(b"PK\x03\x04"):
        return NOT_XLSX
    return _sniff_zip(data, every_part, limits, keep)


def _sniff_zip(data: bytes, every_part: bool, limits: Limits, keep: Parts | None) -> str | None:
    try:
        entries = zipparts.entries(data)
        if "word/document.xml" in entries:
            return "word"
        if len(entries) > _MAX_ENTRIES:
            return TOO_BIG
        unpacked = sum(entry.unpacked for entry in entries.values())
        packed = sum(entry.packed for entry in entries.values()) or 1
        if unpacked > _MAX_UNPACKED or unpacked / packed > _MAX_RATIO:
            return TOO_BIG
        if "content.xml" in entries and "mimetype" in entries and b"opendocument" in (
                zipparts.read(data, entries["mimetype"], 100)):
            return _sniff_ods(data, entries, limits)
        if _WORKBOOK not in entries:
            return NOT_XLSX
        # The workbook and its relations are read whole: they say which part is the 申請書 sheet.
        workbook = zipparts.read(data, entries[_WORKBOOK], _MAX_UNPACKED)
        relations = (zipparts.read(data, entries[_RELATIONS], _MAX_UNPACKED)
                     if _RELATIONS in entries else b"")
        if _prolog_is_hostile(workbook[:_PROLOG]) or (
                relations and _prolog_is_hostile(relations[:_PROLOG])):
            return HOSTILE
        sheets = _SHEET_ENTRY.findall(workbook)  # (name, relationship id) of each sheet
        if len(sheets) > _MAX_SHEETS:
            return TOO_BIG
        loaded = _loaded_sheet_part(sheets, relations, limits.sheet)
        for name, entry in entries.items():
            whole = name == loaded or (loaded == "" and name.startswith("xl/worksheets/"))
            parsed = every_part or whole or name in _PARSED_PARTS
            if name in (_WORKBOOK, _RELATIONS) or not (parsed and name.endswith((".xml", ".rels"))):
                continue
            if not whole:
                if _prolog_is_hostile(_prolog(data, entry)):
                    return HOSTILE
                continue
            sheet = zipparts.read(data, entry, _MAX_UNPACKED + 1)
            if _sheet_is_hostile(sheet, limits):
                return HOSTILE
            if keep is not None:
                keep.sheets[name] = sheet
    except zipparts.BadZip:
        return "damaged"
    if keep is not None:
        keep.entries, keep.workbook, keep.relations = entries, workbook, relations
        if limits.sheet is not None and loaded:
            keep.part_of[limits.sheet] = loaded
    return None


_WORKBOOK = "xl/workbook.xml"
_RELATIONS = "xl/_rels/workbook.xml.rels"
# What python-calamine parses besides the sheet it is asked for.
_PARSED_PARTS = frozenset({_WORKBOOK, _RELATIONS, "xl/sharedStrings.xml", "xl/styles.xml",
                           "[Content_Types].xml"})
_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                           rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


# --- .xls (BIFF8 in an OLE file) and .ods: python-calamine reads both ------------------------

_BIFF_DIMENSIONS = re.compile(rb"\x00\x02\x0e\x00", re.DOTALL)  # record 0x0200, 14 bytes
_BIFF_GLOBALS_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00"  # BOF of the workbook globals
_FILEPASS = b"\x2f\x00"  # record 0x002F right after that BOF: the workbook is encrypted


def _sniff_ole(data: bytes, limits: Limits) -> str | None:
    """An OLE file: an encrypted .xlsx, an .xls workbook (read like a form: encryption and the
    sheets' declared dimensions checked first), or another program's file."""
    directory = data[: 1 << 20]
    if "EncryptionInfo".encode("utf-16-le") in directory:
        return PASSWORD
    if "Workbook".encode("utf-16-le") not in directory and "Book".encode("utf-16-le") not in directory:
        return "legacy_xls"  # an OLE file, but not a workbook calamine can read
    bof = data.find(_BIFF_GLOBALS_BOF)
    if bof < 0:
        return "damaged"
    if data[bof + 20: bof + 22] == _FILEPASS:
        return PASSWORD
    for found in _BIFF_DIMENSIONS.finditer(data):
        start = found.end()
        last_row = int.from_bytes(data[start + 4: start + 8], "little")
        last_col = int.from_bytes(data[start + 10: start + 12], "little")
        if last_row > limits.rows or last_col > limits.cols:
            return HOSTILE
    return None


# <table:table followed by a space: not <table:table-header-rows> (print titles), which holds
# rows but is no cell
_ODS_TAG = re.compile(rb"<table:table-row\b[^>]*>|</table:table-row>|<table:table-cell\b[^>]*>|"
                      rb"<table:covered-table-cell\b[^>]*>|<table:table\s[^>]*>")
_REPEATED = re.compile(rb'number-(?:rows|columns)-repeated="(\d{1,9})"')


def _sniff_ods(data: bytes, entries: dict[str, zipparts.Entry], limits: Limits) -> str | None:
    """An OpenDocument spreadsheet: its content.xml read as calamine will, with the row and
    column repetitions summed, so that no cell with a value lies beyond the limits (LibreOffice
    repeats empty cells to the sheet's end: those cost nothing and are allowed)."""
    content = zipparts.read(data, entries["content.xml"], _MAX_UNPACKED + 1)
    if len(content) > _MAX_UNPACKED or _prolog_is_hostile(content[:_PROLOG]):
        return HOSTILE
    row = col = row_repeat = 0
    for match in _ODS_TAG.finditer(content):
        tag = match.group(0)
        repeated = _REPEATED.search(tag)
        count = int(repeated.group(1)) if repeated else 1
        if tag.startswith(b"<table:table-row"):
            col, row_repeat = 0, count
        elif tag == b"</table:table-row>":
            row += row_repeat
        elif tag.startswith(b"<table:table "):
            row = col = 0
        else:
            col += count
            has_content = not tag.endswith(b"/>") or b"office:value-type" in tag
            if has_content and (col > limits.cols or row + row_repeat > limits.rows):
                return HOSTILE
    return None


def _loaded_sheet_part(sheets: list[tuple[bytes, bytes]], relations: bytes,
                       sheet: str | None) -> str | None:
    """The zip entry of the one sheet the parser will load; None when the workbook has no
    sheet of that name (the parser then loads none). Unknown (""): every worksheet is then
    read in full."""
    if sheet is None:
        return ""
    wanted = sheet.encode()
    rel_id = next((rid for name, rid in sheets if name == wanted), None)
    if rel_id is None:
        return None
    for match in _RELATIONSHIP.finditer(relations):
        found_id, target = (match.group(1), match.group(2)) if match.group(1) else (
            match.group(4), match.group(3))
        if found_id == rel_id:
            target_text = target.decode(errors="replace").lstrip("/")
            return target_text if target_text.startswith("xl/") else f"xl/{target_text}"
    return ""


def _prolog(data: bytes, entry: zipparts.Entry) -> bytes:
    """The start of a part, up to its root element: a short read is enough for nearly all."""
    head = zipparts.read(data, entry, _SHORT_PROLOG)
    return head if _ROOT_ELEMENT.search(head) else zipparts.read(data, entry, _PROLOG)


def _prolog_is_hostile(head: bytes) -> bool:
    """A DTD (entity bombs, external entities): it can only stand before the root element."""
    root = _ROOT_ELEMENT.search(head)
    return root is None or b"<!" in head[:root.start()].replace(b"<!--", b"")


def _sheet_is_hostile(data: bytes, limits: Limits) -> bool:
    """A DTD, or cells reaching far beyond the limits (the sheet the parser loads, or every
    worksheet when it is not known). ``data`` is the part up to one byte past the size allowed."""
    if len(data) > _MAX_UNPACKED or _prolog_is_hostile(data[:_PROLOG]):
        return True
    # Rows or cells without addresses, placed one after another (``<row>`` and ``<c/>``
    # are the shortest: a shorter part cannot hold too many).
    if len(data) > 5 * limits.rows and data.count(b"<row") > limits.rows:
        return True
    cells = limits.rows * limits.cols
    if len(data) > 4 * cells and data.count(b"<c") > cells:
        return True
    return any(_beyond(match.group(1), match.group(2), limits) for match in _REACH.finditer(data))


def _beyond(column: bytes, row: bytes, limits: Limits) -> bool:
    letters = column.decode()
    # More letters than Excel's XFD: beyond any limit (and beyond what openpyxl converts).
    return (int(row) > limits.rows or len(letters) > 3
            or column_index(letters) > limits.cols)
