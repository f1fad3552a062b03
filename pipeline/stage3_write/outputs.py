"""Writing outputs safely: a failed or killed run leaves the previous outputs whole, and
staff work in outbox/ is never lost.

Every output is written into a staging folder inside outbox/ first. When all of them are
complete, the run writes its journal (what goes where) and moves them into place, each with
an atomic rename, the manifest last; a run killed meanwhile is completed by the next one
(:func:`recover`). The manifest (``.bansou-manifest.json``) records the SHA-256 of every file
a run published: only such a file, unchanged, is the tool's to replace or remove. Any other
file is the staff's (a note they added, a plan they filled in) and is never touched; the run's
output of the same name goes beside it under a dated name. An output whose bytes are those
the last run published under its name is staged as a hard link to that file, not written again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.core.errors import OutputError, os_reason
from pipeline.core.manifest import (
    MANIFEST,
    Issued,
    KeptFile,
    LastRun,
    Manifest,
    Results,
    Stat,
    file_stat,
    last_run,
    load_manifest,
    sha256,
    write_manifest,
)

_STAGING_PREFIX = ".staging-"
_PREVIOUS = ".previous"
# Windows' and macOS's forbidden characters, control characters, and # and % (a link to the
# file, as 選定順位 has to each plan, breaks at them).
_UNSAFE = re.compile(r'[\\/:*?"<>|#%\x00-\x1f\x7f]')
# Names Windows keeps for devices, whatever follows a dot (CON.txt is the console too)
_RESERVED = re.compile(r"(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)",
                       re.IGNORECASE)
MAX_PART = 40  # characters kept from a name that came from an applicant
MAX_PATH = 259  # characters of a path Windows opens without long-path support (260 with its end)
# The most a run puts around such a part under outbox/: the staging folder and the copy of a
# replaced file in it, the longest folder, a number for a name taken twice, the longest ending,
# and the label of a dated version beside a staff's file.
_AROUND_PART = len("/.staging-12345678/.previous/通知（暫定）/ (999)_選外（暫定）"
                   "（2016-07-12 10時15分 99 版）.txt")
_FEWEST = 8  # characters of a part below which names would say nothing: the outbox is refused


def safe_file_part(text: str, longest: int = MAX_PART) -> str:
    """Part of a file name, safe on Windows and macOS and in a link: no \\ / : * ? " < > | # %,
    no invisible format characters (a right-to-left override would show 選定.txt as txt.定選),
    never a name Windows keeps for a device (CON, NUL, COM1…), NFC, at most ``longest``
    characters as Windows counts them."""
    visible = "".join(c for c in unicodedata.normalize("NFC", text)
                      if unicodedata.category(c) != "Cf")
    cleaned = re.sub(r"\s+", " ", _UNSAFE.sub("_", visible)).strip(" .")
    if _RESERVED.fullmatch(cleaned.split(".", 1)[0].rstrip(" ")):
        cleaned = f"_{cleaned}"
    cleaned = cleaned[:longest]  # then 𠮷 and emoji, two each
    while windows_length(cleaned) > longest:
        cleaned = cleaned[:-1]
    return cleaned.strip(" .") or "_"


def windows_length(text: str) -> int:
    """A name's length as Windows counts it (UTF-16: 𠮷 and emoji count two)."""
    return len(text.encode("utf-16-le")) // 2


def part_room(outbox: Path) -> int:
    """How long a name part from applicant text may be in ``outbox`` so that every path a run
    writes there stays within :data:`MAX_PATH`: :data:`MAX_PART`, less in a deep folder (a
    OneDrive folder several levels down). An outbox too deep for a useful name is refused."""
    room = MAX_PATH - windows_length(str(outbox.resolve())) - _AROUND_PART
    if room < _FEWEST:
        raise OutputError(
            f"出力フォルダ {outbox} の場所が深すぎます（{windows_length(str(outbox.resolve()))}文字）。"
            f"Windows で開けるパスの長さ（{MAX_PATH + 1}文字未満）に出力のファイル名が収まりません。"
            "浅いフォルダ（例: C:\\bansou\\2017）に募集回のフォルダを移して実行してください。")
    return min(room, MAX_PART)


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
_STARTED = ".bansou.started"  # when the run holding the lock started (a locked file may not be
# readable by others on Windows)


