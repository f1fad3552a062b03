"""The sample round: generated deterministically, and every planted problem ends as intended."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.errors import BansouError
from pipeline.core.settings import RoundSettings
from pipeline.demo import ELIGIBLE, DemoRound, generate_round, prepare_directory, run_demo
from pipeline.stage1_read.inbox import REVIEW_DIR
from tests.conftest import ROUND_TOML

pytestmark = pytest.mark.slow  # `make quick` leaves these out

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_MESS = {"全角数字", "和暦の日付", "社協の略称", "包括の略称", "東京都付きの区市町村",
                 "行の挿入", "結合された入力欄", "締切後の受付", "都外からの申請", "未記入の多い申請",
                 "期間が６ヶ月", "再提出前の申請", "同じ団体の再提出", "壊れたファイル", "旧形式の.xls",
                 "誤って送られたPDF", "数式に見える文字"}
FORMS = 40  # the demo's size (`bansou demo` makes this many)


def _intended(demo: DemoRound, settings: RoundSettings) -> Counter[str]:
    """The 判定 of each kind the generator intends: the planted ones as planted; of the
    eligible, the round's number of districts 選定 and the rest 選外."""
    counts = Counter(next(iter(f.expected)) for f in demo.files if f.expected != ELIGIBLE)
    eligible = sum(f.expected == ELIGIBLE for f in demo.files)
    return counts + Counter({"選定": settings.max_districts,
                             "選外": eligible - settings.max_districts})



def test_demo_round_ends_as_the_generator_intended(tmp_path: Path,
                                                   settings: RoundSettings) -> None:
    demo, result = run_demo(tmp_path / "demo", settings, forms=FORMS)
    assert len(demo.files) == FORMS
    assert {f.planted for f in demo.files} >= REQUIRED_MESS
    decisions = dict(zip(result.ledger["file"], result.ledger["decision"], strict=True))
    assert set(decisions) == {f.name for f in demo.files}
    for demo_file in demo.files:
        assert decisions[demo_file.name] in demo_file.expected, demo_file
    assert Counter(decisions.values()) == _intended(demo, settings)
    # all four 団体種別 and all three areas are among the readable applications
    assert set(result.records["org_type"].dropna()) >= {
        "区市町村（介護予防・日常生活支援総合事業担当部署等）", "区市町村社会福祉協議会",
        "地域包括支援センター", "その他（NPO支援センター等）"}
    assert set(result.ranked["area"]) == {"区部", "多摩", "島しょ"}
    # every reviewer's sheet is read; one reviewer declares a conflict on one application, two
    # disagree on another; the ranking is 暫定 only while the forms sent back for fixing may
    # still come back (the 再提出期限 is to come)
    reviewers = len(list((demo.inbox / REVIEW_DIR).iterdir()))
    assert result.review_sheets == reviewers
    assert [note.code for note in result.provisional_notes] == ["awaiting_corrections"]
    assert (result.ranked["reviewer_count"] == reviewers - 1).sum() == 1
    assert (result.ranked["disagreement"] != "").any()
    basis = set(result.ledger["received_basis"])
    assert {"受付簿", "申請日（受付簿に記載なし）"} <= basis
    # free text reads like real applications: not one sentence repeated
    assert result.records["challenge_detail"].dropna().nunique() > 20
    plans = [p.name for p in (demo.outbox / "計画").iterdir()]
    assert len(plans) == 2 * settings.max_districts
    assert sum(name.endswith("_支援記録.xlsx") for name in plans) == settings.max_districts


def test_generation_is_deterministic(tmp_path: Path, settings: RoundSettings) -> None:
    first = generate_round(tmp_path / "a", settings, forms=25, seed=7)
    time.sleep(2.1)  # zip and document times have 1–2 s resolution: make a clock show
    second = generate_round(tmp_path / "b", settings, forms=25, seed=7)
    assert [f.name for f in first.files] == [f.name for f in second.files]
    for demo_file in first.files:
        assert ((first.inbox / demo_file.name).read_bytes()
                == (second.inbox / demo_file.name).read_bytes()), demo_file.name


def test_large_rounds_get_numbered_files(tmp_path: Path, settings: RoundSettings) -> None:
    demo = generate_round(tmp_path / "big", settings, forms=600)
    names = {f.name for f in demo.files}
    assert len(names) == 600
    assert names | {"受付簿.xlsx"} == {p.name for p in demo.inbox.iterdir()}
    assert "申請_00599.xlsx" in names


def test_demo_never_clears_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "大事なファイル.xlsx").write_bytes(b"x")
    with pytest.raises(BansouError, match="見本用のフォルダではありません"):
        prepare_directory(tmp_path / "mine")
    assert (tmp_path / "mine" / "大事なファイル.xlsx").exists()


def test_demo_command(tmp_path: Path, settings: RoundSettings) -> None:
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "d"), "--config",
                                       str(ROUND_TOML)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    total, counts = re.fullmatch(r"(\d+)件のファイルを判定しました（(.*)）。", lines[0]).groups()  # type: ignore[union-attr]
    intended = _intended(generate_round(tmp_path / "g", settings, forms=FORMS), settings)
    # the command goes on into the support year, past the 再提出期限: a form never corrected
    # (要修正, 読込不可) has become 不適格
    never_corrected = intended.pop("要修正", 0) + intended.pop("読込不可", 0)
    intended["不適格"] += never_corrected
    assert int(total) == FORMS
    assert {decision: int(n) for decision, n in re.findall(r"([^、 ]+) (\d+)件", counts)} == intended
    assert sum(line.startswith("  選定 ") for line in lines) == settings.max_districts
    assert any(line.startswith("支援中 ") for line in lines)
    assert lines[-1].startswith("結果:")
    # a second demo in the same folder replaces the first
    again = CliRunner().invoke(main, ["demo", str(tmp_path / "d"), "--config",
                                      str(ROUND_TOML)])
    assert again.output == result.output
