"""outbox/ is the staff's workspace: nothing they made is lost, whatever happened to the
manifest, whichever folder a run is pointed at, however often it reruns or is killed, and
every file a message names exists (issue 26)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core import manifest
from pipeline.core.errors import OutputError
from pipeline.core.manifest import file_stat, load_manifest
from pipeline.core.names import MANIFEST
from pipeline.core.settings import RoundSettings
from pipeline.demo import DEMO_RUN_AT, run_demo
from pipeline.run import run_round
from pipeline.stage3_write import outputs
from tests.conftest import ROUND_TOML
from tests.roundfactory import RUN_AT, add_form, fill_review, org
from tests.snapshot import contents

FIRST_RUN = "前回の結果はありません（初回の実行です）"
STAFF_HEADING = "outbox で事務局が追加・変更したファイル（そのまま残しました）"


def _at(minutes: int) -> dt.datetime:
    return RUN_AT + dt.timedelta(minutes=minutes)


def _dated(rel: str, when: dt.datetime) -> str:
    return outputs.version_name(rel, f"{when:%Y-%m-%d %H時%M分}")


def _snapshot(outbox: Path) -> dict[str, bytes]:
    """Every file staff can see or the run wrote (not the lock, not staging)."""
    return {rel: data for rel, data in contents(outbox).items()
            if not rel.startswith(".staging-") and rel not in (".bansou.lock", ".bansou.started")}


def _memo_sheet(path: Path, sheet: str, text: str) -> bytes:
    """Staff add a sheet with a memo to a workbook, as Excel saves it."""
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet(sheet)["B2"] = text
    workbook.save(path)
    return path.read_bytes()


def _edit_cell(path: Path, sheet: str, cell: str, text: str) -> bytes:
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = text
    workbook.save(path)
    return path.read_bytes()


def _staff_rows(workbook: Path) -> dict[str, str]:
    """概要's rows about the staff's files: file → what the run wrote for it."""
    sheet = openpyxl.load_workbook(workbook, read_only=True)["概要"]
    rows = [(r[0], r[1] if len(r) > 1 else None) for r in sheet.iter_rows(values_only=True)]
    found: dict[str, str] = {}
    inside = False
    for first, second in rows:
        if first == STAFF_HEADING:
            inside = True
        elif inside and first:
            found[str(first)] = str(second)
        elif inside:
            break
    return found


@pytest.fixture
def small_round(inbox: Path, blank_dir: Path) -> Path:
    add_form(inbox, "koto.xlsx", org("江東の会", "練馬区"), blank_dir=blank_dir)
    add_form(inbox, "tama.xlsx", org("多摩の会", "三鷹市"), blank_dir=blank_dir)
    add_form(inbox, "late.xlsx", org("遅い会", "町田市", {"申請日": "2016/7/3"}),
             blank_dir=blank_dir)
    return inbox


# 1. Edits to the top-level workbooks, any number of reruns


@pytest.mark.slow
def test_edited_workbooks_stay_through_five_reruns_and_概要_points_at_the_newest(
        small_round: Path, settings: RoundSettings, blank_dir: Path) -> None:
    outbox = small_round.parent / "outbox"
    add_form(small_round, "fix.xlsx", org("直す会", "練馬区", {"電話番号": "03-9"}),
             blank_dir=blank_dir)
    run_round(small_round, outbox, settings, _at(0))
    issued = load_manifest(outbox).issued  # type: ignore[union-attr]
    assert [facts["file"] for facts in issued.values()] == ["fix.xlsx"]
    _memo_sheet(outbox / "差戻し" / "fix_要修正.xlsx", "送付記録", "7/1 送付")
    review = _memo_sheet(outbox / "審査票.xlsx", "メモ", "山口委員は欠席")
    listing = _edit_cell(outbox / "申請一覧.xlsx", "申請一覧", "A1", "事務局確認済み")
    selection_edit: bytes | None = None
    for rerun in range(1, 6):
        when = _at(rerun * 7)
        result = run_round(small_round, outbox, settings, when)
        assert (outbox / "審査票.xlsx").read_bytes() == review
        assert (outbox / "申請一覧.xlsx").read_bytes() == listing
        newest = {kept.path: kept.newest for kept in result.staff_files}
        assert newest["審査票.xlsx"] == _dated("審査票.xlsx", when)
        assert newest["申請一覧.xlsx"] == _dated("申請一覧.xlsx", when)
        # only this run's version stays beside the edit: an earlier one, unedited, was ours
        versions = sorted(p.name for p in outbox.glob("審査票（*版）.xlsx"))
        assert versions == [_dated("審査票.xlsx", when)]
        assert result.changes_summary == "変更なし"  # with what the tool wrote, not the edits
        assert load_manifest(outbox).issued == issued  # type: ignore[union-attr]
        if rerun == 3:  # staff edit 選定結果 too, on its 受付一覧 sheet
            selection_edit = _edit_cell(outbox / "選定結果.xlsx", "受付一覧", "A1", "確認")
        if selection_edit is not None:
            assert (outbox / "選定結果.xlsx").read_bytes() == selection_edit
        selection = outbox / (_dated("選定結果.xlsx", when) if rerun > 3 else "選定結果.xlsx")
        assert load_manifest(outbox).latest["選定結果.xlsx"] == selection.name  # type: ignore[union-attr]
        rows = _staff_rows(selection)
        assert rows["審査票.xlsx"] == f"同じ名前の今回の出力は「{_dated('審査票.xlsx', when)}」に書きました"
        for row in rows.values():
            for named in re.findall(r"「([^」]+)」", row):
                assert (outbox / named).is_file(), named


def test_a_published_file_is_known_by_its_stat_and_any_other_by_its_bytes(
        small_round: Path, settings: RoundSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    published = load_manifest(outbox)
    assert published is not None and set(published.stats) == set(published.files)
    assert all(file_stat(outbox / rel) == stat for rel, stat in published.stats.items())
    review, listing = outbox / "審査票.xlsx", outbox / "申請一覧.xlsx"
    same_bytes = review.read_bytes()
    review.write_bytes(same_bytes)  # saved again unchanged: a new mtime, the same bytes
    _edit_cell(listing, "申請一覧", "A1", "事務局確認済み")
    hashed: list[str] = []

    def sha256(path: Path) -> str:
        hashed.append(path.name)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    monkeypatch.setattr(manifest, "sha256", sha256)

    unchanged = manifest.last_run(outbox).unchanged

    assert sorted(hashed) == ["審査票.xlsx", "申請一覧.xlsx"]  # only the two saved since
    assert unchanged == set(published.files) - {"申請一覧.xlsx"}


def test_a_rerun_where_the_disk_has_no_hard_links_writes_every_file_again(
        small_round: Path, settings: RoundSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A USB stick in FAT or exFAT, some network shares: no hard links. A rerun that would link
    its unchanged files writes them instead, the same bytes as a rerun that links them."""
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    run_round(small_round, outbox, settings, _at(0))
    first = _snapshot(outbox)
    tried: list[str] = []

    def no_links(source: object, target: object) -> None:
        tried.append(str(target))
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(outputs.os, "link", no_links)
    run_round(small_round, outbox, settings, _at(0))
    assert tried  # the letters and workbooks that did not change would have been linked
    again = _snapshot(outbox)
    assert {rel: data for rel, data in again.items() if rel != MANIFEST} == {
        rel: data for rel, data in first.items() if rel != MANIFEST}


