"""The selection run end to end, on generated inboxes; workbooks are read back to assert."""

from __future__ import annotations

import datetime as dt
import gc
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.core import problems
from pipeline.core.settings import JST, RoundSettings
from pipeline.run import run_round
from pipeline.stage2_decide import eligibility
from pipeline.stage3_write.selection import RoundResult
from schemas.selection import LEDGER_REASONS
from tests.formfactory import make_form
from tests.roundfactory import (
    RUN_AT,
    add_form,
    add_forms,
    fill_review,
    make_register,
    org,
    provisional,
)

ROOT = Path(__file__).resolve().parents[1]



def _run(inbox: Path, settings: RoundSettings) -> tuple[RoundResult, dict[str, pd.DataFrame]]:
    outbox = inbox.parent / "outbox"
    result = run_round(inbox, outbox, settings, RUN_AT)
    sheets = pd.read_excel(outbox / "選定結果.xlsx", sheet_name=None, engine="openpyxl",
                           dtype=str, keep_default_na=False)
    return result, sheets


def _decisions(sheets: dict[str, pd.DataFrame]) -> dict[str, str]:
    ledger = sheets["受付一覧"]
    return dict(zip(ledger["ファイル名"], ledger["判定"], strict=True))


@pytest.mark.slow
def test_every_decision_and_every_file_once(inbox: Path, blank_dir: Path,
                                            settings: RoundSettings) -> None:
    add_forms(inbox, {
        "shinjuku.xlsx": org("新宿区社協", "新宿区"),
        "shinjuku2.xlsx": org("新宿区地域包括", "新宿区"),
        "hachioji.xlsx": org("八王子市", "八王子市"),
        "yokohama.xlsx": org("横浜の会", "新宿区", {"区市町村": "横浜市"}),
        "broken.xlsx": org("壊れ会", "町田市", {"電話番号": "12"}),
        "old.xlsx": org("練馬の会", "練馬区", {"申請日": "2016/6/1"}),
        "new.xlsx": org("練馬の会", "練馬区", {"申請日": "2016/6/20"}),
    }, blank_dir=blank_dir)
    (inbox / "copy of new.xlsx").write_bytes((inbox / "new.xlsx").read_bytes())
    make_register(inbox / "受付簿.xlsx", [("old.xlsx", "2016/6/1 10:00", "nerima@example.jp"),
                                        ("new.xlsx", "2016/6/20 10:00", "nerima@example.jp")])
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4")
    (inbox / "~$shinjuku.xlsx").write_bytes(b"lock")
    (inbox / ".DS_Store").write_bytes(b"\0")
    (inbox / "私物").mkdir()

    result, sheets = _run(inbox, settings)
    assert _decisions(sheets) == {
        "broken.xlsx": "要修正",
        "copy of new.xlsx": "重複",  # identical bytes, none registered: the shortest name is judged
        "hachioji.xlsx": "選定",
        "new.xlsx": "選定",
        "old.xlsx": "重複",
        "scan.pdf": "読込不可",
        "shinjuku.xlsx": "選定",
        "shinjuku2.xlsx": "選外",
        "yokohama.xlsx": "不適格",
    }
    ledger = sheets["受付一覧"].set_index("ファイル名")
    assert ledger.loc["old.xlsx", "理由"] == "同じ団体から後で届いた申請（new.xlsx）があるため、そちらで判定します（根拠：受付簿の日時）。"
    assert ledger.loc["copy of new.xlsx", "理由"] == "new.xlsx と同じ内容のファイルです（new.xlsx で判定します）。"
    assert str(ledger.loc["scan.pdf", "理由"]).startswith("PDFファイルです。")
    assert "同じ区市町村（新宿区）の上位の申請（shinjuku.xlsx）が選定されたため。" in str(
        ledger.loc["shinjuku2.xlsx", "理由"])
    assert ledger.loc["broken.xlsx", "理由"] == "入力の不備が1件あります（入力エラーシート参照）。"
    assert ledger["SHA-256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert list(sheets["入力エラー"].columns) == ["ファイル名", "シート", "セル", "項目", "入力値", "エラー内容",
                                             "コード"]
    # the stable problem code is there for tools, hidden from staff
    errors_sheet = openpyxl.load_workbook(inbox.parent / "outbox" / "選定結果.xlsx")["入力エラー"]
    assert errors_sheet.column_dimensions["G"].hidden
    codes = sheets["入力エラー"].set_index("ファイル名")["コード"]
    assert (codes["scan.pdf"], codes["broken.xlsx"]) == ("pdf", "bad_phone")
    assert result.ledger.set_index("file").loc["shinjuku2.xlsx", "reason_code"] == "same_municipality"
    # every reason code is one of the vocabulary LedgerSchema documents
    vocabulary = {*LEDGER_REASONS, *(rule.key for rule in eligibility.RULES), *problems.KINDS}
    assert set(result.ledger["reason_code"]) <= vocabulary
    errors = sheets["入力エラー"].set_index("ファイル名")
    assert errors.loc["broken.xlsx", "セル"] == "B17"
    assert str(errors.loc["scan.pdf", "エラー内容"]).startswith("PDFファイルです。")
    summary = sheets["概要"].to_string()
    for ignored in ("~$shinjuku.xlsx", ".DS_Store", "私物/"):
        assert ignored in summary
    assert result.provisional


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changes", "rule_reason"),
    [
        ({"区市町村": "横浜市"}, "区市町村「横浜市」は東京都の区市町村ではありません（本事業の対象は都内の団体です）。"),
        ({"所在地": "神奈川県川崎市中原区1-1", "郵便番号": "211-0063"},
         "郵便番号 211-0063 は神奈川県川崎市中原区、所在地は神奈川県川崎市です（本事業の対象は都内の団体です）。"),
        ({"郵便番号": "250-0001", "所在地": "小田原市本町1-1"},
         "郵便番号 250-0001 は神奈川県小田原市、所在地は神奈川県小田原市です（本事業の対象は都内の団体です）。"),
        ({"申請日": "2016/7/1"}, "締切（2016年6月30日 23:59）より後の受付です（受付：2016年7月1日）。"),
    ],
)
def test_each_ineligibility_reason_is_its_own_row(inbox: Path, blank_dir: Path,
                                                  settings: RoundSettings,
                                                  changes: dict[str, object],
                                                  rule_reason: str) -> None:
    add_form(inbox, "x.xlsx", org("申請団体", "新宿区", changes), blank_dir=blank_dir)
    _, sheets = _run(inbox, settings)
    assert sheets["不適格"].to_dict("records") == [
        {"ファイル名": "x.xlsx", "団体名": "申請団体", "理由": rule_reason}]
    assert _decisions(sheets) == {"x.xlsx": "不適格"}


