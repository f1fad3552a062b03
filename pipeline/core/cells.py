"""Cell addresses as Excel shows them (A1 style), from a grid's zero-based row and column."""

from __future__ import annotations

import functools


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