@pytest.mark.slow
def test_an_edited_dated_version_is_kept_too_and_the_next_one_gets_a_number(
        small_round: Path, settings: RoundSettings) -> None:
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    edited = _memo_sheet(outbox / "審査票.xlsx", "打合せ", "9月5日")
    run_round(small_round, outbox, settings, _at(1))
    dated = outbox / _dated("審査票.xlsx", _at(1))
    dated_edit = _edit_cell(dated, "審査票", "C1", "版を確認")
    result = run_round(small_round, outbox, settings, _at(1))  # the same minute
    assert (outbox / "審査票.xlsx").read_bytes() == edited
    assert dated.read_bytes() == dated_edit
    second = outbox / outputs.version_name("審査票.xlsx", f"{_at(1):%Y-%m-%d %H時%M分}", 2)
    assert second.is_file()
    assert {k.path: k.newest for k in result.staff_files}[dated.name] == second.name


# 2. Without the manifest


@pytest.mark.slow
def test_a_lost_manifest_refuses_the_run_and_overwrites_nothing(
        small_round: Path, settings: RoundSettings) -> None:
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    plan = next((outbox / "計画").iterdir())
    _memo_sheet(plan, "KPI", "キックオフで記入")
    letter = next((outbox / "通知").iterdir())
    letter.write_text(letter.read_text("utf-8") + "\n（担当 佐藤が手直し）", encoding="utf-8")
    (outbox / MANIFEST).unlink()
    before = _snapshot(outbox)
    with pytest.raises(OutputError, match=r"記録（\.bansou-manifest\.json）にないファイル") as refused:
        run_round(small_round, outbox, settings, _at(5))
    assert plan.relative_to(outbox).as_posix() in str(refused.value)
    assert "--keep-existing" in str(refused.value)
    assert _snapshot(outbox) == before
    # staff say so: everything there is theirs, each new output goes beside its namesake
    result = run_round(small_round, outbox, settings, _at(6), keep_existing=True)
    after = _snapshot(outbox)
    assert all(after[rel] == data for rel, data in before.items())
    kept = {k.path: k.newest for k in result.staff_files}
    plan_rel = plan.relative_to(outbox).as_posix()
    assert kept[plan_rel] == _dated(plan_rel, _at(6))
    assert (outbox / _dated(plan_rel, _at(6))).is_file()


