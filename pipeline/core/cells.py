"""Cell addresses as Excel shows them (A1 style), from a grid's zero-based row and column."""

from __future__ import annotations

from openpyxl.utils.cell import get_column_letter


def cell_address(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"