@contextlib.contextmanager
def one_run_at_a_time(outbox: Path, started: str) -> Iterator[None]:
    """Hold outbox/'s lock for a run: a second run on the same outbox (another PC on a shared
    drive too) stops at once, naming when the first one started. The lock is the system's
    (filelock: flock on Linux and macOS, LockFileEx on Windows), released by it if a run dies."""
    import filelock

    try:
        outbox.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(outbox / _LOCK, timeout=0)
        lock.acquire()
    except filelock.Timeout as error:
        try:
            other = (outbox / _STARTED).read_text(encoding="utf-8").strip() or "時刻不明"
        except (OSError, UnicodeDecodeError):
            other = "時刻不明"
        raise OutputError(f"別の実行（{other} 開始）が同じ出力フォルダ {outbox} を使っています。"
                          "終わってから実行してください。") from error
    except OSError as error:
        raise OutputError(f"出力フォルダ {outbox} に書き込めません（{os_reason(error)}）。") from error
    try:
        (outbox / _STARTED).write_text(started, encoding="utf-8")
        yield
    finally:  # gone with the run: outbox/ holds only outputs between runs
        (outbox / _STARTED).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # Windows: removed by the release itself
            (outbox / _LOCK).unlink()  # while held: a run waiting on it sees it is stale
        lock.release()


def version_name(rel: str, stamp: str, number: int = 1) -> str:
    """Where a run writes its output ``rel`` when staff changed the file of that name: beside
    it, named for the run's time (選定結果（2016-07-12 10時15分 版）.xlsx)."""
    path = Path(rel)
    label = stamp if number == 1 else f"{stamp} {number}"
    return path.with_name(f"{path.stem}（{label} 版）{path.suffix}").as_posix()


_VERSION = re.compile(r"（\d{4}-\d\d-\d\d \d\d時\d\d分(?: \d+)? 版）$")


def output_name(rel: str) -> str:
    """The output a file name stands for: itself, or the output a dated version is of."""
    path = Path(rel)
    return path.with_name(_VERSION.sub("", path.stem) + path.suffix).as_posix()


def _files_under(top: Path, folder: str) -> list[str]:
    """Every file (relative to ``top``, with /) in ``top/folder`` and its subfolders."""
    found: list[str] = []
    for root, _, names in os.walk(top / folder):
        base = Path(root).relative_to(top).as_posix()
        found.extend(f"{base}/{name}" for name in names)
    return sorted(found)


# Files the system or Office keep beside staff's files (Excel's owner file ~$選定結果.xlsx while
# it is open, Explorer's thumbnails): never listed, never touched, like every dotfile.
_SYSTEM_FILES = re.compile(r"^(?:~\$.*|Thumbs\.db|desktop\.ini)$", re.IGNORECASE)


def _visible_files(outbox: Path) -> list[str]:
    """Every file in outbox/ (relative, with /) but those under a name starting with a dot
    (the manifest, the lock, staging folders, and staff's dotfiles) and the system's files:
    those are never listed and never touched."""
    found: list[str] = []
    for root, folders, names in os.walk(outbox):
        folders[:] = [f for f in folders if not f.startswith(".")]
        base = Path(root).relative_to(outbox).as_posix()
        found.extend(name if base == "." else f"{base}/{name}" for name in names
                     if not name.startswith(".") and not _SYSTEM_FILES.match(name))
    return sorted(found)


_JOURNAL = ".journal.json"


def recover(outbox: Path) -> None:
    """Finish what a killed run left: a run that had decided to publish (its journal is
    written) is completed; one that had not is dropped, having changed nothing in outbox/."""
    for staging in sorted(outbox.glob(_STAGING_PREFIX + "*")):
        journal = staging / _JOURNAL
        if journal.is_file():
            _complete(staging, outbox, json.loads(journal.read_text(encoding="utf-8")),
                      verify=True)
        shutil.rmtree(staging, ignore_errors=True)


