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

from pipeline.core.errors import OutputError

_STAGING_PREFIX = ".staging-"
_PREVIOUS = ".previous"
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


def _keep(target: Path, copy: Path) -> None:
    try:
        os.link(target, copy)
    except OSError:  # a file system without hard links
        shutil.copy2(target, copy)


def _restore(previous: Path, outbox: Path) -> None:
    """Put back what a killed run had set aside but not yet replaced."""
    if previous.is_dir():
        for kept in previous.iterdir():
            if not (outbox / kept.name).exists():
                os.replace(kept, outbox / kept.name)


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
                _restore(stale / _PREVIOUS, self.outbox)
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
        backup = self.staging / _PREVIOUS
        backup.mkdir()
        published: list[str] = []
        try:
            for name in names:
                target = self.outbox / name
                if target.is_dir():  # a folder cannot be replaced in one step: set it aside
                    _replace(target, backup / name)
                elif target.exists():  # keep the old file for a rollback; replace in one step
                    _keep(target, backup / name)
                _replace(self.staging / name, target)
                published.append(name)
        except OutputError:
            for name in published:
                os.replace(self.outbox / name, self.staging / name)
            _restore(backup, self.outbox)
            raise
