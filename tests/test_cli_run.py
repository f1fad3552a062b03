"""`bansou run`: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import ROUND_TOML
from tests.roundfactory import RUN_AT, add_form, org

ROOT = Path(__file__).resolve().parents[1]


def _invoke(tmp_path: Path, *args: str):
    return CliRunner().invoke(main, ["run", "--inbox", str(tmp_path / "inbox"), "--outbox",
                                     str(tmp_path / "outbox"), *args])


@pytest.mark.slow
def test_run_exits_0_even_with_problem_forms(tmp_path: Path, blank_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(RUN_AT.timestamp())))  # before 再提出期限
    (tmp_path / "inbox").mkdir()
    add_form(tmp_path / "inbox", "a.xlsx", org("団体", "新宿区"), blank_dir=blank_dir)
    (tmp_path / "inbox" / "bad.xlsx").write_bytes(b"")
    result = _invoke(tmp_path, "--config", str(ROUND_TOML))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2件のファイルを判定しました（選定 1件、読込不可 1件）。",
        "順位: 暫定（理由2件。選定・選外の通知は「通知（暫定）」の下書きです）",
        "  暫定の理由: 要修正・読込不可の申請が1件あり、再提出期限（7月8日）まで修正版が届く可能性があります",
        "  暫定の理由: 審査票がまだ戻っていません（順位は自動採点だけによります）",
        "前回からの変更: 前回の結果はありません（初回の実行です）",
        "受付簿についての注意 0件、審査票についての注意 0件（選定結果.xlsx の「概要」に一覧があります）",
        f"結果: {tmp_path / 'outbox' / '選定結果.xlsx'}",
    ]


def test_missing_inbox_is_a_clear_failure(tmp_path: Path) -> None:
    result = _invoke(tmp_path, "--config", str(ROUND_TOML))
    assert result.exit_code == 1
    assert result.output == (f"エラー: 受付フォルダ {tmp_path / 'inbox'} が見つかりません。"
                             "フォルダを作り、申請用紙を保存してください。\n")
    assert not (tmp_path / "outbox").exists()


@pytest.mark.slow
def test_bad_settings_keep_previous_outputs(tmp_path: Path, blank_dir: Path) -> None:
    (tmp_path / "inbox").mkdir()
    add_form(tmp_path / "inbox", "a.xlsx", org("団体", "新宿区"), blank_dir=blank_dir)
    assert _invoke(tmp_path, "--config", str(ROUND_TOML)).exit_code == 0
    before = (tmp_path / "outbox" / "選定結果.xlsx").read_bytes()
    bad = tmp_path / "round.toml"
    bad.write_text("[round]\nname = 'x'\n", encoding="utf-8")
    result = _invoke(tmp_path, "--config", str(bad))
    assert result.exit_code == 1
    assert "round.deadline は必須です" in result.output
    assert (tmp_path / "outbox" / "選定結果.xlsx").read_bytes() == before