def _complete(staging: Path, outbox: Path, journal: dict[str, Any], verify: bool) -> None:
    """Move every staged file of ``journal`` into place, remove the last run's files this
    run no longer writes, then put the new manifest in place: the step that makes the run
    complete. Each replaced or removed file is kept in staging/.previous until then, so that
    a file that cannot be replaced (Excel holds it open) puts everything back. ``verify``
    (completing a killed run's publish): a file changed since is the staff's and stays."""
    backup = staging / _PREVIOUS
    expected: dict[str, str] = journal["expected"]
    moved: list[str] = []
    removed: list[str] = []
    skipped: set[str] = set()

    def owned(target: Path, rel: str) -> bool:
        return not verify or sha256(target) == expected.get(rel)

    try:
        for folder in journal["folders"]:
            (outbox / folder).mkdir(parents=True, exist_ok=True)
        for rel in journal["publish"]:
            source, target = staging / rel, outbox / rel
            try:
                staged = os.stat(source)
            except FileNotFoundError:
                continue  # moved before the run was killed
            try:
                existing: os.stat_result | None = os.stat(target)
            except FileNotFoundError:
                existing = None
            if existing is not None:
                if (staged.st_ino, staged.st_dev) == (existing.st_ino, existing.st_dev):
                    continue  # linked to the unchanged file (OutputSet.write_file)
                if not owned(target, rel):
                    skipped.add(rel)
                    continue
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                (backup / rel).unlink(missing_ok=True)  # kept by a run killed right after
                _keep(target, backup / rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            _replace(source, target)
            moved.append(rel)
        for rel in journal["remove"]:
            target = outbox / rel
            if target.is_file() and owned(target, rel):
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                _replace(target, backup / rel)
                removed.append(rel)
        if not (staging / MANIFEST).exists():
            return  # in place: the run was killed while tidying up
        if skipped:
            manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
            for part in ("files", "stats"):
                manifest[part] = {k: v for k, v in manifest.get(part, {}).items()
                                  if k not in skipped}
            (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False),
                                            encoding="utf-8")
        _replace(staging / MANIFEST, outbox / MANIFEST)
    except (OutputError, OSError) as error:
        if verify:
            raise  # the journal stays: the next run goes on from here
        # put back what was moved; should that fail too, the journal stays for the next run
        for rel in reversed(moved):
            os.replace(outbox / rel, staging / rel)
            if (backup / rel).exists():
                os.replace(backup / rel, outbox / rel)
        for rel in removed:
            os.replace(backup / rel, outbox / rel)
        (staging / _JOURNAL).unlink()
        if isinstance(error, OutputError):
            raise
        raise OutputError(f"出力を置き換えられませんでした（{os_reason(error)}）。以前の出力はそのまま"
                          "残っています。") from error


