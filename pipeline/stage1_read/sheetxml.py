"""What a worksheet's XML says about its cells besides their values: which hold a formula and
which the applicant cannot see (a hidden row or column, a format that shows nothing).

python-calamine gives the values only. These facts come from the file's structure, read with
an XML parser (defusedxml's, streamed: no tree is built): the sheet's ``<row>``, ``<col>`` and
``<c>`` elements and the fonts, fills and number formats of ``styles.xml`` their cells use.
A sheet with no formula element, nothing hidden and no style that hides is the common case:
a look at its bytes that can only over-report says so, and only the others are parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from defusedxml.ElementTree import DefusedXMLParser, ParseError

from pipeline.core.cells import cell_address, column_index

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _COL, _CELL, _FORMULA, _FORMAT = (f"{_MAIN}{name}" for name in (
    "row", "col", "c", "f", "sheetFormatPr"))
_TEXT_TYPES = frozenset({"s", "inlineStr", "str"})
_TINY = 1.0  # a row lower than 1 point or a column narrower than 1 character shows nothing
_SMALLEST_FONT = 4.0  # points: smaller text cannot be read
_FAINT = 1.2  # contrast ratio of text to its background below which text cannot be seen

Position = tuple[int, int]  # zero-based row and column, as in calamine's grid

# Every element named ``f`` (whatever its prefix) stands in the bytes as "<f" or ":f" followed
# by white space, "/" or ">"; every hidden row or column carries an attribute named "hidden";
# every tiny row height or column width starts with 0, a sign or a point, or has an exponent.
# (Each pattern starts with a literal, which the regex engine looks for fast.) Rows or columns
# hidden by default are said by the sheet's one sheetFormatPr element, near its start.
_MAYBE_FORMULA = re.compile(rb"f[\s/>]")
_MAYBE_TINY = tuple(re.compile(rb"%s\s*=\s*[\"']\s*(?:[-+.0]|[0-9.]*[eE])" % name)
                    for name in (b"ht", b"width"))


@dataclass(frozen=True)
class SheetFacts:
    formulas: frozenset[str] = frozenset()  # addresses of cells whose value a formula computed
    hidden_rows: frozenset[int] = frozenset()
    hidden_cols: frozenset[int] = frozenset()
    unseen_cells: Mapping[Position, str] = field(default_factory=dict)  # formatted to show nothing

    def how_unseen(self, position: Position) -> str:
        """Why the cell at ``position`` cannot be seen; "" when it can."""
        row, col = position
        if row in self.hidden_rows:
            return "非表示の行"
        if col in self.hidden_cols:
            return "非表示の列"
        return self.unseen_cells.get(position, "")

    @property
    def hides(self) -> bool:
        return bool(self.hidden_rows or self.hidden_cols or self.unseen_cells)


NOTHING = SheetFacts()


class Styles(NamedTuple):
    """A workbook's styles.xml: the bytes it is known by (its stored, compressed form: forms
    made from one blank form share them) and how to have its XML."""

    key: bytes
    xml: Callable[[], bytes]


def sheet_facts(sheet: bytes, styles: Styles | None, *, rows: int, cols: int) -> SheetFacts:
    """The facts of one worksheet's XML, in a workbook with these styles (None: none).
    Hidden areas are bounded by ``rows`` and ``cols`` (the checks before the parser bounded
    the cells so)."""
    hiding = _hiding_styles(styles) if styles is not None else _NO_STYLES
    if not (hiding.any or _may_formula(sheet) or b"hidden" in sheet or _may_be_tiny(sheet)
            or _may_hide_by_default(sheet)):
        return NOTHING
    reader = _SheetReader(hiding, rows, cols)
    _parse(sheet, reader)
    if reader.cols_hidden_by_default:
        reader.hidden_cols.update(set(range(cols)) - reader.sized_cols)
    return SheetFacts(frozenset(reader.formulas), frozenset(reader.hidden_rows),
                      frozenset(reader.hidden_cols), reader.unseen)


def _may_formula(sheet: bytes) -> bool:
    return any(sheet[m.start() - 1:m.start()] in (b"<", b":") for m in _MAYBE_FORMULA.finditer(sheet))


def _may_be_tiny(sheet: bytes) -> bool:
    return any(sheet[m.start() - 1:m.start()].isspace()
               for pattern in _MAYBE_TINY for m in pattern.finditer(sheet))


_DEFAULT_SIZES = re.compile(rb"zeroHeight|(?:RowHeight|ColWidth)\s*=\s*[\"']\s*(?:[-+.0]|[0-9.]*[eE])")


def _may_hide_by_default(sheet: bytes) -> bool:
    start = -1
    while (start := sheet.find(b"sheetFormatPr", start + 1)) >= 0:  # a comment may say it too
        end = sheet.find(b">", start)
        if _DEFAULT_SIZES.search(sheet, start, len(sheet) if end < 0 else end):
            return True
    return False


class BadXml(ValueError):
    """A part that is not well-formed XML: what it shows cannot be told."""


def _parse(xml: bytes, target: object) -> None:
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    try:
        parser.feed(xml)
        parser.close()
    except ParseError as error:
        raise BadXml(str(error)) from None


class _SheetReader:
    """A parser target: sees each element's start, keeps the facts."""

    def __init__(self, hiding: _Styles, rows: int, cols: int) -> None:
        self.hiding, self.rows, self.cols = hiding, rows, cols
        self.formulas: set[str] = set()
        self.hidden_rows: set[int] = set()
        self.hidden_cols: set[int] = set()
        self.unseen: dict[Position, str] = {}  # why each cannot be seen, in the applicant's words
        self.row, self.col = -1, -1
        self.in_cell = False
        self.rows_hidden_by_default = self.cols_hidden_by_default = False
        self.sized_cols: set[int] = set()  # columns given a width of their own

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _CELL:
            self._cell(attrib)
        elif tag == _FORMULA and self.in_cell:
            self._formula(attrib)
        elif tag == _ROW:
            self.row = _number(attrib.get("r"), self.row + 2) - 1
            self.col = -1
            height = attrib.get("ht")
            if _true(attrib.get("hidden")) or _tiny(height) or (
                    self.rows_hidden_by_default and height is None):
                self.hidden_rows.add(self.row)
        elif tag == _COL:
            first = _number(attrib.get("min"), 1) - 1
            spanned = range(max(first, 0), min(_number(attrib.get("max"), first + 1), self.cols))
            if _true(attrib.get("hidden")) or _tiny(attrib.get("width")):
                self.hidden_cols.update(spanned)
            elif attrib.get("width") is not None:
                self.sized_cols.update(spanned)
        elif tag == _FORMAT:  # rows and columns without a size of their own
            self.rows_hidden_by_default = (_true(attrib.get("zeroHeight"))
                                           or _tiny(attrib.get("defaultRowHeight")))
            self.cols_hidden_by_default = _tiny(attrib.get("defaultColWidth"))

    def end(self, tag: str) -> None:
        if tag == _CELL:
            self.in_cell = False

    def _cell(self, attrib: dict[str, str]) -> None:
        self.in_cell = True
        position = _position(attrib.get("r"))
        self.row, self.col = position if position else (self.row, self.col + 1)
        how = self.hiding.how(_number(attrib.get("s"), 0), attrib.get("t", "n") in _TEXT_TYPES)
        if how:
            self.unseen[(self.row, self.col)] = how

    def _formula(self, attrib: dict[str, str]) -> None:
        self.formulas.add(cell_address(self.row, self.col))
        # An array formula or a data table computes every cell of its range; only the first
        # holds the formula element.
        if attrib.get("t") in ("array", "dataTable") and (spanned := _range(attrib.get("ref"))):
            (top, left), (bottom, right) = spanned
            self.formulas.update(cell_address(r, c)
                                 for r in range(top, min(bottom, self.rows) + 1)
                                 for c in range(left, min(right, self.cols) + 1))


