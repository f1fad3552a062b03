"""The manifest a run leaves in outbox/: the SHA-256 of every file it published (so staff
files can be told from the run's own), the results it published (so the next run can say
what changed without parsing a workbook), and every 差戻し the round has issued (so that a
returned workbook is taken as a correction only of a file we really sent back)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = ".bansou-manifest.json"

# file → (判定, 団体名, 順位 or None, 合計点 or None: exact, as a fraction's text "260/3")
Results = dict[str, tuple[str, str, int | None, str | float | None]]
# SHA-256 of a file we sent back for fixing → what we knew of it then: file, org_name,
# municipality, org_type ("" where its form did not say), issued (the run's date)
Issued = dict[str, dict[str, str]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(outbox: Path) -> tuple[dict[str, str], Results]:
    """(published file → SHA-256, results); empty when there is none or it cannot be read."""
    try:
        found = json.loads((outbox / MANIFEST).read_text(encoding="utf-8"))
        files, results = found["files"], found["results"]
        return ({str(k): str(v) for k, v in files.items()},
                {str(k): (str(v[0]), str(v[1]), v[2], v[3]) for k, v in results.items()})
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}, {}


def read_issued(outbox: Path) -> Issued:
    """Every 差戻し this round has issued, by the SHA-256 of the file sent back; empty without
    a manifest (a correction is then judged as a new submission, and its row says why)."""
    try:
        found = json.loads((outbox / MANIFEST).read_text(encoding="utf-8")).get("issued", {})
        return {str(sha): {str(k): str(v) for k, v in facts.items()}
                for sha, facts in found.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def write_manifest(path: Path, files: dict[str, str], results: Results,
                   issued: Issued | None = None) -> None:
    path.write_text(json.dumps({"files": files, "results": results, "issued": issued or {}},
                               ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")


def unchanged_outputs(outbox: Path) -> set[str]:
    """Names in outbox/ (relative, with /) that the last run wrote and nobody changed since."""
    files, _ = read_manifest(outbox)
    return {rel for rel, digest in files.items()
            if (outbox / rel).is_file() and sha256(outbox / rel) == digest}