@pytest.mark.slow
def test_an_outbox_copied_without_its_manifest_is_refused_then_kept_whole(
        small_round: Path, settings: RoundSettings, tmp_path: Path) -> None:
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    copy = tmp_path / "コピー"
    shutil.copytree(outbox, copy, ignore=shutil.ignore_patterns(".*"))
    _memo_sheet(copy / "選定結果.xlsx", "会議メモ", "委員長に報告済み")
    before = _snapshot(copy)
    with pytest.raises(OutputError, match=r"選定結果\.xlsx"):
        run_round(small_round, copy, settings, _at(3))
    assert _snapshot(copy) == before
    run_round(small_round, copy, settings, _at(4), keep_existing=True)
    assert all(_snapshot(copy)[rel] == data for rel, data in before.items())


@pytest.mark.slow
def test_a_blank_form_made_into_outbox_is_the_tool_s(tmp_path: Path, blank_dir: Path) -> None:
    """`bansou form` records the form it writes into outbox/: the first run replaces it even
    after round.toml changed (the form's bytes with it), and refuses nothing."""
    round_dir = tmp_path / "2016"
    (round_dir / "inbox").mkdir(parents=True)
    shutil.copy(ROUND_TOML, round_dir / "round.toml")
    shutil.copytree(ROUND_TOML.parent / "templates", round_dir / "templates")
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": str(int(RUN_AT.timestamp()))})
    assert runner.invoke(main, ["form", "--round", str(round_dir)]).exit_code == 0
    toml = round_dir / "round.toml"
    toml.write_text(toml.read_text("utf-8").replace("伴走", "伴走（改）", 1), encoding="utf-8")
    add_form(round_dir / "inbox", "a.xlsx", org("一の会", "新宿区"), blank_dir=blank_dir)
    result = runner.invoke(main, ["run", "--round", str(round_dir)])
    assert result.exit_code == 0, result.output
    assert "事務局が変更・追加した" not in result.output
    assert not list((round_dir / "outbox").glob("申請用紙（*"))


# 3. An existing folder; dotfiles and staff files in every output folder


FOLDERS = ("計画", "通知", "通知（暫定）", "差戻し")