_ADDRESS = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


def _position(reference: str | None) -> Position | None:
    found = _ADDRESS.fullmatch((reference or "").strip().upper())
    if not found:
        return None
    return int(found.group(2)) - 1, column_index(found.group(1)) - 1


def _range(reference: str | None) -> tuple[Position, Position] | None:
    corners = [_position(part) for part in (reference or "").split(":")]
    if not corners or None in corners or len(corners) > 2:
        return None
    first, last = corners[0], corners[-1]
    assert first is not None and last is not None
    return first, last


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _true(text: str | None) -> bool:
    return (text or "").strip() in ("1", "true")


def _tiny(text: str | None) -> bool:
    size = _float(text)
    return size is not None and size < _TINY


# --- styles.xml: which cell formats show nothing ---------------------------------------------

Colour = tuple[str, ...]  # ("rgb", "RRGGBB") or ("theme", index, tint) / ("indexed", n)
_WHITE: Colour = ("rgb", "FFFFFF")
_BLACK: Colour = ("rgb", "000000")
# The default palette's black and white (indexed) and the default theme's window text (1)
# and window (0), which Excel maps to theme indexes 1 and 0.
_INDEXED = {0: _BLACK, 1: _WHITE, 8: _BLACK, 9: _WHITE, 64: _BLACK, 65: _WHITE}
_THEME = {"0": _WHITE, "1": _BLACK}


@dataclass
class _Font:
    colour: Colour = _BLACK  # automatic
    size: float = 11.0


@dataclass
class _Styles:
    """How each cell format (an index into cellXfs) hides a value: for numbers and for text."""

    numbers: dict[int, str] = field(default_factory=dict)
    text: dict[int, str] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.numbers or self.text)

    def how(self, style: int, is_text: bool) -> str:
        return (self.text if is_text else self.numbers).get(style, "")


_NO_STYLES = _Styles()


_KNOWN_STYLES: dict[bytes, _Styles] = {}
_STYLES_KEPT = 32


def _hiding_styles(styles: Styles) -> _Styles:
    if (known := _KNOWN_STYLES.get(styles.key)) is not None:
        return known
    reader = _StylesReader()
    _parse(styles.xml(), reader)
    if len(_KNOWN_STYLES) >= _STYLES_KEPT:
        _KNOWN_STYLES.clear()
    _KNOWN_STYLES[styles.key] = found = reader.hiding()
    return found