@pytest.mark.slow
def test_outside_tokyo_fails_every_tokyo_rule_separately(inbox: Path, blank_dir: Path,
                                                         settings: RoundSettings) -> None:
    add_form(inbox, "osaka.xlsx", org("大阪の会", "新宿区", {
        "区市町村": "大阪市", "所在地": "大阪府大阪市北区1-1", "郵便番号": "530-0001"}),
        blank_dir=blank_dir)
    _, sheets = _run(inbox, settings)
    assert sheets["不適格"]["理由"].tolist() == [
        "区市町村「大阪市」は東京都の区市町村ではありません（本事業の対象は都内の団体です）。",
        "郵便番号 530-0001 は大阪府大阪市北区、所在地は大阪府大阪市です（本事業の対象は都内の団体です）。"]


@pytest.mark.slow
def test_register_decides_the_deadline_in_every_cell_type(inbox: Path, blank_dir: Path,
                                                          settings: RoundSettings) -> None:
    names = ["datetime.xlsx", "text.xlsx", "wareki.xlsx", "late.xlsx", "unlisted.xlsx",
             "マック.xlsx"]
    for n, name in enumerate(names):
        add_form(inbox, name, org(f"団体{n}", list(("新宿区", "八王子市", "大島町", "世田谷区",
                                                   "町田市", "練馬区"))[n]), blank_dir=blank_dir)
    # The Mac file name arrives decomposed; the register is typed composed.
    decomposed = unicodedata.normalize("NFD", "マック.xlsx")
    (inbox / "マック.xlsx").rename(inbox / decomposed)
    make_register(inbox / "受付簿.xlsx", [
        ("datetime.xlsx", dt.datetime(2016, 6, 30, 23, 59)),
        ("text.xlsx", "2016/6/30 17:05"),
        ("wareki.xlsx", "平成28年6月29日 9時30分"),
        ("late.xlsx", "2016-07-01 00:00"),
        ("マック.xlsx", "2016/6/15 10:00"),
        ("gone.xlsx", "2016/6/15 10:00"),
        ("text.xlsx", "2016/6/30 18:00"),
        ("datetime.xlsx", "よくわからない"),
    ])
    result, sheets = _run(inbox, settings)
    ledger = sheets["受付一覧"].set_index("ファイル名")
    assert ledger.loc["late.xlsx", "判定"] == "不適格"
    assert ledger.loc["datetime.xlsx", "受付日の根拠"] == "受付簿"
    assert ledger.loc["unlisted.xlsx", "受付日の根拠"] == "申請日（受付簿に記載なし）"
    assert ledger.loc["マック.xlsx", "受付日の根拠"] == "受付簿"
    received = result.ledger.set_index("file")["received_at"]
    assert received["wareki.xlsx"] == pd.Timestamp(dt.datetime(2016, 6, 29, 9, 30, tzinfo=JST))
    assert received["text.xlsx"] == pd.Timestamp(dt.datetime(2016, 6, 30, 17, 5, tzinfo=JST))
    summary = sheets["概要"].to_string()
    assert "「gone.xlsx」に当たるファイルが inbox にありません" in summary
    assert [f["name"] for c, f in provisional(result) if c == "register_row_finds_no_file"] == [
        "gone.xlsx"]
    assert "「text.xlsx」が2回記載されています" in summary
    assert "「datetime.xlsx」が2回記載されています（最初の行 B2 を使いました）" in summary
    assert "受付簿.xlsx" in summary and "受付簿" in summary


