"""Writing outputs safely: a failed run leaves the previous outputs whole, and staff work in
outbox/ is never lost.

Every output is written into a staging folder inside outbox/ first; only
when all of them are complete are they moved into place, each with an
atomic rename. A manifest (``.bansou-manifest.json``) records the SHA-256 of every file a
run published: a file in outbox/ that is not in it, or no longer matches it, is the staff's
(a note they added, a plan they filled in) and is kept; the run's new version of a changed
file is published beside it, named （新しい版）. An output whose bytes are those the last run
published under its name is staged as a hard link to that file, not written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from pipeline.core.errors import OutputError, os_reason
from pipeline.core.manifest import (
    MANIFEST,
    Issued,
    Results,
    read_manifest,
    sha256,
    unchanged_outputs,
    write_manifest,
)

_STAGING_PREFIX = ".staging-"
NEW_VERSION = "（新しい版）"
_PREVIOUS = ".previous"
# Windows' and macOS's forbidden characters, control characters, and # and % (a link to the
# file, as 選定順位 has to each plan, breaks at them).
_UNSAFE = re.compile(r'[\\/:*?"<>|#%\x00-\x1f\x7f]')
_MAX_PART = 40  # characters kept from a name that came from an applicant


def safe_file_part(text: str) -> str:
    """Part of a file name, safe on Windows and macOS and in a link: no \\ / : * ? " < > | # %,
    no invisible format characters (a right-to-left override would show 選定.txt as txt.定選),
    NFC, short."""
    visible = "".join(c for c in unicodedata.normalize("NFC", text)
                      if unicodedata.category(c) != "Cf")
    cleaned = _UNSAFE.sub("_", visible)
    return re.sub(r"\s+", " ", cleaned).strip(" .")[:_MAX_PART].strip(" .") or "_"


_LOCKED = "Excelで開いている場合は閉じてから再実行してください。"


@contextlib.contextmanager
def replace_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success move it over ``target``."""
    handle, name = tempfile.mkstemp(prefix=".~", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # as any file the user saves, not mkstemp's 0600
    try:
        yield temporary
        _replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _replace(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as error:
        raise OutputError(f"{target} を書き換えられません。{_LOCKED}（{os_reason(error)}）") from error


def _keep(target: Path, copy: Path) -> None:
    try:
        os.link(target, copy)
    except OSError:  # a file system without hard links
        shutil.copy2(target, copy)


_LOCK = ".bansou.lock"


@contextlib.contextmanager
def one_run_at_a_time(outbox: Path, started: str) -> Iterator[None]:
    """Hold outbox/'s lock for a run: a second run on the same outbox stops at once, naming
    when the first one started (an advisory lock, released by the system if a run dies, even
    while workers it forked are still ending)."""
    try:
        import fcntl
    except ImportError:  # Windows: runs are not locked
        yield
        return
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        handle = (outbox / _LOCK).open("a+", encoding="utf-8")
    except OSError as error:
        raise OutputError(f"出力フォルダ {outbox} に書き込めません（{os_reason(error)}）。") from error
    with handle:
        try:
            # a POSIX record lock: held by this process only, never by the workers it forks
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            handle.seek(0)
            other = handle.read().strip() or "時刻不明"
            raise OutputError(f"別の実行（{other} 開始）が同じ出力フォルダ {outbox} を使っています。"
                              "終わってから実行してください。") from error
        handle.seek(0)
        handle.truncate()
        handle.write(started)
        handle.flush()
        try:
            yield
        finally:  # gone with the run: outbox/ holds only outputs between runs
            (outbox / _LOCK).unlink(missing_ok=True)
            fcntl.lockf(handle, fcntl.LOCK_UN)


def new_version_name(rel: str) -> str:
    """Where a run writes its output when staff changed the file of that name."""
    path = Path(rel)
    return path.with_name(f"{path.stem}{NEW_VERSION}{path.suffix}").as_posix()


def _restore(previous: Path, outbox: Path) -> None:
    """Put back what a killed run had set aside but not yet replaced."""
    if previous.is_dir():
        for kept in previous.iterdir():
            if not (outbox / kept.name).exists():
                os.replace(kept, outbox / kept.name)


def _files_under(top: Path, folder: str) -> list[str]:
    """Every file (relative to ``top``, with /) in ``top/folder`` and its subfolders."""
    found: list[str] = []
    for root, _, names in os.walk(top / folder):
        base = Path(root).relative_to(top).as_posix()
        found.extend(f"{base}/{name}" for name in names)
    return sorted(found)


class OutputSet:
    """Stage a run's outputs, then publish them all at once.

    ``path(name)`` gives where to write an output file; ``folder(name)`` a folder that
    replaces the old one (files the previous run wrote and that are no longer written are
    removed; staff's files stay). ``staff_files`` lists, once entered, the files in our
    output names that staff added or changed (they are kept).
    """

    def __init__(self, outbox: Path, folders: tuple[str, ...] = (),
                 unchanged: set[str] | None = None, results: Results | None = None,
                 issued: Issued | None = None) -> None:
        self.outbox = outbox
        self.files: list[str] = []
        self.folders: list[str] = []
        self.staging = Path()
        self.written, _ = read_manifest(outbox)
        self.results = results or {}
        self.issued = issued or {}
        unchanged = unchanged_outputs(outbox) if unchanged is None else unchanged
        self.staff_files = self._staff_files(folders, unchanged)
        self._reusable = {rel: digest for rel, digest in self.written.items() if rel in unchanged}

    def __enter__(self) -> OutputSet:
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            for stale in self.outbox.glob(_STAGING_PREFIX + "*"):  # from a killed run
                _restore(stale / _PREVIOUS, self.outbox)
                shutil.rmtree(stale, ignore_errors=True)
            self.staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=self.outbox))
        except OSError as error:
            raise OutputError(f"出力フォルダ {self.outbox} に書き込めません（{os_reason(error)}）。") from error
        return self

    def path(self, name: str) -> Path:
        self.files.append(name)
        return self.staging / name

    def folder(self, name: str) -> Path:
        self.folders.append(name)
        folder = self.staging / name
        folder.mkdir()
        return folder

    def write_file(self, path: Path, data: bytes) -> None:
        """Write ``data`` to a staged ``path``. Where the last run published the same bytes
        under that name, untouched since, the new file is a hard link to it: a rerun that
        changes a few letters creates a few files, not one per application (creating a file
        costs far more than linking one)."""
        rel = path.relative_to(self.staging).as_posix()
        if self._reusable.get(rel) == hashlib.sha256(data).hexdigest():
            with contextlib.suppress(OSError):  # no hard links there: written instead
                os.link(self.outbox / rel, path)
                return
        path.write_bytes(data)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self._publish()
            elif isinstance(error, OSError):
                raise OutputError(f"出力を書き込めませんでした（{os_reason(error)}）。以前の出力は"
                                  "そのまま残っています。空き容量を確認してください。") from error
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _staff_files(self, folders: tuple[str, ...], unchanged: set[str]) -> list[str]:
        """Files (relative, with /) under our output folders, or with our output file names,
        that the last run did not write as they are now. Without a manifest (outbox/ written
        by a version before manifests) there is nothing to tell them by: all are taken as ours,
        as that version did."""
        if not self.written:
            return []
        candidates = {*self.written, *(rel for folder in folders
                                       for rel in _files_under(self.outbox, folder))}
        return sorted(rel for rel in candidates - unchanged
                      if not Path(rel).name.startswith(".") and (self.outbox / rel).is_file())

    def _carry_staff_files(self) -> None:
        """Staff files go into the staged outputs under their own names; a new output of the
        same name moves beside them as （新しい版）."""
        for rel in self.staff_files:
            top = rel.split("/", 1)[0]
            if top not in self.folders and rel not in self.files:
                continue  # a name this run does not write: left where it is
            staged = self.staging / rel
            if staged.exists():
                _replace(staged, self.staging / new_version_name(rel))
                if rel in self.files:
                    self.files.append(new_version_name(rel))
            if rel in self.files:
                self.files.remove(rel)  # the staff's file stays in place, untouched
                continue
            staged.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.outbox / rel, staged)

    def _write_manifest(self) -> None:
        staged = [rel for name in [*self.files, *self.folders]
                  for rel in ([name] if (self.staging / name).is_file()
                              else _files_under(self.staging, name))]
        ours = {rel: self._digest(rel) for rel in staged if rel not in self.staff_files}
        write_manifest(self.staging / MANIFEST, ours, self.results, self.issued)
        self.files.append(MANIFEST)

    def _digest(self, rel: str) -> str:
        """A staged file's SHA-256; a file linked to the last run's (see write_file) has its."""
        staged = self.staging / rel
        if rel in self._reusable:
            with contextlib.suppress(OSError):  # gone from outbox/ meanwhile: hashed below
                if os.path.samefile(staged, self.outbox / rel):
                    return self._reusable[rel]
        return sha256(staged)

    def _publish(self) -> None:
        """Move every staged output into place; if one cannot be replaced (Excel holds it
        open on Windows), put back the ones already moved, so no run is half-published."""
        self._carry_staff_files()
        self._write_manifest()
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
