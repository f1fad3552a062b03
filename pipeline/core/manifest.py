"""The manifest a run leaves in outbox/: the SHA-256 of every file it published (so staff
files can be told from the run's own), the results it published (so the next run can say
what changed without parsing a workbook), every 差戻し the round has issued (so that a
returned workbook is taken as a correction only of a file we really sent back), which
application each plan was written for, and where each output's newest version is."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.names import MANIFEST

# file → (判定, 団体名, 順位 or None, 合計点 or None: exact, as a fraction's text "260/3")
Results = dict[str, tuple[str, str, int | None, str | float | None]]
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
            {str(k): str(v) for k, v in found.get("latest", {}).items()})
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def read_manifest(outbox: Path) -> tuple[dict[str, str], Results]:
    """(published file → SHA-256, results); empty when there is none or it cannot be read."""
    found = load_manifest(outbox)
    return (found.files, found.results) if found else ({}, {})


def read_issued(outbox: Path) -> Issued:
    """Every 差戻し this round has issued, by the SHA-256 of the file sent back; empty without
    a manifest (a correction is then judged as a new submission, and its row says why)."""
    found = load_manifest(outbox)
    return found.issued if found else {}


def latest(outbox: Path, name: str) -> Path:
    """Where the last run wrote the output ``name`` (beside a copy staff changed, it has a
    dated name)."""
    found = load_manifest(outbox)
    return outbox / (found.latest.get(name, name) if found else name)


def write_manifest(path: Path, files: dict[str, str], results: Results,
                   issued: Issued | None = None, plans: dict[str, str] | None = None,
                   latest: dict[str, str] | None = None) -> None:
    path.write_text(json.dumps({"files": files, "results": results, "issued": issued or {},
                                "plans": plans or {}, "latest": latest or {}},
                               ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")


def unchanged_outputs(outbox: Path) -> set[str]:
    """Names in outbox/ (relative, with /) that the last run wrote and nobody changed since."""
    files, _ = read_manifest(outbox)
    return {rel for rel, digest in files.items()
            if (outbox / rel).is_file() and sha256(outbox / rel) == digest}