def _reviewed_round(inbox: Path, blank_dir: Path, settings: RoundSettings) -> Path:
    for name, place in [("a.xlsx", "新宿区"), ("b.xlsx", "八王子市"), ("c.xlsx", "大島町")]:
        add_form(inbox, name, org(f"団体{name[0]}", place), blank_dir=blank_dir)
    run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
    return inbox.parent / "outbox" / "審査票.xlsx"


@pytest.mark.slow
def test_reviews_conflict_disagreement_and_ranking(inbox: Path, blank_dir: Path,
                                                   settings: RoundSettings) -> None:
    blank = _reviewed_round(inbox, blank_dir, settings)
    review = inbox / "審査"
    fill_review(blank, review / "r1.xlsx", "審査員A",
                {"a.xlsx": (5, 5, 5), "b.xlsx": (3, 3, 3), "c.xlsx": "conflict"})
    fill_review(blank, review / "r2.xlsx", "審査員B",
                {"a.xlsx": (3, 5, 5), "b.xlsx": (3, 3, 3), "c.xlsx": (4, 4, 4)})
    result, sheets = _run(inbox, settings)
    ranking = sheets["選定順位"].set_index("ファイル名")
    assert ranking.loc["a.xlsx", "審査員数"] == "2"
    assert ranking.loc["c.xlsx", "審査員数"] == "1"  # the conflict is not counted
    assert ranking.loc["a.xlsx", "審査の相違"] == "課題の明確さ"
    assert ranking.loc["b.xlsx", "審査の相違"] == ""
    assert ranking.loc["a.xlsx", "課題の明確さ"] == "16"  # mean 4 × weight 4
    assert ranking.loc["c.xlsx", "波及効果"] == "16"
    assert list(ranking.index) == ["a.xlsx", "c.xlsx", "b.xlsx"]
    assert not result.provisional
    assert (ranking["暫定"] == "").all()
    assert "確定" in sheets["概要"].to_string()


