"""Cell addresses as Excel shows them (A1 style), from a grid's zero-based row and column.

Written out rather than taken from openpyxl (``openpyxl.utils.cell.get_column_letter``, which
tests/test_eras.py checks this against): importing openpyxl costs `bansou check` a tenth of a
second at start-up, on a path that never opens a workbook with it."""

from __future__ import annotations


def column_letters(col: int) -> str:
    """The letters of a zero-based column: 0 → A, 25 → Z, 26 → AA, 16383 → XFD."""
    letters = ""
    number = col + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_address(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


def column_index(letters: str) -> int:
    """The one-based column of ``letters`` (A → 1, XFD → 16384), as openpyxl's
    ``column_index_from_string`` gives it."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number
