"""Writing outputs safely: a failed run leaves the previous outputs whole.

Every output is written into a staging folder inside outbox/ first; only
when all of them are complete are they moved into place, each with an
atomic rename.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from pipeline.errors import OutputError

_STAGING_PREFIX = ".staging-"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_MAX_PART = 40  # characters kept from a name that came from an applicant


def safe_file_part(text: str) -> str:
    """Part of a file name, safe on Windows and macOS: no \\ / : * ? " < > |, NFC, short."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", text))
    return re.sub(r"\s+", " ", cleaned).strip(" .")[:_MAX_PART].strip(" .") or "_"
_LOCKED = "Excelで開いている場合は閉じてから再実行してください。"


@contextlib.contextmanager
def replace_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it over ``target``."""
    handle, name = tempfile.mkstemp(prefix=".~", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _replace(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as error:
        raise OutputError(f"{target} を書き換えられません。{_LOCKED}（{error.strerror}）") from error


class OutputSet:
    """Stage a run's outputs, then publish them all at once.

    ``path(name)`` gives where to write an output file; ``folder(name)`` a
    folder that replaces the old one whole (stale files do not survive).
    """

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox
        self.files: list[str] = []
        self.folders: list[str] = []
        self.staging = Path()

    def __enter__(self) -> OutputSet:
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            for stale in self.outbox.glob(_STAGING_PREFIX + "*"):  # from a killed run
                shutil.rmtree(stale, ignore_errors=True)
            self.staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=self.outbox))
        except OSError as error:
            raise OutputError(f"出力フォルダ {self.outbox} に書き込めません（{error.strerror}）。") from error
        return self

    def path(self, name: str) -> Path:
        self.files.append(name)
        return self.staging / name

    def folder(self, name: str) -> Path:
        self.folders.append(name)
        folder = self.staging / name
        folder.mkdir()
        return folder

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self._publish()
            elif isinstance(error, OSError):
                raise OutputError(f"出力を書き込めませんでした（{error.strerror}）。以前の出力は"
                                  "そのまま残っています。空き容量を確認してください。") from error
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _publish(self) -> None:
        """Move every staged output into place; if one cannot be replaced (Excel holds it
        open on Windows), put back the ones already moved, so no run is half-published."""
        names = self.files + self.folders
        for name in names:
            target = self.outbox / name
            if target.is_file() and not target.stat().st_mode & stat.S_IWUSR:
                raise OutputError(f"{target} を書き換えられません（読み取り専用）。{_LOCKED}")
        backup = self.staging / ".previous"
        backup.mkdir()
        published: list[str] = []  # new version in place
        set_aside: list[str] = []  # old version in backup/
        try:
            for name in names:
                target = self.outbox / name
                if target.exists():
                    _replace(target, backup / name)
                    set_aside.append(name)
                _replace(self.staging / name, target)
                published.append(name)
        except OutputError:
            for name in published:
                os.replace(self.outbox / name, self.staging / name)
            for name in set_aside:
                os.replace(backup / name, self.outbox / name)
            raise