@pytest.mark.slow
def test_review_problems_are_reported_by_cell(inbox: Path, blank_dir: Path,
                                              settings: RoundSettings) -> None:
    blank = _reviewed_round(inbox, blank_dir, settings)
    fill_review(blank, inbox / "審査" / "r1.xlsx", "審査員A",
                {"a.xlsx": (7, "よい", None), "b.xlsx": (3, 3, 3), "c.xlsx": (3, 3, 3)})
    workbook = openpyxl.load_workbook(inbox / "審査" / "r1.xlsx")
    workbook["審査票"].append(["zzz.xlsx"])  # a row for an application not in this round
    workbook.save(inbox / "審査" / "r1.xlsx")
    _, sheets = _run(inbox, settings)
    errors = sheets["入力エラー"]
    rows = errors[errors["ファイル名"] == "審査/r1.xlsx"][["セル", "項目", "入力値"]]
    assert rows.values.tolist() == [["H6", "課題の明確さ", "7"], ["I6", "実現可能性", "よい"],
                                    ["J6", "波及効果", ""], ["A9", "ファイル名", "zzz.xlsx"]]


@pytest.mark.slow
def test_limits_and_tie_breaks(inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    places = ["新宿区", "八王子市", "大島町", "世田谷区", "町田市", "練馬区", "三鷹市"]
    for n, place in enumerate(places):
        # Same points everywhere: the earlier 申請日 ranks first.
        add_form(inbox, f"f{n}.xlsx", org(f"団体{n}", place, {"申請日": f"2016/6/{20 - n}"}),
                 blank_dir=blank_dir)
    _, sheets = _run(inbox, settings)
    ranking = sheets["選定順位"]
    assert ranking["ファイル名"].tolist() == [f"f{n}.xlsx" for n in reversed(range(7))]
    assert ranking["判定"].tolist() == ["選定"] * 5 + ["選外"] * 2
    # equal totals: the tie-break (受付の早い順, here by 申請日) is said, and that it decided
    assert ranking["理由"].iloc[5].startswith("6位。選定数の上限（5件）を超えるため。同点（32点）。受付の早い順により")
    assert "同点の f2.xlsx（5位・選定）より、同点時の順位の決め方（受付の早い順）で下位となったため選外です。" in \
        ranking["理由"].iloc[5]
    assert (ranking["暫定"] == "暫定").all()


@pytest.mark.slow
def test_formula_looking_text_stays_text(inbox: Path, blank_dir: Path,
                                         settings: RoundSettings) -> None:
    hostile = '=HYPERLINK("http://example.com","click")'
    add_form(inbox, "f.xlsx", org(hostile, "新宿区", {"取組課題の内容": "+1+2", "担当者氏名": "@SUM(A1)"}),
             blank_dir=blank_dir)
    run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
    for path in (inbox.parent / "outbox").glob("*.xlsx"):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate)
                    assert cell.hyperlink is None or not str(cell.value).startswith("=")
    ranking = pd.read_excel(inbox.parent / "outbox" / "選定結果.xlsx", sheet_name="選定順位",
                            engine="openpyxl")
    assert ranking["団体名"].tolist() == [hostile]


