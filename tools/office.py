"""LibreOffice (headless), to open our workbooks in a real office suite: `make render` and
the office tests use it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

INSTALL = "sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk fonts-morisawa-bizud-gothic poppler-utils"
_PROFILE = Path(tempfile.gettempdir()) / f"bansou-lo-profile-{os.getuid()}"


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, target: str, outdir: Path) -> Path:
    """``soffice --convert-to``; returns the converted file."""
    return convert_many([path], target, outdir)[0]


def convert_many(paths: Sequence[Path], target: str, outdir: Path) -> list[Path]:
    """Convert several files in one LibreOffice call (it starts once: seconds saved per file);
    their names must differ. Returns the converted files in the same order."""
    found = find_soffice()
    if found is None:
        raise RuntimeError(f"LibreOffice がありません。次のコマンドで入れてください: {INSTALL}")
    outdir.mkdir(parents=True, exist_ok=True)
    if not paths:
        return []
    subprocess.run([found, f"-env:UserInstallation=file://{_PROFILE}", "--headless",
                    "--norestore", "--convert-to", target, "--outdir", str(outdir),
                    *map(str, paths)],
                   check=True, capture_output=True, timeout=180 + 30 * len(paths))
    extension = target.split(":")[0]
    converted = [outdir / f"{path.stem}.{extension}" for path in paths]
    for path, result in zip(paths, converted, strict=True):
        if not result.exists():
            raise RuntimeError(f"LibreOffice could not convert {path.name} to {target}")
    return converted


def workbook_kinds(outbox: Path) -> dict[str, Path]:
    """One workbook of every kind a demo round writes, by its Japanese name."""
    return {
        "申請用紙": outbox / "申請用紙.xlsx",
        "選定結果": outbox / "選定結果.xlsx",
        "計画書": sorted((outbox / "計画").iterdir())[0],
        "審査票": outbox / "審査票.xlsx",
        "申請一覧": outbox / "申請一覧.xlsx",
        "差戻し": next(p for p in sorted((outbox / "差戻し").iterdir()) if p.suffix == ".xlsx"
                     and "中央区" in p.name),
    }
