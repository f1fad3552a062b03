"""Read 選定会議資料 back: two rows an application (its numbers, then its texts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from pipeline.stage3_write.committee import COMMITTEE_SHEET


def read_committee(workbook: Path) -> list[dict[str, Any]]:
    """Per application, in the sheet's order: each heading of the numbers row and of the texts
    row → its cell's value (texts by the first cell of their merged run)."""
    sheet = openpyxl.load_workbook(workbook)[COMMITTEE_SHEET]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    numbers, texts = rows[0], rows[1]
    found = []
    for upper, lower in zip(rows[2::2], rows[3::2], strict=False):
        if not isinstance(upper[0], int):
            break
        entry = {str(h): v for h, v in zip(numbers, upper, strict=True) if h}
        entry |= {str(h): v for h, v in zip(texts, lower, strict=True) if h}
        found.append(entry)
    return found
