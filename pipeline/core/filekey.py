"""One canonical form of a file name, used wherever a name typed by a person is matched with
a file in inbox/ (the register, review sheets) and wherever two files might collide.

Windows and macOS save the same name differently (NFC/NFD), people retype names with
full-width characters and other case, and Explorer hides extensions: the key removes those
differences and nothing else.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def file_key(name: str) -> str:
    """NFKC, trimmed, case-folded: ``申請書（大島町社協）.XLSX`` and ``申請書(大島町社協).xlsx`` meet."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def stem_key(name: str) -> str:
    """The key without a workbook extension (for names typed as Explorer shows them)."""
    key = file_key(name)
    suffix = PurePath(key).suffix
    return key[: -len(suffix)] if suffix in WORKBOOK_SUFFIXES else key
