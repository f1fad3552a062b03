"""click's own words (help headings, usage errors) in Japanese.

click marks its messages for gettext but ships no catalogue, and a catalogue would be chosen by
the locale, which staff machines do not set to Japanese. So the `bansou` command installs this
table as the translation in click's modules: a message it does not list stays as click wrote it,
and ``tests/test_cli_japanese.py`` checks that every entry is still a message of the installed
click.
"""

from __future__ import annotations

import importlib

MESSAGES: dict[str, str] = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "この説明を表示して終了します。",
    "Show the version and exit.": "バージョンを表示して終了します。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "説明は '{command} {option}' で表示できます。",
    "Missing argument": "引数がありません",
    "Missing option": "オプションがありません",
    "Missing parameter": "指定がありません",
    "Missing {param_type}": "{param_type}がありません",
    "Missing parameter: {param_name}": "指定がありません: {param_name}",
    "Missing command.": "コマンドを指定してください。",
    "No such command {name!r}.": "{name!r} というコマンドはありません。",
    "No such option {name!r}.": "{name!r} というオプションはありません。",
    "Option {name!r} does not take a value.": "オプション {name!r} には値を付けません。",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} がありません。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} はフォルダです。",
    "{name} {filename!r} is a file.": "{name} {filename!r} はファイルです。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} を読めません。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} に書き込めません。",
    "{value!r} is not a valid {number_type}.": "{value!r} は{number_type}ではありません。",
    "{value} is not in the range {range}.": "{value} は {range} の範囲にありません。",
    "file": "ファイル",
    "directory": "フォルダ",
    "path": "パス",
    "default: {default}": "既定: {default}",
    "Aborted!": "中止しました。",
}

PLURALS: dict[str, str] = {
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Option {name!r} requires an argument.": "オプション {name!r} には値が必要です。",
    "Did you mean {possibility}?": "{possibility} のことですか？",
    "{value!r} is not {choice}.": "{value!r} は {choice} ではありません。",
    "{value!r} is not one of {choices}.": "{value!r} は {choices} のいずれでもありません。",
}

# The modules of click that mark messages (each binds gettext's functions as _ and ngettext).
MODULES = ("core", "exceptions", "formatting", "decorators", "types", "parser", "termui")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        return PLURALS[singular]
    return singular if n == 1 else plural


def install() -> None:
    """Make click speak Japanese for the rest of the process."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