class OutputSet:
    """Stage a run's outputs, then publish them all at once.

    ``path(name)`` gives where to write an output file; ``folder(name)`` a folder of outputs.
    A file in outbox/ is the run's to replace or remove only when its bytes are what the last
    run wrote (the manifest's SHA-256); any other file is the staff's: never replaced, moved
    or removed, and the run's output of that name goes beside it (:func:`version_name`).
    Without a (readable) manifest, every file in outbox/ must be what the run writes, byte for
    byte, or the run is refused naming the files in the way; ``keep_existing`` (staff's
    choice) takes them all as the staff's instead.
    """

    def __init__(self, outbox: Path, run_at: dt.datetime, last: LastRun | None = None,
                 results: Results | None = None, issued: Issued | None = None,
                 plans: dict[str, str] | None = None, keep_existing: bool = False) -> None:
        self.outbox = outbox
        self.files: list[str] = []
        self.folders: list[str] = []
        self.staging = Path()
        self.stamp = f"{run_at:%Y-%m-%d %H時%M分}"
        last = last or last_run(outbox)
        self.manifest = last.manifest
        self.results = results or {}
        self.issued = issued or {}
        self.plans = plans or {}  # application file → its plan (relative to outbox/)
        existing = _visible_files(outbox) if outbox.is_dir() else []
        # No manifest: files there are adopted only if the run writes them byte for byte
        # (checked before publishing), or all the staff's if they said so.
        self._adopted = [] if self.manifest or keep_existing else existing
        self.staff_files = [rel for rel in existing if rel not in last.unchanged
                            and rel not in self._adopted]
        self._theirs = set(self.staff_files)
        written = self.manifest.files if self.manifest else {}
        self._ours = {rel: written[rel] for rel in last.unchanged if rel in written}
        self._destinations: dict[str, str] = {}

    def __enter__(self) -> OutputSet:
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            recover(self.outbox)
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

    def staff_under(self, folders: tuple[str, ...]) -> bool:
        return any(rel.split("/", 1)[0] in folders for rel in self.staff_files)

    def staged(self) -> set[str]:
        """Every output staged so far, by the name it was written under."""
        return {rel for name in [*self.files, *self.folders]
                for rel in ([name] if (self.staging / name).is_file()
                            else _files_under(self.staging, name))}

    def destination(self, rel: str) -> str:
        """Where the output ``rel`` is published: under its name, unless a staff's file has it."""
        if rel not in self._destinations:
            number, found = 1, rel
            while found in self._theirs:
                found = version_name(rel, self.stamp, number)
                number += 1
            self._destinations[rel] = found
        return self._destinations[rel]

    def kept(self, written: set[str]) -> tuple[KeptFile, ...]:
        """Each staff file, with where this run wrote the output it stands for: an output of
        its name ``written`` this run, its dated version, or the plan now written for the
        application its plan was for."""
        previous_plans = self.manifest.plans if self.manifest else {}
        kept: list[KeptFile] = []
        for rel in self.staff_files:
            output = output_name(rel)
            application = previous_plans.get(rel)
            if output not in written and application in self.plans:
                output = self.plans[application]
            newest = self.destination(output) if output in written else None
            kept.append(KeptFile(rel, newest, application))
        return tuple(kept)

    def write_file(self, path: Path, data: bytes) -> None:
        """Write ``data`` to a staged ``path``. Where the last run published the same bytes
        under that name, untouched since, the new file is a hard link to it: a rerun that
        changes a few letters creates a few files, not one per application (creating a file
        costs far more than linking one)."""
        rel = path.relative_to(self.staging).as_posix()
        if self._ours.get(rel) == hashlib.sha256(data).hexdigest() and self._linked(rel, path):
            return
        path.write_bytes(data)  # new bytes, or no hard links there

    def _link_published(self, rel: str) -> bool:
        """The staged ``rel`` replaced by a hard link to the file the last run published under
        that name (the same bytes: the caller knows), so that publishing leaves that file as it
        is, its date too; False where there are no hard links."""
        staged = self.staging / rel
        linked = staged.with_name(f"{staged.name}.link")
        if not self._linked(rel, linked):
            return False
        os.replace(linked, staged)
        return True

    def _linked(self, rel: str, path: Path) -> bool:
        """``path`` made a hard link to the file the last run published as ``rel``; False where
        the file system has no hard links."""
        try:
            os.link(self.outbox / rel, path)
        except OSError:
            return False
        return True

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self._publish()
            elif isinstance(error, OSError):
                raise OutputError(f"出力を書き込めませんでした（{os_reason(error)}）。以前の出力は"
                                  "そのまま残っています。空き容量を確認してください。") from error
        finally:
            if not (self.staging / _JOURNAL).exists():  # else a publish to complete next run
                shutil.rmtree(self.staging, ignore_errors=True)

    def _in_the_way(self, staged: set[str]) -> list[str]:
        """Files in an outbox without a manifest that are not what this run writes."""
        return [rel for rel in self._adopted
                if rel not in staged or sha256(self.outbox / rel) != sha256(self.staging / rel)]

    def _settled(self, rel: str) -> tuple[str, os.stat_result]:
        """A staged file's SHA-256 and stat, as publishing will move it. A file the last run
        published with the same bytes is linked to it (by write_file, or here): a rerun that
        changes nothing leaves every file in outbox/ as it was, its date too. A file that would
        replace a read-only one stops the run."""
        path = self.staging / rel
        staged = os.stat(path)
        try:
            target = os.stat(self.outbox / rel)
        except OSError:  # not there: nothing to keep or to check
            return sha256(path), staged
        if rel in self._ours and (staged.st_ino, staged.st_dev) == (target.st_ino, target.st_dev):
            return self._ours[rel], staged
        digest = sha256(path)
        if self._ours.get(rel) == digest and self._link_published(rel):
            return digest, os.stat(path)
        if stat.S_ISREG(target.st_mode) and not target.st_mode & stat.S_IWUSR:
            raise OutputError(f"{self.outbox / rel} を書き換えられません（読み取り専用）。{_LOCKED}")
        return digest, staged

    def _publish(self) -> None:
        """Decide every staged output's place, write the journal (from then on a killed run
        is completed by the next one), then move everything into place."""
        staged = self.staged()
        if in_the_way := self._in_the_way(staged):
            shown = "、".join(in_the_way[:5]) + (f" ほか{len(in_the_way) - 5}件"
                                                  if len(in_the_way) > 5 else "")
            raise OutputError(
                f"出力フォルダ {self.outbox} に、このツールの記録（{MANIFEST}）にないファイルがあります"
                f"（{shown}）。消さないよう、何も書き出していません。別の空のフォルダを --outbox に"
                "指定するか、これらを事務局のファイルとして残して実行するなら --keep-existing を"
                "付けてください。")
        published: dict[str, str] = {}
        for rel in sorted(staged):
            final = self.destination(rel)
            if final != rel:
                (self.staging / final).parent.mkdir(parents=True, exist_ok=True)
                _replace(self.staging / rel, self.staging / final)
            published[final] = rel
        files: dict[str, str] = {}
        stats: dict[str, Stat] = {}  # what stat will say of each in outbox/: kept by the move
        for final in published:  # two stats a file: 10,000 letters
            files[final], found = self._settled(final)
            stats[final] = (found.st_size, found.st_mtime_ns, found.st_ino)
        adopted = {rel: files[rel] for rel in self._adopted}
        plans = {self.destination(plan): application
                 for application, plan in self.plans.items()}
        if self.manifest:  # a plan staff kept still tells which application it was for
            plans |= {rel: app for rel, app in self.manifest.plans.items() if rel in self._theirs}
        latest = {rel: self.destination(rel) for rel in self.files}
        write_manifest(self.staging / MANIFEST,
                       Manifest(files, self.results, self.issued, plans, latest, stats))
        previous = self.manifest.files if self.manifest else {}
        journal = {"publish": sorted(files), "folders": self.folders,
                   "remove": sorted(rel for rel in self._ours if rel not in files),
                   "expected": {rel: digest for rel, digest in previous.items()
                                if rel in self._ours} | adopted}
        with replace_atomically(self.staging / _JOURNAL) as temporary:
            temporary.write_text(json.dumps(journal, ensure_ascii=False), encoding="utf-8")
        _complete(self.staging, self.outbox, journal, verify=False)
        (self.staging / _JOURNAL).unlink()  # published: nothing left for the next run to do


def record_output(outbox: Path, rel: str) -> None:
    """Add a file written into outbox/ outside a run (the blank form) to the manifest, so that
    runs know it as the tool's."""
    found = load_manifest(outbox) or Manifest({}, {})
    with replace_atomically(outbox / MANIFEST) as temporary:
        write_manifest(temporary, dataclasses.replace(
            found, files=found.files | {rel: sha256(outbox / rel)},
            stats=found.stats | {rel: file_stat(outbox / rel)}))
