"""The staff's receipt register (受付簿): when each file's e-mail arrived."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from pipeline.core import problems
from pipeline.core.cells import cell_address
from pipeline.core.normalize import clean_text, display, label_key, parse_datetime
from pipeline.core.settings import JST
from pipeline.stage1_read.inbox import REGISTER_NAME
from pipeline.stage1_read.sniff import sniff

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
        return Register({}, (f"{REGISTER_NAME} を読み込めません：{problems.describe(reason)}",))
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