@pytest.mark.slow
def test_files_in_an_existing_folder_and_dotfiles_are_never_deleted(
        small_round: Path, settings: RoundSettings) -> None:
    outbox = small_round.parent / "既存フォルダ"
    for folder in FOLDERS:
        (outbox / folder).mkdir(parents=True)
        (outbox / folder / "令和元年度_事業計画.docx").write_bytes(b"PK\x03\x04 docx of " + folder.encode())
        (outbox / folder / ".~lock.xlsx#").write_text("staff", encoding="utf-8")
    (outbox / "通知" / "職員への通知_人事.txt").write_text("人事異動", encoding="utf-8")
    before = _snapshot(outbox)
    with pytest.raises(OutputError, match=r"令和元年度_事業計画\.docx"):
        run_round(small_round, outbox, settings, _at(0))
    assert _snapshot(outbox) == before
    run_round(small_round, outbox, settings, _at(0), keep_existing=True)
    for folder in FOLDERS:  # a dotfile added after the first run survives the reruns
        (outbox / folder / ".メモ.txt").write_text(f"{folder}のメモ", encoding="utf-8")
    (outbox / "~$選定結果.xlsx").write_bytes(b"\x05owner")  # Excel has the workbook open
    for minutes in (1, 2):
        (small_round / "late.xlsx").rename(small_round.parent / "late.xlsx")  # outputs change
        result = run_round(small_round, outbox, settings, _at(minutes))
        (small_round.parent / "late.xlsx").rename(small_round / "late.xlsx")
        assert {k.path for k in result.staff_files} == {
            rel for rel in before if not Path(rel).name.startswith(".")}  # Excel's file unlisted
        assert (outbox / "~$選定結果.xlsx").read_bytes() == b"\x05owner"
        after = _snapshot(outbox)
        assert all(after[rel] == data for rel, data in before.items())
        for folder in FOLDERS:
            assert (outbox / folder / ".メモ.txt").read_text("utf-8") == f"{folder}のメモ"


# 4. Swapped folders


def _cli_run(inbox: Path, outbox: Path) -> object:
    return CliRunner(env={"SOURCE_DATE_EPOCH": str(int(RUN_AT.timestamp()))}).invoke(
        main, ["run", "--inbox", str(inbox), "--outbox", str(outbox), "--config", str(ROUND_TOML)])


@pytest.mark.slow
def test_swapped_folders_are_refused_before_anything_is_written(
        small_round: Path, settings: RoundSettings) -> None:
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    inbox_before, outbox_before = _snapshot(small_round), _snapshot(outbox)
    swapped = _cli_run(outbox, small_round)
    assert swapped.exit_code == 1  # type: ignore[attr-defined]
    assert f"受付フォルダ {outbox} に、このツールの出力" in swapped.output  # type: ignore[attr-defined]
    assert "入れ替えていませんか" in swapped.output  # type: ignore[attr-defined]
    assert _snapshot(small_round) == inbox_before and _snapshot(outbox) == outbox_before
    assert not (small_round / ".bansou.lock").exists()
    # the applicants' folder as outbox, beside an empty inbox: said before a file is made
    empty = small_round.parent / "空"
    empty.mkdir()
    refused = _cli_run(empty, small_round)
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert f"出力フォルダ {small_round} に、申請用紙のようなファイル" in refused.output  # type: ignore[attr-defined]
    assert sorted(p.name for p in small_round.iterdir()) == sorted(inbox_before)


# 5. Killed during publishing


class _Killed(BaseException):
    """The process dying at this point (nothing after it runs: no cleanup)."""


