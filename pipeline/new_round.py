"""bansou new-round: next year's round in its own folder, from this year's settings.

The new folder gets round.toml with every year advanced (the round's name, the deadline, the
resubmission deadline; staff's comments kept), a copy of the letters' templates, and empty
inbox/ and outbox/. Nothing that exists is overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

from pipeline.core.eras import BY_NAME, ERAS
from pipeline.core.errors import SettingsError
from pipeline.core.settings import RoundSettings
from pipeline.core.settings_load import load_settings
from pipeline.core.wording import fiscal_year_name

ROUND_FILE = "round.toml"
TEMPLATES_DIR = "templates"
INBOX_DIR = "inbox"
OUTBOX_DIR = "outbox"

# 平成28年度 / 令和元年度 / 2016年度: the fiscal year a round's name carries.
_ERA_YEAR = re.compile(rf"({'|'.join(era.name for era in ERAS)})(元|\d{{1,2}})年度")
_WESTERN_YEAR = re.compile(r"(?<!\d)(\d{4})年度")
# A TOML date or date-time value: `= 2016-06-30` or `= 2016-06-30T23:59:59+09:00`.
_TOML_DATE = re.compile(r"(=\s*)(\d{4})-(\d{2})-(\d{2})")
_TEMPLATES_LINE = re.compile(r"^#?\s*templates\s*=.*$", re.MULTILINE)
_PREVIOUS_LINE = re.compile(r"^#?\s*previous_round\s*=.*$\n?", re.MULTILINE)


def round_paths(directory: Path) -> tuple[Path, Path, Path]:
    """(round.toml, inbox, outbox) of a round's folder."""
    return directory / ROUND_FILE, directory / INBOX_DIR, directory / OUTBOX_DIR


def next_year_text(text: str) -> str:
    """round.toml's text with the fiscal year in names and every date one year later."""
    text = _ERA_YEAR.sub(lambda m: fiscal_year_name(_western(m) + 1), text)
    text = _WESTERN_YEAR.sub(lambda m: f"{int(m.group(1)) + 1}年度", text)
    return _TOML_DATE.sub(_next_date, text)


def _western(match: re.Match[str]) -> int:
    return BY_NAME[match.group(1)].western_year(1 if match.group(2) == "元" else int(match.group(2)))


def _next_date(match: re.Match[str]) -> str:
    year, month, day = int(match.group(2)) + 1, int(match.group(3)), int(match.group(4))
    if month == 2 and day == 29:  # no 29 February next year: the day before
        day = 28
    return f"{match.group(1)}{dt.date(year, month, day).isoformat()}"


def new_round(directory: Path, source: Path) -> RoundSettings:
    """Create ``directory`` as the round after the one ``source`` (a round.toml) sets up.
    Returns the new round's settings."""
    current = load_settings(source)
    config, inbox, outbox = round_paths(directory)
    if config.exists():
        raise SettingsError(f"{config} はもうあります。上書きしないので、別のフォルダを指定するか、"
                            "そのまま使ってください。")
    text = next_year_text(source.read_text(encoding="utf-8-sig"))
    templates_line = f'templates = "{TEMPLATES_DIR}"'
    if _TEMPLATES_LINE.search(text):
        text = _TEMPLATES_LINE.sub(templates_line, text, count=1)
    else:
        text = text.replace("[correspondence]", f"[correspondence]\n{templates_line}", 1)
    # the round before: 選定会議資料 marks the organisations it selected
    previous = f'previous_round = "{_relative(source.resolve().parent, directory.resolve())}"'
    text = _PREVIOUS_LINE.sub("", text).replace("[round]", f"[round]\n{previous}", 1)
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / TEMPLATES_DIR).exists():
        shutil.copytree(current.templates, directory / TEMPLATES_DIR)
    inbox.mkdir(exist_ok=True)
    outbox.mkdir(exist_ok=True)
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config)
    if settings.deadline <= current.deadline:
        raise SettingsError(f"{config} の締切を1年後にできませんでした。round.deadline を確かめてください。")
    return settings



def _relative(folder: Path, start: Path) -> str:
    """``folder`` from ``start``, with / (TOML needs no escapes; Windows accepts it); as it is
    where no relative path leads there (another drive)."""
    try:
        return Path(os.path.relpath(folder, start)).as_posix()
    except ValueError:
        return folder.as_posix()
