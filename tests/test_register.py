"""The receipt register as read: its problems are codes with their fields (core.notes)."""

from __future__ import annotations

from pathlib import Path

from pipeline.stage1_read.register import read_register
from tests.roundfactory import write_register


def test_a_register_without_its_headings_says_which(tmp_path: Path) -> None:
    path = write_register(tmp_path / "受付簿.xlsx", [(1, "a.xlsx", "2016/6/28 10:00")],
                          headings=("番号", "名前", "日時"))
    problem = read_register(path, 2016).problem
    assert problem is not None and problem.code == "register_no_headings"
    assert problem.fields == {"file": "受付簿.xlsx", "file_label": "ファイル名",
                              "time_label": "受付日時"}