def _kill_at(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    calls = iter(range(10**6))
    real_replace = outputs.os.replace

    def replace(source: object, target: object) -> None:
        if next(calls) == step:
            raise _Killed
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(outputs.os, "replace", replace)
    monkeypatch.setattr(outputs.shutil, "rmtree", lambda *_, **__: None)


@pytest.mark.slow
def test_a_run_killed_at_any_step_of_publishing_is_completed_or_rolled_back(
        small_round: Path, settings: RoundSettings, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    (small_round / "late.xlsx").unlink()  # the next run changes outputs and removes a letter
    pristine = tmp_path / "pristine"
    shutil.copytree(outbox, pristine)
    # how many renames a whole publish takes
    real_replace = outputs.os.replace
    counted: list[object] = []

    def counting(source: object, target: object) -> None:
        counted.append(target)
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(outputs.os, "replace", counting)
    changed = run_round(small_round, outbox, settings, _at(1)).changes_summary
    monkeypatch.undo()
    complete = _snapshot(outbox)
    for step in range(len(counted)):
        shutil.rmtree(outbox)
        shutil.copytree(pristine, outbox)
        with monkeypatch.context() as patch:
            _kill_at(patch, step)
            with pytest.raises(_Killed):
                run_round(small_round, outbox, settings, _at(1))
        (outbox / ".bansou.lock").unlink(missing_ok=True)
        outputs.recover(outbox)  # what the next run does first
        recovered = _snapshot(outbox)
        rolled_back = recovered == _snapshot(pristine)
        assert rolled_back or recovered == complete, step
        result = run_round(small_round, outbox, settings, _at(1))
        assert result.staff_files == (), step  # nothing staff did is reported as theirs
        # compared with the last complete run: the killed one if its publish was completed
        assert result.changes_summary == (changed if rolled_back else "変更なし"), step
        assert not list(outbox.glob(".staging-*")) and not list(outbox.rglob("*版）*")), step


# 6. Every message true, over whole rounds


def _named_files(text: str) -> list[str]:
    return re.findall(r"「([^」]+\.(?:xlsx|xlsm|txt|docx|csv))」", text)


def _check_messages_true(outbox: Path, inbox: Path, output: str | None = None) -> None:
    """Every file 概要 names (its staff rows and any 「file」) and every file the console
    names exists."""
    selection = load_manifest(outbox).latest.get("選定結果.xlsx", "選定結果.xlsx")  # type: ignore[union-attr]
    sheet = openpyxl.load_workbook(outbox / selection, read_only=True)["概要"]
    for rel, note in _staff_rows(outbox / selection).items():
        assert (outbox / rel).is_file(), rel
        for named in _named_files(note):
            assert (outbox / named).is_file(), named
    for row in sheet.iter_rows(values_only=True):
        for value in row:
            if "ありません" in str(value):
                continue  # says a file is missing (a register row naming no file)
            for named in _named_files(str(value or "")):
                assert (outbox / named).is_file() or (inbox / named).is_file(), row
    for line in (output or "").splitlines():
        for named in _named_files(line) if "ありません" not in line else ():
            assert (outbox / named).is_file(), line
        if line.startswith("結果:"):
            assert Path(line.removeprefix("結果:").strip()).is_file(), line


@pytest.mark.slow
def test_every_file_a_message_names_exists_over_a_whole_demo_round(
        tmp_path: Path, settings: RoundSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    demo, result = run_demo(tmp_path / "demo", settings, forms=24, seed=7)
    inbox, outbox = demo.inbox, demo.outbox
    _check_messages_true(outbox, inbox)
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": str(int(DEMO_RUN_AT.timestamp()) + 3600)})
    command = ["run", "--inbox", str(inbox), "--outbox", str(outbox), "--config", str(ROUND_TOML)]
    # staff edit 選定結果, the last plan and a letter, and add a memo among the plans
    last_plan = max(p for p in (outbox / "計画").iterdir() if not p.stem.endswith("_支援記録"))
    _memo_sheet(outbox / "選定結果.xlsx", "会議メモ", "7/10 委員会")
    _memo_sheet(last_plan, "KPI", "記入済み")
    (outbox / "計画" / "キックオフ日程メモ.txt").write_text("9月5日", encoding="utf-8")
    letter = next((outbox / "通知").glob("*.txt"))
    letter.write_text(letter.read_text("utf-8") + "\n手直し", encoding="utf-8")
    first_selected = result.ranked.sort_values("rank").iloc[0]["file"]
    for rerun in range(3):
        if rerun == 1:  # the first-ranked application withdrawn: every plan renumbered
            (inbox / first_selected).rename(tmp_path / "withdrawn.xlsx")
        done = runner.invoke(main, command)
        assert done.exit_code == 0, done.output
        _check_messages_true(outbox, inbox, done.output)
        assert "前回の結果はありません" not in done.output
        assert f"結果: {outbox / '選定結果.xlsx'}" not in done.output  # the edit is stale
        assert "うち" in done.output and "日時付きの名前" in done.output
    selection = load_manifest(outbox).latest["選定結果.xlsx"]  # type: ignore[union-attr]
    note = _staff_rows(outbox / selection)[f"計画/{last_plan.name}"]
    assert "計画書です" in note  # the renumbered plan says which district it is, and where it went
    newest = _named_files(note)
    assert newest and newest[0] != f"計画/{last_plan.name}" and (outbox / newest[0]).is_file()
    assert _staff_rows(outbox / selection)["計画/キックオフ日程メモ.txt"] == \
        "このツールは今回、この名前のファイルを書いていません"


# 7. bansou check with --round


@pytest.mark.slow
def test_check_finds_bare_names_in_the_round_s_inbox_and_uses_its_settings(
        tmp_path: Path, blank_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    round_dir = tmp_path / "rounds" / "2016"
    (round_dir / "inbox").mkdir(parents=True)
    shutil.copy(ROUND_TOML, round_dir / "round.toml")
    shutil.copytree(ROUND_TOML.parent / "templates", round_dir / "templates")
    add_form(round_dir / "inbox", "申請_練馬区.xlsx", org("練馬の会", "練馬区"), blank_dir=blank_dir)
    add_form(round_dir / "inbox", "申請_二年前.xlsx",
             org("古い会", "町田市", {"申請日": "2014/6/30"}), blank_dir=blank_dir)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    found = runner.invoke(main, ["check", "--round", str(round_dir), "申請_練馬区.xlsx"])
    assert found.exit_code == 0, found.output
    assert found.output.endswith("申請_練馬区.xlsx: 不備はありません。\n")
    # the round's deadline (from its round.toml) judges the 申請日: two years before it
    late = runner.invoke(main, ["check", "--round", str(round_dir), "申請_二年前.xlsx"])
    assert late.exit_code == 3 and "申請日" in late.output, late.output
    missing = runner.invoke(main, ["check", "--round", str(round_dir), "ない.xlsx"])
    assert missing.exit_code == 2 and "ない.xlsx が見つかりません" in missing.output
    # without --round: the default round's inbox, as README writes it
    shutil.copytree(round_dir / "inbox", tmp_path / "inbox")
    shutil.copy(ROUND_TOML, tmp_path / "round.toml")
    shutil.copytree(ROUND_TOML.parent / "templates", tmp_path / "templates")
    plain = runner.invoke(main, ["check", "申請_練馬区.xlsx"])
    assert plain.exit_code == 0 and "不備はありません" in plain.output, plain.output
    assert runner.invoke(main, ["check", "申請_二年前.xlsx"]).exit_code == 3


def test_check_on_the_tool_s_own_results_says_so_and_a_returned_review_sheet_is_still_one(
        small_round: Path, settings: RoundSettings, tmp_path: Path) -> None:
    """選定結果 and 申請一覧 have a register's headings (受付一覧): `check` said 不備はありません
    of them, as of a register. It names them as the tool's output instead."""
    outbox = small_round.parent / "outbox"
    run_round(small_round, outbox, settings, _at(0))
    dated = tmp_path / _dated("選定結果.xlsx", _at(5))
    shutil.copy(outbox / "選定結果.xlsx", dated)
    review = small_round / "審査" / "審査票.xlsx"  # returned under the blank's own name
    fill_review(outbox / "審査票.xlsx", review, "審査員A", {"koto.xlsx": (4, 4, 4)})
    runner = CliRunner()
    said = runner.invoke(main, ["check", "--config", str(ROUND_TOML), str(outbox / "選定結果.xlsx"),
                                str(outbox / "申請一覧.xlsx"), str(dated), str(review)])
    assert said.exit_code == 3, said.output
    for name in ("選定結果.xlsx", "申請一覧.xlsx", dated.name):
        assert f"{name}: 1件の不備があります。" in said.output
        assert f"このツールが書き出した{name}です" in said.output
    # the reviewer's sheet is checked as a review sheet: its rows left blank are named
    assert "このツールが書き出した審査票" not in said.output and "審査票!J" in said.output
