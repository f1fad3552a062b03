"""click's own words reach staff in Japanese, and the table stays true to the installed click."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline import click_ja
from pipeline.cli import main
from tests.conftest import ROUND_TOML
from tests.formfactory import make_form, with_values


def _click_source() -> str:
    return "\n".join(inspect.getsource(importlib.import_module(f"click.{name}"))
                     for name in click_ja.MODULES)


@pytest.mark.parametrize("message", [*click_ja.MESSAGES, *click_ja.PLURALS])
def test_every_translated_message_is_one_click_still_uses(message: str) -> None:
    """A click upgrade that rewords a message makes this fail, not the help quietly English."""
    assert f'"{message}"' in _click_source()


def _commands() -> list[str]:
    assert isinstance(main, click.Group)
    return ["", *sorted(main.commands)]


@pytest.mark.parametrize("command", _commands())
def test_help_has_no_english_of_click(command: str) -> None:
    result = CliRunner().invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0
    english = re.findall(r"\b(?:Usage|Options|Commands|Show this message|Missing|Error|"
                         r"OPTIONS|COMMAND|ARGS|PATH|FILE|DIRECTORY|INTEGER|TEXT)\b", result.output)
    assert not english, result.output


@pytest.mark.parametrize(("arguments", "expected"), [
    (["frm"], "エラー: 'frm' というコマンドはありません。 'form' のことですか？"),
    (["run", "--bogus"], "エラー: '--bogus' というオプションはありません。"),
    (["check", "--config"], "エラー: オプション '--config' には値が必要です。"),
    (["check", "nothing-here.xlsx"], "ファイル nothing-here.xlsx が見つかりません（inbox の中も探しました）。"),
    (["new-round"], "エラー: 引数がありません 'フォルダ'"),
    (["demo", "--forms", "3"], "3 は 20<=x<=20000 の範囲にありません。"),
])
def test_usage_errors_are_in_japanese(arguments: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Usage" not in result.output and "Error" not in result.output


@pytest.mark.slow
@pytest.mark.parametrize("written", ["✕ 未定", "☑ 03-1234-5678 𠮷", "— 😀"])
def test_a_narrow_console_encoding_never_ends_the_command(
        tmp_path: Path, blank_dir: Path, written: str) -> None:
    """Output redirected on Japanese Windows is cp932: a character it lacks is shown as ?."""
    form = make_form(tmp_path / "申請.xlsx", with_values({"電話番号": written}), blank_dir=blank_dir)
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--config", str(ROUND_TOML), str(form)],
        capture_output=True, check=False, timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "cp932"})
    assert completed.returncode == 3, completed.stderr.decode("cp932", "replace")
    shown = completed.stdout.decode("cp932")  # every byte is cp932
    assert "電話番号として読み取れません" in shown and "Traceback" not in shown
