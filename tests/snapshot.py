"""Outputs as readable text, to compare with a pinned snapshot and show a diff.

A workbook is each sheet's state, frozen panes, merged ranges, conditional formats and data
validations, then every cell with a value: its address, value and what staff see of its style
(number format, bold, font and fill colour, a link, a comment). A text file is its lines.
The manifest's hashes are of the bytes XlsxWriter writes: only its list of files is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles.colors import Color
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.worksheet.worksheet import Worksheet

MANIFEST = ".bansou-manifest.json"


def snapshot(directory: Path) -> str:
    """Every file under ``directory``, sorted by path."""
    lines: list[str] = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        lines.append(f"== {name}")
        if path.suffix == ".xlsx":
            lines += _workbook(path)
        elif name == MANIFEST:
            lines += [f"  {file}" for file in sorted(json.loads(path.read_text("utf-8"))["files"])]
        else:
            lines += [f"| {line}" for line in path.read_text("utf-8").splitlines()]
    return "\n".join(lines) + "\n"


def contents(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` by path, as bytes; the manifest without what ``stat``
    said of each file (two copies of the same outputs differ there, and nowhere else)."""
    return {path.relative_to(directory).as_posix(): _bytes(path)
            for path in sorted(directory.rglob("*")) if path.is_file()}


def _bytes(path: Path) -> bytes:
    if path.name != MANIFEST:
        return path.read_bytes()
    manifest = json.loads(path.read_text("utf-8"))
    manifest.pop("stats", None)
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()


def _workbook(path: Path) -> Iterator[str]:
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        yield f"-- {sheet.title} ({sheet.sheet_state}) freeze={sheet.freeze_panes}"
        yield from _sheet_parts(sheet)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield _cell(cell)
    workbook.close()


def _sheet_parts(sheet: Worksheet) -> Iterator[str]:
    merged = sorted(str(r) for r in sheet.merged_cells.ranges)
    if merged:
        yield f"   merged {' '.join(merged)}"
    for formatting in sheet.conditional_formatting:
        rules = "; ".join(f"{rule.type} {rule.operator} {rule.formula} {_dxf(rule.dxf)}"
                          for rule in formatting.rules)
        yield f"   conditional {formatting.sqref}: {rules}"
    for validation in sheet.data_validations.dataValidation:
        yield f"   validation {validation.sqref}: {validation.type} {validation.formula1}"


def _dxf(style: DifferentialStyle | None) -> str:
    """The colours a conditional format gives."""
    if style is None:
        return ""
    font = _colour(style.font.color) if style.font else None
    fill = _colour(style.fill.bgColor) if style.fill else None
    return f"colour={font} fill={fill}"


def _cell(cell: Cell) -> str:
    parts = [f"{cell.coordinate} {cell.value!r}"]
    if cell.number_format != "General":
        parts.append(f"format={cell.number_format}")
    if cell.font.b:
        parts.append("bold")
    if (colour := _colour(cell.font.color)) is not None:
        parts.append(f"colour={colour}")
    if cell.fill.fill_type and (fill := _colour(cell.fill.fgColor)) is not None:
        parts.append(f"fill={fill}")
    if cell.hyperlink is not None:
        parts.append(f"link={cell.hyperlink.target or cell.hyperlink.location}")
    if cell.comment is not None:
        parts.append(f"comment={cell.comment.text!r}")
    return "  " + " ".join(parts)


def _colour(colour: Color | None) -> str | None:
    if colour is None:
        return None
    if colour.type == "rgb":
        return str(colour.rgb)
    return f"{colour.type}{colour.value}"
