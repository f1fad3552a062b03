"""click's own words reach staff in Japanese, and the table stays true to the installed click."""

from __future__ import annotations

import importlib
import inspect
import re

import click
import pytest
from click.testing import CliRunner

from pipeline import click_ja
from pipeline.cli import main


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
