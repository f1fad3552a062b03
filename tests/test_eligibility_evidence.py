"""Eligibility from every cell that tells (issue 24, cases 2-4): a company's legal form in the
団体名 disputes the 団体種別; a 区市町村 or 団体種別 written in other words is read as plainly meant
or is an input problem at its cell, never 不適格 for a slip; a 連携先 that means "none" earns
nothing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core import domain, postal
from pipeline.core.normalize import ReadAs, means_none, parse_municipality, parse_org_type
from pipeline.core.notes import Note
from pipeline.core.result import RoundResult
from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from pipeline.stage2_decide import score
from pipeline.stage3_write.form import GUIDE_SHEET
from tests.formfactory import find_label
from tests.frames import application, eligible
from tests.frames import reviews as review_means
from tests.roundfactory import (
    FINAL_AT,
    RUN_AT,
    add_form,
    new_inbox,
    org,
    provisional,
    review_everything,
)

OTHER = {"団体種別": domain.ORG_TYPES["other"],
         "中間支援機能の概要": "地域のNPOの立ち上げ相談と団体どうしのネットワークづくり。"}


def _sheets(outbox: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(outbox / "選定結果.xlsx", sheet_name=None, engine="openpyxl", dtype=str,
                         keep_default_na=False)


def _cell(blank_dir: Path, label: str) -> str:
    row, column = find_label(openpyxl.load_workbook(blank_dir / "申請用紙.xlsx")["申請書"], label)
    return f"{openpyxl.utils.get_column_letter(column + 1)}{row}"


# --- 2. The 団体名's legal form against the 団体種別 --------------------------------------------

DISPUTED = {  # file → (団体名, 団体種別 changes, the legal form the row names, the type it names)
    "llc.xlsx": ("合同会社みらい創造", OTHER, "合同会社", "その他"),
    "yugen.xlsx": ("(有)ひまわりケア", {"団体種別": "地域包括支援センター"}, "有限会社",
                   "地域包括支援センター"),
    "kk_after.xlsx": ("まちづくり支援株式会社", OTHER, "株式会社", "その他"),
    "kk_mark.xlsx": ("〈株〉さくらネット", OTHER, "株式会社", "その他"),
}


@pytest.mark.slow
def test_a_company_name_under_an_allowed_type_stays_ranked_and_keeps_the_round_provisional(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    places = iter(("新宿区", "八王子市", "町田市", "練馬区", "世田谷区", "三鷹市"))
    for file, (name, changes, _, _) in DISPUTED.items():
        add_form(inbox, file, org(name, next(places), changes), blank_dir=blank_dir)
    add_form(inbox, "npo.xlsx", org("特定非営利活動法人 ささえあい", next(places), OTHER),
             blank_dir=blank_dir)
    add_form(inbox, "council.xlsx", org("社会福祉法人 三鷹市社会福祉協議会", next(places)),
             blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    run_round(inbox, outbox, settings, RUN_AT)
    review_everything(outbox, inbox)
    result = run_round(inbox, outbox, settings, FINAL_AT)  # every review in, after 再提出期限

    # nothing else is pending: the disputes alone keep the ranking provisional, one per file
    assert sorted(str(f["file"]) for c, f in provisional(result) if c == "type_disputed") == sorted(
        DISPUTED)
    assert {code for code, _ in provisional(result)} == {"type_disputed"}
    sheets = _sheets(outbox)
    ranking = sheets["選定順位"].set_index("ファイル名")
    ledger = sheets["受付一覧"].set_index("ファイル名")
    for file, (_, _, form, chosen) in DISPUTED.items():
        assert ledger.loc[file, "判定"] in ("選定", "選外"), ledger.loc[file, "理由"]
        note = (f"団体名に{form}とあり、団体種別（{chosen}）と合いません。対象の団体か事務局で"
                "確かめ、受付簿の事務局判断シートに記入してください（暫定）")
        assert note in str(ranking.loc[file, "理由"]) and note in str(ledger.loc[file, "理由"])
        assert Note.of("type_disagrees_in", file=file, what=Note.of(
            "type_disagrees", form=form, chosen=chosen)) in result.type_disputes
    for file in ("npo.xlsx", "council.xlsx"):
        assert "団体名に" not in str(ranking.loc[file, "理由"])
    summary = sheets["概要"].to_string()
    assert "団体種別と団体名の法人格の食い違い" in summary and "kk_mark.xlsx: 団体名に株式会社" in summary


@pytest.mark.slow
def test_a_company_typed_as_the_type_itself_is_still_ineligible(
        inbox: Path, blank_dir: Path, settings: RoundSettings) -> None:
    add_form(inbox, "co.xlsx", org("ひまわり合同会社", "新宿区", {"団体種別": "その他（合同会社）"}),
             blank_dir=blank_dir)
    result = run_round(inbox, inbox.parent / "outbox", settings, FINAL_AT)
    row = result.ledger.set_index("file").loc["co.xlsx"]
    assert (row["decision"], row["reason_code"]) == ("不適格", "org_type_allowed")
    assert not result.type_disputes


# --- 3. Wording slips: read as plainly meant, or 要修正 at the cell -----------------------------

MUNICIPALITY, TYPE = "区市町村", "団体種別"
READINGS = {  # file → (the field, its value as written, what it plainly names)
    "office.xlsx": (MUNICIPALITY, "渋谷区役所", "渋谷区"),
    "town_office.xlsx": (MUNICIPALITY, "瑞穂町役場", "瑞穂町"),
    "address.xlsx": (MUNICIPALITY, "東京都町田市森野2-2-22", "町田市"),
    "ke.xlsx": (MUNICIPALITY, "世田ケ谷区", "世田谷区"),
    "hinoki.xlsx": (MUNICIPALITY, "桧原村", "檜原村"),
    "chinese_to.xlsx": (MUNICIPALITY, "江户川区", "江戸川区"),
    "variant_selector.xlsx": (MUNICIPALITY, "葛\U000E0100飾区", "葛飾区"),
    "island.xlsx": (MUNICIPALITY, "八丈島", "八丈町"),
    "aogashima.xlsx": (MUNICIPALITY, "青ケ島村", "青ヶ島村"),
    "prefecture_aside.xlsx": (MUNICIPALITY, "三鷹市（東京都）", "三鷹市"),
    "fuchu_tokyo.xlsx": (MUNICIPALITY, "府中市(東京)", "府中市"),
    "center_run.xlsx": (TYPE, "南部地域包括支援センター（運営：医療法人財団 健生会）",
                        domain.ORG_TYPES["center"]),
    "city_shakyo.xlsx": (TYPE, "町田市社協", domain.ORG_TYPES["council"]),
}


def _place(municipality: str) -> dict[str, object]:
    return {"郵便番号": postal.tokyo_codes()[municipality][0], "所在地": f"東京都{municipality}1-1"}


@pytest.fixture(scope="module")
def slips(tmp_path_factory: pytest.TempPathFactory,
          blank_dir: Path, settings: RoundSettings) -> tuple[RoundResult, dict[str, pd.DataFrame]]:
    inbox = new_inbox(tmp_path_factory, "slips")
    for n, (file, (label, written, meant)) in enumerate(READINGS.items()):
        place = _place(meant) if label == MUNICIPALITY else {}
        add_form(inbox, file, org(f"読み{n}の会", "町田市", {label: written, **place}),
                 blank_dir=blank_dir)
    add_form(inbox, "two_wards.xlsx", org("二区の会", "新宿区", {"区市町村": "新宿区・中野区"}),
             blank_dir=blank_dir)
    add_form(inbox, "region.xlsx", org("多摩の会", "八王子市", {"区市町村": "多摩地域"}),
             blank_dir=blank_dir)
    add_form(inbox, "two_types.xlsx", org("両方の会", "練馬区",
                                          {"団体種別": "社会福祉協議会・地域包括支援センター"}),
             blank_dir=blank_dir)
    add_form(inbox, "chiba.xlsx", org("千葉の会", "新宿区", {"区市町村": "千葉市役所"}),
             blank_dir=blank_dir)
    add_form(inbox, "urawa.xlsx", org("浦和の会", "新宿区", {"区市町村": "埼玉県さいたま市浦和区"}),
             blank_dir=blank_dir)
    add_form(inbox, "fuchu_hiroshima.xlsx", org("備後の会", "新宿区", {
        "区市町村": "府中市役所", "郵便番号": "726-0005", "所在地": "広島県府中市府川町315"}),
        blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    return run_round(inbox, outbox, settings, RUN_AT), _sheets(outbox)  # before the 再提出期限


@pytest.mark.parametrize("file", READINGS)
def test_a_value_plainly_naming_a_municipality_or_a_type_is_read_with_a_note(
        slips: tuple[RoundResult, dict[str, pd.DataFrame]], file: str) -> None:
    _, sheets = slips
    label, written, meant = READINGS[file]
    ledger = sheets["受付一覧"].set_index("ファイル名")
    assert ledger.loc[file, "判定"] in ("選定", "選外"), ledger.loc[file, "理由"]
    assert sheets["選定順位"].set_index("ファイル名").loc[file, label] == meant
    shown = unicodedata.normalize("NFKC", written).replace("\U000E0100", "")
    assert f"{label}は「{shown}」とあるため「{meant}」と読みました。" in (
        str(ledger.loc[file, "理由"]).replace("\U000E0100", ""))


@pytest.mark.parametrize(("file", "label", "code"), [
    ("two_wards.xlsx", "区市町村", "unclear_municipality"),
    ("region.xlsx", "区市町村", "unclear_municipality"),
    ("two_types.xlsx", "団体種別", "ambiguous_choice"),
])
def test_an_unclear_value_is_to_be_fixed_at_its_cell(
        slips: tuple[RoundResult, dict[str, pd.DataFrame]], blank_dir: Path,
        file: str, label: str, code: str) -> None:
    result, sheets = slips
    assert result.ledger.set_index("file").loc[file, "decision"] == "要修正"
    problems = result.problems[result.problems["file"] == file]
    assert problems[["cell", "label", "code"]].values.tolist() == [
        [_cell(blank_dir, label), label, code]]
    errors = sheets["入力エラー"]
    message = errors[errors["ファイル名"] == file]["エラー内容"].tolist()
    if code == "unclear_municipality":
        assert message[0].endswith("東京都の62区市町村の名前を1つ書いてください（例：八王子市）。")


@pytest.mark.parametrize("file", ["chiba.xlsx", "urawa.xlsx", "fuchu_hiroshima.xlsx"])
def test_a_municipality_plainly_outside_tokyo_stays_ineligible(
        slips: tuple[RoundResult, dict[str, pd.DataFrame]], file: str) -> None:
    result, _ = slips
    row = result.ledger.set_index("file").loc[file]
    assert row["decision"] == "不適格"
    rules = result.ineligible[result.ineligible["file"] == file]["rule"].tolist()
    assert "municipality_in_tokyo" in rules
    assert "と読みました" not in row["reason"]


@pytest.mark.parametrize(("written", "meant"), [
    ("東京都 青が島村", "青ヶ島村"), ("國立市役所", "国立市"), ("〒185-8501 国分寺市戸倉1-6-1", "国分寺市"),
    ("三宅島", "三宅村"), ("豐島区（区部）", "豊島区"), ("西東京市役所 保谷庁舎", "西東京市"),
])
def test_more_spellings_of_the_62(written: str, meant: str) -> None:
    read = parse_municipality(written)
    assert isinstance(read, ReadAs) and read.value == meant


@pytest.mark.parametrize("written", ["府中市（広島県）", "中央区・港区", "東京都", "北多摩"])
def test_values_that_do_not_plainly_name_one_of_the_62_are_not_read(written: str) -> None:
    assert not isinstance(parse_municipality(written), ReadAs)


@pytest.mark.parametrize(("written", "meant"), [
    ("世田谷区社会福祉協議会", domain.ORG_TYPES["council"]),
    ("その他（一般社団法人）", domain.ORG_TYPES["other"]),
    ("区市町村（高齢福祉課）", domain.ORG_TYPES["municipality"]),
])
def test_more_types_plainly_named(written: str, meant: str) -> None:
    read = parse_org_type(written)
    assert isinstance(read, ReadAs) and read.value == meant


# --- 4. 「なし」 earns no points ----------------------------------------------------------------

NONE_WORDS = ["特に無し", "該当なし。", "ナシ", "―", "‐", "・", "N/A", "none", "0", "無", "現在なし",
              "未定です", "とくになし", "ー ー"]


def test_every_word_for_none_means_none() -> None:
    assert [word for word in NONE_WORDS if not means_none(word)] == []


# Scoring is pandera-validated (a fifth of a second a call): two of the words through it.
@pytest.mark.parametrize("written", [NONE_WORDS[0], NONE_WORDS[-1]])
def test_a_partner_that_means_none_earns_no_points(settings: RoundSettings, written: str) -> None:
    frame = eligible(application("none.xlsx", partners=written),
                     application("real.xlsx", partners="町会・自治会、民生委員協議会"))
    scored = score.score(frame, review_means(frame, [c.key for c in settings.review]), settings)
    points = scored.set_index("file")["points:partners"]
    partners = next(c for c in settings.auto if c.rule == "partners")
    assert points.to_dict() == {"none.xlsx": 0, "real.xlsx": partners.points}


@pytest.mark.parametrize("written", ["なし（来年度に町会と協議予定）", "NPO法人ゼロ", "無印良品の社会貢献室"])
def test_content_beside_a_none_word_counts(written: str) -> None:
    assert not means_none(written)


@given(st.text())
def test_means_none_answers_for_any_text(text: str) -> None:
    assert means_none(text) in (True, False)


def test_the_blank_form_says_none_is_no_entry(blank_dir: Path) -> None:
    guide = openpyxl.load_workbook(blank_dir / "申請用紙.xlsx")[GUIDE_SHEET]
    lines = [" ".join(str(c.value) for c in row if c.value) for row in guide.iter_rows()]
    assert any("連携先" in line and "「なし」" in line and "記入なし" in line for line in lines)