class _StylesReader:
    def __init__(self) -> None:
        self.formats: dict[int, str] = {}
        self.fonts: list[_Font] = []
        self.fills: list[Colour] = []
        self.xfs: list[tuple[int, int, int]] = []  # (number format, font, fill) of each cellXf
        self.path: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = tag.removeprefix(_MAIN)
        parent = self.path[-1] if self.path else ""
        self.path.append(name)
        if name == "numFmt":
            self.formats[_number(attrib.get("numFmtId"), -1)] = attrib.get("formatCode", "")
        elif name == "font" and parent == "fonts":
            self.fonts.append(_Font())
        elif parent == "font" and self.fonts and "fonts" in self.path:
            if name == "color":
                self.fonts[-1].colour = _colour(attrib) or _BLACK
            elif name == "sz":
                self.fonts[-1].size = _float(attrib.get("val")) or self.fonts[-1].size
        elif name == "fill" and parent == "fills":
            self.fills.append(_WHITE)  # no fill: the sheet's white
        elif name == "patternFill" and parent == "fill" and self.fills:
            self.fills[-1] = (_NO_FILL if attrib.get("patternType", "none") != "solid"
                              else _PENDING)
        elif name == "fgColor" and parent == "patternFill" and self.fills[-1:] == [_PENDING]:
            self.fills[-1] = _colour(attrib) or _BLACK
        elif name == "xf" and parent == "cellXfs":
            self.xfs.append((_number(attrib.get("numFmtId"), 0), _number(attrib.get("fontId"), 0),
                             _number(attrib.get("fillId"), 0)))

    def end(self, tag: str) -> None:
        if self.path:
            self.path.pop()
        if tag.removeprefix(_MAIN) == "patternFill" and self.fills and self.fills[-1] == _PENDING:
            self.fills[-1] = _WHITE  # solid without a colour: Excel shows none

    def hiding(self) -> _Styles:
        found = _Styles()
        for index, (number_format, font_id, fill_id) in enumerate(self.xfs):
            font = self.fonts[font_id] if 0 <= font_id < len(self.fonts) else _Font()
            fill = self.fills[fill_id] if 0 <= fill_id < len(self.fills) else _WHITE
            fill = _WHITE if fill == _NO_FILL else fill
            how = ""
            if font.size < _SMALLEST_FONT:
                how = f"文字の大きさ {font.size:g} ポイント"
            elif _faint(font.colour, fill):
                how = "文字の色が背景と同じ"
            if how:
                found.numbers[index] = found.text[index] = how
                continue
            hides_numbers, hides_text = _empty_sections(self.formats.get(number_format, ""))
            if hides_numbers:
                found.numbers[index] = "表示形式で値を表示しない"
            if hides_text:
                found.text[index] = "表示形式で値を表示しない"
        return found


_NO_FILL: Colour = ("none",)
_PENDING: Colour = ("pending",)


def _colour(attrib: dict[str, str]) -> Colour | None:
    if rgb := attrib.get("rgb"):
        return ("rgb", rgb.strip().upper()[-6:])
    tint = attrib.get("tint", "0")
    if (theme := attrib.get("theme")) is not None:
        return _THEME.get(theme.strip(), ("theme", theme.strip(), tint)) if _float(tint) in (
            0.0, None) else ("theme", theme.strip(), tint)
    if (indexed := attrib.get("indexed")) is not None:
        number = _number(indexed, -1)
        return _INDEXED.get(number, ("indexed", str(number)))
    return None  # automatic


def _faint(text: Colour, background: Colour) -> bool:
    if text == background:
        return True
    if text[0] != "rgb" or background[0] != "rgb":
        return False
    lighter, darker = sorted((_luminance(text[1]), _luminance(background[1])), reverse=True)
    return (lighter + 0.05) / (darker + 0.05) < _FAINT


def _luminance(rgb: str) -> float:
    """Relative luminance (WCAG 2), 0 for black to 1 for white; 0 for what is not a colour."""
    try:
        channels = [int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    except ValueError:
        return 0.0
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _empty_sections(code: str) -> tuple[bool, bool]:
    """Whether a number format shows nothing for numbers, and for text (";;;": every section
    empty; text takes the fourth section, and shows as typed when there is none)."""
    sections = _sections(code)
    if len(sections) < 2:
        return False, False
    numeric = sections[:3]
    hides_numbers = all(_blank(section) for section in numeric)
    hides_text = len(sections) >= 4 and _blank(sections[3])
    return hides_numbers, hides_text


def _sections(code: str) -> list[str]:
    sections, current, quoted, escaped = [], [], False, False
    for char in code:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == '"':
            current.append(char)
            quoted = not quoted
        elif char == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
    sections.append("".join(current))
    return sections


def _blank(section: str) -> bool:
    """A section that shows nothing: empty, empty quotes, colours and conditions only."""
    return not re.sub(r'""|\[[^\]]*\]|\s', "", section)
