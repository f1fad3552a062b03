"""The inbox: every entry at the top of inbox/, sorted, each either a file to judge or
set aside with the reason; the review-sheet folder and the register found."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from pipeline.core.filekey import file_key
from pipeline.core.names import SUPPORT_DIR
from pipeline.core.records import InboxFile, InboxScan

REGISTER_NAME = "受付簿.xlsx"
# Only a workbook staff saved under the register's name is a register: 受付簿.xlsx, or a
# dated copy such as 受付簿_0630.xlsx (README). A workbook that only looks like one is an
# applicant's file.
_REGISTER_NAME = re.compile(r"^受付簿[^/]*\.xls[xm]$")
REVIEW_DIR = "審査"
_IGNORED_NAMES = {".ds_store": "macOSの管理ファイル", "thumbs.db": "Windowsの管理ファイル",
                  "desktop.ini": "Windowsの管理ファイル", "readme.txt": "inboxの説明ファイル"}


def scan_inbox(inbox: Path) -> InboxScan:
    """Everything at the top of inbox/, sorted and hashed; never changes a file."""
    files: list[InboxFile] = []
    ignored: list[tuple[str, str]] = []
    registers: list[Path] = []
    reviews: tuple[Path, ...] = ()
    support_files: tuple[Path, ...] = ()
    with os.scandir(inbox) as found:  # file types come with the listing: no stat per file
        entries = sorted(found, key=_listing_order)
    names: set[str] = set()
    for entry in entries:
        name = shown_name(entry.name)
        if name in names:  # the same name saved twice, composed and decomposed: both are kept
            name = _printable(entry.name)
        names.add(name)
        path = inbox / entry.name
        if entry.is_symlink():  # never followed: it may lead out of inbox/ or loop
            ignored.append((name, "リンク（ショートカット）です。ファイルそのものを保存してください"))
        elif entry.is_dir():
            if name == REVIEW_DIR:
                reviews = tuple(sorted(
                    (p for p in path.iterdir()
                     if p.is_file() and not p.is_symlink() and _is_workbook_name(p.name)),
                    key=lambda p: unicodedata.normalize("NFC", p.name)))
                ignored.append((name + "/", f"審査票のフォルダ（{len(reviews)}件を読み込み）"))
            elif name == SUPPORT_DIR:
                support_files = tuple(sorted(
                    (p for p in path.iterdir() if p.is_file() and not p.is_symlink()
                     and not p.name.startswith(("~$", "."))
                     and p.name.lower() not in _IGNORED_NAMES),
                    key=lambda p: unicodedata.normalize("NFC", p.name)))
                ignored.append((name + "/", f"計画書・支援記録のフォルダ（{len(support_files)}件を"
                                            "読み込み。結果は 進捗.xlsx）"))
            else:
                ignored.append((name + "/", "フォルダ（中のファイルは対象外）"))
        elif _REGISTER_NAME.match(file_key(name)) and entry.is_file():
            registers.append(path)
            ignored.append((name, "受付簿"))
        elif name.startswith("._"):
            ignored.append((name, "macOSの管理ファイル（AppleDouble）"))
        elif name.startswith("~$"):
            ignored.append((name, "Excelの一時ファイル（開いている間だけ作られるもの）"))
        elif name.lower() in _IGNORED_NAMES:
            ignored.append((name, _IGNORED_NAMES[name.lower()]))
        elif entry.is_file():
            files.append(InboxFile(name, path))
        else:
            ignored.append((name, "通常のファイルではありません"))
    return InboxScan(tuple(files), tuple(ignored), tuple(registers), reviews, support_files)


def shown_name(raw: str) -> str:
    """A file name as people read it, safe to write anywhere and never mistaken for another:
    NFC; a name in Shift_JIS bytes (as unzip leaves them on Linux) decoded as such; control
    characters shown as ``\x01``, and the invisible characters that reorder or hide text
    (U+202E turns 「exe.xlsx」 around) as ``<U+202E>``, so that two names that differ only
    there stay two names."""
    return unicodedata.normalize("NFC", _printable(raw))


def _printable(raw: str) -> str:
    if any("\udc80" <= ch <= "\udcff" for ch in raw):  # bytes that were not UTF-8
        data = raw.encode("utf-8", "surrogateescape")
        try:
            raw = data.decode("cp932")
        except UnicodeDecodeError:
            raw = data.decode("utf-8", "replace")
    raw = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", raw)
    return _INVISIBLE.sub(lambda found: f"<U+{ord(found.group()):04X}>", raw)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Bidirectional controls, zero-width characters and other format characters (Unicode Cf).
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
                        "\ufff9-\ufffb]")


def _listing_order(entry: os.DirEntry[str]) -> tuple[str, bool, str]:
    """By name as shown (NFC); a name already composed before the same name decomposed."""
    shown = shown_name(entry.name)
    return shown, entry.name != shown, entry.name


def _is_workbook_name(name: str) -> bool:
    return not name.startswith(("~$", ".")) and name.lower().endswith((".xlsx", ".xlsm"))


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (of nothing, for a file that cannot be opened or is not a regular
    file — a pipe or a device would never end: 受付一覧 says why)."""
    digest = hashlib.sha256()
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return hashlib.sha256(b"").hexdigest()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return hashlib.sha256(b"").hexdigest()
    return digest.hexdigest()
