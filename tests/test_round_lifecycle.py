"""The round as it really runs (issue 14): corrected forms coming back, a register typed by
hand, reviewers resending sheets, look-alikes. Where the inputs cannot support a decision,
the run says so (暫定) instead of deciding on a weaker basis."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.formspec import FIELDS
from pipeline.core.notes import Note
from pipeline.core.settings import JST, RoundSettings
from pipeline.stage1_read.review_sheets import read_review_sheets
from pipeline.stage2_decide.versions import org_name_key
from pipeline.stage3_write.review_sheet import write_review_sheet
from tests.formfactory import blank_form
from tests.frames import application, eligible
from tests.paper import read_committee
from tests.roundfactory import (
    RUN_AT,
    add_form,
    add_forms,
    decisions_of,
    fill_review,
    ledger_row,
    make_register,
    org,
    provisional,
    review_everything,
    run_in,
    saved_at,
)

_run, _decisions, _row = run_in, decisions_of, ledger_row


def _fix_returned_workbook(outbox: Path, stem: str, target: Path, label: str,
                           value: object) -> Path:
    """What an applicant does with a 差戻し workbook: fix the marked cell, save, send back."""
    workbook = openpyxl.load_workbook(outbox / "差戻し" / f"{stem}_要修正.xlsx")
    sheet = workbook["申請書"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == label)
    sheet.cell(cell.row, cell.column + 1).value = value
    workbook.save(target)
    return target


# --- 1. A corrected form supersedes the form it corrects ---------------------------------------

@pytest.mark.slow
def test_a_correction_from_our_workbook_supersedes_its_original_under_any_name(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "nakano.xlsx", org("中野の会", "新宿区", {"電話番号": "12"}), blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("nakano.xlsx", "2016/6/29 10:00")])
    first = _run(inbox, settings, RUN_AT)
    assert _decisions(first)["nakano.xlsx"] == "要修正"
    # fixed, renamed, saved without a register row, its 申請日 still the original's
    _fix_returned_workbook(inbox.parent / "outbox", "nakano", inbox / "修正版 申請書.xlsx",
                           "電話番号", "03-1234-5678")
    result = _run(inbox, settings)
    decisions = _decisions(result)
    assert decisions["修正版 申請書.xlsx"] == "選定"
    assert decisions["nakano.xlsx"] == "重複"
    assert _row(result, "nakano.xlsx")["reason_code"] == "replaced_by_correction"
    assert _row(result, "nakano.xlsx")["reason"] == ("修正版（修正版 申請書.xlsx）で判定するため、"
                                                     "このファイルへの通知はありません。")
    assert _row(result, "修正版 申請書.xlsx")["received_basis"].startswith(
        "差戻しの修正版（元: nakano.xlsx）：元の受付日時")
    assert _row(result, "修正版 申請書.xlsx")["received_at"] == pd.Timestamp(
        dt.datetime(2016, 6, 29, 10, 0, tzinfo=JST))
    # only the judged file gets a letter: the superseded one neither a 重複 notice nor a 差戻し
    assert not list((inbox.parent / "outbox" / "差戻し").iterdir())
    assert not list((inbox.parent / "outbox" / "通知").glob("nakano*"))


@pytest.mark.slow
@pytest.mark.parametrize(("arrived", "decision", "basis"), [
    ("2016/7/5 10:00", "選定", "再提出期限内"),  # after the deadline, within 再提出期限
    ("2016/7/9 10:00", "不適格", "再提出期限後"),
])
def test_a_correction_keeps_the_original_receipt_only_until_the_resubmission_deadline(
        inbox: Path, blank_dir: Path, settings: RoundSettings, arrived: str, decision: str,
        basis: str) -> None:
    add_form(inbox, "orig.xlsx", org("直す会", "新宿区", {"電話番号": "12"}), blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("orig.xlsx", "2016/6/29 10:00")])
    _run(inbox, settings, RUN_AT)
    _fix_returned_workbook(inbox.parent / "outbox", "orig", inbox / "fixed.xlsx",
                           "電話番号", "03-1234-5678")
    make_register(inbox / "受付簿.xlsx", [("orig.xlsx", "2016/6/29 10:00"),
                                       ("fixed.xlsx", arrived)])
    result = _run(inbox, settings)
    assert _decisions(result) == {"fixed.xlsx": decision, "orig.xlsx": "重複"}
    assert basis in _row(result, "fixed.xlsx")["received_basis"]
    # never two contradictory notices: one notice for the organisation, for the judged file
    # (none for the original its correction replaced)
    notices = sorted(p.name.replace("（暫定）", "") for folder in ("通知", "通知（暫定）")
                     for p in (inbox.parent / "outbox" / folder).glob("*_*.txt"))
    assert notices == [f"fixed_{decision}.txt"]


@pytest.mark.slow
def test_a_correction_of_unknown_arrival_after_the_window_makes_the_ranking_provisional(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "orig.xlsx", org("直す会", "新宿区", {"電話番号": "12"}), blank_dir=blank_dir)
    _run(inbox, settings, RUN_AT)
    _fix_returned_workbook(inbox.parent / "outbox", "orig", inbox / "fixed.xlsx",
                           "電話番号", "03-1234-5678")
    review_everything(inbox.parent / "outbox", inbox)  # the review sheet lists orig.xlsx only
    result = _run(inbox, settings)
    assert ("correction_arrival_unknown", {"file": "fixed.xlsx"}) in provisional(result)


@pytest.mark.slow
def test_three_versions_of_one_organisation_the_latest_is_judged(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    for name, day in (("v1.xlsx", "2016/6/1"), ("v2.xlsx", "2016/6/10"), ("v3.xlsx", "2016/6/20")):
        add_form(inbox, name, org("三度の会", "新宿区", {"申請日": day}), blank_dir=blank_dir)
    # the register's 送信元 shows one sender: the form's own contacts are no evidence
    make_register(inbox / "受付簿.xlsx", [(name, f"2016/6/{day} 10:00", "Sando@Example.jp")
                                        for name, day in (("v1", 2), ("v2", 11), ("v3", 21))])
    result = _run(inbox, settings)
    assert _decisions(result) == {"v1.xlsx": "重複", "v2.xlsx": "重複", "v3.xlsx": "選定"}
    assert result.superseded_by == {"v1.xlsx": "v3.xlsx", "v2.xlsx": "v3.xlsx"}
    assert "根拠：受付簿の日時" in _row(result, "v1.xlsx")["reason"]


@pytest.mark.slow
def test_versions_that_tie_on_every_time_are_named_and_the_ranking_is_provisional(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "a.xlsx", org("同じ会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("同じ会", "新宿区", {"伴走支援で目指す成果": "別の成果"}),
             blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("a.xlsx", "2016/6/29 10:00", "onaji@example.jp"),
                                        ("b.xlsx", "2016/6/29 10:00", "onaji@example.jp")])
    result = _run(inbox, settings)
    assert _decisions(result) == {"a.xlsx": "重複", "b.xlsx": "選定"}
    assert ("versions_unordered", {"files": ("a.xlsx", "b.xlsx")}) in provisional(result)
    assert any(note.code == "latest_version_judged" and note.fields["latest"] == "b.xlsx"
               and "ファイル名の順で b.xlsx を判定" in note.text for note in result.notes)


@pytest.mark.slow
def test_a_same_name_without_the_register_s_evidence_supersedes_nobody(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "listed.xlsx", org("日付の会", "新宿区", {"申請日": "2016/6/20"}),
             blank_dir=blank_dir)
    add_form(inbox, "unlisted.xlsx", org("日付の会", "新宿区", {"申請日": "2016/6/25",
                                                          "伴走支援で目指す成果": "新しい成果"}),
             blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("listed.xlsx", "2016/6/29 10:00", "hi@example.jp")])
    result = _run(inbox, settings)
    # same name and contacts in the forms, but only one is in the register: both judged, 暫定
    assert _decisions(result) == {"listed.xlsx": "選外", "unlisted.xlsx": "選定"}
    assert "同一団体名の別申請（listed.xlsx）" in _row(result, "unlisted.xlsx")["staff_note"]
    assert [f["count"] for c, f in provisional(result) if c == "same_name_unconfirmed"] == [2]


# --- 2. The same organisation, however its name is written ------------------------------------

@pytest.mark.parametrize(("first", "second"), [
    ("社会福祉法人 中野区社会福祉協議会", "中野区社会福祉協議会"),
    ("特定非営利活動法人 くにたち市民協働ネット", "NPO法人くにたち市民協働ネット"),
    ("（福）中野区社協", "中野区社会福祉協議会"),
    ("㈱まちづくり　ラボ", "まちづくりラボ株式会社"),
    ("一般社団法人\u200bまち・つなぎ", "まちつなぎ"),
])
def test_legal_forms_widths_and_invisible_characters_do_not_split_an_organisation(
        first: str, second: str) -> None:
    assert org_name_key(first) == org_name_key(second)


@pytest.mark.slow
def test_the_later_version_under_another_legal_form_is_the_one_judged(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "first.xlsx", org("社会福祉法人 中野の会", "新宿区", {"申請日": "2016/6/1"}),
             blank_dir=blank_dir)
    add_form(inbox, "second.xlsx", org("中野の会", "新宿区", {"申請日": "2016/6/20"}),
             blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("first.xlsx", "2016/6/1 9:00", "nakano@example.jp"),
                                        ("second.xlsx", "2016/6/20 9:00", "NAKANO@example.jp")])
    result = _run(inbox, settings)
    assert _decisions(result) == {"first.xlsx": "重複", "second.xlsx": "選定"}
    assert list(result.ranked["file"]) == ["second.xlsx"]  # the plan is from the latest content


@pytest.mark.slow
def test_different_names_with_the_same_contact_are_noted_not_merged(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "a.xlsx", org("あおぞら会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("みどり会", "新宿区"), blank_dir=blank_dir)
    result = _run(inbox, settings)
    assert "重複" not in _decisions(result).values()
    assert Note.of("same_contact", other="a.xlsx", file="b.xlsx") in result.notes


# --- 3, 4, 8. The register as staff keep it ---------------------------------------------------

@pytest.mark.slow
def test_register_names_as_staff_type_them_match(inbox: Path, blank_dir: Path,
                                                 settings: RoundSettings) -> None:
    add_forms(inbox, {"申請書_杉並区社協.xlsx": org("杉並の会", "新宿区"),
                      "申請書(大島町社協).xlsx": org("大島の会", "大島町"),
                      "ＷＩＤＥ.xlsx": org("広い会", "八王子市")}, blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [
        ("申請書_杉並区社協", "2016/7/1 9:00"),  # Explorer hides the extension
        ("申請書（大島町社協）.xlsx", "2016/6/30 10:00"),  # full-width brackets
        (" wide.XLSX ", "2016/6/29 10:00"),  # width, case, spaces
    ])
    result = _run(inbox, settings)
    assert _decisions(result)["申請書_杉並区社協.xlsx"] == "不適格"  # late, by the register
    assert _row(result, "申請書_杉並区社協.xlsx")["received_basis"] == "受付簿（B2「申請書_杉並区社協」）"
    assert _row(result, "申請書(大島町社協).xlsx")["received_at"] == pd.Timestamp(
        dt.datetime(2016, 6, 30, 10, 0, tzinfo=JST))
    assert _row(result, "ＷＩＤＥ.xlsx")["received_basis"].startswith("受付簿")


@pytest.mark.slow
def test_a_row_two_files_could_be_is_a_note_and_makes_the_ranking_provisional(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_forms(inbox, {"申請.xlsx": org("一の会", "新宿区"), "申請.xlsm": org("二の会", "八王子市")},
              blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("申請", "2016/6/29 10:00")])
    result = _run(inbox, settings)
    assert any(n.code == "register_row_many_files" and n.fields["files"] == ("申請.xlsm", "申請.xlsx")
               for n in result.notes)
    assert [f["files"] for c, f in provisional(result) if c == "register_row_finds_many_files"
            ] == [("申請.xlsm", "申請.xlsx")]
    assert set(result.ledger["received_basis"]) == {"申請日（受付簿に記載なし）"}


@pytest.mark.slow
def test_register_times_without_a_year_or_a_time(inbox: Path, blank_dir: Path,
                                                 settings: RoundSettings) -> None:
    add_form(inbox, "late.xlsx", org("遅い会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "day.xlsx", org("日の会", "八王子市"), blank_dir=blank_dir)
    add_form(inbox, "odd.xlsx", org("妙な会", "大島町"), blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("late.xlsx", "7/1 9:00"), ("day.xlsx", "6/30"),
                                       ("odd.xlsx", "朝いちばん")])
    result = _run(inbox, settings)
    assert _row(result, "late.xlsx")["received_at"] == pd.Timestamp(
        dt.datetime(2016, 7, 1, 9, 0, tzinfo=JST))
    assert _decisions(result)["late.xlsx"] == "不適格"
    assert _decisions(result)["day.xlsx"] == "選定"
    # a row naming the file whose time cannot be read: said on the row, never "記載なし"
    assert _row(result, "odd.xlsx")["received_basis"] == (
        "受付簿の日時を使えません（C4「朝いちばん」）。申請日で仮に判定")
    assert any("C4 の受付日時「朝いちばん」を使えません（日時として読み取れません" in r
               for r in result.provisional_reasons)


@pytest.mark.slow
def test_a_register_saved_as_a_dated_copy_of_its_name_is_the_register(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "late.xlsx", org("遅い会", "新宿区"), blank_dir=blank_dir)
    make_register(inbox / "受付簿 (1).xlsx", [("late.xlsx", "2016/7/1 9:00")])
    result = _run(inbox, settings)
    assert list(result.ledger["file"]) == ["late.xlsx"]  # the register is not an application
    assert ("受付簿 (1).xlsx", "受付簿") in result.ignored
    assert _decisions(result)["late.xlsx"] == "不適格"
    assert not (inbox.parent / "outbox" / "差戻し" / "受付簿 (1)_要修正.xlsx").exists()


@pytest.mark.slow
def test_two_registers_make_the_ranking_provisional_and_neither_is_guessed(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "late.xlsx", org("遅い会", "新宿区"), blank_dir=blank_dir)
    make_register(inbox / "受付簿.xlsx", [("late.xlsx", "2016/7/1 9:00")])
    make_register(inbox / "受付簿_控え.xlsx", [("late.xlsx", "2016/6/1 9:00")])
    result = _run(inbox, settings)
    assert [n.fields["problem"].code for n in result.provisional_notes  # type: ignore[attr-defined]
            if n.code == "register_unusable"] == ["registers_many"]
    assert _row(result, "late.xlsx")["received_basis"] == "申請日（受付簿を読み込めないため）"


@pytest.mark.slow
def test_a_long_register_with_borders_drawn_far_down_is_read(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "late.xlsx", org("遅い会", "新宿区"), blank_dir=blank_dir)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ファイル名", "受付日時"])
    for n in range(2500):
        sheet.append([f"other{n}.xlsx", "2016/6/20 10:00"])
    sheet.append(["late.xlsx", "2016/7/1 9:00"])
    border = openpyxl.styles.Border(bottom=openpyxl.styles.Side(style="thin"))
    for row in range(2, 3001):
        sheet.cell(row, 1).border = border
    workbook.save(inbox / "受付簿.xlsx")
    result = _run(inbox, settings)
    assert _decisions(result)["late.xlsx"] == "不適格"
    assert _row(result, "late.xlsx")["received_basis"] == "受付簿"


# --- 5, 6, 7. Review sheets -------------------------------------------------------------------

def _round_with_reviews(inbox: Path, blank_dir: Path, settings: RoundSettings) -> Path:
    add_form(inbox, "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("ビーの会", "八王子市"), blank_dir=blank_dir)
    _run(inbox, settings, RUN_AT)
    return inbox.parent / "outbox" / "審査票.xlsx"


@pytest.mark.slow
def test_a_reviewer_who_resends_counts_once_the_later_sheet_s_scores(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    blank = _round_with_reviews(inbox, blank_dir, settings)
    reviews = inbox / "審査"
    # the replacement's name sorts first, but it was saved later: the saved time decides
    saved_at(fill_review(blank, reviews / "審査票_山口_最初.xlsx", "山口",
                       {"a.xlsx": (1, 1, 1), "b.xlsx": (5, 5, 5)}), "2016-07-05T09:00:00Z")
    saved_at(fill_review(blank, reviews / "審査票_山口_差替え.xlsx", "山口 ",
                       {"a.xlsx": (5, 5, 5), "b.xlsx": (1, 1, 1)}), "2016-07-06T09:00:00Z")
    result = _run(inbox, settings)
    ranked = result.ranked.set_index("file")
    assert ranked.loc["a.xlsx", "reviewer_mean"] == 5.0 and ranked.loc["b.xlsx", "reviewer_mean"] == 1.0
    assert result.review_sheets == 2 and result.ranked["reviewer_count"].max() == 1
    assert any(note.code == "reviewer_sheets_many" and note.fields["sheets"] == (
        "審査/審査票_山口_最初.xlsx", "審査/審査票_山口_差替え.xlsx") for note in result.notes), result.notes
    assert not result.provisional


@pytest.mark.slow
def test_a_review_sheet_of_another_round_is_reported_as_such_and_not_counted(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    blank = _round_with_reviews(inbox, blank_dir, settings)
    other = fill_review(blank, inbox / "審査" / "去年.xlsx", "佐藤", {"a.xlsx": (3, 3, 3)})
    workbook = openpyxl.load_workbook(other)
    sheet = workbook["審査票"]
    heading = next(c for row in sheet.iter_rows() for c in row if c.value == "波及効果")
    heading.value = "独自性"  # last year's criteria
    workbook.save(other)
    review_everything(inbox.parent / "outbox", inbox)
    result = _run(inbox, settings)
    problems = result.problems[result.problems["file"] == "審査/去年.xlsx"]
    assert problems["code"].tolist() == ["other_review_sheet"]
    assert "別の募集回の審査票" in problems["message"].iloc[0]
    assert "申請書" not in problems["message"].iloc[0]
    assert result.review_sheets == 1
    assert [f["sheet"] for c, f in provisional(result) if c == "review_sheet_problems"] == [
        "審査/去年.xlsx"]


@pytest.mark.slow
def test_scores_given_with_a_conflict_of_interest_are_set_aside_with_a_note(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    blank = _round_with_reviews(inbox, blank_dir, settings)
    path = fill_review(blank, inbox / "審査" / "審査票_田中.xlsx", "田中",
                       {"a.xlsx": (5, 5, 5), "b.xlsx": (3, 3, 3)})
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["審査票"]
    conflict = next(c for row in sheet.iter_rows() for c in row if c.value == "利害関係あり")
    row_a = next(c.row for c in sheet["A"] if c.value == "a.xlsx")
    sheet.cell(row_a, conflict.column).value = "○"
    workbook.save(path)
    review_everything(inbox.parent / "outbox", inbox, reviewer="鈴木")
    result = _run(inbox, settings)
    ranked = result.ranked.set_index("file")
    assert ranked.loc["a.xlsx", "reviewer_count"] == 1  # 鈴木 only
    assert Note.of("review_scores_despite_conflict", sheet="審査/審査票_田中.xlsx",
                   cells=("H6", "I6", "J6"), file="a.xlsx") in result.notes, result.notes


@pytest.mark.slow
def test_an_application_listed_many_times_in_one_sheet_is_never_counted_twice(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    blank = _round_with_reviews(inbox, blank_dir, settings)
    path = fill_review(blank, inbox / "審査" / "審査票_水増し.xlsx", "水増し", {"b.xlsx": (5, 5, 5)})
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["審査票"]
    row_b = next(c.row for c in sheet["A"] if c.value == "b.xlsx")
    values = [c.value for c in sheet[row_b]]
    for _ in range(30):
        sheet.append(values)
    workbook.save(path)
    result = _run(inbox, settings)
    duplicates = result.problems[result.problems["code"] == "duplicate_review_row"]
    assert len(duplicates) == 31
    assert result.ranked.set_index("file").loc["b.xlsx", "reviewer_count"] == 0
    assert result.provisional


@pytest.mark.slow
def test_full_width_and_decomposed_names_match_register_and_review_rows(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    decomposed = unicodedata.normalize("NFD", "ガバナンス.xlsx")
    add_form(inbox, "ＡＢＣ.xlsx", org("全角の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "x.xlsx", org("仮の会", "八王子市"), blank_dir=blank_dir)
    (inbox / "x.xlsx").rename(inbox / decomposed)
    make_register(inbox / "受付簿.xlsx", [("ABC.xlsx", "2016/7/1 9:00"),
                                       (unicodedata.normalize("NFC", decomposed), "2016/6/29 9:00")])
    _run(inbox, settings, RUN_AT)
    blank = inbox.parent / "outbox" / "審査票.xlsx"
    fill_review(blank, inbox / "審査" / "審査票_A.xlsx", "A",
                {unicodedata.normalize("NFC", decomposed): (4, 4, 4)})
    result = _run(inbox, settings)
    assert _decisions(result)["ＡＢＣ.xlsx"] == "不適格"  # late by the register row "ABC.xlsx"
    nfc = unicodedata.normalize("NFC", decomposed)
    assert result.ranked.set_index("file").loc[nfc, "reviewer_mean"] == 4.0


@pytest.mark.slow
def test_the_review_sheet_of_a_large_round_is_read_back(tmp_path: Path,
                                                        settings: RoundSettings) -> None:
    frame = eligible(*(application(f"申請{n:04}.xlsx") for n in range(2100)))
    path = tmp_path / "審査票.xlsx"
    auto = pd.Series(0.0, index=frame["file"])
    write_review_sheet(path, frame, settings, auto)
    (sheet,) = read_review_sheets([path], [c.label for c in settings.review])
    assert sheet.problem is None and len(sheet.rows) == 2100


# --- 7. No one decides for another organisation -----------------------------------------------

@pytest.mark.slow
def test_a_look_alike_from_another_contact_supersedes_nobody(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "real.xlsx", org("本物の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "fake.xlsx", org("本物の会", "新宿区", {
        "申請日": "2016/6/30", "メールアドレス": "other@example.com", "電話番号": "12"}),
        blank_dir=blank_dir)
    result = _run(inbox, settings, RUN_AT)
    assert _decisions(result) == {"real.xlsx": "選定", "fake.xlsx": "要修正"}
    for file in ("real.xlsx", "fake.xlsx"):
        assert "同一団体名の別申請" in _row(result, file)["staff_note"]
    ledger = pd.read_excel(inbox.parent / "outbox" / "選定結果.xlsx", sheet_name="受付一覧",
                           engine="openpyxl").set_index("ファイル名")
    assert "同一団体名の別申請（fake.xlsx）" in str(ledger.loc["real.xlsx", "理由"])
    assert [f["count"] for c, f in provisional(result) if c == "same_name_unconfirmed"] == [2]
    # each one's letters name only its own file
    for own, other in (("real", "fake"), ("fake", "real")):
        for letter in (inbox.parent / "outbox").rglob(f"{own}_*.txt"):
            assert f"{other}.xlsx" not in letter.read_text(encoding="utf-8"), letter
    # staff take the look-alike out: the reason is gone
    (inbox / "fake.xlsx").unlink()
    assert "same_name_unconfirmed" not in dict(provisional(_run(inbox, settings, RUN_AT)))


@pytest.mark.slow
def test_two_organisations_sending_the_blank_form_are_each_asked_to_fill_it(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    for name in ("one.xlsx", "two.xlsx"):
        shutil.copy(blank_form(blank_dir), inbox / name)
    result = _run(inbox, settings, RUN_AT)
    assert _decisions(result) == {"one.xlsx": "要修正", "two.xlsx": "要修正"}
    assert set(result.ledger["reason_code"]) == {"blank_form"}
    for stem, other in (("one", "two"), ("two", "one")):
        letter = (inbox.parent / "outbox" / "差戻し" / f"{stem}_連絡文.txt").read_text(encoding="utf-8")
        assert f"{other}.xlsx" not in letter


# --- 9. 暫定 everywhere it matters ---------------------------------------------------------------

@pytest.mark.slow
def test_provisional_reasons_turn_on_and_off_and_notices_follow(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    outbox = inbox.parent / "outbox"
    add_form(inbox, "good.xlsx", org("良い会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "fix.xlsx", org("直す会", "八王子市", {"電話番号": "12"}), blank_dir=blank_dir)
    # before the 再提出期限, no reviews: two reasons
    first = _run(inbox, settings, RUN_AT)
    assert len(first.provisional_reasons) == 2
    assert (outbox / "通知（暫定）" / "good_選定（暫定）.txt").read_text(
        encoding="utf-8").startswith("【暫定の下書き・送付しないでください】")
    assert not (outbox / "通知" / "good_選定.txt").exists()
    plan = next((outbox / "計画").iterdir())
    assert str(openpyxl.load_workbook(plan).active["A1"].value).startswith("【暫定】")
    # reviews in: only the 再提出期限 remains
    review_everything(outbox, inbox)
    second = _run(inbox, settings, RUN_AT)
    assert [note.code for note in second.provisional_notes] == ["awaiting_corrections"]
    # the 再提出期限 has passed: final, the notices are real
    final = _run(inbox, settings)
    assert final.provisional_reasons == ()
    assert (outbox / "通知" / "good_選定.txt").exists()
    assert [p.name for p in (outbox / "通知（暫定）").iterdir()] == ["このフォルダについて.txt"]
    plan = next((outbox / "計画").iterdir())
    assert not str(openpyxl.load_workbook(plan).active["A1"].value).startswith("【暫定】")
    summary = pd.read_excel(outbox / "選定結果.xlsx", sheet_name="概要", header=None, dtype=str,
                            engine="openpyxl")
    assert summary.isin(["確定（審査がそろい、判定を保留する理由はありません）"]).any().any()


# --- 前回からの変更 (issue 16) -------------------------------------------------------------------

@pytest.mark.slow
def test_each_run_says_what_changed_since_the_previous_one(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    outbox = inbox.parent / "outbox"
    add_form(inbox, "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "fix.xlsx", org("直す会", "八王子市", {"電話番号": "12"}), blank_dir=blank_dir)
    first = _run(inbox, settings, RUN_AT)
    assert first.changes_summary == "前回の結果はありません（初回の実行です）"
    # a corrected form and a review sheet come in
    _fix_returned_workbook(outbox, "fix", inbox / "fix_修正.xlsx", "電話番号", "03-1234-5678")
    review_everything(outbox, inbox)
    second = _run(inbox, settings, RUN_AT)
    changes = set(map(tuple, second.changes[["change", "file", "before", "after"]].values.tolist()))
    assert ("新規", "fix_修正.xlsx", "", "選定") in changes
    assert ("判定", "fix.xlsx", "要修正", "重複") in changes
    assert any(c[0] == "合計点" and c[1] == "a.xlsx" for c in changes)
    assert second.changes_summary.startswith("新しいファイル 1件、判定の変更 1件")
    # nothing changes: 変更なし, and from the second identical run on the outputs are identical
    third = _run(inbox, settings, RUN_AT)
    assert third.changes_summary == "変更なし"
    before = {p: p.read_bytes() for p in outbox.rglob("*") if p.is_file()}
    _run(inbox, settings, RUN_AT)
    assert {p: p.read_bytes() for p in outbox.rglob("*") if p.is_file()} == before
    sheet = pd.read_excel(outbox / "選定結果.xlsx", sheet_name="前回からの変更", engine="openpyxl")
    assert sheet["変更"].tolist() == ["変更なし"]


# --- For the committee and the office (issue 16) -------------------------------------------------

@pytest.mark.slow
def test_review_breakdown_committee_sheet_and_the_application_list(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path) -> None:
    outbox = inbox.parent / "outbox"
    add_form(inbox, "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("ビーの会", "八王子市", {"電話番号": "03-3333-1111（内線12）"}),
             blank_dir=blank_dir)
    _run(inbox, settings, RUN_AT)
    blank = outbox / "審査票.xlsx"
    sheet_a = fill_review(blank, inbox / "審査" / "審査票_甲.xlsx", "甲",
                          {"a.xlsx": (5, 4, 3), "b.xlsx": "conflict"})
    workbook = openpyxl.load_workbook(sheet_a)
    review = workbook["審査票"]
    comment = next(c for row in review.iter_rows() for c in row if c.value == "コメント")
    review.cell(6, comment.column).value = "地域の巻き込みが具体的"
    workbook.save(sheet_a)
    fill_review(blank, inbox / "審査" / "審査票_乙.xlsx", "乙", {"a.xlsx": (1, 2, 3), "b.xlsx": (2, 2, 2)})
    result = _run(inbox, settings)
    sheets = pd.read_excel(outbox / "選定結果.xlsx", sheet_name=None, engine="openpyxl")
    # 審査内訳: every score as read, the conflict and the comment, and which sheet
    details = sheets["審査内訳"]
    assert len(details) == 4
    row = details[(details["審査員"] == "甲") & (details["ファイル名"] == "a.xlsx")].iloc[0]
    assert (row["課題の明確さ"], row["実現可能性"], row["波及効果"]) == (5, 4, 3)
    assert row["コメント"] == "地域の巻き込みが具体的" and row["審査票"] == "審査/審査票_甲.xlsx"
    conflict = details[(details["審査員"] == "甲") & (details["ファイル名"] == "b.xlsx")].iloc[0]
    assert conflict["利害関係あり"] == "○" and pd.isna(conflict["課題の明確さ"])
    per_reviewer = sheets["審査員別"].set_index("審査員")
    assert per_reviewer.loc["甲", "採点した申請"] == 1 and per_reviewer.loc["甲", "利害関係あり"] == 1
    assert per_reviewer.loc["乙", "付けた点の平均"] == pytest.approx(2.0)
    # the committee sheet: rank order, printed at 10 pt with headings on every page
    committee = read_committee(outbox / "選定結果.xlsx")
    assert [row["順位"] for row in committee] == sorted(row["順位"] for row in committee)
    printed = openpyxl.load_workbook(outbox / "選定結果.xlsx")["選定会議資料"]
    assert printed["A2"].font.sz == 10 and printed.print_title_rows == "$1:$3"
    # each reviewer's total (weights 4: 甲 5+4+3, 乙 1+2+3), the spread, the conflict, the comment
    by_org = {row["団体名"].split("\n")[-1]: row for row in committee}
    legend = [c.value for row in printed.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("審査員は A＝乙、B＝甲。" in text for text in legend)  # lettered by name
    assert by_org["エーの会"]["審査員"] == "A 24\nB 48" and by_org["エーの会"]["幅"] == "24–48"
    assert by_org["ビーの会"]["審査員"] == "A 24\nB 利害"
    assert "利害関係：B" in by_org["ビーの会"]["選外の理由・同点・相違"]
    assert by_org["エーの会"]["審査員のコメント"] == "B：地域の巻き込みが具体的"
    # 審査内訳 by application: one application's scores together
    assert details["ファイル名"].tolist() == sorted(details["ファイル名"].tolist())
    # 申請一覧 and its CSV carry every field as read
    listed = pd.read_excel(outbox / "申請一覧.xlsx", engine="openpyxl").set_index("ファイル名")
    assert listed.loc["b.xlsx", "電話番号"] == "03-3333-1111 (内線12)"
    csv_path = tmp_path / "list.csv"
    assert CliRunner().invoke(main, ["export", "--outbox", str(outbox), "-o", str(csv_path)]).exit_code == 0
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    exported = pd.read_csv(csv_path, encoding="utf-8-sig", dtype=str).set_index("ファイル名")
    records = result.records.set_index("file")
    for spec in FIELDS:
        for file in ("a.xlsx", "b.xlsx"):
            value = records.at[file, spec.key]
            expected = ("、".join(value) if isinstance(value, tuple) else
                        value.isoformat() if isinstance(value, dt.date) else value)
            shown = exported.at[file, spec.label]
            assert (shown if isinstance(shown, str) else None) == (
                str(expected) if expected not in (None, "") else None), (file, spec.key)
