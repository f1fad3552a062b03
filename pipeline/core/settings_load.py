"""Loading round.toml: the file read as text, parsed as TOML (a syntax error said in Japanese,
with its line), then checked (:mod:`~pipeline.core.settings_check`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pipeline.core.errors import SettingsError
from pipeline.core.settings import RoundSettings
from pipeline.core.settings_check import parse_settings


def load_settings(path: Path) -> RoundSettings:
    """Read and check round.toml. Every problem in the file is reported at once, in Japanese,
    naming the key (and the line, for a TOML syntax error)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad may add a BOM
    except FileNotFoundError as error:
        raise SettingsError(f"設定ファイル {path} が見つかりません。") from error
    except UnicodeDecodeError as error:
        raise SettingsError(f"設定ファイル {path} を文字として読めません。メモ帳などで文字コード"
                            "「UTF-8」を選んで保存し直してください。") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(toml_error_message(str(path), text, error)) from error
    return parse_settings(data, str(path), path.parent)


_BAD_DATE = ("日付・日時の書き方が正しくありません（例：2016-06-30、2016-06-30T23:59:59+09:00。"
             "ありえない日付も誤りです）")
# tomllib's messages (Python 3.11–3.13), start → what it means for someone editing round.toml.
_TOML_MESSAGES = (
    ("Invalid date or datetime", _BAD_DATE),
    ("Invalid value", "値の書き方が正しくありません（文字は \"…\" で囲み、数はそのまま、"
                      "リストは [ ] で囲みます）"),
    ("Invalid statement", "「名前 = 値」または [表の名前] の形になっていません（日本語の名前は "
                          "\"…\" で囲みます）"),
    ("Invalid initial character for a key part", "名前の書き方が正しくありません（日本語の名前は "
                                                 "\"…\" で囲みます）"),
    ("Expected '=' after a key", "名前の後に「=」と値がありません"),
    ("Expected newline or end of document", "1行に2つの値が書かれています（1行に「名前 = 値」は"
                                            "1つです。文字は \"…\" で囲みます）"),
    ("Expected ']]'", "[[表の名前]] の閉じの「]]」がありません"),
    ("Expected ']'", "[表の名前] の閉じの「]」がありません"),
    ("Expected", "閉じの記号がありません"),
    ("Unclosed array", "リストの閉じの「]」がありません"),
    ("Unclosed inline table", "{ } の閉じの「}」がありません"),
    ("Unterminated string", "文字の閉じの「\"」がありません"),
    ("Unescaped '\\'", "文字の中の「\\」は「\\\\」と書きます（フォルダの区切りは「/」でもかまいません）"),
    ("Illegal character '\\n'", "文字の閉じの「\"」がありません（文字は1行の中で閉じます）"),
    ("Illegal character", "使えない制御文字が含まれています"),
    ("Found invalid character", "使えない文字が含まれています"),
    ("Cannot overwrite a value", "同じ名前が2回書かれています"),
    ("Cannot declare", "同じ表が2回書かれています"),
    ("Duplicate inline table key", "同じ名前が2回書かれています"),
)
_TOML_PLACE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
# A value that starts like a date: tomllib reads 2016-13-01 or 2016/06/30 as the number 2016
# followed by something else ("two values on a line"); what is wrong is the date.
_DATE_LIKE = re.compile(r"=\s*\d{4}[-/.年]")


def toml_error_message(source: str, text: str, error: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error in Japanese, with its line and column and the line itself."""
    english = str(error)
    place = _TOML_PLACE.search(english)
    message = english[:place.start()] if place else english
    what = next((ja for start, ja in _TOML_MESSAGES if message.startswith(start)),
                f"書き方に誤りがあります（{message}）")
    lines = text.splitlines() or [""]
    if place and place.group(1):
        line, column = int(place.group(1)), int(place.group(2))
        where = f"{line}行目の{column}文字目"
    else:
        line = len(lines)
        where = f"最後（{line}行目）"
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    if message.startswith("Expected newline") and _DATE_LIKE.search(shown):
        what = _BAD_DATE
    return (f"設定ファイル {source} の書き方に誤りがあります：{where}で、{what}。\n"
            f"  {line}行目: {shown.strip()}")
