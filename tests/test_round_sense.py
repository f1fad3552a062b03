"""What the console and 概要 tell staff about the round itself (issue 24, case 12): settings
that may not be meant, and where the applicants are."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from tests.conftest import ROUND_TOML
from tests.roundfactory import RUN_AT, add_form, org


def _round_toml(folder: Path, deadline: str, resubmission: str) -> Path:
    """The seed round with another deadline and 再提出期限, beside its templates."""
    text = (ROUND_TOML.read_text(encoding="utf-8")
            .replace("deadline = 2016-06-30T23:59:59+09:00", f"deadline = {deadline}")
            .replace("resubmission_deadline = 2016-07-08", f"resubmission_deadline = {resubmission}"))
    shutil.copytree(ROUND_TOML.parent / "templates", folder / "templates")
    path = folder / "round.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _summary_rows(outbox: Path) -> dict[str, list[object]]:
    """概要's rows by the text in column A: the values beside it."""
    sheet = openpyxl.load_workbook(outbox / "選定結果.xlsx")["概要"]
    return {str(row[0]): list(row[1:]) for row in sheet.iter_rows(values_only=True) if row[0]}


@pytest.mark.slow
def test_a_deadline_on_a_holiday_and_a_resubmission_deadline_on_a_sunday_are_shown(
        tmp_path: Path, blank_dir: Path) -> None:
    config = _round_toml(tmp_path, "2027-09-20T17:00:00+09:00", "2027-10-03")  # 敬老の日, a Sunday
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "a.xlsx", org("秋の会", "三鷹市", {"申請日": "2027/9/17"}), blank_dir=blank_dir)
    holiday = "設定の注意: 締切（round.deadline）の2027年9月20日は祝日（敬老の日）です。"
    sunday = ("設定の注意: 再提出期限（correspondence.resubmission_deadline）の2027年10月3日は"
              "日曜日です。")
    for command in (["check", "--inbox", str(inbox)],
                    ["run", "--inbox", str(inbox), "--outbox", str(tmp_path / "outbox")]):
        output = CliRunner().invoke(main, [*command, "--config", str(config)]).output
        shown = [line for line in output.splitlines() if line.startswith("設定の注意")]
        assert [line[:len(w)] for line, w in zip(shown, (holiday, sunday), strict=True)] == [
            holiday, sunday], output
        for line in shown:
            line.encode("cp932")  # a Windows console shows it
    rows = _summary_rows(tmp_path / "outbox")
    assert str(rows["設定の注意 1"][0]).startswith(holiday.removeprefix("設定の注意: "))
    assert str(rows["設定の注意 2"][0]).startswith(sunday.removeprefix("設定の注意: "))


@pytest.mark.slow
def test_an_applicant_outside_tokyo_is_counted_as_outside_tokyo(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    """Its 区市町村 says 立川市, its 郵便番号 and 所在地 say Saitama: 不適格, and 都外 in 概要
    (not 多摩); a form whose 区市町村 could not be read is 不明."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "saitama.xlsx", org("浦和の会", "三鷹市", {
        "区市町村": "立川市", "郵便番号": "330-9301", "所在地": "埼玉県さいたま市浦和区高砂3-15-1"}),
        blank_dir=blank_dir)
    add_form(inbox, "ward.xlsx", org("新宿の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "blank.xlsx", org("空の会", "練馬区", {"区市町村": None}), blank_dir=blank_dir)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    decided = dict(zip(result.ledger["file"], result.ledger["reason_code"], strict=True))
    assert decided["saitama.xlsx"] == "located_in_tokyo"
    rows = _summary_rows(tmp_path / "outbox")
    counts = {area: rows[area][0] for area in ("区部", "多摩", "島しょ", "都外", "不明")}
    assert counts == {"区部": 1, "多摩": 0, "島しょ": 0, "都外": 1, "不明": 1}


def test_a_new_round_whose_dates_fall_on_a_day_off_says_so(tmp_path: Path) -> None:
    """A year on, the seed round's 再提出期限 (2016-07-08, a Friday) is a Saturday."""
    made = CliRunner().invoke(main, ["new-round", str(tmp_path / "2017"), "--config",
                                     str(ROUND_TOML)])
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[-1] == (
        "設定の注意: 再提出期限（correspondence.resubmission_deadline）の2017年7月8日は土曜日です。"
        "休みの日を期限にしてよいか確かめてください（よければそのままで構いません）。")
