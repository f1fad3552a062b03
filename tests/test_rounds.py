"""Rounds side by side: the form carries its round, a new round gets its own folder, and
`make ROUND=…` works in it (through make itself, as staff type it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline.core.settings import JST, RoundSettings
from pipeline.new_round import new_round, next_year_text
from pipeline.run import run_round
from pipeline.stage3_write.form import write_form
from tests.conftest import ROUND_TOML
from tests.formfactory import make_form, with_values
from tests.roundfactory import RUN_AT, make_register, org

ROOT = Path(__file__).resolve().parents[1]
NEXT_NAME = "平成29年度 中間支援力強化のための伴走支援事業"


@pytest.mark.parametrize(("text", "advanced"), [
    ('name = "平成28年度 事業"', 'name = "平成29年度 事業"'),
    ('name = "平成30年度 事業"', 'name = "令和元年度 事業"'),
    ('name = "令和元年度 事業"', 'name = "令和2年度 事業"'),
    ('name = "2016年度 事業"', 'name = "2017年度 事業"'),
    ("deadline = 2016-06-30T23:59:59+09:00", "deadline = 2017-06-30T23:59:59+09:00"),
    ("resubmission_deadline = 2019-02-29", "resubmission_deadline = 2020-02-28"),
    ("max_districts = 5", "max_districts = 5"),
])
def test_next_year_advances_names_and_dates_only(text: str, advanced: str) -> None:
    if "2019-02-29" in text:  # no such day: the rule is for 2016-02-29 → 2017-02-28
        text, advanced = text.replace("2019", "2016"), advanced.replace("2020", "2017")
    assert next_year_text(text) == advanced


def test_new_round_makes_its_own_folder_and_never_overwrites(tmp_path: Path) -> None:
    directory = tmp_path / "rounds" / "2017"
    settings = new_round(directory, ROUND_TOML)
    assert settings.name == NEXT_NAME
    assert settings.deadline.date() == dt.date(2017, 6, 30)
    assert settings.resubmission_deadline == dt.date(2017, 7, 8)
    assert settings.templates == directory / "templates"
    assert sorted(p.name for p in directory.iterdir()) == ["inbox", "outbox", "round.toml",
                                                           "templates"]
    assert "# 審査員の採点" in (directory / "round.toml").read_text(encoding="utf-8")  # comments kept
    before = (directory / "round.toml").read_bytes()
    with pytest.raises(Exception, match="もうあります"):
        new_round(directory, ROUND_TOML)
    assert (directory / "round.toml").read_bytes() == before


def _form_text(path: Path) -> str:
    workbook = openpyxl.load_workbook(path)
    return "\n".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows()
                     for cell in row if cell.value is not None)


def test_the_form_of_each_round_carries_its_settings(tmp_path: Path,
                                                     settings: RoundSettings) -> None:
    later = new_round(tmp_path / "2017", ROUND_TOML)
    office = dataclasses.replace(later.office, email="2017@example.jp")
    later = dataclasses.replace(later, office=office)
    write_form(tmp_path / "2016.xlsx", settings)
    write_form(tmp_path / "2017.xlsx", later)
    assert (tmp_path / "2016.xlsx").read_bytes() != (tmp_path / "2017.xlsx").read_bytes()
    text = _form_text(tmp_path / "2017.xlsx")
    assert f"{NEXT_NAME} 申請用紙" in text
    assert "締切：2017年6月30日 23:59（日本時間）までに届いたもの" in text
    assert "2017@example.jp" in text and later.office.address in text
    assert "例：2017/6/28、平成29年6月28日" in text and "例：2017年9月" in text
    assert "2016" not in text
    properties = openpyxl.load_workbook(tmp_path / "2017.xlsx").custom_doc_props
    assert properties["bansou-round"].value == NEXT_NAME


@pytest.mark.slow
def test_a_form_of_another_round_is_recognised_and_judged(tmp_path: Path, blank_dir: Path,
                                                          settings: RoundSettings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_form(inbox / "old.xlsx", org("社協A", "新宿区"), blank_dir=blank_dir)
    later = dataclasses.replace(settings, name=NEXT_NAME)
    result = run_round(inbox, tmp_path / "outbox", later, RUN_AT)
    row = result.ledger.set_index("file").loc["old.xlsx"]
    assert row["decision"] == "選定"
    assert ("別の募集回の申請用紙で提出されています（文書のプロパティ bansou-round"
            f"「平成28年度 中間支援力強化のための伴走支援事業」、今回は「{NEXT_NAME}」）") in row["reason"]
    same = run_round(inbox, tmp_path / "outbox2", settings, RUN_AT)
    assert "申請用紙で提出されています" not in same.ledger["reason"].iloc[0]


def _make(*arguments: str) -> subprocess.CompletedProcess[str]:
    # the 2017 round's run between its deadline and its 再提出期限 (2017-07-08)
    run_at = dt.datetime(2017, 7, 3, 10, 0, tzinfo=JST)
    environment = {**os.environ, "MAKEFLAGS": "", "SOURCE_DATE_EPOCH": str(int(run_at.timestamp()))}
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *arguments],
                          capture_output=True, text=True, timeout=600, env=environment,
                          check=False)


@pytest.mark.slow
def test_new_round_then_make_round_end_to_end(tmp_path: Path, blank_dir: Path) -> None:
    directory = tmp_path / "rounds" / "2017"
    made = _make("new-round", f"ROUND={directory}", f"FROM={ROUND_TOML}")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "平成29年度" in made.stdout
    inbox = directory / "inbox"
    applied = {"申請日": "2017/6/20", "希望開始時期": "2017年9月"}
    make_form(inbox / "申請用紙 (1).xlsx", org("社協A", "新宿区", applied), blank_dir=blank_dir)
    make_form(inbox / "調布 市民.xlsx", with_values({"電話番号": "12", **applied}),
              blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("申請用紙 (1).xlsx", "2017/6/25 10:00"),
                                        ("調布 市民.xlsx", "2017/6/26 11:00")])

    form = _make("form", f"ROUND={directory}")
    assert form.returncode == 0, form.stdout + form.stderr
    assert NEXT_NAME in form.stdout and (directory / "outbox" / "申請用紙.xlsx").is_file()

    checked = _make("check", f"ROUND={directory}")
    assert checked.returncode == 0, checked.stdout + checked.stderr  # problems are the answer
    assert "Error" not in checked.stderr
    assert "申請用紙 (1).xlsx: 不備はありません。" in checked.stdout
    assert "調布 市民.xlsx: 1件の不備があります。" in checked.stdout
    assert "受付簿.xlsx: 不備はありません。" in checked.stdout  # read as a register

    ran = _make(f"ROUND={directory}")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Error" not in ran.stderr
    assert "2件のファイルを判定しました（選定 1件、要修正 1件）" in ran.stdout
    assert (directory / "outbox" / "選定結果.xlsx").is_file()
