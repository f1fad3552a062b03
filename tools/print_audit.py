"""Print audit: render a workbook to A4 PDF with LibreOffice and check every printed sheet.

    python -m tools.print_audit 選定結果.xlsx 審査票.xlsx   # one line per sheet, findings below
    python -m tools.print_audit --demo                   # every workbook kind of a demo round
    make print-audit                                     # the same

Per printed (visible) sheet, from the words poppler's ``pdftotext -bbox`` finds on its pages:

- ``small_print``: the effective print size — the median height of the body's word boxes ÷ 1.3
  (10 pt cells at 100 % give 10.0) — is below ``min_pt``;
- ``clipped``: a non-empty cell of the printed range whose text (whitespace removed) is not on
  the pages: cut by its neighbour or by a row too short (LibreOffice does not emit clipped text);
- ``overlap``: two word boxes on a page overlap (text printed over text);
- ``pages``: more pages than ``max_pages``;
- ``title_missing``: a page without the sheet's title (by default the first text of its printed
  range; repeated title rows or a page header put it on every page).

Each sheet is rendered alone (the others hidden in a copy), all in one LibreOffice call.
Needs LibreOffice and poppler (see tools/office.py for the packages).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import statistics
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from tools.office import convert_many, workbook_kinds

PT_PER_BOX = 1.3  # a word box of LibreOffice's Japanese fonts is 1.3 × the font size
_OVERLAP_MIN_WIDTH = 0.5  # pt: boxes that only touch are not text printed over text
_OVERLAP_MIN_SHARE = 0.2  # of the lower box's height
_NEXT_LINE_WITHIN = 3.0  # a wrapped cell's next line is at most this many line heights below


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Finding:
    """One problem on paper: a stable code, a Japanese message, the page it is on (1-based)."""
    code: str
    message: str
    page: int | None = None


@dataclass(frozen=True)
class SheetAudit:
    workbook: Path
    sheet: str
    pages: int
    effective_pt: float
    findings: tuple[Finding, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.findings

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def summary(self) -> str:
        head = (f"{self.workbook.name} / {self.sheet}: {self.pages} ページ、"
                f"実効 {self.effective_pt:.1f} pt — {'OK' if self.ok else f'{len(self.findings)} 件'}")
        return "\n".join([head] + [f"  [{f.code}]" + (f" p.{f.page}" if f.page else "")
                                   + f" {f.message}" for f in self.findings])


PagesBound = int | Mapping[str, int] | None
TitleRule = str | Mapping[str, str | None] | None


def audit(workbook: Path, *, min_pt: float | Mapping[str, float] = 9.0,
          max_pages: PagesBound = None, titles: TitleRule = None,
          sheets: Iterable[str] | None = None, workdir: Path | None = None) -> list[SheetAudit]:
    """Audit every printed sheet of ``workbook`` (or only ``sheets``).

    ``min_pt``, ``max_pages`` and ``titles`` are one value for every sheet or a mapping by
    sheet name (sheets not in the mapping: 9 pt, no page bound, the automatic title). A title
    of ``""`` checks no title."""
    return audit_many([workbook], min_pt=min_pt, max_pages=max_pages, titles=titles,
                      sheets=sheets, workdir=workdir)


def audit_many(workbooks: Sequence[Path], *, min_pt: float | Mapping[str, float] = 9.0,
               max_pages: PagesBound = None, titles: TitleRule = None,
               sheets: Iterable[str] | None = None,
               workdir: Path | None = None) -> list[SheetAudit]:
    """:func:`audit` for several workbooks, rendered in one LibreOffice call."""
    wanted = set(sheets) if sheets is not None else None
    with tempfile.TemporaryDirectory(prefix="print-audit-") as scratch:
        work = workdir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        jobs: list[tuple[Path, str, Path]] = []
        for number, workbook in enumerate(workbooks):
            for name in printed_sheets(workbook):
                if wanted is None or name in wanted:
                    alone = work / f"w{number:02d}s{len(jobs):03d}.xlsx"
                    _only_sheet(workbook, name, alone)
                    jobs.append((workbook, name, alone))
        pdfs = convert_many([alone for _, _, alone in jobs], "pdf", work / "pdf")
        audits = []
        loaded: dict[Path, openpyxl.Workbook] = {}
        for (workbook, name, _), pdf in zip(jobs, pdfs, strict=True):
            book = loaded.setdefault(workbook, openpyxl.load_workbook(workbook))
            audits.append(audit_sheet(
                workbook, book[name], read_pages(pdf), min_pt=_for(min_pt, name, 9.0),
                max_pages=_for(max_pages, name, None), title=_for(titles, name, None)))
        return audits


T = TypeVar("T")


def _for(rule: T | Mapping[str, T] | None, sheet: str, default: T) -> T:
    if isinstance(rule, Mapping):
        return rule.get(sheet, default)
    return default if rule is None else rule


def printed_sheets(workbook: Path) -> list[str]:
    """The sheets that print: the visible ones (LibreOffice leaves hidden sheets out)."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    try:
        return [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    finally:
        book.close()


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?/>")
_NAME = re.compile(rb'\bname="([^"]*)"')
_STATE = re.compile(rb'\sstate="[^"]*"')
_PRINT_NAME = re.compile(rb'<(?:\w+:)?definedName\b[^>]*?name="_xlnm\.Print_Area"[^>]*?'
                         rb'localSheetId="(\d+)"[^>]*>.*?</(?:\w+:)?definedName>', re.S)


def _only_sheet(workbook: Path, name: str, target: Path) -> None:
    """A copy of ``workbook`` in which only ``name`` is visible. Only the workbook part's XML
    is edited, so that charts, images and formats stay exactly as written."""
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(target, "w",
                                                               zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = _show_only(data, html.escape(name, quote=True).encode())
            copy.writestr(info, data)


def _show_only(data: bytes, wanted: bytes) -> bytes:
    """workbook.xml with every sheet but ``wanted`` hidden, and without the others' print
    areas (LibreOffice prints a hidden sheet that has a print area)."""
    def hide_others(match: re.Match[bytes]) -> bytes:
        tag = _STATE.sub(b"", match.group(0))
        found = _NAME.search(tag)
        if found and found.group(1) == wanted:
            return tag
        return tag[:-2].rstrip() + b' state="hidden"/>'

    data = _SHEET_TAG.sub(hide_others, data)
    index = _sheet_index(data, wanted)
    data = _PRINT_NAME.sub(lambda m: m.group(0) if int(m.group(1)) == index else b"", data)
    data = re.sub(rb'\s(activeTab|firstSheet)="\d+"', b"", data)
    return re.sub(rb"<((?:\w+:)?workbookView)\b",
                  b'<\\1 activeTab="%d" firstSheet="%d"' % (index, index), data)


def _sheet_index(data: bytes, wanted: bytes) -> int:
    names = [found.group(1) if (found := _NAME.search(tag)) else b""
             for tag in _SHEET_TAG.findall(data)]
    return names.index(wanted)


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"(.*?)</word>")


def read_pages(pdf: Path) -> list[Page]:
    """The word boxes of every page (``pdftotext -bbox``)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                         text=True, encoding="utf-8").stdout
    return [Page(float(w), float(h), tuple(
        Word(html.unescape(m[4]), float(m[0]), float(m[1]), float(m[2]), float(m[3]))
        for m in _WORD.findall(body))) for w, h, body in _PAGE.findall(out)]


def squeeze(text: str) -> str:
    """Text as compared on paper: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def audit_sheet(workbook: Path, sheet: Worksheet, pages: Sequence[Page], *, min_pt: float = 9.0,
                max_pages: int | None = None, title: str | None = None) -> SheetAudit:
    """Check one sheet against the pages it printed on."""
    findings: list[Finding] = []
    body = [w for page in pages for w in _body_words(sheet, page)]
    effective = round(statistics.median(w.height for w in body) / PT_PER_BOX, 1) if body else 0.0
    if body and effective < min_pt:
        findings.append(Finding("small_print", f"実効 {effective:.1f} pt で印刷されます"
                                               f"（{min_pt:g} pt 以上が必要です）。"))
    if not pages:
        findings.append(Finding("pages", "印刷されるページがありません。"))
    elif max_pages is not None and len(pages) > max_pages:
        findings.append(Finding("pages", f"{len(pages)} ページになります（{max_pages} ページまで）。"))
    lines = [_lines(page) for page in pages]
    for cell in printed_cells(sheet):
        places = printings(cell.text, lines)
        printed = next(places, None)
        if printed is None:
            findings.append(Finding("clipped", f"セル {cell.address} の「{_short(cell.text)}」が"
                                               "全部は印刷されません（切れるか隠れます）。"))
        elif cell.height_pt is not None and all(_overflows(cell, found)
                                                for found in (printed, *places)):
            findings.append(Finding("clipped", f"セル {cell.address} の「{_short(cell.text)}」は"
                                               "行の高さに収まらず、下が切れます。"))
    for number, page in enumerate(pages, start=1):
        for first, second in overlapping(page.words):
            findings.append(Finding("overlap", f"「{_short(first.text)}」と「{_short(second.text)}」"
                                               "が重なって印刷されます。", number))
    wanted = squeeze(title if title is not None else sheet_title(sheet))
    if wanted:
        for number, page_lines in enumerate(lines, start=1):  # line by line, not in the order
            if wanted not in "".join(line.text for line in page_lines):  # of pdftotext's flows
                findings.append(Finding("title_missing", f"見出し「{_short(wanted)}」がこのページに"
                                                         "ありません。", number))
    return SheetAudit(workbook, sheet.title, len(pages), effective, tuple(findings))


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _body_words(sheet: Worksheet, page: Page) -> list[Word]:
    """The page's words between the top and bottom margins (not the page header or footer)."""
    top = (sheet.page_margins.top or 0) * 72
    bottom = page.height - (sheet.page_margins.bottom or 0) * 72
    return [w for w in page.words if w.y0 >= top - 1 and w.y1 <= bottom + 1]


def printed_range(sheet: Worksheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each printed area; the used range without one."""
    area = sheet.print_area
    if not area:
        return [(1, 1, sheet.max_column, sheet.max_row)]
    parts = area if isinstance(area, list | tuple) else str(area).split(",")
    bounds = []
    for part in parts:
        reference = str(part).rsplit("!", 1)[-1].replace("$", "")
        min_col, min_row, max_col, max_row = range_boundaries(reference)
        bounds.append((min_col or 1, min_row or 1, max_col or sheet.max_column,
                       max_row or sheet.max_row))
    return bounds


def _hidden_columns(sheet: Worksheet) -> set[int]:
    hidden: set[int] = set()
    for dimension in sheet.column_dimensions.values():
        if dimension.hidden and dimension.min and dimension.max:
            hidden.update(range(dimension.min, dimension.max + 1))
    return hidden


@dataclass(frozen=True)
class PrintedCell:
    address: str
    text: str  # squeezed
    font_pt: float
    height_pt: float | None  # of its row(s), where set; None where the office suite fits it


def printed_cells(sheet: Worksheet) -> list[PrintedCell]:
    """Every non-empty cell in the printed range, with its text as printed (squeezed)."""
    hidden_columns = _hidden_columns(sheet)
    merged_rows = {(m.min_row, m.min_col): range(m.min_row, m.max_row + 1)
                   for m in sheet.merged_cells.ranges}
    cells = []
    for min_col, min_row, max_col, max_row in printed_range(sheet):
        for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                   max_col=max_col):
            for cell in row:
                if cell.column in hidden_columns or sheet.row_dimensions[cell.row].hidden:
                    continue
                text = shown_text(cell.value, cell.number_format)
                if not text:
                    continue
                rows = merged_rows.get((cell.row, cell.column), range(cell.row, cell.row + 1))
                heights = [sheet.row_dimensions[r].ht for r in rows]
                cells.append(PrintedCell(
                    cell.coordinate, text, float(cell.font.sz or 11),
                    float(sum(heights)) if cell.alignment.wrap_text and None not in heights
                    else None))
    return cells


def _overflows(cell: PrintedCell, lines: Sequence[_Line]) -> bool:
    """Whether a wrapped cell's printed lines reach below its row: LibreOffice puts the lines
    that do not fit in the PDF under a clip, so they are found in the text but not seen. The
    page's scale is the cell's own: its word boxes are 1.3 × its font size × the scale."""
    if cell.height_pt is None or len(lines) < 2:
        return False
    scale = lines[0].height / (PT_PER_BOX * cell.font_pt)
    extent = lines[-1].y + lines[-1].height - lines[0].y
    # a line that fills the row to its border prints whole; half a line below it does not
    return extent > cell.height_pt * scale + lines[-1].height / 2


def shown_text(value: object, number_format: str = "General") -> str:
    """The part of a cell's printed text that does not depend on its number format."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str):
        return "" if value.startswith("=") else squeeze(value)
    if isinstance(value, int):
        return str(value) if "#,##" not in number_format else ""
    if isinstance(value, float):  # the integer part; the decimals depend on the format
        return str(int(value)) if abs(value) >= 1 and "#,##" not in number_format else ""
    if isinstance(value, dt.date):
        return str(value.year) if "yyyy" in number_format.lower() else ""
    return squeeze(str(value))


def sheet_title(sheet: Worksheet) -> str:
    """The first text of the printed range, row by row: the title or the first heading."""
    for min_col, min_row, max_col, max_row in printed_range(sheet)[:1]:
        for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                   max_col=max_col, values_only=True):
            for value in row:
                if isinstance(value, str) and value.strip():
                    return value
    return ""


@dataclass(frozen=True)
class _Line:
    text: str
    y: float
    height: float
    ends: frozenset[int]  # offsets in ``text`` where a word ends
    starts: frozenset[int]  # and where one starts


def _lines(page: Page) -> list[_Line]:
    """The page's text lines top to bottom (words whose middles share a height), each squeezed."""
    rows: list[list[Word]] = []
    for word in sorted(page.words, key=lambda w: (w.y0, w.x0)):
        middle = (word.y0 + word.y1) / 2
        if rows and rows[-1][0].y0 <= middle <= rows[-1][0].y1:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        texts = [squeeze(w.text) for w in sorted(row, key=lambda w: w.x0)]
        ends = [sum(map(len, texts[:n + 1])) for n in range(len(texts))]
        lines.append(_Line("".join(texts), row[0].y0, max(w.height for w in row),
                           frozenset(ends), frozenset([0, *ends[:-1]])))
    return lines


def printings(text: str, pages: Sequence[Sequence[_Line]]) -> Iterator[list[_Line]]:
    """Every place ``text`` is printed whole over the pages: one line holding it all first;
    then, wrapped, consecutive pieces in lines that follow each other down the page (neighbours'
    lines between them), each piece but the first starting a word and each but the last ending
    one. A text several cells hold (an organisation on each reviewer's row) is printed in
    several places."""
    for lines in pages:
        for line in lines:
            if text in line.text:
                yield [line]
    for lines in pages:
        for start, line in enumerate(lines):
            if text[0] in line.text and (found := _wraps_from(text, lines, start)) and len(found) > 1:
                yield found


def _wraps_from(text: str, lines: Sequence[_Line], at: int,
                first: bool = True) -> list[_Line] | None:
    """The lines of ``text`` wrapped from line ``at`` on, trying every way its pieces fit
    (a neighbour's word may also start like the next piece)."""
    line = lines[at]
    for taken in _pieces(text, line, first=first):
        rest = text[taken:]
        if not rest:
            return [line]
        for below in range(at + 1, len(lines)):
            if lines[below].y - line.y > _NEXT_LINE_WITHIN * line.height:
                break
            if found := _wraps_from(rest, lines, below, first=False):
                return [line, *found]
    return None


def _pieces(text: str, line: _Line, *, first: bool) -> list[int]:
    """The lengths, longest first, of the starts of ``text`` that a wrapped cell may have
    printed on ``line``: all of it, or a part ending where a word ends; the first piece may
    start inside a word (after a neighbour's text), the others start one."""
    found: set[int] = set()
    if first:
        if text in line.text:
            found.add(len(text))
        for end in line.ends:
            for length in range(min(end, len(text) - 1), 0, -1):
                if line.text[end - length:end] == text[:length]:
                    found.add(length)
                    break
    else:
        for begin in line.starts:
            if line.text.startswith(text, begin):
                found.add(len(text))
            found.update(end - begin for end in line.ends
                         if begin < end < begin + len(text)
                         and line.text[begin:end] == text[:end - begin])
    return sorted(found, reverse=True)


def overlapping(words: Sequence[Word]) -> list[tuple[Word, Word]]:
    """Pairs of words printed over each other: their ems overlap more than touching. A word
    box is :data:`PT_PER_BOX` × the em, around it: lines set one em apart (LibreOffice sets
    BIZ UDゴシック so) have boxes that overlap and ems that only touch."""
    ems = sorted(((_em(word), word) for word in words), key=lambda pair: pair[0])
    pairs = []
    for i, ((top, bottom), first) in enumerate(ems):
        for (other_top, other_bottom), second in ems[i + 1:]:
            if other_top >= bottom:
                break
            shared_height = min(bottom, other_bottom) - other_top
            shared_width = min(first.x1, second.x1) - max(first.x0, second.x0)
            if (shared_width > _OVERLAP_MIN_WIDTH and shared_height
                    > _OVERLAP_MIN_SHARE * min(bottom - top, other_bottom - other_top)):
                pairs.append((first, second))
    return pairs


def _em(word: Word) -> tuple[float, float]:
    margin = (word.height - word.height / PT_PER_BOX) / 2
    return word.y0 + margin, word.y1 - margin


def demo_workbooks(directory: Path) -> dict[str, Path]:
    """Run the demo round in ``directory``; every workbook kind it writes."""
    from pipeline.core.settings_load import load_settings
    from pipeline.demo import prepare_directory, run_demo

    prepare_directory(directory)
    demo, _ = run_demo(directory, load_settings(Path(__file__).resolve().parents[1] / "round.toml"))
    return workbook_kinds(demo.outbox)


def main(argv: Sequence[str] | None = None,
         run_demo_in: Callable[[Path], dict[str, Path]] = demo_workbooks) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.print_audit",
                                     description="ブックを A4 の PDF にして、印刷の読みやすさを確かめます。")
    parser.add_argument("files", nargs="*", type=Path, help="調べるブック（.xlsx）")
    parser.add_argument("--demo", action="store_true", help="見本の募集回のすべての種類のブックを調べます")
    parser.add_argument("--min-pt", type=float, default=9.0, help="実効の文字の大きさの下限（pt）")
    parser.add_argument("--max-pages", type=int, default=None, help="1シートのページ数の上限")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="print-audit-demo-") as scratch:
        files = list(args.files)
        if args.demo:
            files += list(run_demo_in(Path(scratch) / "demo").values())
        if not files:
            parser.error("ブックを指定するか --demo を付けてください")
        audits = audit_many(files, min_pt=args.min_pt, max_pages=args.max_pages)
    for result in audits:
        print(result.summary())
    return 0 if all(a.ok for a in audits) else 1


if __name__ == "__main__":
    sys.exit(main())
