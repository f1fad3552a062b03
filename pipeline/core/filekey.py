"""One canonical form of a file name, used wherever a name typed by a person is matched with
a file in inbox/ (the register, review sheets) and wherever two files might collide.

Windows and macOS save the same name differently (NFC/NFD), people retype names with
full-width characters and other case, and Explorer hides extensions: the key removes those
differences and nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

# What Explorer hides as an extension: a short run of letters and digits after the last dot
# (申請書.xlsx, 申請書.pdf, 写真.jpeg), not the 2 of 「申請書 v1.2」.
_EXTENSION = re.compile(r"\.[a-z][a-z0-9]{1,4}$")


def file_key(name: str) -> str:
    """NFKC, trimmed, case-folded: ``申請書（大島町社協）.XLSX`` and ``申請書(大島町社協).xlsx`` meet."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def stem_key(name: str) -> str:
    """The key without its extension, of any file kind (for names typed as Explorer shows
    them: a register row 「申請書」 names 申請書.pdf as well as 申請書.xlsx)."""
    key = file_key(name)
    return _EXTENSION.sub("", key)


class FileIndex:
    """Inbox files found by a name a person typed: by :func:`file_key`, else by
    :func:`stem_key` (the extension left out)."""

    def __init__(self, files: Iterable[str]) -> None:
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.by_stem: dict[str, list[str]] = defaultdict(list)
        for file in files:
            self.by_key[file_key(file)].append(file)
            self.by_stem[stem_key(file)].append(file)

    def find(self, typed: str) -> list[str]:
        """Every file the typed name may mean (more than one: it cannot tell them apart)."""
        return self.by_key.get(file_key(typed)) or self.by_stem.get(stem_key(typed), [])
