"""The previous run's results (its 選定結果.xlsx in outbox/), for what changed since."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from pipeline.stage1_read.sniff import sniff, staff_workbook

SELECTION_FILE = "選定結果.xlsx"
_COLUMNS = {"受付一覧": ("ファイル名", "判定", "団体名"), "選定順位": ("ファイル名", "順位", "合計点")}


@dataclass(frozen=True)
class Previous:
    """By file name: 判定 and 団体名 (every file), 順位 and 合計点 (ranked files)."""

    decisions: dict[str, tuple[str, str]]
    ranks: dict[str, tuple[int, float]]


def read_previous(outbox: Path, ours: set[str]) -> Previous | None:
    """The last results this tool wrote (``ours``: names in outbox/ the manifest says it
    wrote unchanged); None on a first run or when they cannot be read."""
    path = next((outbox / name for name in (SELECTION_FILE, "選定結果（新しい版）.xlsx")
                 if name in ours), None)
    if path is None or sniff(path, limits=staff_workbook(None)):
        return None
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        try:
            tables = {name: workbook.get_sheet_by_name(name).to_python()
                      for name in _COLUMNS if name in workbook.sheet_names}
        finally:
            workbook.close()
    except (python_calamine.CalamineError, OSError, ValueError):
        return None
    if set(tables) != set(_COLUMNS):
        return None
    decisions = {str(file): (str(decision), str(org)) for file, decision, org in
                 _rows(tables["受付一覧"], _COLUMNS["受付一覧"])}
    ranks = {}
    for file, rank, total in _rows(tables["選定順位"], _COLUMNS["選定順位"]):
        if isinstance(rank, int | float) and isinstance(total, int | float):
            ranks[str(file)] = (int(rank), float(total))
    return Previous(decisions, ranks)


def _rows(grid: Sequence[Sequence[object]], columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    if not grid:
        return []
    header = [str(v) for v in grid[0]]
    if not all(c in header for c in columns):
        return []
    at = [header.index(c) for c in columns]
    return [tuple(row[i] for i in at) for row in grid[1:] if row[at[0]] not in ("", None)]
