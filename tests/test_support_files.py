"""Returned plans and logs (inbox/支援/): matched only by our tag and the district they name,
read through the same guards as forms, every file accounted for, [support] in round.toml."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core import support
from pipeline.core.errors import SettingsError
from pipeline.core.names import SUPPORT_DIR
from pipeline.core.result import RoundResult
from pipeline.core.settings import JST, RoundSettings
from pipeline.core.settings_check import parse_settings
from pipeline.run import run_round
from pipeline.stage1_read.inbox import scan_inbox
from pipeline.stage3_write.plans import log_file_name, write_log
from tests.conftest import ROUND_TOML
from tests.hostile import _bomb, _zip_from
from tests.roundfactory import RUN_AT, add_form, org

SUPPORT_AT = dt.datetime(2016, 12, 12, 9, 30, tzinfo=JST)  # Sep–Nov passed, Dec under way


def _round(tmp_path: Path, blank_dir: Path, settings: RoundSettings
           ) -> tuple[Path, Path, RoundResult]:
    """Two selected districts (三鷹市, 練馬区) and one not selected (練馬区's second)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "mitaka.xlsx", org("三鷹の会", "三鷹市"), blank_dir=blank_dir)
    add_form(inbox, "nerima.xlsx", org("練馬の会", "練馬区"), blank_dir=blank_dir)
    add_form(inbox, "nerima2.xlsx", org("練馬の別の会", "練馬区", {"連携先の関係機関・団体": None}),
             blank_dir=blank_dir)
    outbox = tmp_path / "outbox"
    result = run_round(inbox, outbox, settings, RUN_AT)
    assert sorted(result.ranked.loc[result.ranked["decision"] == "選定", "file"]) == [
        "mitaka.xlsx", "nerima.xlsx"]
    (inbox / SUPPORT_DIR).mkdir()
    return inbox, outbox, result


def _ours(outbox: Path, result: RoundResult, file: str, log: bool = False) -> Path:
    plan = result.plan_files[file]
    return outbox / (log_file_name(plan) if log else plan)


def _label_row(sheet: openpyxl.worksheet.worksheet.Worksheet, text: str) -> int:
    return next(r[0].row for r in sheet.iter_rows() if r[0].value == text)


def _log_rows(path: Path, target: Path, rows: list[tuple[object, ...]],
              hide: int | None = None) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book[support.LOG_SHEET]
    top = _label_row(sheet, support.SESSION_DATE)
    for offset, values in enumerate(rows, start=1):
        for col, value in enumerate(values, start=1):
            sheet.cell(top + offset, col).value = value
    if hide is not None:
        sheet.row_dimensions[top + hide].hidden = True
    book.save(target)
    return target


def _session(day: dt.date, menu: str = "プロボノ事務局移転支援", people: object = 9) -> tuple[object, ...]:
    return (day, menu, "訪問", people, "担当者", "打合せ", "次回の準備", "アドバイザー")


def _file_rows(result: RoundResult) -> dict[str, dict[str, object]]:
    assert result.support is not None
    return {str(row["file"]): {str(k): v for k, v in row.items()}
            for _, row in result.support.files.iterrows()}


@pytest.mark.slow  # a whole round: make test runs it
def test_files_count_only_for_the_district_our_tag_and_their_own_cells_name(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox, outbox, result = _round(tmp_path, blank_dir, settings)
    folder = inbox / SUPPORT_DIR
    # 三鷹市's plan, filled at the kickoff: another schedule than ours, a KPI
    plan = openpyxl.load_workbook(_ours(outbox, result, "mitaka.xlsx"))
    sheet = plan[support.PLAN_SHEET]
    sheet.cell(_label_row(sheet, support.KICKOFF_DATE), 2).value = dt.date(2016, 9, 14)
    header = _label_row(sheet, support.ACTIVITY)
    months = {c.value: c.column for c in sheet[header][2:] if c.value}
    pro_bono = next(r for r in range(header + 1, header + 10)
                    if sheet.cell(r, 1).value == "プロボノ事務局移転支援")
    for column in months.values():
        sheet.cell(pro_bono, column).value = None
    sheet.cell(pro_bono, months["2016年10月"]).value = 2  # two sessions agreed for October
    kpi = _label_row(sheet, support.KPI_NAME)
    for col, value in zip((1, 3, 5, 7), ("サロン参加者", "30人", "2016年11月", "地区"), strict=True):
        sheet.cell(kpi + 1, col).value = value
    plan.save(folder / "キックオフ後.xlsx")
    # 練馬区's plan with another organisation typed in: not counted, the cell named
    other = openpyxl.load_workbook(_ours(outbox, result, "nerima.xlsx"))
    name_row = _label_row(other[support.PLAN_SHEET], support.ORG_LABEL)
    other[support.PLAN_SHEET].cell(name_row, 2).value = "よその会"
    other.save(folder / "練馬_計画.xlsx")
    # 三鷹市's log: one session in October, one dated after the run; a copy saved twice
    mitaka_log = _ours(outbox, result, "mitaka.xlsx", log=True)
    _log_rows(mitaka_log, folder / "三鷹_記録.xlsx",
              [_session(dt.date(2016, 10, 5), people="7人"), _session(dt.date(2017, 3, 1))])
    shutil.copy(folder / "三鷹_記録.xlsx", folder / "三鷹_記録 - コピー.xlsx")
    # a log with our tag removed, and one written for the district not selected
    untagged = _zip_from(mitaka_log, lambda name, data: None if name == "docProps/custom.xml"
                         else data.replace(b'<Override PartName="/docProps/custom.xml"', b"<X")
                         if name == "[Content_Types].xml" else data)
    (folder / "印なし.xlsx").write_bytes(untagged)
    not_selected = result.ranked[result.ranked["file"] == "nerima2.xlsx"].iloc[0]
    write_log(folder / "選外の記録.xlsx", not_selected, settings)

    result = run_round(inbox, outbox, settings, SUPPORT_AT)
    assert result.support is not None
    files = _file_rows(result)
    assert set(files) == {f"支援/{p.name}" for p in folder.iterdir()}
    assert files["支援/キックオフ後.xlsx"]["district"] == "mitaka.xlsx"
    assert files["支援/練馬_計画.xlsx"]["state"] == "対象外"
    assert files["支援/印なし.xlsx"]["state"] == "対象外"
    assert "選定されていない" in str(files["支援/選外の記録.xlsx"]["note"])
    counted = [f for f in files if files[f]["district"] and files[f]["state"] == "読み込み"]
    assert sorted(counted) == ["支援/キックオフ後.xlsx", "支援/三鷹_記録.xlsx"]  # newer name first
    problems = {(p["file"], p["cell"], p["code"]) for _, p in result.support.problems.iterrows()}
    assert ("支援/練馬_計画.xlsx", f"B{name_row}", "support_identity") in problems
    assert ("支援/印なし.xlsx", "", "support_unmatched") in problems
    assert ("支援/三鷹_記録 - コピー.xlsx", "", "support_two_files") in problems
    future = [p for p in problems if p[2] == "support_future"]
    assert len(future) == 1 and future[0][1].startswith("A")
    # what counts: October's session (7 people), the agreed schedule with its 2, the KPI overdue
    district = result.support.districts.set_index("file").loc["mitaka.xlsx"]
    assert (district["held"], district["participants"], district["kickoff_date"]) == (
        1, 7, "2016-09-14")
    planned = result.support.planned
    october = planned[(planned["file"] == "mitaka.xlsx") & (planned["activity"] == "プロボノ事務局移転支援")]
    assert october[["month", "sessions", "source"]].values.tolist() == [["2016-10", 2, "計画書"]]
    overdue = result.support.overdue
    mine = overdue[overdue["file"] == "mitaka.xlsx"]
    assert set(mine["subject"]) >= {"サロン参加者", "プロボノ事務局移転支援"}
    assert "予定2回、実施1回" in " ".join(mine["what"])
    # 練馬区: nothing returned that counts, our own schedule, every passed month overdue
    nerima = result.support.districts.set_index("file").loc["nerima.xlsx"]
    assert (nerima["plan_file"], nerima["plan_source"], nerima["held"]) == ("", "当初の計画", 0)
    assert nerima["overdue"] == len(overdue[overdue["file"] == "nerima.xlsx"]) > 0


def _hostile(log: Path, folder: Path) -> dict[str, str]:
    """Hostile logs, each made from a real one: the file → what its row in 概要 must say."""
    good = log.read_bytes()

    def sheet1(data: bytes) -> bytes:
        return _zip_from(log, lambda name, old: data if name == "xl/worksheets/sheet1.xml" else old)

    def add(name: str, data: bytes, note: str) -> None:
        (folder / name).write_bytes(data)
        expected[name] = note

    expected: dict[str, str] = {}
    add("password.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
        + "EncryptionInfo".encode("utf-16-le") + bytes(64), "パスワード")
    add("scan.xlsx", b"%PDF-1.7\n" + bytes(300), "PDF")
    add("empty.xlsx", b"", "空（0バイト）")
    add("truncated.xlsx", good[: len(good) // 2], "途中までしか届いていません")
    add("entities.xlsx", sheet1(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">'
                                b'<!ENTITY b "&a;&a;&a;&a;">]><worksheet>&b;</worksheet>'), "DTD")
    add("sparse.xlsx", _zip_from(log, lambda n, d: d.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
        if n == "xl/worksheets/sheet1.xml" else d), "極端に広いシート")
    add("far_row.xlsx", _zip_from(log, lambda n, d: d.replace(
        b"</sheetData>", b'<row r="900000"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        if n == "xl/worksheets/sheet2.xml" else d), "極端に広いシート")  # the other sheet
    _bomb(log, folder / "bomb.xlsx")
    expected["bomb.xlsx"] = "大きすぎます"
    with zipfile.ZipFile(folder / "word.xlsx", "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    expected["word.xlsx"] = "Wordファイル"
    return expected


@pytest.mark.slow  # a whole round, then a second with six hostile files
def test_hostile_plans_and_logs_go_through_the_guards_forms_do(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox, outbox, result = _round(tmp_path, blank_dir, settings)
    folder = inbox / SUPPORT_DIR
    log = _ours(outbox, result, "nerima.xlsx", log=True)
    expected = _hostile(log, folder)
    # a session on a hidden row, a formula for a date, a sheet hidden: never read, each named.
    # Two logs of one district: the newest saved counts (the same second: the later name), so
    # 隠れた行.xlsx is saved last.
    _log_rows(log, folder / "数式.xlsx", [("=TODAY()", "プロボノ事務局移転支援", "訪問", 3)])
    _log_rows(log, folder / "隠れた行.xlsx", [_session(dt.date(2016, 10, 3)),
                                          _session(dt.date(2016, 11, 3))], hide=2)
    hidden = openpyxl.load_workbook(log)
    hidden[support.LOG_SHEET].sheet_state = "hidden"
    hidden.save(folder / "隠れたシート.xlsx")
    result = run_round(inbox, outbox, settings, SUPPORT_AT)
    assert result.support is not None
    files = _file_rows(result)
    for name, note in expected.items():
        row = files[f"支援/{name}"]
        assert row["state"] == "読込不可" and note in str(row["note"]), (name, row)
    problems = result.support.problems
    hidden_row = problems[problems["file"] == "支援/隠れた行.xlsx"]
    assert set(hidden_row["code"]) == {"hidden_input"} and "非表示の行" in hidden_row.iloc[0]["message"]
    formula = problems[problems["file"] == "支援/数式.xlsx"]
    assert "formula" in set(formula["code"])
    assert files["支援/隠れたシート.xlsx"]["state"] == "読込不可"
    # the hidden row's session is not counted; the one seen is (and the formula's is not)
    assert files["支援/隠れた行.xlsx"]["rows"] == 1
    sessions = result.support.sessions
    assert sessions.loc[sessions["log_file"] == "支援/隠れた行.xlsx", "date"].tolist() == ["2016-10-03"]


@pytest.mark.slow  # a whole round: make test runs it
def test_check_reads_the_support_folder_and_names_each_file_s_own_problems(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    inbox, outbox, result = _round(tmp_path, blank_dir, settings)
    folder = inbox / SUPPORT_DIR
    log = _ours(outbox, result, "nerima.xlsx", log=True)
    _log_rows(log, folder / "支援記録_練馬区.xlsx", [_session(dt.date(2016, 10, 3))])
    _log_rows(log, folder / "数式.xlsx", [("=TODAY()", "プロボノ事務局移転支援", "訪問", 3)])
    (folder / "メモ.xlsx").write_bytes(b"not a workbook")
    runner = CliRunner()

    done = runner.invoke(main, ["check", "--inbox", str(inbox), "--config", str(ROUND_TOML)])

    assert done.exit_code == 3, done.output
    said = done.output.splitlines()
    assert "支援記録_練馬区.xlsx: 不備はありません。" in said
    formula = said.index(next(line for line in said if line.startswith("数式.xlsx:")))
    assert "件の不備があります" in said[formula] and "数式" in said[formula + 1]
    assert any(line.startswith("メモ.xlsx: 1件の不備があります") for line in said)
    for name in ("mitaka.xlsx", "nerima.xlsx"):  # the forms are checked as before
        assert f"{name}: 不備はありません。" in said
    # without the round's settings, a support file says it could not be checked
    alone = runner.invoke(main, ["check", str(folder / "数式.xlsx"), "--config",
                                 str(tmp_path / "none.toml")])
    said = alone.output.splitlines()
    assert said[0].startswith("設定の注意: ") and "none.toml" in said[0]  # why, first
    assert "計画書・支援記録を確かめられません" in alone.output and "設定を直して" in alone.output


def test_the_support_folder_holds_no_applications(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / SUPPORT_DIR).mkdir(parents=True)
    (inbox / SUPPORT_DIR / "計画書.xlsx").write_bytes(b"PK")
    (inbox / SUPPORT_DIR / "~$計画書.xlsx").write_bytes(b"lock")
    (inbox / "申請.xlsx").write_bytes(b"PK")
    scan = scan_inbox(inbox)
    assert [f.name for f in scan.files] == ["申請.xlsx"]
    assert [p.name for p in scan.support_files] == ["計画書.xlsx"]  # Excel's lock file left out
    assert ("支援/", "計画書・支援記録のフォルダ（1件を読み込み。結果は 進捗.xlsx）") in scan.ignored


def _toml(extra: str) -> tuple[dict[str, object], str, Path]:
    """The fixture settings with ``extra`` added, as parse_settings takes them."""
    import tomllib

    return (tomllib.loads(ROUND_TOML.read_text(encoding="utf-8") + extra), ROUND_TOML.name,
            ROUND_TOML.parent)


@pytest.mark.slow  # a whole round: make test runs it
def test_round_toml_support_section_drives_expected_sessions(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    changed = parse_settings(*_toml('\n[support]\nsessions_per_month = 3\ngrace_days = 40\n'
                                   '[support.menu_sessions]\n"プロボノ事務局移転支援" = 2\n'))
    assert (changed.support.sessions_per_month, changed.support.grace_days) == (3, 40)
    inbox, outbox, _ = _round(tmp_path, blank_dir, settings)
    result = run_round(inbox, outbox, changed, SUPPORT_AT)
    assert result.support is not None
    planned = result.support.planned
    mine = planned[planned["file"] == "mitaka.xlsx"]
    assert set(mine.loc[mine["activity"] == "プロボノ事務局移転支援", "sessions"]) == {2}
    assert set(mine.loc[mine["activity"] == "キックオフ・課題整理", "sessions"]) == {3}
    # 40 days of grace: November (ended 30 Nov) is not yet overdue on 12 December
    assert not result.support.overdue["when"].str.startswith("2016-11").any()
    assert result.support.overdue["when"].str.startswith("2016-10").any()
    with pytest.raises(SettingsError, match=re.escape(
            "support.sesions_per_month という項目はありません。「sessions_per_month」の書き間違い")):
        parse_settings(*_toml("\n[support]\nsesions_per_month = 2\n"))
    with pytest.raises(SettingsError, match=re.escape("support.grace_days は0以上60以下の整数")):
        parse_settings(*_toml("\n[support]\ngrace_days = -1\n"))


def test_plan_and_log_carry_our_tag_and_the_log_its_columns(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    _, outbox, result = _round(tmp_path, blank_dir, settings)
    sha = result.ranked.set_index("file").loc["nerima.xlsx", "sha256"]
    plan = openpyxl.load_workbook(_ours(outbox, result, "nerima.xlsx"))
    assert plan.custom_doc_props[support.PLAN_PROPERTY].value == sha
    log = openpyxl.load_workbook(_ours(outbox, result, "nerima.xlsx", log=True))
    assert log.custom_doc_props[support.LOG_PROPERTY].value == sha
    sheet = log[support.LOG_SHEET]
    header = _label_row(sheet, support.SESSION_DATE)
    assert [c.value for c in sheet[header]] == list(support.LOG_HEADINGS)
    lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert "訪問" in lists["C"] and "中間振り返り" in lists["B"]
    assert [c.value for c in log[support.KPI_SHEET][2]] == list(support.RESULT_HEADINGS)
