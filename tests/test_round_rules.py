"""The round's rules applied exactly (issue 24): receipts by content, register dates across New
Year, resubmissions of unreadable files, the round's phase, the final outcome after the
再提出期限, and the decisions only staff can take, on record in 受付簿.xlsx."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.packaging.custom import StringProperty

from pipeline.core.formspec import CORRECTS_PROPERTY
from pipeline.core.notes import Note
from pipeline.core.result import RoundResult
from pipeline.core.settings import JST, RoundSettings
from pipeline.run import run_time
from tests.roundfactory import (
    FINAL_AT,
    RUN_AT,
    add_form,
    add_forms,
    decisions_of,
    ledger_row,
    org,
    provisional,
    review_everything,
    run_in,
    write_register,
)


def _run(inbox: Path, settings: RoundSettings, at: dt.datetime = RUN_AT) -> RoundResult:
    return run_in(inbox, settings, at)


_row, _decisions, _register = ledger_row, decisions_of, write_register


def _at(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=JST)


# --- Receipt by content --------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("copy_name", ["申請書_板橋 (2).xlsx", "申請書_板橋 - コピー (3).xlsx",
                                       "コピー ～ 申請書_板橋.xlsx"])
def test_a_late_file_cannot_pass_as_its_unregistered_copy(
        inbox: Path, blank_dir: Path, settings: RoundSettings, copy_name: str) -> None:
    late = add_form(inbox, "申請書_板橋.xlsx", org("板橋の輪", "新宿区", {"申請日": "2016/6/20"}),
                    blank_dir=blank_dir)
    shutil.copy(late, inbox / copy_name)
    _register(inbox / "受付簿.xlsx", [("申請書_板橋", "2016/7/1 0:30")])
    result = _run(inbox, settings)
    assert _decisions(result) == {"申請書_板橋.xlsx": "不適格", copy_name: "重複"}
    assert _row(result, "申請書_板橋.xlsx")["reason_code"] == "received_by_deadline"
    copy = _row(result, copy_name)
    assert copy["reason_code"] == "same_content"
    # one receipt for both: the register's
    assert copy["received_at"] == _row(result, "申請書_板橋.xlsx")["received_at"] == pd.Timestamp(
        _at("2016-07-01 00:30"))


@pytest.mark.slow
def test_the_earliest_register_time_of_identical_files_is_their_receipt(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    first = add_form(inbox, "b.xlsx", org("三鷹の森", "三鷹市"), blank_dir=blank_dir)
    shutil.copy(first, inbox / "a.xlsx")
    _register(inbox / "受付簿.xlsx", [("a.xlsx", "2016/7/3 10:00"), ("b.xlsx", "2016/6/29 10:00")])
    result = _run(inbox, settings)
    assert _decisions(result) == {"a.xlsx": "重複", "b.xlsx": "選定"}
    assert _row(result, "a.xlsx")["received_at"] == pd.Timestamp(_at("2016-06-29 10:00"))


@pytest.mark.slow
def test_a_register_row_names_a_pdf_as_explorer_shows_it(
        inbox: Path, settings: RoundSettings) -> None:
    (inbox / "申請書（写し）.pdf").write_bytes(b"%PDF-1.4 scan")
    _register(inbox / "受付簿.xlsx", [("申請書（写し）", "2016/6/29 14:10")])
    result = _run(inbox, settings)
    row = _row(result, "申請書（写し）.pdf")
    assert row["received_at"] == pd.Timestamp(_at("2016-06-29 14:10"))
    assert row["received_basis"].startswith("受付簿")
    assert "register_row_finds_no_file" not in dict(provisional(result))


# --- Register dates without a year ---------------------------------------------------------------

NEW_YEAR_RUN = _at("2027-01-25 10:00")


def _new_year(settings: RoundSettings) -> RoundSettings:
    return dataclasses.replace(settings, deadline=_at("2027-01-18 17:00"),
                               resubmission_deadline=dt.date(2027, 1, 22))


@pytest.mark.slow
def test_year_less_register_dates_take_the_year_nearest_the_deadline(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    for file, name, place in (("december.xlsx", "師走の会", "練馬区"),
                              ("january.xlsx", "睦月の会", "町田市"), ("late.xlsx", "遅れの会", "大島町")):
        add_form(inbox, file, org(name, place, {"申請日": "2026/12/20", "希望開始時期": "2027年4月"}),
                 blank_dir=blank_dir)
    _register(inbox / "受付簿.xlsx", [("december.xlsx", "12/28 16:45"),
                                     ("january.xlsx", "1月6日 9時30分"),
                                     ("late.xlsx", "1/19(火) 9:00")])
    result = _run(inbox, _new_year(settings), NEW_YEAR_RUN)
    assert _row(result, "december.xlsx")["received_at"] == pd.Timestamp(_at("2026-12-28 16:45"))
    assert _row(result, "january.xlsx")["received_at"] == pd.Timestamp(_at("2027-01-06 09:30"))
    assert _decisions(result) == {"december.xlsx": "選定", "january.xlsx": "選定",
                                  "late.xlsx": "不適格"}
    assert "年の記入がないため2026年と読みました" in _row(result, "december.xlsx")["received_basis"]
    assert any("12/28 16:45" in note.text and "2026年12月28日" in note.text for note in result.notes)


@pytest.mark.slow
def test_a_register_time_after_the_run_is_a_problem_never_a_decision(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "typo.xlsx", org("打ち間違いの会", "新宿区", {
        "申請日": "2027/1/10", "希望開始時期": "2027年4月"}), blank_dir=blank_dir)
    add_form(inbox, "future.xlsx", org("未来の会", "八王子市", {
        "申請日": "2027/1/12", "希望開始時期": "2027年4月"}), blank_dir=blank_dir)
    # typed a year too many, and a year-less date nearest the deadline in the run's future
    _register(inbox / "受付簿.xlsx", [("typo.xlsx", "2028/1/11 10:00"),
                                     ("future.xlsx", "1/30 10:00")])
    result = _run(inbox, _new_year(settings), NEW_YEAR_RUN)
    for file, cell in (("typo.xlsx", "B2"), ("future.xlsx", "B3")):
        assert _decisions(result)[file] == "選定"  # judged on its 申請日, and said so
        assert _row(result, file)["received_basis"].startswith("受付簿の日時を使えません")
        assert cell in [f["cell"] for c, f in provisional(result) if c == "register_time_not_read"]
    assert not list((inbox.parent / "outbox" / "通知").glob("*不適格*"))


# --- An unreadable file, then its workbook -------------------------------------------------------

WINDOW = _at("2016-07-06 09:00")  # after the deadline, before the 再提出期限 (7/8)


def _pdf_then_workbook(inbox: Path, blank_dir: Path, pdf_sender: str, book_sender: str,
                       decisions: Sequence[Sequence[object]] = ()) -> None:
    (inbox / "申請書_杉並.pdf").write_bytes(b"%PDF-1.7 printed form")
    add_form(inbox, "申請書_杉並.xlsx", org("すぎなみ支援ネット", "世田谷区"), blank_dir=blank_dir)
    _register(inbox / "受付簿.xlsx",
              [("申請書_杉並.pdf", "2016/6/30 15:00", pdf_sender, ""),
               ("申請書_杉並.xlsx", "2016/7/5 11:20", book_sender, "")],
              headings=("ファイル名", "受付日時", "送信元", "団体名"), decisions=decisions)


@pytest.mark.slow
def test_a_pdf_sender_s_workbook_by_the_resubmission_deadline_is_its_resubmission(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    _pdf_then_workbook(inbox, blank_dir, "Office@Suginami.example.jp", "office@suginami.example.jp")
    result = _run(inbox, settings, WINDOW)
    assert _decisions(result) == {"申請書_杉並.pdf": "重複", "申請書_杉並.xlsx": "選定"}
    row = _row(result, "申請書_杉並.xlsx")
    assert row["received_at"] == pd.Timestamp(_at("2016-06-30 15:00"))  # the PDF's receipt
    assert "受付簿の送信元が同じ読めないファイルの再提出（元: 申請書_杉並.pdf）" in row["received_basis"]


@pytest.mark.slow
def test_a_register_row_naming_the_organisation_links_the_workbook_too(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    (inbox / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0 photo of the form")
    add_form(inbox, "form.xlsx", org("社会福祉法人 まちの灯", "練馬区"), blank_dir=blank_dir)
    _register(inbox / "受付簿.xlsx", [("scan.jpg", "2016/6/30 9:00", "まちの灯"),
                                     ("form.xlsx", "2016/7/4 9:00", "")],
              headings=("ファイル名", "受付日時", "団体名"))
    result = _run(inbox, settings, WINDOW)
    assert _decisions(result)["form.xlsx"] == "選定"
    assert _decisions(result)["scan.jpg"] == "重複"


@pytest.mark.slow
def test_without_a_link_a_workbook_after_the_deadline_keeps_the_round_provisional(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    _pdf_then_workbook(inbox, blank_dir, "a@one.example.jp", "b@two.example.jp")
    result = _run(inbox, settings, WINDOW)
    assert _decisions(result)["申請書_杉並.xlsx"] == "不適格"  # late, unless staff say otherwise
    assert [f for c, f in provisional(result) if c == "resubmission_unconfirmed"] == [
        {"file": "申請書_杉並.xlsx", "files": ("申請書_杉並.pdf",)}]
    assert "再提出かもしれません" in _row(result, "申請書_杉並.xlsx")["staff_note"]
    # staff decide: it is the PDF's resubmission
    _pdf_then_workbook(inbox, blank_dir, "a@one.example.jp", "b@two.example.jp", decisions=[
        ("申請書_杉並.xlsx", "再提出として扱う", "申請書_杉並.pdf", "電話で本人に確認", "佐藤", "2016/7/6")])
    ruled = _run(inbox, settings, WINDOW)
    assert _decisions(ruled) == {"申請書_杉並.pdf": "重複", "申請書_杉並.xlsx": "選定"}
    assert "resubmission_unconfirmed" not in dict(provisional(ruled))
    row = _row(ruled, "申請書_杉並.xlsx")
    assert "事務局判断により再提出として扱う（元: 申請書_杉並.pdf）" in row["received_basis"]
    assert "事務局判断「再提出として扱う（元のファイル: 申請書_杉並.pdf）」：電話で本人に確認（佐藤、2016/7/6" \
        in row["staff_note"]


# --- The round's phase ---------------------------------------------------------------------------

@pytest.mark.slow
def test_the_phase_moves_from_provisional_to_final_as_the_dates_pass(
        inbox: Path, blank_dir: Path, settings: RoundSettings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # an empty inbox after the deadline: nothing to decide, not 確定
    assert [n.code for n in _run(inbox, settings, FINAL_AT).provisional_notes] == ["inbox_empty"]
    add_form(inbox, "good.xlsx", org("確かな会", "三鷹市"), blank_dir=blank_dir)
    add_form(inbox, "fix.xlsx", org("直す会", "町田市", {"郵便番号": "1"}), blank_dir=blank_dir)
    _run(inbox, settings)  # writes the review sheet
    review_everything(inbox.parent / "outbox", inbox)

    def at(moment: dt.datetime) -> RoundResult:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(moment.timestamp())))
        return _run(inbox, settings, run_time())

    before = at(_at("2016-06-30 12:00"))  # every review in, but the deadline is to come
    assert [n.code for n in before.provisional_notes] == ["before_deadline", "awaiting_corrections"]
    assert not (inbox.parent / "outbox" / "通知" / "good_選定.txt").exists()
    window = at(_at("2016-07-05 12:00"))  # fix.xlsx may still come back fixed
    assert [n.code for n in window.provisional_notes] == ["awaiting_corrections"]
    final = at(_at("2016-07-09 00:00"))
    assert final.provisional_reasons == ()
    assert (inbox.parent / "outbox" / "通知" / "good_選定.txt").exists()


# --- Never corrected ------------------------------------------------------------------------------

@pytest.mark.slow
def test_after_the_resubmission_deadline_an_uncorrected_application_is_final(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "typo.xlsx", org("誤記の会", "大島町", {"電話番号": "03-12"}), blank_dir=blank_dir)
    (inbox / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = _run(inbox, settings, FINAL_AT)
    for file in ("typo.xlsx", "photo.png"):
        row = _row(result, file)
        assert (row["decision"], row["reason_code"]) == ("不適格", "missed_resubmission")
        assert row["reason"].startswith("再提出期限（7月8日）までに修正版が届きませんでした")
    assert "awaiting_corrections" not in dict(provisional(result))


# --- Staff decisions on record -------------------------------------------------------------------

@pytest.mark.slow
def test_each_kind_of_staff_decision_is_applied_and_shown(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "test.xlsx", org("試験送信", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "late.xlsx", org("遅れた会", "八王子市"), blank_dir=blank_dir)
    add_form(inbox, "refused.xlsx", org("断る会", "三鷹市"), blank_dir=blank_dir)
    _register(inbox / "受付簿.xlsx", [("late.xlsx", "2016/7/1 8:00")], decisions=[
        ("test.xlsx", "除外", None, "事務局の試験送信", "田中", "2016/7/1"),
        ("late", "適格", None, "メールサーバの障害で遅延（障害報告あり）", "鈴木", "2016/7/2"),
        ("refused.xlsx", " 不適格 ", None, "同一事業で他の補助を受給中", "鈴木", None),
    ])
    result = _run(inbox, settings)
    assert _decisions(result) == {"late.xlsx": "選定", "refused.xlsx": "不適格",
                                  "test.xlsx": "不適格"}
    test = _row(result, "test.xlsx")
    assert test["reason_code"] == "staff_excluded"
    assert test["reason"].startswith("事務局判断「除外」：事務局の試験送信（田中、2016/7/1、事務局判断!B3）")
    assert "事務局判断「適格」：メールサーバの障害で遅延" in _row(result, "late.xlsx")["staff_note"]
    refused = _row(result, "refused.xlsx")
    assert (refused["reason_code"], refused["reason"]) == (
        "staff_decision", "事務局判断「不適格」：同一事業で他の補助を受給中（鈴木、事務局判断!B5）")
    assert not any("事務局判断" in r for r in result.provisional_reasons)
    assert [note.code for note in result.notes if note.code.startswith("ruling_")] == [
        "ruling_applied"] * 3
    # no letter for an excluded file
    assert not list((inbox.parent / "outbox").rglob("test_*.txt"))


@pytest.mark.slow
@pytest.mark.parametrize(("row", "why", "said"), [
    (("nobody.xlsx", "除外", None, "間違い", "田中", None), "ruling_file_none",
     "「nobody.xlsx」に当たるファイルが inbox にありません"),
    (("a.xlsx", "保留", None, "検討中", "田中", None), "ruling_word_unknown", "判断「保留」は使えません"),
    (("a.xlsx", "適格", None, None, "田中", None), "ruling_unsigned", "理由と記入者を書いてください"),
    (("a.xlsx", "再提出として扱う", "gone.pdf", "電話確認", "田中", None), "ruling_original_unknown",
     "元のファイル「gone.pdf」に当たる"),
    (("a.xlsx", "再提出として扱う", "a.xlsx", "電話確認", "田中", None), "ruling_original_unknown",
     "元のファイル「a.xlsx」は同じファイルです。再提出のもとになった"),
])
def test_a_staff_decision_that_cannot_be_applied_is_a_register_problem(
        inbox: Path, blank_dir: Path, settings: RoundSettings, row: Sequence[object],
        why: str, said: str) -> None:
    add_form(inbox, "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    _register(inbox / "受付簿.xlsx", [("a.xlsx", "2016/6/29 9:00")], decisions=[row])
    result = _run(inbox, settings, FINAL_AT)
    assert _decisions(result) == {"a.xlsx": "選定"}
    (reason,) = [n for n in result.provisional_notes if n.code == "ruling_not_applicable"]
    given = reason.fields["why"]
    assert reason.fields["cell"] == "事務局判断!B3" and isinstance(given, Note) and given.code == why
    assert said in reason.text and not reason.text.endswith("。）")
    (note,) = [n for n in result.notes if n.code == "ruling_cannot"]
    assert note.fields["why"] == reason.fields["why"]
    assert said in note.text and note.text.endswith("。") and not note.text.endswith("。。")


# --- The register only from staff (issue 25) ------------------------------------------------------

@pytest.mark.slow
def test_an_attachment_shaped_like_a_register_is_an_applicant_s_file(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_forms(inbox, {"rival.xlsx": org("競う会", "練馬区"), "own.xlsx": org("仕掛ける会", "三鷹市")},
              blank_dir=blank_dir)
    _register(inbox / "参考資料_受付状況.xlsx", [("rival.xlsx", "2016/7/9 9:00")])
    result = _run(inbox, settings)
    assert _decisions(result)["rival.xlsx"] == "選定"
    assert _decisions(result)["参考資料_受付状況.xlsx"] == "読込不可"
    assert Note.of("lookalike_registers", files=("参考資料_受付状況.xlsx",)) in result.notes
    # beside the staff's register, it changes nothing either
    _register(inbox / "受付簿.xlsx", [("own.xlsx", "2016/7/1 1:00"), ("rival.xlsx", "2016/6/28 9:00")])
    both = _run(inbox, settings)
    assert _decisions(both)["own.xlsx"] == "不適格"
    assert _row(both, "rival.xlsx")["received_at"] == pd.Timestamp(_at("2016-06-28 09:00"))
    assert not any("受付簿が2つ" in r for r in both.provisional_reasons)


# --- What applicants send cannot move another result or its own receipt (issue 25) -------------

def _forge_tag(path: Path, names_sha: str, names_file: str) -> None:
    """Write our 差戻し document property into a file, as anyone with openpyxl can."""
    workbook = openpyxl.load_workbook(path)
    workbook.custom_doc_props.append(StringProperty(name=CORRECTS_PROPERTY,
                                                    value=f"{names_sha} {names_file}"))
    workbook.save(path)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_tag_naming_no_issued_correction_is_a_new_submission(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    own = add_form(inbox, "first.xlsx", org("府中の森", "八王子市"), blank_dir=blank_dir)
    rival = add_form(inbox, "rival.xlsx", org("競合の会", "三鷹市"), blank_dir=blank_dir)
    late_own = add_form(inbox, "second.xlsx", org("府中の森", "八王子市",
                                                  {"伴走支援で目指す成果": "後から書き足した成果"}),
                        blank_dir=blank_dir)
    late_rival = add_form(inbox, "takeover.xlsx", org("乗っ取りの会", "町田市"), blank_dir=blank_dir)
    _forge_tag(late_own, _sha(own), "first.xlsx")  # no 差戻し was ever issued for first.xlsx
    _forge_tag(late_rival, _sha(rival), "rival.xlsx")
    _register(inbox / "受付簿.xlsx", [("first.xlsx", "2016/6/28 9:00"), ("rival.xlsx", "2016/6/28 9:30"),
                                     ("second.xlsx", "2016/7/3 9:00"), ("takeover.xlsx", "2016/7/3 9:10")])
    result = _run(inbox, settings, WINDOW)
    assert _decisions(result) == {"first.xlsx": "選定", "rival.xlsx": "選定",
                                  "second.xlsx": "不適格", "takeover.xlsx": "不適格"}
    for file in ("second.xlsx", "takeover.xlsx"):
        assert "差戻しの記録にない修正版です" in _row(result, file)["staff_note"]
        assert _row(result, file)["reason_code"] == "received_by_deadline"  # its own receipt
    assert not result.superseded_by


@pytest.mark.slow
def test_a_tag_of_an_issued_correction_counts_only_for_its_own_organisation(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    fix = add_form(inbox, "fix.xlsx", org("直したい会", "練馬区", {"電話番号": "03-1"}),
                   blank_dir=blank_dir)
    _run(inbox, settings)  # the 差戻し for fix.xlsx is issued and recorded
    issued = json.loads((inbox.parent / "outbox" / ".bansou-manifest.json").read_text("utf-8"))
    assert issued["issued"][_sha(fix)]["org_name"] == "直したい会"
    # another organisation writes fix.xlsx's tag into its own late form
    other = add_form(inbox, "other.xlsx", org("横取りの会", "三鷹市"), blank_dir=blank_dir)
    _forge_tag(other, _sha(fix), "fix.xlsx")
    # the real correction: our 差戻し workbook, fixed and renamed
    corrected = openpyxl.load_workbook(inbox.parent / "outbox" / "差戻し" / "fix_要修正.xlsx")
    sheet = corrected["申請書"]
    label = next(c for row in sheet.iter_rows() for c in row if c.value == "電話番号")
    sheet.cell(label.row, label.column + 1).value = "03-3987-6543"
    corrected.save(inbox / "申請書（修正済）.xlsx")
    result = _run(inbox, settings, WINDOW)
    assert _decisions(result)["申請書（修正済）.xlsx"] == "選定"
    assert result.superseded_by == {"fix.xlsx": "申請書（修正済）.xlsx"}
    assert "差戻しを送った団体と団体名・区市町村が違います" in _row(result, "other.xlsx")["staff_note"]


@pytest.mark.slow
def test_the_public_phone_number_never_lets_one_form_replace_another(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "real.xlsx", org("小平市社会福祉協議会", "町田市", {"電話番号": "042-345-1111"}),
             blank_dir=blank_dir)
    add_form(inbox, "impostor.xlsx", org("小平市社会福祉協議会", "町田市", {
        "電話番号": "042-345-1111", "メールアドレス": "kodaira.shakyo@freemail.example.com",
        "担当者氏名": "別人 次郎", "申請日": "2016/6/30"}), blank_dir=blank_dir)
    result = _run(inbox, settings)
    assert not result.superseded_by
    assert set(_decisions(result).values()) <= {"選定", "選外"}
    for file in ("real.xlsx", "impostor.xlsx"):
        assert "同一団体名の別申請" in _row(result, file)["staff_note"]
    assert [f["count"] for c, f in provisional(result) if c == "same_name_unconfirmed"] == [2]
    for letter in (inbox.parent / "outbox").rglob("real_*.txt"):
        assert "impostor" not in letter.read_text(encoding="utf-8")
    # the register shows both came from the same address: the later one is the organisation's
    _register(inbox / "受付簿.xlsx", [("real.xlsx", "2016/6/27 9:00", "info@kodaira-shakyo.example.jp"),
                                     ("impostor.xlsx", "2016/6/30 9:00", "Info@Kodaira-Shakyo.example.jp")],
              headings=("ファイル名", "受付日時", "送信元"))
    same = _run(inbox, settings)
    assert same.superseded_by == {"real.xlsx": "impostor.xlsx"}


@pytest.mark.slow
def test_a_staff_decision_settles_a_disputed_organisation_type(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "coop.xlsx", org("まちの縁側合同会社", "三鷹市", {"団体種別": "その他（NPO支援センター等）",
                                                                  "中間支援機能の概要": "地域の団体の相談窓口"}),
             blank_dir=blank_dir)
    disputed = _run(inbox, settings)
    assert ("type_disputed", {"file": "coop.xlsx"}) in provisional(disputed)
    _register(inbox / "受付簿.xlsx", [("coop.xlsx", "2016/6/29 9:00")], decisions=[
        ("coop.xlsx", "適格", None, "定款で非営利の中間支援を確認", "高橋", "2016/7/1")])
    ruled = _run(inbox, settings)
    assert _decisions(ruled) == {"coop.xlsx": "選定"}
    assert ("type_disputed", {"file": "coop.xlsx"}) not in provisional(ruled)
    assert "事務局判断「適格」：定款で非営利の中間支援を確認" in _row(ruled, "coop.xlsx")["staff_note"]