@pytest.mark.slow
def test_rerun_gives_identical_bytes(inbox: Path, blank_dir: Path,
                                     settings: RoundSettings) -> None:
    add_form(inbox, "a.xlsx", org("団体", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("団体B", "八王子市", {"電話番号": "x"}), blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    run_round(inbox, outbox, settings, RUN_AT)  # no previous results: 初回
    run_round(inbox, outbox, settings, RUN_AT)  # 変更なし
    first = {p.name: p.read_bytes() for p in outbox.rglob("*") if p.is_file()}
    run_round(inbox, outbox, settings, RUN_AT)
    second = {p.name: p.read_bytes() for p in outbox.rglob("*") if p.is_file()}
    assert first == second
    assert {"選定結果.xlsx", "審査票.xlsx", "申請用紙.xlsx"} <= set(first)


@pytest.mark.slow
def test_a_run_leaves_the_garbage_collector_as_it_found_it(inbox: Path, blank_dir: Path,
                                                           settings: RoundSettings) -> None:
    """A run pauses cyclic collection (it would walk every form read for nothing) and gives it
    back: on where it was on, off where the caller had turned it off."""
    add_form(inbox, "a.xlsx", org("団体", "新宿区"), blank_dir=blank_dir)
    assert gc.isenabled()
    run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
    assert gc.isenabled()
    gc.disable()
    try:
        run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.slow
def test_empty_inbox_still_writes_a_complete_workbook(inbox: Path,
                                                      settings: RoundSettings) -> None:
    result, sheets = _run(inbox, settings)
    assert list(sheets) == ["概要", "選定会議資料", "選定順位", "不適格", "入力エラー", "受付一覧",
                           "審査内訳", "審査員別", "前回からの変更"]
    assert result.ledger.empty


@pytest.mark.slow
def test_workbook_is_made_for_excel(inbox: Path, blank_dir: Path,
                                    settings: RoundSettings) -> None:
    add_form(inbox, "a.xlsx", org("団体", "新宿区"), blank_dir=blank_dir)
    make_form(inbox / "b.xlsx", org("団体B", "八王子市", {"電話番号": "x"}), blank_dir=blank_dir)
    run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
    workbook = openpyxl.load_workbook(inbox.parent / "outbox" / "選定結果.xlsx")
    for name in ("選定順位", "不適格", "入力エラー", "受付一覧"):
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref, name
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.print_title_rows == "$1:$1"
    ledger = workbook["受付一覧"]
    assert ledger.conditional_formatting
    received = ledger["B2"]  # 受付日時
    assert isinstance(received.value, dt.datetime)
    assert "年" in received.number_format
    summary = workbook["概要"]
    assert len(summary._charts) == 2
    page = max(found.id for found in summary.row_breaks.brk)  # the charts' own page
    for chart in summary._charts:  # starting below its top edge: no frame prints on the page before
        assert (chart.anchor._from.row, chart.anchor._from.rowOff > 0) == (page, True)


@pytest.mark.slow
def test_summary_names_the_selected_and_scores_not_given_are_blank(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "a.xlsx", org("新宿の会", "新宿区"), blank_dir=blank_dir)
    add_form(inbox, "b.xlsx", org("八王子の会", "八王子市", {"申請日": "2016/6/20"}), blank_dir=blank_dir)
    result, sheets = _run(inbox, settings)
    summary = sheets["概要"].to_string()
    assert "選定（2件・暫定）" in summary and "新宿区　新宿の会（" in summary
    ranking = sheets["選定順位"]
    assert (ranking["課題の明確さ"] == "").all()  # nobody has reviewed: empty, not 0
    reason = result.ranked.set_index("file").loc["a.xlsx", "reason"]
    assert str(reason).startswith("2位（合計32点。特に評価が高い項目：")
    # a receipt known only by its date is shown as a date
    received = openpyxl.load_workbook(inbox.parent / "outbox" / "選定結果.xlsx")["受付一覧"]["B2"]  # 受付日時
    assert received.number_format == 'yyyy"年"m"月"d"日"'
