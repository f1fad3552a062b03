"""The manifest a run leaves in outbox/: the SHA-256 of every file it published (so staff
files can be told from the run's own), the results it published (so the next run can say
what changed without parsing a workbook), every 差戻し the round has issued (so that a
returned workbook is taken as a correction only of a file we really sent back), which
application each plan was written for, and where each output's newest version is.

Beside each file's SHA-256 it keeps what ``stat`` said of it (size, mtime in ns, file id): a
file that still shows all three is the same file, as git's index assumes, and is not read
again (hashing the last run's 10,000 letters took most of a second)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.names import MANIFEST

# file → (判定, 団体名, 順位 or None, 合計点 or None: exact, as a fraction's text "260/3")
Results = dict[str, tuple[str, str, int | None, str | float | None]]
# what stat says of a file: size, modification time in ns, file id (inode; on Windows the NTFS
# file index)
Stat = tuple[int, int, int]
# SHA-256 of a file we sent back for fixing → what we knew of it then: file, org_name,
# municipality, org_type ("" where its form did not say), issued (the run's date)
Issued = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Manifest:
    """What the last complete run published."""

    files: dict[str, str]  # file (relative to outbox/, with /) → SHA-256
    results: Results
    issued: Issued = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)  # plan file → the application's file
    latest: dict[str, str] = field(default_factory=dict)  # output name → where it was written
    stats: dict[str, Stat] = field(default_factory=dict)  # file → its stat when published


@dataclass(frozen=True)
class KeptFile:
    """A file in outbox/ that is the staff's (added, or changed since the tool wrote it): kept
    as it is. ``newest``: where this run wrote the output it stands for (None: nothing);
    ``application``: for a plan, the application it was written for."""

    path: str
    newest: str | None = None
    application: str | None = None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_stat(path: Path) -> Stat:
    found = path.stat()
    return found.st_size, found.st_mtime_ns, found.st_ino


def load_manifest(outbox: Path) -> Manifest | None:
    """The manifest in ``outbox``; None when there is none or it cannot be read."""
    try:
        found = json.loads((outbox / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(
            {str(k): str(v) for k, v in found["files"].items()},
            {str(k): (str(v[0]), str(v[1]), v[2], v[3]) for k, v in found["results"].items()},
            {str(sha): {str(k): str(v) for k, v in facts.items()}
             for sha, facts in found.get("issued", {}).items()},
            {str(k): str(v) for k, v in found.get("plans", {}).items()},
            {str(k): str(v) for k, v in found.get("latest", {}).items()},
            {str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in found.get("stats", {}).items()})
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def latest(outbox: Path, name: str) -> Path:
    """Where the last run wrote the output ``name`` (beside a copy staff changed, it has a
    dated name)."""
    found = load_manifest(outbox)
    return outbox / (found.latest.get(name, name) if found else name)


def write_manifest(path: Path, manifest: Manifest) -> None:
    """One line of JSON, written a part at a time: json's C encoder encodes only whole values
    on one line (a round of 10,000 letters: 0.03 s, not 0.3 s indented), and one part at a
    time holds the text of one part, not of all, in memory."""
    names = sorted(part.name for part in dataclasses.fields(manifest))
    with path.open("w", encoding="utf-8") as stream:
        for index, name in enumerate(names):
            stream.write(("{" if index == 0 else ",") + json.dumps(name) + ":" + json.dumps(
                getattr(manifest, name), ensure_ascii=False, sort_keys=True, separators=(",", ":")))
        stream.write("}")


@dataclass(frozen=True)
class LastRun:
    """What the last complete run published (None: there was none, or its manifest is gone),
    and which of its files are still as it left them (relative, with /)."""

    manifest: Manifest | None
    unchanged: frozenset[str]

    @property
    def issued(self) -> Issued:
        """Every 差戻し this round has issued, by the SHA-256 of the file sent back; empty
        without a manifest (a correction is then judged as a new submission, and its row says
        why)."""
        return self.manifest.issued if self.manifest else {}


def last_run(outbox: Path) -> LastRun:
    """Read once per run: a manifest of 10,000 letters is megabytes of JSON."""
    found = load_manifest(outbox)
    return LastRun(found, frozenset(unchanged_outputs(outbox, found)))


def unchanged_outputs(outbox: Path, found: Manifest | None) -> set[str]:
    """Of the files ``found`` (a manifest of ``outbox``) lists, those nobody changed since: the
    same file as published (its stat), or else the same bytes."""
    if found is None:
        return set()

    def unchanged(rel: str, digest: str) -> bool:
        path = outbox / rel
        try:
            if file_stat(path) == found.stats.get(rel):
                return True
            return path.is_file() and sha256(path) == digest
        except OSError:
            return False

    return {rel for rel, digest in found.files.items() if unchanged(rel, digest)}
